"""The JSON report: report_to_dict in the one form report.json is written in
(reports.integrity.report_file_bytes: sorted keys, two-space indent, final newline; `verify` refuses any
other bytes). The document is language-neutral (`lang` is accepted for the common signature and ignored)
so its evidence_sha256 is one value per report."""

from __future__ import annotations

from typing import BinaryIO

from ..integrity import report_file_bytes
from ..model import Report, report_to_dict


def render_bytes(report: Report) -> bytes:
    return report_file_bytes(report_to_dict(report))


def render(report: Report, out: BinaryIO, lang: str = "ko") -> None:
    out.write(render_bytes(report))
