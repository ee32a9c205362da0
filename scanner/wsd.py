"""WS-Discovery messages: build a Probe, read ProbeMatches the way real devices send them.

Parsing is lenient about what devices get wrong and strict about safety:
- ProbeMatch elements are found anywhere in the Body (some firmwares omit the
  ProbeMatches wrapper);
- several XAddrs, IPv6 XAddrs, and XAddrs whose host is 0.0.0.0, empty or some
  other machine's address are fixed up from the address the reply came from;
- a reply whose RelatesTo does not name our Probe is still used (some devices
  echo a stale id); it is counted so the caller can report it;
- XML is parsed strictly (scanner/safexml.py): DTDs and entities are refused, not expanded.

Our own parser rather than WSDiscovery's: the discovery socket is our own
asyncio one (WSDiscovery's threaded loop drops replies at scale), and the
refusal of DTDs and entities is explicit here.
"""

from __future__ import annotations

import ipaddress
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from .safexml import MalformedXml, UnsafeXml, local_name, parse_untrusted
from .scopes import split_scope_list

WSD_MULTICAST = ("239.255.255.250", 3702)
WSD_PORT = 3702
APP_MAX_DELAY_S = 0.5  # SOAP-over-UDP / WS-Discovery: devices wait up to this long before answering

NS_SOAP = "http://www.w3.org/2003/05/soap-envelope"
NS_WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
NS_WSD = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
_TO = "urn:schemas-xmlsoap-org:ws:2005:04:discovery"
_PROBE_ACTION = f"{NS_WSD}/Probe"
# The ONVIF types a device may insist on being asked for, each in a Probe of its own: a Types list
# has to be matched whole, so one Probe naming both would miss a device that is only one of them.
# Each goes under the prefix ONVIF Device Manager and the Core spec's examples give it, dn: and tds::
# some firmware compares the Types text as a string, prefix and all, and answers nothing else
# (andreikop/python-ws-discovery#25, ZoneMinder/zoneminder#1644; quirk probe_prefix_dn).
ONVIF_PROBE_TYPES = (("http://www.onvif.org/ver10/network/wsdl", "NetworkVideoTransmitter", "dn"),
                     ("http://www.onvif.org/ver10/device/wsdl", "Device", "tds"))


def build_probe(message_id: str | None = None, probe_type: tuple[str, str, str] | None = None) -> tuple[str, bytes]:
    """A Probe; with no `probe_type` it names no Types, and every Target Service answers
    (cameras, NVRs, analytics boxes alike). `probe_type` is (namespace, local name, prefix); the prefix is
    declared on the Types element itself, where every parser finds it (openhab/openhab-addons#9022)."""
    message_id = message_id or f"urn:uuid:{uuid.uuid4()}"
    if probe_type is None:
        probe = "<d:Probe/>"
    else:
        namespace, name, prefix = probe_type
        probe = f'<d:Probe><d:Types xmlns:{prefix}="{namespace}">{prefix}:{name}</d:Types></d:Probe>'
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<s:Envelope xmlns:s="{NS_SOAP}" xmlns:a="{NS_WSA}" xmlns:d="{NS_WSD}">'
        "<s:Header>"
        f"<a:Action s:mustUnderstand=\"1\">{_PROBE_ACTION}</a:Action>"
        f"<a:MessageID>{message_id}</a:MessageID>"
        f"<a:To s:mustUnderstand=\"1\">{_TO}</a:To>"
        "</s:Header>"
        f"<s:Body>{probe}</s:Body>"
        "</s:Envelope>"
    )
    return message_id, xml.encode()


@dataclass
class Discovered:
    """One device as WS-Discovery saw it; merged across duplicate replies."""

    address: str  # the responder's IP (the UDP source of the reply)
    endpoint_reference: str | None = None
    types: list[str] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)
    xaddrs: list[str] = field(default_factory=list)  # fixed up, in the order the device gave them
    advertised_xaddrs: list[str] = field(default_factory=list)  # verbatim
    relates_to_mismatch: bool = False
    # Why a ProbeMatch is taken for an ONVIF device (wsd.onvif_signal); None on a ProbeMatch: some
    # other WS-Discovery host (a Windows PC, a NAS, a printer), listed by discovery, not interrogated.
    onvif_signal: str | None = None
    via: str = "multicast"  # multicast | unicast | http (found by the ONVIF HTTP probe on a target)
    # For --target hosts that did not answer WS-Discovery: ports to try the ONVIF HTTP probe on,
    # and whether to report the host even when nothing answers (named hosts yes, range sweeps no).
    probe_ports: tuple[int, ...] = ()
    report_if_silent: bool = True

    def merge(self, other: Discovered) -> None:
        for mine, theirs in (
            (self.types, other.types),
            (self.scopes, other.scopes),
            (self.xaddrs, other.xaddrs),
            (self.advertised_xaddrs, other.advertised_xaddrs),
        ):
            mine.extend(v for v in theirs if v not in mine)
        self.endpoint_reference = self.endpoint_reference or other.endpoint_reference
        self.relates_to_mismatch = self.relates_to_mismatch or other.relates_to_mismatch
        self.onvif_signal = self.onvif_signal or other.onvif_signal

    def service_url(self) -> str | None:
        """The device-service URL to interrogate: an IPv4 XAddr on the responder, else the first one."""
        for url in self.xaddrs:
            if _host_of(url) == self.address:
                return url
        return self.xaddrs[0] if self.xaddrs else None


def _children(element, name: str) -> list:
    return [child for child in element.iter() if local_name(child.tag) == name]


def _text(element) -> str:
    return (element.text or "").strip() if element is not None else ""


