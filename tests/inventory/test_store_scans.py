"""Store: scans and reports on SQLite and PostgreSQL; idempotent saves; migration from empty."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa

from inventory import db
from inventory.errors import ScanNotFound, SchemaOutOfDate
from inventory.store import Store
from tests.inventory.factory import SITE_NAME, T0, demo_scan

TABLES = {
    "sites",
    "scans",
    "devices",
    "observations",
    "registry_sources",
    "registry_entries",
    "declared_items",
    "match_results",
    "reports",
    "alembic_version",
}


def table_counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t: conn.execute(sa.text(f"select count(*) from {t}")).scalar_one()
                for t in sorted(TABLES - {"alembic_version"})
            }
    finally:
        engine.dispose()


def test_migration_from_empty_creates_every_table(db_url):
    assert db.upgrade(db_url) == db.head_revision()
    engine = sa.create_engine(db_url)
    try:
        assert TABLES <= set(sa.inspect(engine).get_table_names())
        assert db.current_revision(engine) == db.head_revision()
    finally:
        engine.dispose()
    assert db.upgrade(db_url) == db.head_revision()  # a second upgrade is a no-op


def test_new_sqlite_file_is_upgraded_on_open(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    with Store.open(url) as store:
        assert store.scans() == []


def test_postgres_without_schema_is_refused_with_the_command_to_run(pg_url):
    with pytest.raises(SchemaOutOfDate) as err:
        Store.open(pg_url)
    assert "cctv-inventory db upgrade --db" in str(err.value)


def test_postgres_schema_lives_in_the_search_path_schema(pg_url, pg_base_url):
    db.upgrade(pg_url)
    engine = sa.create_engine(pg_base_url)
    try:
        with engine.connect() as conn:
            public = set(sa.inspect(conn).get_table_names(schema="public"))
        assert "alembic_version" not in public and "scans" not in public
    finally:
        engine.dispose()


def test_save_scan_then_summary_and_raw_scan_back(store):
    scan = demo_scan()
    saved = store.save_scan(scan)
    assert saved.created and saved.scan_id == scan.scan_id
    [summary] = store.scans()
    assert summary.site == SITE_NAME and summary.device_count == 25 and summary.complete
    assert summary.started_at == scan.started_at and summary.finished_at == scan.finished_at
    assert store.scan(scan.scan_id) == scan
    assert store.scan("latest", SITE_NAME) == scan


def test_same_scan_twice_changes_nothing(store, db_url):
    scan = demo_scan()
    store.save_scan(scan)
    before = table_counts(db_url)
    assert before["observations"] == 26  # 25 devices and the agent host
    again = store.save_scan(scan)
    assert not again.created
    assert table_counts(db_url) == before


def test_other_content_under_a_stored_scan_id_is_refused(store, db_url):
    """Idempotency went by scan_id alone: an edited scan file (a model changed, the id kept) was told "already
    there", and a bundle's report would then stand on the other scan's content."""
    from dataclasses import replace

    from inventory.errors import InventoryError

    scan = demo_scan()
    store.save_scan(scan)
    before = table_counts(db_url)
    edited = replace(scan, devices=(replace(scan.devices[0], model="XNO-9999R"), *scan.devices[1:]))
    with pytest.raises(InventoryError, match="stored already, with other content"):
        store.save_scan(edited)
    assert table_counts(db_url) == before and store.scan(scan.scan_id) == scan


def test_device_identity_is_stable_across_scans(store, db_url):
    first = demo_scan()
    second = demo_scan(started_at=T0 + timedelta(days=1))
    store.save_scan(first)
    store.save_scan(second)
    counts = table_counts(db_url)
    assert counts["scans"] == 2 and counts["observations"] == 52
    assert counts["devices"] == 26  # the same 25 devices and host, not 52
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        first_seen = {row[0] for row in conn.execute(sa.text("select first_seen_at from devices"))}
        per_device = conn.execute(sa.text(
            "select count(distinct device_pk), count(*) from observations")).one()
    engine.dispose()
    # Both scans' observations point at the same 26 rows, and re-seeing a device leaves its first sighting.
    assert tuple(per_device) == (26, 52)
    assert len(first_seen) == 1 and str(T0.date()) in str(next(iter(first_seen)))


def test_interrupted_scan_is_kept_and_marked(store):
    cut = replace(demo_scan(), complete=False, finished_at=None, interrupted_reason="SIGINT")
    store.save_scan(cut)
    [summary] = store.scans()
    assert not summary.complete and summary.finished_at is None


