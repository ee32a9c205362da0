"""Generated multi-site data: a scan per site and its report, made by the real assessment (rollup tests
and benchmarks/rollup_bench.py).

Each site's report is `reports.assessment.assess` on a hand-built MatchedScan under the 2024 policy,
turned into JSON by `reports.model.report_to_dict`, so the documents are exactly what `audit` stores
(schema-valid by construction). Everything is deterministic from the site index, so the tests can
compute the expected rollup figures by hand (see `site_scan`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from inventory.model import Match, MatchedDevice, MatchedScan, RegistryEntry, RegistrySource
from scanner.model import Device, Fingerprints, HostInventory, ScanResult, ScanScope, SuspectedRelabel

# (maker, model, role, domestic?) — makers of the demo site.
CATALOGUE = [
    ("Hanwha Vision", "XNO-6080R", "camera", True),
    ("IDIS Co., Ltd.", "DC-D4236RX", "camera", True),
    ("TRUEN", "TN-P4220CSL", "camera", True),
    ("HIKVISION", "DS-2CD2143G2-I", "camera", False),
    ("Dahua", "IPC-HFW2431S-S-S2", "camera", False),
    ("Hanwha Techwin", "XRN-1610", "nvr", True),
    ("Innodep", "VURIX-AI-8", "analytics", True),
    ("HIKVISION", "DS-7608NI-K2", "nvr", False),
]
DOMESTIC_ONLY = [spec for spec in CATALOGUE if spec[3]]
HOST = ("LENOVO", "ThinkPad X1")
POLICY = "kr-sme-parts-localization-2024"

SCAN_DATE = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
AS_OF = date(2026, 11, 25)
SOURCE = RegistrySource("sample", "sample-registry.csv", "5a" * 32, datetime(2026, 11, 1, tzinfo=UTC))


def site_name(index: int) -> str:
    return f"현장-{index:04d}"


def site_scan(index: int, devices: int = 25) -> ScanResult:
    """Site `index` with `devices` devices (the agent host, an operator terminal, is one of them).

    Rules, so the tests can compute the figures:
    - every 3rd site (index % 3 == 0) has only domestic, certified devices: camera and recorder parts
      `localized` (camera `partly_covered` when the site also has a relabel), verdict target_met;
    - the other sites mix foreign cameras and recorders in: both parts `partly_covered`, target_not_met;
    - the agent host (terminal_server) is never certified: `not_localized` everywhere;
    - every 5th site (index % 5 == 0): device 0 is a 한빛비전 HB-IP4231 whose fingerprints say Dahua;
    - every 7th site (index % 7 == 0): device 1's certificate expires 30 days after AS_OF.
    """
    pool = DOMESTIC_ONLY if index % 3 == 0 else CATALOGUE
    out = []
    for n in range(devices - 1):
        maker, model, role, _ = pool[n % len(pool)]
        relabel = None
        fingerprints = Fingerprints()
        if index % 5 == 0 and n == 0:
            maker, model, role = "한빛비전", "HB-IP4231", "camera"
            fingerprints = Fingerprints(oui_vendor="Zhejiang Dahua Technology", http_server="DahuaHttp")
            relabel = SuspectedRelabel("한빛비전", "Dahua", ("MAC OUI: Zhejiang Dahua Technology",))
        out.append(
            Device(
                address=f"10.{index // 250}.{index % 250}.{n + 1}",
                port=80,
                status="ok",
                manufacturer=maker,
                model=model,
                firmware="2.800.0000021.0.R" if relabel else "1.0.0",
                serial=f"S{index:04d}{n:04d}",
                mac=f"02:00:{index // 256:02x}:{index % 256:02x}:{n // 256:02x}:{n % 256:02x}",
                role=role,  # type: ignore[arg-type]
                fingerprints=fingerprints,
                suspected_relabel=relabel,
            )
        )
    started = SCAN_DATE + timedelta(minutes=index)
    return ScanResult(
        scan_id=str(uuid.UUID(int=index + 1)),
        site=site_name(index),
        started_at=started,
        finished_at=started + timedelta(minutes=3),
        agent_version="0.1.0",
        scope=ScanScope(interfaces=("eth0",)),
        host=HostInventory(hostname=f"agent-{index}", manufacturer=HOST[0], model=HOST[1]),
        devices=tuple(out),
    )


@lru_cache(maxsize=1)
def _entry_template() -> RegistryEntry:
    return RegistryEntry(
        id=0,
        manufacturer="",
        business_no="1234567890",
        model=None,
        model_pattern=None,
        firmware=None,
        item_name="영상감시장치",
        item_no="4617162201",
        part=None,
        certificate_type="domestic_origin",
        certificate_no="",
        valid_from=date(2024, 1, 1),
        valid_to=date(2029, 12, 31),
        source=SOURCE,
        source_row=0,
    )


def matched_site(scan: ScanResult, index: int) -> MatchedScan:
    """What the inventory would hand over: domestic makers (and the relabelled brand) certified."""
    from dataclasses import replace

    domestic = {spec[0] for spec in CATALOGUE if spec[3]} | {"한빛비전"}
    devices = []
    for n, device in enumerate(scan.devices):
        matches: tuple[Match, ...] = ()
        if device.manufacturer in domestic:
            valid_to = AS_OF + timedelta(days=30) if index % 7 == 0 and n == 1 else date(2029, 12, 31)
            entry = replace(
                _entry_template(),
                id=n + 1,
                manufacturer=device.manufacturer or "",
                model=device.model,
                certificate_no=f"KR-ORIGIN-{index:04d}-{n:03d}",
                valid_to=valid_to,
                source_row=n + 2,
            )
            matches = (Match(entry, "exact", "maker and model equal", "valid"),)
        devices.append(MatchedDevice(device, f"serial:{device.manufacturer}:{device.serial}", matches))
    host = scan.host
    if host is not None:
        host_device = Device(
            address="127.0.0.1",
            port=0,
            status="ok",
            manufacturer=host.manufacturer,
            model=host.model,
            hostname=host.hostname,
            role="operator_terminal",
        )
        devices.append(MatchedDevice(host_device, f"host:{host.hostname}", ()))
    return MatchedScan(scan, tuple(devices), (), (SOURCE,), scan.finished_at or scan.started_at)


def site_report(index: int, devices: int = 25) -> dict[str, Any]:
    """Site `index`'s report document, as `audit` would store it."""
    from reports.assessment import assess
    from reports.model import report_to_dict
    from reports.policy import load_policy

    scan = site_scan(index, devices)
    return report_to_dict(
        assess(matched_site(scan, index), load_policy(POLICY), generated_at=scan.finished_at)
    )
