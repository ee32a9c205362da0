"""tests/scanner/fixtures/hostile-site.yaml: one quirk per device; each ends as data, none stalls the rest."""

from __future__ import annotations

import asyncio
import re

import pytest

from scanner.credentials import CredentialBook
from scanner.engine import ScanRequest, scan
from scanner.probes.interface import Facts, ProbeContext
from scanner.probes.tls_cert import TlsCertificate

from .conftest import HOSTILE_SITE

pytestmark = pytest.mark.network

EXPECTED = {
    "127.30.0.1": ("ok", ""),
    "127.30.0.2": ("protocol_error", "larger than"),  # huge_response (5 MB)
    "127.30.0.3": ("protocol_error", "DTD or entities"),  # entity_expansion: refused, not expanded
    "127.30.0.4": ("ok", ""),  # markup_strings: kept verbatim as text
    "127.30.0.5": ("ok", ""),  # formula_strings: kept verbatim as text
    "127.30.0.6": ("ok", ""),  # foreign_xaddrs: fixed up from the responder
    "127.30.0.7": ("ok", ""),  # zero_xaddrs + require_zulu_created
    "127.30.0.8": ("auth_failed", "401"),  # http_401_on_bad_auth, password not in the book
    "127.30.0.9": ("ok", ""),  # bom_prefix + soap11_content_type
    "127.30.0.10": ("ok", ""),  # empty_get_services -> GetCapabilities
    "127.30.0.11": ("ok", ""),  # slow (0.5 s per answer): within the deadline
    "127.30.0.12": ("timeout", "deadline"),  # hang
    "127.30.0.13": ("ok", ""),  # clock 2 h behind + every op needs auth: token Created adjusted
    "127.30.0.14": ("ok", ""),  # digest_only: the 401 challenge is answered with HTTP digest
    "127.30.0.15": ("ok", ""),  # ipv6_xaddrs: the IPv4 XAddr is used, the link-local one kept
    "127.30.0.16": ("ok", ""),  # shared_first_mac: the interface carrying the address gives the MAC
    "127.30.0.17": ("ok", ""),  # no_network_interfaces: no MAC, everything else read
    "127.30.0.18": ("ok", ""),  # single_service_path: media read at the XAddr GetServices named
    "127.30.0.19": ("ok", ""),  # chunked_answers: every answer read whole across its chunks
    "127.30.0.20": ("ok", ""),  # gzip_when_asked + chunked: the scanner asks for no encoding
    "127.30.0.21": ("auth_failed", "refused the credentials"),  # lockout, password not in the book
    "127.30.0.22": ("ok", ""),  # tls_no_close_notify: certificate read, connection dropped, not waited on
    "127.30.0.23": ("ok", ""),  # fault_undeclared_prefix + no_get_services: the fault read, GetCapabilities used
    "127.30.0.24": ("ok", "LocalDateTime and TimeZone KST-9"),  # local_time_only, clock 2 h behind
    "127.30.0.25": ("ok", "GetHostname: answer was not clean UTF-8"),  # gbk_strings: mended, not guessed
    "127.30.0.26": ("ok", ""),  # typed_probes_only: found by the multicast round that asks by type
    "127.30.0.27": ("ok", ""),  # empty_body_without_action: every request carries action= in its Content-Type
    "127.30.0.28": ("ok", ""),  # time_check_fault + clock 1 h ahead: tokens dated by the device's clock
    "127.30.0.29": ("ok", ""),  # one_request_per_connection: a request dropped on reuse is sent again, once
    "127.30.0.30": ("ok", ""),  # echo_message_id: an answer carrying our Probe's id is still an answer
    "127.30.0.32": ("ok", "is not a MAC"),  # bogus_hw_address: refused and noted
    "127.30.0.33": ("ok", ""),  # fake_serial: the serial is read as said (the inventory does not key on it)
    "127.30.0.34": ("ok", ""),  # fake_serial: its clone
    "127.30.0.35": ("ok", "clock read from its HTTP Date header"),  # date_without_day, 40 min behind
    "127.30.0.36": ("ok", "SOAP 1.1 envelopes"),  # soap11_envelope + no_get_services: 1.1 fault read as a fault
    "127.30.0.37": ("ok", "only requests in SOAP 1.1"),  # soap11_only: empty 200 to 1.2, asked again in 1.1
    "127.30.0.38": ("ok", ""),  # untyped_probe_fault: its Fault ignored, found by the typed round
    "127.30.0.39": ("ok", ""),  # overstated_content_length: the page kept as it came, the device not held up
    "127.30.0.40": ("ok", "services read from GetCapabilities"),  # echo_before_error + no_get_services
    "127.30.0.41": ("ok", ""),  # rejects_ws_addressing: our requests carry no WS-Addressing headers
    "127.30.0.42": ("ok", "redirected to https://"),  # redirects_to_https: followed, same address, as POSTs
    "127.30.0.43": ("ok", ""),  # replay_protection: no nonce of ours is ever sent twice
    "127.30.0.44": ("ok", ""),  # analytics_in_profiles on 64 channels: a 1.5 MB GetProfiles is read
    "127.30.0.45": ("ok", ""),  # https_xaddrs: every call and the login page over TLS
    "127.30.0.46": ("ok", "which its tokens were dated by instead"),  # utc_is_local_time: the HTTP Date's clock
    "127.30.0.47": ("ok", "refuses an action= in the Content-Type"),  # rejects_action_parameter: asked without
    "127.30.0.48": ("ok", "where nothing answers; called at http://127.30.0.48:5000"),  # wrong_port_xaddrs
    "127.30.0.49": ("ok", "video sources read through DeviceIO"),  # media2_only
    "127.30.0.50": ("ok", "Media2 only and no DeviceIO service"),  # media2_only, no DeviceIO either
    "127.30.0.51": ("auth_failed", "refused the credentials"),  # invalid_security_fault, password not in the book
    "127.30.0.52": ("ok", "which its tokens were dated by instead"),  # invalid_security_fault + utc_is_local_time
    "127.30.0.53": ("ok", "GetDeviceInformation: no SerialNumber"),  # no_serial_number
    "127.30.0.54": ("ok", ""),  # link_local_xaddrs: the 169.254 XAddr first, never called
    "127.30.0.55": ("ok", ""),  # dual_scheme_xaddrs: two URLs two spaces apart
    "127.30.0.56": ("ok", ""),  # legacy_tls: its certificate read over static-RSA TLS 1.2
    "127.30.0.57": ("ok", ""),  # legacy_tls + https_xaddrs: every ONVIF call over that TLS
    "127.30.0.58": ("ok", ""),  # ONVIF on 8899, the web UI on 80
    "127.30.0.59": ("ok", ""),  # digest_only relabelled Dahua: its ONVIF 401's realm is evidence
    "127.30.0.60": ("ok", ""),  # web_login_prompt + all_ops_require_auth: two realms, the web UI's kept
    "127.30.0.61": ("auth_failed", "HTTP 401 (credentials refused)"),  # digest_only, password not in the book
    "127.30.0.62": ("ok", ""),  # basic_before_digest + digest_only + all_ops_require_auth: answered in digest
    "127.30.0.63": ("auth_failed", "HTTP Basic only, which would send the password in clear"),  # basic_only
    "127.30.0.64": ("ok", ""),  # a Korean brand on Milesight's firmware
    "127.30.0.65": ("ok", ""),  # digest_only + split_scheme_xaddrs: device service https://, media http://
    "127.30.0.66": ("ok", ""),  # probe_prefix_dn: found by multicast only because the typed Probe says dn:
    "127.30.0.67": ("ok", ""),  # rtsp_bare_lf: its RTSP answers in LF-only lines
    "127.30.0.68": ("auth_failed", "refused the credentials"),  # a name scope with an unencoded space
    "127.30.0.69": ("ok", ""),  # edge_recording: a camera with an SD card
    "127.30.0.70": ("ok", "GetProfiles"),  # profiles_refused: noted, the video sources kept
    "127.30.0.71": ("ok", "read as UTC+9, as its HTTP Date agrees"),  # local_time_only, TZ GMT+09:00
    "127.30.0.72": ("ok", "TimeZone Asia/Seoul"),  # local_time_only, an IANA zone name
    "127.30.0.73": ("ok", "UTC not known"),  # local_time_only, no TimeZone: the skew is not recorded
    "127.30.0.74": ("auth_failed", "HTTP 403"),  # illegal_login_lock: the address is shut out
    "127.30.0.75": ("protocol_error", "TLS handshake"),  # tls_handshake_alert + https_xaddrs
    "127.30.0.76": ("ok", ""),  # padded_namespaces
    "127.30.0.77": ("ok", ""),  # cert_names_hostname: CN=DAHUA-GATE-2 on a Hanwha
    "127.30.0.78": ("ok", ""),  # cert_names_hostname: CN=hikvision-lobby on a relabelled Dahua
    "127.30.0.80": ("ok", "clock read from its HTTP Date header"),  # no_system_date_and_time, 15 min behind
    "127.30.0.81": ("ok", ""),  # rtsp_odd_headers: Cseq: 0 and Www-Authenticate, read all the same
    "127.30.0.82": ("ok", ""),  # no_onvif_recordings: a recorder listing none is still a recorder
    "127.30.0.83": ("ok", ""),  # white label "Technology" on Dahua-made hardware
    "127.30.0.84": ("auth_failed", "refused the credentials"),  # white label IPCAM, placeholder scopes
}
NOT_ONVIF = "127.30.0.31"  # wsd_host_not_onvif: not a device of the scan at all, but listed
TLS_NO_CLOSE_NOTIFY = "127.30.0.22"
OVERSTATED_PAGE = "127.30.0.39"
GARBLED_REFUSAL = "127.30.0.40"


