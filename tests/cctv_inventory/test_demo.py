"""`cctv-inventory demo`: the README's first command, from the installed entry point.

Simulated site: config/lab/demo-site.yaml (the demo starts it itself).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.network


@dataclass(frozen=True)
class DemoRun:
    returncode: int
    stdout: str
    stderr: str
    session: int  # the demo runs in a session of its own; whatever it leaves behind keeps this id


def run_demo(out: Path) -> DemoRun:
    with subprocess.Popen(
        [sys.executable, "-m", "cctv_inventory", "demo", "--out", str(out), "--lang", "en"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    ) as proc:
        try:
            stdout, stderr = proc.communicate(timeout=240)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    return DemoRun(proc.returncode, stdout, stderr, proc.pid)


def simulators_left_by(run: DemoRun) -> list[str]:
    """Simulators still running in the demo's session. Only the demo's count: other tests and engineers
    run labs on this machine too, and theirs may start while the demo runs."""
    ps = subprocess.run(["ps", "-eo", "sid,pid,args"], capture_output=True, text=True, check=False).stdout
    return [
        line.strip()
        for line in ps.splitlines()[1:]
        if "cctv_inventory simulate" in line and line.split(None, 1)[0] == str(run.session)
    ]


def test_demo_writes_the_report_set_and_leaves_nothing_running(tmp_path: Path) -> None:
    proc = run_demo(tmp_path / "demo")
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads((tmp_path / "demo" / "report.json").read_text(encoding="utf-8"))
    assert f"verdict: {report['verdict']}" in proc.stdout
    assert str((tmp_path / "demo" / "report.html").resolve()) in proc.stdout
    for name in ("report.html", "report.csv", "report.xlsx", "bundle.zip", "scan.json"):
        assert (tmp_path / "demo" / name).is_file(), name
    # the answers behind the fields are kept: the demo's model of a Hanwha camera, in its own words
    scan = json.loads((tmp_path / "demo" / "scan.json").read_text(encoding="utf-8"))
    camera = next(d for d in scan["devices"] if d["address"] == "127.10.0.11")
    [model] = [e["sha256"] for e in camera["evidence"] if e["field"] == "model"]
    assert b"XNO-6080R" in (tmp_path / "demo" / "responses" / f"{model}.xml").read_bytes()
    assert "evidence: " in proc.stdout
    assert simulators_left_by(proc) == []


@pytest.fixture
def visible_fake_interface() -> Iterator[str]:
    """A veth pair named like real NICs inside the test namespace, so the demo sees 'a network'.
    Both ends stay in this namespace and down: nothing can leave through them."""
    if not shutil.which("ip"):
        pytest.skip("iproute2 not installed")
    name = "eth9"
    made = subprocess.run(["ip", "link", "add", name, "type", "veth", "peer", "name", "eth10"], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"cannot create a veth pair here: {made.stderr.decode().strip()}")
    try:
        yield name
    finally:
        subprocess.run(["ip", "link", "del", name], capture_output=True, check=False)


def test_demo_isolates_itself_when_it_can_see_another_interface(tmp_path: Path, visible_fake_interface: str) -> None:
    proc = run_demo(tmp_path / "demo")
    assert proc.returncode == 0, proc.stderr[-3000:]
    scan = json.loads((tmp_path / "demo" / "scan.json").read_text(encoding="utf-8"))
    # the scan ran in a namespace of its own: the demo's lab answered there
    assert len(scan["devices"]) == 25
    assert simulators_left_by(proc) == []


def test_demo_out_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    """--out naming a file: a traceback (FileExistsError from mkdir), exit 1; the file is left alone."""
    taken = tmp_path / "out"
    taken.write_text("an earlier file\n", encoding="utf-8")
    run = run_demo(taken)
    assert run.returncode == 3, run.stderr
    assert run.stderr.strip() == f"error: --out {taken}: cannot write there (File exists)"
    assert taken.read_text(encoding="utf-8") == "an earlier file\n"
