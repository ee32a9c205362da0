"""Reading registry files: encodings, Korean/English headers, merged XLSX headers, dates, bad rows named."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from inventory.errors import RegistryFileError
from inventory.registry_file import parse_registry
from tests.conftest import CONFIG

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE = CONFIG / "registry" / "sample-registry.csv"


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "reg.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_sample_registry_reads_whole_and_is_labelled_fictional():
    parsed = parse_registry(SAMPLE)
    assert parsed.errors == ()
    assert len(parsed.entries) == 19
    assert SAMPLE.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, as Excel saves
    assert "FICTIONAL" in SAMPLE.read_text(encoding="utf-8-sig").splitlines()[0]
    makers = {e.manufacturer for e in parsed.entries}
    assert not any(m.lower() in ("hikvision", "dahua", "uniview", "axis") for m in makers)


def test_cp949_korean_headers_with_bad_rows_named():
    parsed = parse_registry(FIXTURES / "registry-cp949.csv")
    assert [(e.row, e.message.split(" ")[0]) for e in parsed.errors] == [
        (6, "no"),
        (7, "validity"),
        (8, "business"),
    ]
    assert "모델명" in parsed.errors[0].message
    assert "2024-13-01" in parsed.errors[1].message
    assert "123-45-67890" in parsed.errors[2].message
    first, second, third, truen = parsed.entries
    assert first.manufacturer == "㈜한화비전"  # kept as written
    assert (first.valid_from, first.valid_to) == (date(2020, 10, 12), date(2023, 10, 11))  # one range string
    assert first.business_no == "9008100015" and second.business_no == "9008100015"  # with or without hyphens
    assert third.model == "ＤＲ－６５１６Ｐ" and third.certificate_type == "innovative_product"
    assert third.part == "recorder_analytics"
    assert truen.model is None and truen.item_no == "4617162201"  # a maker-level row


def test_xlsx_merged_two_row_header_numbers_and_trailing_blank_rows():
    parsed = parse_registry(FIXTURES / "registry-merged.xlsx")
    assert parsed.errors == ()
    assert parsed.rows == 3  # the formatted blank rows below the data are not rows
    hanwha, idis, cpro = parsed.entries
    assert hanwha.business_no == "9008100015"  # a number cell, read back as text
    assert hanwha.item_no == "4617162201"
    assert (hanwha.valid_from, hanwha.valid_to) == (date(2024, 1, 2), date(2029, 12, 31))  # date cells
    assert (idis.valid_from, idis.valid_to) == (date(2024, 4, 1), date(2029, 12, 31))  # Excel serials
    assert idis.certificate_type == "cctv_security"
    assert (cpro.valid_from, cpro.certificate_type) == (date(2024, 7, 1), "gs")  # YYYY.MM.DD text
    assert [e.source_row for e in parsed.entries] == [4, 5, 6]  # rows as Excel numbers them


def test_english_headers_issue_date_plus_years_firmware_and_patterns(tmp_path):
    path = write(
        tmp_path,
        "Manufacturer,Business Registration No,Model,Firmware,Part,Certificate Type,Certificate No,Issued,Validity (years)\n"
        "Hanwha Vision,9008100015,XNO-6080R*,,camera,GS,G-1,2024-03-01,3\n"
        'IDIS,9008100029,"DC-D4236RX, DC-D4236WRX",3.12.1,camera,TTA,T-1,20240101,2\n',
    )
    parsed = parse_registry(path)
    assert parsed.errors == ()
    pattern, first, second = parsed.entries
    assert pattern.model is None and pattern.model_pattern == "XNO-6080R*"
    assert pattern.valid_to == date(2027, 2, 28)  # the day before the third anniversary
    assert (first.model, second.model) == ("DC-D4236RX", "DC-D4236WRX")  # one row, two models
    assert first.firmware == "3.12.1" and first.source_row == second.source_row == 3


def test_euc_kr_and_utf8_bom_are_detected(tmp_path):
    text = "업체명,모델명,인증구분,인증번호\n한빛비전,HB-IP4231,원산지증명서,K-1\n"
    for encoding in ("euc-kr", "utf-8-sig", "utf-8", "utf-16"):
        parsed = parse_registry(write(tmp_path, text, encoding, f"r-{encoding}.csv"))
        assert [e.manufacturer for e in parsed.entries] == ["한빛비전"], encoding


def test_semicolon_separated_csv(tmp_path):
    parsed = parse_registry(write(tmp_path, "업체명;모델명;인증구분;인증번호\n한빛비전;HB-IP4231;GS;K-1\n"))
    assert parsed.entries[0].model == "HB-IP4231"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("한빛비전,,원산지증명서,K-1,,", "no model"),
        (",HB-1,원산지증명서,K-1,,", "no manufacturer"),
        ("한빛비전,HB-1,원산지증명,,,", "no certificate number"),
        ("한빛비전,HB-1,모범인증,K-1,,", "unknown certificate type"),
        ("한빛비전,HB-1,GS,K-1,2024-02-30,", "not a date"),
        ("한빛비전,HB-1,GS,K-1,2025-01-01,2024-01-01", "after it ends"),
        ("한빛비전,HB-1,GS," + "K" * 500 + ",,", "at most 200"),
    ],
)
def test_bad_rows_are_named_and_good_rows_kept(tmp_path, row, reason):
    header = "업체명,모델명,인증구분,인증번호,유효기간 시작,유효기간 종료\n"
    parsed = parse_registry(write(tmp_path, header + "한빛비전,HB-OK,GS,K-0,,\n" + row + "\n"))
    assert [e.model for e in parsed.entries] == ["HB-OK"]
    [error] = parsed.errors
    assert error.row == 3 and reason in error.message


def test_file_without_usable_header_is_refused_naming_what_it_found(tmp_path):
    path = write(tmp_path, "name,thing,when\nfoo,bar,2024\n")
    with pytest.raises(RegistryFileError) as err:
        parse_registry(path)
    message = str(err.value)
    assert "Found: name, thing, when" in message
    assert "manufacturer" in message and "certificate_no" in message


def test_not_a_spreadsheet_is_refused(tmp_path):
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(RegistryFileError, match="not a readable XLSX"):
        parse_registry(bad)
    with pytest.raises(RegistryFileError, match="unknown file type"):
        parse_registry(write(tmp_path, "x", name="reg.pdf"))


def test_xlsx_maker_merged_down_over_its_models(tmp_path):
    """Korean spreadsheets often merge a maker's name down over the rows of its models."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["업체명", "모델명", "인증구분", "인증번호"])
    ws.append(["주식회사 아이디스", "DC-D4236RX", "원산지증명서", "K-1"])
    ws.append([None, "DC-T4236HRX", "원산지증명서", "K-2"])
    ws.append([None, "DR-6516P", "원산지증명서", "K-3"])
    ws.append(["씨프로", "CPN-5031B", "GS", "K-4"])
    ws.merge_cells("A2:A4")
    path = tmp_path / "merged-down.xlsx"
    wb.save(path)
    parsed = parse_registry(path)
    assert parsed.errors == ()
    assert [(e.manufacturer, e.model) for e in parsed.entries] == [
        ("주식회사 아이디스", "DC-D4236RX"),
        ("주식회사 아이디스", "DC-T4236HRX"),
        ("주식회사 아이디스", "DR-6516P"),
        ("씨프로", "CPN-5031B"),
    ]