@pytest.fixture(scope="module")
def hostile_scan():
    from simulator.testing import running_lab

    with running_lab(HOSTILE_SITE) as lab:
        result = scan(ScanRequest(interfaces=("lo",), credentials=CredentialBook.single("admin", "Hostile!Site1"),
                                  timeout_s=5, workers=2))
        yield lab, result


@pytest.fixture(scope="module")
def hostile(hostile_scan):
    lab, result = hostile_scan
    return lab, {d.address: d for d in result.devices}


def test_every_quirk_ends_in_its_status(hostile):
    """Site: hostile-site.yaml."""
    _, found = hostile
    assert set(found) == set(EXPECTED)
    for address, (status, reason_part) in EXPECTED.items():
        assert found[address].status == status, (address, found[address].status_reason)
        assert reason_part in found[address].status_reason, address


def test_hostile_strings_are_kept_verbatim_as_data(hostile):
    """Site: hostile-site.yaml. Escaping is the renderers' job; the scan keeps what the device said."""
    _, found = hostile
    assert "<script>" in (found["127.30.0.4"].manufacturer or "") + (found["127.30.0.4"].model or "")
    assert (found["127.30.0.5"].model or "").startswith("=HYPERLINK")


def test_fixed_up_addresses_and_fallbacks(hostile):
    """Site: hostile-site.yaml."""
    lab, found = hostile
    assert found["127.30.0.6"].xaddrs == ("http://127.30.0.6/onvif/device_service",)
    assert found["127.30.0.6"].model == lab.device("127.30.0.6")["model"]
    assert found["127.30.0.10"].role == "nvr" and found["127.30.0.10"].recordings == 16
    assert found["127.30.0.13"].clock_skew_s == pytest.approx(-7200, abs=5)
    assert found["127.30.0.13"].serial == lab.device("127.30.0.13")["serial"]
    # The foreign host named in the XAddrs (192.168.1.64) was never contacted: it is not in the lab's
    # log and it is outside the scope, so the scanner would not have been allowed to.
    assert all(r["device"].startswith("127.30.0.") for r in lab.requests())


def test_hang_costs_one_deadline_not_the_scan(hostile):
    """Site: hostile-site.yaml. The hanging device's deadline did not delay the other devices' results."""
    lab, _ = hostile
    log = lab.requests()
    hung = [r for r in log if r["device"] == "127.30.0.12"]
    assert hung and any(r["op"] == "(hang)" for r in hung)


def test_digest_only_device_is_read_over_http_digest(hostile):
    """Site: hostile-site.yaml. A Hikvision in Digest-only mode refuses WS-UsernameToken (agsh/onvif#294)."""
    lab, found = hostile
    d = found["127.30.0.14"]
    assert (d.serial, d.model) == (lab.device("127.30.0.14")["serial"], "DS-2CD2143G2-I")
    assert d.mac == "44:19:b6:30:00:14" and d.profiles == 1


def test_ipv6_xaddr_is_kept_but_not_used(hostile):
    """Site: hostile-site.yaml. Two XAddrs in one ProbeMatch (agsh/onvif#93): both listed, IPv4 interrogated."""
    lab, found = hostile
    d = found["127.30.0.15"]
    assert d.xaddrs == ("http://127.30.0.15/onvif/device_service",
                        "http://[fe80::4619:b6ff:fe30:15]/onvif/device_service")
    assert d.serial == lab.device("127.30.0.15")["serial"]
    assert d.fingerprints.oui_vendor and "Hikvision" in d.fingerprints.oui_vendor


def test_mac_comes_from_the_interface_that_holds_the_address(hostile):
    """Site: hostile-site.yaml. IMOU/Dahua list a shared placeholder MAC first (home-assistant/core#162687),
    both as 00-30-1B-BA-02-DB: the MAC must be the one of the interface with the device's address,
    normalised to lower case with colons; the placeholder (OUI: Shuttle, Inc.) would also mislead relabel
    detection."""
    _, found = hostile
    d = found["127.30.0.16"]
    assert d.mac == "3c:ef:8c:30:00:16"
    assert d.fingerprints.oui_vendor and "Dahua" in d.fingerprints.oui_vendor


def test_missing_get_network_interfaces_costs_only_the_mac(hostile):
    """Site: hostile-site.yaml. A Subcode-less 'not implemented' fault (home-assistant/core#36243):
    no MAC, but the hostname (GetHostname answered fine) and the identity are still read."""
    lab, found = hostile
    d = found["127.30.0.17"]
    assert d.mac is None
    assert d.serial == lab.device("127.30.0.17")["serial"]
    assert "GetNetworkInterfaces" in d.status_reason or "network_identity" in d.status_reason
    assert d.hostname == lab.device("127.30.0.17")["hostname"]


