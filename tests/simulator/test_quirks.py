"""Every quirk in simulator/quirks.py, each on its own camera.

Site: tests/simulator/fixtures/quirks-site.yaml (quirk_lab fixture; one camera per quirk at 127.20.0.N),
plus the demo site (demo_lab) where a quirk is checked against an ordinary device.
"""

from __future__ import annotations

import socket
import sys
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import pytest
from defusedxml import ElementTree as SafeET
from defusedxml import EntitiesForbidden
from onvif import ONVIFCamera
from wsdiscovery.message import parseSOAPMessage
from zeep.exceptions import Fault

from simulator.quirks import QUIRKS

from .conftest import quirk_address
from .rawsoap import MEDIA_NS, call, envelope, post, probe, username_token
from .test_schemas import schema_of, validate

pytestmark = pytest.mark.network
TDS = "{http://www.onvif.org/ver10/device/wsdl}"
TT = "{http://www.onvif.org/ver10/schema}"
ENV = "{http://www.w3.org/2003/05/soap-envelope}"


def dev(lab, name):
    return lab.device(quirk_address(name))


def test_every_quirk_has_a_test():
    module = sys.modules[__name__]
    missing = [name for name in QUIRKS if not hasattr(module, f"test_{name}")]
    assert not missing, f"quirks without a test: {missing}"


def _utc(reply, tag: str = "UTCDateTime") -> datetime:
    root = ET.fromstring(reply.body)
    t = root.find(f".//{TT}{tag}")
    g = lambda path: int(t.findtext(path))
    return datetime(g(f"{TT}Date/{TT}Year"), g(f"{TT}Date/{TT}Month"), g(f"{TT}Date/{TT}Day"),
                    g(f"{TT}Time/{TT}Hour"), g(f"{TT}Time/{TT}Minute"), g(f"{TT}Time/{TT}Second"), tzinfo=UTC)


def test_clock_skew(quirk_lab):
    d = dev(quirk_lab, "clock_skew")
    skew = (_utc(call(d, "GetSystemDateAndTime", auth=False)) - datetime.now(UTC)).total_seconds()
    assert -7300 < skew < -7100
    reply = call(d, "GetDeviceInformation")
    assert reply.status == 400  # host clock is 2 h off the device's
    # the HTTP Date header comes from the same skewed clock, as a real device's web server stamps it
    date_skew = (parsedate_to_datetime(reply.headers["Date"]) - datetime.now(UTC)).total_seconds()
    assert -7300 < date_skew < -7100
    assert call(d, "GetDeviceInformation", shift=-7200).status == 200


async def test_no_get_services(quirk_lab):
    d = dev(quirk_lab, "no_get_services")
    reply = call(d, "GetServices", auth=False)
    assert reply.status == 500 and b"ter:ActionNotSupported" in reply.body
    cam = ONVIFCamera(d["address"], d["port"], d["username"], d["password"])
    try:
        await cam.update_xaddrs()  # the real client falls back to GetCapabilities
        assert "http://www.onvif.org/ver10/media/wsdl" in cam.xaddrs
    finally:
        await cam.close()


async def test_empty_get_services(quirk_lab):
    d = dev(quirk_lab, "empty_get_services")
    reply = call(d, "GetServices", auth=False)
    assert reply.status == 200 and ET.fromstring(reply.body).find(f".//{TDS}Service") is None
    cam = ONVIFCamera(d["address"], d["port"], d["username"], d["password"])
    try:
        await cam.update_xaddrs()
        assert "http://www.onvif.org/ver10/media/wsdl" in cam.xaddrs
    finally:
        await cam.close()


def _probe_xaddrs(address: str) -> str:
    _, replies = probe(address, wait=0.8)
    assert replies
    return ET.fromstring(replies[0][1]).findtext(".//{http://schemas.xmlsoap.org/ws/2005/04/discovery}XAddrs")


def test_zero_xaddrs(quirk_lab):
    d = dev(quirk_lab, "zero_xaddrs")
    assert _probe_xaddrs(d["address"]) == "http://0.0.0.0/onvif/device_service"
    caps = call(d, "GetCapabilities", auth=False).body
    assert b"<tt:XAddr>http://0.0.0.0/onvif/media_service</tt:XAddr>" in caps


def test_foreign_xaddrs(quirk_lab):
    d = dev(quirk_lab, "foreign_xaddrs")
    assert _probe_xaddrs(d["address"]) == "http://192.168.1.64/onvif/device_service"
    assert b"http://192.168.1.64/onvif/device_service" in call(d, "GetServices", auth=False).body


def test_slow(quirk_lab):
    d = dev(quirk_lab, "slow")
    with pytest.raises((TimeoutError, socket.timeout, OSError)):
        call(d, "GetSystemDateAndTime", auth=False, timeout=0.3)
    assert call(d, "GetSystemDateAndTime", auth=False, timeout=10).status == 200


def test_hang(quirk_lab):
    d = dev(quirk_lab, "hang")
    with pytest.raises((TimeoutError, socket.timeout, OSError)):
        call(d, "GetSystemDateAndTime", auth=False, timeout=1)
    assert any(r["device"] == d["address"] and r["op"] == "(hang)" for r in quirk_lab.requests())
    # the lab itself keeps serving others
    assert call(dev(quirk_lab, "slow"), "GetHostname", timeout=10).status == 200


def test_malformed_xml(quirk_lab):
    d = dev(quirk_lab, "malformed_xml")
    ET.fromstring(call(d, "GetSystemDateAndTime", auth=False).body)  # pre-auth answers stay readable
    reply = call(d, "GetDeviceInformation")
    assert reply.status == 200
    with pytest.raises(ET.ParseError):
        ET.fromstring(reply.body)


def test_huge_response(quirk_lab):
    d = dev(quirk_lab, "huge_response")
    reply = call(d, "GetDeviceInformation", timeout=30)
    assert len(reply.body) >= 5 * 1024 * 1024
    assert ET.fromstring(reply.body).findtext(f".//{TDS}Model") == "XNO-6080R"


def test_entity_expansion(quirk_lab):
    d = dev(quirk_lab, "entity_expansion")
    body = call(d, "GetDeviceInformation").body
    assert b"<!DOCTYPE" in body and b"<!ENTITY lol9" in body
    with pytest.raises(EntitiesForbidden):
        SafeET.fromstring(body)


def test_markup_strings(quirk_lab):
    d = dev(quirk_lab, "markup_strings")
    body = call(d, "GetDeviceInformation").body
    assert b"&lt;script&gt;" in body and b"<script>" not in body  # escaped on the wire...
    assert ET.fromstring(body).findtext(f".//{TDS}Manufacturer") == "Hanwha Vision<script>alert(1)</script>"
    assert d["manufacturer"].endswith("<script>alert(1)</script>")  # ...and the fixture shows what is served


