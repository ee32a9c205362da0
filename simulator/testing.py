"""Run a simulated lab from other areas' tests.

    from simulator.testing import running_lab

    with running_lab(DEMO_SITE) as lab:          # or running_lab(generate=200, seed=3)
        lab.device("127.10.0.11")["model"]
        scan(...)
        assert any(r["op"] == "GetDeviceInformation" for r in lab.requests())

The lab runs as `python -m cctv_inventory simulate` in a subprocess, inside the network
namespace the test already runs in (tools/isolated); it is terminated when the block exits.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

__all__ = ["DEMO_SITE", "LabStartError", "RunningLab", "running_lab"]

DEMO_SITE = Path(__file__).resolve().parents[1] / "config" / "lab" / "demo-site.yaml"


class LabStartError(RuntimeError):
    """The simulator exited or did not say `ready` in time; the message carries its stderr."""


@dataclass
class RunningLab:
    fixture: dict  # the full fixture in use, as written by --fixture-out (JSON)
    request_log: Path
    process: subprocess.Popen
    _by_address: dict[str, dict] = field(default_factory=dict, repr=False)

    def requests(self) -> list[dict]:
        """Parsed request-log lines so far (a partly written last line is skipped).

        The lab flushes its log once per event-loop turn, after the answer has gone out, so the
        line for an answer just received may still be in its buffer: the file is read once it has
        stopped growing for a moment (a loaded machine made this race visible).
        """
        out = []
        if not self.request_log.exists():
            return out
        size = -1
        while (now := self.request_log.stat().st_size) != size:
            size = now
            time.sleep(0.02)
        for line in self.request_log.read_text(encoding="utf-8").splitlines():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass
        return out

    def device(self, address: str) -> dict:
        """One device's fixture entry; KeyError names the address if the lab has no such device."""
        if not self._by_address:
            self._by_address = {d["address"]: d for d in self.fixture["devices"]}
        return self._by_address[address]

    @property
    def devices(self) -> list[dict]:
        return self.fixture["devices"]


@contextmanager
def running_lab(site: Path | None = None, *, generate: int | None = None, seed: int = 1,
                extra_args: Sequence[str] = (), timeout: float = 60) -> Iterator[RunningLab]:
    if (site is None) == (generate is None):
        raise ValueError("give exactly one of site or generate=N")
    with tempfile.TemporaryDirectory(prefix="cctv-lab-") as tmp:
        fixture_out = Path(tmp) / "fixture.json"
        extra_args = list(extra_args)
        if "--fixture-out" in extra_args:  # the caller wants the file too: read theirs
            fixture_out = Path(extra_args[extra_args.index("--fixture-out") + 1])
        request_log = Path(tmp) / "requests.jsonl"
        stderr_path = Path(tmp) / "stderr.txt"
        args = [sys.executable, "-m", "cctv_inventory", "simulate"]
        args += ["--site", str(site)] if site is not None else ["--generate", str(generate), "--seed", str(seed)]
        if "--fixture-out" not in extra_args:
            args += ["--fixture-out", str(fixture_out)]
        if "--request-log" in extra_args:
            request_log = Path(extra_args[extra_args.index("--request-log") + 1])
        else:
            args += ["--request-log", str(request_log)]
        args += extra_args
        with open(stderr_path, "wb") as stderr:
            process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL,
                                       env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            _wait_ready(process, timeout, stderr_path)
            text = fixture_out.read_text(encoding="utf-8")
            fixture = yaml.safe_load(text) if fixture_out.suffix in (".yaml", ".yml") else json.loads(text)
            yield RunningLab(fixture=fixture, request_log=request_log, process=process)
        finally:
            _stop(process)


def _wait_ready(process: subprocess.Popen, timeout: float, stderr_path: Path) -> None:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    buffer = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.2)
        if ready:
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                break
            buffer += chunk
            if b"ready " in buffer and b" devices\n" in buffer:
                return
        elif process.poll() is not None:
            break
    _stop(process)
    err = stderr_path.read_text(encoding="utf-8", errors="replace").strip()
    state = f"exited with {process.returncode}" if process.returncode is not None else "timed out"
    raise LabStartError(f"simulator {state} before 'ready': {err[-2000:] or '(no stderr)'}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()
