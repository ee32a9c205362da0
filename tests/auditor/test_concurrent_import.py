"""Two importer processes against one PostgreSQL at once lose nothing (issue 8).

Each of 8 new sites gets one bundle in each process, so both processes try to create every site row at
the same moment: the race the store (or import_bundle's retry) must survive.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

from inventory.queries import prepare_database
from inventory.store import Store
from tests.auditor.factory import T0, demo_scan
from tests.conftest import REPO

SITES = 8


def test_two_processes_import_different_bundles_concurrently(pg_url, make_bundle, tmp_path):
    prepare_database(pg_url)
    batches: dict[str, list[str]] = {"a": [], "b": []}
    expected = set()
    for n in range(SITES):
        for machine, offset in (("a", 0), ("b", 3)):
            scan = demo_scan(site=f"동시 현장 {n}", started_at=T0 + timedelta(hours=offset), hostname=machine)
            expected.add(scan.scan_id)
            batches[machine].append(str(make_bundle(scan, f"{machine}-{n}.zip", signed=False)))
    start = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.auditor.import_worker", pg_url, str(start), *batch],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for batch in batches.values()
    ]
    start.touch()
    results = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err[-3000:]

    with Store.open(pg_url) as store:
        scans = store.scans()
        reports = store.reports()
    assert {s.scan_id for s in scans} == expected
    assert len(reports) == 2 * SITES
    assert len({s.site for s in scans}) == SITES
    assert all(s.device_count == 25 for s in scans)
