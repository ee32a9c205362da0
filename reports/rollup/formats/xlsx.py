"""The rollup as an XLSX workbook for agencies: one sheet per table, headers in the chosen language.

Every text cell that starts with = + - @ or a tab/CR is prefixed with ' so a device string such as
=HYPERLINK(...) stays text in Excel (formula injection); openpyxl would otherwise store it as a formula.
"""

from __future__ import annotations

from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Font

from ..messages import Messages, messages
from ..model import Rollup

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_DANGEROUS_START):
        return "'" + value
    return value


def _sheet(wb: Workbook, title: str, headers: list[str], rows: list[list[Any]]) -> None:
    ws = wb.create_sheet(title=title[:31])
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([neutralize(v) for v in row])
    ws.freeze_panes = "A2"
    for column, header in zip(ws.columns, headers, strict=False):
        width = max([len(str(header))] + [len(str(c.value or "")) for c in column[:200]])
        ws.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)


def render(rollup: Rollup, out: BinaryIO, lang: str = "ko") -> None:
    t: Messages = messages(lang)
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
            ]
            for s in rollup.sites
        ],
    )
    _sheet(
        wb,
        t("parts_heading"),
        [t("part"), t("localized_sites"), t("partly_sites"), t("not_localized_count"), t("no_devices_count")],
        [
            [t.label("part", p.part), len(p.localized), len(p.partly_covered), p.not_localized, p.no_devices]
            for p in rollup.parts
        ],
    )
    _sheet(
        wb,
        t("makers_heading"),
        [t("maker"), t("device_count"), t("site_count")],
        [[m.maker, m.devices, m.sites] for m in rollup.makers],
    )
    _sheet(
        wb,
        t("models_heading"),
        [t("maker"), t("model"), t("device_count"), t("site_count")],
        [[m.maker, m.model, m.devices, m.sites] for m in rollup.models],
    )
    _sheet(
        wb,
        t("relabels_heading"),
        [t("site"), t("address"), t("claimed"), t("model"), t("likely_maker"), t("evidence")],
        [
            [r.site, r.address, r.claimed, r.model, r.likely_maker, "; ".join(r.evidence)]
            for r in rollup.relabels
        ],
    )
    _sheet(
        wb,
        t("expiring_heading", days=rollup.expiring_days),
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
    )
    wb.save(out)
