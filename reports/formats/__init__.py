"""One module per report format, one registry: the CLI's `--format` choices come from FORMATS.

Adding a format is one module with `render(report, out, lang)` plus one line here; a test walks
FORMATS and renders each one, so a format that is registered but broken fails the suite.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from ..model import Report
from . import csv_table, html, json_doc, xlsx


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    media_type: str
    render: Callable[[Report, BinaryIO, str], None]  # (report, out, lang); writes bytes to out


FORMATS: dict[str, Format] = {
    "html": Format("html", ".html", "text/html; charset=utf-8", html.render),
    "json": Format("json", ".json", "application/json", json_doc.render),
    "csv": Format("csv", ".csv", "text/csv; charset=utf-8", csv_table.render),
    "xlsx": Format("xlsx", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx.render),
}

__all__ = ["FORMATS", "Format"]