def test_formula_strings(quirk_lab):
    d = dev(quirk_lab, "formula_strings")
    model = ET.fromstring(call(d, "GetDeviceInformation").body).findtext(f".//{TDS}Model")
    assert model == '=HYPERLINK("http://x","XNO-6080R")' == d["model"]


def test_unicast_only(quirk_lab):
    d = dev(quirk_lab, "unicast_only")
    _, replies = probe()
    sources = {src for src, _ in replies}
    assert dev(quirk_lab, "slow")["address"] in sources
    assert d["address"] not in sources
    _, replies = probe(d["address"], wait=0.8)
    assert [src for src, _ in replies] == [d["address"]]


def test_one_request_per_connection(quirk_lab):
    import http.client

    d = dev(quirk_lab, "one_request_per_connection")
    connection = http.client.HTTPConnection(d["address"], d["port"], timeout=5)
    connection.request("POST", "/onvif/device_service", body=envelope("GetSystemDateAndTime"),
                       headers={"Content-Type": "application/soap+xml"})
    first = connection.getresponse()
    assert first.status == 200 and first.getheader("Connection") != "close"
    first.read()
    connection.request("POST", "/onvif/device_service", body=envelope("GetSystemDateAndTime"),
                       headers={"Content-Type": "application/soap+xml"})
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        connection.getresponse()
    connection.close()
    assert post(f"http://{d['address']}:{d['port']}/onvif/device_service",
                envelope("GetSystemDateAndTime")).status == 200  # a new connection is answered


def test_typed_probes_only(quirk_lab):
    d = dev(quirk_lab, "typed_probes_only")
    _, replies = probe(d["address"], types="", wait=0.8)
    assert replies == []  # a Probe naming no Types: silence
    _, replies = probe(d["address"], types="dn:NetworkVideoTransmitter", wait=0.8)
    assert [src for src, _ in replies] == [d["address"]]
    _, replies = probe(dev(quirk_lab, "slow")["address"], types="", wait=0.8)
    assert len(replies) == 1  # an ordinary device answers it, as WS-Discovery says


def test_probe_prefix_dn(quirk_lab):
    d = dev(quirk_lab, "probe_prefix_dn")
    for silent in ("", "t:NetworkVideoTransmitter", "onvif:Device"):
        _, replies = probe(d["address"], types=silent, wait=0.8)
        assert replies == [], silent  # the same types under other prefixes, or none: nothing
    for literal in ("dn:NetworkVideoTransmitter", "tds:Device"):
        _, replies = probe(d["address"], types=literal, wait=0.8)
        assert [src for src, _ in replies] == [d["address"]], literal
    _, replies = probe(dev(quirk_lab, "slow")["address"], types="t:NetworkVideoTransmitter", wait=0.8)
    assert len(replies) == 1  # an ordinary device reads the local name


def _rtsp_describe(address: str) -> bytes:
    with socket.create_connection((address, 554), timeout=5) as sock:
        sock.sendall(f"DESCRIBE rtsp://{address}/ RTSP/1.0\r\nCSeq: 4\r\n\r\n".encode())
        answer = b""
        while not answer.endswith((b"\n\n", b"\r\n\r\n")):
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer


def test_rtsp_bare_lf(quirk_lab):
    answer = _rtsp_describe(dev(quirk_lab, "rtsp_bare_lf")["address"])
    assert answer.startswith(b"RTSP/1.0 401 Unauthorized\nCSeq: 4\n") and b"WWW-Authenticate: Digest" in answer
    assert b"\r" not in answer and answer.endswith(b"\n\n")
    assert _rtsp_describe(dev(quirk_lab, "slow")["address"]).endswith(b"\r\n\r\n")  # an ordinary one: CR LF


def test_rtsp_odd_headers(quirk_lab):
    answer = _rtsp_describe(dev(quirk_lab, "rtsp_odd_headers")["address"])
    assert answer.startswith(b"RTSP/1.0 401 Unauthorized\r\nCseq: 0\r\n")  # not our 4, nor CSeq
    assert b"\r\nWww-Authenticate: Digest realm=" in answer and b"WWW-Authenticate" not in answer
    assert _rtsp_describe(dev(quirk_lab, "slow")["address"]).startswith(b"RTSP/1.0 401 Unauthorized\r\nCSeq: 4\r\n")


def test_wrong_relates_to(quirk_lab):
    d = dev(quirk_lab, "wrong_relates_to")
    mid, replies = probe(d["address"], wait=0.8)
    relates = ET.fromstring(replies[0][1]).findtext(".//{http://schemas.xmlsoap.org/ws/2004/08/addressing}RelatesTo")
    assert relates and relates != mid
    mid, replies = probe(dev(quirk_lab, "slow")["address"], wait=0.8)
    assert ET.fromstring(replies[0][1]).findtext(
        ".//{http://schemas.xmlsoap.org/ws/2004/08/addressing}RelatesTo") == mid


WSA = "{http://schemas.xmlsoap.org/ws/2004/08/addressing}"
WSD = "{http://schemas.xmlsoap.org/ws/2005/04/discovery}"


def test_echo_message_id(quirk_lab):
    d = dev(quirk_lab, "echo_message_id")
    mid, replies = probe(d["address"], wait=0.8)
    root = ET.fromstring(replies[0][1])
    assert root.findtext(f".//{WSA}MessageID") == mid and root.findtext(f".//{WSA}RelatesTo") == mid
    _, replies = probe(dev(quirk_lab, "slow")["address"], wait=0.8)
    assert ET.fromstring(replies[0][1]).findtext(f".//{WSA}MessageID") != mid


def test_wsd_host_not_onvif(quirk_lab):
    d = dev(quirk_lab, "wsd_host_not_onvif")
    for types in ("", "dn:NetworkVideoTransmitter", "tds:Device"):  # answers whatever is asked
        _, replies = probe(d["address"], types=types, wait=0.8)
        assert [src for src, _ in replies] == [d["address"]], types
    match = ET.fromstring(replies[0][1]).find(f".//{WSD}ProbeMatch")
    assert match.findtext(f"{WSD}Types") == "wsdp:Device pub:Computer"
    assert match.find(f"{WSD}Scopes") is None
    xaddr = urlsplit(match.findtext(f"{WSD}XAddrs"))
    assert (xaddr.hostname, xaddr.port) == (d["hostname"].lower(), 5357) and "onvif" not in xaddr.path
    assert call(d, "GetSystemDateAndTime", auth=False).status == 404  # no ONVIF behind it
    assert call(dev(quirk_lab, "slow"), "GetSystemDateAndTime", auth=False).status == 200


