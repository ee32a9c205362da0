"""Korean and English text of the report, from reports/i18n/{ko,en}.yaml.

No words live in templates or renderer code: a template asks `t("verdict_target_met")`, a renderer
asks `t.label("part", "camera")`. A key missing from a catalog raises (a test checks both catalogs
have the same keys, and that every finding kind, verdict and status has text), so a missing text
is caught in tests rather than shown to an agency as a bare id.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from .model import Evidence, Finding

LANGUAGES = ("ko", "en")
_DIR = Path(__file__).resolve().parent / "i18n"

__all__ = ["LANGUAGES", "Messages", "messages"]


class _Default(dict):
    """Leaves a placeholder the finding did not supply visible instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Messages:
    def __init__(self, lang: str, table: dict[str, str]):
        self.lang = lang
        self._table = table

    def __call__(self, key: str, **values: object) -> str:
        try:
            text = self._table[key]
        except KeyError:
            raise KeyError(f"message {key!r} is missing from reports/i18n/{self.lang}.yaml") from None
        return text.format_map(_Default(values)) if values else text

    def label(self, prefix: str, value: str | None) -> str:
        """The text of an id ('status', 'ok'); an id with no text (e.g. a new role) shows as itself."""
        if value is None:
            return self._table.get(f"{prefix}_none", "")
        return self._table.get(f"{prefix}_{value}", value)

    def finding(self, finding: Finding) -> str:
        """A finding's sentence; `params["variant"]` picks a more specific text (finding_<kind>_<variant>)."""
        variant = finding.params.get("variant")
        key = f"finding_{finding.kind}_{variant}" if variant else f"finding_{finding.kind}"
        return self(key, **self._worded(finding.params))

    def evidence(self, line: Evidence) -> str:
        if line.key == "text":
            return line.params["text"]
        return self(f"evidence_{line.key}", **self._worded(line.params))

    def _worded(self, params: dict[str, str]) -> dict[str, str]:
        """Ids inside a sentence (a certificate type, a role, a match level) read as words."""
        out = dict(params)
        for name, prefix in (("certificate_type", "certificate"), ("role", "role"), ("level", "level")):
            if name in out:
                out[name] = self.label(prefix, out[name])
        return out

    def has(self, key: str) -> bool:
        return key in self._table

    def keys(self) -> set[str]:
        return set(self._table)


@lru_cache(maxsize=4)
def messages(lang: str) -> Messages:
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} is not one of {', '.join(LANGUAGES)}")
    table = yaml.safe_load((_DIR / f"{lang}.yaml").read_text(encoding="utf-8"))
    return Messages(lang, {str(k): str(v) for k, v in table.items()})
