"""The login-page fingerprint (scanner/probes/http_banner.py) and the redirects it follows: bare aiohttp
servers on 127.0.0.1 and 127.0.0.2 of the test namespace (no simulated site: the redirect is under test)."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp import web
from multidict import CIMultiDict

from scanner.probes.http_banner import HttpBanner
from scanner.probes.interface import Facts, ProbeContext

from .conftest import bare_server

pytestmark = pytest.mark.network

PAGE = b"<html><head><title>WISENET Web Viewer</title></head><body></body></html>"


def _site(redirect_to: str | None = None):
    seen: list[str] = []

    async def page(request: web.Request) -> web.Response:
        seen.append(request.path)
        if redirect_to is not None:
            return web.Response(status=302, headers={"Location": redirect_to + "/", "Server": "Redirector"})
        return web.Response(body=PAGE, content_type="text/html", headers={"Server": "Wisenet httpd"})

    app = web.Application()
    app.router.add_get("/", page)
    return app, seen


async def _banner(url: str) -> Facts:
    parts = urlsplit(url)
    # The ONVIF service on another port: the page is read on a connection of its own, not the device's lane.
    facts = Facts(address=parts.hostname, port=parts.port, service_url=f"http://{parts.hostname}:1/onvif/device_service")
    async with aiohttp.ClientSession() as session:
        await HttpBanner().run(facts, ProbeContext(onvif=None, http=session, side_timeout_s=5.0))  # type: ignore[arg-type]
    return facts


async def test_a_page_redirected_on_the_same_address_is_read_where_it_went():
    target_app, target_seen = _site()
    async with bare_server(target_app) as target:
        app, seen = _site(redirect_to=target)
        async with bare_server(app) as url:
            facts = await _banner(url)
    assert seen == ["/"] and target_seen == ["/"]
    assert facts.fingerprints == {"http_server": "Wisenet httpd", "http_title": "WISENET Web Viewer"}
    assert facts.evidence["fingerprints.http_title"][0] == f"HTTP GET / (redirected to {target}/)"


async def test_a_page_redirected_to_another_host_is_not_followed():
    elsewhere_app, elsewhere_seen = _site()
    async with bare_server(elsewhere_app, host="127.0.0.2") as elsewhere:
        app, _ = _site(redirect_to=elsewhere)
        async with bare_server(app) as url:
            facts = await _banner(url)
    assert elsewhere_seen == []  # outside the device: never contacted
    assert facts.fingerprints == {"http_server": "Redirector"}  # the device's own answer is all we have


def _gsoap_and_web_ui(onvif_page: bytes | None = None):
    """An XM-style camera: ONVIF on a port of its own, a gSOAP server that answers GET with 405 (or, given
    `onvif_page`, a page), and the web UI on port 80."""
    seen: list[str] = []

    async def soap_port(request: web.Request) -> web.Response:
        seen.append("onvif")
        if onvif_page is not None:
            return web.Response(body=onvif_page, content_type="text/html", headers={"Server": "Wisenet httpd"})
        return web.Response(status=405, text="<SOAP-ENV:Envelope/>", headers={"Server": "gSOAP/2.8"})

    async def web_ui(request: web.Request) -> web.Response:
        seen.append("web")
        return web.Response(body=b"<html><head><title>NETSurveillance WEB</title></head></html>",
                            content_type="text/html", headers={"Server": "uc-httpd 1.0.0"})

    onvif, ui = web.Application(), web.Application()
    onvif.router.add_get("/", soap_port)
    ui.router.add_get("/", web_ui)
    return onvif, ui, seen


async def test_the_web_ui_on_port_80_is_read_when_the_onvif_port_has_no_page():
    onvif, ui, seen = _gsoap_and_web_ui()
    async with bare_server(ui, host="127.0.0.3", port=80), bare_server(onvif, host="127.0.0.3") as url:
        facts = await _banner(url)
    assert seen == ["onvif", "web"]
    # the web UI's words over the SOAP library's: its Server header came with no page
    assert facts.fingerprints == {"http_server": "uc-httpd 1.0.0", "http_title": "NETSurveillance WEB"}
    assert facts.evidence["fingerprints.http_title"][0] == "HTTP GET / on port 80"


async def test_port_80_is_not_asked_when_the_onvif_port_served_a_page():
    onvif, ui, seen = _gsoap_and_web_ui(onvif_page=PAGE)
    async with bare_server(ui, host="127.0.0.4", port=80), bare_server(onvif, host="127.0.0.4") as url:
        facts = await _banner(url)
    assert seen == ["onvif"]
    assert facts.fingerprints == {"http_server": "Wisenet httpd", "http_title": "WISENET Web Viewer"}


async def test_no_web_ui_on_port_80_keeps_what_the_onvif_port_said():
    onvif, _, seen = _gsoap_and_web_ui()
    async with bare_server(onvif, host="127.0.0.5") as url:
        facts = await _banner(url)
    assert seen == ["onvif"] and facts.fingerprints == {"http_server": "gSOAP/2.8"}


def _login_prompt():
    """A web UI behind the browser's own login prompt (an Axis without anonymous viewing): / moves to the
    viewer page, which asks for credentials, Basic and Digest, in Axis's realm (ZoneMinder#1161), its
    other parameters bare as Axis writes them."""
    asked: list[str | None] = []

    async def root(request: web.Request) -> web.Response:
        return web.Response(status=302, headers={"Location": "/view/viewer_index.shtml?id=7"})

    async def viewer(request: web.Request) -> web.Response:
        asked.append(request.headers.get("Authorization"))
        challenges = CIMultiDict([("WWW-Authenticate", 'Basic realm="AXIS_ACCC8E45256A"'),
                                  ("WWW-Authenticate", ('Digest realm="AXIS_ACCC8E45256A", nonce="00ef4ad5Y4862", '
                                                        'stale=FALSE, qop="auth"'))])
        return web.Response(status=401, text="<HTML><HEAD><TITLE>401 Unauthorized</TITLE></HEAD></HTML>",
                            content_type="text/html", headers=challenges)

    app = web.Application()
    app.router.add_get("/", root)
    app.router.add_get("/view/viewer_index.shtml", viewer)
    return app, asked


async def test_a_web_ui_behind_a_login_prompt_gives_its_realm():
    app, asked = _login_prompt()
    async with bare_server(app, host="127.0.0.6") as url:
        facts = await _banner(url)
    assert asked == [None]  # asked once, without credentials: a challenge, not a failed login
    assert facts.fingerprints["http_realm"] == "AXIS_ACCC8E45256A"
    assert "http_title" not in facts.fingerprints  # "401 Unauthorized" is no login page's title
    operation, sha = facts.evidence["fingerprints.http_realm"]
    assert operation == f"HTTP GET / (redirected to {url}/view/viewer_index.shtml?id=7) (HTTP 401)"
    # the evidence is the challenge as it came, both lines
    said = ('WWW-Authenticate: Basic realm="AXIS_ACCC8E45256A"\r\nWWW-Authenticate: Digest realm="AXIS_ACCC8E45256A", '
            'nonce="00ef4ad5Y4862", stale=FALSE, qop="auth"\r\n')
    assert sha == hashlib.sha256(said.encode()).hexdigest()


async def test_a_page_that_asks_nothing_gives_no_realm():
    app, _ = _site()
    async with bare_server(app, host="127.0.0.7") as url:
        facts = await _banner(url)
    assert "http_realm" not in facts.fingerprints and "fingerprints.http_realm" not in facts.evidence


async def test_header_bytes_that_are_no_utf8_are_text_a_scan_file_can_hold():
    """A Korean DVR's EUC-KR Server header and realm: aiohttp hands them over as lone surrogates, which
    orjson (the journal, the scan file) and the databases refuse. One such device crashed the scan's output."""
    import asyncio

    import orjson

    server_name, realm = "한빛 DVR".encode("cp949"), "관리자 로그인".encode("cp949")

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 401 Unauthorized\r\nServer: " + server_name + b"\r\nWWW-Authenticate: Digest realm=\""
                     + realm + b"\", nonce=\"abc\", qop=\"auth\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.3", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        facts = await _banner(f"http://127.0.0.3:{port}")
    finally:
        server.close()
        await server.wait_closed()
    assert facts.fingerprints == {"http_server": "한빛 DVR", "http_realm": "관리자 로그인"}
    orjson.dumps(facts.fingerprints)  # raised "surrogates not allowed"
