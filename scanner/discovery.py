"""WS-Discovery on our own asyncio UDP socket: multicast from chosen interfaces, unicast to targets.

Why not WSDiscovery's ThreadedWSDiscovery: its loop reads about ten replies a
second, and with 1,000 devices answering inside APP_MAX_DELAY the kernel drops
~93% of the ProbeMatches. Here the socket has a large receive buffer, the
callback only parses, and the window stays open while replies keep coming.

Replies are drained from the socket by a small thread (blocking recvfrom, at C speed) into a
queue that the event loop parses in batches: asyncio's datagram transport reads one datagram
per loop turn, and with thousands of devices answering within 500 ms a busy loop lets the
kernel buffer overflow (measured: 9 % of 5,000 devices lost before this change).
Retransmissions of a Probe carry the same MessageID, as SOAP-over-UDP says.

The socket binds to the interface's own address on an ephemeral port (never
3702, which a VMS on the same host may hold), so the Probe leaves with a real
source address and devices can answer it. Multicast TTL is 1: a Probe never
crosses a router.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from .scope import ResolvedScope
from .wsd import (
    APP_MAX_DELAY_S,
    ONVIF_PROBE_TYPES,
    WSD_MULTICAST,
    WSD_PORT,
    Discovered,
    DiscoveryTable,
    NotWsDiscovery,
    build_probe,
    parse_probe_matches,
)

log = logging.getLogger(__name__)

RECEIVE_BUFFER_BYTES = 16 * 1024 * 1024
# Responders outside the scope that are listed (never contacted). A site has a few, cameras left on their
# factory address; past this many, only the count is logged (a flood of forged sources is no inventory,
# and each address read is remembered, so the reading is bounded too).
MAX_OUTSIDE_LISTED = 256
MAX_OUTSIDE_READ = 4096


@dataclass(frozen=True)
class DiscoverySettings:
    repeats: int = 2  # SOAP-over-UDP MULTICAST_UDP_REPEAT: the Probe is sent twice, same MessageID
    gap_s: float = 0.1
    margin_s: float = 0.5  # after APP_MAX_DELAY past the last Probe
    quiet_s: float = 0.3  # ...and keep listening while replies still arrive, until this long quiet
    max_window_s: float = 15.0  # hard bound whatever happens
    unicast_rate_per_s: float = 2000.0  # Probes per second to --target addresses


class _Receiver:
    """Drains one socket in a thread; the event loop collects with `take()`."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.last_reply = 0.0
        self._items: collections.deque[tuple[bytes, str]] = collections.deque()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wsd-receiver", daemon=True)

    def start(self) -> None:
        self.sock.settimeout(0.05)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data, addr = self.sock.recvfrom(65536)
            except TimeoutError:
                continue
            except OSError as exc:  # ICMP port unreachable from a unicast target, or the socket closed
                if self._stop.is_set():
                    return
                log.debug("WS-Discovery socket error: %s", exc)
                continue
            self.last_reply = time.monotonic()
            self._items.append((data, addr[0]))

    def take(self) -> list[tuple[bytes, str]]:
        items = []
        while self._items:
            items.append(self._items.popleft())
        return items

    def send(self, data: bytes, destination: tuple[str, int]) -> None:
        try:
            self.sock.sendto(data, destination)
        except BlockingIOError:
            pass  # the send buffer is full: this Probe is lost, as UDP may lose it anyway
        except OSError as exc:
            log.debug("WS-Discovery send to %s failed: %s", destination, exc)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(1.0)
        self.sock.close()


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
    return sock, granted


