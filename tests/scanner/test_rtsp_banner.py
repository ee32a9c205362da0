"""The RTSP fingerprints (scanner/probes/rtsp_banner.py): bare RTSP servers on port 554 of 127.0.0.31–.35 in
the test namespace (no simulated site: what a server does after OPTIONS is under test). The simulated
devices' realms are checked against the scan in tests/scanner/test_demo_site.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest

from scanner.probes.interface import Facts, ProbeContext
from scanner.probes.rtsp_banner import RTSP_PORT, RtspBanner

pytestmark = pytest.mark.network

# A Hikvision's answers as google/ExoPlayer#9800 shows them: no Server header, Digest and Basic challenges.
HIKVISION_401 = (b"RTSP/1.0 401 Unauthorized\r\nCSeq: 2\r\n"
                 b'WWW-Authenticate: Digest realm="IP Camera(C1214)", nonce="0191a41d87c28cd5", stale="FALSE"\r\n'
                 b'WWW-Authenticate: Basic realm="IP Camera(C1214)"\r\n\r\n')


@asynccontextmanager
async def rtsp_server(host: str, answer: Callable[[str], bytes | None]) -> AsyncIterator[list[str]]:
    """Serve `answer(request head)` on host:554; None closes the connection unanswered. Yields the heads seen."""
    seen: list[str] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while head := (await reader.readuntil(b"\r\n\r\n")).decode():
                seen.append(head)
                reply = answer(head)
                if reply is None:
                    break
                writer.write(reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, host, RTSP_PORT)
    try:
        yield seen
    finally:
        server.close()
        await server.wait_closed()


async def _probe(address: str, timeout_s: float = 3.0) -> tuple[Facts, str]:
    facts = Facts(address=address, port=80, service_url=f"http://{address}/onvif/device_service")
    attempt = await RtspBanner().run(facts, ProbeContext(onvif=None, http=None, side_timeout_s=timeout_s))  # type: ignore[arg-type]
    return facts, attempt.status


def _options_ok(server: str | None) -> bytes:
    line = f"Server: {server}\r\n" if server else ""
    return f"RTSP/1.0 200 OK\r\nCSeq: 1\r\n{line}Public: OPTIONS, DESCRIBE\r\n\r\n".encode()


async def test_the_realm_of_describe_is_read_without_sending_credentials():
    def hikvision(head: str) -> bytes:
        return _options_ok(None) if head.startswith("OPTIONS") else HIKVISION_401

    async with rtsp_server("127.0.0.31", hikvision) as seen:
        facts, outcome = await _probe("127.0.0.31")
    assert outcome == "ok"
    assert facts.fingerprints == {"rtsp_realm": "IP Camera(C1214)"}  # and no Server header made up
    assert facts.evidence["fingerprints.rtsp_realm"][0] == "RTSP DESCRIBE"
    assert [h.split(" ", 1)[0] for h in seen] == ["OPTIONS", "DESCRIBE"]  # one connection, two requests
    assert not any("authorization" in h.lower() for h in seen)


async def test_a_server_that_closes_after_options_keeps_its_server_header():
    async with rtsp_server("127.0.0.32", lambda head: _options_ok("Dahua Rtsp Server")
                           if head.startswith("OPTIONS") else None):
        facts, outcome = await _probe("127.0.0.32")
    assert outcome == "ok"
    assert facts.fingerprints == {"rtsp_server": "Dahua Rtsp Server"}


async def test_a_describe_never_answered_costs_only_the_realm():
    """The second request may hang until the probe's own time is up; it does not lose the first answer."""
    hold = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(_options_ok("GStreamer RTSP server"))
        await reader.readuntil(b"\r\n\r\n")
        await hold.wait()  # DESCRIBE: silence
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.33", RTSP_PORT)
    try:
        # Bounded by the probe's own second: were it not, the silent server would hold this test until
        # the outer wait_for ends it as a failure.
        facts, outcome = await asyncio.wait_for(_probe("127.0.0.33", timeout_s=1.0), 30)
    finally:
        hold.set()
        server.close()
        await server.wait_closed()
    assert outcome == "ok" and facts.fingerprints == {"rtsp_server": "GStreamer RTSP server"}


async def test_answers_whose_lines_end_in_a_bare_lf_are_read_whole():
    """YUAN VuStream cameras end their RTSP lines in LF alone (OvenMediaLabs/OvenMediaEngine#1935): a reader
    waiting for CR LF CR LF would sit out its time and keep neither the Server header nor the realm."""
    def yuan(head: str) -> bytes:
        if head.startswith("OPTIONS"):
            return b"RTSP/1.0 200 OK\nCSeq: 1\nServer: VuStream RTSP Server\nPublic: OPTIONS, DESCRIBE\n\n"
        return (b'RTSP/1.0 401 Unauthorized\nCSeq: 2\nWWW-Authenticate: Basic realm="YUAN"\n'
                b'WWW-Authenticate: Digest realm="YUAN", nonce="696c48bacc1aba320705e7ee58e54680", stale="FALSE"\n'
                b"Content-Length: 0\n\n")

    async with rtsp_server("127.0.0.34", yuan) as seen:
        facts, outcome = await asyncio.wait_for(_probe("127.0.0.34", timeout_s=10.0), 5)  # long before its time
    assert outcome == "ok"
    assert facts.fingerprints == {"rtsp_server": "VuStream RTSP Server", "rtsp_realm": "YUAN"}
    assert [h.split(" ", 1)[0] for h in seen] == ["OPTIONS", "DESCRIBE"]


async def test_an_options_answer_longer_than_what_is_kept_does_not_cost_the_describe_realm():
    """Only 16 kB of a header block is kept, but the block is read to its end: otherwise DESCRIBE's answer
    would be read from the middle of OPTIONS's and its realm lost."""
    padding = "".join(f"X-Pad-{i}: {'p' * 100}\r\n" for i in range(300)).encode()  # ~33 kB of headers

    def long_options(head: str) -> bytes:
        if head.startswith("OPTIONS"):
            return b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: Padded/1.0\r\n" + padding + b"\r\n"
        return b"\r\n" + HIKVISION_401  # and a stray CR LF before the next answer

    async with rtsp_server("127.0.0.35", long_options):
        facts, outcome = await asyncio.wait_for(_probe("127.0.0.35", timeout_s=10.0), 5)
    assert outcome == "ok"
    assert facts.fingerprints == {"rtsp_server": "Padded/1.0", "rtsp_realm": "IP Camera(C1214)"}
