"""Korean and English text of the rollup, from reports/rollup/i18n/*.yaml (no text in templates or code)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

LANGUAGES = ("ko", "en")
_DIR = Path(__file__).resolve().parent / "i18n"


class Messages:
    def __init__(self, lang: str, table: dict[str, str]):
        self.lang = lang
        self._table = table

    def __call__(self, key: str, **values: object) -> str:
        text = self._table.get(key)
        if text is None:
            return key  # an id with no text yet (a new part or verdict) shows as itself, never crashes
        return text.format(**values) if values else text

    def label(self, prefix: str, value: str) -> str:
        """'part', 'camera' -> the part's name; unknown ids show as given."""
        return self._table.get(f"{prefix}_{value}", value)

    def keys(self) -> set[str]:
        return set(self._table)


@lru_cache(maxsize=4)
def messages(lang: str) -> Messages:
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} is not one of {', '.join(LANGUAGES)}")
    table = yaml.safe_load((_DIR / f"{lang}.yaml").read_text(encoding="utf-8"))
    return Messages(lang, {str(k): str(v) for k, v in table.items()})
