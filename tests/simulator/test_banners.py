"""HTTP login page, RTSP OPTIONS and TLS certificate betray the TRUE maker of a relabelled camera.

Site: config/lab/demo-site.yaml (demo_lab fixture); 127.10.0.51 is 한빛비전-branded, Dahua-made.
"""

from __future__ import annotations

import re
import socket
import ssl
import urllib.error
import urllib.request

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from scanner.vendors import load_vendor_catalog
from simulator.auth import digest_realm
from simulator.banners import banner_for, login_page

RELABELLED = "127.10.0.51"


def test_every_family_banner_is_attributable():
    """No network: each family's banners name that family by config/vendors.yaml's own markers, or (where the
    real firmware says nothing of its maker, as Dahua's "WEB" login page) no family; never another one."""
    catalog = load_vendor_catalog()
    for family in catalog.families:
        b = banner_for(family.id)
        certificate_names = b.tls_ca or (b.tls_org,)  # a maker's CA names it where the subject does not
        said = [t for t in (b.http_server, b.title, b.rtsp_server, *certificate_names) if t]
        named = {catalog.family_of_banner(t) or catalog.family_of_name(t) for t in said} - {None}
        assert named == {family}, (family.id, said)
    dahua = banner_for("dahua")
    assert dahua.http_server is None and catalog.family_of_banner(dahua.title) is None
    assert banner_for("hikvision").rtsp_server is None
    assert catalog.family_of_banner(login_page(None).decode()) is None


def test_every_family_realm_names_that_family_or_none():
    """No network: the realm a simulated device's RTSP and web servers ask for points to its true maker by
    config/vendors.yaml (banner markers or realm_patterns), or to nobody; never another maker."""
    catalog = load_vendor_catalog()
    serials = {"hikvision": "DS-2CD2542FWD-I20180319BBWRC10320726", "dahua": "4K01FD2PAJ6E3FF"}
    device = {"serial": "ZN7Q6HAR300011A", "mac": "ac:cc:8e:3a:0a:8f"}
    named = set()
    for family in catalog.families:
        realm = digest_realm({**device, "serial": serials.get(family.id, device["serial"]), "true_maker": family.id})
        found = catalog.family_of_realm(realm)
        assert found in (None, family), (family.id, realm)
        named |= {found.id} if found else set()
    assert named >= {"hikvision", "dahua", "hanwha", "tplink", "axis"}
    assert digest_realm({"serial": serials["hikvision"], "true_maker": "hikvision"}) == "IP Camera(C1032)"
    assert catalog.family_of_realm(digest_realm({**device, "true_maker": None})) is None


@pytest.mark.network
def test_http_login_page_of_a_dahua_names_no_maker(demo_lab):
    """As on real Dahua firmware (D4-project/Plum-Island#204): no Server header, a page titled "WEB". The
    relabel is told by the MAC, RTSP and certificate instead (tests/scanner/test_demo_site.py)."""
    catalog = load_vendor_catalog()
    assert demo_lab.device(RELABELLED)["true_maker"] == "dahua"
    with urllib.request.urlopen(f"http://{RELABELLED}/", timeout=10) as resp:
        server, page = resp.headers.get("Server"), resp.read().decode()
    title = re.search(r"<title>(.*?)</title>", page).group(1)
    assert server is None and title == "WEB" and catalog.family_of_banner(title) is None
    log = [r for r in demo_lab.requests() if r["device"] == RELABELLED and r["proto"] == "http"]
    assert log[-1]["op"] == "GET /"


@pytest.mark.network
def test_rtsp_options_shows_the_true_maker(demo_lab):
    with socket.create_connection((RELABELLED, 554), timeout=10) as sock:
        sock.sendall(b"OPTIONS rtsp://127.10.0.51/ RTSP/1.0\r\nCSeq: 7\r\nUser-Agent: test\r\n\r\n")
        answer = sock.recv(4096).decode()
    assert answer.startswith("RTSP/1.0 200 OK") and "CSeq: 7" in answer
    server = re.search(r"Server: (.*)\r\n", answer).group(1)
    assert load_vendor_catalog().family_of_banner(server).id == "dahua"
    assert any(r["proto"] == "rtsp" and r["op"] == "OPTIONS" for r in demo_lab.requests())


@pytest.mark.network
def test_tls_certificate_names_the_true_maker(demo_lab):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection((RELABELLED, 443), timeout=10) as raw, context.wrap_socket(raw) as tls:
        der = tls.getpeercert(binary_form=True)
        tls.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = tls.recv(65536)
    cert = x509.load_der_x509_certificate(der)
    # As Dahua's own: the subject names the device, the issuer (its device CA) names Dahua, with NBSPs
    assert not cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    org = cert.issuer.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    assert "\u00a0" in org and load_vendor_catalog().family_of_banner(org).id == "dahua"
    assert answer.startswith(b"HTTP/1.1 200 OK")
    assert any(r["device"] == RELABELLED and r["proto"] == "https" for r in demo_lab.requests())