def test_single_service_path_device_is_read_at_its_xaddrs(hostile):
    """Site: hostile-site.yaml. Axis answers every service at /onvif/services; /onvif/media_service is 404."""
    lab, found = hostile
    d = found["127.30.0.18"]
    assert (d.video_sources, d.profiles) == (1, 1)
    assert d.role == "camera"
    media = [r for r in lab.requests() if r["device"] == "127.30.0.18" and r["op"] in ("GetProfiles", "GetVideoSources")]
    assert media and all(r["auth"] == "ok" for r in media)


@pytest.mark.parametrize("address", ["127.30.0.19", "127.30.0.20"])
def test_answers_in_pieces_are_read_whole(hostile, address):
    """Site: hostile-site.yaml. Chunked answers arriving 300 bytes at a time (Pelco, home-assistant/core#149829),
    one of them gzip-capable: every field read, the login page title too."""
    lab, found = hostile
    d, fixture = found[address], lab.device(address)
    assert (d.serial, d.firmware, d.mac, d.profiles) == (fixture["serial"], fixture["firmware"], fixture["mac"], 1)
    assert d.fingerprints.http_title


def test_a_wrong_password_costs_one_failed_login_not_a_lockout(hostile):
    """Site: hostile-site.yaml. A Dahua that locks after three failed logins (home-assistant/core#147404):
    once it refused the credentials, no further signed call is sent, so the scan does not lock the
    camera out of its own VMS."""
    lab, found = hostile
    assert found["127.30.0.21"].status == "auth_failed"
    failed = [r for r in lab.requests() if r["device"] == "127.30.0.21" and r["auth"] == "failed"]
    assert len(failed) == 1, [r["op"] for r in failed]


def _closed_connections(lab, address: str) -> int:
    return sum(1 for r in lab.requests() if r["device"] == address and r["op"] == "(connection closed)")


async def test_tls_probe_lets_go_of_a_device_that_never_says_goodbye(hostile):
    """Site: hostile-site.yaml. The probe reads the certificate and drops the connection at once;
    waiting for a close_notify that never comes would hold it (and its buffers) for 30 s."""
    lab, found = hostile
    assert found[TLS_NO_CLOSE_NOTIFY].fingerprints.tls_subject  # read in the module's scan
    before = _closed_connections(lab, TLS_NO_CLOSE_NOTIFY)
    facts = Facts(address=TLS_NO_CLOSE_NOTIFY, port=80, service_url=f"http://{TLS_NO_CLOSE_NOTIFY}/onvif/device_service")
    attempt = await TlsCertificate().run(facts, ProbeContext(onvif=None, http=None, side_timeout_s=5.0))  # type: ignore[arg-type]
    assert attempt.status == "ok" and "Hanwha" in facts.fingerprints["tls_subject"]
    for _ in range(50):  # the lab logs the close as soon as it sees it; 5 s is far inside the 30 s
        if _closed_connections(lab, TLS_NO_CLOSE_NOTIFY) > before:
            break
        await asyncio.sleep(0.1)
    assert _closed_connections(lab, TLS_NO_CLOSE_NOTIFY) == before + 1


def test_a_dahua_checking_token_times_on_a_clock_an_hour_ahead_is_read(hostile):
    """Site: hostile-site.yaml. 127.30.0.28 refuses a token outside its window with 'Wsse authorized time
    check failed.'; the skew from GetSystemDateAndTime dates every token by its clock."""
    _, found = hostile
    device = found["127.30.0.28"]
    assert device.status == "ok" and device.serial == "6J0A1B2PAZ30028"
    assert device.clock_skew_s is not None and abs(device.clock_skew_s - 3600) < 5


def test_clock_worked_out_from_local_time_and_time_zone(hostile):
    """Site: hostile-site.yaml. 127.30.0.24 sends only LocalDateTime (UTC+9) on a clock 2 h behind, and
    checks token times: read as UTC, the skew would be 7 h off and every signed call refused."""
    _, found = hostile
    device = found["127.30.0.24"]
    assert device.status == "ok" and device.model == "TN-P4220CSL"
    assert device.clock_skew_s is not None and abs(device.clock_skew_s + 7200) < 5


def test_a_hostname_in_gbk_costs_nothing_but_its_own_characters(hostile):
    """Site: hostile-site.yaml. 127.30.0.25 writes GBK into a UTF-8 GetHostname answer: the device is
    read whole, the hostname keeps its ASCII part, the foreign bytes show as U+FFFD (never guessed)."""
    _, found = hostile
    device = found["127.30.0.25"]
    assert (device.manufacturer, device.model, device.serial) == ("Uniview", "IPC2124LB-SF28KM-G",
                                                                  "210235C3BR3194300025")
    assert device.hostname is not None and device.hostname.startswith("IPC-25") and "\ufffd" in device.hostname
    assert device.mac == "48:ea:63:30:00:25"


def test_every_soap_request_names_its_action(hostile):
    """Site: hostile-site.yaml. 127.30.0.27 (Pelco) answers an empty 200 to a request whose Content-Type
    lacks action= (the lab logs those as '(no action)'); none of ours does."""
    lab, found = hostile
    assert found["127.30.0.27"].status == "ok" and found["127.30.0.27"].model == "IMP521-1ES"
    ops = [r["op"] for r in lab.requests() if r["device"] == "127.30.0.27" and r["proto"] == "onvif"]
    assert "GetDeviceInformation" in ops and "(no action)" not in ops


def test_no_request_carries_ws_addressing_headers(hostile):
    """Site: hostile-site.yaml. 127.30.0.41 refuses any request with wsa:Action/MessageID/To in its Header
    (CamHipro, home-assistant/core#92308): every one of our calls reaches it without them."""
    lab, found = hostile
    device = found["127.30.0.41"]
    assert device.status == "ok" and device.serial == "TRN300041" and device.mac == "00:1c:63:30:00:41"
    assert device.video_sources == 1 and device.status_reason == ""
    ops = [r["op"] for r in lab.requests() if r["device"] == "127.30.0.41" and r["proto"] == "onvif"]
    assert {"GetDeviceInformation", "GetServices", "GetProfiles"} <= set(ops)
    assert not [op for op in ops if "WS-Addressing refused" in op]


def test_a_nas_answering_every_probe_is_listed_not_interrogated(hostile_scan):
    """Site: hostile-site.yaml. 127.30.0.31 answers every Probe, typed or not, as a Devices-Profile host
    (wsdp:Device pub:Computer, no scopes, http://synologynas:5357/<uuid>/): it is no device of the scan,
    it is listed as another WS-Discovery host, and nothing but WS-Discovery ever reaches it."""
    lab, result = hostile_scan
    assert NOT_ONVIF not in {d.address for d in result.devices}
    [other] = [o for o in result.other_responders if o.address == NOT_ONVIF]
    assert other.types == ("wsdp:Device", "pub:Computer") and other.scopes == ()
    assert other.xaddrs[0].startswith("http://synologynas:5357/")  # verbatim: we resolve no names
    assert [o.address for o in result.other_responders] == [NOT_ONVIF]  # no camera taken for a NAS
    protocols = {r["proto"] for r in lab.requests() if r["device"] == NOT_ONVIF}
    assert protocols == {"wsd-multicast"}, protocols


