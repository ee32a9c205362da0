"""Scans of config/lab/demo-site.yaml (the 25-device demo site) compared with the simulator's fixture."""

from __future__ import annotations

import pytest

from scanner.credentials import load_credentials
from scanner.engine import ScanRequest, run_scan, scan
from scanner.model import Device
from simulator.auth import digest_realm
from simulator.banners import banner_for

pytestmark = pytest.mark.network

# What each misbehaving demo device must end as (fixture quirks / wrong password).
EXPECTED_FAILURES = {
    "127.10.0.61": ("timeout", "deadline"),  # quirk hang
    "127.10.0.62": ("protocol_error", "malformed XML"),  # quirk malformed_xml
    "127.10.0.63": ("auth_failed", "refused the credentials"),  # its password is in no credentials file
}
UNICAST_ONLY = "127.10.0.18"
DIGEST_EVEN_FOR_THE_CLOCK = "127.10.0.45"  # an Axis: auth digest, all_ops_require_auth


@pytest.fixture(scope="module")
def multicast_scan(demo_lab, demo_credentials):
    """Site: demo-site.yaml. Multicast on lo, two worker processes (the default path)."""
    request = ScanRequest(interfaces=("lo",), credentials=load_credentials(demo_credentials), site="demo",
                          timeout_s=4, workers=2)
    return scan(request)


def by_address(result) -> dict[str, Device]:
    return {d.address: d for d in result.devices}


def test_every_multicast_device_found_and_read_correctly(demo_lab, multicast_scan):
    """Site: demo-site.yaml. Every field of every answering device equals the fixture."""
    found = by_address(multicast_scan)
    expected = {d["address"] for d in demo_lab.devices} - {UNICAST_ONLY}
    assert set(found) == expected  # the unicast-only camera stays silent on multicast
    assert multicast_scan.complete
    for address, device in found.items():
        truth = demo_lab.device(address)
        if address in EXPECTED_FAILURES:
            continue
        assert device.status == "ok", (address, device.status_reason)
        for field in ("manufacturer", "model", "firmware", "serial", "hardware_id", "mac", "hostname",
                      "endpoint_reference", "role"):
            assert getattr(device, field) == truth[field], (address, field)
        assert device.port == truth["port"]
        assert set(device.scopes) == set(truth["scopes"])
        assert device.video_sources == (truth["channels"] if truth["role"] in ("encoder", "nvr")
                                        else min(truth["channels"], 4))
        assert device.role_reason
        assert device.clock_skew_s is not None
        # Server headers as the true maker's firmware sends them, and none where it sends none (Dahua's web
        # server, Hikvision's RTSP): what the wire said, never aiohttp's own
        said = banner_for(truth["true_maker"])
        assert (device.fingerprints.http_server, device.fingerprints.rtsp_server) == (said.http_server, said.rtsp_server)
        assert device.fingerprints.http_title == said.title
        # DESCRIBE without credentials: the realm the maker's RTSP asks for (Hikvision's "IP Camera(…)")
        assert device.fingerprints.rtsp_realm == digest_realm(truth)
        # An HTTP 401 the scan got anyway gives its realm; only the Axis refused a call of ours at all
        assert device.fingerprints.http_realm == (digest_realm(truth) if address == DIGEST_EVEN_FOR_THE_CLOCK else None)
        assert {e.field for e in device.evidence} >= {"manufacturer", "model", "serial", "mac", "services"}
        assert all(len(e.sha256) == 64 for e in device.evidence)
        if truth["role"] == "nvr":
            assert device.recordings == truth["channels"]


def _read_fields(device: Device) -> tuple:
    """What a scan reads from a device, without what depends on the moment (skew, digests of dated answers)."""
    return (device.status, device.manufacturer, device.model, device.firmware, device.serial, device.mac,
            device.hostname, device.role, device.scopes, device.services, device.video_sources, device.profiles,
            device.recordings, device.fingerprints, device.suspected_relabel)


def test_uvloop_reads_what_the_standard_loop_reads(demo_lab, demo_credentials, multicast_scan):
    """Site: demo-site.yaml. The CLI runs every command on uvloop (cctv_inventory/cli.py), the fixture
    above on asyncio's own loop: both read every field, TLS and RTSP fingerprints included, alike."""
    uvloop = pytest.importorskip("uvloop")
    request = ScanRequest(interfaces=("lo",), credentials=load_credentials(demo_credentials), site="demo",
                          timeout_s=4, workers=2)
    on_uvloop = {d.address: _read_fields(d) for d in uvloop.run(run_scan(request, None)).devices}
    on_asyncio = {d.address: _read_fields(d) for d in multicast_scan.devices}
    assert on_uvloop == on_asyncio
    assert sum(1 for fields in on_uvloop.values() if fields[13].tls_subject) >= 10


