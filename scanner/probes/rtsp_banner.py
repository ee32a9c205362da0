"""RTSP `Server` header from OPTIONS and the authentication realm from DESCRIBE, on port 554.

No credentials are ever sent: DESCRIBE without them is answered 401 with the realm the device's RTSP stack
asks for, which is not a failed login (nothing to count against a lockout). It is asked on the same
connection, after OPTIONS, and only its realm is read.
"""

from __future__ import annotations

import asyncio
import contextlib

from ..challenges import realm_of
from ..soap import evidence_digest
from .interface import Attempt, Facts, ProbeContext, SideProbe

RTSP_PORT = 554
_MAX_HEADER = 16 * 1024  # kept of one answer's header block
_MAX_READ = 64 * 1024  # read of it, to find its end: the next answer must not start mid-header


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: str) -> bytes:
    """The header block of the answer, its first 16 kB. Its lines may end in a bare LF: YUAN cameras
    send them so (OvenMediaLabs/OvenMediaEngine#1935), and RFC 2326 §4 asks receivers to take that."""
    writer.write(request.encode())
    await writer.drain()
    head = bytearray()
    read = 0
    while read < _MAX_READ:
        try:
            line = await reader.readuntil(b"\n")
        except asyncio.IncompleteReadError as exc:  # closed early: use what came
            head += exc.partial
            break
        except asyncio.LimitOverrunError:  # one line over the reader's 64 kB: keep the start, give up the rest
            head += await reader.read(_MAX_HEADER)
            break
        read += len(line)
        if line in (b"\n", b"\r\n"):
            if head:
                break  # the blank line that ends the block
            continue  # a CR LF left over from the answer before
        if len(head) < _MAX_HEADER:
            head += line
    return bytes(head[:_MAX_HEADER])


def _headers(raw: bytes) -> list[tuple[str, str]] | None:
    head = raw.decode("utf-8", errors="replace")
    if not head.startswith("RTSP/"):
        return None
    lines = (line.partition(":") for line in head.replace("\r\n", "\n").split("\n")[1:])
    return [(name.strip().casefold(), value.strip()) for name, _, value in lines if value.strip()]


class RtspBanner(SideProbe):
    name = "rtsp_banner"

    async def run(self, facts: Facts, ctx: ProbeContext) -> Attempt:
        deadline = asyncio.get_running_loop().time() + ctx.side_timeout_s
        async with asyncio.timeout_at(deadline):
            reader, writer = await asyncio.open_connection(facts.address, RTSP_PORT)
        try:
            url = f"rtsp://{facts.address}:{RTSP_PORT}/"
            async with asyncio.timeout_at(deadline):
                raw = await _exchange(reader, writer, f"OPTIONS {url} RTSP/1.0\r\nCSeq: 1\r\n"
                                                      "User-Agent: cctv-inventory\r\n\r\n")
            headers = _headers(raw)
            if headers is None:
                return Attempt(self.name, "failed", "port 554 did not answer RTSP")
            server = next((value for name, value in headers if name == "server"), None)
            if server:
                facts.fingerprints["rtsp_server"] = server
                facts.evidence["fingerprints.rtsp_server"] = ("RTSP OPTIONS", evidence_digest(raw, "rtsp"))
            # What OPTIONS gave is kept whatever DESCRIBE does: a server that closes after one request,
            # or never answers a second, costs only the realm.
            with contextlib.suppress(TimeoutError, OSError):
                async with asyncio.timeout_at(deadline):
                    raw = await _exchange(reader, writer, f"DESCRIBE {url} RTSP/1.0\r\nCSeq: 2\r\n"
                                                          "Accept: application/sdp\r\n"
                                                          "User-Agent: cctv-inventory\r\n\r\n")
                challenges = [value for name, value in (_headers(raw) or []) if name == "www-authenticate"]
                realm = realm_of(challenges)
                if realm:
                    facts.fingerprints["rtsp_realm"] = realm
                    facts.evidence["fingerprints.rtsp_realm"] = ("RTSP DESCRIBE", evidence_digest(raw, "rtsp"))
        finally:
            writer.close()
        return Attempt(self.name, "ok")
