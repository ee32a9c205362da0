"""The one report model: what the assessment yields and every renderer reads (nothing else).

`report_to_dict(report)` is the JSON document (reports/schema/report.schema.json) and the source of
the report's `evidence_sha256`: the SHA-256 of the canonical JSON of that document without the key
`evidence_sha256` itself (reports/integrity.py). Every format shows that digest, so an HTML page or a
spreadsheet can be traced to the JSON document it was rendered with.

The model carries ids and parameters, never display text: renderers take words from the message
catalogs (reports/i18n/). The JSON `message` of a finding is the English text of its catalog entry,
so the document (and its digest) does not depend on the language a human asked for.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from scanner.scopes import Announced

SCHEMA_VERSION = 1

VERDICTS = ("target_met", "target_not_met", "incomplete", "fail")
PART_STATUSES = ("localized", "partly_covered", "not_localized", "no_devices")
SEVERITIES = ("high", "warning", "info")  # most severe first
FINDING_KINDS = (
    "scan_incomplete",
    "outside_policy_period",
    "suspected_relabel",
    "unreachable",
    "auth_failed",
    "protocol_error",
    "timeout",
    "certificate_expired",
    "certificate_not_yet_valid",
    "certificate_undated",
    "candidate_only",
    "unmatched",
    "maker_level_only",
    "unclassified",
    "declared_not_found",
    "found_not_declared",
    "quantity_mismatch",
    "identifier_shared",
    "recorder_channels_unseen",
    "outside_scope_responders",
    "other_wsd_hosts",
)

__all__ = [
    "FINDING_KINDS",
    "PART_STATUSES",
    "SCHEMA_VERSION",
    "SEVERITIES",
    "VERDICTS",
    "CertificateRow",
    "DeviceRow",
    "Evidence",
    "Finding",
    "PartResult",
    "PolicyInfo",
    "RegistrySourceInfo",
    "Relabel",
    "Report",
    "ScanInfo",
    "report_to_dict",
]


@dataclass(frozen=True)
class ScanInfo:
    id: str
    started_at: datetime
    finished_at: datetime | None
    interfaces: tuple[str, ...]
    targets: tuple[str, ...]
    multicast: bool
    allow_public: bool
    complete: bool
    interrupted_reason: str | None


@dataclass(frozen=True)
class PolicyInfo:
    id: str
    title: dict[str, str]
    source: str
    item_no: str | None
    product_name: dict[str, str]
    period_from: date
    period_to: date | None
    evidence: tuple[str, ...]
    coverage_mode: str
    min_share: float
    min_localized_parts: int
    mandatory: bool
    count_maker_level: bool
    relabel_counts: bool
    part_names: dict[str, dict[str, str]]  # part id -> lang -> name, from the policy file


@dataclass(frozen=True)
class CertificateRow:
    """One registry entry tied to a device, judged at the scan's date."""

    certificate_type: str
    certificate_no: str
    level: str  # exact | alias | pattern | maker | candidate
    reason: str
    validity: str  # valid | expired | not_yet_valid | undated
    valid_from: date | None
    valid_to: date | None
    entry_id: int
    entry_manufacturer: str
    entry_model: str | None
    entry_model_pattern: str | None
    entry_firmware: str | None
    entry_business_no: str | None
    source_name: str
    source_file: str
    source_sha256: str
    source_row: int

    @property
    def valid_at_scan(self) -> bool | None:
        """True/False when the certificate has dates; None when the registry gave none (undated)."""
        return None if self.validity == "undated" else self.validity == "valid"

    @property
    def maker_level(self) -> bool:
        return self.level == "maker"


