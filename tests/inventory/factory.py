"""Scans for the inventory tests, built from config/lab/demo-site.yaml (the 25-device demo site)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from scanner.model import Device, HostInventory, ScanResult, ScanScope
from tests.conftest import CONFIG

DEMO_SITE = CONFIG / "lab" / "demo-site.yaml"
SITE_NAME = "가람구청 CCTV 통합관제센터"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def demo_devices() -> tuple[Device, ...]:
    site = yaml.safe_load(Path(DEMO_SITE).read_text(encoding="utf-8"))
    return tuple(
        Device(
            address=raw["address"],
            port=int(raw.get("port", 80)),
            status="ok",
            manufacturer=raw["manufacturer"],
            model=raw["model"],
            firmware=raw["firmware"],
            serial=raw["serial"],
            hardware_id=raw.get("hardware_id"),
            mac=raw["mac"],
            role=raw["role"],
            endpoint_reference=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, raw['address'])}",
        )
        for raw in site["devices"]
    )


def demo_scan(
    *, site: str = SITE_NAME, started_at: datetime = T0, scan_id: str | None = None, devices=None
) -> ScanResult:
    return ScanResult(
        scan_id=scan_id or str(uuid.uuid4()),
        site=site,
        started_at=started_at,
        finished_at=started_at + timedelta(minutes=2),
        agent_version="0.1.0",
        scope=ScanScope(interfaces=("lo",), targets=("127.10.0.0/24",)),
        host=HostInventory(hostname="installer-laptop", manufacturer="LENOVO", model="20XW"),
        devices=demo_devices() if devices is None else tuple(devices),
    )
