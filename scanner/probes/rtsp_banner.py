"""RTSP `Server` header from an OPTIONS request on port 554 (no credentials sent)."""

from __future__ import annotations

import asyncio

from ..soap import evidence_digest
from .interface import Attempt, Facts, ProbeContext, SideProbe

RTSP_PORT = 554
_MAX_HEADER = 16 * 1024


class RtspBanner(SideProbe):
    name = "rtsp_banner"

    async def run(self, facts: Facts, ctx: ProbeContext) -> Attempt:
        async with asyncio.timeout(ctx.side_timeout_s):
            reader, writer = await asyncio.open_connection(facts.address, RTSP_PORT)
            try:
                writer.write(
                    f"OPTIONS rtsp://{facts.address}:{RTSP_PORT}/ RTSP/1.0\r\nCSeq: 1\r\n"
                    "User-Agent: cctv-inventory\r\n\r\n".encode()
                )
                await writer.drain()
                raw = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError as exc:  # closed early: use what came
                raw = exc.partial
            except asyncio.LimitOverrunError:  # a header block over 64 kB: keep the start
                raw = await reader.read(_MAX_HEADER)
            finally:
                writer.close()
        head = raw[:_MAX_HEADER].decode("utf-8", errors="replace")
        if not head.startswith("RTSP/"):
            return Attempt(self.name, "failed", "port 554 did not answer RTSP")
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.strip().casefold() == "server" and value.strip():
                facts.fingerprints["rtsp_server"] = value.strip()
                facts.evidence["fingerprints.rtsp_server"] = ("RTSP OPTIONS", evidence_digest(raw, "rtsp"))
        return Attempt(self.name, "ok")
