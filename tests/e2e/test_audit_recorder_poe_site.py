"""`cctv-inventory audit` on a site whose recorder has cameras the scan cannot reach.

Simulated site: tests/e2e/fixtures/recorder-poe-site.yaml (two Hanwha cameras on the site network, a
Hikvision NVR recording 8 channels, six of them cameras on its own PoE ports). The two cameras are
covered by the sample registry, so without the recorder's channel count the camera part would be
localized and the target met; the six cameras nobody could read make the report incomplete instead.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from simulator.testing import running_lab
from tests.conftest import CONFIG, REPO

pytestmark = pytest.mark.network

SITE = Path(__file__).parent / "fixtures" / "recorder-poe-site.yaml"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("audit")
    site = yaml.safe_load(SITE.read_text(encoding="utf-8"))["site"]
    credentials = out / "credentials.yaml"
    credentials.write_text(yaml.safe_dump([{"scope": "*", **site["credentials"]}]), encoding="utf-8")
    os.chmod(credentials, 0o600)
    with running_lab(SITE):
        proc = subprocess.run(
            [sys.executable, "-m", "cctv_inventory", "audit", "--interface", "lo",
             "--credentials", str(credentials), "--registry", str(CONFIG / "registry" / "sample-registry.csv"),
             "--site", site["name"], "--db", f"sqlite:///{out / 'inventory.db'}",
             "--out", str(out / "report"), "--lang", "en", "--timeout", "5"],
            capture_output=True, text=True, timeout=120, cwd=REPO, check=False,
        )
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]  # 2: incomplete
    return json.loads((out / "report" / "report.json").read_text(encoding="utf-8"))


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
