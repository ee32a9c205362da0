"""ScanResult <-> JSON. The scan file format is the hand-over between an
installer's laptop and an auditor's database, so it is versioned and strict
about what it reads back.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from .model import (
    Device,
    FieldEvidence,
    Fingerprints,
    HostInventory,
    ScanResult,
    ScanScope,
    SuspectedRelabel,
)

SCAN_FORMAT_VERSION = 1


class ScanFileError(ValueError):
    """A scan file that cannot be read back; the message says which key."""


def scan_to_dict(scan: ScanResult) -> dict[str, Any]:
    data = asdict(scan)
    data["format_version"] = SCAN_FORMAT_VERSION
    data["started_at"] = scan.started_at.isoformat()
    data["finished_at"] = scan.finished_at.isoformat() if scan.finished_at else None
    return data


def scan_to_json(scan: ScanResult) -> str:
    return json.dumps(scan_to_dict(scan), ensure_ascii=False, indent=2, sort_keys=True)


def write_scan_json(scan: ScanResult, path: Path) -> None:
    """Write atomically: a reader (or a crash) never sees half a file.

    The text is exactly `scan_to_json(scan)`, written one device at a time: building it whole
    (asdict of every device, then one string) peaked at ~320 MB for 10,000 devices.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            _write_streaming(scan, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_DEVICES_PLACEHOLDER = "\x00streamed-devices\x00"  # only ever in the head dict, never in data


def _write_streaming(scan: ScanResult, out) -> None:
    if not scan.devices:
        out.write(scan_to_json(scan))
        return
    head = scan_to_dict(replace(scan, devices=()))
    head["devices"] = _DEVICES_PLACEHOLDER
    text = json.dumps(head, ensure_ascii=False, indent=2, sort_keys=True)
    before, after = text.split('"devices": ' + json.dumps(_DEVICES_PLACEHOLDER))
    out.write(before + '"devices": [\n')
    for index, device in enumerate(scan.devices):
        item = json.dumps(asdict(device), ensure_ascii=False, indent=2, sort_keys=True)
        out.write("    " + item.replace("\n", "\n    ") + (",\n" if index + 1 < len(scan.devices) else "\n"))
    out.write("  ]" + after)


def _tuple(value: Any) -> tuple:
    return tuple(value or ())


def _device_from_dict(d: dict[str, Any]) -> Device:
    relabel = d.get("suspected_relabel")
    return Device(
        address=d["address"],
        port=int(d["port"]),
        status=d["status"],
        status_reason=d.get("status_reason") or "",
        xaddrs=_tuple(d.get("xaddrs")),
        endpoint_reference=d.get("endpoint_reference"),
        manufacturer=d.get("manufacturer"),
        model=d.get("model"),
        firmware=d.get("firmware"),
        serial=d.get("serial"),
        hardware_id=d.get("hardware_id"),
        mac=d.get("mac"),
        hostname=d.get("hostname"),
        scopes=_tuple(d.get("scopes")),
        services=_tuple(d.get("services")),
        role=d.get("role") or "unknown",
        role_reason=d.get("role_reason") or "",
        clock_skew_s=d.get("clock_skew_s"),
        video_sources=d.get("video_sources"),
        profiles=d.get("profiles"),
        recordings=d.get("recordings"),
        fingerprints=Fingerprints(**(d.get("fingerprints") or {})),
        suspected_relabel=(
            SuspectedRelabel(
                claimed=relabel["claimed"],
                likely_maker=relabel.get("likely_maker", ""),
                evidence=_tuple(relabel.get("evidence")),
            )
            if relabel
            else None
        ),
        evidence=tuple(FieldEvidence(**e) for e in d.get("evidence") or ()),
    )


def scan_from_dict(data: dict[str, Any]) -> ScanResult:
    try:
        version = data.get("format_version", SCAN_FORMAT_VERSION)
        if version > SCAN_FORMAT_VERSION:
            raise ScanFileError(
                f"scan file format {version} is newer than this agent understands ({SCAN_FORMAT_VERSION})"
            )
        scope = data.get("scope") or {}
        host = data.get("host")
        return ScanResult(
            scan_id=data["scan_id"],
            site=data["site"],
            started_at=datetime.fromisoformat(data["started_at"]),
            finished_at=datetime.fromisoformat(data["finished_at"]) if data.get("finished_at") else None,
            agent_version=data["agent_version"],
            scope=ScanScope(
                interfaces=_tuple(scope.get("interfaces")),
                targets=_tuple(scope.get("targets")),
                multicast=bool(scope.get("multicast", True)),
                allow_public=bool(scope.get("allow_public", False)),
            ),
            host=HostInventory(**host) if host else None,
            devices=tuple(_device_from_dict(d) for d in data.get("devices") or ()),
            complete=bool(data.get("complete", True)),
            interrupted_reason=data.get("interrupted_reason"),
        )
    except KeyError as exc:
        raise ScanFileError(f"scan file is missing the key {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ScanFileError):
            raise
        raise ScanFileError(f"scan file has a bad value: {exc}") from None


def read_scan_json(path: Path) -> ScanResult:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ScanFileError(f"{path}: not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ScanFileError(f"{path}: expected a JSON object")
    return scan_from_dict(data)
