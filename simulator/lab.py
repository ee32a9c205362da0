"""Run a whole simulated site in one process: sockets, responders, request log, readiness.

`Lab(fixture, ...).serve(on_ready)` binds every listener, checks that every device answers
on its ONVIF port, calls `on_ready(n)` and serves until `stop()`.

Listening layout (`listen`):
- `per-device`: sockets bound to each device's own address. Several labs can share one
  network namespace (a test's lab next to another test's). Default up to 512 devices.
- `wildcard`: one TCP socket per distinct port on 0.0.0.0 and one UDP socket for 3702; the
  device is found from each connection's local address. Thousands of devices in a few
  sockets; only one wildcard lab per namespace and port.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import resource
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from .http_server import Https, OnvifHttp, Rtsp
from .wsd import Responder

PER_DEVICE_LIMIT = 512


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class RequestLog:
    """JSON lines, one per request a device received. Never holds a password.

    Lines are flushed once per event-loop turn, not one write(2) each: a scan of thousands of devices
    makes tens of thousands of requests, and a reader (a test asserting on the log) sees every line
    as soon as the lab's loop is idle again.
    """

    def __init__(self, path: Path | None):
        self.stream: IO[str] | None = open(path, "a", encoding="utf-8") if path else None  # noqa: SIM115
        self._flush_pending = False

    def __call__(self, *, device: str, src: str, proto: str, op: str, auth: str) -> None:
        if self.stream is None:
            return
        line = {"t": datetime.now(UTC).isoformat(timespec="milliseconds"), "device": device, "src": src,
                "proto": proto, "op": op, "auth": auth}
        self.stream.write(json.dumps(line, ensure_ascii=False) + "\n")
        if not self._flush_pending:
            try:
                asyncio.get_running_loop().call_soon(self._flush)
                self._flush_pending = True
            except RuntimeError:  # no loop (a caller outside the lab's): write through
                self.stream.flush()

    def _flush(self) -> None:
        self._flush_pending = False
        if self.stream is not None and not self.stream.closed:
            self.stream.flush()

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()


# Device key -> what listens there. One listener per (address, port) per device, or per port in wildcard mode.
_ENDPOINT_KINDS = (("port", "http"), ("rtsp_port", "rtsp"), ("https_port", "https"), ("web_port", "web"))


class Lab:
    def __init__(self, fixture: dict[str, Any], *, request_log: Path | None = None, listen: str = "auto"):
        self.fixture = fixture
        self.devices = {d["address"]: d for d in fixture["devices"]}
        if listen == "auto":
            listen = "per-device" if len(self.devices) <= PER_DEVICE_LIMIT else "wildcard"
        if listen not in ("per-device", "wildcard"):
            raise ValueError(f"listen must be auto, per-device or wildcard, not {listen!r}")
        self.listen = listen
        self.log = RequestLog(request_log)
        self.servers: list[asyncio.base_events.Server] = []
        self.responder: Responder | None = None
        self._stopped = asyncio.Event()

    def stop(self) -> None:
        self._stopped.set()

    async def serve(self, on_ready: Callable[[int], None]) -> None:
        loop = asyncio.get_running_loop()
        raise_fd_limit()
        # Every request makes thousands of short-lived objects (aiohttp's request, lxml's tree, the answer):
        # Python's default gen-0 threshold of 700 collects hundreds of times a second under load.
        gc.set_threshold(10_000, 10, 10)
        try:
            await self._bind(loop)
            await self._check_answering()
            on_ready(len(self.devices))
            await self._stopped.wait()
        finally:
            await self._close()

    # --- binding ---------------------------------------------------------------------

    async def _bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self.responder = Responder(loop, self.devices, self.log, per_device=self.listen == "per-device")
        self.responder.open()
        onvif = OnvifHttp(self.devices, self.log)
        https = Https(self.devices, self.log, onvif)
        bound: set[tuple[str, int]] = set()
        for key, kind in _ENDPOINT_KINDS:
            for host, port in self._endpoints(key):
                if (host, port) in bound:  # a wildcard port that is one device's ONVIF port, another's web UI
                    continue
                bound.add((host, port))
                sock = _tcp_listener(host, port)
                if kind == "http":
                    server = await loop.create_server(onvif.server, sock=sock, backlog=4096)
                elif kind == "web":
                    server = await loop.create_server(onvif.web_server, sock=sock, backlog=4096)
                elif kind == "rtsp":
                    server = await loop.create_server(lambda: Rtsp(self.devices, self.log), sock=sock,
                                                      backlog=4096)
                else:
                    server = await loop.create_server(https.protocol, sock=sock, backlog=4096)
                self.servers.append(server)
        wildcard_ports = {port for host, port in self._all_endpoints() if host == "0.0.0.0"}
        for machine in self.fixture.get("hosts") or ():
            for port in machine["ports"]:
                if port in wildcard_ports:
                    continue  # the wildcard socket accepts this address's connections already
                server = await loop.create_server(lambda m=machine: _Presence(m, self.log),
                                                  sock=_tcp_listener(machine["address"], port), backlog=256)
                self.servers.append(server)

    def _all_endpoints(self) -> list[tuple[str, int]]:
        return [e for key, _ in _ENDPOINT_KINDS for e in self._endpoints(key)]

    def _endpoints(self, key: str) -> list[tuple[str, int]]:
        ports = [(d["address"], d[key]) for d in self.devices.values() if d.get(key) is not None]
        if self.listen == "per-device":
            return ports
        return sorted({("0.0.0.0", port) for _, port in ports})

    async def _check_answering(self) -> None:
        """Every device accepts a connection on its ONVIF port before we say ready."""
        sem = asyncio.Semaphore(256)

        async def one(device: dict[str, Any]) -> None:
            async with sem:
                for attempt in range(50):
                    try:
                        _, writer = await asyncio.open_connection(device["address"], device["port"])
                        writer.close()
                        return
                    except OSError:
                        await asyncio.sleep(0.05 * (attempt + 1))
                raise RuntimeError(f"device {device['address']}:{device['port']} does not accept connections")

        await asyncio.gather(*(one(d) for d in self.devices.values()))

    async def _close(self) -> None:
        for server in self.servers:
            server.close()
        if self.responder is not None:
            self.responder.close()
        for server in self.servers:
            with contextlib.suppress(Exception):  # hung clients must not block exit
                await asyncio.wait_for(server.wait_closed(), 2)
        self.log.close()


class _Presence(asyncio.Protocol):
    """A non-ONVIF host's open port: accepts, logs the connection, says nothing, closes."""

    def __init__(self, machine: dict[str, Any], log: RequestLog):
        self.machine = machine
        self.log = log

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername") or ("?", 0)
        port = (transport.get_extra_info("sockname") or ("?", 0))[1]
        self.log(device=self.machine["address"], src=str(peer[0]), proto="tcp", op=f"connect {port}", auth="none")
        transport.close()


def _tcp_listener(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(4096)  # a scanner opens hundreds at once; the kernel caps it at somaxconn
    sock.setblocking(False)
    return sock