def test_a_hw_address_that_is_no_mac_is_not_taken_for_one(hostile):
    """Site: hostile-site.yaml. 127.30.0.32 gives HwAddress 5792c4:5792c5:…, six numbers: no MAC, so no
    MAC in the scan file (it used to be reported as the device's MAC) and no OUI vendor from it."""
    _, found = hostile
    device = found["127.30.0.32"]
    assert device.mac is None and device.fingerprints.oui_vendor is None
    assert "'5792c4:5792c5:5792c6:5792c7:5792c8:5792c9' is not a MAC" in device.status_reason
    assert device.serial == "210235C3BR3194300032"  # the rest of the device is read


def test_clones_sharing_a_serial_stay_two_devices_in_the_inventory(hostile_scan):
    """Site: hostile-site.yaml. 127.30.0.33 and .34 both say SerialNumber IPC20230001: the scan reports
    what they say; the inventory keys them on their MACs, so they stay two devices."""
    from inventory.identity import scan_devices
    from scanner.vendors import load_vendor_catalog

    _, result = hostile_scan
    keys = {d.address: key for _, _, d, key in scan_devices(result, load_vendor_catalog())}
    clones = [d for d in result.devices if d.address in ("127.30.0.33", "127.30.0.34")]
    assert [d.serial for d in clones] == ["IPC20230001", "IPC20230001"]
    assert keys["127.30.0.33"] == "mac:00:1c:63:30:00:33" and keys["127.30.0.34"] == "mac:00:1c:63:30:00:34"
    assert keys["127.30.0.1"].startswith("serial:")  # a serial nobody else claims still identifies


def test_a_clock_without_a_day_is_read_from_the_http_date(hostile):
    """Site: hostile-site.yaml. 127.30.0.35 (Tapo C200) sends no Day in GetSystemDateAndTime, on a clock
    40 minutes behind that refuses tokens outside its window: the skew comes from the Date header of
    the same answer, the tokens are dated by it, and the device is read."""
    _, found = hostile
    device = found["127.30.0.35"]
    assert device.model == "Tapo C200" and -2403 <= device.clock_skew_s <= -2397
    assert ("clock_skew_s", "HTTP Date header") in {(e.field, e.operation) for e in device.evidence}


def test_an_nvr_answering_in_soap_1_1_is_read_whole(hostile):
    """Site: hostile-site.yaml. 127.30.0.36 (a Hikvision NVR) answers SOAP 1.2 in SOAP 1.1 envelopes and
    refuses GetServices with a 1.1-shaped fault: zeep alone loses the device; read, it is an 8-channel
    recorder whose services came from GetCapabilities."""
    _, found = hostile
    device = found["127.30.0.36"]
    assert (device.manufacturer, device.model, device.role, device.recordings) == (
        "HIKVISION", "DS-7608NI-K2", "nvr", 8)
    assert "GetServices not offered" in device.status_reason


def test_a_camera_built_for_soap_1_1_is_asked_in_soap_1_1(hostile):
    """Site: hostile-site.yaml. 127.30.0.37 (a Hikvision dome, OpenIPC/viewer#65) answers every SOAP 1.2
    request with HTTP 200 and zero bytes. Its first answer sends that request again in SOAP 1.1 and every
    later one goes in 1.1 straight away: the device is read whole, at the cost of one request."""
    lab, found = hostile
    device = found["127.30.0.37"]
    assert (device.manufacturer, device.model, device.serial) == (
        "HIKVISION", "DS-2CD2143G2-I", lab.device("127.30.0.37")["serial"])
    assert device.mac == "44:19:b6:30:00:37" and device.profiles == 1
    assert "SOAP 1.1 envelopes" not in device.status_reason  # asked in 1.1, answered in 1.1: no quirk
    ops = [r["op"] for r in lab.requests() if r["device"] == "127.30.0.37" and r["proto"] == "onvif"]
    unanswered = [op for op in ops if op.endswith("(SOAP 1.2: empty answer)")]
    assert len(unanswered) == 1, ops


def test_a_fault_for_the_untyped_probe_costs_nothing(hostile_scan, hostile):
    """Site: hostile-site.yaml. 127.30.0.38 (TP-Link VIGI C340-W) answers the Probe naming no Types with a
    SOAP Fault (andreikop/python-ws-discovery#56), the typed one with a ProbeMatch: found with its
    endpoint reference and scopes from that match, and read."""
    lab, found = hostile
    device = found["127.30.0.38"]
    assert device.model == "VIGI C340-W" and device.serial == "TPL300038"
    assert device.endpoint_reference == lab.device("127.30.0.38")["endpoint_reference"]
    assert "127.30.0.38" not in {other.address for other in hostile_scan[1].other_responders}


def test_a_named_target_that_faults_the_untyped_probe_is_asked_by_type(hostile_scan):
    """Site: hostile-site.yaml. 127.30.0.38 named as a --target answers the untyped unicast Probe with its
    Fault; a host named on its own that stays silent is then asked by type, and its ProbeMatch gives the
    endpoint reference and scopes the ONVIF HTTP probe alone could not."""
    lab, _ = hostile_scan
    before = len(lab.requests())
    result = scan(ScanRequest(targets=("127.30.0.38", "127.30.0.1"), multicast=False, timeout_s=5, workers=0,
                              credentials=CredentialBook.single("admin", "Hostile!Site1")))
    found = {d.address: d for d in result.devices}
    device = found["127.30.0.38"]
    assert (device.status, device.model, device.serial) == ("ok", "VIGI C340-W", "TPL300038")
    assert device.endpoint_reference == lab.device("127.30.0.38")["endpoint_reference"]
    assert device.mac == "50:c7:bf:30:00:38" and not result.other_responders
    probes = [r["device"] for r in lab.requests()[before:] if r["proto"] == "wsd-unicast"]
    # the untyped Probe twice (SOAP-over-UDP repeats) to both, then two typed ones twice to the silent one only
    assert probes.count("127.30.0.1") == 2 and probes.count("127.30.0.38") == 6, probes


def test_a_range_is_not_asked_again_by_type(hostile_scan):
    """Site: hostile-site.yaml. In a range (127.30.0.36/30) the same camera gets the untyped Probe only (a
    /16 would pay two more rounds for every unused address); the ONVIF HTTP probe still finds it and reads it,
    without the endpoint reference a ProbeMatch would have given."""
    lab, _ = hostile_scan
    before = len(lab.requests())
    result = scan(ScanRequest(targets=("127.30.0.36/30",), multicast=False, timeout_s=5, workers=0,
                              credentials=CredentialBook.single("admin", "Hostile!Site1")))
    device = {d.address: d for d in result.devices}["127.30.0.38"]
    assert (device.status, device.serial, device.endpoint_reference) == ("ok", "TPL300038", None)
    probes = [r["device"] for r in lab.requests()[before:] if r["proto"] == "wsd-unicast"]
    assert probes.count("127.30.0.38") == 2, probes


