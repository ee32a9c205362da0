"""Tying devices to registry entries: `Matcher(entries, catalog).match(device, at)`.

Levels, strongest first (inventory/model.py MatchLevel):
  exact      normalized maker names equal and model keys equal
  alias      the makers are one vendor family only through config/vendors.yaml (Hanwha Techwin / 한화비전)
  pattern    the registry gives a model pattern (`XNO-6080R*`) that the device's model key fits
  maker      a maker-level entry (business no. + 세부품명번호, no model) of the device's maker, for the part
             its role belongs to (an entry naming no part covers every part): weaker evidence
  candidate  shown for review, never counted: the same maker with one model a prefix of the other within
             4 characters (XNO-6080 / XNO-6080R), the same model under an unrelated maker, or a model-level
             hit whose certificate is for another firmware (or the device did not say its firmware), or
             the same model when the device did not say its maker
A certificate is judged at the scan's date: only a `valid` one counts (Match.counts). `expired`,
`not_yet_valid` and `undated` (the registry row gave no dates, so validity at the scan's date is unknown)
matches are kept, so the report can show them, but do not count.

`match_all` is the batch form: the index is built once, each distinct (maker, model, firmware, role)
is matched once, and maker names are normalized once per spelling.
"""

from __future__ import annotations

import bisect
import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from fnmatch import fnmatchcase
from functools import lru_cache

from scanner.model import Device
from scanner.vendors import VendorCatalog, normalize_maker

from .model import Match, MatchLevel, RegistryEntry, Validity
from .normalize import compile_pattern, firmware_key, model_key, pattern_prefix

# Which part a device role belongs to (DESIGN §2). Policies decide coverage; this only says which
# maker-level entries can apply to a device.
ROLE_PART = {
    "camera": "camera",
    "encoder": "camera",
    "nvr": "recorder_analytics",
    "analytics": "recorder_analytics",
    "vms_server": "terminal_server",
    "operator_terminal": "terminal_server",
}
LEVEL_RANK = {level: i for i, level in enumerate(("exact", "alias", "pattern", "maker", "candidate"))}
VALIDITY_RANK = {"valid": 0, "undated": 1, "not_yet_valid": 2, "expired": 3}
CANDIDATE_MIN_KEY = 5  # shorter model keys (e.g. "88") are too generic to suggest anything
CANDIDATE_MAX_EXTRA = 4


def validity_at(entry: RegistryEntry, at: date) -> Validity:
    """The certificate's standing at `at`. With no end date it is `undated` once begun: a row that gave
    only its issue date says when it started, not that it never ends, and an unknown validity never
    counts (a certificate read as valid for ever would count long after it lapsed)."""
    if entry.valid_from is not None and at < entry.valid_from:
        return "not_yet_valid"
    if entry.valid_to is None:
        return "undated"
    if at > entry.valid_to:
        return "expired"
    return "valid"


