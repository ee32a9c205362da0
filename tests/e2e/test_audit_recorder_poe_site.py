"""`cctv-inventory audit` on a site with equipment the scan cannot read: cameras behind a recorder, and
the terminals and servers, which speak no ONVIF.

Simulated site: tests/e2e/fixtures/recorder-poe-site.yaml (two Hanwha cameras on the site network, a
Hikvision NVR recording 8 channels, six of them cameras on its own PoE ports), with its equipment list
recorder-poe-declared.csv (a VMS server at 127.20.0.5, served by the site file's `hosts` with its web
client and RDP open, and an operator terminal at 10.20.0.6, outside the scan's scope). The two cameras are covered by
the sample registry, so without the recorder's channel count the camera part would be localized and the
target met; the six cameras nobody could read make the report incomplete instead.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cctv_inventory.bundle import verify_bundle
from simulator.testing import running_lab
from tests.conftest import CONFIG, REPO

pytestmark = pytest.mark.network

SITE = Path(__file__).parent / "fixtures" / "recorder-poe-site.yaml"
DECLARED = Path(__file__).parent / "fixtures" / "recorder-poe-declared.csv"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("audit")
    site = yaml.safe_load(SITE.read_text(encoding="utf-8"))["site"]
    credentials = out / "credentials.yaml"
    credentials.write_text(yaml.safe_dump([{"scope": "*", **site["credentials"]}]), encoding="utf-8")
    os.chmod(credentials, 0o600)
    with running_lab(SITE) as lab:
        proc = subprocess.run(
            [sys.executable, "-m", "cctv_inventory", "audit", "--interface", "lo",
             "--credentials", str(credentials), "--registry", str(CONFIG / "registry" / "sample-registry.csv"),
             "--declared", str(DECLARED), "--keep-responses",
             "--site", site["name"], "--db", f"sqlite:///{out / 'inventory.db'}",
             "--out", str(out / "report"), "--lang", "en", "--timeout", "5"],
            capture_output=True, text=True, timeout=120, cwd=REPO, check=False,
        )
        lab_log = lab.requests()
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]  # 2: incomplete
    report = json.loads((out / "report" / "report.json").read_text(encoding="utf-8"))
    report["scan"] = json.loads((out / "report" / "scan.json").read_text(encoding="utf-8"))
    report["kept"] = {p.name.split(".")[0] for p in (out / "report" / "responses").iterdir()}
    report["bundle"] = out / "report" / "bundle.zip"
    report["lab_log"] = lab_log
    return report


def test_the_recorders_unseen_cameras_count_as_unread_cameras(report: dict) -> None:
    camera = next(p for p in report["parts"] if p["part"] == "camera")
    assert (camera["devices"], camera["covered"], camera["unread"]) == (8, 2, 6)
    assert report["verdict"] == "incomplete"
    assert sorted(d["address"] for d in report["devices"]) == ["127.20.0.11", "127.20.0.12", "127.20.0.31"]


def test_the_recorder_is_named_with_its_channel_count(report: dict) -> None:
    [finding] = [f for f in report["findings"] if f["kind"] == "recorder_channels_unseen"]
    assert finding["device"] == "127.20.0.31" and finding["severity"] == "high"
    assert (finding["params"]["channels"], finding["params"]["sources"], finding["params"]["unseen"]) == ("8", "2", "6")
    assert "PoE" in finding["message"]


def test_declared_servers_are_checked_for_reachability_inside_the_scope_only(report: dict) -> None:
    checks = {c["address"]: c for c in report["scan"]["host_checks"]}
    # the declared cameras and recorder were found as ONVIF devices: nothing more to check there
    assert set(checks) == {"127.20.0.5", "10.20.0.6"}
    assert (checks["127.20.0.5"]["answered"], checks["127.20.0.5"]["open_ports"]) == (True, [80, 3389])
    # what the server saw: one connection on each open port, nothing else
    seen = sorted(e["op"] for e in report["lab_log"] if e["device"] == "127.20.0.5")
    assert seen == ["connect 3389", "connect 80"]
    assert (checks["10.20.0.6"]["skipped"], checks["10.20.0.6"]["answered"]) == ("out_of_scope", False)


def test_declared_servers_are_reported_as_unidentifiable_with_what_answered(report: dict) -> None:
    servers = {f["params"]["model"]: f for f in report["findings"]
               if f["kind"] == "declared_not_found" and f["params"].get("variant") == "terminal"}
    assert set(servers) == {"SSM-VMS-64", "24CN670"}
    assert servers["SSM-VMS-64"]["severity"] == "info"  # present at its address; identity as declared
    assert ("a host answers at the declared address 127.20.0.5 (TCP port(s) 80, 3389 open), but not as an ONVIF device"
            in servers["SSM-VMS-64"]["evidence"])
    assert servers["24CN670"]["severity"] == "warning"
    assert ("the declared address 10.20.0.6 was not checked: it is outside the scan's scope"
            in servers["24CN670"]["evidence"])


def test_keep_responses_keeps_the_answers_beside_the_report_and_in_the_bundle(report: dict) -> None:
    nvr = next(d for d in report["scan"]["devices"] if d["address"] == "127.20.0.31")
    [sources] = [e["sha256"] for e in nvr["evidence"] if e["field"] == "video_sources"]
    assert sources in report["kept"]  # the answer the 8 channels were counted from
    assert verify_bundle(report["bundle"]).responses == len(report["kept"])  # and they travel in the bundle
