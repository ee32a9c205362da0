"""Session-wide guards and shared fixtures.

The whole suite runs inside `tools/isolated` (a network namespace holding only
`lo`). The guard below fails the run at once if it can see any other interface,
so nobody runs the network tests on a shared network by mistake (DESIGN §9).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "config"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

DEFAULT_PG_URL = "postgresql+psycopg://root@/test?host=/var/run/postgresql"


def visible_foreign_interfaces() -> list[str]:
    # if_nameindex() asks the kernel about *this* network namespace; /sys/class/net
    # would show the host's interfaces from inside `unshare -n`.
    return [name for _, name in socket.if_nameindex() if name != "lo" and not name.startswith("veth")]


def pytest_sessionstart(session: pytest.Session) -> None:
    foreign = visible_foreign_interfaces()
    if foreign:
        pytest.exit(
            "refusing to run: network interfaces other than lo are visible "
            f"({', '.join(foreign)}). Run the tests with `make test` (which uses tools/isolated).",
            returncode=3,
        )


# --- PostgreSQL -------------------------------------------------------------


def _pg_url() -> str:
    return os.environ.get("CCTV_TEST_PG_URL", DEFAULT_PG_URL)


def _pg_available(url: str) -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        import sqlalchemy as sa

        engine = sa.create_engine(url)
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        return f"{type(exc).__name__}: {exc}".splitlines()[0]


@pytest.fixture(scope="session")
def pg_base_url() -> str:
    url = _pg_url()
    problem = _pg_available(url)
    if problem:
        if os.environ.get("CCTV_REQUIRE_PG") == "1":
            pytest.fail(f"CCTV_REQUIRE_PG=1 but PostgreSQL at {url} does not answer: {problem}")
        pytest.skip(f"!!! PostgreSQL not available at {url} ({problem}); set CCTV_TEST_PG_URL !!!")
    return url


@pytest.fixture
def pg_url(pg_base_url: str) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(pg_base_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'create schema "{schema}"'))
    sep = "&" if "?" in pg_base_url else "?"
    yield f"{pg_base_url}{sep}options={quote(f'-csearch_path={schema}')}"
    with engine.begin() as conn:
        conn.execute(sa.text(f'drop schema "{schema}" cascade'))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every database test runs on both SQLite and PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'inventory.db'}"
    return request.getfixturevalue("pg_url")


def wait_until_blocked_on(engine, table: str, proc, what: str, timeout_s: float = 60) -> None:
    """Wait until some session waits for a lock on PostgreSQL `table` (a test holds it), failing if `proc`,
    the process expected to block there, ends first or `what` never happens within `timeout_s`."""
    import time

    import sqlalchemy as sa

    deadline = time.monotonic() + timeout_s
    waiting = sa.text(f"select count(*) from pg_locks where relation = '{table}'::regclass and not granted")
    with engine.connect() as watcher:
        while watcher.execute(waiting).scalar_one() == 0:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, f"{what} never happened"
            time.sleep(0.02)

