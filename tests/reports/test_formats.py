"""reports.formats: every registered format renders in both languages; JSON follows the shipped schema;
golden files (timestamps redacted); hostile device strings inert in HTML, CSV and XLSX.

Golden files live in tests/reports/fixtures/golden/. A missing or different golden file fails the test;
only an explicit `UPDATE_GOLDEN=1` (or `CCTV_UPDATE_GOLDEN=1`) in the environment writes them, after an
intended change: `UPDATE_GOLDEN=1 tools/isolated .venv/bin/python -m pytest tests/reports/test_formats.py`,
then review the diff and commit the files.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import jsonschema
import pytest
from openpyxl import load_workbook

from inventory.model import CERTIFICATE_TYPES, MATCH_LEVELS
from reports.formats import FORMATS
from reports.formats.html import TEMPLATES, local_time, render_text
from reports.messages import LANGUAGES, messages
from reports.model import FINDING_KINDS, PART_STATUSES, SEVERITIES, VERDICTS, report_to_dict
from reports.validation import report_schema, validate_report_document
from scanner.fingerprint import EVIDENCE_LABELS
from scanner.model import DEVICE_STATUSES, ROLES
from tests.reports.builders import HOSTILE_MAKER, HOSTILE_MODEL

GOLDEN = Path(__file__).resolve().parent / "fixtures" / "golden"
UPDATE_VARIABLES = ("UPDATE_GOLDEN", "CCTV_UPDATE_GOLDEN")


def update_golden() -> bool:
    return any(os.environ.get(name) == "1" for name in UPDATE_VARIABLES)


def render(report, name: str, lang: str) -> bytes:
    out = io.BytesIO()
    FORMATS[name].render(report, out, lang)
    return out.getvalue()


# --- the registry ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", list(FORMATS))
def test_every_registered_format_renders_and_names_the_digest(shared_report, name, lang):
    data = render(shared_report, name, lang)
    assert data
    sha = report_to_dict(shared_report)["evidence_sha256"]
    if name == "xlsx":
        wb = load_workbook(io.BytesIO(data))
        cells = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
        assert sha in cells
    else:
        assert sha.encode() in data


def test_format_registry_is_what_the_cli_offers():
    assert set(FORMATS) == {"html", "json", "csv", "xlsx"}
    assert all(fmt.name == key and fmt.extension == f".{key}" for key, fmt in FORMATS.items())


# --- JSON ----------------------------------------------------------------------------------------


def test_json_follows_the_shipped_schema(shared_report):
    doc = json.loads(render(shared_report, "json", "ko"))
    validate_report_document(doc)
    for key in ("schema_version", "site", "scan", "agent_version", "policy", "verdict", "parts", "devices",
                "findings", "method", "evidence_sha256"):
        assert key in doc
    device = doc["devices"][0]
    assert set(device["match"]) >= {"level", "entry", "certificate_type", "certificate_no", "valid_from",
                                    "valid_to", "valid_at_scan"}


def test_schema_rejects_a_broken_document(shared_report):
    doc = report_to_dict(shared_report)
    doc["verdict"] = "looks_fine"
    with pytest.raises(jsonschema.ValidationError):
        validate_report_document(doc)


def test_schema_enums_match_the_code():
    s = report_schema()
    props = s["properties"]
    assert props["verdict"]["enum"] == list(VERDICTS)
    assert props["parts"]["items"]["properties"]["status"]["enum"] == list(PART_STATUSES)
    finding = props["findings"]["items"]["properties"]
    assert finding["kind"]["enum"] == list(FINDING_KINDS) and finding["severity"]["enum"] == list(SEVERITIES)
    device = props["devices"]["items"]["properties"]
    assert device["role"]["enum"] == list(ROLES) and device["status"]["enum"] == list(DEVICE_STATUSES)
    cert = s["$defs"]["certificate"]["properties"]
    assert cert["level"]["enum"] == list(MATCH_LEVELS)
    assert cert["certificate_type"]["enum"] == list(CERTIFICATE_TYPES)


def test_json_is_language_neutral(shared_report):
    assert render(shared_report, "json", "ko") == render(shared_report, "json", "en")


# --- golden files ---------------------------------------------------------------------------------

_TIMESTAMPS = re.compile(r"(generated_at|matched_at)(\"?\s*[:=]\s*\"?)[0-9T:+\-.]+")


def redact(text: str, sha: str) -> str:
    return _TIMESTAMPS.sub(r"\1\2<redacted>", text).replace(sha, "<sha256>")


@pytest.mark.parametrize(("name", "lang"), [("json", "ko"), ("csv", "ko"), ("csv", "en"), ("html", "ko"), ("html", "en")])
def test_golden(shared_report, name, lang):
    sha = report_to_dict(shared_report)["evidence_sha256"]
    text = render(shared_report, name, lang).decode("utf-8-sig")
    # the generation time also shows in the HTML method section and meta lines
    text = redact(text, sha)
    for moment, label in ((shared_report.generated_at, "<generated_at>"), (shared_report.matched_at, "<matched_at>")):
        text = text.replace(moment.isoformat(), label).replace(local_time(moment), label)
    check_golden(GOLDEN / f"report.{lang}.{name}", text)


def check_golden(path: Path, text: str) -> None:
    """Compare with the golden file; write it only when asked (a missing file is a failure, not a pass)."""
    if update_golden():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    if not path.exists():
        pytest.fail(f"{path} is missing; UPDATE_GOLDEN=1 writes it (then review and commit it)")
    assert text == path.read_bytes().decode("utf-8"), f"{path} differs; UPDATE_GOLDEN=1 to accept"


def test_missing_golden_file_fails_and_writes_nothing(tmp_path, monkeypatch):
    for name in UPDATE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    missing = tmp_path / "golden" / "report.ko.json"
    with pytest.raises(pytest.fail.Exception, match="is missing"):
        check_golden(missing, "{}")
    assert not missing.exists()


@pytest.mark.parametrize("variable", UPDATE_VARIABLES)
def test_golden_file_is_written_only_when_asked(tmp_path, monkeypatch, variable):
    for name in UPDATE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, "1")
    path = tmp_path / "golden" / "report.ko.csv"
    check_golden(path, "a,b\r\n")
    assert path.read_bytes() == b"a,b\r\n"


# --- languages -----------------------------------------------------------------------------------


def test_catalogs_have_the_same_keys_and_text_for_every_id():
    ko, en = messages("ko"), messages("en")
    assert ko.keys() == en.keys()
    needed = {f"verdict_{v}" for v in VERDICTS} | {f"part_status_{s}" for s in PART_STATUSES}
    needed |= {f"severity_{s}" for s in SEVERITIES} | {f"kind_{k}" for k in FINDING_KINDS}
    needed |= {f"status_{s}" for s in DEVICE_STATUSES} | {f"role_{r}" for r in ROLES}
    needed |= {f"level_{lvl}" for lvl in MATCH_LEVELS} | {f"certificate_{c}" for c in CERTIFICATE_TYPES}
    needed |= {f"relabel_label_{field}" for field in EVIDENCE_LABELS}
    assert needed <= en.keys()


def test_relabel_evidence_reads_in_the_report_s_language_with_the_device_s_words_verbatim():
    """The scanner writes its relabel evidence in English (scanner/fingerprint.py); a Korean report shows
    the labels in Korean. What the device said, the arrow and the maker stay as they were."""
    from scanner.fingerprint import detect_relabel
    from scanner.model import Fingerprints
    from scanner.vendors import load_vendor_catalog

    prints = Fingerprints(oui_vendor="Zhejiang Dahua Technology Co., Ltd.", rtsp_server="Dahua Rtsp Server",
                          tls_issuer="O=Zhejiang Dahua Technology Co.,Ltd.,CN=<b>Dahua CA</b>")
    relabel = detect_relabel("한빛비전", prints, load_vendor_catalog(), firmware="2.800.0000021.0.R")
    ko = [messages("ko").fingerprint_line(line) for line in relabel.evidence]
    assert ko == [
        "MAC 주소의 제조사(OUI): Zhejiang Dahua Technology Co., Ltd. → Dahua",
        "RTSP Server 헤더: Dahua Rtsp Server → Dahua",
        "TLS 인증서 발급자: O=Zhejiang Dahua Technology Co.,Ltd.,CN=<b>Dahua CA</b> → Dahua",
        "펌웨어 문자열 형태: 2.800.0000021.0.R (Dahua의 형식과 일치)",
    ]
    assert [messages("en").fingerprint_line(line) for line in relabel.evidence] == list(relabel.evidence)
    # a line that is not relabel evidence (a status reason, say) is left alone, even one with a colon
    assert messages("ko").fingerprint_line("GetHostname: not offered") == "GetHostname: not offered"


def test_every_finding_message_has_its_text(shared_report):
    for lang in LANGUAGES:
        t = messages(lang)
        for f in shared_report.findings:
            text = t.finding(f)
            assert "{" not in text, text


def test_template_holds_no_words():
    """All text comes from the catalogs: strip Jinja, CSS and tags, and no letters may remain."""
    source = (TEMPLATES / "report.html.j2").read_text(encoding="utf-8")
    source = re.sub(r"<style>.*?</style>", "", source, flags=re.DOTALL)
    source = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", source, flags=re.DOTALL)
    source = re.sub(r"<[^>]*>", "", source)
    assert re.findall(r"[A-Za-z가-힣]+", source) == []


def test_korean_by_default_english_on_request(shared_report):
    ko = render_text(shared_report)
    en = render_text(shared_report, "en")
    assert '<html lang="ko">' in ko and "부품 국산화 확인 보고서" in ko and "목표 미달성" in ko
    assert '<html lang="en">' in en and "Parts localization report" in en and "Target not met" in en
    assert "부품 국산화" not in en.split("<body>")[1].split('id="site"')[0]


def test_csv_has_a_bom_and_korean_headers(shared_report):
    data = render(shared_report, "csv", "ko")
    assert data.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header[:4] == ["주소", "MAC 주소", "제조사 (장비 응답)", "모델명"]
    en_header = next(csv.reader(io.StringIO(render(shared_report, "csv", "en").decode("utf-8-sig"))))
    assert en_header[0] == "Address"


def test_xlsx_has_korean_sheets_and_headers(shared_report):
    wb = load_workbook(io.BytesIO(render(shared_report, "xlsx", "ko")))
    assert wb.sheetnames == ["판정", "핵심부품별 결과", "확인 사항", "장비 목록"]
    assert wb["장비 목록"]["A1"].value == "주소"
    assert wb["판정"]["B3"].value == "목표 미달성"


# --- hostile device strings -------------------------------------------------------------------------


def test_hostile_strings_are_escaped_in_html(shared_report):
    html = render_text(shared_report)
    assert HOSTILE_MAKER not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    assert "default-src 'none'; style-src 'unsafe-inline'" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html), "no external fetch"


def test_hostile_strings_are_neutralized_in_csv(shared_report):
    rows = list(csv.reader(io.StringIO(render(shared_report, "csv", "en").decode("utf-8-sig"))))
    row = next(r for r in rows if r[0] == "10.10.0.70")
    assert row[2] == HOSTILE_MAKER  # text, shown as is (CSV is not markup)
    assert row[3] == "'" + HOSTILE_MODEL
    for r in rows:
        for cell in r:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_hostile_strings_are_text_cells_in_xlsx(shared_report):
    """A device string is stored exactly, as a string cell (quotePrefix where it looks like a formula):
    Excel shows the text and never evaluates it. No apostrophe is written into the text (that is CSV's)."""
    wb = load_workbook(io.BytesIO(render(shared_report, "xlsx", "en")))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value}"
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", f"{ws.title}!{cell.coordinate}"
                    assert not cell.value.startswith("'="), f"{ws.title}!{cell.coordinate}: {cell.value}"
    devices = wb[messages("en")("csv_sheet_devices")]
    row = next(r for r in devices.iter_rows(min_row=2) if r[0].value == "10.10.0.70")
    maker, model = row[2], row[3]
    assert model.value == HOSTILE_MODEL and model.data_type == "s" and model.quotePrefix
    assert maker.value == HOSTILE_MAKER and maker.data_type == "s"


