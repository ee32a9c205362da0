"""Reading an HTTP body from a device: all of it, up to a cap.

aiohttp's `content.read(n)` returns what is buffered *so far*, up to n bytes. On loopback an
answer arrives in one piece, so that looks like "the body"; on a real network a body spans
several TCP segments, and chunked answers (Transfer-Encoding: chunked, common on embedded web
servers) arrive chunk by chunk. Reading once would hand zeep or the banner parser the first
segment only. So read until the end of the body, and stop as soon as the cap is passed.

Some web servers declare more body than they send (Dahua and Lorex:
openvideolibs/python-onvif-zeep-async#130). The read then waits for bytes that never come, or
fails when the device closes the connection. Either way, what did arrive is handed to the
caller in `BodyCutShort`, which decides whether a part of the body is worth anything.
"""

from __future__ import annotations

import asyncio

import aiohttp


class BodyCutShort(Exception):
    def __init__(self, received: bytes, why: str):
        super().__init__(why)
        self.received = received
        self.why = why


async def read_capped(response: aiohttp.ClientResponse, cap: int, stall_s: float | None = None) -> bytes:
    """The whole body, or the first `cap + 1` bytes when it is longer (so callers can tell).

    Raises BodyCutShort when the device closes the connection before the body's end, or, with
    `stall_s`, sends nothing more for that long.
    """
    parts: list[bytes] = []
    size = 0
    try:
        while size <= cap:
            if stall_s is None:
                block = await response.content.read(cap + 1 - size)
            else:
                async with asyncio.timeout(stall_s):
                    block = await response.content.read(cap + 1 - size)
            if not block:
                break
            parts.append(block)
            size += len(block)
    except TimeoutError:
        raise BodyCutShort(b"".join(parts), f"nothing more sent for {stall_s:g} s") from None
    except aiohttp.ClientPayloadError:
        raise BodyCutShort(b"".join(parts), "connection closed before the end of the body") from None
    return b"".join(parts)


def header_text(value: str) -> str:
    """An HTTP header value as text that can be stored. aiohttp decodes header bytes with surrogateescape,
    so bytes that are no UTF-8 come as lone surrogates, which no JSON file or database takes: one such
    Server header or realm crashed the journal and the scan file. They are read as CP949 (a Korean DVR's
    EUC-KR realm), else replaced; the evidence keeps the bytes as sent."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        pass
    try:
        raw = value.encode("utf-8", "surrogateescape")  # the bytes as sent
    except UnicodeEncodeError:  # a surrogate no byte made (not aiohttp's): nothing to give back
        raw = value.encode("utf-8", "replace")
    for codec in ("utf-8", "cp949"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")