def test_a_login_page_longer_in_its_header_than_on_the_wire_holds_up_nothing(hostile):
    _, found = hostile
    device = found[OVERSTATED_PAGE]
    assert device.status == "ok"
    assert device.serial == "6J0A1B2PAZ30039" and device.mac == "3c:ef:8c:30:00:39"
    assert device.fingerprints.http_title == "WEB"  # kept from the bytes that came (a Dahua's page names no maker)
    page = next(e for e in device.evidence if e.field == "fingerprints.http_title")
    assert "cut short" in page.operation  # the evidence says it is not a whole page


def test_a_refusal_garbled_by_the_request_written_back_is_still_a_refusal(hostile):
    """Tapo firmware writes the request back before each HTTP 500 (home-assistant/core#85902)."""
    _, found = hostile
    device = found[GARBLED_REFUSAL]
    assert device.status == "ok" and device.model == "Tapo C120" and device.mac == "50:c7:bf:30:00:40"
    assert device.status_reason == "GetServices not offered; services read from GetCapabilities"
    assert any(e.operation == "GetCapabilities" for e in device.evidence if e.field == "services")


def test_onvif_calls_redirected_to_https_on_the_same_address_are_followed(hostile):
    """Site: hostile-site.yaml. 127.30.0.42 advertises http:// and answers each call with 302 to https://
    (lumeohq/onvif-rs#39): every field read over TLS; its first call is redirected, and every later one,
    to any of its services, goes straight to https://."""
    lab, found = hostile
    device = found["127.30.0.42"]
    assert device.status == "ok" and device.serial == "ZN7Q6HAR3000342" and device.mac == "e4:30:22:30:00:42"
    assert device.video_sources == 1 and device.fingerprints.tls_subject
    assert device.xaddrs == ("http://127.30.0.42/onvif/device_service",)  # what it said, kept as said
    log = [r for r in lab.requests() if r["device"] == "127.30.0.42" and r["proto"] in ("http", "onvif")]
    redirected = [r["op"] for r in log if r["op"].endswith("(302 to https)")]
    assert sorted(redirected) == ["GET / (302 to https)", "POST /onvif/device_service (302 to https)"]
    page = next(e for e in device.evidence if e.field == "fingerprints.http_title")
    assert page.operation == "HTTP GET / (redirected to https://127.30.0.42:443/)"  # the page read over TLS
    assert device.fingerprints.http_title
    assert {"GetDeviceInformation", "GetNetworkInterfaces", "GetProfiles"} <= {r["op"] for r in log}


def test_no_nonce_is_sent_twice_to_a_device_that_refuses_replays(hostile):
    """Site: hostile-site.yaml. 127.30.0.43 refuses a UsernameToken nonce it has accepted before (Axis replay
    protection, agsh/onvif#178): every signed call of the scan was accepted."""
    lab, found = hostile
    device = found["127.30.0.43"]
    assert device.status == "ok" and device.serial == "B8A44F300043" and device.video_sources == 1
    verdicts = [r["auth"] for r in lab.requests() if r["device"] == "127.30.0.43" and r["proto"] == "onvif"]
    assert verdicts.count("ok") >= 5 and "replayed" not in verdicts


def test_a_recorder_whose_profiles_carry_analytics_is_read_whole(hostile):
    """Site: hostile-site.yaml. 127.30.0.44, 64 channels with 40 analytics rules in every profile
    (onvif/specs#225): its GetProfiles is past the 1 MB that any answer about the device itself may have,
    and is still read, the recorder counted rather than lost as protocol_error."""
    _, found = hostile
    device = found["127.30.0.44"]
    assert device.status == "ok" and device.role == "nvr"
    assert device.video_sources == 64 and device.profiles == 64 and device.recordings == 64


def test_a_device_that_advertises_https_is_read_over_tls_page_and_all(hostile):
    """Site: hostile-site.yaml. 127.30.0.45 advertises https:// XAddrs (GuilhermeC18/node-onvif#98): its
    calls go over TLS, and its login page is asked for over TLS on that port, not in plain HTTP."""
    lab, found = hostile
    device = found["127.30.0.45"]
    assert device.status == "ok" and device.port == 443 and device.serial == "ZN7Q6HAR3000345"
    assert device.xaddrs == ("https://127.30.0.45/onvif/device_service",) and device.video_sources == 1
    assert device.fingerprints.http_title and device.fingerprints.http_server
    pages = [r["proto"] for r in lab.requests() if r["device"] == "127.30.0.45" and r["op"] == "GET /"]
    assert pages == ["https"]  # the page asked for over TLS, not in plain HTTP on the TLS port


def test_a_utc_that_is_local_time_is_caught_by_the_http_date(hostile):
    """Site: hostile-site.yaml. 127.30.0.46 labels its local wall clock (KST, +9 h) as UTCDateTime and checks
    tokens by its true clock (OpenIPC/majestic-webui#292): the first signed call, dated by UTCDateTime, is
    refused; dated once more by the HTTP Date it is accepted, and the device is read."""
    lab, found = hostile
    device = found["127.30.0.46"]
    assert device.status == "ok" and device.serial == "TRN300046"
    assert "GetSystemDateAndTime's UTC is +9.0 h off its HTTP Date" in device.status_reason
    assert 9 * 3600 - 60 < device.clock_skew_s < 9 * 3600 + 60  # what it said, reported as said
    verdicts = [r["auth"] for r in lab.requests() if r["device"] == "127.30.0.46" and r["proto"] == "onvif"]
    assert verdicts.count("failed") == 1  # one refused login, not one per call


def test_a_device_refusing_the_action_parameter_is_asked_without_it_from_then_on(hostile):
    """Site: hostile-site.yaml. 127.30.0.47 refuses a Content-Type with action= (Illustra, agsh/onvif#302),
    127.30.0.27 answers nothing without it (Pelco, agsh/onvif#497): both are read whole."""
    lab, found = hostile
    for address in ("127.30.0.47", "127.30.0.27"):
        assert found[address].status == "ok" and found[address].video_sources == 1, address
    ops = [r["op"] for r in lab.requests() if r["device"] == "127.30.0.47" and r["proto"] == "onvif"]
    assert ops.count("(action= refused)") == 1  # the first call only; every later one went without it
    assert {"GetDeviceInformation", "GetServices", "GetProfiles"} <= set(ops)


def test_service_xaddrs_on_a_dead_port_are_called_where_the_device_answers(hostile):
    """Site: hostile-site.yaml. 127.30.0.48 answers ONVIF on port 5000 and names port 80, where nothing
    listens, in GetServices (OpenIPC/viewer#67): its media is read on 5000, instead of the refused
    connection ending the whole device as unreachable."""
    lab, found = hostile
    device = found["127.30.0.48"]
    assert device.status == "ok" and device.port == 5000
    assert device.video_sources == 1 and device.profiles == 1
    ops = [r["op"] for r in lab.requests() if r["device"] == "127.30.0.48" and r["proto"] == "onvif"]
    assert {"GetVideoSources", "GetProfiles"} <= set(ops)


