"""Hand-built MatchedScan values for the reports tests (the inventory's output, without a database).

`shared_matched_scan()` is the one site every renderer test uses: it holds every kind of device the
report must show (covered by exact/alias/pattern/maker-level entries, a relabel, unmatched, candidate
only, expired and not-yet-valid certificates, every unread status, a hostile device string).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from inventory.model import DeclaredItem, Match, MatchedDevice, MatchedScan, RegistryEntry, RegistrySource
from scanner.model import (
    Device,
    Fingerprints,
    HostCheck,
    HostInventory,
    OtherResponder,
    ScanResult,
    ScanScope,
    SuspectedRelabel,
)

SCAN_AT = datetime(2024, 6, 14, 1, 30, tzinfo=UTC)  # 10:30 KST, inside the 2024 pilot
SCAN_ID = "5f0c3a52-9a8e-4c1e-9d57-0a4e2f1b7c11"
SITE = "가람구청 CCTV 통합관제센터"
GENERATED_AT = datetime(2024, 6, 14, 2, 0, tzinfo=UTC)

SOURCE = RegistrySource(
    name="sample",
    file_name="sample-registry.csv",
    sha256="5e" * 32,
    imported_at=datetime(2024, 6, 1, tzinfo=UTC),
)
HOSTILE_MAKER = "<script>alert(1)</script>"
HOSTILE_MODEL = '=HYPERLINK("http://x")'

_next_id = iter(range(1, 10_000))


def entry(
    manufacturer: str,
    model: str | None,
    *,
    certificate_type: str = "domestic_origin",
    certificate_no: str | None = None,
    valid_from: date | None = date(2023, 1, 1),
    valid_to: date | None = date(2026, 12, 31),
    part: str | None = None,
    pattern: str | None = None,
) -> RegistryEntry:
    entry_id = next(_next_id)
    return RegistryEntry(
        id=entry_id,
        manufacturer=manufacturer,
        business_no="1234567890",
        model=model,
        model_pattern=pattern,
        firmware=None,
        item_name="영상감시장치",
        item_no="4617162201",
        part=part,  # type: ignore[arg-type]
        certificate_type=certificate_type,  # type: ignore[arg-type]
        certificate_no=certificate_no or f"KR-{certificate_type[:3].upper()}-{entry_id:05d}",
        valid_from=valid_from,
        valid_to=valid_to,
        source=SOURCE,
        source_row=entry_id + 1,
    )


def match(e: RegistryEntry, level: str = "exact", validity: str = "valid", reason: str = "") -> Match:
    return Match(entry=e, level=level, reason=reason or f"{level} match", validity=validity)  # type: ignore[arg-type]


# What a Hanwha camera announces in WS-Discovery; an unread one is shown with it (scanner/scopes.py).
HANWHA_SCOPES = ("onvif://www.onvif.org/type/video_encoder", "onvif://www.onvif.org/hardware/XNO-6080R",
                 "onvif://www.onvif.org/name/XNO-6080R", "onvif://www.onvif.org/location/country/korea")


def device(
    address: str,
    manufacturer: str | None = "Hanwha Vision",
    model: str | None = "XNO-6080R",
    role: str = "camera",
    *,
    status: str = "ok",
    serial: str | None = None,
    relabel_of: str | None = None,
    scopes: tuple[str, ...] = (),
) -> Device:
    read = status == "ok"
    fingerprints = Fingerprints()
    relabel = None
    if relabel_of:
        fingerprints = Fingerprints(oui_vendor="Zhejiang Dahua Technology", http_server="DahuaHttp")
        relabel = SuspectedRelabel(
            claimed=manufacturer or "",
            likely_maker=relabel_of,
            evidence=("MAC OUI: Zhejiang Dahua Technology", "HTTP Server: DahuaHttp"),
        )
    last = address.rsplit(".", 1)[-1]
    return Device(
        address=address,
        port=80,
        status=status,  # type: ignore[arg-type]
        status_reason="" if read else f"simulated {status}",
        manufacturer=manufacturer if read else None,
        model=model if read else None,
        firmware="1.0.0" if read else None,
        serial=(serial or f"SN{last.zfill(6)}") if read else None,
        mac=f"02:00:00:00:00:{int(last) % 256:02x}" if last.isdigit() else None,
        role=role if read else "unknown",  # type: ignore[arg-type]
        role_reason=f"test role {role}" if read else "",
        fingerprints=fingerprints,
        suspected_relabel=relabel,
        scopes=scopes,
    )


def md(dev: Device, *matches: Match) -> MatchedDevice:
    key = f"serial:{dev.manufacturer}:{dev.serial}" if dev.serial else f"endpoint:{dev.address}"
    return MatchedDevice(device=dev, device_key=key, matches=tuple(matches))


def matched_scan(
    devices: list[MatchedDevice] | tuple[MatchedDevice, ...],
    *,
    declared: tuple[DeclaredItem, ...] = (),
    started_at: datetime = SCAN_AT,
    complete: bool = True,
    interrupted_reason: str | None = None,
    other_responders: tuple[OtherResponder, ...] = (),
    host_checks: tuple[HostCheck, ...] = (),
) -> MatchedScan:
    scan = ScanResult(
        scan_id=SCAN_ID,
        site=SITE,
        started_at=started_at,
        finished_at=started_at + timedelta(minutes=3) if complete else None,
        agent_version="0.1.0",
        scope=ScanScope(interfaces=("eth0",), targets=("10.10.0.0/24",)),
        host=HostInventory(hostname="garam-vms-01", manufacturer="LENOVO", model="ThinkStation P3"),
        devices=tuple(m.device for m in devices),
        complete=complete,
        interrupted_reason=interrupted_reason,
        other_responders=other_responders,
        host_checks=host_checks,
    )
    return MatchedScan(
        scan=scan,
        devices=tuple(devices),
        declared=declared,
        registry_sources=(SOURCE,),
        matched_at=started_at + timedelta(minutes=5),
    )


# --- the shared site -------------------------------------------------------------------

HANWHA = entry("Hanwha Vision", "XNO-6080R", certificate_no="KR-ORIGIN-2023-0001")
IDIS = entry("IDIS", "DC-D4236RX", certificate_no="KR-ORIGIN-2023-0002")
HANBIT = entry("한빛비전", "HB-IP4231", certificate_no="KR-ORIGIN-2023-0003")
TRUEN_SERIES = entry("TRUEN", None, pattern="TN-P42*", certificate_no="KR-ORIGIN-2023-0004")
CPRO_EXPIRED = entry("CPRO", "CPN-5031B", certificate_no="KR-ORIGIN-2020-0005",
                     valid_from=date(2020, 10, 12), valid_to=date(2023, 10, 11))
XRN = entry("Hanwha Vision", "XRN-1610", certificate_no="KR-ORIGIN-2023-0006")
INNODEP_MAKER = entry("Innodep", None, certificate_no="KR-ORIGIN-2023-0007")
NOT_YET = entry("IDIS", "DR-6516P", certificate_no="KR-ORIGIN-2024-0008", valid_from=date(2024, 9, 1))
GS = entry("Hanwha Vision", "XNO-6080R", certificate_type="gs", certificate_no="GS-23-0042")
SECURITY_OLD = entry("IDIS", "DC-D4236RX", certificate_type="cctv_security", certificate_no="TTA-CCTV-19-0099",
                     valid_from=date(2019, 1, 1), valid_to=date(2022, 1, 1))
CANDIDATE = entry("TRUEN", "TN-B220CSX", certificate_no="KR-ORIGIN-2023-0009")


def shared_devices() -> list[MatchedDevice]:
    return [
        md(device("10.10.0.11"), match(HANWHA), match(GS)),
        md(device("10.10.0.15", "IDIS Co., Ltd.", "DC-D4236RX"), match(IDIS, "alias"),
           match(SECURITY_OLD, validity="expired")),
        md(device("10.10.0.17", "TRUEN", "TN-P4220CSL"), match(TRUEN_SERIES, "pattern")),
        md(device("10.10.0.18", "TRUEN", "TN-B220CS"), match(CANDIDATE, "candidate", reason="model differs by one letter")),
        md(device("10.10.0.19", "CPRO", "CPN-5031B"), match(CPRO_EXPIRED, validity="expired")),
        md(device("10.10.0.41", "HIKVISION", "DS-2CD2143G2-I")),
        md(device("10.10.0.51", "한빛비전", "HB-IP4231", relabel_of="Dahua"), match(HANBIT)),
        md(device("10.10.0.70", HOSTILE_MAKER, HOSTILE_MODEL)),
        md(device("10.10.0.61", status="timeout")),
        md(device("10.10.0.63", status="auth_failed", scopes=HANWHA_SCOPES)),
        md(device("10.10.0.31", "Hanwha Vision", "XRN-1610", "nvr"), match(XRN)),
        md(device("10.10.0.32", "IDIS Co., Ltd.", "DR-6516P", "nvr"), match(NOT_YET, validity="not_yet_valid")),
        md(device("10.10.0.33", "Innodep", "VURIX-AI-8", "analytics"), match(INNODEP_MAKER, "maker")),
        md(device("10.10.0.5", "LENOVO", "ThinkStation P3", "operator_terminal")),
    ]


def shared_matched_scan(**kwargs) -> MatchedScan:
    return matched_scan(shared_devices(), **kwargs)


def with_status(devices: list[MatchedDevice], address: str, status: str) -> list[MatchedDevice]:
    out = []
    for m in devices:
        if m.device.address == address:
            d = m.device
            d = replace(d, status=status, status_reason=f"simulated {status}", manufacturer=None, model=None,
                        role="unknown")
            m = MatchedDevice(device=d, device_key=m.device_key, matches=())
        out.append(m)
    return out
