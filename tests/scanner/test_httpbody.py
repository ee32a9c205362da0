"""Bodies that arrive in pieces, as they do on a real network (no simulated site: a bare aiohttp
server on 127.0.0.1 of the test namespace, so the pieces and pauses are exact)."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp import web

from scanner.httpbody import BodyCutShort, read_capped

from .conftest import bare_server

pytestmark = pytest.mark.network

BODY = b"<?xml version='1.0'?><Envelope>" + b"<Item>x</Item>" * 400 + b"</Envelope>"


async def _pieces(request: web.Request) -> web.StreamResponse:
    chunked = request.query.get("chunked") == "1"
    response = web.StreamResponse(headers={"Content-Type": "application/soap+xml"})
    if chunked:
        response.enable_chunked_encoding()
    else:
        response.content_length = len(BODY)
    await response.prepare(request)
    for start in range(0, len(BODY), 1000):
        await response.write(BODY[start:start + 1000])
        await asyncio.sleep(0.02)  # the next segment is still on the wire
    await response.write_eof()
    return response


async def _overstated(request: web.Request) -> web.StreamResponse:
    """Dahua/Lorex: a Content-Length 200 bytes longer than the body (python-onvif-zeep-async#130)."""
    transport = request.transport
    transport.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                    + str(len(BODY) + 200).encode() + b"\r\n\r\n" + BODY)
    if request.query.get("close") == "1":
        transport.close()
    else:
        await asyncio.sleep(2)  # holds the connection, sending nothing
    return web.Response()  # written after the hold: a reader still waiting by then gets it as body


@pytest.fixture
async def server():
    app = web.Application()
    app.router.add_get("/", _pieces)
    app.router.add_get("/overstated", _overstated)
    async with bare_server(app) as url:
        yield f"{url}/"


@pytest.mark.parametrize("chunked", ["0", "1"])
async def test_a_body_in_pieces_is_read_whole(server, chunked):
    async with aiohttp.ClientSession() as session, session.get(server, params={"chunked": chunked}) as response:
        first = await response.content.read(len(BODY) + 1)  # what a single read gets
        rest = await read_capped(response, len(BODY))
    assert len(first) < len(BODY), "the server must really send pieces, or this test proves nothing"
    assert first + rest == BODY


async def test_the_cap_stops_reading_early(server):
    async with aiohttp.ClientSession() as session, session.get(server, params={"chunked": "1"}) as response:
        got = await read_capped(response, 2500)
    assert len(got) == 2501  # one byte past the cap tells the caller "too big"
    assert BODY.startswith(got)


@pytest.mark.parametrize("close", ["0", "1"])
async def test_a_body_shorter_than_its_content_length_is_handed_over_as_far_as_it_came(server, close):
    async with aiohttp.ClientSession() as session, \
            session.get(server + "overstated", params={"close": close}) as response:
        with pytest.raises(BodyCutShort) as cut:
            await read_capped(response, 10 * len(BODY), stall_s=0.3)
    assert cut.value.received == BODY
    assert ("closed" if close == "1" else "nothing more sent for 0.3 s") in cut.value.why
