"""One module per rollup format, one registry: the CLI's `rollup --format` choices come from FORMATS."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from ..model import Rollup
from . import html, json_doc, xlsx


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    render: Callable[[Rollup, BinaryIO, str], None]  # (rollup, out, lang)


FORMATS: dict[str, Format] = {
    "html": Format("html", ".html", html.render),
    "xlsx": Format("xlsx", ".xlsx", xlsx.render),
    "json": Format("json", ".json", json_doc.render),
}

__all__ = ["FORMATS", "Format"]
