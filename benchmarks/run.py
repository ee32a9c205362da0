"""`make bench`: every benchmark, the same way every time, inside tools/isolated.

Each benchmark is its own module with its own command (README "Speed and memory" gives each one);
this runner only calls them in a fixed order with the sizes the README figures come from, each in
a fresh interpreter so one run's memory does not colour the next. Figures vary with other load on
the machine; run on a quiet machine when the numbers matter.
"""

from __future__ import annotations

import subprocess
import sys
import time

RUNS: list[tuple[str, list[str]]] = [
    ("simulator start, 5,000 devices", ["benchmarks/simulator_start.py", "5000"]),
    ("scan, 1,000 devices, with both baselines", ["-m", "benchmarks.scan_bench", "--devices", "1000"]),
    ("scan, 5,000 devices, with both baselines", ["-m", "benchmarks.scan_bench", "--devices", "5000"]),
    ("matching, 10,000 devices x 100,000 entries", ["-m", "benchmarks.match_bench"]),
    ("report rendering, 10,000 devices", ["-m", "benchmarks.report_bench", "--devices", "10000"]),
    ("rollup, 500 sites x 200 devices, PostgreSQL", ["-m", "benchmarks.rollup_bench"]),
]


def main() -> int:
    failed = 0
    for title, args in RUNS:
        print(f"\n=== {title}: python {' '.join(args)}", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, *args])
        print(f"--- exit {code} after {time.monotonic() - started:.0f} s", flush=True)
        failed += code != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
