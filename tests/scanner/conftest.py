"""Simulated sites for the scanner's network tests, each started once per module.

Every scan here runs inside tools/isolated (tests/conftest.py refuses to run otherwise);
the labs live in 127.0.0.0/8 of that namespace.
"""

from __future__ import annotations

import os
import shutil
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web

REPO = Path(__file__).resolve().parents[2]
DEMO_SITE = REPO / "config" / "lab" / "demo-site.yaml"
DEMO_CREDENTIALS = REPO / "config" / "lab" / "demo-credentials.yaml"
HOSTILE_SITE = Path(__file__).parent / "fixtures" / "hostile-site.yaml"
DEMO_PASSWORDS = ("Garam!Cctv2024", "field-changed-pw", "not-the-site-password")


def private_copy(source: Path, directory: Path) -> Path:
    """The credentials file as an installer keeps it: mode 0600."""
    path = directory / source.name
    shutil.copy(source, path)
    os.chmod(path, 0o600)
    return path


@pytest.fixture(scope="module")
def demo_lab():
    from simulator.testing import running_lab

    with running_lab(DEMO_SITE) as lab:
        yield lab


@pytest.fixture(scope="module")
def demo_credentials(tmp_path_factory) -> Path:
    return private_copy(DEMO_CREDENTIALS, tmp_path_factory.mktemp("creds"))


@asynccontextmanager
async def bare_server(app: web.Application, host: str = "127.0.0.1",
                      tls: ssl.SSLContext | None = None, port: int = 0) -> AsyncIterator[str]:
    """Serve `app` on `port` of `host` (ephemeral by default; inside the test namespace); yields http(s)://host:port."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, host, port, ssl_context=tls)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"{'https' if tls else 'http'}://{host}:{port}"
    finally:
        await runner.cleanup()
