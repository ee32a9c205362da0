"""The scan: scope -> discovery -> interrogation -> ScanResult. The one library entry point.

    result = await run_scan(ScanRequest(...), observer)      # or scan(...) from sync code

Discovery runs in this process; interrogation runs in worker processes (one
event loop each, devices streamed to them as they are discovered) or, with
workers=0, in this process. Cancelling the scan (SIGINT, SIGTERM, a caller's
timeout) returns what was collected with complete=False: devices already
finished keep their data; devices found but not finished end as `timeout`
with a reason that says the scan was cut short.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import signal
import threading
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from cctv_inventory import __version__

from .credentials import CredentialBook
from .discovery import DiscoverySettings, discover
from .errors import ScanError
from .interrogate import InterrogationSettings
from .model import Device, HostCheck, OtherResponder, ScanResult, device_order, listed_responders
from .observer import ScanObserver
from .oui import preload_oui_database
from .reachability import check_hosts
from .responses import ResponseStore
from .scope import ONVIF_PORTS, ResolvedScope, resolve_scope
from .selfinventory import self_inventory
from .serialize import ScanFileError, ScanJournal
from .soap import preload_wsdl
from .worker import Interrogator, WorkerConfig, worker_main
from .wsd import Discovered

_BATCH = 64  # devices per message to a worker process
_HOST_CHECK_TIMEOUT_S = 3.0  # per declared host; a LAN host that answers at all does so in milliseconds


@dataclass(frozen=True)
class ScanRequest:
    interfaces: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    credentials: CredentialBook = field(default_factory=CredentialBook)
    site: str = "unnamed site"
    concurrency: int = 256  # devices interrogated at once, over all workers
    timeout_s: float = 10.0  # per device
    multicast: bool = True
    allow_public: bool = False
    workers: int | None = None  # None: one per CPU core (at most 2); 0: interrogate in this process
    discovery: DiscoverySettings = field(default_factory=DiscoverySettings)
    inventory_host: bool = True
    # Declared hosts that speak no ONVIF (VMS servers, terminals): after the scan, each one that is
    # not a device found is checked for reachability over TCP, inside the scope only (reachability.py).
    check_hosts: tuple[str, ...] = ()
    # Keep every raw answer here, one file per distinct answer named by its SHA-256 (responses.py).
    responses_dir: Path | None = None
    # Each finished device is appended here at once (serialize.ScanJournal), so a scan killed
    # outright loses nothing it had read. The file must not exist; the caller deletes it once
    # the scan's own output is safely written.
    journal: Path | None = None


def _worker_count(requested: int | None) -> int:
    if requested is not None:
        return max(0, requested)
    cores = os.cpu_count() or 1
    return 0 if cores < 2 else min(cores, 2)


class _Collector:
    """Devices in the order they finish, and the ones still outstanding, keyed by address."""

    def __init__(self, observer: ScanObserver, journal: ScanJournal | None = None):
        self.observer = observer
        self.journal = journal
        self.pending: dict[str, Discovered] = {}
        self.done: dict[str, Device] = {}
        self.others: list[OtherResponder] = []

    def found(self, item: Discovered) -> bool:
        if item.address in self.pending or item.address in self.done:
            return False  # one device per address even if it answered under two endpoint references
        self.pending[item.address] = item
        if item.via != "sweep":
            self.observer.device_discovered(item.address)
        return True

    def other(self, item: Discovered, outside_scope: bool = False) -> None:
        """A WS-Discovery host that is not ONVIF, or an ONVIF responder outside the scope: recorded (and
        journalled), never interrogated."""
        other = OtherResponder(address=item.address, endpoint_reference=item.endpoint_reference,
                               types=tuple(item.types), scopes=tuple(item.scopes),
                               xaddrs=tuple(item.advertised_xaddrs), outside_scope=outside_scope)
        self.others.append(other)
        if self.journal is not None:
            self.journal.add_other(other)

    def finished(self, device: Device | None, address: str) -> None:
        self.pending.pop(address, None)
        if device is not None:
            self.done[device.address] = device
            if self.journal is not None:
                self.journal.add(device)
            self.observer.device_done(device)

    def devices(self, cut_short: bool) -> tuple[Device, ...]:
        out = list(self.done.values())
        if cut_short:
            for item in self.pending.values():
                if item.via == "sweep":
                    continue
                out.append(Device(
                    address=item.address, port=80, status="timeout", xaddrs=tuple(item.xaddrs),
                    endpoint_reference=item.endpoint_reference, scopes=tuple(item.scopes),
                    status_reason="the scan was cut short before this device was interrogated",
                    role_reason="not interrogated (scan cut short)"))
        return tuple(sorted(out, key=device_order))


async def run_scan(request: ScanRequest, observer: ScanObserver | None = None) -> ScanResult:
    observer = observer or ScanObserver()
    scope = resolve_scope(request.interfaces, request.targets, multicast=request.multicast,
                          allow_public=request.allow_public)
    started = datetime.now(UTC)
    host = self_inventory() if request.inventory_host else None
    head = ScanResult(scan_id=str(uuid.uuid4()), site=request.site, started_at=started, finished_at=None,
                      agent_version=__version__, scope=scope.as_model(), host=host, devices=(), complete=False)
    if request.responses_dir is not None:
        try:
            request.responses_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ScanError(f"cannot keep responses in {request.responses_dir}: {exc.strerror or exc}") from None
    journal = None
    if request.journal is not None:
        try:
            journal = ScanJournal(request.journal, head)
        except ScanFileError as exc:
            raise ScanError(str(exc)) from None
        except OSError as exc:
            raise ScanError(f"cannot write the scan journal {request.journal}: {exc.strerror or exc}") from None
    collector = _Collector(observer, journal)
    observer.scan_started(_describe(scope))
    cut_short: str | None = None
    checks: tuple[HostCheck, ...] = ()
    try:
        await _scan(scope, request, collector, observer)
        # A named --target silent on ONVIF is a device `unreachable`: what answers there is still worth knowing.
        unfound = [a for a in request.check_hosts
                   if a not in collector.done or collector.done[a].status == "unreachable"]
        if unfound:
            observer.hosts_checking(len(set(unfound)))
            checks = await check_hosts(unfound, scope, timeout_s=min(request.timeout_s, _HOST_CHECK_TIMEOUT_S))
    except asyncio.CancelledError:
        cut_short = "scan interrupted (SIGINT/SIGTERM or caller cancelled)"
    finally:
        if journal is not None:
            journal.close()
    devices = collector.devices(bool(cut_short))
    result = replace(head, finished_at=datetime.now(UTC), devices=devices,
                     complete=cut_short is None, interrupted_reason=cut_short,
                     other_responders=listed_responders(collector.others, devices),
                     host_checks=tuple(sorted(checks, key=device_order)))
    observer.scan_finished(len(result.devices), result.complete)
    return result


def scan(request: ScanRequest, observer: ScanObserver | None = None) -> ScanResult:
    """Synchronous wrapper for callers without an event loop."""
    return asyncio.run(run_scan(request, observer))


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def scan_until_signalled(
    request: ScanRequest, observer: ScanObserver | None = None, signals: Sequence[int] = STOP_SIGNALS
) -> tuple[ScanResult, signal.Signals | None]:
    """`scan`, but each of `signals` cuts the scan short instead of ending the process: what was collected
    comes back (complete=False) with the signal that stopped it, for the caller to write and say so.
    Only from the main thread (signal handlers). The caller's handlers are back when this returns."""
    return run_until_signalled(run_scan(request, observer), signals)