async def discover(scope: ResolvedScope, settings: DiscoverySettings, on_new: Callable[[Discovered], None],
                   on_other: Callable[[Discovered], None] = lambda found: None,
                   on_outside: Callable[[Discovered], None] = lambda found: None) -> DiscoveryTable:
    """Multicast from each chosen interface and unicast to each target; `on_new` sees each new device at once.

    `on_other` sees each WS-Discovery host that is not an ONVIF device (wsd.onvif_signal), once;
    `on_outside` each responder whose address lies outside the scope, once, up to MAX_OUTSIDE_LISTED.
    """
    table = DiscoveryTable()
    message_ids: set[str] = set()
    outside: set[str] = set()  # addresses outside the scope whose reply was read (at most MAX_OUTSIDE_READ)
    listed_outside = 0
    more_outside = 0  # replies from further addresses outside the scope, not read

    def handle(data: bytes, responder: str) -> None:
        nonlocal listed_outside, more_outside
        if not scope.allows(responder):
            # Never contacted: the scope is the operator's. Its first reply is read (the same safe parse as
            # any) and listed, since it is a device on the site's wire that the scope leaves out.
            if responder in outside:
                return
            if len(outside) >= MAX_OUTSIDE_READ:
                more_outside += 1
                return
            outside.add(responder)
            try:
                matches = parse_probe_matches(data, responder, message_ids)
            except NotWsDiscovery as exc:
                log.debug("%s", exc)
                return
            onvif = [m for m in matches if m.onvif_signal is not None]  # a PC on another subnet is no finding
            if onvif and listed_outside < MAX_OUTSIDE_LISTED:
                listed_outside += 1
                on_outside(onvif[0])
            return
        if responder in responders:
            return  # its answer to another of our Probes: one device per address, parsed once
        try:
            matches = parse_probe_matches(data, responder, message_ids)
        except NotWsDiscovery as exc:
            log.debug("%s", exc)
            return
        for found in matches:
            if found.onvif_signal is None:
                # Not an ONVIF device; its address stays open, so an ONVIF endpoint on the same
                # host (a VMS server that is also a Windows PC) is still heard.
                if table.add(found):
                    on_other(found)
                continue
            responders.add(responder)
            if table.add(found):
                on_new(found)

    responders: set[str] = set()  # addresses that answered with an ONVIF ProbeMatch
    multicast: list[_Receiver] = []
    for iface in scope.interfaces if scope.multicast else ():
        sock, granted = _socket(iface.address or "0.0.0.0", iface.address)
        log.debug("WS-Discovery socket on %s: receive buffer %d bytes granted", iface.name, granted)
        multicast.append(_Receiver(sock))
    unicast_receiver: _Receiver | None = None
    unicast = [addr for target in scope.targets for addr in target.addresses()]
    if unicast:
        sock, _ = _socket("0.0.0.0", None)
        unicast_receiver = _Receiver(sock)
    receivers = [*multicast, *([unicast_receiver] if unicast_receiver else [])]
    for receiver in receivers:
        receiver.start()

    def drain() -> None:
        for receiver in receivers:
            for data, responder in receiver.take():
                handle(data, responder)

    # Every window counts from the last Probe sent: a window with nothing sent since the one before
    # ends as soon as replies have stopped, instead of waiting APP_MAX_DELAY again.
    last_send = time.monotonic()
    try:
        if multicast:
            groups = [(r, [WSD_MULTICAST]) for r in multicast]
            last_send = await _probe(settings, groups, message_ids, drain)
            # Some devices answer only a Probe that names their type (TP-Link TL-IPC43KP-4:
            # edgexfoundry/device-onvif-camera#135; an Intelbras/Dahua DVR: lumeohq/onvif-rs#61).
            # So a second round asks by type, once the first round's replies are in: the devices
            # that answered already answer again, and those replies are dropped unparsed.
            await _listen(receivers, settings, last_send, drain, max_s=settings.max_window_s)
            for probe_type in ONVIF_PROBE_TYPES:
                last_send = await _probe(settings, groups, message_ids, drain, probe_type)
        if unicast_receiver is not None:
            if multicast:
                # Unicast only to the targets multicast did not already find: every device would
                # otherwise answer twice, doubling the parse work here and the devices' own.
                await _listen(receivers, settings, last_send, drain, max_s=settings.max_window_s)
                unicast = [addr for addr in unicast if addr not in responders]
            if unicast:
                last_send = await _probe(settings, [(unicast_receiver, [(addr, WSD_PORT) for addr in unicast])],
                                         message_ids, drain)
                # A host named on its own that stays silent is asked by type, as multicast asks the
                # link: TP-Link answers only a typed Probe (edgexfoundry/device-onvif-camera#135), a
                # VIGI faults the untyped one (andreikop/python-ws-discovery#56). Ranges are not asked
                # again: a sweep of a /16 would pay two more rounds for every unused address.
                sent = set(unicast)
                named = [addr for target in scope.targets if target.network.num_addresses == 1
                         for addr in target.addresses() if addr in sent]
                if named:
                    await _listen(receivers, settings, last_send, drain, max_s=settings.max_window_s)
                    silent = [(addr, WSD_PORT) for addr in named if addr not in responders]
                    for probe_type in ONVIF_PROBE_TYPES if silent else ():
                        last_send = await _probe(settings, [(unicast_receiver, silent)], message_ids, drain,
                                                 probe_type)
        await _listen(receivers, settings, last_send, drain, max_s=settings.max_window_s)
    finally:
        for receiver in receivers:
            receiver.close()
        drain()
    if more_outside or len(outside) > listed_outside:
        log.warning("WS-Discovery replies from %d address(es) outside the scope (%d more replies not read), "
                    "%d of them listed as ONVIF devices; none contacted", len(outside), more_outside, listed_outside)
    return table


async def _probe(settings: DiscoverySettings, plans: list[tuple[_Receiver, list[tuple[str, int]]]],
                 message_ids: set[str], drain: Callable[[], None], probe_type: tuple[str, str, str] | None = None,
                 ) -> float:
    """Send each plan's Probe `repeats` times (same MessageID each time, as SOAP-over-UDP says).

    Returns when the last one left (time.monotonic()), where the reply window starts.
    """
    probes = {id(receiver): build_probe(probe_type=probe_type) for receiver, _ in plans}
    for repeat in range(settings.repeats):
        for receiver, destinations in plans:
            message_id, probe = probes[id(receiver)]
            message_ids.add(message_id)
            await _send_all(receiver, probe, destinations, settings.unicast_rate_per_s, drain)
        if repeat + 1 < settings.repeats:
            await asyncio.sleep(settings.gap_s)
            drain()
    return time.monotonic()


async def _listen(receivers: list[_Receiver], settings: DiscoverySettings, last_send: float,
                  drain: Callable[[], None], max_s: float) -> None:
    """Collect replies for APP_MAX_DELAY + margin after the last send, longer while they still come."""
    deadline = last_send + max_s
    window_end = last_send + APP_MAX_DELAY_S + settings.margin_s
    while True:
        drain()
        now = time.monotonic()
        last_reply = max((r.last_reply for r in receivers), default=0.0)
        if now >= deadline or (now >= window_end and now - last_reply >= settings.quiet_s):
            return
        await asyncio.sleep(0.02)


async def _send_all(receiver: _Receiver, probe: bytes, destinations: list[tuple[str, int]], rate_per_s: float,
                    drain: Callable[[], None]) -> None:
    batch = max(1, int(rate_per_s / 20))  # send in 50 ms slices to honour the rate
    for start in range(0, len(destinations), batch):
        for destination in destinations[start:start + batch]:
            receiver.send(probe, destination)
        if start + batch < len(destinations):
            await asyncio.sleep(0.05)
            drain()
