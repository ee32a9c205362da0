"""A device's identity across scans, and the agent host seen as a device.

device_key, first that applies:
    serial:<maker>:<serial>   <maker> is the vendor family id (config/vendors.yaml), else the normalized name
    mac:<mac>                 lower-case, colon separated
    endpoint:<ref>            the WS-Discovery EndpointReference (urn:uuid:...)
    addr:<address>:<port>     last resort: only stable while the site keeps its addressing
The agent host: serial as above when DMI gave one (root only), else host:<hostname>.

Serial strings that are placeholders ("0", "N/A", "unknown", ...) say nothing and are skipped: two
devices sharing the placeholder must not be merged into one identity. Nor does a serial or MAC that
two units of the same scan both claim (cloned firmware: every Tuya-based camera says 0123456789,
home-assistant/frontend#17345): `shared_identifiers` finds them, and those devices are keyed on the
next thing that tells them apart. "Two units" means two endpoint references (or, without one, two
addresses): one recorder answering on two addresses keeps its serial.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from scanner.macs import normalize_mac
from scanner.model import Device, HostInventory, ScanResult
from scanner.vendors import VendorCatalog, normalize_maker

_PLACEHOLDER_SERIALS = {"", "0", "00000000", "n/a", "na", "none", "null", "unknown", "-", "default", "serial",
                        "serialnumber", "0123456789", "123456789", "1234567890"}


def maker_key(name: str | None, catalog: VendorCatalog) -> str:
    """The family id when the name belongs to a known family, else the normalized name."""
    family = catalog.family_of_name(name)
    return family.id if family else normalize_maker(name)


def clean_serial(serial: str | None) -> str | None:
    if serial is None:
        return None
    value = unicodedata.normalize("NFKC", serial).strip()
    if value.casefold() in _PLACEHOLDER_SERIALS or set(value) <= {"0", "-", " "}:
        return None
    return value


clean_mac = normalize_mac  # the scanner's rule (scanner/macs.py), so both sides agree on what a MAC is


MAX_KEY = 300  # the devices.device_key column holds 400; a hostile device may send anything


def bounded(key: str) -> str:
    """A key safe to store: no NUL, and an over-long one replaced by its kind and a SHA-256 of it."""
    key = key.replace("\x00", "\ufffd")
    if len(key) <= MAX_KEY:
        return key
    kind = key.split(":", 1)[0]
    return f"{kind}:sha256:{hashlib.sha256(key.encode('utf-8')).hexdigest()}"


@dataclass(frozen=True)
class SharedIdentifiers:
    """Serials (casefolded) and MACs that more than one unit of a scan claims: they identify none of them."""

    serials: frozenset[str] = frozenset()
    macs: frozenset[str] = frozenset()

    def serial(self, device: Device) -> str | None:
        serial = clean_serial(device.serial)
        return None if serial is None or serial.casefold() in self.serials else serial

    def mac(self, device: Device) -> str | None:
        mac = clean_mac(device.mac)
        return None if mac is None or mac in self.macs else mac


NONE_SHARED = SharedIdentifiers()


def _identifiers(device: Device) -> list[tuple[str, str]]:
    """("serial", casefolded serial) and ("mac", mac), for those the device has that identify anything."""
    out = []
    serial = clean_serial(device.serial)
    if serial:
        out.append(("serial", serial.casefold()))
    mac = clean_mac(device.mac)
    if mac:
        out.append(("mac", mac))
    return out


def shared_holders(devices: Iterable[Device]) -> dict[tuple[str, str], list[Device]]:
    """The devices holding each serial or MAC ((kind, value) as `_identifiers` gives it) that more
    than one unit of these devices claims."""
    holders: dict[tuple[str, str], list[Device]] = defaultdict(list)
    units: dict[tuple[str, str], set[str]] = defaultdict(set)
    for device in devices:
        for identifier in _identifiers(device):
            holders[identifier].append(device)
            units[identifier].add(device.endpoint_reference or f"addr:{device.address}")
    return {identifier: group for identifier, group in holders.items() if len(units[identifier]) > 1}


def shared_identifiers(devices: Iterable[Device]) -> SharedIdentifiers:
    shared = shared_holders(devices)
    return SharedIdentifiers(frozenset(value for kind, value in shared if kind == "serial"),
                             frozenset(value for kind, value in shared if kind == "mac"))


def device_key(device: Device, catalog: VendorCatalog, shared: SharedIdentifiers = NONE_SHARED) -> str:
    return bounded(_device_key(device, catalog, shared))


def _device_key(device: Device, catalog: VendorCatalog, shared: SharedIdentifiers) -> str:
    serial = shared.serial(device)
    if serial:
        return f"serial:{maker_key(device.manufacturer, catalog) or 'unknown'}:{serial}"
    mac = shared.mac(device)
    if mac:
        return f"mac:{mac}"
    if device.endpoint_reference:
        return f"endpoint:{device.endpoint_reference.strip()}"
    return f"addr:{device.address}:{device.port}"


def host_device(host: HostInventory) -> Device:
    """The agent host as a Device (an operator terminal part): no network address, read from DMI."""
    return Device(
        address=host.hostname,
        port=0,
        status="ok",
        status_reason="self-inventory of the agent host (DMI)",
        manufacturer=host.manufacturer,
        model=host.model,
        serial=host.serial,
        hostname=host.hostname,
        role=host.role,
        role_reason="the host the agent ran on",
    )


def host_key(host: HostInventory, catalog: VendorCatalog) -> str:
    serial = clean_serial(host.serial)
    if serial:
        return bounded(f"serial:{maker_key(host.manufacturer, catalog) or 'unknown'}:{serial}")
    return bounded(f"host:{host.hostname}")


def scan_devices(scan: ScanResult, catalog: VendorCatalog) -> list[tuple[int, bool, Device, str]]:
    """(position, is_host, device, device_key) for every device of a scan, the host last at position -1."""
    shared = shared_identifiers(scan.devices)
    out = [(i, False, d, device_key(d, catalog, shared)) for i, d in enumerate(scan.devices)]
    if scan.host is not None:
        out.append((-1, True, host_device(scan.host), host_key(scan.host, catalog)))
    return out
