"""Model-name normalization and registry model patterns (maker names: scanner.vendors.normalize_maker,
the one rule shared with the scanner).

A model key folds what vendors and typists vary without meaning anything: width (ＸＮＯ), case, hyphen
and dash variants (‐ ‑ – — − －), underscores, spaces and dots between the parts. So XNO-6080R,
XNO‐6080R, xno_6080r, "XNO 6080R" and ＸＮＯ－６０８０Ｒ share the key "xno6080r". Nothing else is
folded: XNO-6080R and XNO-6080RH stay different models (that is a `candidate` at most).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from scanner.vendors import normalize_text

_SEPARATORS = re.compile(r"[\s\-_./]+")


# ASCII needs no width folding: deleting separators and lower-casing is the whole rule there, and it is
# the common case by far (matching 100,000 registry models must stay well under a second).
_ASCII_SEPARATORS = str.maketrans("", "", " \t\r\n\f\v-_./")


def model_key(model: str | None) -> str:
    if not model:
        return ""
    if model.isascii():
        return model.translate(_ASCII_SEPARATORS).lower()
    return _SEPARATORS.sub("", normalize_text(model))


def is_pattern(model: str | None) -> bool:
    folded = unicodedata.normalize("NFKC", model or "")
    return "*" in folded or "?" in folded


@lru_cache(maxsize=65536)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """A registry model glob (`XNO-6080R*`, `TN-?220*`) over model keys: '*' any run, '?' one character."""
    parts = re.split(r"([*?])", unicodedata.normalize("NFKC", pattern))
    regex = "".join(".*" if p == "*" else "." if p == "?" else re.escape(model_key(p)) for p in parts)
    return re.compile(rf"^{regex}$")


def pattern_prefix(pattern: str) -> str:
    """The literal start of a pattern's key (`XNO-6080R*` -> 'xno6080r'), for indexing."""
    return model_key(re.split(r"[*?]", unicodedata.normalize("NFKC", pattern), maxsplit=1)[0])


def firmware_key(firmware: str | None) -> str:
    return normalize_text(firmware) if firmware else ""