def test_delimiter_chosen_by_the_header_not_by_the_sniffer(tmp_path):
    """One ';' on every line (a note row, a note column) fools csv.Sniffer into ';' here; the header
    row is only found with ',', so ',' wins."""
    import csv

    text = (
        "가상 데이터;fictional\n"
        "업체명,모델명,인증구분,인증번호,비고(메모;참고)\n"
        "한빛비전,HB-IP4231,GS,K-1,메모;참고\n"
        "한빛비전,HB-IP4232,GS,K-2,메모;참고\n"
    )
    assert csv.Sniffer().sniff(text, delimiters=",;\t").delimiter == ";"
    parsed = parse_registry(write(tmp_path, text))
    assert parsed.errors == ()
    assert [e.model for e in parsed.entries] == ["HB-IP4231", "HB-IP4232"]


# --- 발급일 + 유효기간 as a period (valid to the day before the same date that period later) ----------

PERIOD_HEADER = "업체명,사업자등록번호,모델명,품명,세부품명번호,인증구분,인증번호,발급일,유효기간,비고\n"


def test_validity_column_holding_a_period_counts_from_the_issue_date(tmp_path):
    """The `유효기간` column of many sources holds "3년" or "36개월" beside 발급일, not a range."""
    rows = (
        "주식회사 아이디스,900-81-00029,DC-D4236RX,네트워크카메라,4617162201,국내생산품 원산지증명서,가상-원산지-2024-0312,2024. 3. 12.,3년,가상 데이터\n"
        "한화비전(주),900-81-00015,XNO-6080R,네트워크카메라,4617162201,우수조달,가상-우수-2024-0229,2024-02-29,3 years,가상 데이터\n"
        "트루엔,900-81-00034,TN-P4220CSL,네트워크카메라,4617162201,성능인증,가상-EPC-2023-077,2023.07.01,36개월,가상 데이터\n"
        "씨프로,900-81-00048,CPN-5031B,네트워크카메라,4617162201,GS,가상-GS-2024-0115,20240115,2,가상 데이터\n"
        "이노뎁(주),900-81-00053,VURIX-AI-8,영상분석장치,4617162201,혁신제품,가상-혁신-2024-0131,2024-01-31,1년 6개월,가상 데이터\n"
        "한빛비전,900-81-00067,HB-IP4231,네트워크카메라,4617162201,원산지증명서,가상-원산지-2020-1012,,20201012 ~ 20231011,가상 데이터\n"
        "한빛비전,900-81-00067,HB-IP4232,네트워크카메라,4617162201,원산지증명서,가상-원산지-2024-0501,2024-05-01,３년간,가상 데이터\n"
    )
    parsed = parse_registry(write(tmp_path, PERIOD_HEADER + rows, "utf-8-sig"))
    assert parsed.errors == ()
    assert [(e.model, e.valid_from, e.valid_to) for e in parsed.entries] == [
        ("DC-D4236RX", date(2024, 3, 12), date(2027, 3, 11)),
        ("XNO-6080R", date(2024, 2, 29), date(2027, 2, 28)),  # no 29 February 2027: to the month's end
        ("TN-P4220CSL", date(2023, 7, 1), date(2026, 6, 30)),
        ("CPN-5031B", date(2024, 1, 15), date(2026, 1, 14)),  # a bare number is years
        ("VURIX-AI-8", date(2024, 1, 31), date(2025, 7, 30)),
        ("HB-IP4231", date(2020, 10, 12), date(2023, 10, 11)),  # a range in the same column still works
        ("HB-IP4232", date(2024, 5, 1), date(2027, 4, 30)),  # full-width digits, 년간
    ]