def test_bogus_hw_address(quirk_lab):
    d = dev(quirk_lab, "bogus_hw_address")
    body = call(d, "GetNetworkInterfaces").body
    assert ET.fromstring(body).findtext(f".//{TT}HwAddress") == "5792c4:5792c5:5792c6:5792c7:5792c8:5792c9"
    assert ET.fromstring(call(dev(quirk_lab, "slow"), "GetNetworkInterfaces").body).findtext(
        f".//{TT}HwAddress") == dev(quirk_lab, "slow")["mac"]


def test_fake_serial(quirk_lab):
    d = dev(quirk_lab, "fake_serial")
    assert ET.fromstring(call(d, "GetDeviceInformation").body).findtext(f".//{TDS}SerialNumber") == "0123456789"
    assert d["serial"] != "0123456789"  # the fixture's own serial is not what it says


def test_date_without_day(quirk_lab):
    d = dev(quirk_lab, "date_without_day")
    root = ET.fromstring(call(d, "GetSystemDateAndTime", auth=False).body)
    for tag in ("UTCDateTime", "LocalDateTime"):
        date = root.find(f".//{TT}{tag}/{TT}Date")
        assert date.find(f"{TT}Month") is not None and date.find(f"{TT}Day") is None, tag
    _utc(call(dev(quirk_lab, "slow"), "GetSystemDateAndTime", auth=False))  # an ordinary one has its Day


def test_soap11_envelope(quirk_lab):
    d = dev(quirk_lab, "soap11_envelope")
    reply = call(d, "GetDeviceInformation")
    root = ET.fromstring(reply.body)
    assert reply.status == 200 and root.tag == "{http://schemas.xmlsoap.org/soap/envelope/}Envelope"
    assert root.find(f".//{TDS}Manufacturer") is not None
    refused = ET.fromstring(call(d, "GetDeviceInformation", password="wrong").body)
    fault = refused.find(".//{http://schemas.xmlsoap.org/soap/envelope/}Fault")
    assert fault.findtext("faultcode") == "ter:NotAuthorized" and fault.findtext("faultstring")
    assert ET.fromstring(call(dev(quirk_lab, "slow"), "GetDeviceInformation").body).tag == f"{ENV}Envelope"


def test_soap11_only(quirk_lab):
    d = dev(quirk_lab, "soap11_only")
    url = f"http://{d['address']}/onvif/device_service"
    security = username_token(d["username"], d["password"])
    asked_in_12 = post(url, envelope("GetDeviceInformation", security=security))
    assert (asked_in_12.status, asked_in_12.body) == (200, b"")  # OpenIPC/viewer#65: zero bytes, no fault
    asked_in_11 = post(url, envelope("GetDeviceInformation", security=username_token(d["username"], d["password"])),
                       soap11=True)
    root = ET.fromstring(asked_in_11.body)
    assert asked_in_11.status == 200 and asked_in_11.headers["Content-Type"].startswith("text/xml")
    assert root.tag == "{http://schemas.xmlsoap.org/soap/envelope/}Envelope"
    assert root.findtext(f".//{TDS}SerialNumber") == d["serial"]  # the token in a 1.1 header was read


def test_untyped_probe_fault(quirk_lab):
    d = dev(quirk_lab, "untyped_probe_fault")
    _, replies = probe(d["address"], types="", wait=0.8)
    [(src, payload)] = replies
    root = ET.fromstring(payload)
    wsa = "{http://schemas.xmlsoap.org/ws/2004/08/addressing}"
    assert src == d["address"] and root.find(f"{ENV}Body/{ENV}Fault") is not None
    assert root.findtext(f".//{wsa}Action").endswith("/discovery/Probe") and root.find(f".//{wsa}RelatesTo") is None
    assert b"ter:InvalidArgVal" in payload and b"ProbeMatch" not in payload
    _, replies = probe(d["address"], types="dn:NetworkVideoTransmitter", wait=0.8)
    [(_, payload)] = replies
    assert parseSOAPMessage(payload.decode(), src).getAction().endswith("/discovery/ProbeMatches")


def test_duplicate_probe_matches(quirk_lab):
    d = dev(quirk_lab, "duplicate_probe_matches")
    _, replies = probe(d["address"], wait=0.8)
    assert len(replies) == 2 and replies[0][1] == replies[1][1]


def test_all_ops_require_auth(quirk_lab):
    d = dev(quirk_lab, "all_ops_require_auth")
    for op in ("GetSystemDateAndTime", "GetServices", "GetCapabilities"):
        reply = call(d, op, auth=False)
        assert reply.status == 400 and b"ter:NotAuthorized" in reply.body, op
        assert call(d, op).status == 200
    # an ordinary device answers these without credentials (ONVIF pre-auth rule)
    assert call(dev(quirk_lab, "slow"), "GetServices", auth=False).status == 200


def test_http_401_on_bad_auth(quirk_lab):
    d = dev(quirk_lab, "http_401_on_bad_auth")
    reply = call(d, "GetDeviceInformation", password="wrong")
    assert reply.status == 401 and b"Access Error: 401 -- Unauthorized" in reply.body
    assert call(d, "GetDeviceInformation").status == 200


def test_empty_body_without_action(quirk_lab):
    d = dev(quirk_lab, "empty_body_without_action")
    url = f"http://{d['address']}/onvif/device_service"
    data = envelope("GetSystemDateAndTime")
    assert post(url, data, action=None).body == b""
    assert b"UTCDateTime" in post(url, data).body


def test_time_check_fault(quirk_lab):
    d = dev(quirk_lab, "time_check_fault")
    reply = call(d, "GetDeviceInformation", shift=3600)
    assert reply.status == 400 and b"Wsse authorized time check failed." in reply.body
    assert call(d, "GetDeviceInformation").status == 200


def test_require_zulu_created(quirk_lab):
    d = dev(quirk_lab, "require_zulu_created")
    now = datetime.now(UTC).replace(microsecond=0)
    offset = call(d, "GetDeviceInformation", created=now.isoformat())  # ...+00:00
    assert offset.status == 400 and b"NotAuthorized" in offset.body
    assert call(d, "GetDeviceInformation", created=now.strftime("%Y-%m-%dT%H:%M:%SZ")).status == 200
    # an ordinary device takes either form
    assert call(dev(quirk_lab, "slow"), "GetHostname", created=now.isoformat(), timeout=10).status == 200


def test_soap11_content_type(quirk_lab):
    d = dev(quirk_lab, "soap11_content_type")
    assert call(d, "GetHostname").headers["Content-Type"].startswith("text/xml")
    assert call(dev(quirk_lab, "bom_prefix"), "GetHostname").headers["Content-Type"].startswith(
        "application/soap+xml")


