"""Registry import into the store, on SQLite and PostgreSQL: provenance, idempotence, supersede."""

from __future__ import annotations

import hashlib
from pathlib import Path

import sqlalchemy as sa

from tests.conftest import CONFIG
from tests.inventory.test_registry_file import FIXTURES

SAMPLE = CONFIG / "registry" / "sample-registry.csv"
HEADER = "업체명,사업자등록번호,모델명,인증구분,인증번호,유효기간 시작,유효기간 종료\n"


def csv_file(path: Path, *rows: str) -> Path:
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_sample_import_keeps_provenance(store):
    summary = store.import_registry(SAMPLE, source="sample")
    assert (summary.imported, summary.unchanged, summary.superseded, summary.errors) == (19, 0, 0, ())
    entries = store.registry_entries()
    assert len(entries) == 19
    first = entries[0]
    assert first.source.name == "sample" and first.source.file_name == "sample-registry.csv"
    assert first.source.sha256 == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert first.source_row == 3  # the fictional-data note is row 1, the header row 2
    assert first.source.imported_at.tzinfo is not None


def test_same_file_twice_changes_nothing(store):
    store.import_registry(SAMPLE)
    before = store.registry_entries()
    again = store.import_registry(SAMPLE)
    assert (again.imported, again.unchanged, again.superseded) == (0, 19, 0)
    assert again.to_dict() == {
        "source": "sample-registry.csv",
        "file_name": "sample-registry.csv",
        "sha256": again.sha256,
        "imported": 0,
        "unchanged": 19,
        "superseded": 0,
        "errors": [],
    }
    assert store.registry_entries() == before


def test_newer_file_supersedes_by_certificate_number(store, tmp_path):
    old = csv_file(
        tmp_path / "2024.csv",
        "한빛비전,900-81-00067,HB-IP4231,원산지증명서,K-1,2024-01-01,2025-12-31",
        "한빛비전,900-81-00067,HB-IP4232,원산지증명서,K-2,2024-01-01,2025-12-31",
    )
    new = csv_file(
        tmp_path / "2025.csv",
        "한빛비전,900-81-00067,HB-IP4231,원산지증명서,K-1,2024-01-01,2028-12-31",  # renewed: new end date
        "한빛비전,900-81-00067,HB-IP4232,원산지증명서,K-2,2024-01-01,2025-12-31",  # repeated as it was
        "한빛비전,900-81-00067,HB-IP4233,원산지증명서,K-3,2025-01-01,2028-12-31",  # new
    )
    store.import_registry(old)
    summary = store.import_registry(new)
    assert (summary.imported, summary.unchanged, summary.superseded) == (2, 1, 1)
    held = {(e.certificate_no, e.valid_to.isoformat(), e.source.file_name) for e in store.registry_entries()}
    assert held == {
        ("K-1", "2028-12-31", "2025.csv"),
        ("K-2", "2025-12-31", "2024.csv"),  # unchanged keeps its first provenance
        ("K-3", "2028-12-31", "2025.csv"),
    }


def test_superseded_entries_are_kept_for_the_record(store, tmp_path):
    store.import_registry(csv_file(tmp_path / "a.csv", "한빛비전,,HB-1,GS,G-1,2024-01-01,2025-01-01"))
    store.import_registry(csv_file(tmp_path / "b.csv", "한빛비전,,HB-1,GS,G-1,2024-01-01,2027-01-01"))
    engine = sa.create_engine(store.url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text("select superseded_by_source_id is null from registry_entries order by id")
            ).all()
    finally:
        engine.dispose()
    assert [bool(r[0]) for r in rows] == [False, True]


def test_bad_rows_do_not_stop_good_rows(store):
    summary = store.import_registry(FIXTURES / "registry-cp949.csv")
    assert summary.imported == 4
    assert [e.row for e in summary.errors] == [6, 7, 8]
    assert summary.to_dict()["errors"][0]["row"] == 6


def test_xlsx_import(store):
    summary = store.import_registry(FIXTURES / "registry-merged.xlsx")
    assert summary.imported == 3 and summary.errors == ()


def test_list_by_manufacturer_uses_the_vendor_family(store):
    store.import_registry(SAMPLE)
    hanwha = store.registry_entries(manufacturer="Samsung Techwin")
    assert {e.model or e.model_pattern for e in hanwha} == {
        "XNO-6080R",
        "XNO-6080R*",
        "XND-8080RV",
        "PNM-9084RQZ",
        "XRN-1610",
    }
    truen = store.registry_entries(manufacturer="TRUEN")
    assert all(e.is_maker_level for e in truen) and truen[0].business_no == "9008100034"
    assert store.registry_entries(manufacturer="Hikvision") == []


def test_control_characters_in_cells_do_not_break_postgres(store, tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes("업체명,모델명,인증구분,인증번호\n한빛\x00비전,HB-IP4231,GS,K-1\n".encode())
    summary = store.import_registry(path)
    assert summary.imported == 1
    [entry] = store.registry_entries()
    assert entry.manufacturer == "한빛비전"
