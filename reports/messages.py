"""Korean and English text of the report, from reports/i18n/{ko,en}.yaml.

No words live in templates or renderer code: a template asks `t("verdict_target_met")`, a renderer
asks `t.label("part", "camera")`. A key missing from a catalog raises (a test checks both catalogs
have the same keys, and that every finding kind, verdict and status has text), so a missing text
is caught in tests rather than shown to an agency as a bare id.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from scanner.fingerprint import EVIDENCE_LABELS, SHAPE_MATCH

if TYPE_CHECKING:
    from .model import Evidence, Finding

LANGUAGES = ("ko", "en")
_DIR = Path(__file__).resolve().parent / "i18n"
_FIELD_OF_LABEL = {label: name for name, label in EVIDENCE_LABELS.items()}
_SHAPE = re.compile(re.escape(SHAPE_MATCH).replace(r"\{value\}", "(?P<value>.*)").replace(r"\{maker\}", "(?P<maker>.+)"))

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
            return self.fingerprint_line(line.params["text"])
        return self(f"evidence_{line.key}", **self._worded(line.params))

    def fingerprint_line(self, line: str) -> str:
        """A relabel evidence line with its label in this language; what the device said stays verbatim.
        Any other line is returned as it is."""
        label, sep, said = line.partition(": ")
        field = _FIELD_OF_LABEL.get(label) if sep else None
        if field is None:
            return line
        shape = _SHAPE.fullmatch(said)
        if shape:
            said = self("relabel_shape_match", value=shape["value"], maker=shape["maker"])
        return f"{self(f'relabel_label_{field}')}: {said}"

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