def test_bom_prefix(quirk_lab):
    d = dev(quirk_lab, "bom_prefix")
    body = call(d, "GetHostname").body
    assert body.startswith(b"\xef\xbb\xbf\n<?xml")
    with pytest.raises(ET.ParseError):
        ET.fromstring(body)  # a strict parser chokes on the newline before the declaration
    assert ET.fromstring(body[4:]).find(f"{ENV}Body") is not None


def test_token_helper_is_zulu():
    assert "Z</wsu:Created>" in username_token("u", "p")


def test_lockout(quirk_lab):
    d = dev(quirk_lab, "lockout")  # attempts 3, seconds 2
    assert b"You still have 2 attempt(s)" in call(d, "GetHostname", password="guess1").body
    assert call(d, "GetHostname").status == 200  # a success resets the count
    assert b"You still have 2 attempt(s)" in call(d, "GetHostname", password="guess1").body
    assert b"You still have 1 attempt(s)" in call(d, "GetHostname", password="guess2").body
    assert b"locked" in call(d, "GetHostname", password="guess3").body
    locked = call(d, "GetHostname")  # right password, still refused
    assert locked.status == 400 and b"locked" in locked.body
    assert call(d, "GetSystemDateAndTime", auth=False).status == 200  # pre-auth stays open
    import time

    time.sleep(2.2)
    assert call(d, "GetHostname").status == 200


# --- second field-research pass -------------------------------------------------------------


async def test_digest_only(quirk_lab):
    d = dev(quirk_lab, "digest_only")
    signed = call(d, "GetDeviceInformation")  # a valid WS-UsernameToken, no HTTP digest
    assert signed.status == 401 and signed.headers["WWW-Authenticate"].startswith("Digest ")
    assert b"Access Error: 401 -- Unauthorized" in signed.body
    assert call(d, "GetSystemDateAndTime", auth=False).status == 200  # pre-auth stays open
    # urllib's own digest handler gets in, without any WS-Security header
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    manager.add_password(None, f"http://{d['address']}/", d["username"], d["password"])
    opener = urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(manager))
    request = urllib.request.Request(f"http://{d['address']}/onvif/device_service",
                                     data=envelope("GetDeviceInformation"),
                                     headers={"Content-Type": "application/soap+xml"})
    with opener.open(request, timeout=10) as resp:
        assert resp.status == 200 and d["serial"].encode() in resp.read()
    # the real onvif-zeep-async client signs with WS-UsernameToken only: refused, as on such a Hikvision
    cam = ONVIFCamera(d["address"], d["port"], d["username"], d["password"])
    try:
        await cam.update_xaddrs()  # GetCapabilities is pre-auth
        mgmt = await cam.create_devicemgmt_service()
        with pytest.raises(Fault) as info:
            await mgmt.GetDeviceInformation()
        assert info.value.message == "Unknown fault occured"  # the HTML 401 page, as home-assistant/core#119107
    finally:
        await cam.close()


def test_ipv6_xaddrs(quirk_lab):
    d = dev(quirk_lab, "ipv6_xaddrs")
    text = _probe_xaddrs(d["address"])
    v4, v6 = text.split(" ")
    assert v4 == f"http://{d['address']}/onvif/device_service"
    # fe80:: + modified EUI-64 of e4:30:22:20:00:NN, as the Hikvision XAddrs in agsh/onvif#93
    assert v6 == f"http://[fe80::e630:22ff:fe20:{int(d['mac'][-2:], 16):x}]/onvif/device_service"
    assert urlsplit(v6).hostname.startswith("fe80::")
    _, replies = probe(d["address"], wait=0.8)
    match = parseSOAPMessage(replies[0][1], d["address"]).getProbeResolveMatches()[0]
    assert match.getXAddrs() == [v4, v6]  # WSDiscovery's parser reads both
    # GetServices keeps naming only the IPv4 address
    assert b"fe80::" not in call(d, "GetServices", auth=False).body


async def test_shared_first_mac(quirk_lab):
    d = dev(quirk_lab, "shared_first_mac")
    reply = call(d, "GetNetworkInterfaces")
    assert reply.status == 200
    validate(schema_of("devicemgmt.wsdl"), reply.body)
    first, second = ET.fromstring(reply.body).iter(f"{TDS}NetworkInterfaces")
    assert first.findtext(f"{TT}Info/{TT}HwAddress") == "00-30-1B-BA-02-DB"
    assert first.findtext(f"{TT}IPv4/{TT}Enabled") == "false"
    assert second.findtext(f"{TT}Info/{TT}HwAddress") == d["mac"].upper().replace(":", "-")
    assert second.findtext(f"{TT}IPv4/{TT}Config/{TT}Manual/{TT}Address") == d["address"]
    cam = ONVIFCamera(d["address"], d["port"], d["username"], d["password"])
    try:
        await cam.update_xaddrs()
        ifaces = await (await cam.create_devicemgmt_service()).GetNetworkInterfaces()
        # what a client taking the first enabled interface keeps: the MAC every such unit shares
        assert next(i.Info.HwAddress for i in ifaces if i.Enabled) == "00-30-1B-BA-02-DB"
    finally:
        await cam.close()


async def test_no_network_interfaces(quirk_lab):
    d = dev(quirk_lab, "no_network_interfaces")
    reply = call(d, "GetNetworkInterfaces")
    assert reply.status == 400 and b"env:Sender" in reply.body
    assert b"Subcode" not in reply.body and b"not implemented" in reply.body
    assert call(d, "GetHostname").status == 200  # only that one operation is missing
    cam = ONVIFCamera(d["address"], d["port"], d["username"], d["password"])
    try:
        await cam.update_xaddrs()
        mgmt = await cam.create_devicemgmt_service()
        with pytest.raises(Fault) as info:
            await mgmt.GetNetworkInterfaces()
        assert "not implemented" in info.value.message and not info.value.subcodes
        assert (await mgmt.GetDeviceInformation()).SerialNumber == d["serial"]
    finally:
        await cam.close()


async def test_single_service_path(quirk_lab):
    d = dev(quirk_lab, "single_service_path")
    base = f"http://{d['address']}"
    services = ET.fromstring(call(d, "GetServices", auth=False).body)
    assert {x.text for x in services.iter(f"{TDS}XAddr")} == {f"{base}/onvif/services"}
    assert _probe_xaddrs(d["address"]) == f"{base}/onvif/device_service"  # discovery: the ONVIF-fixed path
    profiles = call(d, "GetProfiles", MEDIA_NS, path="/onvif/services")
    assert profiles.status == 200 and b"<trt:Profiles " in profiles.body
    assert call(d, "GetHostname", path="/onvif/services").status == 200
    assert call(d, "GetHostname").status == 200  # /onvif/device_service still serves the device service
    assert call(d, "GetProfiles", MEDIA_NS, path="/onvif/media_service").status == 404
    cam = ONVIFCamera(d["address"], d["port"], d["username"], d["password"])
    try:
        await cam.update_xaddrs()
        assert cam.xaddrs[MEDIA_NS] == f"{base}/onvif/services"
        assert len(await (await cam.create_media_service()).GetProfiles()) == 1
    finally:
        await cam.close()