def run_until_signalled(coro, signals: Sequence[int] = STOP_SIGNALS):  # type: ignore[no-untyped-def]
    """asyncio.run(until_signalled(coro)), the caller's own handlers of `signals` given back afterwards:
    asyncio's remove_signal_handler leaves SIGTERM at its default, which killed `audit` without a word in
    its report stage. They are put back here, once asyncio.run has returned, not inside the loop: there,
    SIGINT's "previous" handler is asyncio.run's own (it refers to the run's main task), and putting it back
    raised the scanning process's peak memory by 30 MB at 2,000 devices (measured, 141 -> 172 MB)."""
    previous = {sig: signal.getsignal(sig) for sig in signals}
    try:
        return asyncio.run(until_signalled(coro, signals))
    finally:
        for sig, handler in previous.items():
            if handler is not None:
                signal.signal(sig, handler)


async def until_signalled(coro, signals: Sequence[int] = STOP_SIGNALS):  # type: ignore[no-untyped-def]
    """Await `coro`; the first of `signals` cancels it (run_scan then returns what it has), a second one
    is ignored: cancelling again could land after run_scan has caught the first and lose its result.
    The handlers are removed when it ends (run_until_signalled gives the caller's back)."""
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(coro)
    received: list[int] = []

    def stop(sig: int) -> None:
        if not received:
            task.cancel()
        received.append(sig)

    for sig in signals:
        loop.add_signal_handler(sig, stop, sig)
    try:
        result = await task
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)
    return result, signal.Signals(received[0]) if received else None


def _describe(scope: ResolvedScope) -> str:
    parts = []
    if scope.multicast and scope.interfaces:
        parts.append("multicast on " + ", ".join(i.describe() for i in scope.interfaces))
    if scope.targets:
        parts.append("unicast to " + ", ".join(scope.as_model().targets))
    return "; ".join(parts)