def test_scans_filtered_by_site_oldest_first(store):
    a = demo_scan(site="A 현장", started_at=T0 + timedelta(hours=2))
    b = demo_scan(site="A 현장", started_at=T0)
    c = demo_scan(site="B 현장")
    for scan in (a, b, c):
        store.save_scan(scan)
    assert [s.scan_id for s in store.scans(site="A 현장")] == [b.scan_id, a.scan_id]
    assert len(store.scans()) == 3


def test_failed_write_leaves_nothing_behind(store, db_url, monkeypatch):
    """A crash in the middle of a scan save (here: after the scan row, before observations) rolls back whole."""
    import inventory.store as store_module

    def boom(*args, **kwargs):
        raise RuntimeError("killed mid-write")

    monkeypatch.setattr(store_module, "ensure_devices", boom)
    with pytest.raises(RuntimeError):
        store.save_scan(demo_scan())
    assert all(n == 0 for n in table_counts(db_url).values())


def test_reports_are_idempotent_by_sha256(store):
    scan = demo_scan()
    store.save_scan(scan)
    args = {"policy_id": "kr-2024", "verdict": "pass", "sha256": "ab" * 32, "report_json": '{"x": 1}'}
    assert store.save_report(scan.scan_id, **args) is True
    assert store.save_report(scan.scan_id, **args) is False
    [report] = store.reports(site=SITE_NAME)
    assert report.scan_id == scan.scan_id and report.report_json == '{"x": 1}' and report.signature is None
    assert store.reports(site="elsewhere") == []


def test_report_for_unknown_scan_is_refused(store):
    with pytest.raises(ScanNotFound):
        store.save_report("nope", policy_id="p", verdict="pass", sha256="0" * 64, report_json="{}")


OPEN_AND_SAVE = """
import sys
from inventory.store import Store
from tests.inventory.factory import demo_scan
with Store.open(sys.argv[1]) as store:
    store.save_scan(demo_scan())
"""


def test_two_processes_opening_one_new_sqlite_file(tmp_path):
    """Both upgrade-on-open: one migrates under the write lock, the other waits and finds it current."""
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    url = f"sqlite:///{tmp_path / 'shared.db'}"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_AND_SAVE, url], env=env, cwd=REPO, stderr=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    with Store.open(url) as store:
        assert len(store.scans()) == 3


def test_sqlite_migration_is_one_transaction(tmp_path, monkeypatch):
    """A migration that dies half-way leaves no tables behind (pysqlite would otherwise commit each DDL)."""
    from alembic.operations import Operations

    url = f"sqlite:///{tmp_path / 'half.db'}"
    real = Operations.create_table
    calls = iter(range(100))

    def dying_create_table(self, *args, **kwargs):
        if next(calls) == 3:
            raise RuntimeError("killed mid-migration")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Operations, "create_table", dying_create_table)
    with pytest.raises(RuntimeError):
        db.upgrade(url)
    engine = sa.create_engine(url)
    try:
        assert sa.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
    monkeypatch.undo()
    assert db.upgrade(url) == db.head_revision()


def test_hostile_device_strings_do_not_make_a_scan_unstorable(store):
    """NUL bytes (PostgreSQL refuses them in text) and a 100,000-character serial and MAC."""
    from scanner.model import Device

    hostile = Device(
        address="127.10.0.99",
        port=80,
        status="ok",
        manufacturer="Hik\x00vision",
        model='=HYPERLINK("http://x")\x00',
        firmware="\x00" * 10,
        serial="S" * 100_000,
        mac="m" * 100_000,
        role="camera",
    )
    scan = demo_scan(devices=[hostile])
    assert store.save_scan(scan).created
    assert store.scan(scan.scan_id) == scan  # the raw scan keeps every byte
    matched = store.matched_scan(scan.scan_id)
    assert matched.devices[0].device.manufacturer == "Hik\x00vision"
    assert matched.devices[0].device_key.startswith("serial:sha256:")


def test_schema_from_a_newer_program_is_refused_not_touched(db_url):
    db.upgrade(db_url)
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("update alembic_version set version_num = 'f00dfeed'"))
    finally:
        engine.dispose()
    with pytest.raises(SchemaOutOfDate, match="newer cctv-inventory"):
        Store.open(db_url)


def test_migrations_and_tables_agree(db_url):
    """inventory/tables.py and the Alembic migrations describe one schema (nothing left to autogenerate)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from inventory.tables import Base

    db.upgrade(db_url)
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []
