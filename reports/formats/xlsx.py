"""The report as an XLSX workbook (openpyxl): a summary sheet (verdict, policy, SHA-256), then the
parts, findings and device tables, headers in the report language.

Device strings are hostile (DESIGN §7). Every text cell is written as a string cell (`t="inlineStr"`,
never a formula, whatever it starts with) and the ones a spreadsheet would read as a formula when
retyped (`= + - @`, tab, CR, LF, also after white space or full-width: table.looks_like_formula) also get the quotePrefix style, so Excel and LibreOffice show the text
exactly as the device sent it and never evaluate it. No apostrophe is added to the text (that is the
CSV guard, table.neutralize). Characters XLSX cannot hold (controls, U+FFFE, U+FFFF) are replaced with
U+FFFD, and text beyond Excel's 32,767 characters a cell is cut with a note (a hostile device string
must not make the workbook unwritable, or damaged in Excel).
"""

from __future__ import annotations

import re
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..messages import Messages, messages
from ..model import Report, report_to_dict
from .table import DEVICE_COLUMNS, device_cells, looks_like_formula, reveal_invisible, shown_share

_HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
_BOLD = Font(bold=True)


# What XML 1.0 cannot hold: the C0 controls but tab, LF and CR, lone surrogates, and U+FFFE / U+FFFF.
# openpyxl's own ILLEGAL_CHARACTERS_RE stops at the controls; a U+FFFF in an HTTP Server header (a
# fingerprint, kept as the device sent it) made the workbook unwritable and, with it, the whole report set.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel holds at most 32,767 characters in a cell and calls a workbook with a longer one damaged (it
# offers a "repair" that drops content); a device answers GetDeviceInformation with up to 1 MB.
MAX_CELL_CHARS = 32_767


def safe_cell(value: Any, lang: str) -> Any:
    """The value as XLSX can store it: text keeps every character it can hold, others become U+FFFD,
    invisible bidi / zero-width characters show as [U+XXXX] (table.reveal_invisible);
    text longer than a cell holds is cut, and says so in the workbook's language (the JSON keeps all of it)."""
    if isinstance(value, str):
        value = _NOT_XML.sub("\ufffd", reveal_invisible(value))
        if len(value) > MAX_CELL_CHARS:
            marker = messages(lang)("xlsx_cell_cut", kept=MAX_CELL_CHARS, total=len(value))
            value = value[: MAX_CELL_CHARS - len(marker)] + marker
    return value


def _as_text(ws) -> None:  # type: ignore[no-untyped-def]
    """Make every text cell of the row just appended a string cell, never a formula.

    openpyxl turns a str starting with `=` into a formula cell on assignment; setting the data type
    back to "s" writes it as an inline string. quotePrefix keeps a spreadsheet from reading it as a
    formula even when someone edits the cell and presses Enter.
    """
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if looks_like_formula(cell.value):
                cell.quotePrefix = True


def append_text_row(ws, values: list[Any], lang: str) -> None:  # type: ignore[no-untyped-def]
    """Append a row whose text cells are string cells, never formulas (the one XLSX guard; rollup uses it too).
    `lang` words the note on a cell cut at Excel's limit."""
    ws.append([safe_cell(v, lang) for v in values])
    _as_text(ws)


def _table(ws, header: list[str], rows: list[list[Any]], lang: str, widths: list[int] | None = None) -> None:
    append_text_row(ws, header, lang)
    for cell in ws[ws.max_row]:
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
    for row in rows:
        append_text_row(ws, row, lang)
    for i, _ in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = (widths[i - 1] if widths else 18)
    ws.freeze_panes = ws.cell(row=ws.max_row - len(rows) + 1, column=1) if rows else None


def _part_name(report: Report, t: Messages, part: str) -> str:
    return report.policy.part_names.get(part, {}).get(t.lang) or t.label("part", part)


def render(report: Report, out: BinaryIO, lang: str = "ko") -> None:
    t = messages(lang)
    doc = report_to_dict(report)
    sha256 = doc["evidence_sha256"]
    p = report.policy
    wb = Workbook()

    summary = wb.active
    summary.title = t("section_verdict")
    reason = t(f"verdict_reason_{report.verdict_reason}", as_read=report.localized_parts, parts=len(report.parts),
               required=p.min_localized_parts, best=report.best_case_localized, worst=report.worst_case_localized)
    for key, value in [
        (t("report_title"), p.title.get(lang, p.id)),
        (t("site"), report.site),
        (t("section_verdict"), t.label("verdict", report.verdict)),
        ("", reason),
        (t("policy"), p.id),
        (t("policy_period"), f"{p.period_from} ~ {p.period_to or ''}"),
        (t("scan_id"), report.scan.id),
        (t("scan_started"), report.scan.started_at.isoformat()),
        (t("generated_at"), report.generated_at.isoformat()),
        (t("col_evidence_sha256"), sha256),
    ]:
        append_text_row(summary, [key, value], lang)
        summary.cell(row=summary.max_row, column=1).font = _BOLD
    summary.column_dimensions["A"].width = 22
    summary.column_dimensions["B"].width = 80

    parts = wb.create_sheet(t("csv_sheet_parts"))
    _table(
        parts,
        [t("col_part"), t("col_devices"), t("col_covered"), t("col_unread"), t("col_share"), t("col_status")],
        [[_part_name(report, t, r.part), r.devices, r.covered, r.unread, shown_share(r.covered, r.devices, 1),
          t.label("part_status", r.status)]
         for r in report.parts],
        lang,
        [32, 10, 10, 10, 10, 16],
    )
    for row in parts.iter_rows(min_row=2, min_col=5, max_col=5):
        for cell in row:
            cell.number_format = "0.0%"

    findings = wb.create_sheet(t("csv_sheet_findings"))
    _table(
        findings,
        [t("col_severity"), t("col_kind"), t("col_device"), t("col_message"), t("col_evidence")],
        [[t.label("severity", f.severity), t.label("kind", f.kind), f.device or "", t.finding(f), "\n".join(t.evidence(e) for e in f.evidence)]
         for f in report.findings],
        lang,
        [10, 24, 16, 70, 60],
    )
    for row in findings.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    devices = wb.create_sheet(t("csv_sheet_devices"))
    _table(devices, [t(c) for c in DEVICE_COLUMNS],
           [device_cells(t, report, d, sha256) for d in report.devices], lang)

    wb.properties.title = t("report_title")
    wb.properties.subject = safe_cell(report.site, lang)
    wb.properties.description = f"evidence_sha256={sha256}"
    # Fixed timestamps: the workbook's own metadata should not make two renders of one report differ.
    wb.properties.created = wb.properties.modified = report.generated_at.replace(tzinfo=None)
    wb.save(out)
