"""reports.rollup formats: HTML/XLSX/JSON in both languages, hostile strings inert, files only after success."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO

import pytest
from openpyxl import load_workbook

from reports.rollup import FORMATS, build_rollup, write_rollup
from reports.rollup.formats import json_doc
from reports.rollup.messages import LANGUAGES, messages
from tests.auditor.reportgen import AS_OF, site_report

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x")'


@pytest.fixture(scope="module")
def rollup():
    docs = [site_report(i) for i in range(12)]
    hostile = docs[5]  # a relabel site: its claimed maker and model end up in several tables
    hostile["site"] = f"현장 {SCRIPT}"
    for device in hostile["devices"]:
        device["manufacturer"] = SCRIPT
        device["model"] = FORMULA
        if device["suspected_relabel"]:
            device["suspected_relabel"]["claimed"] = SCRIPT
    return build_rollup(docs, as_of=AS_OF)


def _render(rollup, name, lang="ko") -> bytes:
    out = BytesIO()
    FORMATS[name].render(rollup, out, lang)
    return out.getvalue()


def test_every_format_renders_in_every_language(rollup):
    assert set(FORMATS) == {"html", "xlsx", "json"}
    for name, fmt in FORMATS.items():
        assert fmt.name == name and fmt.extension == f".{name}"
        for lang in LANGUAGES:
            assert _render(rollup, name, lang)


def test_catalogs_have_the_same_keys():
    assert messages("ko").keys() == messages("en").keys()


def test_html_escapes_device_and_site_strings(rollup):
    page = _render(rollup, "html").decode()
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "base-uri 'none'" in page and "form-action 'none'" in page  # default-src covers neither
    assert "다수 현장 부품 국산화 종합 보고서" in page
    assert "목표 달성 현장: 4 / 12" in page  # sites 0, 3, 6, 9


def test_html_in_english(rollup):
    page = _render(rollup, "html", "en").decode()
    assert "Sites meeting the target: 4 / 12" in page
    assert "Suspected relabels" in page


def test_xlsx_neutralizes_formulas(rollup):
    raw = _render(rollup, "xlsx")
    wb = load_workbook(BytesIO(raw))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    hostile = [c for c in cells if c.value == FORMULA]
    assert hostile, "the device's formula string must appear exactly as sent"
    assert all(c.data_type == "s" and c.quotePrefix for c in hostile)
    assert not any(c.data_type == "f" for c in cells)
    with zipfile.ZipFile(BytesIO(raw)) as z:
        sheets = [z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in s or b"<f " in s for s in sheets)  # no formula anywhere in the file
    assert wb.worksheets[0].title == "현장별 현황"


def test_json_document_carries_the_figures(rollup):
    doc = json.loads(_render(rollup, "json"))
    assert doc["rollup_version"] == json_doc.ROLLUP_VERSION
    assert doc["site_count"] == 12 and doc["target_met"] == 4
    assert doc["as_of"] == AS_OF.isoformat()
    assert {p["part"] for p in doc["parts"]} == {"camera", "recorder_analytics", "terminal_server"}
    assert doc["relabels"][0]["likely_maker"] == "Dahua"


def test_write_rollup_writes_nothing_when_a_format_is_unknown(rollup, tmp_path):
    with pytest.raises(ValueError, match="pdf"):
        write_rollup(rollup, tmp_path / "out", ["html", "pdf"])
    assert not (tmp_path / "out").exists()
    written = write_rollup(rollup, tmp_path / "out", ["html", "json", "xlsx"], "en")
    assert sorted(p.name for p in written) == ["rollup.html", "rollup.json", "rollup.xlsx"]
    assert [p.name for p in (tmp_path / "out").iterdir() if p.name.startswith(".")] == []


def test_invisible_bidi_and_zero_width_characters_show_by_code_point():
    """A maker of "\\u202eisivnoikiH" drew as a reversed name and a zero-width space hid in a model; the
    rollup's HTML and XLSX show them as [U+XXXX], as the report does."""
    doc = site_report(5)
    for device in doc["devices"]:
        device["manufacturer"] = "\u202eisivnoikiH"
        device["model"] = "XNO-6080R\u200b"
    rollup = build_rollup([doc], as_of=AS_OF)
    page = _render(rollup, "html").decode()
    assert "[U+202E]isivnoikiH" in page and "XNO-6080R[U+200B]" in page
    assert "\u202e" not in page and "\u200b" not in page
    wb = load_workbook(BytesIO(_render(rollup, "xlsx")))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "[U+202E]isivnoikiH" in cells and "XNO-6080R[U+200B]" in cells
    assert not any("\u202e" in c or "\u200b" in c for c in cells)


def test_a_scan_s_date_is_its_day_in_korea():
    """A scan started at 08:30 KST on 2 November is 23:30 UTC on 1 November: the rollup printed the UTC
    date, a day before the one its report (and its certificate checks) use."""
    doc = site_report(0)
    doc["scan"]["started_at"] = "2026-11-01T23:30:00+00:00"
    page = _render(build_rollup([doc], as_of=AS_OF), "html").decode()
    assert "<td>2026-11-02</td>" in page and "2026-11-01" not in page


