"""HTTP `Server` header and login-page <title> from GET / on the device's web port.

That is the port of its ONVIF service first. Where the ONVIF service has a port of its own (XM cameras'
8899, Reolink's 8000, Foscam's 888: home-assistant/core#91678, #85455, #22783) it is a bare SOAP server,
gSOAP's answering GET with 405 and no page; the web UI is on port 80. So when the ONVIF port is not 80 and
gave no page title, GET / on port 80 is read too, and what it says is taken over what the SOAP server said
(its evidence names the port): a Server header that came without a page is the SOAP library's, not the web UI's.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import re
from urllib.parse import SplitResult, urlsplit

import aiohttp
from charset_normalizer import from_bytes

from ..challenges import challenged_realm
from ..httpbody import BodyCutShort, header_text, read_capped
from ..redirects import REDIRECT_STATUSES, same_device_target
from ..soap import current_device, evidence_digest
from .interface import Attempt, Facts, ProbeContext, SideProbe

_MAX_PAGE = 256 * 1024
_CLOCK_WAIT_S = 1.0  # how long the page waits to share the ONVIF connection
# A page that stops arriving before its declared end is taken as it is after this long: it holds
# the device's one ONVIF lane meanwhile, and a LAN login page does not pause for seconds.
_PAGE_STALL_S = 1.5
WEB_PORT = 80
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)


def _decode(raw: bytes, charset: str | None) -> str:
    if charset:
        try:
            return raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(raw).best()  # Korean login pages are often EUC-KR/CP949
        return str(best) if best is not None else raw.decode("latin-1")


class HttpBanner(SideProbe):
    name = "http_banner"

    async def run(self, facts: Facts, ctx: ProbeContext) -> Attempt:
        service = urlsplit(facts.service_url)
        web_ui_elsewhere = service.scheme == "http" and facts.port != WEB_PORT
        try:
            attempt = await self._on_service_port(facts, ctx, service)
        except (aiohttp.ClientError, OSError) as exc:  # OSError holds TimeoutError
            if not web_ui_elsewhere:
                raise
            attempt = Attempt(self.name, "failed", f"port {facts.port}: {type(exc).__name__}")
        if web_ui_elsewhere and "http_title" not in facts.fingerprints:
            try:
                return await self._read(f"http://{facts.address}:{WEB_PORT}/", facts, ctx,
                                        f"HTTP GET / on port {WEB_PORT}")
            except (aiohttp.ClientError, OSError):  # no web UI there either: what the ONVIF port said stands
                if attempt.status != "ok":
                    raise
        return attempt

    async def _on_service_port(self, facts: Facts, ctx: ProbeContext, service: SplitResult) -> Attempt:
        # The web server the device's ONVIF service runs on, by the same scheme: an https:// XAddr
        # (GuilhermeC18/node-onvif#98) names a TLS port, where plain HTTP would get no page.
        scheme = "https" if service.scheme == "https" else "http"  # facts.port is that URL's port
        url = f"{scheme}://{facts.address}:{facts.port}/"
        if service.scheme == "http" and service.hostname == facts.address and (service.port or 80) == facts.port:
            # The web server the ONVIF calls use: wait for the clock step to settle the device's
            # lanes, then take a turn on them, so the page comes over the same kept-alive
            # connection instead of a second one (each costs the device a TCP set-up and a
            # handler; small cameras allow only a few at once).
            # A device whose clock step hangs (its SOAP handler wedged, its web page fine) gets
            # its page read on a connection of its own after a second: the page is evidence too.
            device = current_device()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(device.clock_done.wait(), _CLOCK_WAIT_S)
            if device.clock_done.is_set():
                async with device.lanes:
                    return await self._read(url, facts, ctx)
        return await self._read(url, facts, ctx)

    async def _read(self, url: str, facts: Facts, ctx: ProbeContext, operation: str = "HTTP GET /",
                    redirected: bool = False) -> Attempt:
        """GET `url` and take the Server header and title it gives (one redirect on the device followed)."""
        timeout = aiohttp.ClientTimeout(total=ctx.side_timeout_s)
        async with ctx.http.get(url, timeout=timeout, allow_redirects=False) as response:
            if response.status in REDIRECT_STATUSES and not redirected:
                # A camera in HTTPS-only mode sends its login page to https:// (lumeohq/onvif-rs#39):
                # followed once, and only on the device's own address (scanner/redirects.py).
                target = same_device_target(url, response.headers.get("Location", ""))
                if target is not None:  # its body is not read: leaving unread closes that connection
                    return await self._read(target, facts, ctx, f"{operation} (redirected to {target})", redirected=True)
            server = header_text(response.headers.get("Server") or "")
            charset = response.charset
            refused = response.status == 401
            challenges = response.headers.getall("WWW-Authenticate", ()) if refused else ()
            try:
                body = (await read_capped(response, _MAX_PAGE, stall_s=_PAGE_STALL_S))[:_MAX_PAGE]
            except BodyCutShort as cut:
                # A Content-Length longer than the page (Dahua, Lorex): the page has usually all come,
                # and its header and title are the device's own words. Keep them, and say in the
                # evidence that the digest is of what arrived. Leaving the `async with` with the body
                # unfinished closes this connection, so no ONVIF call inherits its leftovers.
                body = cut.received[:_MAX_PAGE]
                of = f" of {response.content_length}" if response.content_length is not None else ""
                operation = f"{operation} (cut short: {len(body)}{of} bytes, {cut.why})"
        sha = evidence_digest(body, "http")
        # A 401's page is the web server's "401 Unauthorized", not the web UI's login page: its realm says more.
        match = _TITLE.search(body) if not refused else None
        title = " ".join(html.unescape(_decode(match.group(1), charset)).split()) if match else ""
        for name, value in (("http_server", (server or "").strip()), ("http_title", title)):
            if value:
                facts.fingerprints[name] = value
                facts.evidence[f"fingerprints.{name}"] = (operation, sha)
        challenged = challenged_realm(challenges)
        if challenged:  # a web UI behind a login prompt: its realm is the maker's words, as a title would be
            realm, said = challenged
            facts.fingerprints["http_realm"] = realm
            facts.evidence["fingerprints.http_realm"] = (f"{operation} (HTTP 401)", evidence_digest(said, "http"))
        return Attempt(self.name, "ok")
