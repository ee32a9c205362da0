"""Declared equipment import: the demo contract list, replacement, idempotence, bad rows."""

from __future__ import annotations

import pytest

from inventory.errors import DeclaredFileError
from tests.conftest import CONFIG

DECLARED = CONFIG / "lab" / "demo-declared.csv"


def test_demo_declared_list(store):
    summary = store.import_declared(DECLARED, "가람구청")
    assert (summary.items, summary.replaced, summary.unchanged, summary.errors) == (15, 0, False, ())
    items = store.declared("가람구청")
    xno = items[0]
    assert (xno.part, xno.manufacturer, xno.model, xno.quantity) == ("camera", "한화비전", "XNO-6080R", 4)
    assert len(xno.serials) == 4 and xno.addresses[0] == "127.10.0.11"
    assert xno.source_row == 3
    assert {i.part for i in items} == {"camera", "recorder_analytics", "terminal_server"}
    hb = next(i for i in items if i.model == "HB-IP4231")
    assert hb.manufacturer == "한빛비전" and hb.quantity == 2


def test_same_list_twice_changes_nothing_and_a_new_list_replaces(store, tmp_path):
    store.import_declared(DECLARED, "가람구청")
    again = store.import_declared(DECLARED, "가람구청")
    assert again.unchanged and again.items == 15
    amended = tmp_path / "amended.csv"
    amended.write_text("제조사,모델명,수량\n한화비전,XNO-6080R,6\n", encoding="utf-8")
    summary = store.import_declared(amended, "가람구청")
    assert summary.replaced == 15 and summary.items == 1
    [only] = store.declared("가람구청")
    assert only.quantity == 6 and only.part is None
    assert store.declared("other site") == []


def test_bad_rows_named(store, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(
        "부품구분,업체명,모델명,수량,시리얼\n"
        "카메라,한화비전,XNO-6080R,2,A;B\n"
        "카메라,한화비전,,1,\n"
        "카메라,한화비전,XNO-6080R,zwei,\n"
        "카메라,한화비전,XNO-6080R,1,A;B\n"
        "스피커,한화비전,XNO-6080R,1,\n"
        "카메라,한화비전,XND-8080RV,,S1;S2;S3\n",
        encoding="utf-8",
    )
    summary = store.import_declared(path, "x")
    assert [(e.row, e.message.split()[0]) for e in summary.errors] == [
        (3, "no"),
        (4, "quantity"),
        (5, "2"),
        (6, "unknown"),
    ]
    items = store.declared("x")
    assert [(i.model, i.quantity) for i in items] == [("XNO-6080R", 2), ("XND-8080RV", 3)]


def test_file_without_header_refused(store, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DeclaredFileError, match="no usable header"):
        store.import_declared(path, "x")


def test_declared_xlsx_with_english_headers(store, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Part", "Manufacturer", "Model", "Qty", "Serials", "Addresses"])
    ws.append(["camera", "Hanwha Vision", "XNO-6080R", 2, "S1; S2", "127.10.0.11;127.10.0.12"])
    ws.append(["recorder", "IDIS", "DR-6516P", 1.0, None, None])
    ws.append([None, None, None, None, None, None])
    path = tmp_path / "declared.xlsx"
    wb.save(path)
    summary = store.import_declared(path, "site")
    assert summary.errors == ()
    first, second = store.declared("site")
    assert first.serials == ("S1", "S2") and first.addresses == ("127.10.0.11", "127.10.0.12")
    assert (second.part, second.quantity, second.source_row) == ("recorder_analytics", 1, 3)
