"""The rollup as an XLSX workbook for agencies: one sheet per table, headers in the chosen language.

Device strings (makers, models, relabel evidence) are hostile: every text cell is written by the
report's own XLSX guard (reports/formats/xlsx.append_text_row), a string cell that is never a formula and
reads exactly what the device sent.
"""

from __future__ import annotations

from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Font

from ...formats.xlsx import append_text_row
from ...messages import messages as report_messages
from ..messages import Messages, messages
from ..model import Rollup


def _sheet(wb: Workbook, title: str, headers: list[str], rows: list[list[Any]], lang: str) -> None:
    ws = wb.create_sheet(title=title[:31])
    append_text_row(ws, headers, lang)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_text_row(ws, row, lang)  # lang: the note on a cell cut at Excel's limit
    ws.freeze_panes = "A2"
    for column, header in zip(ws.columns, headers, strict=False):
        width = max([len(str(header))] + [len(str(c.value or "")) for c in column[:200]])
        ws.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)


def render(rollup: Rollup, out: BinaryIO, lang: str = "ko") -> None:
    t: Messages = messages(lang)
    fingerprint_line = report_messages(lang).fingerprint_line  # the scanner's English labels, in `lang`
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(
        wb,
        t("sites_heading"),
        [
            t("site"),
            t("scan_date"),
            t("policy"),
            t("verdict"),
            *(t.label("part", p.part) for p in rollup.parts),
            t("devices"),
            t("open_findings"),
            t("report_sha256"),
            t("report_site"),
        ],
        [
            [
                s.site,
                s.scanned_at,
                s.policy_id,
                t.label("verdict", s.verdict),
                *(
                    (t.label("status", part.status) if (part := s.part(p.part)) else t("status_no_devices"))
                    for p in rollup.parts
                ),
                s.device_count,
                s.open_findings,
                s.report_sha256,
                s.report_site if s.report_site_differs else "",  # after rename-site: the name it was signed under
            ]
            for s in rollup.sites
        ],
        lang,
    )
    _sheet(
        wb,
        t("parts_heading"),
        [t("part"), t("localized_sites"), t("partly_sites"), t("not_localized_count"), t("no_devices_count")],
        [
            [t.label("part", p.part), len(p.localized), len(p.partly_covered), p.not_localized, p.no_devices]
            for p in rollup.parts
        ],
        lang,
    )
    _sheet(
        wb,
        t("makers_heading"),
        [t("maker"), t("device_count"), t("site_count")],
        [[m.maker, m.devices, m.sites] for m in rollup.makers],
        lang,
    )
    _sheet(
        wb,
        t("models_heading"),
        [t("maker"), t("model"), t("device_count"), t("site_count")],
        [[m.maker, m.model, m.devices, m.sites] for m in rollup.models],
        lang,
    )
    _sheet(
        wb,
        t("relabels_heading"),
        [t("site"), t("address"), t("claimed"), t("model"), t("likely_maker"), t("evidence")],
        [
            [r.site, r.address, r.claimed, r.model, r.likely_maker, "; ".join(map(fingerprint_line, r.evidence))]
            for r in rollup.relabels
        ],
        lang,
    )
    _sheet(
        wb,
        # a sheet name holds 31 characters: the heading cut there read "…within 36" for 365 days
        t("expiring_sheet", days=rollup.expiring_days),
        [
            t("site"),
            t("address"),
            t("maker"),
            t("model"),
            t("certificate_type"),
            t("certificate_no"),
            t("valid_to"),
            t("days_left"),
        ],
        [
            [
                e.site,
                e.address,
                e.manufacturer,
                e.model,
                t.label("cert", e.certificate_type),
                e.certificate_no,
                e.valid_to,
                e.days_left,
            ]
            for e in rollup.expiring
        ],
        lang,
    )
    if rollup.warnings:  # the HTML shows them above everything; a workbook reader must see them too
        _sheet(wb, t("warnings"), [t("warnings")], [[w.text(lang)] for w in rollup.warnings], lang)
        wb.move_sheet(t("warnings")[:31], offset=-(len(wb.sheetnames) - 1))
    wb.save(out)
