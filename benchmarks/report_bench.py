"""Report speed and size: one site of N devices assessed under the 2024 policy and rendered in every format.

    tools/isolated .venv/bin/python -m benchmarks.report_bench                  # 2,000 devices
    tools/isolated .venv/bin/python -m benchmarks.report_bench --devices 10000

The devices are the shared hand-built site of the reports tests (tests/reports/builders.py: covered,
relabelled, unmatched, expired, unread, hostile strings) repeated under new addresses, so every
finding kind and code path is exercised at scale. No database, no network: assess + render only.
"""

from __future__ import annotations

import argparse
import io
import resource
import time
from dataclasses import replace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=2000)
    args = parser.parse_args()

    from reports.assessment import assess
    from reports.formats import FORMATS
    from reports.policy import load_policy
    from tests.reports.builders import GENERATED_AT, matched_scan, md, shared_devices

    base = shared_devices()
    devices = []
    for i in range(args.devices):
        template = base[i % len(base)]
        address = f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"
        devices.append(md(replace(template.device, address=address), *template.matches))
    matched = matched_scan(devices)
    policy = load_policy("kr-sme-parts-localization-2024")

    started = time.perf_counter()
    report = assess(matched, policy, generated_at=GENERATED_AT)
    print(f"assess   {args.devices} devices: {time.perf_counter() - started:6.2f} s, {len(report.findings)} findings")
    for name, fmt in FORMATS.items():
        out = io.BytesIO()
        started = time.perf_counter()
        fmt.render(report, out, "ko")
        print(f"render {name:5} {time.perf_counter() - started:6.2f} s, {len(out.getvalue()) / 1e6:6.2f} MB")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
