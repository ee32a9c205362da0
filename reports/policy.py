"""A localization policy as data (config/policies/*.yaml), validated on load.

Rules change by year and program (DESIGN §2), so nothing about the 2024 pilot lives in code: the
policy file names the parts, the roles mapped to them, the certificate types that count as evidence,
how much of a part must be covered, how many parts must be localized, and the period in force.
Every ambiguity is a setting with a stated default (see the header of the shipped policy file and
docs/reports.md). A bad file raises PolicyError whose message starts with the key path at fault,
e.g. `parts[1].roles[0]: 'nvrr' is not a device role (...)`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from inventory.model import CERTIFICATE_TYPES
from scanner.model import ROLES

PART_IDS = ("camera", "recorder_analytics", "terminal_server")
COVERAGE_MODES = ("all", "share")
LANGS = ("ko", "en")

__all__ = ["Coverage", "Part", "Policy", "PolicyError", "load_policy", "policy_dir", "policy_from_dict"]


class PolicyError(ValueError):
    """A policy that cannot be used; the message names the file and the key path."""


@dataclass(frozen=True)
class Part:
    id: str
    name: dict[str, str]  # lang -> name
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Coverage:
    mode: str  # "all" | "share"
    min_share: float  # 1.0 for mode "all"

    def is_met(self, covered: int, devices: int) -> bool:
        """Whether `covered` of `devices` localizes a part. A part with no devices is never localized."""
        if devices <= 0 or covered <= 0:
            return False
        if self.mode == "all":
            return covered >= devices
        return covered / devices >= self.min_share


@dataclass(frozen=True)
class Policy:
    id: str
    title: dict[str, str]
    source: str
    item_no: str | None
    product_name: dict[str, str]
    period_from: date
    period_to: date | None
    parts: tuple[Part, ...]
    evidence: tuple[str, ...]
    listed_certificates: tuple[str, ...]
    coverage: Coverage
    min_localized_parts: int
    mandatory: bool
    count_maker_level: bool
    relabel_counts: bool

    def part_of_role(self, role: str) -> str | None:
        for part in self.parts:
            if role in part.roles:
                return part.id
        return None

    def in_period(self, day: date) -> bool:
        return day >= self.period_from and (self.period_to is None or day <= self.period_to)


# --- validation ------------------------------------------------------------------------

_TOP_KEYS = {
    "id",
    "title",
    "source",
    "product",
    "period",
    "parts",
    "evidence",
    "listed_certificates",
    "coverage",
    "min_localized_parts",
    "mandatory",
    "count_maker_level",
    "relabel_counts",
}
_REQUIRED = ("id", "title", "period", "parts")


def _fail(path: str, problem: str) -> PolicyError:
    return PolicyError(f"{path}: {problem}")


def _mapping(value: Any, path: str, allowed: set[str], required: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(path or "(document)", f"expected a mapping, got {type(value).__name__}")
    prefix = f"{path}." if path else ""
    for key in value:
        if key not in allowed:
            raise _fail(f"{prefix}{key}", f"unknown key (allowed: {', '.join(sorted(allowed))})")
    for key in required:
        if key not in value:
            raise _fail(f"{prefix}{key}", "missing required key")
    return value


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, f"expected non-empty text, got {value!r}")
    return value


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(path, f"expected true or false, got {value!r}")
    return value


def _date(value: Any, path: str, *, nullable: bool = False) -> date | None:
    if value is None and nullable:
        return None
    if isinstance(value, date):  # YAML reads 2024-03-01 as a date already
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _fail(path, f"expected a date YYYY-MM-DD, got {value!r}")


def _names(value: Any, path: str) -> dict[str, str]:
    raw = _mapping(value, path, set(LANGS), LANGS)
    return {lang: _text(raw[lang], f"{path}.{lang}") for lang in LANGS}


def _cert_types(value: Any, path: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise _fail(path, f"expected a list of certificate types, got {type(value).__name__}")
    for i, item in enumerate(value):
        if item not in CERTIFICATE_TYPES:
            raise _fail(f"{path}[{i}]", f"{item!r} is not a certificate type ({', '.join(CERTIFICATE_TYPES)})")
    return tuple(value)


def _parts(value: Any) -> tuple[Part, ...]:
    if not isinstance(value, list) or not value:
        raise _fail("parts", "expected a non-empty list of parts")
    parts: list[Part] = []
    owner: dict[str, str] = {}
    for i, raw in enumerate(value):
        path = f"parts[{i}]"
        raw = _mapping(raw, path, {"id", "name", "roles"}, ("id", "name", "roles"))
        part_id = raw["id"]
        if part_id not in PART_IDS:
            raise _fail(f"{path}.id", f"{part_id!r} is not a part id ({', '.join(PART_IDS)})")
        if part_id in (p.id for p in parts):
            raise _fail(f"{path}.id", f"part {part_id!r} is listed twice")
        roles = raw["roles"]
        if not isinstance(roles, list) or not roles:
            raise _fail(f"{path}.roles", "expected a non-empty list of device roles")
        for j, role in enumerate(roles):
            if role not in ROLES or role == "unknown":
                known = ", ".join(r for r in ROLES if r != "unknown")
                raise _fail(f"{path}.roles[{j}]", f"{role!r} is not a device role ({known})")
            if role in owner:
                raise _fail(f"{path}.roles[{j}]", f"role {role!r} already belongs to part {owner[role]!r}")
            owner[role] = part_id
        parts.append(Part(id=part_id, name=_names(raw["name"], f"{path}.name"), roles=tuple(roles)))
    return tuple(parts)


def _coverage(value: Any) -> Coverage:
    raw = _mapping(value, "coverage", {"mode", "min_share"}, ("mode",))
    mode = raw["mode"]
    if mode not in COVERAGE_MODES:
        raise _fail("coverage.mode", f"{mode!r} is not one of {', '.join(COVERAGE_MODES)}")
    if mode == "all":
        if "min_share" in raw:
            raise _fail("coverage.min_share", "only allowed with mode: share")
        return Coverage("all", 1.0)
    if "min_share" not in raw:
        raise _fail("coverage.min_share", "missing required key (mode: share)")
    share = raw["min_share"]
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
        raise _fail("coverage.min_share", f"expected a number in (0, 1], got {share!r}")
    return Coverage("share", float(share))


def policy_from_dict(data: Any) -> Policy:
    """Validate a parsed policy document; PolicyError names the first key at fault."""
    raw = _mapping(data, "", _TOP_KEYS, _REQUIRED)
    period = _mapping(raw["period"], "period", {"from", "to"}, ("from",))
    period_from = _date(period["from"], "period.from")
    period_to = _date(period.get("to"), "period.to", nullable=True)
    assert period_from is not None
    if period_to is not None and period_to < period_from:
        raise _fail("period.to", f"{period_to} is before period.from {period_from}")
    product = _mapping(raw.get("product", {}), "product", {"item_no", "name"})
    item_no = product.get("item_no")
    if item_no is not None and not isinstance(item_no, str):
        raise _fail("product.item_no", f"expected text (quote it: \"{item_no}\"), got {item_no!r}")
    parts = _parts(raw["parts"])
    evidence = _cert_types(raw.get("evidence", ["domestic_origin"]), "evidence")
    if not evidence:
        raise _fail("evidence", "at least one certificate type must count as evidence")
    default_listed = [c for c in CERTIFICATE_TYPES if c not in evidence]
    listed = _cert_types(raw.get("listed_certificates", default_listed), "listed_certificates")
    min_parts = raw.get("min_localized_parts", 1)
    if isinstance(min_parts, bool) or not isinstance(min_parts, int) or not 1 <= min_parts <= len(parts):
        raise _fail("min_localized_parts", f"expected a whole number from 1 to {len(parts)}, got {min_parts!r}")
    return Policy(
        id=_text(raw["id"], "id"),
        title=_names(raw["title"], "title"),
        source=_text(raw["source"], "source") if "source" in raw else "",
        item_no=item_no,
        product_name=_names(product["name"], "product.name") if "name" in product else {"ko": "", "en": ""},
        period_from=period_from,
        period_to=period_to,
        parts=parts,
        evidence=evidence,
        listed_certificates=listed,
        coverage=_coverage(raw.get("coverage", {"mode": "all"})),
        min_localized_parts=min_parts,
        mandatory=_bool(raw.get("mandatory", False), "mandatory"),
        count_maker_level=_bool(raw.get("count_maker_level", True), "count_maker_level"),
        relabel_counts=_bool(raw.get("relabel_counts", False), "relabel_counts"),
    )


def policy_dir() -> Path:
    """config/policies beside the packages (checkout, editable install), else the installed data files."""
    source = Path(__file__).resolve().parents[1] / "config" / "policies"
    if source.is_dir():
        return source
    return Path(sys.prefix) / "share" / "cctv-inventory" / "config" / "policies"


def load_policy(name_or_path: str) -> Policy:
    """A shipped policy by name (file stem in config/policies/), or a policy file by path."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        path = candidate
    else:
        path = policy_dir() / f"{name_or_path}.yaml"
        if not path.is_file():
            known = sorted(p.stem for p in policy_dir().glob("*.yaml"))
            raise PolicyError(f"no policy named {name_or_path!r} (shipped: {', '.join(known) or 'none'})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyError(f"{path}: no such policy file") from None
    except yaml.MarkedYAMLError as exc:  # one line: PyYAML's own message spans five, with a caret drawing
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise PolicyError(f"{path}: cannot read the policy: not valid YAML{where} ({exc.problem})") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PolicyError(f"{path}: cannot read the policy ({exc})") from None
    try:
        return policy_from_dict(data)
    except PolicyError as exc:
        raise PolicyError(f"{path}: {exc}") from None