def test_a_camera_with_media2_only_is_still_a_camera(hostile):
    """Site: hostile-site.yaml. 127.30.0.49 and .50 offer Media2 instead of Media1 (Jazea/Onvif.Core#43):
    .49's sensor is counted through DeviceIO; .50, with no DeviceIO, is a camera by its type scope. Before,
    both were role "unknown", which the report leaves out of the camera part."""
    _, found = hostile
    counted, scoped = found["127.30.0.49"], found["127.30.0.50"]
    assert counted.role == "camera" and counted.video_sources == 1
    assert scoped.role == "camera" and scoped.video_sources is None
    assert scoped.role_reason.startswith("scope names it a ") and "video sources were not read" in scoped.role_reason


def test_ws_security_refusals_are_refusals(hostile):
    """Site: hostile-site.yaml. 127.30.0.51 and .52 refuse a token with wsse:InvalidSecurity, not
    ter:NotAuthorized (a Hikvision DVR, home-assistant/core#93079). Both used to end protocol_error: .51,
    whose password is not the site's, as a SOAP fault instead of auth_failed after one refused login; .52,
    whose UTCDateTime is local time, without the second try by its HTTP Date's clock, so the right password
    read nothing."""
    lab, found = hostile
    for address in ("127.30.0.51", "127.30.0.52"):
        verdicts = [r["auth"] for r in lab.requests() if r["device"] == address and r["proto"] == "onvif"]
        assert verdicts.count("failed") == 1, address  # one refused login, then no further signed call
    assert found["127.30.0.51"].status == "auth_failed" and found["127.30.0.51"].serial is None
    read = found["127.30.0.52"]
    assert read.status == "ok" and read.role == "nvr" and read.video_sources == 8
    assert read.serial == "DS-7208HQHI-K10820220118CCWRJ300052"


def test_a_device_without_a_serial_is_not_given_its_hardware_id_as_one(hostile):
    """Site: hostile-site.yaml. 127.30.0.53 sends no SerialNumber and its MAC as HardwareId (Wansview,
    home-assistant/core#48589): the serial stays unknown and says so; the MAC comes from its interfaces."""
    _, found = hostile
    device = found["127.30.0.53"]
    assert device.serial is None and device.hardware_id == "00:e0:4c:30:00:53"
    assert device.mac == "00:e0:4c:30:00:53" and device.model == "Q5" and device.role == "camera"
    assert "serial" not in {e.field for e in device.evidence}  # nothing said, so nothing cited


def test_unusable_extra_xaddrs_are_not_what_is_called(hostile):
    """Site: hostile-site.yaml. 127.30.0.54 lists a 169.254 XAddr before its real one (Axis, agsh/onvif#63);
    127.30.0.55 gives http:// and https:// two spaces apart (AlexxIT/go2rtc#884). Each is read over the
    XAddr on the address that answered, plain HTTP where it offers both, with no empty third URL."""
    _, found = hostile
    assert found["127.30.0.54"].xaddrs == ("http://127.30.0.54/onvif/device_service",)
    assert found["127.30.0.55"].xaddrs == ("http://127.30.0.55/onvif/device_service",
                                           "https://127.30.0.55/onvif/device_service")
    for address in ("127.30.0.54", "127.30.0.55"):
        device = found[address]
        assert device.status == "ok" and device.video_sources == 1 and device.port == 80, address
        assert "unreachable" not in device.status_reason, address


def test_static_rsa_tls_is_still_spoken(hostile):
    """Site: hostile-site.yaml. 127.30.0.56 and .57 offer TLS 1.2 with static-RSA key exchange only (older
    Dahua firmware, home-assistant/core#91130), which Python's default client context no longer offers.
    With it, .56's certificate was lost, and with it the relabel's strongest tie to Dahua; .57, whose
    services are https:// only, ended unreachable. The library's own context (scanner/tls.py) speaks it."""
    _, found = hostile
    relabelled = found["127.30.0.56"]
    assert "Dahua" in (relabelled.fingerprints.tls_issuer or "")
    assert relabelled.suspected_relabel is not None
    assert any(line.startswith("TLS certificate issuer") for line in relabelled.suspected_relabel.evidence)
    over_tls = found["127.30.0.57"]
    assert over_tls.status == "ok" and over_tls.port == 443 and over_tls.serial == "6J0A1B2PAZ30057"
    assert over_tls.video_sources == 1 and "Dahua" in (over_tls.fingerprints.tls_issuer or "")


def test_a_web_ui_beside_the_onvif_port_is_read_on_port_80(hostile):
    """Site: hostile-site.yaml. 127.30.0.58 serves ONVIF on 8899, where GET is gSOAP's 405 and names only the SOAP
    library, and its login page on 80 (XM cameras): the page's words are the fingerprints, and say where from."""
    lab, found = hostile
    device = found["127.30.0.58"]
    assert device.status == "ok" and device.port == 8899
    assert (device.fingerprints.http_server, device.fingerprints.http_title) == ("uc-httpd 1.0.0", "NETSurveillance WEB")
    operations = {e.field: e.operation for e in device.evidence}
    assert operations["fingerprints.http_title"] == operations["fingerprints.http_server"] == "HTTP GET / on port 80"
    asked = [r["op"] for r in lab.requests() if r["device"] == "127.30.0.58" and r["proto"] == "http"]
    assert asked.count("GET /") == 2  # once on 8899 (405), once on 80


def test_the_realm_of_an_onvif_401_is_relabel_evidence(hostile):
    """Site: hostile-site.yaml. 127.30.0.59 claims a Korean brand, has a MAC no registry knows and asks for HTTP
    digest: the realm of the 401 it answered our first signed call with names its maker, at no extra request."""
    _, found = hostile
    device = found["127.30.0.59"]
    assert device.status == "ok" and device.serial == "6J0A1B2PAZ30059"
    assert device.fingerprints.http_realm == "Login to 6J0A1B2PAZ30059" and device.fingerprints.oui_vendor is None
    assert device.suspected_relabel is not None and device.suspected_relabel.likely_maker == "Dahua"
    assert "HTTP authentication realm: Login to 6J0A1B2PAZ30059 → Dahua" in device.suspected_relabel.evidence
    operation = next(e.operation for e in device.evidence if e.field == "fingerprints.http_realm")
    assert operation.startswith("Get") and operation.endswith(" (HTTP 401)")


def test_a_web_ui_behind_a_login_prompt_gives_the_realm(hostile):
    """Site: hostile-site.yaml. 127.30.0.60 answers GET / with 401 in its VAPIX realm, and its clock call with 401
    in its ONVIF one: the web UI's is kept (as its page would be), with the request that got it."""
    _, found = hostile
    device = found["127.30.0.60"]
    assert device.status == "ok" and device.serial == "B8A44F300060" and device.suspected_relabel is None
    assert device.fingerprints.http_realm == "AXIS_B8A44F300060"  # not AXIS_WS_…, which its ONVIF asked for
    assert device.fingerprints.http_title is None  # the 401's page is no login page
    assert {e.field: e.operation for e in device.evidence}["fingerprints.http_realm"] == "HTTP GET / (HTTP 401)"


def test_a_device_that_refused_us_keeps_the_realm_it_asked_for(hostile):
    """Site: hostile-site.yaml. 127.30.0.61 wants HTTP digest and refuses our password: the scan has no
    manufacturer to weigh it against, but the auditor sees who the device says it is."""
    _, found = hostile
    device = found["127.30.0.61"]
    assert device.status == "auth_failed" and device.manufacturer is None
    assert device.fingerprints.http_realm == "Login to 6J0A1B2PAZ30061"
    assert any(e.field == "fingerprints.http_realm" for e in device.evidence)