def test_validity_period_in_cp949_with_excel_number_cells(tmp_path):
    """As Excel on Korean Windows saves it: CP949, 3 written as the number 3.0 by an export."""
    text = PERIOD_HEADER + "㈜한화비전,9008100015,XRN-1610,녹화장치,4617162201,원산지증명서,가상-C-2025,2025-07-01,3.0,\n"
    [entry] = parse_registry(write(tmp_path, text, "cp949")).entries
    assert (entry.valid_from, entry.valid_to) == (date(2025, 7, 1), date(2028, 6, 30))


def test_xlsx_issue_date_cells_and_a_period_as_a_number_cell(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["가상 데이터 (fictional)"])
    ws.append(["업체명", "사업자등록번호", "모델명", "인증구분", "인증번호", "발급일", "유효기간"])
    ws.append(["주식회사 아이디스", 9008100029, "DR-6516P", "원산지증명서", "가상-X-1", date(2024, 4, 1), 3])
    ws.append(["씨프로", "900-81-00048", "CPN-5031B", "GS", "가상-X-2", date(2023, 1, 31), "13개월"])
    ws.append(["씨프로", "900-81-00048", "CPN-5032B", "GS", "가상-X-3", 45292, "20240101 ~ 20261231"])
    path = tmp_path / "periods.xlsx"
    wb.save(path)
    parsed = parse_registry(path)
    assert parsed.errors == ()
    assert [(e.valid_from, e.valid_to) for e in parsed.entries] == [
        (date(2024, 4, 1), date(2027, 3, 31)),
        (date(2023, 1, 31), date(2024, 2, 29)),  # no 31 February 2024: to the month's end
        (date(2024, 1, 1), date(2026, 12, 31)),
    ]


