"""HTTP `Server` header and login-page <title> from GET / on the device's web port."""

from __future__ import annotations

import hashlib
import html
import re

import aiohttp
from charset_normalizer import from_bytes

from ..httpbody import read_capped
from .interface import Attempt, Facts, ProbeContext, SideProbe

_MAX_PAGE = 256 * 1024
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
        url = f"http://{facts.address}:{facts.port}/"
        timeout = aiohttp.ClientTimeout(total=ctx.side_timeout_s)
        async with ctx.http.get(url, timeout=timeout, allow_redirects=False) as response:
            body = (await read_capped(response, _MAX_PAGE))[:_MAX_PAGE]
            server = response.headers.get("Server")
            charset = response.charset
        sha = hashlib.sha256(body).hexdigest()
        if server:
            facts.fingerprints["http_server"] = server.strip()
            facts.evidence["fingerprints.http_server"] = ("HTTP GET /", sha)
        match = _TITLE.search(body)
        if match:
            title = " ".join(html.unescape(_decode(match.group(1), charset)).split())
            if title:
                facts.fingerprints["http_title"] = title
                facts.evidence["fingerprints.http_title"] = ("HTTP GET /", sha)
        return Attempt(self.name, "ok")
