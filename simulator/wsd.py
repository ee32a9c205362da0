"""WS-Discovery 2005/04 responder (SOAP-over-UDP) for every device of a lab.

Multicast Probes to 239.255.255.250:3702 reach every device that is not `unicast_only`;
unicast Probes to a device's own address reach that device. Each ProbeMatch waits a
random delay within APP_MAX_DELAY (500 ms, WS-Discovery §3.1.3) and leaves from the
device's own address, port 3702, so a client sees as many senders as devices.

Two socket layouts (lab.py picks one): per-device sockets bound to (address, 3702) plus one
socket bound to the group address (several labs can share a namespace), or one wildcard
socket that learns the destination with IP_PKTINFO and sets each reply's source the same
way (one socket for thousands of devices).
"""

from __future__ import annotations

import random
import socket
import struct
import uuid
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from defusedxml import ElementTree as SafeET

from . import quirks
from .services import xaddr

GROUP = "239.255.255.250"
PORT = 3702
APP_MAX_DELAY = 0.5
IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)
WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
WSD = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
DN = "http://www.onvif.org/ver10/network/wsdl"
TDS = "http://www.onvif.org/ver10/device/wsdl"
WSDP = "http://schemas.xmlsoap.org/ws/2006/02/devprof"  # the Devices Profile: Windows, printers, NAS
PUB = "http://schemas.microsoft.com/windows/pub/2005/07"
# Type local names a device answers to (loose filtering: prefixes are ignored).
ANSWERED_TYPES = {"NetworkVideoTransmitter", "Device", "NetworkVideoStorage", "NetworkVideoAnalytics"}


def parse_probe(data: bytes) -> tuple[str, set[str]] | None:
    """(MessageID, requested types as written, prefix and all: "dn:NetworkVideoTransmitter") of a Probe,
    or None if it is not one."""
    try:
        root = SafeET.fromstring(data)
    except Exception:  # noqa: BLE001 - garbage on the discovery port is ignored, as devices do
        return None
    probe = root.find(f".//{{{WSD}}}Probe")
    if probe is None:
        return None
    message_id = (root.findtext(f".//{{{WSA}}}MessageID") or "").strip()
    types_text = probe.findtext(f"{{{WSD}}}Types") or ""
    return message_id, set(types_text.split())


# What a firmware that compares the Types text as a string, prefix included, answers (probe_prefix_dn):
# the prefixes ONVIF Device Manager and the Core spec's examples use.
LITERAL_TYPES = {"dn:NetworkVideoTransmitter", "tds:Device"}


def wants(device: dict[str, Any], types: set[str]) -> bool:
    if quirks.has(device, "wsd_host_not_onvif"):
        return True  # WSD hosts answer whatever a Probe asks for (MiBeeNvr#266)
    if quirks.has(device, "probe_prefix_dn"):
        return bool(types & LITERAL_TYPES)
    if not types:
        return not (quirks.has(device, "typed_probes_only") or quirks.has(device, "untyped_probe_fault"))
    return bool({t.rpartition(":")[2] for t in types} & ANSWERED_TYPES)


def link_local(mac: str) -> str:
    """The fe80:: address a device derives from its MAC (modified EUI-64, RFC 4291 appendix A)."""
    b = [int(x, 16) for x in mac.replace("-", ":").split(":")]
    b[0] ^= 0x02
    groups = [b[0] << 8 | b[1], b[2] << 8 | 0xFF, 0xFE << 8 | b[3], b[4] << 8 | b[5]]
    return "fe80::" + ":".join(f"{g:x}" for g in groups)


def autoip(mac: str) -> str:
    """An IPv4 link-local address (169.254.1.0 to 169.254.254.255, RFC 3927) derived from the MAC."""
    b = [int(x, 16) for x in mac.replace("-", ":").split(":")]
    return f"169.254.{b[4] % 254 + 1}.{b[5]}"


