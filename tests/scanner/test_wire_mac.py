"""A device reached over a real link, not loopback: the simulator runs in a network namespace of its own,
joined to the test namespace by a veth pair whose far end carries the device's fixture MAC. A device
that gives no MAC over ONVIF (no_network_interfaces) still gets the MAC its NIC answered ARP with.

Site: written below (one TRUEN camera at 10.77.0.2 on veth-cctvd, inside the test namespace only).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from scanner.credentials import CredentialBook
from scanner.engine import ScanRequest, scan

pytestmark = pytest.mark.network
REPO = Path(__file__).resolve().parents[2]
DEVICE, SCANNER, MAC = "10.77.0.2", "10.77.0.1", "00:1c:63:77:00:02"
SITE = {
    "site": {"name": "veth test site (fictional)", "credentials": {"username": "admin", "password": "Veth!Site1"}},
    "devices": [{"address": DEVICE, "manufacturer": "TRUEN", "model": "TN-P4220CSL", "firmware": "1.7.4",
                 "serial": "TRN770002", "mac": MAC, "role": "camera", "quirks": ["no_network_interfaces"]}],
}
# The far end: a fresh namespace that waits for its veth, gives it the fixture MAC and address, then
# becomes the simulator. Nothing in it can reach beyond the test namespace.
FAR_END = f"""
while ! ip link show veth-cctvd >/dev/null 2>&1; do sleep 0.05; done
ip link set lo up
ip link set veth-cctvd address {MAC}
ip addr add {DEVICE}/24 dev veth-cctvd
ip link set veth-cctvd up
exec "$0" -m cctv_inventory simulate --site "$1"
"""


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


@pytest.fixture
def far_device(tmp_path):
    site = tmp_path / "veth-site.yaml"
    site.write_text(yaml.safe_dump(SITE), encoding="utf-8")
    lab = subprocess.Popen(["unshare", "--net", "--", "sh", "-c", FAR_END, sys.executable, str(site)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
                           env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        _ip("link", "add", "veth-cctvs", "type", "veth", "peer", "name", "veth-cctvd")
        _ip("link", "set", "veth-cctvd", "netns", str(lab.pid))
        _ip("addr", "add", f"{SCANNER}/24", "dev", "veth-cctvs")
        _ip("link", "set", "veth-cctvs", "up")
        deadline = time.monotonic() + 30
        line = ""
        while time.monotonic() < deadline and not line.startswith("ready"):
            line = lab.stdout.readline() if lab.stdout else ""
            if not line and lab.poll() is not None:
                pytest.fail(f"simulator did not start: {lab.stderr.read() if lab.stderr else ''}")
        assert line.startswith("ready"), line
        yield
    finally:
        lab.terminate()
        lab.wait(10)
        subprocess.run(["ip", "link", "del", "veth-cctvs"], capture_output=True, check=False)


def test_mac_from_the_neighbour_table_when_onvif_gives_none(far_device):
    result = scan(ScanRequest(targets=(f"{DEVICE}",), multicast=False, timeout_s=5, workers=0,
                              credentials=CredentialBook.single("admin", "Veth!Site1"), inventory_host=False))
    [device] = result.devices
    assert device.status == "ok" and device.serial == "TRN770002"
    assert device.mac == MAC  # GetNetworkInterfaces was refused; the kernel learned it over ARP
    assert any(e.field == "mac" and e.operation == "ARP neighbour table" for e in device.evidence)
    assert device.fingerprints.oui_vendor  # and the OUI fingerprint follows from it
