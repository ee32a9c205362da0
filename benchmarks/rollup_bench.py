"""Rollup speed: N sites x M devices imported through the store, then `rollup` over all of them.

    tools/isolated .venv/bin/python -m benchmarks.rollup_bench            # 500 x 200 on PostgreSQL
    tools/isolated .venv/bin/python -m benchmarks.rollup_bench --sites 50 --devices 50 --db sqlite:///tmp/b.db

Report documents are synthetic but have the shape of the report JSON schema (tests/auditor/reportgen.py;
a sample is validated against reports/schema/report.schema.json when it exists). Each site's scan is
saved with `Store.save_scan` and its report with `Store.save_report`, exactly as `import-bundle` does.
The figure that counts (issue 8: <= 5 s on PostgreSQL) is the rollup: reading each site's latest report
from the database, building the rollup, and rendering HTML, XLSX and JSON.

On PostgreSQL the run uses a fresh schema (dropped afterwards unless --keep), so it never touches
anyone's data. Run it through tools/isolated like everything else.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
import uuid
from urllib.parse import quote

DEFAULT_PG = "postgresql+psycopg://root@/test?host=/var/run/postgresql"


def _fresh_pg_schema(base_url: str) -> tuple[str, str]:
    import sqlalchemy as sa

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(base_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'create schema "{schema}"'))
    engine.dispose()
    sep = "&" if "?" in base_url else "?"
    return schema, f"{base_url}{sep}options={quote(f'-csearch_path={schema}')}"


def _drop_pg_schema(base_url: str, schema: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(base_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'drop schema "{schema}" cascade'))
    engine.dispose()


def _validate_sample(doc: dict) -> str:
    from pathlib import Path

    schema_path = Path(__file__).resolve().parents[1] / "reports" / "schema" / "report.schema.json"
    if not schema_path.exists():
        return "schema not found; sample not validated"
    import jsonschema

    jsonschema.validate(doc, json.loads(schema_path.read_text(encoding="utf-8")))
    return "sample validated against reports/schema/report.schema.json"


def run(url: str, sites: int, devices: int) -> dict[str, float]:
    from inventory.queries import latest_reports, prepare_database
    from inventory.store import Store
    from reports.rollup import FORMATS, build_rollup
    from tests.auditor.reportgen import AS_OF, site_report, site_scan

    print(_validate_sample(site_report(0, devices)))
    prepare_database(url)
    figures: dict[str, float] = {}
    with Store.open(url) as store:
        t0 = time.perf_counter()
        generate = store_time = 0.0
        for index in range(sites):
            g0 = time.perf_counter()
            scan = site_scan(index, devices)
            doc = site_report(index, devices)
            text = json.dumps(doc, ensure_ascii=False)
            s0 = time.perf_counter()
            generate += s0 - g0
            store.save_scan(scan)
            store.save_report(
                scan.scan_id,
                policy_id=doc["policy"]["id"],
                verdict=doc["verdict"],
                sha256=doc["evidence_sha256"],
                report_json=text,
            )
            store_time += time.perf_counter() - s0
            if (index + 1) % 50 == 0:
                print(f"  imported {index + 1}/{sites} sites ({time.perf_counter() - t0:.1f} s)", flush=True)
        figures["generate_s"] = generate
        figures["import_s"] = store_time

    # A fresh store, as a separate `rollup` process would open it.
    with Store.open(url) as store:
        t1 = time.perf_counter()
        docs = latest_reports(store)  # as `cctv-inventory rollup` reads them
        figures["read_s"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    rollup = build_rollup(docs, as_of=AS_OF)
    del docs  # as in `cctv-inventory rollup`: only the rollup stays alive while rendering
    figures["build_s"] = time.perf_counter() - t2
    for name, fmt in FORMATS.items():
        t3 = time.perf_counter()
        fmt.render(rollup, io.BytesIO(), "ko")
        figures[f"render_{name}_s"] = time.perf_counter() - t3
    figures["rollup_total_s"] = time.perf_counter() - t1
    assert rollup.site_count == sites, (rollup.site_count, sites)
    assert rollup.device_count == sites * devices, rollup.device_count
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--db", default=DEFAULT_PG, help="database URL (PostgreSQL gets a fresh schema)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema afterwards")
    args = parser.parse_args(argv)

    schema = None
    url = args.db
    if url.startswith("postgresql"):
        schema, url = _fresh_pg_schema(args.db)
    try:
        figures = run(url, args.sites, args.devices)
    finally:
        if schema and not args.keep:
            _drop_pg_schema(args.db, schema)
    backend = "PostgreSQL" if schema else url.split(":", 1)[0]
    print(f"\nrollup benchmark: {args.sites} sites x {args.devices} devices on {backend}")
    for name, value in figures.items():
        print(f"  {name:<18} {value:8.2f}")
    limit = 5.0
    verdict = "OK" if figures["rollup_total_s"] <= limit else "TOO SLOW"
    print(
        f"rollup (read + build + render html/xlsx/json): {figures['rollup_total_s']:.2f} s (<= {limit} s: {verdict})"
    )
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
