"""Writers in separate processes at the same moment, on SQLite and PostgreSQL: registry imports of the
same or overlapping files, declared lists of one site, matchings of one scan. None may fail, duplicate
a row or lose a supersede (DESIGN §6: the same file again changes nothing; a newer file supersedes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from tests.conftest import REPO, wait_until_blocked_on
from tests.inventory.test_registry_store import HEADER

ROWS = 1500  # enough rows that both importers are inside their transactions at once on the old code


def run_together(url: str, tmp_path: Path, *jobs: list[str], may_fail: bool = False) -> list:
    """Start one worker process per job, release them at once, return each one's stdout (with
    `may_fail`: (returncode, stdout, stderr) of each)."""
    start = tmp_path / f"go-{len(list(tmp_path.glob('go-*')))}"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.inventory.import_worker", job[0], url, str(start), *job[1:]],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for job in jobs
    ]
    for proc in procs:  # every worker connected and waiting: released together, not as each gets ready
        assert proc.stdout is not None
        ready = proc.stdout.readline()
        assert ready == "ready\n", (ready, proc.stderr.read() if proc.stderr else "")
    start.touch()
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        if may_fail:
            outputs.append((proc.returncode, out, err))
            continue
        assert proc.returncode == 0, err[-3000:]
        outputs.append(out)
    return outputs


def registry_file(path: Path, valid_to: str, new_rows: int = 0) -> Path:
    rows = [f"한빛비전,900-81-00067,HB-{i:05d},원산지증명서,K-{i},2024-01-01,{valid_to}" for i in range(ROWS)]
    rows += [f"한빛비전,900-81-00067,HB-N{i:05d},GS,N-{i},2025-01-01,2029-12-31" for i in range(new_rows)]
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def rows(url: str, query: str) -> list[tuple]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(query))]
    finally:
        engine.dispose()


def test_the_same_registry_file_imported_twice_at_once(store, tmp_path):
    path = registry_file(tmp_path / "registry.csv", "2027-12-31")
    outputs = run_together(store.url, tmp_path, ["registry", str(path)], ["registry", str(path)])
    summaries = sorted((s["imported"], s["unchanged"]) for s in map(json.loads, outputs))
    assert summaries == [(0, ROWS), (ROWS, 0)]  # one imported it, the other found it done
    assert rows(store.url, "select count(*) from registry_sources") == [(1,)]
    assert rows(store.url, "select count(*) from registry_entries") == [(ROWS,)]


def test_overlapping_registry_files_imported_at_once(store, tmp_path):
    store.import_registry(registry_file(tmp_path / "2024.csv", "2025-12-31"))
    # Two renewals of every certificate, imported at once, and 300 new rows the two files share.
    a = registry_file(tmp_path / "a.csv", "2027-12-31", new_rows=300)
    b = registry_file(tmp_path / "b.csv", "2028-12-31", new_rows=300)
    outputs = run_together(store.url, tmp_path, ["registry", str(a)], ["registry", str(b)])
    by_file = {s["file_name"]: s for s in map(json.loads, outputs)}
    order = [f for (f,) in rows(store.url, "select file_name from registry_sources order by id")]
    assert order[0] == "2024.csv" and sorted(order[1:]) == ["a.csv", "b.csv"]
    first, second = by_file[order[1]], by_file[order[2]]
    # The later one supersedes what the earlier one brought, and finds the shared rows held.
    assert (first["imported"], first["unchanged"], first["superseded"]) == (ROWS + 300, 0, ROWS)
    assert (second["imported"], second["unchanged"], second["superseded"]) == (ROWS, 300, ROWS)
    in_force = rows(
        store.url,
        "select e.certificate_no, count(*), min(s.file_name) from registry_entries e "
        "join registry_sources s on s.id = e.source_id where e.superseded_by_source_id is null "
        "group by e.certificate_no",
    )
    assert len(in_force) == ROWS + 300
    assert {n for _, n, _ in in_force} == {1}  # one entry in force per certificate: no duplicate, no lost supersede
    assert {f for no, _, f in in_force if no.startswith("K-")} == {order[2]}  # the renewal of the last file
    assert {f for no, _, f in in_force if no.startswith("N-")} == {order[1]}  # first provenance kept


def declared_file(path: Path, model_prefix: str, count: int = 2000) -> Path:
    lines = [f"한화비전,{model_prefix}-{i:05d},1" for i in range(count)]
    path.write_text("제조사,모델명,수량\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_two_declared_lists_of_one_site_imported_at_once(store, tmp_path):
    store.import_declared(declared_file(tmp_path / "contract.csv", "OLD", 10), "현장")
    a, b = declared_file(tmp_path / "a.csv", "A"), declared_file(tmp_path / "b.csv", "B")
    outputs = run_together(store.url, tmp_path, ["declared", str(a), "현장"], ["declared", str(b), "현장"])
    # The file is the site's whole list: whichever came last is the list, never both at once.
    held = rows(store.url, "select source_file, count(*) from declared_items group by source_file")
    assert len(held) == 1 and held[0][1] == 2000
    summaries = {s["file_name"]: s for s in map(json.loads, outputs)}
    first = next(name for name in summaries if name != held[0][0])
    assert (summaries[first]["replaced"], summaries[held[0][0]]["replaced"]) == (10, 2000)


def test_one_scan_matched_twice_at_once(store, tmp_path):
    from tests.inventory.factory import demo_scan
    from tests.inventory.test_registry_store import SAMPLE

    store.import_registry(SAMPLE)
    scan = demo_scan()
    store.save_scan(scan)
    alone = sum(len(d.matches) for d in store.matched_scan(scan.scan_id).devices)
    outputs = run_together(store.url, tmp_path, *(["match", scan.scan_id] for _ in range(3)))
    assert [int(o) for o in outputs] == [alone] * 3
    # Matching replaces the scan's stored results: three at once leave one set, not three.
    assert rows(store.url, "select count(*) from match_results") == [(alone,)]


def test_two_scans_claiming_one_scan_id_saved_at_once(store, tmp_path):
    """A scan id stored with other content is refused (an edited scan file); two such files saved at the
    same moment must not slip past that check, the loser seeing only 'already stored'."""
    from dataclasses import replace

    from scanner.serialize import scan_to_json
    from tests.inventory.factory import demo_scan

    scan = demo_scan(devices=[])
    devices = list(demo_scan().devices)
    files = []
    for n in range(2):  # the same scan id, 3000 devices each, one address apart
        edited = replace(scan, devices=tuple(replace(devices[i % len(devices)], address=f"127.40.{i // 250}.{i % 250 + n}",
                                                     serial=f"SN{n}-{i}") for i in range(3000)))
        path = tmp_path / f"scan-{n}.json"
        path.write_text(scan_to_json(edited), encoding="utf-8")
        files.append(path)
    results = run_together(store.url, tmp_path, *(["scan", str(f)] for f in files), may_fail=True)
    outcomes = sorted((code, json.loads(out)["created"] if code == 0 else err) for code, out, err in results)
    assert outcomes[0] == (0, True), results
    assert outcomes[1][0] != 0 and "stored already, with other content" in outcomes[1][1]
    assert rows(store.url, "select count(*) from scans") == [(1,)]


def test_a_matching_names_the_registry_files_it_used_while_one_is_imported(pg_url, tmp_path):
    """The registry files a matching names (they go into the report's method.registry_sources, the
    evidence of what the devices were judged against) are those its entries came from, though a registry
    import commits while it runs. The matcher is held at its DELETE (match_results locked here) after
    reading the entries, and a renewal of one of them is imported meanwhile."""
    import threading

    from inventory import db
    from inventory.store import Store
    from tests.inventory.factory import demo_scan
    from tests.inventory.test_registry_store import SAMPLE

    db.upgrade(pg_url)
    scan = demo_scan()
    with Store.open(pg_url) as store:
        store.import_registry(SAMPLE)
        store.save_scan(scan)
    lines = SAMPLE.read_text(encoding="utf-8-sig").splitlines()
    renewal = tmp_path / "renewal.csv"  # the XNO-6080R origin certificate, renewed to 2030
    renewal.write_text(lines[1] + "\n" + lines[2].replace("2029-12-31", "2030-12-31") + "\n", encoding="utf-8")
    start = tmp_path / "go"
    start.touch()
    engine = sa.create_engine(pg_url)
    importer = Store.open(pg_url)
    try:
        with engine.connect() as locker:
            locker.execute(sa.text("LOCK TABLE match_results IN SHARE MODE"))
            proc = subprocess.Popen(
                [sys.executable, "-m", "tests.inventory.import_worker", "match-sources", pg_url, str(start),
                 scan.scan_id],
                cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            wait_until_blocked_on(engine, "match_results", proc, "the matcher reaching its DELETE")
            imported = threading.Thread(target=importer.import_registry, args=(renewal,))
            imported.start()
            imported.join(timeout=3)  # the old code committed here, behind the matcher's back
            locker.rollback()
        imported.join(timeout=60)
        out, err = proc.communicate(timeout=60)
    finally:
        importer.close()
        engine.dispose()
    assert proc.returncode == 0, err[-3000:]
    result = json.loads(out.splitlines()[-1])
    assert set(result["matched"]) <= set(result["sources"])
    assert ("renewal.csv" in result["sources"]) == ("renewal.csv" in result["matched"]), result