@dataclass(frozen=True)
class Relabel:
    claimed: str
    likely_maker: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class DeviceRow:
    address: str
    port: int
    device_key: str
    mac: str | None
    manufacturer: str | None  # as the device claims: untrusted text
    model: str | None
    firmware: str | None
    serial: str | None
    hostname: str | None
    role: str
    part: str | None  # None when the role maps to no part of the policy
    status: str  # scanner.model.DeviceStatus
    status_reason: str
    match: CertificateRow | None  # the policy-evidence match shown for the device (may not count)
    covered: bool  # counts towards its part's coverage under the policy
    not_counted_reason: str | None  # why a counting-looking match does not count (e.g. "suspected_relabel")
    other_certificates: tuple[CertificateRow, ...]
    fingerprints: dict[str, str]
    suspected_relabel: Relabel | None
    # For a device that could not be read: the maker, hardware and name its WS-Discovery scopes
    # announce (scanner/scopes.py). Unauthenticated; shown beside the empty fields, never in them.
    announced: Announced | None = None


@dataclass(frozen=True)
class PartResult:
    part: str
    devices: int  # devices of the part found by the scan, read or not
    covered: int
    unread: int  # devices of the part whose status is not ok (could not be read)
    status: str

    @property
    def share(self) -> float:
        return round(self.covered / self.devices, 4) if self.devices else 0.0


@dataclass(frozen=True)
class Evidence:
    """One fact behind a finding: a catalog id (`evidence_<key>`) and its values.

    key "text" is a line given verbatim (a device's status reason, a scanner fingerprint line):
    untrusted text that renderers escape. Everything else is worded by the catalogs, so a Korean
    report reads Korean; the JSON holds the English wording.
    """

    key: str
    params: dict[str, str]

    @classmethod
    def text(cls, line: str) -> Evidence:
        return cls("text", {"text": line})


@dataclass(frozen=True)
class Finding:
    kind: str
    severity: str
    device: str | None  # the device's address, None for site-level findings
    params: dict[str, str]  # values the message template fills in
    evidence: tuple[Evidence, ...]  # one entry per fact


@dataclass(frozen=True)
class RegistrySourceInfo:
    name: str
    file_name: str
    sha256: str
    imported_at: datetime


@dataclass(frozen=True)
class Report:
    schema_version: int
    site: str
    scan: ScanInfo
    agent_version: str
    generated_at: datetime
    policy: PolicyInfo
    verdict: str
    verdict_reason: str  # an id in the catalog: why this verdict (e.g. "unread_could_change")
    localized_parts: int  # parts localized as read (unread devices counted as not covered)
    best_case_localized: int  # if every unread device turned out covered
    worst_case_localized: int  # if every unread device turned out not covered
    parts: tuple[PartResult, ...]
    devices: tuple[DeviceRow, ...]
    findings: tuple[Finding, ...]
    registry_sources: tuple[RegistrySourceInfo, ...]
    matched_at: datetime
    declared_items: int
    agent_host: str | None = None
    method_notes: tuple[str, ...] = field(default=())  # catalog ids of method statements

    def finding_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for f in self.findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
        return counts


# --- the JSON document ------------------------------------------------------------------


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _certificate(c: CertificateRow) -> dict[str, Any]:
    return {
        "level": c.level,
        "reason": c.reason,
        "certificate_type": c.certificate_type,
        "certificate_no": c.certificate_no,
        "valid_from": _iso(c.valid_from),
        "valid_to": _iso(c.valid_to),
        "validity": c.validity,
        "valid_at_scan": c.valid_at_scan,
        "maker_level": c.maker_level,
        "entry": {
            "id": c.entry_id,
            "manufacturer": c.entry_manufacturer,
            "model": c.entry_model,
            "model_pattern": c.entry_model_pattern,
            "firmware": c.entry_firmware,
            "business_no": c.entry_business_no,
            "source": c.source_name,
            "source_file": c.source_file,
            "source_sha256": c.source_sha256,
            "row": c.source_row,
        },
    }


