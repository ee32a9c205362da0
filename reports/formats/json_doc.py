"""The JSON report: report_to_dict, pretty-printed. The document is language-neutral (`lang` is
accepted for the common signature and ignored) so its evidence_sha256 is one value per report."""

from __future__ import annotations

import json
from typing import BinaryIO

from ..model import Report, report_to_dict


def render_bytes(report: Report) -> bytes:
    return (json.dumps(report_to_dict(report), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def render(report: Report, out: BinaryIO, lang: str = "ko") -> None:
    out.write(render_bytes(report))
