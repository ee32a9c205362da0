"""Builders for the auditor tests: scans made from the demo site fixture, and small hand-made ones."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from scanner.model import Device, Fingerprints, HostInventory, ScanResult, ScanScope, SuspectedRelabel
from tests.conftest import CONFIG

DEMO_SITE = CONFIG / "lab" / "demo-site.yaml"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def device(
    address: str,
    manufacturer: str | None = "Hanwha Vision",
    model: str | None = "XNO-6080R",
    *,
    firmware: str | None = "2.21.02",
    serial: str | None = None,
    mac: str | None = None,
    role: str = "camera",
    status: str = "ok",
    port: int = 80,
) -> Device:
    return Device(
        address=address,
        port=port,
        status=status,  # type: ignore[arg-type]
        status_reason="" if status == "ok" else f"simulated {status}",
        manufacturer=manufacturer if status == "ok" else None,
        model=model if status == "ok" else None,
        firmware=firmware if status == "ok" else None,
        serial=serial if status == "ok" else None,
        mac=mac,
        role=role,  # type: ignore[arg-type]
    )


def scan(
    devices: list[Device] | tuple[Device, ...],
    *,
    site: str = "가람구청 CCTV 통합관제센터",
    started_at: datetime = T0,
    scan_id: str | None = None,
    hostname: str = "installer-laptop",
) -> ScanResult:
    return ScanResult(
        scan_id=scan_id or str(uuid.uuid4()),
        site=site,
        started_at=started_at,
        finished_at=started_at + timedelta(minutes=2),
        agent_version="0.1.0",
        scope=ScanScope(interfaces=("lo",), targets=("127.10.0.0/24",)),
        host=HostInventory(hostname=hostname, manufacturer="LENOVO", model="20XW"),
        devices=tuple(devices),
    )


def demo_devices() -> list[Device]:
    """The 25 devices of config/lab/demo-site.yaml as a scan that read all of them would see them."""
    site = yaml.safe_load(Path(DEMO_SITE).read_text(encoding="utf-8"))
    out = []
    for raw in site["devices"]:
        relabel = None
        fingerprints = Fingerprints()
        if raw.get("relabel_of") == "dahua":
            fingerprints = Fingerprints(oui_vendor="Zhejiang Dahua Technology", http_server="DahuaHttp")
            relabel = SuspectedRelabel(
                claimed=raw["manufacturer"],
                likely_maker="Dahua",
                evidence=("MAC OUI: Zhejiang Dahua Technology", "HTTP Server: DahuaHttp"),
            )
        out.append(
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
                fingerprints=fingerprints,
                suspected_relabel=relabel,
            )
        )
    return out


def demo_scan(**kwargs) -> ScanResult:
    return scan(demo_devices(), **kwargs)


def with_device(result: ScanResult, address: str, **changes) -> ScanResult:
    """The same scan with one device's fields changed (a new scan id unless one is given)."""
    devices = tuple(replace(d, **changes) if d.address == address else d for d in result.devices)
    return replace(result, devices=devices)