def test_as_of_defaults_to_today_in_korea(monkeypatch):
    """At 05:00 KST on 25 November it is still the 24th in UTC: the default as_of was the UTC day, so a
    certificate that ran out on the 24th (Korean time) was listed as expiring, with 0 days left."""
    from datetime import UTC, datetime

    from reports.rollup import model

    class At0500KST(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 11, 24, 20, 0, tzinfo=UTC).astimezone(tz)

    monkeypatch.setattr(model, "datetime", At0500KST)
    assert build_rollup([site_report(0)]).as_of.isoformat() == "2026-11-25"


def test_warnings_reach_the_workbook():
    """The rollup's warnings (a site's report left out, an unknown verdict) were shown by the HTML only:
    an auditor reading the XLSX counted sites without knowing one was missing."""
    docs = [site_report(i) for i in range(3)]
    docs[1]["verdict"] = "looks_fine"
    rollup = build_rollup(docs, as_of=AS_OF)
    assert rollup.warnings
    wb = load_workbook(BytesIO(_render(rollup, "xlsx")))
    first = wb.worksheets[0]
    assert first.title == messages("ko")("warnings")
    assert [c.value for c in first["A"]][1:] == [w.text("ko") for w in rollup.warnings]
    clean = load_workbook(BytesIO(_render(build_rollup([site_report(0)], as_of=AS_OF), "xlsx")))
    assert messages("ko")("warnings") not in clean.sheetnames


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_expiring_sheet_names_its_window_whole(lang):
    """Sheet names hold 31 characters: the English heading cut there named a 365-day window
    "Certificates expiring within 36"."""
    wb = load_workbook(BytesIO(_render(build_rollup([site_report(0)], as_of=AS_OF, expiring_days=365), "xlsx", lang)))
    assert all(len(name) <= 31 for name in wb.sheetnames)
    assert any("365" in name for name in wb.sheetnames), wb.sheetnames


def test_relabel_evidence_reads_in_the_rollup_s_language():
    """The scanner writes relabel evidence in English ("MAC OUI: …"); a report shows the labels in its
    language, the Korean rollup showed them in English. What the device said stays verbatim."""
    from reports.messages import messages as report_messages

    rollup = build_rollup([site_report(0)], as_of=AS_OF)
    [line] = rollup.relabels[0].evidence
    korean = report_messages("ko").fingerprint_line(line)
    assert korean != line and "Zhejiang Dahua Technology" in korean
    page = _render(rollup, "html", "ko").decode()
    assert korean in page and line not in page
    wb = load_workbook(BytesIO(_render(rollup, "xlsx", "ko")))
    assert korean in [c for row in wb[messages("ko")("relabels_heading")[:31]].iter_rows(values_only=True) for c in row]
    assert line in _render(rollup, "html", "en").decode()


@pytest.mark.parametrize(("lang", "note", "other"), [("ko", "전체 100,004자 중 32,767자", "characters"),
                                                     ("en", "32,767 of 100,004 characters", "전체")])
def test_the_note_on_a_cut_cell_is_in_the_rollup_s_language(lang, note, other):
    """A model longer than an Excel cell holds is cut with a note, which was English in a Korean rollup."""
    from reports.formats.xlsx import MAX_CELL_CHARS

    doc = site_report(0)
    doc["devices"][0]["model"] = "XNO-" + "6" * 100_000
    wb = load_workbook(BytesIO(_render(build_rollup([doc], as_of=AS_OF), "xlsx", lang)))
    [cut] = {c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row
             if isinstance(c, str) and len(c) == MAX_CELL_CHARS}
    assert note in cut and other not in cut[-80:]


def test_warnings_are_in_the_rollup_s_language():
    """The rollup's warnings were English sentences built by the model, the only English in a Korean rollup."""
    docs = [site_report(i) for i in range(3)]
    docs[1]["verdict"] = "looks_fine"
    docs[2]["devices"] = 5  # not the report's list: the site is left out
    rollup = build_rollup(docs, as_of=AS_OF)
    assert sorted(w.kind for w in rollup.warnings) == ["report_unreadable", "unknown_verdict"]
    korean = [w.text("ko") for w in rollup.warnings]
    english = [w.text("en") for w in rollup.warnings]
    assert any("제외" in k for k in korean) and any("'looks_fine'" in k and "1곳" in k for k in korean)
    assert not any(w in text for w in ("left out", "unknown verdict") for text in korean)
    page = _render(rollup, "html", "ko").decode()
    assert all(k.replace("'", "&#39;") in page for k in korean) and "left out" not in page
    wb = load_workbook(BytesIO(_render(rollup, "xlsx", "ko")))
    assert [c.value for c in wb.worksheets[0]["A"]][1:] == korean
    assert json.loads(_render(rollup, "json", "ko"))["warnings"] == korean
    assert json.loads(_render(rollup, "json", "en"))["warnings"] == english
    assert "left out" in _render(rollup, "html", "en").decode()
