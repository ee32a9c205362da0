"""Vendor families from config/vendors.yaml, and the one rule for normalizing a maker's name.

The scanner uses this to say which maker a fingerprint points to; the inventory
uses the same `normalize_maker` and `VendorCatalog.family_of_name` to match
registry makers, so a spelling is judged the same way on both sides.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml


def _default_vendors_file() -> Path:
    # config/ beside the packages in a checkout; the copy installed under sys.prefix otherwise
    source = Path(__file__).resolve().parents[1] / "config" / "vendors.yaml"
    installed = Path(sys.prefix) / "share" / "cctv-inventory" / "config" / "vendors.yaml"
    return source if source.is_file() or not installed.is_file() else installed


DEFAULT_VENDORS_FILE = _default_vendors_file()

# Legal-form words, Korean and English, that say nothing about who the maker is.
# Korean forms attach to the name without a space (주식회사아이디스, 아이디스㈜); English ones
# are whole words only, so "Incorporated", "Corpus", "Vincent" and "Unlimited" keep their letters.
# Longer forms first so "Co., Ltd." is removed whole.
_KOREAN_LEGAL_FORMS = [r"주식\s*회사", r"\(\s*주\s*\)", r"㈜", r"\(\s*유\s*\)", r"유한\s*회사"]
_ENGLISH_LEGAL_FORMS = [
    r"co\s*\.?\s*,?\s*ltd", r"company\s+limited", r"corporation", r"corp", r"incorporated", r"inc",
    r"limited", r"ltd", r"gmbh", r"ab", r"b\.?\s*v", r"llc", r"co",
]
_LEGAL_RE = re.compile(
    "|".join(_KOREAN_LEGAL_FORMS) + r"|(?<![a-z0-9])(?:" + "|".join(_ENGLISH_LEGAL_FORMS) + r")\.?(?![a-z0-9])",
    re.IGNORECASE)
_HYPHENS = dict.fromkeys(map(ord, "‐‑‒–—―−－﹣_"), "-")


def normalize_text(value: str) -> str:
    """Width, case, hyphen variants and whitespace folded; nothing else changed."""
    value = unicodedata.normalize("NFKC", value).translate(_HYPHENS)
    return re.sub(r"\s+", " ", value).strip().casefold()


def normalize_maker(name: str | None) -> str:
    """A maker's name reduced to what identifies it: '㈜ 아이디스' and 'IDIS Co., Ltd.' -> 'idis'/'아이디스'."""
    if not name:
        return ""
    value = normalize_text(name)
    value = _LEGAL_RE.sub(" ", value)
    value = re.sub(r"[\s.,·&'\"()\-]+", " ", value)
    return value.strip()


@dataclass(frozen=True)
class VendorFamily:
    id: str
    name: str
    name_ko: str
    country: str
    aliases: tuple[str, ...]
    oui_orgs: tuple[str, ...]
    oui_prefixes: tuple[str, ...]
    banners: tuple[str, ...]
    firmware_patterns: tuple[str, ...]
    serial_patterns: tuple[str, ...]
    realm_patterns: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        return (self.name, self.name_ko, *self.aliases)


class VendorFileError(ValueError):
    pass


def _marker(text: str) -> re.Pattern[str]:
    """A marker found only as a whole word where its edge is a letter or digit: 'truen' in 'TRUEN Co.' but
    not in 'Truenorth' or 'TrueNAS', 'idis' not in 'Vidisco', 'axis' not in 'Galaxis', nor as the second
    half of a joined name ('Apache-Axis/1.4', a SOAP stack; 'my_axis'). An edge that is punctuation
    ('app-webs/', 'dhi-') stands as it is. Matched against normalize_text, so a non-breaking space in a
    certificate (Dahua's CA writes them) is a space."""
    folded = normalize_text(text)
    left = r"(?<![0-9a-z_-])" if folded[:1].isalnum() else ""
    right = r"(?![0-9a-z])" if folded[-1:].isalnum() else ""
    return re.compile(left + re.escape(folded) + right)


# Words a maker's long name may add to its family's name and still be that maker: places and the
# generic words of company names. Anything else ("systems", "aerospace") may be another company.
_NAME_FILLER = frozenset([
    # places
    "hangzhou", "zhejiang", "shenzhen", "guangzhou", "beijing", "shanghai", "xiamen", "wuhan", "tianjin",
    "china", "chinese", "taiwan", "hong", "kong", "korea", "korean", "seoul", "japan", "usa", "us",
    "america", "americas", "north", "south", "europe", "european", "emea", "asia", "pacific", "uk", "gmbh",
    "vietnam", "india", "international", "global", "worldwide",
    # what any such company calls itself
    "digital", "technology", "technologies", "tech", "electronic", "electronics", "security", "video",
    "vision", "imaging", "network", "networks", "communication", "communications", "co", "company", "corp",
    "corporation", "group", "holding", "holdings",
])


