"""The login-page fingerprint (scanner/probes/http_banner.py) and the redirects it follows: bare aiohttp
servers on 127.0.0.1 and 127.0.0.2 of the test namespace (no simulated site: the redirect is under test)."""

from __future__ import annotations

from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp import web

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