@pytest.mark.network
def test_honest_device_banner_matches_its_claim(demo_lab):
    with urllib.request.urlopen("http://127.10.0.41/", timeout=10) as resp:  # a Hikvision that says so
        assert load_vendor_catalog().family_of_banner(resp.headers["Server"]).id == "hikvision"
    with socket.create_connection(("127.10.0.41", 554), timeout=10) as sock:  # its RTSP names nobody
        sock.sendall(b"OPTIONS rtsp://127.10.0.41/ RTSP/1.0\r\nCSeq: 2\r\n\r\n")
        answer = sock.recv(4096).decode()
    assert answer.startswith("RTSP/1.0 200 OK") and "Server:" not in answer
    with socket.create_connection(("127.10.0.41", 554), timeout=10) as sock:  # but its realm is Hikvision's
        sock.sendall(b"DESCRIBE rtsp://127.10.0.41/ RTSP/1.0\r\nCSeq: 3\r\n\r\n")
        answer = sock.recv(4096).decode()
    assert answer.startswith("RTSP/1.0 401 Unauthorized") and "Server:" not in answer
    realm = re.search(r'realm="([^"]*)"', answer).group(1)
    assert realm.startswith("IP Camera(") and load_vendor_catalog().family_of_realm(realm).id == "hikvision"
    assert [r["auth"] for r in demo_lab.requests() if r["device"] == "127.10.0.41" and r["op"] == "DESCRIBE"] == ["none"]


@pytest.mark.network
def test_tls_handshake_survives_a_client_hello_sent_at_once(demo_lab):
    """The ClientHello is in the socket before the server has even accepted; no byte may be lost
    (the scanner engineer saw handshakes stall when the simulator read it before starting TLS)."""
    for _ in range(10):
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        tls = context.wrap_bio(incoming, outgoing, server_side=False)
        with pytest.raises(ssl.SSLWantReadError):
            tls.do_handshake()
        with socket.create_connection((RELABELLED, 443), timeout=5) as sock:
            sock.sendall(outgoing.read())  # ClientHello immediately
            while True:
                data = sock.recv(65536)
                assert data, "server closed before the handshake finished"
                incoming.write(data)
                try:
                    tls.do_handshake()
                    break
                except ssl.SSLWantReadError:
                    sock.sendall(outgoing.read())
            sock.sendall(outgoing.read())
        assert tls.getpeercert(binary_form=True)


@pytest.mark.network
@pytest.mark.parametrize(("listen", "web"), [("per-device", 80), ("wildcard", 8081)])
def test_a_web_ui_on_a_port_of_its_own(tmp_path, listen, web):
    """Site: written below, 127.42.0.2 with ONVIF on 8899 and its web UI on `web` (80, as on XM cameras:
    home-assistant/core#91678), beside 127.42.0.1 with both on `web`. Wildcard listening shares one socket on
    that port between the first's web UI and the second's ONVIF (ports no other lab of the test namespace
    holds: a wildcard socket on 80 would collide with theirs)."""
    from simulator.testing import running_lab

    site = tmp_path / "web-port.yaml"
    site.write_text(
        "site: {name: web port, credentials: {username: admin, password: pw}}\n"
        "devices:\n"
        f"  - {{address: 127.42.0.1, port: {web}, rtsp_port: 5554, https_port: null, manufacturer: AXIS,"
        " model: P3265-LVE, firmware: '10.12.182', serial: B8A44F420001, mac: 'b8:a4:4f:42:00:01', role: camera}\n"
        f"  - {{address: 127.42.0.2, port: 8899, web_port: {web}, rtsp_port: 5554, https_port: null,"
        " manufacturer: Xiongmai, model: IPG-53H20PL-S, firmware: V4.02.R11, serial: XM420002,"
        " mac: '02:12:41:42:00:02', role: camera}\n", encoding="utf-8")
    soap = (b'<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
            b'<GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>')

    def post(url: str) -> int:
        request = urllib.request.Request(url, data=soap, headers={"Content-Type": "application/soap+xml"})
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code

    with running_lab(site, extra_args=["--listen", listen]):
        with pytest.raises(urllib.error.HTTPError) as refused:  # gSOAP without a GET handler
            urllib.request.urlopen("http://127.42.0.2:8899/", timeout=10)
        assert refused.value.code == 405 and refused.value.headers["Server"] == "gSOAP/2.8"
        assert b"HTTP GET method not implemented" in refused.value.read()
        with urllib.request.urlopen(f"http://127.42.0.2:{web}/", timeout=10) as resp:  # its login page, XM's own title
            assert b"<title>NETSurveillance WEB</title>" in resp.read()
        assert post("http://127.42.0.2:8899/onvif/device_service") == 200
        assert post(f"http://127.42.0.2:{web}/onvif/device_service") == 404  # the web UI speaks no SOAP
        assert post(f"http://127.42.0.1:{web}/onvif/device_service") == 200  # the neighbour's ONVIF there does
        with urllib.request.urlopen(f"http://127.42.0.1:{web}/", timeout=10) as resp:
            assert b"<title>AXIS</title>" in resp.read()
