"""`cctv-inventory simulate` as a process: input errors, signals, the interface guard, wildcard listening.

Sites: generated ones (--generate) and broken copies of config/lab/demo-site.yaml written to tmp_path;
the guard and wildcard tests run in a nested network namespace (tests/simulator/nested.py).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.testing import DEMO_SITE, running_lab

from .nested import python, run_nested

REPO = Path(__file__).resolve().parents[2]
SIM = [sys.executable, "-m", "cctv_inventory", "simulate"]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*SIM, *args], capture_output=True, text=True, timeout=60, cwd=REPO, check=False)


def test_bad_site_exits_2_naming_the_key(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEMO_SITE.read_text(encoding="utf-8").replace("role: nvr", "role: dvr", 1), encoding="utf-8")
    result = _run("--site", str(bad))
    assert result.returncode == 2
    assert "devices[11].role: 'dvr' is not one of camera, encoder, nvr, analytics" in result.stderr
    assert result.stdout == ""


def test_a_site_that_is_no_text_and_a_fixture_out_that_cannot_be_written(tmp_path: Path):
    """A binary site file said only the codec's words ('utf-8' codec can't decode…), not which file; a
    --fixture-out in a folder that is not there was a traceback (NotADirectoryError)."""
    binary = tmp_path / "site.yaml"
    binary.write_bytes(b"\xff\xfe\x00site")
    result = _run("--site", str(binary))
    assert result.returncode == 2 and result.stderr.startswith(f"bad site: {binary}: "), result.stderr
    taken = tmp_path / "file"
    taken.write_text("", encoding="utf-8")
    result = _run("--generate", "3", "--fixture-out", str(taken / "lab.json"))
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith(f"cannot write --fixture-out {taken / 'lab.json'}: ")


def test_site_and_generate_are_exclusive():
    assert _run("--site", str(DEMO_SITE), "--generate", "3").returncode == 2
    assert _run().returncode == 2


@pytest.mark.network
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signals_stop_cleanly(sig, tmp_path: Path):
    with running_lab(generate=20, seed=2, extra_args=["--base-address", "127.40.0.0/24"]) as lab:
        assert len(lab.devices) == 20 and lab.fixture["seed"] == 2
        lab.process.send_signal(sig)
        assert lab.process.wait(15) == 0


@pytest.mark.network
def test_fixture_out_yaml(tmp_path: Path):
    out = tmp_path / "site.yaml"
    with running_lab(generate=5, seed=9, extra_args=["--base-address", "127.41.0.0/24", "--fixture-out", str(out)]):
        pass
    import yaml

    written = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert written["devices"][0]["address"].startswith("127.41.0.")


@pytest.mark.network
def test_refuses_when_another_interface_is_visible():
    # A veth pair named like a real NIC, inside a nested namespace: connected to nothing.
    result = run_nested([*SIM, "--generate", "2"],
                        extra_setup="ip link add eth9 type veth peer name eth9p || exit 97;", timeout=60)
    if result.returncode == 97:
        pytest.skip(f"cannot create a veth pair here: {result.stderr.strip()}")
    assert result.returncode == 3, result.stderr
    assert "refusing to start" in result.stderr and "eth9" in result.stderr


@pytest.mark.network
def test_wildcard_listening_serves_by_local_address():
    result = run_nested(python("-m", "tests.simulator.wildcard_check", "300"), timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines() if " " in line)
    got, expected = map(int, lines["MULTICAST"].split())
    assert got == expected and expected > 250
    assert lines["SERIAL"] == "True" and lines["UNICAST"] == "True"
    assert lines["HOSTS"] == "True"  # a site file's hosts[] listen in a wildcard lab too


def test_fixture_out_json_is_what_running_lab_reads(tmp_path: Path):
    out = tmp_path / "f.json"
    # --fixture-out is written before the lab binds; a port clash still leaves the file behind.
    result = _run("--generate", "3", "--seed", "4", "--fixture-out", str(out), "--base-address", "127.42.0.0/24",
                  "--i-know-this-is-isolated", "--listen", "bogus")
    assert result.returncode == 2 and "listen must be" in result.stderr
    assert len(json.loads(out.read_text())["devices"]) == 3


def test_running_lab_reports_why_it_did_not_start(tmp_path: Path):
    from simulator.testing import LabStartError

    bad = tmp_path / "bad.yaml"
    bad.write_text("site: {name: x, credentials: {username: a, password: b}}\ndevices: [{address: 10.1.1.1}]\n",
                   encoding="utf-8")
    with pytest.raises(LabStartError, match=r"exited with 2 .*devices\[0\]\.manufacturer: is required"), running_lab(bad):
        pass


@pytest.mark.network
def test_unknown_paths_are_404_with_the_makers_server_header():
    import urllib.error
    import urllib.request

    with running_lab(generate=3, seed=1, extra_args=["--base-address", "127.43.0.0/24"]) as lab:
        device = lab.devices[0]
        request = urllib.request.Request(f"http://{device['address']}/onvif/ptz_service", data=b"<x/>", method="POST")
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(request, timeout=10)
        assert info.value.code == 404 and info.value.headers["Server"]
        assert lab.requests()[-1]["op"] == "POST /onvif/ptz_service"
