"""Real reports for the bundle tests: the reports engineer's assessment on a hand-built MatchedScan.

The demo site's Korean-made devices get a domestic-origin registry match (so the report has covered
parts and a real verdict); foreign ones none. The JSON and its signature come from reports.model and
reports.integrity, exactly as `audit` writes them.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from inventory.model import Match, MatchedDevice, MatchedScan, RegistryEntry, RegistrySource
from scanner.model import ScanResult
from scanner.vendors import load_vendor_catalog

POLICY = "kr-sme-parts-localization-2024"
SOURCE = RegistrySource("sample", "sample-registry.csv", "5a" * 32, datetime(2026, 11, 1, 8, 0, tzinfo=UTC))
DOMESTIC = {"hanwha", "idis", "truen", "cpro", "innodep"}


def _entry(n: int, maker: str, model: str | None) -> RegistryEntry:
    return RegistryEntry(
        id=n,
        manufacturer=maker,
        business_no="1234567890",
        model=model,
        model_pattern=None,
        firmware=None,
        item_name="영상감시장치",
        item_no="4617162201",
        part=None,
        certificate_type="domestic_origin",
        certificate_no=f"ORIGIN-{n:04d}",
        valid_from=date(2024, 1, 1),
        valid_to=date(2029, 12, 31),
        source=SOURCE,
        source_row=n + 1,
    )


def matched_scan(scan: ScanResult) -> MatchedScan:
    catalog = load_vendor_catalog()
    devices = []
    for n, device in enumerate(scan.devices):
        family = catalog.family_of_name(device.manufacturer)
        matches: tuple[Match, ...] = ()
        if family and family.id in DOMESTIC:
            matches = (
                Match(
                    _entry(n, device.manufacturer or "", device.model),
                    "exact",
                    "maker and model equal",
                    "valid",
                ),
            )
        key = (
            f"serial:{family.id if family else device.manufacturer}:{device.serial}"
            if device.serial
            else f"addr:{device.address}:{device.port}"
        )
        devices.append(MatchedDevice(device=device, device_key=key, matches=matches))
    return MatchedScan(
        scan=scan,
        devices=tuple(devices),
        declared=(),
        registry_sources=(SOURCE,),
        matched_at=scan.finished_at or scan.started_at,
    )


def make_report(scan: ScanResult, signing_key: Path | None = None) -> tuple[bytes, bytes | None]:
    """(report JSON bytes, .sig content or None) for a scan, through reports.assessment and reports.integrity."""
    from reports import integrity
    from reports.assessment import assess
    from reports.model import report_to_dict
    from reports.policy import load_policy

    report = assess(matched_scan(scan), load_policy(POLICY), generated_at=scan.finished_at)
    doc = report_to_dict(report)
    data = json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")
    return data, integrity.sign(doc, signing_key) if signing_key else None
