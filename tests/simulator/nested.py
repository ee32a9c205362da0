"""Run a command in a fresh network namespace nested inside the test one (lo only, multicast on).

Used for what must not share the test namespace: a wildcard-listening lab (it takes 0.0.0.0:80)
and the interface guard (which needs a non-lo interface; a dummy one in a nested namespace is
connected to nothing)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SETUP = ("ip link set lo up; ip link set lo multicast on; "
         "ip route add 239.0.0.0/8 dev lo src 127.0.0.1; {extra} exec \"$@\"")


def run_nested(args: Sequence[str], *, extra_setup: str = "", timeout: float = 120) -> subprocess.CompletedProcess:
    script = SETUP.format(extra=extra_setup)
    return subprocess.run(["unshare", "--net", "--", "sh", "-c", script, "sh", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=REPO, check=False)


def python(*args: str) -> list[str]:
    return [sys.executable, *args]