def advertised_xaddrs(device: dict[str, Any]) -> str:
    """The ProbeMatch XAddrs: one URL, or that one with the extra ones its quirks add."""
    first = xaddr(device, "device", discovery=True)
    port = "" if device["port"] == 80 else f":{device['port']}"
    if quirks.has(device, "ipv6_xaddrs"):
        return f"{first} http://[{link_local(device['mac'])}]{port}/onvif/device_service"
    if quirks.has(device, "link_local_xaddrs"):
        unreachable = f"http://{autoip(device['mac'])}{port}/onvif/device_service"
        return f"{unreachable} {first}" if quirks.param(device, "link_local_xaddrs", "first") else f"{first} {unreachable}"
    if quirks.has(device, "dual_scheme_xaddrs") and device.get("https_port"):
        tls_port = "" if device["https_port"] == 443 else f":{device['https_port']}"
        return f"{first}  https://{device['address']}{tls_port}/onvif/device_service"  # two spaces, as go2rtc#884
    return first


def probe_matches(device: dict[str, Any], relates_to: str, message_number: int) -> bytes:
    message_id = relates_to if quirks.has(device, "echo_message_id") else f"urn:uuid:{uuid.uuid4()}"
    if quirks.has(device, "wrong_relates_to"):
        relates_to = f"urn:uuid:{uuid.uuid4()}"
    types = "dn:NetworkVideoTransmitter tds:Device"
    scopes = f"<d:Scopes>{escape(' '.join(device['scopes']))}</d:Scopes>"
    xaddrs = advertised_xaddrs(device)
    if quirks.has(device, "wsd_host_not_onvif"):
        types = str(quirks.param(device, "wsd_host_not_onvif", "types"))
        scopes = ""
        xaddrs = f"http://{device['hostname']}:5357/{device['endpoint_reference'].rpartition(':')[2]}/"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="{WSA}" '
        f'xmlns:d="{WSD}" xmlns:dn="{DN}" xmlns:tds="{TDS}" xmlns:wsdp="{WSDP}" xmlns:pub="{PUB}"><env:Header>'
        f"<wsa:MessageID>{escape(message_id)}</wsa:MessageID>"
        f"<wsa:RelatesTo>{escape(relates_to)}</wsa:RelatesTo>"
        f"<wsa:To>{WSA}/role/anonymous</wsa:To>"
        f"<wsa:Action>{WSD}/ProbeMatches</wsa:Action>"
        f'<d:AppSequence InstanceId="1" MessageNumber="{message_number}"/>'
        "</env:Header><env:Body><d:ProbeMatches><d:ProbeMatch>"
        f"<wsa:EndpointReference><wsa:Address>{escape(device['endpoint_reference'])}</wsa:Address>"
        f"</wsa:EndpointReference><d:Types>{escape(types)}</d:Types>{scopes}"
        f"<d:XAddrs>{escape(xaddrs)}</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion>"
        "</d:ProbeMatch></d:ProbeMatches></env:Body></env:Envelope>"
    ).encode()


