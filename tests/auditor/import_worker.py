"""A separate importer process for the concurrency test: waits for a start signal, imports its bundles.

python -m tests.auditor.import_worker DB_URL START_FILE BUNDLE...
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from cctv_inventory.bundle import import_bundle
from inventory.store import Store


def main(argv: list[str]) -> int:
    url, start, *bundles = argv
    deadline = time.monotonic() + 60
    with Store.open(url) as store:
        store.scans()  # connect and check the schema before the start signal, so both start together
        while not Path(start).exists():
            if time.monotonic() > deadline:
                print("start signal never came", file=sys.stderr)
                return 2
            time.sleep(0.005)
        for bundle in bundles:
            outcome = import_bundle(Path(bundle), store)
            print(outcome.scan_id, outcome.scan_created, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