def test_validity_start_column_with_a_period_and_no_end(tmp_path):
    text = "업체명,모델명,인증구분,인증번호,유효기간 시작,유효기간\n한빛비전,HB-IP4231,GS,K-1,2024-06-01,2년\n"
    [entry] = parse_registry(write(tmp_path, text)).entries
    assert (entry.valid_from, entry.valid_to) == (date(2024, 6, 1), date(2026, 5, 31))


def test_a_range_beside_a_start_column_still_gives_the_end(tmp_path):
    """The range was read only when no start column was filled: the entry had a start and no end."""
    text = "업체명,모델명,인증구분,인증번호,유효기간 시작,유효기간\n한빛비전,HB-IP4231,GS,K-1,2024-06-01,20240601 ~ 20260531\n"
    [entry] = parse_registry(write(tmp_path, text)).entries
    assert (entry.valid_from, entry.valid_to) == (date(2024, 6, 1), date(2026, 5, 31))


def test_an_issue_date_alone_gives_no_end(tmp_path):
    text = "업체명,모델명,인증구분,인증번호,발급일\n한빛비전,HB-IP4231,GS,K-1,2015-01-01\n"
    [entry] = parse_registry(write(tmp_path, text)).entries
    assert (entry.valid_from, entry.valid_to) == (date(2015, 1, 1), None)  # undated once begun (test_matching)


def test_years_column_takes_the_same_spellings(tmp_path):
    text = "업체명,모델명,인증구분,인증번호,발급일,유효기간(년)\n한빛비전,HB-IP4231,GS,K-1,2024-03-01,3년\n"
    [entry] = parse_registry(write(tmp_path, text)).entries
    assert entry.valid_to == date(2027, 2, 28)


@pytest.mark.parametrize(
    ("issued", "period", "reason"),
    [
        ("", "3년", "has no issue date"),  # a period placed nowhere in time
        ("2024-03-01", "영구", "neither a range"),
        ("2024-03-01", "0년", "at least one month"),
        ("2024-03-01", "0", "at least one month"),
        ("2024-03-01", "2.5", "neither a range"),
        ("2024-03-01", "20231011", "neither a range"),  # a lone date is not a number of years
    ],
)
def test_bad_validity_periods_name_the_row(tmp_path, issued, period, reason):
    header = "업체명,모델명,인증구분,인증번호,발급일,유효기간\n"
    good = "한빛비전,HB-OK,GS,K-0,2024-03-01,3년\n"
    parsed = parse_registry(write(tmp_path, header + good + f"한빛비전,HB-1,GS,K-1,{issued},{period}\n"))
    assert [e.model for e in parsed.entries] == ["HB-OK"]
    [error] = parsed.errors
    assert error.row == 3 and reason in error.message, error.message


