"""What the scanner hands to the rest of the program: plain, frozen data.

The scanner turns a network into these values and knows nothing of databases
or reports (DESIGN §3). `inventory` reads them; nothing here imports from
`inventory`, `reports` or `simulator`.

Failures are data: every device ends in exactly one `DeviceStatus` with a
human-readable reason, and a half-finished scan is a `ScanResult` with
`complete=False`, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, get_args

DeviceStatus = Literal["ok", "auth_failed", "unreachable", "timeout", "protocol_error"]
DEVICE_STATUSES: tuple[str, ...] = get_args(DeviceStatus)

# Roles a device can play. The first four come from ONVIF interrogation; the
# last two come from self-inventory of the agent host or a declared site file.
Role = Literal["camera", "encoder", "nvr", "analytics", "vms_server", "operator_terminal", "unknown"]
ROLES: tuple[str, ...] = get_args(Role)


@dataclass(frozen=True, slots=True)
class Fingerprints:
    """Side-channel evidence of who really made a device.

    Each field is what the device itself said on another channel, verbatim
    (untrusted input: renderers escape it).
    """

    oui_vendor: str | None = None  # organisation owning the MAC's OUI (scapy manuf db)
    http_server: str | None = None  # HTTP `Server:` header
    http_title: str | None = None  # <title> of the web login page
    rtsp_server: str | None = None  # RTSP `Server:` header from OPTIONS
    # The realm of the 401 an RTSP DESCRIBE without credentials gets: Hikvision's RTSP sends no Server
    # header, but asks for "IP Camera(C2183)"; Dahua's asks to "Login to <serial>".
    rtsp_realm: str | None = None
    # The realm of an HTTP 401 the scan got anyway: an ONVIF call to a device that wants HTTP digest
    # (Dahua asks to "Login to <serial>", Axis for "AXIS_<MAC>"), or a web UI behind a login prompt.
    http_realm: str | None = None
    tls_subject: str | None = None  # subject of the HTTPS certificate
    # Its issuer, where that is not the subject itself: Dahua's certificates name the device's address
    # as subject and the maker only as issuer (rroller/dahua#647, D4-project/Plum-Island#204).
    tls_issuer: str | None = None


@dataclass(frozen=True, slots=True)
class SuspectedRelabel:
    """The brand a device claims differs from the maker its fingerprints point to."""

    claimed: str  # manufacturer as reported by GetDeviceInformation
    likely_maker: str  # vendor family the fingerprints point to
    evidence: tuple[str, ...]  # one line per fingerprint, e.g. "MAC OUI: Zhejiang Dahua Technology"


@dataclass(frozen=True, slots=True)
class FieldEvidence:
    """Which response backs a field: the ONVIF operation and the SHA-256 of its raw body."""

    field: str
    operation: str
    sha256: str
    # With --keep-responses: whether the answer's file was written (False: a full disk, say; the
    # field still stands, its raw answer is just not on hand). None when answers were not kept.
    kept: bool | None = None


@dataclass(frozen=True, slots=True)
class Device:
    """One device as the scan saw it. Fields the device did not give are None."""

    address: str
    port: int
    status: DeviceStatus
    status_reason: str = ""
    xaddrs: tuple[str, ...] = ()
    endpoint_reference: str | None = None
    manufacturer: str | None = None
    model: str | None = None
    firmware: str | None = None
    serial: str | None = None
    hardware_id: str | None = None
    mac: str | None = None  # lower-case, colon separated
    hostname: str | None = None
    scopes: tuple[str, ...] = ()
    services: tuple[str, ...] = ()  # ONVIF service namespaces offered
    role: Role = "unknown"
    role_reason: str = ""
    clock_skew_s: float | None = None  # device clock minus agent clock
    video_sources: int | None = None
    profiles: int | None = None
    recordings: int | None = None
    fingerprints: Fingerprints = field(default_factory=Fingerprints)
    suspected_relabel: SuspectedRelabel | None = None
    evidence: tuple[FieldEvidence, ...] = ()


@dataclass(frozen=True, slots=True)
class HostInventory:
    """The machine the agent runs on, read from its own DMI data (a terminal/server part)."""

    hostname: str
    manufacturer: str | None = None  # /sys/class/dmi/id/sys_vendor
    model: str | None = None  # /sys/class/dmi/id/product_name
    serial: str | None = None  # /sys/class/dmi/id/product_serial (root only)
    role: Role = "operator_terminal"


@dataclass(frozen=True, slots=True)
class OtherResponder:
    """A WS-Discovery responder seen, listed, never interrogated: what its ProbeMatch said, and no more.

    Two kinds. A host that is not an ONVIF device: Windows PCs, NAS boxes and printers answer ONVIF's
    Probes too, and none of them gave an ONVIF type, an onvif:// scope or an /onvif/ XAddr
    (wsd.onvif_signal); a PC among them may be a VMS server or operator terminal the site file should
    declare (DESIGN §5). And, `outside_scope`, an ONVIF responder whose address lies outside the scan's
    scope: a camera still on its factory address answers a multicast Probe from another subnet
    (snow-tree/camera-probe#17). The scope is the operator's, so it is never contacted, but it is on
    the site's wire, and an inventory that dropped it would hide a camera nobody configured.
    """

    address: str
    endpoint_reference: str | None = None
    types: tuple[str, ...] = ()  # verbatim QNames, e.g. ("wsdp:Device", "pub:Computer")
    scopes: tuple[str, ...] = ()
    xaddrs: tuple[str, ...] = ()  # verbatim as advertised (often a hostname we do not resolve)
    outside_scope: bool = False


@dataclass(frozen=True, slots=True)
class HostCheck:
    """A declared host that speaks no ONVIF (a VMS server, an operator terminal), checked for
    reachability over TCP (scanner/reachability.py): presence only, never its maker or model."""

    address: str
    answered: bool  # a connection was accepted or refused: a host is at the address
    open_ports: tuple[int, ...] = ()
    detail: str = ""
    # Why it was never contacted, when it was not: "out_of_scope", "not_ipv4" or "time_limit" (reachability.py).
    skipped: str = ""

    @property
    def tried(self) -> bool:
        return not self.skipped


@dataclass(frozen=True, slots=True)
class ScanScope:
    """What the scan was allowed to touch. Recorded so a report can show it."""

    interfaces: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    multicast: bool = True
    allow_public: bool = False


@dataclass(frozen=True, slots=True)
class ScanResult:
    scan_id: str  # UUID4, stable across re-imports of the same scan file
    site: str
    started_at: datetime  # timezone-aware UTC
    finished_at: datetime | None
    agent_version: str
    scope: ScanScope
    host: HostInventory | None
    devices: tuple[Device, ...]
    complete: bool = True  # False when the scan was cut short (SIGINT, kill, deadline)
    interrupted_reason: str | None = None
    other_responders: tuple[OtherResponder, ...] = ()  # by address, as device_order sorts
    host_checks: tuple[HostCheck, ...] = ()  # declared hosts not found as ONVIF devices, by address


def listed_responders(others: list[OtherResponder] | tuple[OtherResponder, ...],
                      devices: tuple[Device, ...]) -> tuple[OtherResponder, ...]:
    """The scan's other_responders, in device order. A responder outside the scope that was also read
    inside it, under the same endpoint reference (a recorder with a NIC on each subnet, a camera's
    link-local alias), is a device of the scan already and is not listed again."""
    read = {d.endpoint_reference for d in devices if d.endpoint_reference}
    kept = (o for o in others if not (o.outside_scope and o.endpoint_reference in read))
    return tuple(sorted(kept, key=device_order))


def device_order(device: Device | OtherResponder | HostCheck) -> tuple:
    """The order of devices in a scan: by address, IPv4 numerically (127.10.0.9 before 127.10.0.10)."""
    parts = device.address.split(".")
    if len(parts) == 4 and all(part.isdigit() for part in parts):
        return tuple(int(part) for part in parts)
    return (999, device.address)