def probe_fault() -> bytes:
    """What a TP-Link VIGI sends for a Probe naming no Types (andreikop/python-ws-discovery#56):
    a Fault whose Action echoes the Probe's and which relates to nothing."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="{WSA}" '
        'xmlns:ter="http://www.onvif.org/ver10/error"><SOAP-ENV:Header>'
        f"<wsa:MessageID>urn:uuid:{uuid.uuid4()}</wsa:MessageID>"
        f'<wsa:To SOAP-ENV:mustUnderstand="true">urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To>'
        f'<wsa:Action SOAP-ENV:mustUnderstand="true">{WSD}/Probe</wsa:Action>'
        "</SOAP-ENV:Header><SOAP-ENV:Body><SOAP-ENV:Fault><SOAP-ENV:Code><SOAP-ENV:Value>SOAP-ENV:Sender"
        "</SOAP-ENV:Value><SOAP-ENV:Subcode><SOAP-ENV:Value>ter:InvalidArgVal</SOAP-ENV:Value></SOAP-ENV:Subcode>"
        '</SOAP-ENV:Code><SOAP-ENV:Reason><SOAP-ENV:Text xml:lang="en">error</SOAP-ENV:Text></SOAP-ENV:Reason>'
        "</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>"
    ).encode()


class Responder:
    """Reads Probes from the lab's UDP sockets and schedules ProbeMatches."""

    def __init__(self, loop: Any, devices: dict[str, dict[str, Any]], log: Callable[..., None],
                 per_device: bool):
        self.loop = loop
        self.devices = devices
        self.log = log
        self.per_device = per_device
        self.sockets: dict[str, socket.socket] = {}  # device address -> its own socket
        self.shared: list[socket.socket] = []
        self.counters: dict[str, int] = {}
        self.rng = random.Random()

    # --- sockets ---------------------------------------------------------------------

    def open(self) -> None:
        lo_index = socket.if_nametoindex("lo")
        mreq = struct.pack("4s4si", socket.inet_aton(GROUP), socket.inet_aton("0.0.0.0"), lo_index)
        if self.per_device:
            group = self._udp_socket((GROUP, PORT))
            group.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
            self.shared.append(group)
            for address in self.devices:
                sock = self._udp_socket((address, PORT))
                self.sockets[address] = sock
        else:
            wildcard = self._udp_socket(("0.0.0.0", PORT))
            wildcard.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
            self.shared.append(wildcard)
        for sock in [*self.shared, *self.sockets.values()]:
            self.loop.add_reader(sock.fileno(), self._readable, sock)

    def _udp_socket(self, bind: tuple[str, int]) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
        sock.setblocking(False)
        sock.bind(bind)
        return sock

    def close(self) -> None:
        for sock in [*self.shared, *self.sockets.values()]:
            try:
                self.loop.remove_reader(sock.fileno())
            except (ValueError, OSError):
                pass
            sock.close()

    # --- probes ----------------------------------------------------------------------

    def _readable(self, sock: socket.socket) -> None:
        for _ in range(64):  # drain a burst without starving the loop
            try:
                data, ancdata, _flags, src = sock.recvmsg(65535, socket.CMSG_SPACE(12))
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            dest = None
            for level, kind, payload in ancdata:
                if level == socket.IPPROTO_IP and kind == IP_PKTINFO and len(payload) >= 12:
                    dest = socket.inet_ntoa(payload[8:12])  # ipi_addr: the header destination
            self._probe(data, src, dest)

    def _probe(self, data: bytes, src: tuple[str, int], dest: str | None) -> None:
        multicast = dest == GROUP
        if multicast:
            targets = [d for d in self.devices.values() if not quirks.has(d, "unicast_only")]
            proto = "wsd-multicast"
        else:
            device = self.devices.get(dest or "")
            if device is None:
                return
            targets = [device]
            proto = "wsd-unicast"
        parsed = parse_probe(data)
        for device in targets:
            self.log(device=device["address"], src=f"{src[0]}:{src[1]}", proto=proto,
                     op="Probe" if parsed else "invalid", auth="none")
        if parsed is None:
            return
        message_id, types = parsed
        for device in targets:
            if not types and quirks.has(device, "untyped_probe_fault"):
                self.loop.call_later(self.rng.uniform(0, APP_MAX_DELAY), self._send, device, probe_fault(), src)
                continue
            if not wants(device, types):
                continue
            copies = 2 if quirks.has(device, "duplicate_probe_matches") else 1
            number = self.counters[device["address"]] = self.counters.get(device["address"], 0) + 1
            payload = probe_matches(device, message_id, number)
            for _ in range(copies):
                self.loop.call_later(self.rng.uniform(0, APP_MAX_DELAY), self._send, device, payload, src)

    def _send(self, device: dict[str, Any], payload: bytes, dest: tuple[str, int]) -> None:
        try:
            own = self.sockets.get(device["address"])
            if own is not None:
                own.sendto(payload, dest)
            else:
                # struct in_pktinfo {int ifindex; in_addr spec_dst; in_addr addr;}: spec_dst sets the source.
                pktinfo = struct.pack("i4s4s", 0, socket.inet_aton(device["address"]), b"\0\0\0\0")
                self.shared[0].sendmsg([payload], [(socket.IPPROTO_IP, IP_PKTINFO, pktinfo)], 0, dest)
        except OSError:
            pass  # a vanished client is not the device's problem
