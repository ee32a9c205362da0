"""WS-Discovery on our own asyncio UDP socket: multicast from chosen interfaces, unicast to targets.

Why not WSDiscovery's ThreadedWSDiscovery: its loop reads about ten replies a
second, and with 1,000 devices answering inside APP_MAX_DELAY the kernel drops
~93% of the ProbeMatches. Here the socket has a large receive buffer, the
callback only parses, and the window stays open while replies keep coming.

The socket binds to the interface's own address on an ephemeral port (never
3702, which a VMS on the same host may hold), so the Probe leaves with a real
source address and devices can answer it. Multicast TTL is 1: a Probe never
crosses a router.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

from .scope import ResolvedScope
from .wsd import APP_MAX_DELAY_S, WSD_MULTICAST, WSD_PORT, Discovered, DiscoveryTable, NotWsDiscovery, \
    build_probe, parse_probe_matches

log = logging.getLogger(__name__)

RECEIVE_BUFFER_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class DiscoverySettings:
    repeats: int = 3  # SOAP-over-UDP: repeat the Probe; UDP loses datagrams
    gap_s: float = 0.1
    margin_s: float = 0.5  # after APP_MAX_DELAY past the last Probe
    quiet_s: float = 0.3  # ...and keep listening while replies still arrive, until this long quiet
    max_window_s: float = 15.0  # hard bound whatever happens
    unicast_rate_per_s: float = 2000.0  # Probes per second to --target addresses


class _Receiver(asyncio.DatagramProtocol):
    def __init__(self, on_datagram: Callable[[bytes, str], None]):
        self.on_datagram = on_datagram
        self.last_reply = 0.0

    def datagram_received(self, data: bytes, addr) -> None:
        self.last_reply = time.monotonic()
        self.on_datagram(data, addr[0])

    def error_received(self, exc: Exception) -> None:  # ICMP port unreachable from a unicast target
        log.debug("WS-Discovery socket error: %s", exc)


def _socket(bind_address: str, multicast_if: str | None) -> tuple[socket.socket, int]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    for option in (getattr(socket, "SO_RCVBUFFORCE", None), socket.SO_RCVBUF):
        if option is None:
            continue
        try:
            sock.setsockopt(socket.SOL_SOCKET, option, RECEIVE_BUFFER_BYTES)
            break
        except OSError:
            continue  # SO_RCVBUFFORCE needs CAP_NET_ADMIN; SO_RCVBUF is capped by rmem_max
    granted = sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    if multicast_if:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(multicast_if))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
    sock.bind((bind_address, 0))
    sock.setblocking(False)
    return sock, granted


async def discover(scope: ResolvedScope, settings: DiscoverySettings, on_new: Callable[[Discovered], None],
                   ) -> DiscoveryTable:
    """Multicast from each chosen interface and unicast to each target; `on_new` sees each new device at once."""
    table = DiscoveryTable()
    message_ids: set[str] = set()
    rejected: list[str] = []

    def handle(data: bytes, responder: str) -> None:
        if not scope.allows(responder):
            rejected.append(responder)  # a reply from outside the scope: never contacted
            return
        try:
            matches = parse_probe_matches(data, responder, message_ids)
        except NotWsDiscovery as exc:
            log.debug("%s", exc)
            return
        for found in matches:
            if table.add(found):
                on_new(found)

    loop = asyncio.get_running_loop()
    transports = []
    plans: list[tuple[asyncio.DatagramTransport, list[tuple[str, int]], str]] = []
    for iface in scope.interfaces if scope.multicast else ():
        sock, granted = _socket(iface.address or "0.0.0.0", iface.address)
        log.debug("WS-Discovery socket on %s: receive buffer %d bytes granted", iface.name, granted)
        transport, protocol = await loop.create_datagram_endpoint(lambda: _Receiver(handle), sock=sock)
        transports.append((transport, protocol))
        plans.append((transport, [WSD_MULTICAST], "multicast"))
    unicast = [(addr, WSD_PORT) for target in scope.targets for addr in target.addresses()]
    if unicast:
        sock, _ = _socket("0.0.0.0", None)
        transport, protocol = await loop.create_datagram_endpoint(lambda: _Receiver(handle), sock=sock)
        transports.append((transport, protocol))
        plans.append((transport, unicast, "unicast"))
    try:
        for repeat in range(settings.repeats):
            for transport, destinations, _kind in plans:
                message_id, probe = build_probe()
                message_ids.add(message_id)
                await _send_all(transport, probe, destinations, settings.unicast_rate_per_s)
            if repeat + 1 < settings.repeats:
                await asyncio.sleep(settings.gap_s)
        last_send = time.monotonic()
        deadline = last_send + settings.max_window_s
        window_end = last_send + APP_MAX_DELAY_S + settings.margin_s
        while True:
            now = time.monotonic()
            last_reply = max((p.last_reply for _, p in transports), default=0.0)
            if now >= deadline or (now >= window_end and now - last_reply >= settings.quiet_s):
                break
            await asyncio.sleep(0.05)
    finally:
        for transport, _ in transports:
            transport.close()
    if rejected:
        log.warning("ignored WS-Discovery replies from %d address(es) outside the scope", len(set(rejected)))
    return table


async def _send_all(transport: asyncio.DatagramTransport, probe: bytes, destinations: list[tuple[str, int]],
                    rate_per_s: float) -> None:
    batch = max(1, int(rate_per_s / 20))  # send in 50 ms slices to honour the rate
    for start in range(0, len(destinations), batch):
        for destination in destinations[start:start + batch]:
            transport.sendto(probe, destination)
        if start + batch < len(destinations):
            await asyncio.sleep(0.05)