def test_tls_subjects_name_the_true_maker(demo_lab, multicast_scan):
    """Site: demo-site.yaml. The certificate names the true maker (a relabelled camera's is Dahua's), in its
    subject or, for Dahua, whose device CA signs a subject naming only the device, in its issuer.

    The simulator starts TLS after accept and loses a ClientHello that arrives first; the
    probe's settle-then-handshake retry is what makes every device answer here.
    """
    from scanner.vendors import load_vendor_catalog

    catalog = load_vendor_catalog()
    with_subject = [d for d in multicast_scan.devices if d.fingerprints.tls_subject]
    assert {d.address for d in multicast_scan.devices if d.status == "ok"} <= {d.address for d in with_subject}
    for device in with_subject:
        prints = device.fingerprints
        family = catalog.family_of_banner(prints.tls_subject) or catalog.family_of_banner(prints.tls_issuer)
        truth = demo_lab.device(device.address)["true_maker"]
        if family is not None:
            assert family.id == truth, device.address
        if truth == "dahua":  # its device CA names Dahua; the subject names only the device
            assert family is not None and catalog.family_of_banner(prints.tls_subject) is None, device.address
    relabelled = next(d for d in multicast_scan.devices if d.address == "127.10.0.51")
    assert any(line.startswith("TLS certificate issuer: ") and line.endswith("→ Dahua")
               for line in relabelled.suspected_relabel.evidence)
    self_signed = [d for d in with_subject if demo_lab.device(d.address)["true_maker"] not in (None, "dahua")]
    assert self_signed and all(d.fingerprints.tls_issuer is None for d in self_signed)  # issuer = subject: once


def test_quirky_devices_end_in_the_right_status(multicast_scan):
    """Site: demo-site.yaml. hang, malformed XML and a wrong password each end as data, with a reason."""
    found = by_address(multicast_scan)
    for address, (status, reason_part) in EXPECTED_FAILURES.items():
        assert found[address].status == status, (address, found[address].status_reason)
        assert reason_part in found[address].status_reason
    assert found["127.10.0.13"].clock_skew_s == pytest.approx(3600, abs=5)  # quirk clock_skew, still read
    assert found["127.10.0.16"].services  # quirk no_get_services: GetCapabilities fallback
    assert "GetCapabilities" in found["127.10.0.16"].status_reason
    assert found["127.10.0.41"].xaddrs == ("http://127.10.0.41/onvif/device_service",)  # quirk zero_xaddrs fixed up
    assert found["127.10.0.64"].status == "ok"  # duplicate ProbeMatches + wrong RelatesTo: one device


def test_relabelled_devices_are_flagged_and_only_they(demo_lab, multicast_scan):
    """Site: demo-site.yaml. The 한빛비전 cameras are Dahua-made; nobody else is accused."""
    for device in multicast_scan.devices:
        truth = demo_lab.device(device.address)
        if truth["relabel_of"]:
            assert device.suspected_relabel is not None, device.address
            assert device.suspected_relabel.claimed == "한빛비전"
            assert device.suspected_relabel.likely_maker == "Dahua"
            assert any(line.startswith("MAC OUI") for line in device.suspected_relabel.evidence)
        else:
            assert device.suspected_relabel is None, (device.address, device.suspected_relabel)


def test_credentials_reach_the_right_hosts(demo_lab, multicast_scan):
    """Site: demo-site.yaml. The host-specific password opens 127.10.0.20; the site password the rest."""
    found = by_address(multicast_scan)
    assert found["127.10.0.20"].status == "ok"  # all_ops_require_auth + its own password
    assert found["127.10.0.45"].status == "ok"  # HTTP digest + all_ops_require_auth
    log = demo_lab.requests()
    assert any(r["device"] == "127.10.0.20" and r["op"] == "GetDeviceInformation" and r["auth"] == "ok" for r in log)
    assert any(r["device"] == "127.10.0.63" and r["auth"] == "failed" for r in log)
    rtsp = [r for r in log if r["proto"] == "rtsp"]
    assert {r["op"] for r in rtsp} == {"OPTIONS", "DESCRIBE"} and all(r["auth"] == "none" for r in rtsp)
    # Every device that answered got signed requests that the device accepted.
    for address, device in found.items():
        if device.status == "ok":
            assert any(r["device"] == address and r["op"] == "GetNetworkInterfaces" and r["auth"] == "ok"
                       for r in log), address


