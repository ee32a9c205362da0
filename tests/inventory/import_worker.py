"""A separate writer process for the concurrency tests: waits for a start signal, then imports.

python -m tests.inventory.import_worker registry DB_URL START_FILE FILE
python -m tests.inventory.import_worker declared DB_URL START_FILE FILE SITE
python -m tests.inventory.import_worker match DB_URL START_FILE SCAN_ID
python -m tests.inventory.import_worker match-sources DB_URL START_FILE SCAN_ID
python -m tests.inventory.import_worker scan DB_URL START_FILE SCAN_FILE
python -m tests.inventory.import_worker bundles DB_URL START_FILE BUNDLE...
python -m tests.inventory.import_worker rename DB_URL START_FILE OLD NEW

Prints `ready` once connected, then the import's summary as JSON (or the number of match results stored).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from inventory.store import Store


def main(argv: list[str]) -> int:
    kind, url, start, *args = argv
    deadline = time.monotonic() + 60
    with Store.open(url) as store:
        store.scans()  # connect and check the schema before the start signal, so all start together
        print("ready", flush=True)
        while not Path(start).exists():
            if time.monotonic() > deadline:
                print("start signal never came", file=sys.stderr)
                return 2
            time.sleep(0.002)
        if kind == "registry":
            print(json.dumps(store.import_registry(Path(args[0])).to_dict()), flush=True)
        elif kind == "declared":
            print(json.dumps(store.import_declared(Path(args[0]), args[1]).to_dict()), flush=True)
        elif kind == "scan":
            from scanner.serialize import scan_from_dict

            scan = scan_from_dict(json.loads(Path(args[0]).read_text(encoding="utf-8")))
            print(json.dumps({"created": store.save_scan(scan).created}), flush=True)
        elif kind == "bundles":
            from cctv_inventory.bundle import import_bundle

            for bundle in args:
                print(json.dumps(import_bundle(Path(bundle), store).to_dict()), flush=True)
        elif kind == "rename":
            print(json.dumps(store.rename_site(args[0], args[1]).to_dict()), flush=True)
        elif kind == "match-sources":  # the registry files the matching names, and those its matches came from
            matched = store.matched_scan(args[0])
            print(json.dumps({"sources": [s.file_name for s in matched.registry_sources],
                              "matched": sorted({m.entry.source.file_name for d in matched.devices
                                                 for m in d.matches})}), flush=True)
        elif kind == "match":
            matched = store.matched_scan(args[0])
            print(sum(len(d.matches) for d in matched.devices), flush=True)
        else:
            print(f"unknown kind {kind!r}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