@contextmanager
def gc_paused() -> Iterator[None]:
    """Building 100,000 acyclic index objects triggers the cyclic GC again and again, each pass walking
    every object made so far: about 60 % of the index build. Nothing built here forms a cycle."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Indexed:
    """One registry entry with its normalized keys (slots: 100,000 of these are built per registry)."""

    __slots__ = ("entry", "firmware_key", "maker_key", "maker_norm", "model_key")

    def __init__(
        self, entry: RegistryEntry, maker_norm: str, maker_key: str, model_key: str, firmware_key: str
    ):
        self.entry = entry
        self.maker_norm = maker_norm
        self.maker_key = maker_key  # family id, else normalized name
        self.model_key = model_key
        self.firmware_key = firmware_key


class Matcher:
    def __init__(self, entries: Iterable[RegistryEntry], catalog: VendorCatalog):
        self.catalog = catalog
        self._maker = lru_cache(maxsize=None)(self._maker_uncached)
        self._items: list[_Indexed] = []
        self._by_maker_model: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._by_model: dict[str, list[int]] = defaultdict(list)
        self._maker_level: dict[str, list[int]] = defaultdict(list)
        # maker -> 3-character key prefix ('' when the pattern's literal start is shorter) -> patterns
        self._patterns: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        with gc_paused():
            self._build(entries)

    def _build(self, entries: Iterable[RegistryEntry]) -> None:
        items = self._items
        maker = self._maker
        for entry in entries:
            norm, key = maker(entry.manufacturer)
            item = _Indexed(
                entry,
                norm,
                key,
                model_key(entry.model),
                firmware_key(entry.firmware) if entry.firmware else "",
            )
            index = len(items)
            items.append(item)
            if entry.model_pattern:
                prefix = pattern_prefix(entry.model_pattern)
                compile_pattern(entry.model_pattern)  # compiled once, here
                self._patterns[key][prefix[:3] if len(prefix) >= 3 else ""].append(index)
            elif item.model_key:
                self._by_maker_model[(key, item.model_key)].append(index)
                self._by_model[item.model_key].append(index)
            else:
                self._maker_level[key].append(index)
        self._sorted_models: dict[str, list[str]] = defaultdict(list)
        for key, mkey in self._by_maker_model:
            self._sorted_models[key].append(mkey)
        for keys in self._sorted_models.values():
            keys.sort()

    def _maker_uncached(self, name: str | None) -> tuple[str, str]:
        norm = normalize_maker(name)
        family = self.catalog.family_of_name(name) if norm else None
        return norm, f"family:{family.id}" if family else norm  # apart from any maker's own name ("itx")

    def __len__(self) -> int:
        return len(self._items)

    # --- one device ----------------------------------------------------------------------------------

    def match(self, device: Device, at: date) -> tuple[Match, ...]:
        return self._match(device.manufacturer, device.model, device.firmware, device.role, at)

    def match_all(self, devices: Sequence[Device], at: date) -> list[tuple[Match, ...]]:
        seen: dict[tuple, tuple[Match, ...]] = {}
        out = []
        with gc_paused():
            for d in devices:
                key = (d.manufacturer, d.model, d.firmware, d.role)
                result = seen.get(key)
                if result is None:
                    result = seen[key] = self._match(*key, at)
                out.append(result)
        return out

    def _match(
        self, maker: str | None, model: str | None, firmware: str | None, role: str, at: date
    ) -> tuple[Match, ...]:
        mkey = model_key(model)
        if not maker:
            # An unreachable device gave nothing. One that gave a model but no maker can only be shown
            # registry entries of that model for review: without a maker, nothing is evidence.
            return self._model_only(model, mkey, at) if len(mkey) >= CANDIDATE_MIN_KEY else ()
        norm, key = self._maker(maker)
        found: dict[int, tuple[MatchLevel, str]] = {}

        def put(index: int, level: MatchLevel, reason: str) -> None:
            if index not in found or LEVEL_RANK[level] < LEVEL_RANK[found[index][0]]:
                found[index] = (level, reason)

        part = ROLE_PART.get(role)
        if mkey:
            for index in self._by_maker_model.get((key, mkey), ()):
                item = self._items[index]
                level: MatchLevel = "exact" if item.maker_norm == norm else "alias"
                put(
                    index,
                    *self._firmware_checked(
                        item, level, self._model_reason(item, maker, model, level), firmware
                    ),
                )
            bucket = self._patterns.get(key)
            if bucket:
                for index in (*bucket.get(mkey[:3], ()), *bucket.get("", ())):
                    item = self._items[index]
                    pattern = item.entry.model_pattern or ""
                    if not compile_pattern(pattern).match(mkey) or item.entry.part not in (None, part):
                        continue  # a pattern names models of one part; an NVR is no camera of "XNO-*"
                    if not pattern_prefix(pattern):
                        # "*" (or "?*") names no model at all: the maker's word for all its products, no
                        # stronger than a maker-level entry, and counted only as one.
                        reason = (f"the registry pattern {pattern!r} names no model: all of the maker's models, "
                                  f"as weak as a maker-level entry{self._maker_note(item, maker)}")
                        put(index, "maker", reason)
                        continue
                    reason = f"model {model!r} fits the registry pattern {pattern!r}{self._maker_note(item, maker)}"
                    put(index, *self._firmware_checked(item, "pattern", reason, firmware))
            self._candidates(key, mkey, maker, model, put)
        for index in self._maker_level.get(key, ()):
            item = self._items[index]
            if item.entry.part is None or item.entry.part == part:
                put(
                    index,
                    "maker",
                    f"maker-level entry for {item.entry.manufacturer!r} (business no. {item.entry.business_no}, "
                    f"item no. {item.entry.item_no}); no model named, weaker evidence{self._maker_note(item, maker)}",
                )
        matches = [
            Match(self._items[i].entry, level, reason, validity_at(self._items[i].entry, at))
            for i, (level, reason) in found.items()
        ]
        matches.sort(
            key=lambda m: (
                LEVEL_RANK[m.level],
                VALIDITY_RANK[m.validity],
                m.entry.certificate_type,
                m.entry.id,
            )
        )
        return tuple(matches)

    def _model_only(self, model: str | None, mkey: str, at: date) -> tuple[Match, ...]:
        reason = f"model {model!r} equal; the device did not say its maker"
        matches = [
            Match(self._items[i].entry, "candidate", reason, validity_at(self._items[i].entry, at))
            for i in self._by_model.get(mkey, ())
        ]
        matches.sort(key=lambda m: (VALIDITY_RANK[m.validity], m.entry.certificate_type, m.entry.id))
        return tuple(matches)

    # --- helpers -------------------------------------------------------------------------------------

    def _maker_note(self, item: _Indexed, maker: str) -> str:
        if item.maker_norm == self._maker(maker)[0]:
            return ""
        return (
            f"; maker {maker!r} is registered as {item.entry.manufacturer!r} (vendor family {item.maker_key.removeprefix('family:')})"
        )

    def _model_reason(self, item: _Indexed, maker: str, model: str | None, level: MatchLevel) -> str:
        same = (
            "equal"
            if (model or "") == (item.entry.model or "")
            else f"equal after normalization ({item.model_key})"
        )
        if level == "exact":
            return f"maker and model {model!r} {same}"
        return f"model {model!r} {same}{self._maker_note(item, maker)}"

    @staticmethod
    def _firmware_checked(
        item: _Indexed, level: MatchLevel, reason: str, firmware: str | None
    ) -> tuple[MatchLevel, str]:
        """Security certificates are per model and firmware: when the entry names one, the device must too."""
        if not item.firmware_key:
            return level, reason
        if not firmware:
            return (
                "candidate",
                f"{reason}; but the certificate is for firmware {item.entry.firmware!r} and the device did not report its firmware",
            )
        # `*` and `?` are the registry's wildcards, as in model patterns; a bracket is text ("2.21.02[R1]").
        if fnmatchcase(firmware_key(firmware), item.firmware_key.replace("[", "[[]")):
            return level, f"{reason}; firmware {firmware!r} as certified"
        return (
            "candidate",
            f"{reason}; but the certificate is for firmware {item.entry.firmware!r}, the device runs {firmware!r}",
        )

    def _candidates(self, key: str, mkey: str, maker: str, model: str | None, put) -> None:  # type: ignore[no-untyped-def]
        if len(mkey) < CANDIDATE_MIN_KEY:
            return
        # The same maker, one model a short prefix of the other (a variant or a truncated model string).
        for length in range(max(CANDIDATE_MIN_KEY, len(mkey) - CANDIDATE_MAX_EXTRA), len(mkey)):
            for index in self._by_maker_model.get((key, mkey[:length]), ()):
                put(
                    index,
                    "candidate",
                    f"registry model {self._items[index].entry.model!r} is a prefix of the device's {model!r}; same maker",
                )
        keys = self._sorted_models.get(key, [])
        start = bisect.bisect_right(keys, mkey)
        for other in keys[start : start + 50]:
            if not other.startswith(mkey):
                break
            if len(other) - len(mkey) <= CANDIDATE_MAX_EXTRA:
                for index in self._by_maker_model[(key, other)]:
                    put(
                        index,
                        "candidate",
                        f"device model {model!r} is a prefix of the registry's {self._items[index].entry.model!r}; same maker",
                    )
        # The same model under a maker that is not the device's: worth a look (a rename the alias table lacks,
        # or a relabel), never evidence.
        for index in self._by_model.get(mkey, ()):
            item = self._items[index]
            if item.maker_key != key:
                put(
                    index,
                    "candidate",
                    f"model {model!r} equal, but the registry's maker is {item.entry.manufacturer!r}, the device says {maker!r}",
                )