def _raw_http(address: str, port: int, request: bytes) -> bytes:
    """Everything the device sends back on one connection (it closes or goes quiet)."""
    with socket.create_connection((address, port), timeout=5) as sock:
        sock.sendall(request)
        sock.settimeout(1.0)
        received = b""
        while True:
            try:
                piece = sock.recv(65536)
            except TimeoutError:
                break
            if not piece:
                break
            received += piece
            if received.endswith(b"\r\n0\r\n\r\n"):
                break
    return received


def _soap_post(body: bytes, *, close: bool = True) -> bytes:
    """A raw HTTP/1.1 POST of a SOAP body to /onvif/device_service."""
    return (b"POST /onvif/device_service HTTP/1.1\r\nHost: x\r\nContent-Type: application/soap+xml\r\n"
            b"Content-Length: " + str(len(body)).encode() + (b"\r\nConnection: close" if close else b"")
            + b"\r\n\r\n" + body)


def _tls_exchange(d: dict, requests: list[bytes], done) -> list[bytes]:
    """Send each request over one TLS connection to the device's HTTPS port; read until `done(answer)`."""
    import ssl

    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    answers = []
    with socket.create_connection((d["address"], d["https_port"]), timeout=5) as raw, \
            context.wrap_socket(raw) as tls:
        for request in requests:
            tls.sendall(request)
            answer = b""
            while not done(answer):
                piece = tls.recv(65536)
                if not piece:
                    break
                answer += piece
            answers.append(answer)
    return answers


def test_chunked_answers(quirk_lab):
    d = dev(quirk_lab, "chunked_answers")
    body = envelope("GetSystemDateAndTime")
    raw = _raw_http(d["address"], d["port"], _soap_post(body))
    head, _, chunked = raw.partition(b"\r\n\r\n")
    assert b"transfer-encoding: chunked" in head.lower() and b"content-length" not in head.lower()
    sizes = []
    while chunked:
        size_line, _, rest = chunked.partition(b"\r\n")
        size = int(size_line, 16)
        sizes.append(size)
        chunked = rest[size + 2:]
        if size == 0:
            break
    assert len(sizes) > 2 and max(sizes) <= 512  # several pieces, not one body
    # and a real client reads the whole answer through the chunks
    assert call(d, "GetDeviceInformation").body.count(d["serial"].encode()) == 1


def test_gbk_strings(quirk_lab):
    d = dev(quirk_lab, "gbk_strings")
    reply = call(d, "GetHostname")
    assert reply.status == 200 and b'encoding="UTF-8"' in reply.body
    assert (d["hostname"].encode() + "摄像头".encode("gbk")) in reply.body
    with pytest.raises(UnicodeDecodeError):
        reply.body.decode("utf-8")
    assert call(d, "GetDeviceInformation").body.decode("utf-8")  # the other answers are clean


def test_local_time_only(quirk_lab):
    d = dev(quirk_lab, "local_time_only")
    reply = call(d, "GetSystemDateAndTime", auth=False)
    root = ET.fromstring(reply.body)
    assert root.find(f".//{TT}UTCDateTime") is None
    assert root.findtext(f".//{TT}TimeZone/{TT}TZ") == "KST-9"
    ahead = (_utc(reply, "LocalDateTime") - datetime.now(UTC)).total_seconds()
    assert 9 * 3600 - 60 < ahead < 9 * 3600 + 60  # local time, nine hours east of UTC


def test_fault_undeclared_prefix(quirk_lab):
    d = dev(quirk_lab, "fault_undeclared_prefix")
    fault = call(d, "SetSystemFactoryDefault")  # no such operation here: ter:ActionNotSupported
    assert fault.status == 500 and b"ter:ActionNotSupported" in fault.body
    assert b"xmlns:ter=" not in fault.body
    root = ET.fromstring(fault.body)  # still well-formed XML: the prefix is only in text
    assert root.find(f".//{ENV}Subcode") is not None
    answer = call(d, "GetDeviceInformation")  # answers keep every declaration
    assert answer.status == 200 and b"xmlns:ter=" in answer.body


def _tls_close(address: str, timeout: float) -> bool:
    """Handshake, say close_notify, and wait for the server's: True if it came within `timeout`."""
    import ssl

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection((address, 443), timeout=timeout) as raw:
        tls = context.wrap_socket(raw)
        assert tls.getpeercert(binary_form=True)
        try:
            tls.unwrap()
            return True
        except TimeoutError:
            return False


def test_tls_no_close_notify(quirk_lab):
    d = dev(quirk_lab, "tls_no_close_notify")
    assert _tls_close(d["address"], timeout=1.0) is False  # the connection stays, silent
    ordinary = dev(quirk_lab, "clock_skew")
    assert _tls_close(ordinary["address"], timeout=5.0) is True  # an ordinary device says goodbye


