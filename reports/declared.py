"""Declared equipment (the contract's list) against what the scan found.

Decisions (docs/reports.md "Declared equipment"):
- Without a declared list there are no declared/undeclared findings (the method section says so).
- A declared line and a device are the same equipment when the maker is the same (vendor family
  from config/vendors.yaml, else the normalized name: Hanwha Techwin = Hanwha Vision) and the
  normalized model is equal. Lines for the same maker and model are added up.
- Only devices that were read can be compared; when some could not be read, a missing line says so
  in its evidence, because the missing equipment may be among them, and names the unread devices whose
  WS-Discovery scopes announce its model (DeviceRow.announced: evidence for a look, never a count).
- A serial listed on a declared line and not seen on any device of that maker and model is named
  in its own `declared_not_found` finding: a swapped unit is exactly what an auditor looks for.
- A line short of units says, for each of its addresses where no device was found, whether a host
  answered there over TCP (scanner/reachability.py): "something is there, not speaking ONVIF" and
  "nothing answered" send an auditor different ways. Terminals and servers speak no ONVIF, so the
  scan cannot identify them (only the host it runs on, with --self-inventory): a terminal/server line
  not found is worded so (variant `terminal`), and is only `info` when every address it names answered.
  Presence never counts as found: its maker and model are the contract's word, not the device's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from inventory.model import DeclaredItem
from inventory.normalize import model_key
from scanner.model import HostCheck
from scanner.vendors import VendorCatalog, normalize_maker, normalize_text

from .model import DeviceRow, Evidence, Finding


@dataclass
class _Line:
    manufacturer: str
    model: str
    quantity: int = 0
    serials: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    parts: set[str | None] = field(default_factory=set)


def _maker_key(catalog: VendorCatalog, name: str | None) -> str:
    family = catalog.family_of_name(name)
    return f"family:{family.id}" if family else f"name:{normalize_maker(name)}"


def _announces(row: DeviceRow, key: str) -> bool:
    """An unread device whose WS-Discovery scopes name this model (its model_key), as hardware or name."""
    a = row.announced
    return bool(key) and a is not None and key in {model_key(a.hardware), model_key(a.name)}


def _presence(address: str, check: HostCheck | None) -> Evidence:
    """What was at a declared address where no device was found (the check's own words stay in the scan file)."""
    if check is None:
        return Evidence("declared_address_empty", {"address": address})
    if check.skipped:
        key = {"not_ipv4": "declared_address_not_ip", "time_limit": "declared_address_time_limit"}.get(
            check.skipped, "declared_address_out_of_scope")
        return Evidence(key, {"address": address})
    if check.open_ports:
        return Evidence("declared_address_open", {"address": address, "ports": ", ".join(map(str, check.open_ports))})
    return Evidence("declared_address_refused" if check.answered else "declared_address_silent", {"address": address})


_ANSWERED = ("declared_address_open", "declared_address_refused")


def compare_declared(
    declared: Sequence[DeclaredItem], rows: Sequence[DeviceRow], catalog: VendorCatalog,
    host_checks: Sequence[HostCheck] = (),
) -> list[Finding]:
    if not declared:
        return []
    lines: dict[tuple[str, str], _Line] = {}
    for item in declared:
        # The matcher's model key: "XNO 6080R", "XNO6080R" and "XNO-6080R" are one model (inventory/normalize.py).
        key = (_maker_key(catalog, item.manufacturer), model_key(item.model))
        line = lines.setdefault(key, _Line(item.manufacturer, item.model))
        line.quantity += item.quantity
        line.serials.extend(item.serials)
        line.addresses.extend(item.addresses)
        line.rows.append(item.source_row)
        line.parts.add(item.part)

    read = [r for r in rows if r.status == "ok" and r.manufacturer and r.model]
    unread_at = {r.address: r for r in rows if r.status != "ok"}
    device_at = {r.address for r in rows}
    checks = {c.address: c for c in host_checks}
    unread = len(unread_at)
    found: dict[tuple[str, str], list[DeviceRow]] = {}
    for row in read:
        found.setdefault((_maker_key(catalog, row.manufacturer), model_key(row.model)), []).append(row)

    findings: list[Finding] = []
    unread_note = (Evidence("unread_devices", {"count": str(unread)}),) if unread else ()
    for key, line in lines.items():
        devices = found.get(key, [])
        # Units, not rows: a recorder with a NIC on each scanned subnet is read at two addresses, one
        # device_key, and is one unit of its line (as in the part figures), not a second one found.
        units = len({d.device_key for d in devices})
        where = Evidence("declared_rows", {"rows": ", ".join(str(r) for r in line.rows)})
        # The contract names where this equipment stands, and the device there could not be read:
        # that says more than "N devices could not be read".
        unread_here = [a for a in line.addresses if a in unread_at]
        note = (Evidence("declared_address_unread", {"addresses": ", ".join(unread_here)}),) if unread_here else unread_note
        if units < line.quantity:
            # Unread devices whose scopes announce this model: likely the missing units, never counted.
            announcing = [r.address for r in unread_at.values() if _announces(r, key[1])]
            if announcing:
                note = (Evidence("unread_announces_model", {"addresses": ", ".join(announcing)}), *note)
        params = {"manufacturer": line.manufacturer, "model": line.model, "declared": str(line.quantity),
                  "found": str(units)}
        # Where the contract puts this equipment and no device was found: did anything answer there?
        presence = tuple(_presence(a, checks.get(a)) for a in dict.fromkeys(line.addresses) if a not in device_at)
        if units < line.quantity:
            note = (*presence, *note)
        if not devices and line.parts == {"terminal_server"}:
            answered = bool(presence) and all(e.key in _ANSWERED for e in presence)
            findings.append(Finding("declared_not_found", "info" if answered else "warning", None,
                                    {**params, "variant": "terminal"}, (where, *note)))
        elif not devices:
            findings.append(Finding("declared_not_found", "warning", None, params, (where, *note)))
        elif units != line.quantity:
            found_at = Evidence("found_at", {"addresses": ", ".join(d.address for d in devices)})
            findings.append(Finding("quantity_mismatch", "warning", None, params, (where, found_at, *note)))
        seen_serials = {normalize_text(d.serial) for d in devices if d.serial}
        for serial in line.serials:
            if devices and normalize_text(serial) not in seen_serials:
                findings.append(Finding("declared_not_found", "warning", None, {**params, "serial": serial, "variant": "serial"},
                                        (where, Evidence("serial_not_seen", {"serial": serial, "model": line.model}))))

    for key, devices in found.items():
        if key in lines:
            continue
        # One finding per unit, as the lines count them: a recorder read at two addresses (one device_key)
        # is one undeclared recorder, its addresses named together.
        units: dict[str, list[DeviceRow]] = {}
        for row in devices:
            units.setdefault(row.device_key or row.address, []).append(row)
        for unit in units.values():
            row = unit[0]
            findings.append(Finding(
                "found_not_declared", "warning", row.address,
                {"manufacturer": row.manufacturer or "", "model": row.model or ""},
                (Evidence("not_declared", {"manufacturer": row.manufacturer or "", "model": row.model or "",
                                           "address": ", ".join(dict.fromkeys(r.address for r in unit))}),),
            ))
    return findings
