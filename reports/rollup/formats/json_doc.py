"""The rollup as a JSON document (`rollup_version` 1): what the HTML and XLSX show, as data."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from typing import Any, BinaryIO

from ..model import Rollup

ROLLUP_VERSION = 1


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def rollup_to_dict(rollup: Rollup, lang: str = "ko") -> dict[str, Any]:
    doc = _plain(asdict(rollup))
    doc["warnings"] = [w.text(lang) for w in rollup.warnings]  # sentences in the rollup's language
    return {
        "rollup_version": ROLLUP_VERSION,
        "site_count": rollup.site_count,
        "device_count": rollup.device_count,
        "target_met": rollup.target_met,
        **doc,
    }


def render(rollup: Rollup, out: BinaryIO, lang: str = "ko") -> None:
    out.write(json.dumps(rollup_to_dict(rollup, lang), ensure_ascii=False, indent=2).encode("utf-8"))
