"""Reading an HTTP body from a device: all of it, up to a cap.

aiohttp's `content.read(n)` returns what is buffered *so far*, up to n bytes. On loopback an
answer arrives in one piece, so that looks like "the body"; on a real network a body spans
several TCP segments, and chunked answers (Transfer-Encoding: chunked, common on embedded web
servers) arrive chunk by chunk. Reading once would hand zeep or the banner parser the first
segment only. So read until the end of the body, and stop as soon as the cap is passed.
"""

from __future__ import annotations

import aiohttp


async def read_capped(response: aiohttp.ClientResponse, cap: int) -> bytes:
    """The whole body, or the first `cap + 1` bytes when it is longer (so callers can tell)."""
    parts: list[bytes] = []
    size = 0
    while size <= cap:
        block = await response.content.read(cap + 1 - size)
        if not block:
            break
        parts.append(block)
        size += len(block)
    return b"".join(parts)