def test_gzip_when_asked(quirk_lab):
    import gzip

    d = dev(quirk_lab, "gzip_when_asked")
    url = f"http://{d['address']}:{d['port']}/onvif/device_service"
    request = urllib.request.Request(url, data=envelope("GetSystemDateAndTime"), method="POST", headers={
        "Content-Type": "application/soap+xml", "Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert b"GetSystemDateAndTimeResponse" in gzip.decompress(response.read())
    plain = post(url, envelope("GetSystemDateAndTime"))  # urllib asks for no encoding
    assert "Content-Encoding" not in plain.headers and b"GetSystemDateAndTimeResponse" in plain.body


def test_overstated_content_length(quirk_lab):
    d = dev(quirk_lab, "overstated_content_length")
    raw = _raw_http(d["address"], d["port"], b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")  # stops after 1 s of quiet
    head, _, page = raw.partition(b"\r\n\r\n")
    declared = int(next(line.split(b":", 1)[1] for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")))
    assert page.rstrip().endswith(b"</html>")  # the whole page came ...
    assert declared == len(page) + 200  # ... under a length 200 bytes too long
    # and the connection is still open after it: a client trusting the length waits on
    with socket.create_connection((d["address"], d["port"]), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.settimeout(1.0)
        received = b""
        with pytest.raises(TimeoutError):
            while True:
                piece = sock.recv(65536)
                assert piece, "the device closed the connection: it should hold it open"
                received += piece
        assert received.rstrip().endswith(b"</html>")
    # SOAP answers are untouched
    assert call(d, "GetDeviceInformation").body.count(d["serial"].encode()) == 1


def test_echo_before_error(quirk_lab):
    d = dev(quirk_lab, "echo_before_error")
    # not an operation of the device: ActionNotSupported, HTTP 500
    refused = envelope("GetNoSuchThing", security=username_token(d["username"], d["password"]))
    raw = _raw_http(d["address"], d["port"], _soap_post(refused))
    assert raw.startswith(b"POST /onvif/device_service\x00HTTP/1.1\x00\x00Host\x00 x\x00\x00")
    echo, status_line, _ = raw.partition(b"HTTP/1.1 500 ")
    assert status_line and len(echo) <= 160 and b"Connection\x00 close\x00\x00" in echo  # then the answer
    assert b"ActionNotSupported" in raw
    # an answer that is no error comes clean
    assert call(d, "GetDeviceInformation").body.count(d["serial"].encode()) == 1


def test_rejects_ws_addressing(quirk_lab):
    d = dev(quirk_lab, "rejects_ws_addressing")
    url = f"http://{d['address']}:{d['port']}/onvif/device_service"
    wsa = ('<a:Action xmlns:a="http://www.w3.org/2005/08/addressing">'
           "http://www.onvif.org/ver10/device/wsdl/GetDeviceInformation</a:Action>"
           '<a:MessageID xmlns:a="http://www.w3.org/2005/08/addressing">urn:uuid:1</a:MessageID>')
    refused = post(url, envelope("GetDeviceInformation", security=wsa + username_token(d["username"], d["password"])))
    assert refused.status == 400 and b"ter:InvalidArgs" in refused.body and d["serial"].encode() not in refused.body
    assert call(d, "GetDeviceInformation").body.count(d["serial"].encode()) == 1  # the same call without them


def test_redirects_to_https(quirk_lab):
    d = dev(quirk_lab, "redirects_to_https")
    body = envelope("GetDeviceInformation", security=username_token(d["username"], d["password"]))
    moved = _raw_http(d["address"], d["port"], _soap_post(body))
    assert moved.startswith(b"HTTP/1.1 302 ")
    assert f"Location: https://{d['address']}:{d['https_port']}/onvif/device_service\r\n".encode() in moved
    page = _raw_http(d["address"], d["port"], b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert page.startswith(b"HTTP/1.1 302 ") and f"Location: https://{d['address']}:{d['https_port']}/\r\n".encode() in page
    assert _probe_xaddrs(d["address"]).startswith(f"http://{d['address']}")  # what it advertises stays http://
    # over TLS the same services answer, on one kept-alive connection
    whole = lambda answer: d["serial"].encode() in answer and answer.rstrip().endswith(b"Envelope>")
    answers = _tls_exchange(d, [_soap_post(body, close=False)] * 2, whole)
    assert all(whole(a) and a.startswith(b"HTTP/1.1 200 ") for a in answers)


def test_replay_protection(quirk_lab):
    d = dev(quirk_lab, "replay_protection")
    url = f"http://{d['address']}:{d['port']}/onvif/device_service"
    token = username_token(d["username"], d["password"])
    first = post(url, envelope("GetDeviceInformation", security=token))
    assert first.status == 200 and d["serial"].encode() in first.body
    again = post(url, envelope("GetDeviceInformation", security=token))  # the same nonce, within the window
    assert again.status == 400 and b"NotAuthorized" in again.body
    assert call(d, "GetDeviceInformation").status == 200  # a fresh nonce is fine


def test_analytics_in_profiles(quirk_lab):
    d = dev(quirk_lab, "analytics_in_profiles")
    plain = dev(quirk_lab, "clock_skew")  # the same profiles without analytics
    reply = call(d, "GetProfiles", MEDIA_NS, path="/onvif/media_service")
    bare = call(plain, "GetProfiles", MEDIA_NS, path="/onvif/media_service")
    assert reply.status == 200 and reply.body.count(b"<tt:Rule ") == 8 * reply.body.count(b"<trt:Profiles ")
    assert len(reply.body) > 3 * len(bare.body)
    validate(schema_of("media.wsdl"), reply.body)  # still a valid GetProfilesResponse


def _get_services(device: dict, *, tls: bool = False) -> bytes:
    """The device's signed GetServices answer, over its HTTPS port (the whole HTTP answer) or its HTTP one (the body)."""
    body = envelope("GetServices", inner="<IncludeCapability>false</IncludeCapability>",
                    security=username_token(device["username"], device["password"]))
    if not tls:
        return post(f"http://{device['address']}/onvif/device_service", body).body
    [answer] = _tls_exchange(device, [_soap_post(body)], lambda answer: False)  # read until it closes
    assert answer.startswith(b"HTTP/1.1 200 ")
    return answer


def test_https_xaddrs(quirk_lab):
    d = dev(quirk_lab, "https_xaddrs")
    assert _probe_xaddrs(d["address"]) == f"https://{d['address']}/onvif/device_service"
    answer = _get_services(d, tls=True)
    assert f"<tds:XAddr>https://{d['address']}/onvif/media_service</tds:XAddr>".encode() in answer
    assert call(d, "GetDeviceInformation").status == 200  # its plain HTTP port answers as well


def test_split_scheme_xaddrs(quirk_lab):
    d = dev(quirk_lab, "split_scheme_xaddrs")
    assert _probe_xaddrs(d["address"]) == f"https://{d['address']}/onvif/device_service"
    answer = _get_services(d, tls=True)
    assert f"<tds:XAddr>https://{d['address']}/onvif/device_service</tds:XAddr>".encode() in answer
    assert f"<tds:XAddr>http://{d['address']}/onvif/media_service</tds:XAddr>".encode() in answer
    assert call(d, "GetProfiles", MEDIA_NS, path="/onvif/media_service").status == 200  # where it says


def test_edge_recording(quirk_lab):
    d = dev(quirk_lab, "edge_recording")
    offered = _get_services(d)
    assert f"<tds:XAddr>http://{d['address']}/onvif/recording_service</tds:XAddr>".encode() in offered
    assert f"<tds:XAddr>http://{d['address']}/onvif/imaging_service</tds:XAddr>".encode() in offered  # a camera
    assert b"onvif://www.onvif.org/Profile/G" in call(d, "GetScopes").body
    recordings = call(d, "GetRecordings", "http://www.onvif.org/ver10/recording/wsdl", path="/onvif/recording_service")
    assert recordings.status == 200 and recordings.body.count(b"<trc:RecordingItem>") == 1
    assert b"recording_service" not in _get_services(dev(quirk_lab, "clock_skew"))  # an ordinary camera: none


def test_profiles_refused(quirk_lab):
    d = dev(quirk_lab, "profiles_refused")
    refused = call(d, "GetProfiles", MEDIA_NS, path="/onvif/media_service")
    assert refused.status == 400 and b"NotAuthorized" in refused.body
    assert call(d, "GetVideoSources", MEDIA_NS, path="/onvif/media_service").status == 200  # the same account
    assert call(d, "GetDeviceInformation").status == 200


def test_utc_is_local_time(quirk_lab):
    d = dev(quirk_lab, "utc_is_local_time")
    reply = call(d, "GetSystemDateAndTime", auth=False)
    said = _utc(reply)  # labelled UTC
    assert 9 * 3600 - 60 < (said - datetime.now(UTC)).total_seconds() < 9 * 3600 + 60  # KST's wall clock
    assert said == _utc(reply, "LocalDateTime")
    assert abs((parsedate_to_datetime(reply.headers["Date"]) - datetime.now(UTC)).total_seconds()) < 60
    assert call(d, "GetDeviceInformation").status == 200  # a token dated by the true clock is accepted
    assert call(d, "GetDeviceInformation", shift=9 * 3600).status == 400  # one dated by UTCDateTime is not


def test_rejects_action_parameter(quirk_lab):
    d = dev(quirk_lab, "rejects_action_parameter")
    url = f"http://{d['address']}:{d['port']}/onvif/device_service"
    refused = post(url, envelope("GetSystemDateAndTime"))  # rawsoap puts action= in the Content-Type
    assert refused.status == 500 and b"a:ActionNotSupported" in refused.body
    assert b"The [action] cannot be processed at the receiver." in refused.body
    plain = post(url, envelope("GetSystemDateAndTime"), action=None)
    assert plain.status == 200 and b"GetSystemDateAndTimeResponse" in plain.body


def test_wrong_port_xaddrs(quirk_lab):
    d = dev(quirk_lab, "wrong_port_xaddrs")  # port 8999 in this lab (tests/simulator/conftest.py)
    assert _probe_xaddrs(d["address"]) == f"http://{d['address']}/onvif/device_service"  # discovery is right
    url = f"http://{d['address']}:{d['port']}/onvif/device_service"
    services = post(url, envelope("GetServices", inner="<IncludeCapability>false</IncludeCapability>",
                                  security=username_token(d["username"], d["password"])))
    assert f"<tds:XAddr>http://{d['address']}:8999/onvif/media_service</tds:XAddr>".encode() in services.body
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((d["address"], 8999), timeout=2).close()


def test_media2_only(quirk_lab):
    d = dev(quirk_lab, "media2_only")
    url = f"http://{d['address']}:{d['port']}/onvif/device_service"
    services = post(url, envelope("GetServices", inner="<IncludeCapability>false</IncludeCapability>",
                                  security=username_token(d["username"], d["password"]))).body
    listed = lambda ns: f"<tds:Namespace>{ns}</tds:Namespace>".encode() in services
    assert listed("http://www.onvif.org/ver20/media/wsdl") and listed("http://www.onvif.org/ver10/deviceIO/wsdl")
    assert not listed("http://www.onvif.org/ver10/media/wsdl")
    profiles = call(d, "GetProfiles", "http://www.onvif.org/ver20/media/wsdl", path="/onvif/media2_service")
    assert profiles.status == 200 and profiles.body.count(b"<tr2:Profiles ") == 1
    assert call(d, "GetVideoSources", MEDIA_NS, path="/onvif/media_service").status >= 400  # no Media1 at all
    sources = call(d, "GetVideoSources", "http://www.onvif.org/ver10/deviceIO/wsdl", path="/onvif/deviceio_service")
    assert sources.status == 200 and sources.body.count(b"<trt:VideoSources ") == 1


def test_invalid_security_fault(quirk_lab):
    d = dev(quirk_lab, "invalid_security_fault")
    for refused in (call(d, "GetDeviceInformation", password="wrong"), call(d, "GetDeviceInformation", shift=3600)):
        assert refused.status == 400
        fault = ET.fromstring(refused.body).find(f".//{ENV}Fault")
        subcode = fault.find(f"{ENV}Code/{ENV}Subcode/{ENV}Value")
        assert subcode.text == "wsse:InvalidSecurity"  # the prefix is declared on that element, as wsse
        assert b"oasis-200401-wss-wssecurity-secext-1.0.xsd" in refused.body
        assert b"NotAuthorized" not in refused.body
        assert "wsse:Security" in fault.findtext(f"{ENV}Reason/{ENV}Text")
    assert call(d, "GetDeviceInformation").status == 200


def test_no_serial_number(quirk_lab):
    d = dev(quirk_lab, "no_serial_number")
    info = ET.fromstring(call(d, "GetDeviceInformation").body).find(f".//{TDS}GetDeviceInformationResponse")
    assert info.find(f"{TDS}SerialNumber") is None
    assert info.findtext(f"{TDS}HardwareId") == d["mac"]
    assert info.findtext(f"{TDS}Model") == d["model"]  # the rest as usual


def test_link_local_xaddrs(quirk_lab):
    d = dev(quirk_lab, "link_local_xaddrs")
    unreachable, real = _probe_xaddrs(d["address"]).split(" ")
    assert real == f"http://{d['address']}/onvif/device_service"
    host = urlsplit(unreachable).hostname
    assert host.startswith("169.254.") and host != "169.254.0.0" and not host.endswith(".255")
    assert int(host.split(".")[3]) == int(d["mac"][-2:], 16)  # from the MAC, as an AutoIP address is


def test_dual_scheme_xaddrs(quirk_lab):
    d = dev(quirk_lab, "dual_scheme_xaddrs")
    text = _probe_xaddrs(d["address"])
    assert text == (f"http://{d['address']}/onvif/device_service  "
                    f"https://{d['address']}:{d['https_port']}/onvif/device_service".replace(":443/", "/"))
    body = envelope("GetDeviceInformation", security=username_token(d["username"], d["password"]))
    [answer] = _tls_exchange(d, [_soap_post(body)], lambda answer: False)  # the https one really serves ONVIF
    assert answer.startswith(b"HTTP/1.1 200 ") and d["model"].encode() in answer


def test_legacy_tls(quirk_lab):
    import ssl

    d = dev(quirk_lab, "legacy_tls")
    modern = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # Python's defaults, as a client that changed nothing
    modern.check_hostname, modern.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection((d["address"], d["https_port"]), timeout=5) as raw, pytest.raises(ssl.SSLError):
        modern.wrap_socket(raw)
    legacy = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    legacy.check_hostname, legacy.verify_mode = False, ssl.CERT_NONE
    legacy.set_ciphers("DEFAULT")  # what onvif-zeep-async's no-verify context does
    with socket.create_connection((d["address"], d["https_port"]), timeout=5) as raw, legacy.wrap_socket(raw) as tls:
        assert tls.version() == "TLSv1.2"
        assert tls.cipher()[0] in {"AES128-SHA", "AES256-SHA", "AES128-SHA256", "AES256-SHA256"}
        assert tls.getpeercert(binary_form=True)  # the certificate a scanner wants


def test_web_login_prompt(quirk_lab):
    from simulator.auth import web_realm

    d = dev(quirk_lab, "web_login_prompt")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"http://{d['address']}/", timeout=5)
    assert refused.value.code == 401
    assert refused.value.headers["WWW-Authenticate"].startswith('Digest realm="iPOLiS", qop="auth", nonce="')
    assert b"401 Unauthorized" in refused.value.read()  # no login page, only the prompt
    assert post(f"http://{d['address']}/onvif/device_service", envelope("GetSystemDateAndTime")).status == 200
    assert web_realm({"true_maker": "axis", "mac": "ac:cc:8e:45:25:6a"}) == "AXIS_ACCC8E45256A"  # VAPIX's, no WS_


def _refusal_challenges(d) -> list[str]:
    body = envelope("GetDeviceInformation")
    request = urllib.request.Request(f"http://{d['address']}/onvif/device_service", data=body, method="POST",
                                     headers={"Content-Type": "application/soap+xml; charset=utf-8"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 401
    return refused.value.headers.get_all("WWW-Authenticate")


def test_basic_before_digest(quirk_lab):
    d = dev(quirk_lab, "basic_before_digest")
    basic, digest = _refusal_challenges(d)
    assert basic == 'Basic realm="iPOLiS"' and digest.startswith('Digest realm="iPOLiS", qop="auth", nonce="')


def test_basic_only(quirk_lab):
    import base64

    d = dev(quirk_lab, "basic_only")
    assert _refusal_challenges(d) == ['Basic realm="iPOLiS"']
    signed = envelope("GetDeviceInformation", security=username_token(d["username"], d["password"]))
    assert post(f"http://{d['address']}/onvif/device_service", signed).status == 401  # the token is not read
    basic = base64.b64encode(f"{d['username']}:{d['password']}".encode()).decode()
    request = urllib.request.Request(f"http://{d['address']}/onvif/device_service", data=envelope("GetDeviceInformation"),
                                     method="POST", headers={"Content-Type": "application/soap+xml; charset=utf-8",
                                                             "Authorization": f"Basic {basic}"})
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert d["model"].encode() in answer.read()
    assert [r["auth"] for r in quirk_lab.requests() if r["device"] == d["address"]][-1] == "basic ok"


def test_illegal_login_lock(quirk_lab):
    """A Hikvision's Illegal Login Lock has shut the address out: every signed call, right password or not, is
    refused with 403 and the web server's HTML page; what ONVIF leaves open is still answered."""
    d = dev(quirk_lab, "illegal_login_lock")
    assert call(d, "GetSystemDateAndTime", auth=False).status == 200
    for password in (d["password"], "wrong"):
        reply = call(d, "GetDeviceInformation", password=password)
        assert reply.status == 403 and b"Access Error: 403 -- Forbidden" in reply.body
        assert reply.headers["Content-Type"].startswith("text/html")


def test_tls_handshake_alert(quirk_lab):
    """The HTTPS port takes the connection and answers the ClientHello with a fatal handshake_failure alert."""
    import ssl

    d = dev(quirk_lab, "tls_handshake_alert")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection((d["address"], d["https_port"]), timeout=5) as raw, \
            pytest.raises(ssl.SSLError, match="HANDSHAKE_FAILURE"):
        context.wrap_socket(raw)
    assert any(r["op"] == "(TLS handshake refused)" for r in quirk_lab.requests() if r["device"] == d["address"])


def test_padded_namespaces(quirk_lab):
    d = dev(quirk_lab, "padded_namespaces")
    reply = call(d, "GetServices", auth=False)
    namespaces = [e.text for e in ET.fromstring(reply.body).iter(f"{TDS}Namespace")]
    assert "\n      http://www.onvif.org/ver10/media/wsdl\n    " in namespaces, namespaces
    assert all(n != n.strip() for n in namespaces)


def test_cert_names_hostname(quirk_lab):
    """A self-signed certificate naming only the device's hostname (CN=<hostname>), not its maker."""
    import ssl

    from cryptography import x509

    d = dev(quirk_lab, "cert_names_hostname")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection((d["address"], d["https_port"]), timeout=5) as raw, context.wrap_socket(raw) as tls:
        certificate = x509.load_der_x509_certificate(tls.getpeercert(binary_form=True))
    assert certificate.subject.rfc4514_string() == f"CN={d['hostname']}"
    assert certificate.issuer == certificate.subject
async def test_no_system_date_and_time(quirk_lab):
    d = dev(quirk_lab, "no_system_date_and_time")
    reply = call(d, "GetSystemDateAndTime", auth=False)
    assert reply.status == 400 and b"env:Sender" in reply.body and b"Subcode" not in reply.body
    assert b"Method 'tds:GetSystemDateAndTime' not implemented" in reply.body
    # Its HTTP Date is still its clock: the one a client can date its tokens by.
    assert abs((parsedate_to_datetime(reply.headers["Date"]) - datetime.now(UTC)).total_seconds()) < 5
    assert call(d, "GetDeviceInformation").status == 200  # only that one operation is missing
    cam = ONVIFCamera(d["address"], d["port"], d["username"], d["password"])
    try:  # the real client gets a Fault with no subcodes
        await cam.update_xaddrs()
        mgmt = await cam.create_devicemgmt_service()
        with pytest.raises(Fault) as info:
            await mgmt.GetSystemDateAndTime()
        assert "not implemented" in info.value.message and not info.value.subcodes
    finally:
        await cam.close()


def test_no_onvif_recordings(quirk_lab):
    d = dev(quirk_lab, "no_onvif_recordings")
    assert d["role"] == "nvr" and d["channels"] >= 1
    recordings = call(d, "GetRecordings", "http://www.onvif.org/ver10/recording/wsdl", path="/onvif/recording_service")
    assert recordings.status == 200 and b"<trc:GetRecordingsResponse></trc:GetRecordingsResponse>" in recordings.body
    validate(schema_of("recording.wsdl"), recordings.body)  # an empty list is a valid answer
    summary = call(d, "GetRecordingSummary", "http://www.onvif.org/ver10/search/wsdl", path="/onvif/search_service")
    assert summary.status == 200 and b"<tt:NumberRecordings>0</tt:NumberRecordings>" in summary.body
    validate(schema_of("search.wsdl"), summary.body)
    sources = call(d, "GetVideoSources", MEDIA_NS, path="/onvif/media_service")
    assert sources.body.count(b"<trt:VideoSources ") == d["channels"]  # its channels are all there
