"""A bundle's scan and report are stored together or not at all (DESIGN §10: a crash mid-write leaves the
database consistent). Before, they were two transactions: a write refused or a process killed between
them left the scan without its report, and the site read as never assessed (or under an older report).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
import sqlalchemy as sa

from cctv_inventory.bundle import import_bundle
from tests.auditor.factory import demo_scan
from tests.auditor.test_import import _row_counts
from tests.conftest import REPO, wait_until_blocked_on

REFUSE_REPORTS = {
    "sqlite": [
        "CREATE TRIGGER refuse_reports BEFORE INSERT ON reports BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    ],
    "postgresql": [
        (
            "CREATE FUNCTION refuse_report() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'disk full'; END $$"
        ),
        "CREATE TRIGGER refuse_reports BEFORE INSERT ON reports FOR EACH ROW EXECUTE FUNCTION refuse_report()",
    ],
}


def test_a_refused_report_write_stores_no_scan_and_a_reimport_completes(store, make_bundle):
    import_bundle(make_bundle(demo_scan(site="다른 현장")), store)
    before = _row_counts(store)
    with store.engine.begin() as conn:  # the report's write fails (a full disk, a constraint) after the scan's
        for statement in REFUSE_REPORTS[conn.dialect.name]:
            conn.exec_driver_sql(statement)
    scan = demo_scan()
    bundle = make_bundle(scan)
    with pytest.raises(sa.exc.DBAPIError, match="disk full"):
        import_bundle(bundle, store)
    assert _row_counts(store) == before  # no scan without its report, no new site, no devices
    assert scan.scan_id not in {s.scan_id for s in store.scans()}

    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER refuse_reports" + (" ON reports" if conn.dialect.name != "sqlite" else ""))
    again = import_bundle(bundle, store)
    assert (again.scan_created, again.report_created) == (True, True)
    assert {r.scan_id for r in store.reports()} >= {scan.scan_id}
    assert not import_bundle(bundle, store).changed_anything


def test_an_importer_killed_between_scan_and_report_leaves_nothing(pg_url, make_bundle, tmp_path):
    """The importer is held at the report's INSERT (the table locked by this test), killed there, and the
    database holds no trace of the bundle; importing it again stores both."""
    from inventory.queries import prepare_database
    from inventory.store import Store

    prepare_database(pg_url)
    scan = demo_scan()
    bundle = make_bundle(scan)
    start = tmp_path / "go"
    start.touch()
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as locker:
            locker.execute(sa.text("LOCK TABLE reports IN SHARE MODE"))  # reads pass, INSERTs wait
            proc = subprocess.Popen(
                [sys.executable, "-m", "tests.auditor.import_worker", pg_url, str(start), str(bundle)],
                cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            try:
                wait_until_blocked_on(engine, "reports", proc, "the importer reaching the report")
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=30)
            finally:
                if proc.poll() is None:
                    proc.kill()
            locker.rollback()
        with engine.connect() as conn:
            counts = {t: conn.execute(sa.text(f"select count(*) from {t}")).scalar_one()
                      for t in ("sites", "scans", "devices", "observations", "reports")}
    finally:
        engine.dispose()
    assert proc.returncode == -signal.SIGKILL
    assert counts == dict.fromkeys(counts, 0)

    with Store.open(pg_url) as store:
        again = import_bundle(bundle, store)
        assert (again.scan_created, again.report_created) == (True, True)
        assert [r.scan_id for r in store.reports()] == [scan.scan_id]


def test_a_bundle_whose_scan_id_is_stored_with_other_content_is_refused_by_name(db_url, make_bundle, tmp_path):
    """`import-bundle` refuses it naming scan.json (exit 3) and imports the other files; it used to stop
    the whole command with a traceback."""
    from dataclasses import replace

    from inventory.queries import prepare_database
    from inventory.store import Store
    from tests.auditor.test_cli import cli

    prepare_database(db_url)
    scan = demo_scan()
    first = make_bundle(scan, "first.zip")
    edited = make_bundle(replace(scan, devices=scan.devices[:-1]), "edited.zip")  # same scan id, one device less
    other = demo_scan(site="나래군청")
    with Store.open(db_url) as store:
        import_bundle(first, store)
    run = cli("import-bundle", str(edited), str(make_bundle(other, "other.zip")), "--json", db=db_url, home=tmp_path)
    assert run.returncode == 3, run.stderr[-2000:]
    refused, imported = json.loads(run.stdout)
    assert refused["refused"] and refused["member"] == "scan.json" and "other content" in refused["reason"]
    assert imported["scan_id"] == other.scan_id and imported["scan_created"]
