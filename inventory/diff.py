"""What changed between two scans of one site (issue 8, `cctv-inventory diff`). Pure: two ScanResults in,
a ScanDiff out; no database.

Pairing, strongest evidence first:
1. the same device identity in both scans — serial (under the maker's family), else MAC, else the ONVIF
   endpoint reference. A paired device may have a new firmware, a new model string, a new address, or a
   different maker name that is not the same family (`maker_changed`: the same hardware now claims
   another brand — the relabel pattern);
2. what is left is paired by address. A different device at the same address is `replaced`, or
   `maker_changed` when the maker family differs too (a Korean-branded camera swapped for a foreign one
   at the same place is what an auditor most wants to see). When either side could not be read (no
   identity, status not ok) we cannot tell what is there: `unreadable`, never a guessed replacement;
3. the rest are `new` (only in the later scan) or `missing` (only in the earlier one).

The agent host is not compared: bundles from two installers' laptops for one site would show the laptop
as "replaced", which says nothing about the site.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

from scanner.model import Device, ScanResult
from scanner.vendors import VendorCatalog, load_vendor_catalog, normalize_maker, normalize_text

from .identity import SharedIdentifiers, shared_identifiers

ChangeKind = Literal[
    "replaced", "maker_changed", "firmware_changed", "model_changed", "moved", "new", "missing", "not_reached", "unreadable"
]
CHANGE_KINDS: tuple[str, ...] = get_args(ChangeKind)
_KEY_KINDS = ("serial", "mac", "endpoint")  # strongest first


@dataclass(frozen=True)
class DeviceSnapshot:
    """The fields of a device that a diff talks about."""

    address: str
    port: int
    status: str
    manufacturer: str | None
    model: str | None
    firmware: str | None
    serial: str | None
    mac: str | None
    role: str

    @classmethod
    def of(cls, device: Device) -> DeviceSnapshot:
        return cls(
            address=device.address,
            port=device.port,
            status=device.status,
            manufacturer=device.manufacturer,
            model=device.model,
            firmware=device.firmware,
            serial=device.serial,
            mac=device.mac,
            role=device.role,
        )

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    address: str  # where the change is seen: the later address when both exist
    before: DeviceSnapshot | None
    after: DeviceSnapshot | None
    detail: str  # one human-readable line

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "address": self.address,
            "before": self.before.to_dict() if self.before else None,
            "after": self.after.to_dict() if self.after else None,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class ScanDiff:
    site: str
    from_scan: str
    to_scan: str
    from_started_at: str
    to_started_at: str
    unchanged: int  # devices paired with nothing to report
    changes: tuple[Change, ...]
    from_complete: bool = True
    to_complete: bool = True  # False: the later scan was cut short; what it lacks is `not_reached`, not `missing`

    def of_kind(self, kind: ChangeKind) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.kind == kind)

    def counts(self) -> dict[str, int]:
        return {kind: len(self.of_kind(kind)) for kind in CHANGE_KINDS}  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "from_scan": self.from_scan,
            "to_scan": self.to_scan,
            "from_started_at": self.from_started_at,
            "to_started_at": self.to_started_at,
            "from_complete": self.from_complete,
            "to_complete": self.to_complete,
            "unchanged": self.unchanged,
            "counts": self.counts(),
            "changes": [c.to_dict() for c in self.changes],
        }


class _Identity:
    """Identity keys of a device, strongest first, and its maker family."""

    def __init__(self, catalog: VendorCatalog):
        self.catalog = catalog

    def maker(self, device: Device) -> str:
        family = self.catalog.family_of_name(device.manufacturer)
        return family.id if family else normalize_maker(device.manufacturer)

    def keys(self, device: Device, shared: SharedIdentifiers) -> dict[str, str]:
        """Identity keys by kind ("serial", "mac", "endpoint"); a kind is absent when the device lacks it.

        Placeholders ("0", "N/A") and serials or MACs another unit of the same scan claims
        (`shared`, inventory/identity.py) identify nothing.
        """
        keys: dict[str, str] = {}
        serial = shared.serial(device)
        if serial:
            # The serial alone (not maker+serial): a relabelled device keeps its serial while its
            # claimed brand changes, and we want to pair it to report `maker_changed`.
            keys["serial"] = normalize_text(serial)
        mac = shared.mac(device)
        if mac:
            keys["mac"] = mac
        if device.endpoint_reference:
            keys["endpoint"] = device.endpoint_reference
        return keys


def _readable(device: Device) -> bool:
    return device.status == "ok" and bool(device.manufacturer or device.serial or device.mac)


def _norm(value: str | None) -> str:
    return normalize_text(value) if value else ""


def diff_scans(before: ScanResult, after: ScanResult, catalog: VendorCatalog | None = None) -> ScanDiff:
    """Changes from `before` to `after` (normally two scans of the same site, earlier first)."""
    ident = _Identity(catalog or load_vendor_catalog())
    changes: list[Change] = []
    unchanged = 0

    old_left = list(before.devices)
    new_left = list(after.devices)

    # 1. pair by identity, one key kind at a time so a serial match beats a MAC match.
    pairs: list[tuple[Device, Device]] = []
    old_shared, new_shared = shared_identifiers(before.devices), shared_identifiers(after.devices)
    for kind in _KEY_KINDS:
        old_by_key: dict[str, Device] = {}
        for device in old_left:
            key = ident.keys(device, old_shared).get(kind)
            if key is not None:
                old_by_key.setdefault(key, device)
        paired_old: set[int] = set()
        unpaired_new: list[Device] = []
        for device in new_left:
            new_keys = ident.keys(device, new_shared)
            old = old_by_key.get(new_keys[kind]) if kind in new_keys else None
            if old is not None and kind != "serial" and "serial" in new_keys and "serial" in ident.keys(old, old_shared):
                old = None  # both have serials and they differ: two devices, whatever the MAC says
            if old is None:
                unpaired_new.append(device)
            else:
                del old_by_key[new_keys[kind]]
                pairs.append((old, device))
                paired_old.add(id(old))
        old_left = [d for d in old_left if id(d) not in paired_old]
        new_left = unpaired_new

    for old, new in pairs:
        found = _compare_same_device(old, new, ident)
        changes.extend(found)
        unchanged += not found

    # 2. pair what is left by address.
    old_by_addr: dict[tuple[str, int], Device] = {}
    for device in old_left:
        old_by_addr.setdefault((device.address, device.port), device)
    still_new: list[Device] = []
    for new in new_left:
        old = old_by_addr.pop((new.address, new.port), None)
        if old is None:
            still_new.append(new)
            continue
        changes.append(_compare_same_place(old, new, ident))
    # 3. what is left over.
    for new in still_new:
        changes.append(Change("new", new.address, None, DeviceSnapshot.of(new), f"new device: {_label(new)}"))
    for old in old_by_addr.values():
        if after.complete:
            changes.append(
                Change("missing", old.address, DeviceSnapshot.of(old), None, f"no longer found: {_label(old)}")
            )
        else:  # a scan cut short never reached it: no news of the device, and no sign it was removed
            changes.append(Change("not_reached", old.address, DeviceSnapshot.of(old), None,
                                  f"not reached by the later scan, which was cut short: {_label(old)}"))

    changes.sort(key=lambda c: (_address_sort_key(c.address), CHANGE_KINDS.index(c.kind)))
    return ScanDiff(
        site=after.site,
        from_scan=before.scan_id,
        to_scan=after.scan_id,
        from_started_at=before.started_at.isoformat(),
        to_started_at=after.started_at.isoformat(),
        unchanged=unchanged,
        changes=tuple(changes),
        from_complete=before.complete,
        to_complete=after.complete,
    )


def _label(device: Device) -> str:
    maker = device.manufacturer or "?"
    model = device.model or "?"
    serial = f" (serial {device.serial})" if device.serial else ""
    return f"{maker} {model}{serial} at {device.address}"


def _compare_same_device(old: Device, new: Device, ident: _Identity) -> list[Change]:
    """One physical device seen twice; several things may have changed at once."""
    before, after = DeviceSnapshot.of(old), DeviceSnapshot.of(new)
    out: list[Change] = []
    if not (_readable(old) and _readable(new)):
        # Identity came from the MAC (e.g. an ARP answer) but the device could not be read this time:
        # its firmware "changing" to None is no news. Only report that it became unreadable.
        if _readable(old) and not _readable(new):
            out.append(
                Change(
                    "unreadable",
                    new.address,
                    before,
                    after,
                    f"could not be read: {new.status_reason or new.status}",
                )
            )
        return out
    if ident.maker(old) != ident.maker(new):
        out.append(
            Change(
                "maker_changed",
                new.address,
                before,
                after,
                f"same device (serial/MAC) now claims maker {new.manufacturer!r}, was {old.manufacturer!r}",
            )
        )
    if _norm(old.model) != _norm(new.model):
        out.append(
            Change("model_changed", new.address, before, after, f"model {old.model!r} -> {new.model!r}")
        )
    if _norm(old.firmware) != _norm(new.firmware):
        out.append(
            Change(
                "firmware_changed",
                new.address,
                before,
                after,
                f"firmware {old.firmware!r} -> {new.firmware!r}",
            )
        )
    if (old.address, old.port) != (new.address, new.port):
        out.append(
            Change(
                "moved",
                new.address,
                before,
                after,
                f"address {old.address}:{old.port} -> {new.address}:{new.port}",
            )
        )
    return out


def _compare_same_place(old: Device, new: Device, ident: _Identity) -> Change:
    """Two different identities (or none) at one address."""
    before, after = DeviceSnapshot.of(old), DeviceSnapshot.of(new)
    if not _readable(new):
        return Change(
            "unreadable", new.address, before, after, f"could not be read: {new.status_reason or new.status}"
        )
    if not _readable(old):
        # It could not be read before, so we cannot say it was replaced; we can say what is there now.
        return Change(
            "unreadable", new.address, before, after, f"not readable in the earlier scan; now {_label(new)}"
        )
    if ident.maker(old) != ident.maker(new):
        return Change(
            "maker_changed",
            new.address,
            before,
            after,
            f"replaced by another maker's device: {_label(old)} -> {_label(new)}",
        )
    return Change("replaced", new.address, before, after, f"replaced: {_label(old)} -> {_label(new)}")


def _address_sort_key(address: str) -> tuple:
    parts = address.split(".")
    if len(parts) == 4 and all(p.isdigit() for p in parts):
        return (0, tuple(int(p) for p in parts))
    return (1, address)