def _host_of(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def fix_xaddr(url: str, responder: str) -> str | None:
    """Replace an unusable host (0.0.0.0, empty, another machine) with the responder's address.

    IPv6 XAddrs are kept as they are (the device may well be dual-stack); URLs
    that are not http(s) are dropped.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    host = parts.hostname or ""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None  # a hostname: we do no DNS lookups, so use the responder
    if ip is not None and ip.version == 6:
        return url.strip()
    if ip is not None and str(ip) == responder:
        return url.strip()
    netloc = responder if port is None else f"{responder}:{port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/onvif/device_service", parts.query, ""))


# Windows PCs, NAS boxes and printers speak WS-Discovery too (Types wsdp:Device pub:Computer, no
# scopes, XAddrs like http://nas:5357/wsd/<uuid>), and many answer every Probe, typed or not
# (Mi-Bee-Studio/MiBeeNvr#266). ONVIF requires its devices to give an ONVIF type and onvif://
# scopes; a firmware that botches both still serves its device service under /onvif/.
_ONVIF_NAMESPACE = "http://www.onvif.org/"
_ONVIF_SCOPE = "onvif://www.onvif.org/"
# Type names only ONVIF uses: trusted whatever namespace (or undeclared prefix) they come in. A plain
# "Device" needs ONVIF's namespace: it is also the Devices Profile's wsdp:Device, which every Windows
# PC announces.
_ONVIF_TYPE_NAMES = frozenset({"NetworkVideoTransmitter", "NetworkVideoDisplay", "NetworkVideoStorage",
                               "NetworkVideoAnalytics"})


def onvif_signal(types: list[tuple[str | None, str]], scopes: list[str], xaddrs: list[str]) -> str | None:
    """Why a ProbeMatch looks like an ONVIF device (the first reason found), or None if nothing does.

    `types` are (namespace, or None when the prefix is undeclared; local name) pairs.
    """
    for namespace, name in types:
        if name in _ONVIF_TYPE_NAMES or (namespace or "").startswith(_ONVIF_NAMESPACE):
            return f"ONVIF type {name}"
    for scope in scopes:
        if scope.lower().startswith(_ONVIF_SCOPE):
            return "onvif:// scope"
    for url in xaddrs:
        try:
            path = urlsplit(url).path
        except ValueError:
            continue
        if "/onvif" in path.lower():
            return "XAddr under /onvif/"
    return None


def _qualified_types(types_element) -> list[tuple[str | None, str]]:
    """The QNames of a Types element, each resolved against the namespaces in scope there."""
    if types_element is None:
        return []
    nsmap = types_element.nsmap
    out = []
    for qname in _text(types_element).split():
        prefix, _, name = qname.rpartition(":")
        out.append((nsmap.get(prefix or None), name))
    return out


class NotWsDiscovery(ValueError):
    """The datagram is not a readable WS-Discovery message (bad XML, DTD/entities, wrong shape)."""


def parse_probe_matches(data: bytes, responder: str, expected_ids: set[str] | frozenset[str] = frozenset()
                        ) -> list[Discovered]:
    """Every ProbeMatch in a datagram, each with XAddrs fixed up from `responder`."""
    try:
        root = parse_untrusted(data)
    except (MalformedXml, UnsafeXml) as exc:
        raise NotWsDiscovery(f"unreadable WS-Discovery reply from {responder}: {type(exc).__name__}") from None
    action = _text(next(iter(_children(root, "Action")), None))
    if action and not action.endswith("ProbeMatches"):
        return []  # a Hello, Bye or someone else's Probe echoed on the group
    relates = _text(next(iter(_children(root, "RelatesTo")), None))
    mismatch = bool(expected_ids) and relates not in expected_ids
    found = []
    for match in _children(root, "ProbeMatch"):
        endpoint = None
        for epr in _children(match, "EndpointReference"):
            endpoint = _text(next(iter(_children(epr, "Address")), None)) or None
        advertised = _text(next(iter(_children(match, "XAddrs")), None)).split()
        fixed: list[str] = []
        for url in advertised:
            fixed_url = fix_xaddr(url, responder)
            if fixed_url and fixed_url not in fixed:
                fixed.append(fixed_url)
        types_element = next(iter(_children(match, "Types")), None)
        scopes = split_scope_list(_text(next(iter(_children(match, "Scopes")), None)))
        found.append(
            Discovered(
                address=responder,
                endpoint_reference=endpoint,
                types=_text(types_element).split(),
                scopes=scopes,
                xaddrs=fixed,
                advertised_xaddrs=advertised,
                relates_to_mismatch=mismatch,
                onvif_signal=onvif_signal(_qualified_types(types_element), scopes, advertised),
            )
        )
    return found


class DiscoveryTable:
    """Replies merged per device: same endpoint reference, or same responder when none is given.

    ONVIF devices and other WS-Discovery hosts (`onvif_signal` None) are kept apart; the others
    one per address.
    """

    def __init__(self) -> None:
        self._by_key: dict[str, Discovered] = {}
        self._others: dict[str, Discovered] = {}

    def add(self, item: Discovered) -> bool:
        """Merge `item`; True when it is a device (or other host) not seen before."""
        if item.onvif_signal is not None:
            table, key = self._by_key, item.endpoint_reference or f"addr:{item.address}"
        else:  # one entry per address: a host answering under ever new endpoint references cannot grow it
            table, key = self._others, item.address
        existing = table.get(key)
        if existing is None:
            table[key] = item
            return True
        existing.merge(item)
        return False

    def __len__(self) -> int:
        return len(self._by_key)

    def devices(self) -> list[Discovered]:
        return list(self._by_key.values())

    def others(self) -> list[Discovered]:
        return list(self._others.values())