def test_years_column_without_an_issue_date_is_a_bad_row(tmp_path):
    text = "업체명,모델명,인증구분,인증번호,발급일,유효기간(년)\n한빛비전,HB-1,GS,K-1,,3\n"
    [error] = parse_registry(write(tmp_path, text)).errors
    assert error.row == 2 and "has no issue date" in error.message and "'3'" in error.message


@pytest.mark.parametrize(
    ("value", "months"),
    [(3, 36), (3.0, 36), ("3", 36), ("3년", 36), ("3 년간", 36), ("3 years", 36), ("1 year", 12),
     ("3Y", 36), ("36개월", 36), ("36 months", 36), ("2년 6개월", 30), ("１８개월", 18), (None, None),
     ("", None), ("20201012 ~ 20231011", None), (20231011, None)],
)
def test_validity_months_spellings(value, months):
    from inventory.values import validity_months

    assert validity_months(value) == months


@pytest.mark.parametrize(
    ("start", "months", "last_day"),
    [
        (date(2024, 3, 1), 36, date(2027, 2, 28)),
        (date(2024, 3, 12), 36, date(2027, 3, 11)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 11, 15), 2, date(2025, 1, 14)),
        (date(2024, 12, 31), 12, date(2025, 12, 30)),
    ],
)
def test_add_months_ends_the_day_before_the_same_date_later(start, months, last_day):
    from inventory.values import add_months

    assert add_months(start, months) == last_day


def test_an_xlsx_cell_with_one_model_per_line_gives_one_entry_per_model(tmp_path):
    """Alt+Enter in Excel: the cell's line break was folded into a space before the split, so the row gave
    one model "XNO-6080R XNO-8080R" that no camera is (review)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["업체명", "모델명", "인증구분", "인증번호", "유효기간"])
    ws.append(["한화비전", "XNO-6080R\nXNO-8080R\r\n XNV-8080R ", "원산지증명서", "가상-M-1", "20240101 ~ 20261231"])
    path = tmp_path / "lines.xlsx"
    wb.save(path)
    parsed = parse_registry(path)
    assert parsed.errors == () and [e.model for e in parsed.entries] == ["XNO-6080R", "XNO-8080R", "XNV-8080R"]


def _damaged_xlsx(tmp_path: Path, how: str) -> Path:
    """A real workbook, then damaged as files get damaged: its sheet XML cut short (a copy broken off), or
    its worksheets gone (a chart sheet alone)."""
    import zipfile

    import openpyxl

    good = tmp_path / "good.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["업체명", "인증구분", "인증번호"])
    workbook.save(good)
    damaged = tmp_path / f"{how}.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                if how == "no_sheet":
                    continue
                data = data[: len(data) // 2]
            out.writestr(info.filename, data)
    return damaged


@pytest.mark.parametrize("how", ["sheet_cut_short", "no_sheet"])
def test_a_damaged_workbook_is_refused_not_a_traceback(tmp_path, how):
    """ElementTree's ParseError and an IndexError (worksheets[0]) escaped the import: `registry import`,
    `declared import` and `audit` (after its scan) ended in a traceback."""
    from inventory.declared_store import parse_declared
    from inventory.errors import DeclaredFileError

    damaged = _damaged_xlsx(tmp_path, how)
    with pytest.raises(RegistryFileError, match=rf"{how}\.xlsx: not a readable XLSX workbook"):
        parse_registry(damaged)
    with pytest.raises(DeclaredFileError, match=rf"{how}\.xlsx: not a readable XLSX workbook"):
        parse_declared(damaged)


def test_a_password_protected_workbook_is_named_so(tmp_path):
    """Excel keeps a workbook saved with a password in an OLE2 compound file (MS-OFFCRYPTO), whatever its
    name: 'File is not a zip file' left the agency's clerk with a file Excel opens fine."""
    encrypted = tmp_path / "인증목록.xlsx"
    encrypted.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with pytest.raises(RegistryFileError, match="encrypted \\(password-protected\\) workbook"):
        parse_registry(encrypted)