def _device(d: DeviceRow) -> dict[str, Any]:
    return {
        "address": d.address,
        "port": d.port,
        "device_key": d.device_key,
        "mac": d.mac,
        "manufacturer": d.manufacturer,
        "model": d.model,
        "firmware": d.firmware,
        "serial": d.serial,
        "hostname": d.hostname,
        "role": d.role,
        "part": d.part,
        "status": d.status,
        "status_reason": d.status_reason,
        "covered": d.covered,
        "not_counted_reason": d.not_counted_reason,
        "match": _certificate(d.match) if d.match else None,
        "other_certificates": [_certificate(c) for c in d.other_certificates],
        "fingerprints": dict(d.fingerprints),
        "suspected_relabel": (
            {
                "claimed": d.suspected_relabel.claimed,
                "likely_maker": d.suspected_relabel.likely_maker,
                "evidence": list(d.suspected_relabel.evidence),
            }
            if d.suspected_relabel
            else None
        ),
        "announced": asdict(d.announced) if d.announced else None,
    }


def report_to_dict(report: Report) -> dict[str, Any]:
    """The JSON document of a report, `evidence_sha256` included (integrity.evidence_sha256)."""
    from .integrity import evidence_sha256
    from .messages import messages

    english = messages("en")
    p = report.policy
    doc: dict[str, Any] = {
        "schema_version": report.schema_version,
        "site": report.site,
        "scan": {
            "id": report.scan.id,
            "started_at": _iso(report.scan.started_at),
            "finished_at": _iso(report.scan.finished_at),
            "scope": {
                "interfaces": list(report.scan.interfaces),
                "targets": list(report.scan.targets),
                "multicast": report.scan.multicast,
                "allow_public": report.scan.allow_public,
            },
            "complete": report.scan.complete,
            "interrupted_reason": report.scan.interrupted_reason,
        },
        "agent_version": report.agent_version,
        "agent_host": report.agent_host,
        "generated_at": _iso(report.generated_at),
        "policy": {
            "id": p.id,
            "title": dict(p.title),
            "source": p.source,
            "item_no": p.item_no,
            "period": [_iso(p.period_from), _iso(p.period_to)],
            "evidence": list(p.evidence),
            "coverage": {"mode": p.coverage_mode, "min_share": p.min_share},
            "min_localized_parts": p.min_localized_parts,
            "mandatory": p.mandatory,
            "count_maker_level": p.count_maker_level,
            "relabel_counts": p.relabel_counts,
        },
        "verdict": report.verdict,
        "verdict_reason": report.verdict_reason,
        "localized_parts": {
            "as_read": report.localized_parts,
            "best_case": report.best_case_localized,
            "worst_case": report.worst_case_localized,
            "required": p.min_localized_parts,
        },
        "parts": [
            {
                "part": part.part,
                "devices": part.devices,
                "covered": part.covered,
                "unread": part.unread,
                "share": part.share,
                "status": part.status,
            }
            for part in report.parts
        ],
        "devices": [_device(d) for d in report.devices],
        "findings": [
            {
                "kind": f.kind,
                "severity": f.severity,
                "device": f.device,
                "message": english.finding(f),
                "params": dict(f.params),
                "evidence": [english.evidence(e) for e in f.evidence],
            }
            for f in report.findings
        ],
        "method": {
            "matching_levels": ["exact", "alias", "pattern", "maker", "candidate"],
            "counted_levels": ["exact", "alias", "pattern", *(["maker"] if p.count_maker_level else [])],
            "certificates_judged_at": _iso(report.scan.started_at),
            "matched_at": _iso(report.matched_at),
            "declared_items": report.declared_items,
            "notes": [english(note) for note in report.method_notes],
            "registry_sources": [
                {
                    "name": s.name,
                    "file_name": s.file_name,
                    "sha256": s.sha256,
                    "imported_at": _iso(s.imported_at),
                }
                for s in report.registry_sources
            ],
        },
    }
    doc["evidence_sha256"] = evidence_sha256(doc)
    return doc
