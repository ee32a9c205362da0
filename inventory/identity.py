"""A device's identity across scans, and the agent host seen as a device.

device_key, first that applies:
    serial:<maker>:<serial>   <maker> is the vendor family id (config/vendors.yaml), else the normalized name
    mac:<mac>                 lower-case, colon separated
    endpoint:<ref>            the WS-Discovery EndpointReference (urn:uuid:...)
    addr:<address>:<port>     last resort: only stable while the site keeps its addressing
The agent host: serial as above when DMI gave one (root only), else host:<hostname>.

Serial strings that are placeholders ("0", "N/A", "unknown", ...) say nothing and are skipped: two
devices sharing the placeholder must not be merged into one identity.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from scanner.model import Device, HostInventory, ScanResult
from scanner.vendors import VendorCatalog, normalize_maker

_PLACEHOLDER_SERIALS = {"", "0", "00000000", "n/a", "na", "none", "null", "unknown", "-", "default", "serial"}
_MAC_RE = re.compile(
    r"^([0-9a-f]{2})[:\-]?([0-9a-f]{2})[:\-.]?([0-9a-f]{2})[:\-]?([0-9a-f]{2})[:\-.]?([0-9a-f]{2})[:\-]?([0-9a-f]{2})$"
)


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


def clean_mac(mac: str | None) -> str | None:
    if not mac:
        return None
    found = _MAC_RE.match(mac.strip().lower())
    if not found or found.group(0).replace(":", "").replace("-", "").replace(".", "") in ("0" * 12, "f" * 12):
        return None
    return ":".join(found.groups())


MAX_KEY = 300  # the devices.device_key column holds 400; a hostile device may send anything


def bounded(key: str) -> str:
    """A key safe to store: no NUL, and an over-long one replaced by its kind and a SHA-256 of it."""
    key = key.replace("\x00", "\ufffd")
    if len(key) <= MAX_KEY:
        return key
    kind = key.split(":", 1)[0]
    return f"{kind}:sha256:{hashlib.sha256(key.encode('utf-8')).hexdigest()}"


def device_key(device: Device, catalog: VendorCatalog) -> str:
    return bounded(_device_key(device, catalog))


def _device_key(device: Device, catalog: VendorCatalog) -> str:
    serial = clean_serial(device.serial)
    if serial:
        return f"serial:{maker_key(device.manufacturer, catalog) or 'unknown'}:{serial}"
    mac = clean_mac(device.mac)
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
    out = [(i, False, d, device_key(d, catalog)) for i, d in enumerate(scan.devices)]
    if scan.host is not None:
        out.append((-1, True, host_device(scan.host), host_key(scan.host, catalog)))
    return out