def _silent_targets(scope: ResolvedScope, collector: _Collector) -> list[Discovered]:
    """Target hosts that did not answer WS-Discovery get the ONVIF HTTP probe on the usual ports."""
    out = []
    for target in scope.targets:
        named = target.network.num_addresses == 1
        ports = (target.port,) if target.port else ONVIF_PORTS
        for address in target.addresses():
            if address not in collector.pending and address not in collector.done:
                out.append(Discovered(address=address, via="http" if named else "sweep", probe_ports=ports,
                                      report_if_silent=named))
    return out


async def _scan(scope: ResolvedScope, request: ScanRequest, collector: _Collector, observer: ScanObserver) -> None:
    responses = ResponseStore(request.responses_dir) if request.responses_dir is not None else None
    config = WorkerConfig(request.credentials, request.concurrency,
                          InterrogationSettings(deadline_s=request.timeout_s, side_timeout_s=request.timeout_s,
                                                responses=responses))
    workers = _worker_count(request.workers)
    if workers == 0:
        async with Interrogator(config, collector.finished) as interrogator:
            await _feed(scope, request, collector, observer, interrogator.submit)
            await interrogator.drain()
        return
    await _scan_in_workers(scope, request, collector, observer, config, workers)


async def _feed(scope: ResolvedScope, request: ScanRequest, collector: _Collector, observer: ScanObserver,
                submit) -> None:
    def on_new(found: Discovered) -> None:
        if collector.found(found):
            submit(found)

    def on_outside(found: Discovered) -> None:
        collector.other(found, outside_scope=True)

    table = await discover(scope, request.discovery, on_new, collector.other, on_outside)
    observer.discovery_finished(len(table), len(table.others()),
                                sum(1 for o in collector.others if o.outside_scope))
    for item in _silent_targets(scope, collector):
        if collector.found(item):
            submit(item)


async def _scan_in_workers(scope, request, collector, observer, config: WorkerConfig, workers: int) -> None:
    # fork, not spawn: `python -m cctv_inventory` has an unguarded __main__ that spawn would
    # re-run in each child; and a forked child starts in ~10 ms with every module imported.
    # The workers are forked before this process starts any thread.
    context = multiprocessing.get_context("fork")
    # Parse the WSDLs (and load the OUI table) once, here, and freeze the heap before forking: the workers then share those
    # pages with this process instead of each holding its own copy (the GC would otherwise write
    # to every tracked object and un-share them). The loading thread pool is shut down first, so
    # no thread exists when fork() runs.
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(1) as loader:
        loop.set_default_executor(loader)
        await preload_wsdl()
    preload_oui_database()
    loop.set_default_executor(ThreadPoolExecutor())  # starts its threads only when first used
    gc.freeze()
    results = context.Queue()
    per_worker = WorkerConfig(config.credentials, max(1, config.concurrency // workers), config.settings)
    queues = [context.Queue() for _ in range(workers)]
    processes = [context.Process(target=worker_main, args=(q, results, per_worker), daemon=True) for q in queues]
    for process in processes:
        process.start()
    gc.unfreeze()  # the children keep their frozen copy; this process goes back to normal collection
    all_done = loop.create_future()
    finished_workers = 0

    def on_message(kind: str, payload) -> None:
        nonlocal finished_workers
        if kind == "device":
            collector.finished(payload[0], payload[1])
        elif kind == "done":
            finished_workers += 1
            if finished_workers == workers and not all_done.done():
                all_done.set_result(None)

    def reader() -> None:
        remaining = workers
        while remaining:
            kind, payload = results.get()
            if kind == "done":
                remaining -= 1
            loop.call_soon_threadsafe(on_message, kind, payload)

    threading.Thread(target=reader, name="scan-results", daemon=True).start()
    batches: list[list[Discovered]] = [[] for _ in range(workers)]
    counter = 0

    def submit(found: Discovered) -> None:
        nonlocal counter
        index = counter % workers
        counter += 1
        batches[index].append(found)
        if len(batches[index]) >= _BATCH:
            queues[index].put(batches[index])
            batches[index] = []

    async def flush_periodically() -> None:
        while True:
            await asyncio.sleep(0.05)
            for index, batch in enumerate(batches):
                if batch:
                    queues[index].put(batch)
                    batches[index] = []

    flusher = asyncio.create_task(flush_periodically())
    try:
        await _feed(scope, request, collector, observer, submit)
        flusher.cancel()
        for index, batch in enumerate(batches):
            if batch:
                queues[index].put(batch)
        for q in queues:
            q.put(None)
        await all_done
    finally:
        flusher.cancel()
        for process in processes:
            if process.is_alive() and not all_done.done():
                process.terminate()
        for process in processes:
            await loop.run_in_executor(None, process.join, 5)