def test_digest_is_answered_wherever_the_401_lists_it(hostile):
    """Site: hostile-site.yaml. 127.30.0.62 lists Basic before Digest on every 401: read whole, in digest, and
    never one request refused for credentials it could not read."""
    lab, found = hostile
    device = found["127.30.0.62"]
    assert device.status == "ok" and device.serial == "B8A44F300062"
    verdicts = {r["auth"] for r in lab.requests() if r["device"] == "127.30.0.62" and r["proto"] == "onvif"}
    assert verdicts <= {"none", "ok"}, verdicts


def test_a_device_asking_for_basic_never_gets_the_password(hostile):
    """Site: hostile-site.yaml. 127.30.0.63 takes HTTP Basic only: the password would cross the network as it is,
    to a device that only says it is this camera. It is not sent, and the reason says so."""
    lab, found = hostile
    device = found["127.30.0.63"]
    assert device.status == "auth_failed" and "HTTP Basic only" in device.status_reason
    assert not [r for r in lab.requests() if r["device"] == "127.30.0.63" and r["auth"].startswith("basic")]


def test_a_digest_device_costs_one_refused_request_not_two(hostile):
    """Site: hostile-site.yaml. The challenge of the 401 our first signed call got is the one the digest retry
    answers: the retry carries credentials at once (aiohttp's middleware, left alone, sends it bare first)."""
    lab, _ = hostile
    asked = [r["auth"] for r in lab.requests() if r["device"] == "127.30.0.14" and r["op"] == "GetDeviceInformation"]
    assert asked == ["none", "ok"], asked


def test_a_refused_digest_login_is_not_sent_again(hostile):
    """Site: hostile-site.yaml. 127.30.0.61 wants HTTP digest and refuses our password. aiohttp's middleware
    answers every 401 once more; a refused password sent twice is two failed logins toward a lockout."""
    lab, _ = hostile
    failed = [r["op"] for r in lab.requests() if r["device"] == "127.30.0.61" and r["auth"] == "failed"]
    assert len(failed) == 1, failed


def test_an_oem_makers_firmware_under_a_korean_brand_is_suspected(hostile):
    """Site: hostile-site.yaml. 127.30.0.64 claims 한빛비전, with a MAC that names nobody; its web UI is Milesight's,
    title and all (the simulator's certificate for it carries Milesight's name too, a shape without a source)."""
    _, found = hostile
    device = found["127.30.0.64"]
    assert device.status == "ok" and device.fingerprints.http_title == "Milesight Network Camera"
    assert device.suspected_relabel is not None and device.suspected_relabel.likely_maker == "Milesight"
    assert "web login page title: Milesight Network Camera → Milesight" in device.suspected_relabel.evidence


def test_digest_is_answered_on_each_origin_that_asks(hostile):
    """Site: hostile-site.yaml. 127.30.0.65 serves its device service over https:// and its media service over
    http:// on port 80, both in HTTP digest. aiohttp's middleware keeps its credentials to the first origin it
    served: the media calls would go bare to the other, and the camera would have no profiles."""
    lab, found = hostile
    device = found["127.30.0.65"]
    assert device.status == "ok" and device.serial == "ZN7Q6HAR3000065"
    assert device.video_sources == 1 and device.profiles, (device.video_sources, device.profiles)
    asked = [(r["op"], r["auth"]) for r in lab.requests() if r["device"] == "127.30.0.65" and r["proto"] == "onvif"]
    assert [auth for op, auth in asked if op == "GetProfiles"][-1] == "ok", asked
    assert {auth for _, auth in asked} <= {"none", "ok"}, asked


def test_rtsp_answers_in_bare_lf_lines_keep_their_realm(hostile):
    """Site: hostile-site.yaml. 127.30.0.67 ends its RTSP lines in LF alone: its DESCRIBE realm is read as any other's."""
    _, found = hostile
    device = found["127.30.0.67"]
    assert device.status == "ok" and device.fingerprints.rtsp_realm == found["127.30.0.45"].fingerprints.rtsp_realm
    assert device.fingerprints.rtsp_realm


def test_a_scope_with_an_unencoded_space_is_one_scope(hostile):
    """Site: hostile-site.yaml. 127.30.0.68 announces "name/LOBBY CAMERA 1" with the spaces as they are
    (Jazea/Onvif.Core#34) and refuses our password: its ProbeMatch scopes are all the scan has of it."""
    _, found = hostile
    device = found["127.30.0.68"]
    assert device.status == "auth_failed"
    assert "onvif://www.onvif.org/name/LOBBY CAMERA 1" in device.scopes and "1" not in device.scopes, device.scopes


def test_a_camera_recording_to_its_sd_card_is_a_camera(hostile):
    """Site: hostile-site.yaml. 127.30.0.69 offers recording and search and says Profile G, as a camera with an
    SD card does; it also has its own imaging and one sensor. Taken for a recorder, it would move from the
    camera part to the recorder part of the localization report."""
    _, found = hostile
    device = found["127.30.0.69"]
    assert device.status == "ok" and device.role == "camera", device.role_reason
    assert "edge recording" in device.role_reason and device.recordings == 1


def test_a_refused_get_profiles_costs_only_the_profiles(hostile):
    """Site: hostile-site.yaml. 127.30.0.70's account may not see the stream profiles (Hanwha user rights): the
    video sources, asked at the same time, were thrown away with them, and the camera's role was lost."""
    _, found = hostile
    device = found["127.30.0.70"]
    assert (device.status, device.video_sources, device.profiles, device.role) == ("ok", 1, None, "camera")
    assert "GetProfiles" in device.status_reason


def _verdicts(lab, address: str) -> list[str]:
    return [r["auth"] for r in lab.requests() if r["device"] == address and r["proto"] == "onvif"]


@pytest.mark.parametrize(("address", "skew"), [("127.30.0.71", 300), ("127.30.0.72", -600)])
def test_utc_from_a_zone_that_is_no_posix_zone(hostile, address, skew):
    """Site: hostile-site.yaml. Only LocalDateTime (UTC+9), its zone written "GMT+09:00" (.71: read the POSIX way,
    UTC-9, the skew was 18 h off) or "Asia/Seoul" (.72: no POSIX zone at all, local time taken as UTC, 9 h off).
    The skew is the device's true one, and its tokens were dated by it: no signed call was refused first."""
    lab, found = hostile
    device = found[address]
    assert device.status == "ok" and device.serial == lab.device(address)["serial"]
    assert device.clock_skew_s is not None and abs(device.clock_skew_s - skew) < 5, device.clock_skew_s
    assert "failed" not in _verdicts(lab, address), _verdicts(lab, address)
    assert "which its tokens were dated by" not in device.status_reason


