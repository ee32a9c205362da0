"""How fast does `cctv-inventory simulate --generate N` come up, and how big is it?

    python benchmarks/simulator_start.py            # 5000 devices, seed 1
    python benchmarks/simulator_start.py 1000 --seed 3 --runs 3

Re-runs itself inside tools/isolated (DESIGN §9), starts the simulator, measures the time from
launch to `ready N devices` on stdout, reads the process's RSS, sends one multicast WS-Discovery
Probe and counts ProbeMatches within APP_MAX_DELAY + 1 s, then stops it with SIGTERM and checks
it exits 0. Prints one JSON line per run.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PROBE = ('<?xml version="1.0" encoding="utf-8"?><e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" '
         'xmlns:w="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
         'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">'
         "<e:Header><w:MessageID>urn:uuid:{id}</w:MessageID><w:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To>"
         "<w:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</w:Action></e:Header>"
         "<e:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></e:Body></e:Envelope>")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def probe_count(window: float) -> tuple[int, float]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024 * 1024)
    sock.bind(("127.0.0.1", 0))
    sock.setblocking(False)
    start = time.monotonic()
    sock.sendto(PROBE.format(id=uuid.uuid4()).encode(), ("239.255.255.250", 3702))
    senders: set[str] = set()
    last = 0.0
    while time.monotonic() - start < window:
        ready, _, _ = select.select([sock], [], [], 0.05)
        while ready:
            try:
                _, src = sock.recvfrom(65535)
            except BlockingIOError:
                break
            senders.add(src[0])
            last = time.monotonic() - start
    sock.close()
    return len(senders), last


def one_run(n: int, seed: int) -> dict:
    fixture_out = Path(tempfile.mkdtemp(prefix="cctv-bench-")) / "fixture.json"
    cmd = [sys.executable, "-m", "cctv_inventory", "simulate", "--generate", str(n), "--seed", str(seed),
           "--fixture-out", str(fixture_out)]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    assert proc.stdout is not None
    line = proc.stdout.readline().decode().strip()
    ready_s = time.monotonic() - start
    if not line.startswith("ready"):
        proc.kill()
        raise SystemExit(f"simulator did not get ready: {line!r} {proc.stderr.read().decode()[-2000:]}")
    rss = rss_mib(proc.pid)
    answered, last_reply = probe_count(window=1.5)
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(30)
    devices = json.loads(fixture_out.read_text())["devices"]
    expected = sum(1 for d in devices if not any(q["name"] == "unicast_only" for q in d["quirks"]))
    shutil.rmtree(fixture_out.parent)
    return {"devices": n, "seed": seed, "ready_line": line, "ready_s": round(ready_s, 2), "rss_mib": round(rss, 1),
            "probe_senders": answered, "probe_expected": expected, "last_probe_match_s": round(last_reply, 2), "exit_code": code,
            "cpus": os.cpu_count()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("devices", nargs="?", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    if os.environ.get("CCTV_ISOLATED") != "1":
        os.execv(str(REPO / "tools" / "isolated"), [str(REPO / "tools" / "isolated"), sys.executable, *sys.argv])
    for _ in range(args.runs):
        print(json.dumps(one_run(args.devices, args.seed)), flush=True)


if __name__ == "__main__":
    main()
