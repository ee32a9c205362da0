"""Matching speed (issue 5): 10,000 devices against a 100,000-entry registry in <= 1 s of CPU after loading.

    tools/isolated .venv/bin/python -m benchmarks.match_bench                       # SQLite and PostgreSQL
    tools/isolated .venv/bin/python -m benchmarks.match_bench --db sqlite:////tmp/m.db --entries 20000

The registry is written as a CSV (Korean headers, as agencies get it) and imported through
`Store.import_registry`; the entries are then loaded from the database ("loading", timed apart), and
`Matcher(entries, catalog).match_all(devices, date)` is timed in CPU seconds (time.process_time): the
index build and the matching together. Every device has its own firmware, so the batch's cache of
repeated (maker, model, firmware, role) tuples never helps: the figure is the uncached worst case.
A naive baseline (every device against every entry, normalizing as it goes) runs on a few devices and
is extrapolated (3 devices).

Registry mix: 1,000 makers (a tenth under a second spelling of the same vendor family, for alias
hits) x 100 entries: models, 5 % patterns, 1 % maker-level rows, 10 % with firmware. Devices: 60 %
registered models, 10 % fit a pattern, 10 % of maker-level makers, 20 % unknown.

On PostgreSQL the run uses a fresh schema, dropped afterwards.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from urllib.parse import quote

DEFAULT_PG = "postgresql+psycopg://root@/test?host=/var/run/postgresql"
AT = date(2026, 11, 20)


def _brn(seed: int) -> str:
    digits = f"{100000000 + seed % 800000000:09d}"
    weights = (1, 3, 7, 1, 3, 7, 1, 3, 5)
    total = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) + int(digits[8]) * 5 // 10
    return digits + str((10 - total % 10) % 10)


def write_registry(path: Path, entries: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """The registry CSV; returns (maker, model, kind) samples for building devices."""
    makers = max(entries // 100, 1)
    per_maker = entries // makers
    samples = []
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        w = csv.writer(out)
        w.writerow(
            [
                "업체명",
                "사업자등록번호",
                "모델명",
                "펌웨어",
                "세부품명번호",
                "부품구분",
                "인증구분",
                "인증번호",
                "유효기간",
            ]
        )
        n = 0
        for m in range(makers):
            maker = f"가상제조{m:04d}"
            written_as = f"㈜{maker}" if m % 10 == 0 else maker
            for k in range(per_maker):
                n += 1
                kind = "model"
                model, firmware = f"BX{m:04d}-{k:03d}R", ""
                if k % 100 == 0:
                    kind, model = "maker", ""
                elif k % 20 == 0:
                    kind, model = "pattern", f"PT{m:04d}-{k:03d}*"
                elif k % 10 == 0:
                    firmware = f"1.{k}.*"
                w.writerow(
                    [
                        written_as,
                        _brn(m),
                        model,
                        firmware,
                        "4617162201",
                        "카메라",
                        rng.choice(["원산지증명서", "GS", "우수조달", "혁신제품", "CCTV 보안인증"]),
                        f"B-{n:07d}",
                        "20240101 ~ 20291231",
                    ]
                )
                samples.append((maker, model, kind))
    return samples


def make_devices(samples, count: int, rng: random.Random):
    from scanner.model import Device

    models = [s for s in samples if s[2] == "model"]
    patterns = [s for s in samples if s[2] == "pattern"]
    makers = [s for s in samples if s[2] == "maker"]
    devices = []
    for i in range(count):
        roll = rng.random()
        if roll < 0.6:
            maker, model, _ = rng.choice(models)
        elif roll < 0.7:
            maker, pattern, _ = rng.choice(patterns)
            model = pattern.rstrip("*") + rng.choice(["", "H", "-IR"])
        elif roll < 0.8:
            maker, model = rng.choice(makers)[0], f"ZZ-{i}"
        else:
            maker, model = f"Unknown Maker {i % 500}", f"UK-{i}"
        devices.append(
            Device(
                address=f"127.20.{i // 250}.{i % 250}",
                port=80,
                status="ok",
                manufacturer=maker,
                model=model,
                firmware=f"1.{i % 97}.{i}",
                role="camera",
            )
        )
    return devices


def naive_match(entries, device, catalog):
    """The obvious loop: normalize both sides for every pair."""
    from inventory.normalize import compile_pattern, model_key
    from scanner.vendors import normalize_maker

    out = []
    for e in entries:
        same = normalize_maker(e.manufacturer) == normalize_maker(device.manufacturer) or (
            catalog.family_of_name(e.manufacturer) is not None
            and catalog.family_of_name(e.manufacturer) == catalog.family_of_name(device.manufacturer)
        )
        if not same:
            continue
        fits = (
            (e.model_pattern and compile_pattern(e.model_pattern).match(model_key(device.model)))
            or (e.model and model_key(e.model) == model_key(device.model))
            or (e.model is None and e.model_pattern is None)
        )
        if fits:
            out.append(e)
    return out


def run_one(url: str, entries: int, devices_n: int, seed: int) -> dict[str, float]:
    from inventory import db
    from inventory.matching import Matcher
    from inventory.registry_store import load_entries
    from inventory.store import Store

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        registry = Path(tmp) / "bench-registry.csv"
        samples = write_registry(registry, entries, rng)
        db.upgrade(url)
        with Store.open(url) as store:
            t0 = time.perf_counter()
            summary = store.import_registry(registry, source="bench")
            import_s = time.perf_counter() - t0
            assert not summary.errors, summary.errors[:3]
            devices = make_devices(samples, devices_n, rng)
            t0 = time.perf_counter()
            with store.engine.connect() as conn:
                loaded = load_entries(conn)
            load_s = time.perf_counter() - t0
            c0 = time.process_time()
            matcher = Matcher(loaded, store.catalog)
            c1 = time.process_time()
            results = matcher.match_all(devices, AT)
            c2 = time.process_time()
            sample = devices[:3]
            n0 = time.process_time()
            for d in sample:
                naive_match(loaded, d, store.catalog)
            naive_s = (time.process_time() - n0) / len(sample) * devices_n
    matched = sum(1 for r in results if any(m.level != "candidate" for m in r))
    return {
        "entries": len(loaded),
        "devices": devices_n,
        "matched_devices": matched,
        "import_s": import_s,
        "load_s": load_s,
        "index_cpu_s": c1 - c0,
        "match_cpu_s": c2 - c1,
        "total_cpu_s": c2 - c0,
        "naive_cpu_s_extrapolated": naive_s,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", action="append", help="database URL (repeatable); default: a temp SQLite file and PostgreSQL"
    )
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    import sqlalchemy as sa

    targets = args.db or []
    cleanup = []
    if not targets:
        tmpdir = tempfile.mkdtemp(prefix="match-bench-")
        targets.append(f"sqlite:///{tmpdir}/bench.db")
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        engine = sa.create_engine(DEFAULT_PG)
        with engine.begin() as conn:
            conn.execute(sa.text(f'create schema "{schema}"'))
        engine.dispose()
        cleanup.append(schema)
        targets.append(f"{DEFAULT_PG}&options={quote(f'-csearch_path={schema}')}")
    ok = True
    try:
        for url in targets:
            result = run_one(url, args.entries, args.devices, args.seed)
            name = sa.engine.make_url(url).get_backend_name()
            verdict = "OK" if result["total_cpu_s"] <= 1.0 else "OVER BUDGET"
            ok &= verdict == "OK"
            print(
                f"{name:10s} {result['devices']:,} devices x {result['entries']:,} entries: "
                f"match_all {result['total_cpu_s']:.3f} s CPU (index {result['index_cpu_s']:.3f} + match "
                f"{result['match_cpu_s']:.3f}) [{verdict}, budget 1 s]; {result['matched_devices']:,} devices matched; "
                f"loading {result['load_s']:.2f} s; import {result['import_s']:.1f} s; "
                f"naive baseline ~{result['naive_cpu_s_extrapolated']:,.0f} s CPU (extrapolated from 3 devices)"
            )
            sys.stdout.flush()
    finally:
        for schema in cleanup:
            engine = sa.create_engine(DEFAULT_PG)
            with engine.begin() as conn:
                conn.execute(sa.text(f'drop schema "{schema}" cascade'))
            engine.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
