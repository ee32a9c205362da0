"""Engines and the schema's version: one place that knows Alembic.

- `upgrade(url)` runs the migrations in inventory/migrations/ (what `cctv-inventory db upgrade` calls).
- `connect(url)` gives an engine whose schema is current: a SQLite file (new or behind) is upgraded on the
  spot, because it is the user's own zero-set-up file; PostgreSQL is shared and usually owned by someone
  else, so an out-of-date schema there is refused with the command to run, never changed behind their back.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from .errors import InventoryError, SchemaOutOfDate

DEFAULT_DB_URL = "sqlite:///./cctv-inventory.db"
DB_URL_ENV = "CCTV_INVENTORY_DB"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def resolve_url(url: str | None) -> str:
    """--db wins, then $CCTV_INVENTORY_DB, then the local SQLite file."""
    return url or os.environ.get(DB_URL_ENV) or DEFAULT_DB_URL


def display_url(url: str) -> str:
    """The URL as it may be printed: any password hidden."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL we cannot parse is shown as given
        return url


def _alembic_config(connection: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    script = ScriptDirectory(str(MIGRATIONS))
    head = script.get_current_head()
    assert head is not None
    return head


def _known(revision: str) -> bool:
    from alembic.util import CommandError

    try:
        return ScriptDirectory(str(MIGRATIONS)).get_revision(revision) is not None
    except CommandError:
        return False


CONNECT_TIMEOUT_S = 10


def create_engine(url: str) -> sa.Engine:
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise InventoryError(f"not a database URL: {url!r} ({exc})") from None
    if parsed.get_backend_name() == "sqlite":
        engine = sa.create_engine(parsed, connect_args={"timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    # A server that accepts the connection and never answers (hung, or another service on the port) held
    # every command forever: libpq waits without limit unless told. `?connect_timeout=N` in the URL wins.
    connect_args = {}
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
    return sa.create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_engine(engine: sa.Engine) -> None:
    # One transaction that other writers wait for (serialized_write). PostgreSQL runs DDL inside it: all or
    # nothing. pysqlite would run DDL outside any transaction, so a killed migration would leave half a
    # schema and two processes opening one new file would both create tables; BEGIN IMMEDIATE takes the
    # write lock first (the other process waits, then finds the schema current).
    with serialized_write(engine, None) as conn:
        command.upgrade(_alembic_config(conn), "head")


def _lock_id(name: str) -> int:
    """A stable signed 64-bit number for an advisory lock name (PostgreSQL's lock key is a bigint)."""
    return int.from_bytes(hashlib.sha256(f"cctv-inventory:{name}".encode()).digest()[:8], "big", signed=True)


def advisory_lock(conn: sa.Connection, name: str, *, shared: bool = False) -> None:
    """Wait for, then hold until this transaction ends, PostgreSQL's advisory lock `name` (`shared`: many
    holders at once, but none beside an exclusive holder). On SQLite a no-op: there a writer holds the
    whole database's write lock (see serialized_write)."""
    if conn.dialect.name != "sqlite":
        lock = sa.func.pg_advisory_xact_lock_shared if shared else sa.func.pg_advisory_xact_lock
        conn.execute(sa.select(lock(_lock_id(name))))


@contextmanager
def serialized_write(engine: sa.Engine, lock: str | None) -> Iterator[sa.Connection]:
    """One write transaction that other writers of the same `lock` wait for, on both databases.

    A read-then-write (is this file imported? which entries does it supersede? which list does it
    replace?) is only right if nobody writes the same thing between the read and the commit.
    PostgreSQL: a transaction-scoped advisory lock taken first, so every later statement of this
    transaction (READ COMMITTED: each sees what committed before it) sees the other writer's commit;
    released by the commit or rollback, also when the process dies. `lock=None` leaves it to the caller
    (`advisory_lock` once it knows what it writes). SQLite: BEGIN IMMEDIATE takes the database's write
    lock before the first read (pysqlite would otherwise read outside any transaction and begin only at
    the first INSERT); the other writer waits up to the 30 s busy timeout.
    """
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            if lock is not None:
                advisory_lock(conn, lock)
            yield conn
        return
    with engine.connect() as conn:
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        previous = dbapi.isolation_level
        dbapi.isolation_level = None  # the driver's own BEGIN handling off, for this transaction only
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn
            conn.commit()
        finally:
            if conn.in_transaction():
                conn.rollback()
            dbapi.isolation_level = previous


def upgrade(url: str | None = None) -> str:
    """Bring the schema at `url` to the newest revision; returns that revision."""
    engine = create_engine(resolve_url(url))
    try:
        upgrade_engine(engine)
        return head_revision()
    finally:
        engine.dispose()


def connect(url: str) -> sa.Engine:
    """An engine on a current schema (see the module docstring for who upgrades what)."""
    engine = create_engine(url)
    try:
        current = current_revision(engine)
        head = head_revision()
        if current == head:
            return engine
        if current is not None and not _known(current):
            raise SchemaOutOfDate(
                f"the database {display_url(url)} is at schema {current}, which this program does not know: "
                "it was written by a newer cctv-inventory; upgrade the program, not the database"
            )
        if engine.dialect.name == "sqlite":
            upgrade_engine(engine)
            return engine
        state = "has no cctv-inventory schema yet" if current is None else f"is at schema {current}"
        raise SchemaOutOfDate(
            f"the database {display_url(url)} {state}, this program needs {head}: "
            f"run `cctv-inventory db upgrade --db {display_url(url)}`"
        )
    except BaseException:
        engine.dispose()
        raise
