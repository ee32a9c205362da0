"""config/registry_columns.yaml: header aliases, certificate-type and part spellings, as lookups."""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .errors import ColumnsConfigError
from .model import CERTIFICATE_TYPES


def _shipped(name: str) -> Path:
    """config/ beside the packages in a checkout, else the copy pyproject's data-files installs."""
    source = Path(__file__).resolve().parents[1] / "config" / name
    installed = Path(sys.prefix) / "share" / "cctv-inventory" / "config" / name
    return source if source.exists() or not installed.exists() else installed


DEFAULT_COLUMNS_FILE = _shipped("registry_columns.yaml")
PART_IDS = ("camera", "recorder_analytics", "terminal_server")


def fold_label(text: object) -> str:
    """A header or value label folded for lookup: width, case, spaces, '_', '-', '.', '·' and '/' ignored."""
    value = unicodedata.normalize("NFKC", str(text)).casefold()
    return re.sub(r"[\s_\-.·/‐‑–—]+", "", value)


@dataclass(frozen=True)
class ColumnTable:
    headers: dict[str, str]  # folded header -> canonical field
    certificate_types: dict[str, str]  # folded spelling -> certificate type id
    parts: dict[str, str]  # folded spelling -> part id
    required: dict[str, tuple[str, ...]]  # "registry" | "declared" -> fields
    aliases: dict[str, tuple[str, ...]]  # canonical field -> spellings, for messages

    def field_of(self, header: object) -> str | None:
        if header is None:
            return None
        return self.headers.get(fold_label(header))

    def certificate_type_of(self, text: str) -> str | None:
        return self.certificate_types.get(fold_label(text))

    def part_of(self, text: str) -> str | None:
        return self.parts.get(fold_label(text))


def _lookup(
    raw: object, key: str, allowed: tuple[str, ...] | None
) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    if not isinstance(raw, dict):
        raise ColumnsConfigError(f"registry_columns.yaml: '{key}' must be a mapping")
    table: dict[str, str] = {}
    spellings: dict[str, tuple[str, ...]] = {}
    for canonical, names in raw.items():
        if allowed is not None and canonical not in allowed:
            raise ColumnsConfigError(
                f"registry_columns.yaml: {key}.{canonical} is not one of {', '.join(allowed)}"
            )
        if not isinstance(names, list):
            raise ColumnsConfigError(f"registry_columns.yaml: {key}.{canonical} must be a list")
        spellings[canonical] = tuple(str(n) for n in names)
        for name in (canonical, *names):
            folded = fold_label(name)
            if table.get(folded, canonical) != canonical:
                raise ColumnsConfigError(
                    f"registry_columns.yaml: {name!r} is listed under both {table[folded]} and {canonical} in {key}"
                )
            table[folded] = canonical
    return table, spellings


@lru_cache(maxsize=4)
def load_columns(path: Path = DEFAULT_COLUMNS_FILE) -> ColumnTable:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ColumnsConfigError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise ColumnsConfigError(f"{path}: expected a mapping")
    headers, aliases = _lookup(data.get("headers"), "headers", None)
    cert_types, _ = _lookup(data.get("certificate_types"), "certificate_types", CERTIFICATE_TYPES)
    parts, _ = _lookup(data.get("parts"), "parts", PART_IDS)
    required = {k: tuple(v) for k, v in (data.get("required") or {}).items()}
    return ColumnTable(headers, cert_types, parts, required, aliases)