class VendorCatalog:
    def __init__(self, families: tuple[VendorFamily, ...]):
        self.families = families
        # A false "relabelled" verdict accuses a supplier: every marker must name one maker alone.
        self._oui_markers = [(family, [_marker(org) for org in family.oui_orgs]) for family in families]
        self._banner_markers = [(family, [_marker(m) for m in family.banners]) for family in families]
        self._realm_shapes = [(family, [re.compile(p) for p in family.realm_patterns]) for family in families]
        self._by_name: dict[str, VendorFamily] = {}
        for family in families:
            for name in family.names():
                self._by_name.setdefault(normalize_maker(name), family)
        # The same names with the spaces taken out: registries write "한화 비전" and "HanwhaVision" too.
        self._by_compact = {key.replace(" ", ""): family for key, family in reversed(self._by_name.items())}

    def family_of_name(self, name: str | None) -> VendorFamily | None:
        """The family a claimed or registered maker name belongs to, if any."""
        key = normalize_maker(name)
        if not key:
            return None
        if key in self._by_name:
            return self._by_name[key]
        compact = self._by_compact.get(key.replace(" ", ""))
        if compact is not None:
            return compact
        # "Hangzhou Hikvision Digital Technology" style long names: a known family name standing as a
        # whole word inside, the other words only a place or what any such company calls itself.
        # "Hanwha Systems" or "Hanwha Aerospace" is another company of the group, with another
        # business number: its certificates are not Hanwha Vision's.
        for known, family in self._by_name.items():
            if len(known) >= 3 and re.search(rf"(^|\s){re.escape(known)}(\s|$)", key):
                rest = re.sub(rf"(^|\s){re.escape(known)}(\s|$)", " ", key, count=1).split()
                if all(word in _NAME_FILLER for word in rest):
                    return family
        return None

    def shortens_a_name_of(self, name: str | None, family: VendorFamily) -> bool:
        """Whether every word of `name` is in one of the family's names ("Samsung" of "Samsung Techwin"), one
        of them at least more than a place or a word any company calls itself: a HiKam A7 says its
        Manufacturer is "Technology" (agsh/onvif#65), which is in "Zhejiang Dahua Technology" and names nobody."""
        words = set(normalize_maker(name).split())
        return bool(words - _NAME_FILLER) and any(words <= set(normalize_maker(known).split())
                                                  for known in family.names())

    def family_of_oui_org(self, organisation: str | None) -> VendorFamily | None:
        return _first_marked(self._oui_markers, organisation)

    def family_of_banner(self, text: str | None) -> VendorFamily | None:
        return _first_marked(self._banner_markers, text)

    def family_of_realm(self, realm: str | None) -> VendorFamily | None:
        """The maker an authentication realm names: by a banner marker ("TP-LINK IP-Camera", "AXIS_…"), or by
        the shape only its firmware gives one ("IP Camera(C2183)", "Login to <serial>")."""
        if not realm:
            return None
        named = self.family_of_banner(realm)
        if named is not None:
            return named
        return next((family for family, shapes in self._realm_shapes if any(s.search(realm) for s in shapes)), None)

    def by_id(self, family_id: str) -> VendorFamily:
        for family in self.families:
            if family.id == family_id:
                return family
        raise KeyError(family_id)


def _first_marked(markers: list[tuple[VendorFamily, list[re.Pattern[str]]]], text: str | None) -> VendorFamily | None:
    if not text:
        return None
    folded = normalize_text(text)
    return next((family for family, patterns in markers if any(p.search(folded) for p in patterns)), None)


def _family_from_dict(raw: dict, index: int) -> VendorFamily:
    missing = [k for k in ("id", "name", "name_ko", "country") if k not in raw]
    if missing:
        raise VendorFileError(f"families[{index}] is missing {', '.join(missing)}")

    def strings(key: str) -> tuple[str, ...]:
        value = raw.get(key) or []
        if not isinstance(value, list):
            raise VendorFileError(f"families[{index}].{key} must be a list")
        return tuple(str(v) for v in value)

    def patterns(key: str) -> tuple[str, ...]:
        for pattern in (found := strings(key)):
            try:
                re.compile(pattern)
            except re.error as exc:  # said now, not as a traceback halfway through a scan
                raise VendorFileError(f"families[{index}].{key}: {pattern!r} is not a valid regex ({exc})") from None
        return found

    return VendorFamily(
        id=str(raw["id"]),
        name=str(raw["name"]),
        name_ko=str(raw["name_ko"]),
        country=str(raw["country"]),
        aliases=strings("aliases"),
        oui_orgs=strings("oui_orgs"),
        oui_prefixes=tuple(p.upper() for p in strings("oui_prefixes")),
        banners=strings("banners"),
        firmware_patterns=patterns("firmware_patterns"),
        serial_patterns=patterns("serial_patterns"),
        realm_patterns=patterns("realm_patterns"),
    )


@lru_cache(maxsize=8)
def load_vendor_catalog(path: Path = DEFAULT_VENDORS_FILE) -> VendorCatalog:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise VendorFileError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("families"), list):
        raise VendorFileError(f"{path}: expected a top-level 'families' list")
    return VendorCatalog(tuple(_family_from_dict(raw, i) for i, raw in enumerate(data["families"])))
