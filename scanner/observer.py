"""Progress through an observer: the engine reports, observers show. Rich is one, plain lines another."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from .model import Device


class ScanObserver:
    """Every hook is optional; the engine calls them from its event loop, in order."""

    def scan_started(self, scope_text: str) -> None: ...
    def discovery_finished(self, found: int, others: int = 0, outside: int = 0) -> None: ...
    def device_discovered(self, address: str) -> None: ...
    def device_done(self, device: Device) -> None: ...
    def scan_finished(self, devices: int, complete: bool) -> None: ...
    def warning(self, message: str) -> None: ...
    def hosts_checking(self, count: int) -> None: ...


class PlainObserver(ScanObserver):
    """One line per event, for logs and pipes; a progress line at most once every `every_s` seconds."""

    def __init__(self, out: TextIO = sys.stderr, every_s: float = 2.0):
        self.out = out
        self.every_s = every_s
        self.discovered = self.done = self.failed = 0
        self._last = 0.0
        self._start = time.monotonic()

    def _line(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def scan_started(self, scope_text: str) -> None:
        self._line(f"scan: {scope_text}")

    def device_discovered(self, address: str) -> None:
        self.discovered += 1

    def discovery_finished(self, found: int, others: int = 0, outside: int = 0) -> None:
        extra = f"; {others} other WS-Discovery host(s) (not ONVIF) listed, not interrogated" if others else ""
        extra += f"; {outside} responder(s) outside the scope listed, never contacted" if outside else ""
        self._line(f"discovery: {found} device(s) found{extra}")

    def device_done(self, device: Device) -> None:
        self.done += 1
        if device.status != "ok":
            self.failed += 1
            self._line(f"device {device.address}: {device.status} ({device.status_reason})")
        now = time.monotonic()
        if now - self._last >= self.every_s:
            self._last = now
            rate = self.done / max(now - self._start, 1e-6)
            self._line(f"progress: {self.done}/{self.discovered} interrogated, {self.failed} failed, {rate:.0f}/s")

    def warning(self, message: str) -> None:
        self._line(f"warning: {message}")

    def hosts_checking(self, count: int) -> None:
        self._line(f"checking {count} declared host(s) for a TCP answer (no ONVIF device read there)")

    def scan_finished(self, devices: int, complete: bool) -> None:
        self._line(f"scan {'finished' if complete else 'cut short'}: {devices} device(s)")


class RichObserver(ScanObserver):
    """A live progress bar on a terminal: discovered / interrogated / failed, rate and ETA."""

    def __init__(self, console=None):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.console = console or Console(stderr=True)
        self.progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[failed]} failed · {task.fields[rate]}/s"), TimeRemainingColumn(),
            console=self.console, transient=False,
        )
        self.task = None
        self.failed = 0
        self._start = time.monotonic()

    def scan_started(self, scope_text: str) -> None:
        self.console.print(f"[bold]scan[/]: {scope_text}", highlight=False, markup=True)
        self.progress.start()
        self.task = self.progress.add_task("interrogated", total=0, failed=0, rate="0")

    def device_discovered(self, address: str) -> None:
        total = (self.progress.tasks[0].total or 0) + 1
        self.progress.update(self.task, total=total)

    def discovery_finished(self, found: int, others: int = 0, outside: int = 0) -> None:
        self.progress.update(self.task, total=max(found, self.progress.tasks[0].total or 0))
        if others:
            self.progress.console.print(f"{others} other WS-Discovery host(s) (not ONVIF) listed, not interrogated",
                                        markup=False, highlight=False)
        if outside:
            self.progress.console.print(f"{outside} responder(s) outside the scope listed, never contacted",
                                        markup=False, highlight=False)

    def device_done(self, device: Device) -> None:
        if device.status != "ok":
            self.failed += 1
        done = self.progress.tasks[0].completed + 1
        rate = done / max(time.monotonic() - self._start, 1e-6)
        self.progress.update(self.task, completed=done, failed=self.failed, rate=f"{rate:.0f}")

    def warning(self, message: str) -> None:
        self.progress.console.print(f"[yellow]warning[/]: {message}", markup=True, highlight=False)

    def hosts_checking(self, count: int) -> None:
        self.progress.console.print(f"checking {count} declared host(s) for a TCP answer (no ONVIF device read there)",
                                    markup=False, highlight=False)

    def scan_finished(self, devices: int, complete: bool) -> None:
        self.progress.stop()
