"""Interrogation of many devices in one event loop, in this process or in a worker process.

`Interrogator` owns the process-wide aiohttp session and zeep clients and a
semaphore for global concurrency; each device is its own task with its own
deadline, so a hanging device holds one slot for at most `deadline_s` and
never slows the rest. `worker_main` runs one Interrogator in a child process,
fed through a queue, streaming each finished Device back.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import multiprocessing
import os
import signal
import socket
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Self

import aiohttp

from .credentials import CredentialBook
from .interrogate import InterrogationSettings, interrogate
from .model import Device
from .neighbours import NeighbourTable
from .probes import ProbeContext
from .soap import OnvifClients
from .tls import tls_context
from .vendors import load_vendor_catalog
from .wsd import Discovered

CONNECT_PROBE_TIMEOUT_S = 1.5


@dataclass(frozen=True)
class WorkerConfig:
    credentials: CredentialBook
    concurrency: int
    settings: InterrogationSettings


async def _port_open(address: str, port: int) -> bool:
    # A bare non-blocking connect: no transport or stream objects for what is only a yes/no,
    # and a sweep of a large range makes tens of thousands of these.
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        async with asyncio.timeout(CONNECT_PROBE_TIMEOUT_S):
            await loop.sock_connect(sock, (address, port))
        return True
    except (OSError, TimeoutError):
        return False
    finally:
        sock.close()


async def _first_open_port(address: str, ports: tuple[int, ...]) -> int | None:
    """The ONVIF HTTP probe for targets silent on WS-Discovery: the first usual port that accepts.

    All ports at once: an address where nothing answers (no host, or a firewall that drops) costs
    one connect timeout, not one per port.
    """
    accepted = await asyncio.gather(*(_port_open(address, port) for port in ports))
    return next((port for port, ok in zip(ports, accepted, strict=True) if ok), None)


class Interrogator:
    def __init__(self, config: WorkerConfig, on_device: Callable[[Device | None, str], None]):
        self.config = config
        self.on_device = on_device
        self.catalog = load_vendor_catalog()
        # Devices wait here as plain records, and become tasks only when a slot frees: 5,000
        # waiting tasks (each with its coroutine frame) cost tens of MB per worker for nothing.
        self._waiting: deque[Discovered] = deque()
        self._tasks: set[asyncio.Task] = set()

    async def __aenter__(self) -> Self:
        # Three connections per device at most: enough for a 2 s-per-answer device to fit a 10 s
        # deadline, and every request beyond reuses one (each new connection costs both sides CPU).
        # A device talks in one burst, so idle sockets are dropped after a second.
        connector = aiohttp.TCPConnector(limit=0, limit_per_host=3, ssl=tls_context(), enable_cleanup_closed=True,
                                         keepalive_timeout=1.0)
        # The device deadline is what bounds a device; sock_read is only a safety net so that
        # no request can outlive it, even one whose task lost its parent.
        deadline = self.config.settings.deadline_s
        # Bodies are never decompressed (a small gzip can expand past any cap before we see it), so
        # devices are asked for none: aiohttp would otherwise advertise gzip, and a device that
        # honours it (Pelco, home-assistant/core#149829) sends what we would call malformed XML.
        self.session = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(
            total=None, connect=min(5.0, deadline), sock_read=deadline), auto_decompress=False,
            headers={"Accept-Encoding": "identity"})
        self.clients = OnvifClients(self.session)
        await self.clients.setup()
        self.context = ProbeContext(self.clients, self.session, self.config.settings.side_timeout_s,
                                    self.config.settings.deadline_s, NeighbourTable())
        return self

    async def __aexit__(self, *exc) -> None:
        self._waiting.clear()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.clients.close()
        await self.session.close()

    def submit(self, found: Discovered) -> None:
        self._waiting.append(found)
        self._start_waiting()

    def _start_waiting(self) -> None:
        while self._waiting and len(self._tasks) < self.config.concurrency:
            task = asyncio.create_task(self._one(self._waiting.popleft()))
            self._tasks.add(task)
            task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        self._start_waiting()

    async def _one(self, found: Discovered) -> None:
        if not found.xaddrs and found.probe_ports:
            port = await _first_open_port(found.address, found.probe_ports)
            if port is None:
                if found.report_if_silent:
                    self.on_device(Device(
                        address=found.address, port=found.probe_ports[0], status="unreachable",
                        status_reason="no answer to WS-Discovery, nor on TCP port(s) "
                        + ", ".join(map(str, found.probe_ports)), role_reason="not interrogated (unreachable)"), found.address)
                else:
                    self.on_device(None, found.address)  # a silent address in a swept range
                return
            found.xaddrs = [f"http://{found.address}:{port}/onvif/device_service"]
        device = await interrogate(found, self.context, self.config.credentials, self.catalog,
                                   self.config.settings)
        if found.via == "sweep" and not device.manufacturer:
            self.on_device(None, found.address)  # an open port in a sweep that is not ONVIF
            return
        self.on_device(device, found.address)

    async def drain(self) -> None:
        while self._tasks or self._waiting:
            self._start_waiting()
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def worker_main(jobs, results, config: WorkerConfig) -> None:
    """Child-process entry: the parent handles SIGINT and collects; the child just stops when told."""
    # Forked from a process whose event loop may own signal handlers and a wakeup fd: drop them,
    # or a signal to this child would be written into the parent's loop.
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    # zeep turns every answer into thousands of short-lived objects, so at Python's default (700, 10, 10)
    # a worker collected some 1,600 times in a 5,000-device scan and spent 8 % of its CPU there
    # (1.4 of 17.5 s). At 10,000 it collects a few dozen times (0.2 s); peak memory did not move.
    gc.set_threshold(10_000, 10, 10)
    asyncio.run(_worker_loop(jobs, results, config))


def _die_with_parent() -> None:
    """A parent killed outright (SIGKILL, the OOM killer) runs no clean-up, and `daemon=True` only acts on a
    normal exit: the job queue never reads EOF, and the worker would go on probing devices for nobody.
    Linux's PR_SET_PDEATHSIG has the kernel kill it with its parent."""
    forked_by = multiprocessing.parent_process()  # its pid as known at the fork, not whoever adopted us since
    parent = forked_by.pid if forked_by is not None else os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the parent's own clean-up is all there is
        return
    if os.getppid() != parent:  # the parent died before the prctl took hold
        os._exit(1)


_PR_SET_PDEATHSIG = 1


async def _worker_loop(jobs, results, config: WorkerConfig) -> None:
    loop = asyncio.get_running_loop()
    async with Interrogator(config, lambda device, address: results.put(("device", (device, address)))) as interrogator:
        results.put(("ready", None))
        while True:
            batch = await loop.run_in_executor(None, jobs.get)
            if batch is None:
                break
            for found in batch:
                interrogator.submit(found)
        await interrogator.drain()
    results.put(("done", None))