def test_xlsx_stores_no_formula_element(shared_report):
    """The same, on the file itself: no sheet XML holds an <f> (formula) element."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(render(shared_report, "xlsx", "en"))) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/")]
        assert sheets
        for name in sheets:
            xml = zf.read(name).decode("utf-8")
            assert "<f>" not in xml and "<f " not in xml, name


def test_control_characters_do_not_break_the_workbook(shared_report):
    from dataclasses import replace

    evil = replace(shared_report.devices[0], firmware="1.0\x00\x07\x1b[31m", model="\tXNO")
    report = replace(shared_report, devices=(evil, *shared_report.devices[1:]))
    wb = load_workbook(io.BytesIO(render(report, "xlsx", "en")))
    row = next(wb[messages("en")("csv_sheet_devices")].iter_rows(min_row=2, max_row=2))
    assert row[3].value == "\tXNO" and row[3].data_type == "s" and row[3].quotePrefix
    assert row[4].value == "1.0\ufffd\ufffd\ufffd[31m"


def test_characters_xml_cannot_hold_and_huge_strings_do_not_lose_the_report_set(shared_report, tmp_path):
    """A Server header of bytes EF BF BF is a U+FFFF the scanner keeps (a fingerprint, as sent); lxml
    refuses it in a sheet, so the workbook failed and write_report_set wrote none of the four files.
    A 1 MB model string (GetDeviceInformation is read up to 1 MB) gave a cell Excel calls damaged."""
    from dataclasses import replace

    from reports.formats.xlsx import MAX_CELL_CHARS
    from reports.writer import write_report_set

    evil = replace(shared_report.devices[0], model="XNO-" + "6" * 100_000,
                   fingerprints={"http_server": "Boa\uffff/0.94\ufffe"})
    report = replace(shared_report, devices=(evil, *shared_report.devices[1:]))
    written = write_report_set(report, tmp_path, list(FORMATS), "ko")
    assert sorted(p.name for p in written) == ["report.csv", "report.html", "report.json", "report.xlsx"]
    wb = load_workbook(tmp_path / "report.xlsx")
    row = next(wb[messages("ko")("csv_sheet_devices")].iter_rows(min_row=2, max_row=2, values_only=True))
    assert "http_server: Boa\ufffd/0.94\ufffd" in row
    model = row[3]
    assert len(model) == MAX_CELL_CHARS and model.startswith("XNO-666") and "전체 100,004자 중 32,767자" in model
    assert all(len(c) <= MAX_CELL_CHARS for ws in wb.worksheets for r in ws.iter_rows(values_only=True)
               for c in r if isinstance(c, str))
    assert json.loads((tmp_path / "report.json").read_bytes())["devices"][0]["model"] == evil.model


FORMULA_LOOKALIKES = [" =1+1", "\u3000=HYPERLINK(\"http://x\")", "\n=1+1", " \t@SUM(A1)", "＝HYPERLINK(\"http://x\")",
                      "＋1", "－1+2", "＠SUM(A1)", "﹦1+1"]


@pytest.mark.parametrize("value", FORMULA_LOOKALIKES)
def test_formula_after_white_space_or_in_full_width_is_neutralized(shared_report, value):
    """Only a first character of `= + - @`, tab or CR was guarded: ' =cmd|…' (a CSV import that trims
    spaces) and the full-width '＝' of East Asian input went to the spreadsheet as typed."""
    from dataclasses import replace

    evil = replace(shared_report.devices[0], model=value, firmware="1.0.0")
    report = replace(shared_report, devices=(evil, *shared_report.devices[1:]))
    rows = list(csv.reader(io.StringIO(render(report, "csv", "en").decode("utf-8-sig"))))
    assert rows[1][3] == "'" + value and rows[1][4] == "1.0.0"
    wb = load_workbook(io.BytesIO(render(report, "xlsx", "en")))
    row = next(wb[messages("en")("csv_sheet_devices")].iter_rows(min_row=2, max_row=2))
    assert row[3].value == value and row[3].data_type == "s" and row[3].quotePrefix
    assert not row[4].quotePrefix


SPOOFED_MAKER = "\u202eisivnoikiH"  # draws as "Hikvision" reversed into view: "\u202e" reverses what follows
SPOOFED_MODEL = "XNO-6080R\u200b"  # draws exactly as the certified model the registry did not match


def test_invisible_bidi_and_zero_width_characters_show_by_code_point(shared_report):
    """A bidi override or a zero-width space in a device string drew nothing and changed what the
    reader saw; the report is evidence, so HTML, CSV and XLSX show them as [U+XXXX]. JSON keeps them."""
    from dataclasses import replace

    evil = replace(shared_report.devices[0], manufacturer=SPOOFED_MAKER, model=SPOOFED_MODEL,
                   serial="SN\u2066000011\u2069", firmware="1.0\u31640")
    report = replace(shared_report, devices=(evil, *shared_report.devices[1:]))
    for lang in LANGUAGES:
        html = render_text(report, lang)
        assert "[U+202E]isivnoikiH" in html and "XNO-6080R[U+200B]" in html and "SN[U+2066]000011[U+2069]" in html
        assert "1.0[U+3164]0" in html  # a Hangul filler draws as a space
        assert not any(c in html for c in "\u202e\u200b\u2066\u2069\u3164")
        rows = list(csv.reader(io.StringIO(render(report, "csv", lang).decode("utf-8-sig"))))
        assert rows[1][2:4] == ["[U+202E]isivnoikiH", "XNO-6080R[U+200B]"]
        assert rows[1][5] == "SN[U+2066]000011[U+2069]"
        wb = load_workbook(io.BytesIO(render(report, "xlsx", lang)))
        row = next(wb[messages(lang)("csv_sheet_devices")].iter_rows(min_row=2, max_row=2, values_only=True))
        assert row[2:4] == ("[U+202E]isivnoikiH", "XNO-6080R[U+200B]")
    device = json.loads(render(report, "json", "ko"))["devices"][0]
    assert (device["manufacturer"], device["model"]) == (SPOOFED_MAKER, SPOOFED_MODEL)


@pytest.mark.parametrize(("covered", "devices", "html", "xlsx"),
                         [(199, 200, "99%", "99.5%"), (1999, 2000, "99%", "99.9%"), (1, 300, "1%", "0.3%"),
                          (1, 2000, "1%", "0.1%"), (200, 200, "100%", "100.0%"), (0, 200, "0%", "0.0%")])
def test_a_part_s_share_never_reads_all_or_none_when_it_is_neither(shared_report, covered, devices, html, xlsx):
    """A 통합관제센터 has hundreds of cameras: 199 of 200 covered printed "100%" beside "partly covered"
    (HTML rounds to a whole percent, XLSX's 0.0% format showed 1999 of 2000 as 100.0%)."""
    from dataclasses import replace

    from reports.model import PartResult

    status = "localized" if covered == devices else "partly_covered" if covered else "not_localized"
    camera = PartResult("camera", devices, covered, 0, status)
    report = replace(shared_report, parts=(camera, *shared_report.parts[1:]))
    page = render_text(report, "en")
    row = page.split('<tr data-part="camera">', 1)[1].split("</tr>", 1)[0]
    assert f'<td class="num">{html}</td>' in row
    cell = load_workbook(io.BytesIO(render(report, "xlsx", "en")))[messages("en")("csv_sheet_parts")]["E2"]
    assert cell.number_format == "0.0%"
    assert f"{cell.value:.1%}" == xlsx


@pytest.mark.parametrize(("min_share", "shown"), [(0.675, "67.5%"), (0.995, "99.5%"), (0.5, "50%")])
def test_the_coverage_rule_shows_the_policy_s_share_as_written(shared_report, min_share, shown):
    """The method section rounded the policy's min_share to a whole percent: a rule of 99.5 % read
    "100%" (every device), one of 67.5 % read "68%"."""
    from dataclasses import replace

    report = replace(shared_report, policy=replace(shared_report.policy, coverage_mode="share", min_share=min_share))
    for lang in LANGUAGES:
        assert messages(lang)("method_min_share", share=shown) in render_text(report, lang)


@pytest.mark.parametrize(("lang", "note", "other"), [("ko", "전체 100,004자 중 32,767자", "characters"),
                                                     ("en", "32,767 of 100,004 characters", "전체")])
def test_the_note_on_a_cut_cell_is_in_the_workbook_s_language(shared_report, lang, note, other):
    """The note on a cell cut at Excel's 32,767-character limit was English in a Korean workbook."""
    from dataclasses import replace

    from reports.formats.xlsx import MAX_CELL_CHARS

    report = replace(shared_report, devices=(replace(shared_report.devices[0], model="XNO-" + "6" * 100_000),
                                             *shared_report.devices[1:]))
    out = io.BytesIO()
    FORMATS["xlsx"].render(report, out, lang)
    [cut] = [c for ws in load_workbook(out).worksheets for r in ws.iter_rows(values_only=True) for c in r
             if isinstance(c, str) and len(c) == MAX_CELL_CHARS]
    assert note in cut and other not in cut[-80:]