def test_a_clock_whose_utc_cannot_be_known_is_not_recorded(hostile):
    """Site: hostile-site.yaml. 127.30.0.73 sends LocalDateTime (UTC+9) and no TimeZone: local time taken as UTC
    made a skew of +9 h, shown as the device's. Nothing in its answer says where UTC is, so no skew is recorded,
    the note says what each clock said, and its tokens go by the HTTP Date (the one clock labelled UTC)."""
    lab, found = hostile
    device = found["127.30.0.73"]
    assert device.status == "ok" and device.serial == "TRN300073"
    assert device.clock_skew_s is None
    assert re.search(r"LocalDateTime taken as UTC \(no TimeZone\): \+32(39[5-9]|40[0-5]) s", device.status_reason), \
        device.status_reason
    assert "HTTP Date: +0 s" in device.status_reason
    assert "failed" not in _verdicts(lab, "127.30.0.73"), _verdicts(lab, "127.30.0.73")


def test_a_login_lock_is_an_auth_failure(hostile):
    """Site: hostile-site.yaml. 127.30.0.74's Illegal Login Lock answers 403 and an HTML page to every signed
    call: the site must clear a lock (or a stale password elsewhere), not chase a protocol bug. One signed
    call only: every further one would be one more attempt against the lock."""
    lab, found = hostile
    device = found["127.30.0.74"]
    assert (device.status, device.model) == ("auth_failed", None)
    assert "403" in device.status_reason and "locked" in device.status_reason
    signed = [v for v in _verdicts(lab, "127.30.0.74") if v != "none"]
    assert len(signed) == 1, signed


def test_a_broken_tls_handshake_is_a_protocol_error(hostile):
    """Site: hostile-site.yaml. 127.30.0.75 takes the TCP connection on 443 and answers the ClientHello with a
    handshake_failure alert. The device is there: `unreachable` sent the site looking for a dead link."""
    lab, found = hostile
    device = found["127.30.0.75"]
    assert device.status == "protocol_error"
    assert "TLS handshake with https://127.30.0.75" in device.status_reason, device.status_reason
    assert any(r["op"] == "(TLS handshake refused)" for r in lab.requests() if r["device"] == "127.30.0.75")


def test_service_namespaces_with_line_breaks_are_read(hostile):
    """Site: hostile-site.yaml. 127.30.0.76 pretty-prints GetServices' namespaces onto lines of their own: taken as
    they came, no service was known, media went unasked and the camera had no role."""
    _, found = hostile
    device = found["127.30.0.76"]
    assert device.status == "ok" and device.role == "camera", device.role_reason
    assert (device.video_sources, device.profiles) == (1, 1)
    assert "http://www.onvif.org/ver10/media/wsdl" in device.services
    assert all(s == s.strip() for s in device.services), device.services


def test_a_certificate_naming_the_hostname_points_at_no_maker(hostile):
    """Site: hostile-site.yaml. A certificate whose CN is only the device's hostname says what the site called it.
    127.30.0.77 (a Hanwha called DAHUA-GATE-2) was accused of being a Dahua; 127.30.0.78 (a 한빛비전 made by Dahua,
    called hikvision-lobby) went unaccused, its Dahua evidence taken for mixed signals."""
    _, found = hostile
    honest, relabelled = found["127.30.0.77"], found["127.30.0.78"]
    assert honest.fingerprints.tls_subject == "CN=DAHUA-GATE-2" and honest.hostname == "DAHUA-GATE-2"
    assert honest.suspected_relabel is None
    assert relabelled.fingerprints.tls_subject == "CN=hikvision-lobby"
    assert relabelled.suspected_relabel is not None and relabelled.suspected_relabel.likely_maker == "Dahua"
    assert not any("certificate" in line for line in relabelled.suspected_relabel.evidence)
def test_a_clock_that_is_not_implemented_is_read_from_the_http_date(hostile):
    """Site: hostile-site.yaml. GetSystemDateAndTime answered with gSOAP's 'not implemented' (a Kojima,
    home-assistant/core#138579; a HiKam A7, agsh/onvif#65) on a camera 15 min behind: the fault's HTTP Date
    is its clock, so the tokens are dated by it and accepted, and the skew is kept."""
    lab, found = hostile
    d = found["127.30.0.80"]
    assert (d.manufacturer, d.model, d.serial) == ("Technology", "IPC", "3529616")
    assert d.clock_skew_s == pytest.approx(-900, abs=5)
    assert any(e.field == "clock_skew_s" and e.operation == "HTTP Date header" for e in d.evidence)
    signed = [r for r in lab.requests() if r["device"] == "127.30.0.80" and r["auth"] not in ("none",)]
    assert signed and all(r["auth"] == "ok" for r in signed)  # not one token refused for its time


def test_rtsp_headers_in_odd_case_and_a_wrong_cseq_are_still_evidence(hostile):
    """Site: hostile-site.yaml. RTSP answers with 'Cseq: 0' whatever was asked and 'Www-Authenticate'
    (Hisilicon, luisiam/homebridge-foscamcamera#6; TP-Link, AlexxIT/go2rtc#999) on a relabelled Dahua with no
    HTTPS and a MAC that names nobody: its RTSP Server header and realm are what tell the relabel."""
    lab, found = hostile
    d = found["127.30.0.81"]
    assert d.fingerprints.rtsp_server == "Dahua Rtsp Server"
    assert d.fingerprints.rtsp_realm == f"Login to {lab.device('127.30.0.81')['serial']}"
    assert d.fingerprints.tls_subject is None and d.suspected_relabel is not None
    assert d.suspected_relabel.likely_maker.startswith("Dahua")
    labels = " ".join(d.suspected_relabel.evidence)
    assert "RTSP Server header" in labels and "RTSP authentication realm" in labels


def test_a_recorder_listing_no_recordings_is_still_a_recorder_with_its_channels(hostile):
    """Site: hostile-site.yaml. Hikvision and Milesight recorders list over ONVIF only recordings made through
    it (hammeraj/onvif#112): none. The recorder is one by its services, and its channels are its video sources
    (reports/recorders.py counts those first), not its zero recordings."""
    from reports.policy import load_policy
    from reports.recorders import unseen_cameras

    _, found = hostile
    d = found["127.30.0.82"]
    assert (d.role, d.recordings, d.video_sources, d.profiles) == ("nvr", 0, 8, 8)
    assert "recording" in d.role_reason
    unseen = unseen_cameras([d], load_policy("kr-sme-parts-localization-2024"))
    assert unseen.count == 8 and unseen.findings[0].evidence[0].key == "recorder_video_sources"


def test_a_white_label_placeholder_is_no_makers_name(hostile):
    """Site: hostile-site.yaml. White-label firmware names no maker: "Technology" (a HiKam A7, agsh/onvif#65) was
    taken for "Zhejiang Dahua Technology" cut short, so Dahua-made hardware under it went unsuspected (.83).
    A placeholder whose fingerprints name nobody is no accusation, and what it announced is kept as said (.84)."""
    _, found = hostile
    white = found["127.30.0.83"]
    assert (white.manufacturer, white.model) == ("Technology", "IPC")
    assert white.suspected_relabel is not None and white.suspected_relabel.claimed == "Technology"
    assert white.suspected_relabel.likely_maker.startswith("Dahua")
    ipcam = found["127.30.0.84"]
    assert ipcam.suspected_relabel is None and ipcam.manufacturer is None  # it refused us: nothing claimed
    assert "onvif://www.onvif.org/hardware/IPC-model" in ipcam.scopes
    assert ipcam.role == "camera" and "WS-Discovery scopes only" in ipcam.role_reason
