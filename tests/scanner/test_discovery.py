"""Discovery's scope (scanner/discovery.py) on a real simulated wire.

Site: tests/scanner/fixtures/outside-scope-site.yaml. The scan is given one interface whose network is
127.47.0.0/24 (the machine's interface list is replaced, nothing else: the Probes go out on `lo` of the
test namespace and the simulator answers them as a site's cameras would).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from scanner import scope as scope_module
from scanner.credentials import CredentialBook
from scanner.engine import ScanRequest, scan
from scanner.scope import Interface
from scanner.serialize import read_scan_json, write_scan_json

pytestmark = pytest.mark.network

SITE = Path(__file__).parent / "fixtures" / "outside-scope-site.yaml"
IN_SCOPE, OUTSIDE = "127.47.0.10", "127.47.1.64"


@pytest.fixture(scope="module")
def outside_scope_scan():
    from simulator.testing import running_lab

    interface = Interface("lo", "127.0.0.1", ipaddress.IPv4Network("127.47.0.0/24"))
    with pytest.MonkeyPatch.context() as patch, running_lab(SITE) as lab:
        patch.setattr(scope_module, "list_interfaces", lambda: [interface])
        result = scan(ScanRequest(interfaces=("lo",), credentials=CredentialBook.single("admin", "Outside!Site1"),
                                  timeout_s=5, workers=0))
        yield lab, result


def test_a_camera_outside_the_scope_is_listed_from_its_probe_match_and_never_contacted(outside_scope_scan):
    lab, result = outside_scope_scan
    assert [d.address for d in result.devices] == [IN_SCOPE] and result.devices[0].status == "ok"
    [outside] = result.other_responders
    assert outside.address == OUTSIDE and outside.outside_scope
    assert "onvif://www.onvif.org/hardware/DS-2CD2143G2-I" in outside.scopes
    assert outside.xaddrs == (f"http://{OUTSIDE}/onvif/device_service",)  # verbatim, never called
    heard = {r["proto"] for r in lab.requests() if r["device"] == OUTSIDE}
    assert heard == {"wsd-multicast"}, heard  # only the Probe every device on the wire hears


def test_the_listing_survives_the_scan_file(outside_scope_scan, tmp_path):
    _, result = outside_scope_scan
    path = tmp_path / "scan.json"
    write_scan_json(result, path)
    assert read_scan_json(path).other_responders == result.other_responders


def test_responders_outside_the_scope_are_listed_up_to_a_bound(outside_scope_scan, monkeypatch):
    """Forged sources are no inventory: past MAX_OUTSIDE_LISTED only the count is logged (set to 0 here)."""
    from scanner import discovery

    monkeypatch.setattr(discovery, "MAX_OUTSIDE_LISTED", 0)  # the same lab, scanned once more
    result = scan(ScanRequest(interfaces=("lo",), credentials=CredentialBook.single("admin", "Outside!Site1"),
                              timeout_s=5, workers=0))
    assert [d.address for d in result.devices] == [IN_SCOPE] and result.other_responders == ()