def test_unicast_only_device_found_through_target_and_nothing_else_touched(demo_lab, demo_credentials):
    """Site: demo-site.yaml. Unicast to two hosts only: both read, no other device receives anything."""
    before = len(demo_lab.requests())
    request = ScanRequest(targets=(UNICAST_ONLY, "127.10.0.31:8000"), credentials=load_credentials(demo_credentials),
                          multicast=False, timeout_s=4, workers=0)
    result = scan(request)
    found = by_address(result)
    assert set(found) == {UNICAST_ONLY, "127.10.0.31"}
    assert found[UNICAST_ONLY].status == "ok" and found[UNICAST_ONLY].model == demo_lab.device(UNICAST_ONLY)["model"]
    assert found["127.10.0.31"].role == "nvr"
    touched = {r["device"] for r in demo_lab.requests()[before:]}
    assert touched == {UNICAST_ONLY, "127.10.0.31"}
    assert result.scope.multicast is False and result.scope.targets == (UNICAST_ONLY, "127.10.0.31:8000")


def test_a_range_includes_its_first_and_last_address(demo_lab, demo_credentials):
    """Site: demo-site.yaml. 127.10.0.12/30 as a range carved out of a subnet: 127.10.0.12 and .15, its
    first and last addresses, are cameras like .13 and .14 (network.hosts() would have dropped them)."""
    request = ScanRequest(targets=("127.10.0.12/30",), credentials=load_credentials(demo_credentials),
                          multicast=False, timeout_s=4, workers=0)
    found = by_address(scan(request))
    assert set(found) == {"127.10.0.12", "127.10.0.13", "127.10.0.14", "127.10.0.15"}
    assert found["127.10.0.12"].model == demo_lab.device("127.10.0.12")["model"]


def test_named_target_that_is_silent_is_reported_unreachable(demo_lab):
    """Site: demo-site.yaml (its devices stay silent: the target is an unused address)."""
    before = len(demo_lab.requests())
    result = scan(ScanRequest(targets=("127.10.9.9",), multicast=False, timeout_s=3, workers=0))
    [device] = result.devices
    assert device.status == "unreachable" and "80, 8000" in device.status_reason
    assert demo_lab.requests()[before:] == []


def test_unicast_probes_go_only_where_multicast_found_nothing(demo_lab, demo_credentials):
    """Site: demo-site.yaml, multicast on lo plus its whole range as --target: the devices that answered
    multicast get no unicast Probe (each would answer twice); the unicast-only camera gets one and is read."""
    before = len(demo_lab.requests())
    request = ScanRequest(interfaces=("lo",), targets=("127.10.0.0/24",), credentials=load_credentials(demo_credentials),
                          timeout_s=4, workers=0)
    result = scan(request)
    found = by_address(result)
    assert found[UNICAST_ONLY].status == "ok"
    assert set(found) == {d["address"] for d in demo_lab.devices}
    unicast = {r["device"] for r in demo_lab.requests()[before:] if r["proto"] == "wsd-unicast"}
    assert unicast == {UNICAST_ONLY}


def test_a_quick_device_gets_one_connection_for_its_onvif_calls_and_login_page(demo_lab, demo_credentials):
    """Site: demo-site.yaml. 127.10.0.41 (port 80) answers at once: every ONVIF call and GET / come
    over one kept-alive connection (soap.DeviceContext.lanes), not one each or one per burst."""
    address = "127.10.0.41"
    before = len(demo_lab.requests())
    # A generous deadline: "quick" is an answer within a twentieth of it, even on a loaded machine.
    request = ScanRequest(targets=(address,), credentials=load_credentials(demo_credentials), multicast=False,
                          timeout_s=20, workers=0)
    device = by_address(scan(request))[address]
    assert device.status == "ok" and device.fingerprints.http_server
    web = [r for r in demo_lab.requests()[before:] if r["device"] == address and r["proto"] in ("onvif", "http")]
    assert {r["op"] for r in web} >= {"GetSystemDateAndTime", "GetDeviceInformation", "GET /"}
    assert len({r["src"] for r in web}) == 1, sorted({(r["src"], r["op"]) for r in web})


def test_a_device_whose_soap_hangs_still_shows_its_web_banner(multicast_scan):
    """Site: demo-site.yaml. 127.10.0.61 never answers SOAP (quirk hang) but serves its login page: the
    page is read on a connection of its own instead of waiting for a clock step that never ends."""
    device = by_address(multicast_scan)["127.10.0.61"]
    assert device.status == "timeout"
    assert device.fingerprints.http_server and device.fingerprints.rtsp_realm  # a Hanwha: RTSP names no Server
