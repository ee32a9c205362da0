"""A process killed (SIGKILL) in the middle of saving a large scan leaves the database as it was before,
and usable. Both databases."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import sqlalchemy as sa

from inventory import db
from tests.conftest import REPO

SAVE_BIG_SCAN = """
import sys
import inventory.store
from scanner.model import Device
from inventory.store import Store
from tests.inventory.factory import demo_scan

real_ensure_devices = inventory.store.ensure_devices


def announcing_ensure_devices(*args, **kwargs):
    # Called after the site and scan rows are written, before the devices and 40,001 observations.
    print("writing", flush=True)
    return real_ensure_devices(*args, **kwargs)


inventory.store.ensure_devices = announcing_ensure_devices
devices = [Device(address=f"127.30.{i // 250}.{i % 250}", port=80, status="ok", manufacturer="Hanwha Vision",
                  model="XNO-6080R", serial=f"SN{i:08d}", role="camera") for i in range(40000)]
scan = demo_scan(devices=devices)
with Store.open(sys.argv[1]) as store:
    store.save_scan(scan)
    print("saved", flush=True)
"""


def counts(url: str) -> tuple[int, int, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return tuple(  # type: ignore[return-value]
                conn.execute(sa.text(f"select count(*) from {t}")).scalar_one()
                for t in ("scans", "observations", "sites")
            )
    finally:
        engine.dispose()


def test_killed_mid_save_leaves_the_database_as_before(db_url):
    db.upgrade(db_url)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", SAVE_BIG_SCAN, db_url], env=env, cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "writing"  # inside the transaction, scan row written
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    scans, observations, sites = counts(db_url)
    assert (scans, observations, sites) == (0, 0, 0)
    assert proc.returncode == -signal.SIGKILL
    from inventory.store import Store
    from tests.inventory.factory import demo_scan

    with Store.open(db_url) as store:  # SQLite rolls the hot journal back; PostgreSQL aborted the session
        assert store.save_scan(demo_scan()).created
    assert counts(db_url) == (1, 26, 1)
