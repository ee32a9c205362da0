"""Synthetic but schema-shaped report JSON documents for many sites (rollup tests and the benchmark).

The documents follow the report JSON keys of issue 6 (reports/schema/report.schema.json); a test
validates a sample against the shipped schema when it exists. Everything is deterministic from the
site index, so the expected rollup figures can be computed by hand in the tests.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from scanner.model import Device, HostInventory, ScanResult, ScanScope

# (maker, model, role, part, domestic?) — the makers of the demo site.
CATALOGUE = [
    ("Hanwha Vision", "XNO-6080R", "camera", "camera", True),
    ("IDIS Co., Ltd.", "DC-D4236RX", "camera", "camera", True),
    ("TRUEN", "TN-P4220CSL", "camera", "camera", True),
    ("HIKVISION", "DS-2CD2143G2-I", "camera", "camera", False),
    ("Dahua", "IPC-HFW2431S-S-S2", "camera", "camera", False),
    ("Hanwha Techwin", "XRN-1610", "nvr", "recorder_analytics", True),
    ("Innodep", "VURIX-AI-8", "analytics", "recorder_analytics", True),
    ("HIKVISION", "DS-7608NI-K2", "nvr", "recorder_analytics", False),
]
HOST = ("LENOVO", "ThinkPad X1", "operator_terminal", "terminal_server", False)

SCAN_DATE = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
AS_OF = date(2026, 11, 25)


def site_name(index: int) -> str:
    return f"현장-{index:04d}"


def _device(
    site: int, n: int, spec: tuple, *, covered: bool, relabel: bool, valid_to: date
) -> dict[str, Any]:
    maker, model, role, part, _ = spec
    address = f"10.{site // 250}.{site % 250}.{n + 1}"
    match = None
    if covered:
        match = {
            "level": "exact",
            "entry": {"manufacturer": maker, "model": model, "source": "sample-registry.csv", "row": n + 2},
            "certificate_type": "domestic_origin",
            "certificate_no": f"KR-ORIGIN-{site:04d}-{n:03d}",
            "valid_from": "2024-01-01",
            "valid_to": valid_to.isoformat(),
            "valid_at_scan": True,
        }
    return {
        "address": address,
        "mac": f"02:00:{site // 256:02x}:{site % 256:02x}:00:{n % 256:02x}",
        "manufacturer": "한빛비전" if relabel else maker,
        "model": "HB-IP4231" if relabel else model,
        "firmware": "2.800.0000021.0.R" if relabel else "1.0.0",
        "serial": f"S{site:04d}{n:04d}",
        "role": role,
        "part": part,
        "status": "ok",
        "match": match,
        "other_certificates": [],
        "fingerprints": {"oui_vendor": "Zhejiang Dahua Technology"} if relabel else {},
        "suspected_relabel": (
            {
                "claimed": "한빛비전",
                "likely_maker": "Dahua",
                "evidence": ["MAC OUI: Zhejiang Dahua Technology"],
            }
            if relabel
            else None
        ),
    }


def site_scan(index: int, devices: int = 25) -> ScanResult:
    """The scan that `site_report(index, devices)` reports on (same scan id, site, devices)."""
    doc = site_report(index, devices)
    started = datetime.fromisoformat(doc["scan"]["started_at"])
    return ScanResult(
        scan_id=doc["scan"]["id"],
        site=doc["site"],
        started_at=started,
        finished_at=datetime.fromisoformat(doc["scan"]["finished_at"]),
        agent_version=doc["agent_version"],
        scope=ScanScope(interfaces=("eth0",)),
        host=HostInventory(hostname=f"agent-{index}", manufacturer=HOST[0], model=HOST[1]),
        devices=tuple(
            Device(
                address=d["address"],
                port=80,
                status="ok",
                manufacturer=d["manufacturer"],
                model=d["model"],
                firmware=d["firmware"],
                serial=d["serial"],
                mac=d["mac"],
                role=d["role"],
            )
            for d in doc["devices"]
            if d["role"] != "operator_terminal"  # the host is in `host`, the report lists it as a device
        ),
    )


def site_report(index: int, devices: int = 25) -> dict[str, Any]:
    """Site `index`'s report. Rules (so tests can compute the figures):
    - every 3rd site (index % 3 == 0) has only domestic, covered devices -> camera and recorder parts
      `localized` (camera `partly_covered` when it also has a relabel), target_met;
    - other sites mix foreign cameras and recorders in -> both `partly_covered`, target_not_met;
    - the agent host (terminal_server) is never covered -> `not_localized` everywhere;
    - every 5th site has one suspected relabel (device 0);
    - every 7th site has one certificate expiring 30 days after AS_OF (device 1); others 2029-12-31.
    """
    domestic_only = index % 3 == 0
    pool = [s for s in CATALOGUE if s[4]] if domestic_only else CATALOGUE
    devs = []
    for n in range(devices - 1):
        spec = pool[n % len(pool)]
        relabel = index % 5 == 0 and n == 0
        expiring = index % 7 == 0 and n == 1
        valid_to = AS_OF + timedelta(days=30) if expiring else date(2029, 12, 31)
        devs.append(
            _device(index, n, spec, covered=spec[4] and not relabel, relabel=relabel, valid_to=valid_to)
        )
    devs.append(_device(index, devices - 1, HOST, covered=False, relabel=False, valid_to=date(2029, 12, 31)))

    parts = []
    for part in ("camera", "recorder_analytics", "terminal_server"):
        members = [d for d in devs if d["part"] == part]
        covered = sum(1 for d in members if d["match"])
        share = covered / len(members) if members else 0.0
        status = (
            "no_devices"
            if not members
            else "localized"
            if covered == len(members)
            else "partly_covered"
            if covered
            else "not_localized"
        )
        parts.append(
            {"part": part, "devices": len(members), "covered": covered, "share": share, "status": status}
        )
    localized = sum(1 for p in parts if p["status"] == "localized")
    findings = [
        {
            "kind": "unmatched",
            "severity": "warning",
            "device": d["address"],
            "message": "no registry entry",
            "evidence": [],
        }
        for d in devs
        if not d["match"]
    ]
    findings += [
        {
            "kind": "suspected_relabel",
            "severity": "high",
            "device": d["address"],
            "message": "claimed brand differs from fingerprints",
            "evidence": d["suspected_relabel"]["evidence"],
        }
        for d in devs
        if d["suspected_relabel"]
    ]
    started = SCAN_DATE + timedelta(minutes=index)
    doc = {
        "schema_version": 1,
        "site": site_name(index),
        "scan": {
            "id": str(uuid.UUID(int=index + 1)),
            "started_at": started.isoformat(),
            "finished_at": (started + timedelta(minutes=3)).isoformat(),
            "scope": {"interfaces": ["eth0"], "targets": [], "multicast": True, "allow_public": False},
            "complete": True,
        },
        "agent_version": "0.1.0",
        "policy": {"id": "kr-sme-parts-localization-2024", "period": ["2024-03-01", "2024-12-31"]},
        "verdict": "target_met" if localized >= 1 else "target_not_met",  # see site_verdict()
        "parts": parts,
        "devices": devs,
        "findings": findings,
        "method": {"matching": "exact/alias/pattern/maker"},
    }
    doc["evidence_sha256"] = hashlib.sha256(
        json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()
    return doc
