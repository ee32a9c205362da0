"""A swept --target range holding a host that is not a camera: a printer-like web server on port 80,
with RTSP and HTTPS ports open too (no simulated site: bare servers on 127.55.0.1 of the test namespace)."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from scanner.engine import ScanRequest, run_scan

pytestmark = pytest.mark.network
PRINTER = "127.55.0.1"


async def test_an_open_web_port_that_is_not_onvif_is_neither_reported_nor_fingerprinted():
    touched: dict[int, int] = {554: 0, 443: 0}

    async def page(request: web.Request) -> web.Response:
        return web.Response(status=404 if request.method == "POST" else 200, text="<title>Printer</title>",
                            content_type="text/html")

    def counting(port: int):
        async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            touched[port] += 1
            writer.close()
        return on_connect

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", page)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, PRINTER, 80).start()
    side = [await asyncio.start_server(counting(port), PRINTER, port) for port in touched]
    try:
        result = await run_scan(ScanRequest(targets=("127.55.0.0/30",), multicast=False, timeout_s=3, workers=0,
                                            inventory_host=False))
    finally:
        for server in side:
            server.close()
        await runner.cleanup()
    assert result.devices == ()  # an open port that never spoke ONVIF is not a device
    assert touched == {554: 0, 443: 0}  # and it was not fingerprinted on the way
