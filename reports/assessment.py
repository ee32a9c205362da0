"""assess(matched, policy) -> Report: a policy applied to one matched scan. Pure: no I/O, no clock
unless `generated_at` is left out.

What counts (docs/reports.md "Assessment" repeats it):
- A device is *covered* when it was read (status ok), its role maps to a part of the policy, and it
  has a registry match of a certificate type the policy counts as evidence, at a level that counts
  (exact, alias, pattern; maker-level when `count_maker_level`), valid at the scan's date (not
  undated: inventory.model.Match.counts).
- Suspected relabel: by default (`relabel_counts: false`) the device is *not* counted even when the
  registry covers its claimed brand and model, because on site the device itself is the evidence and
  the public cases were certificates of origin on relabelled units. It gets a high-severity finding
  with claim and fingerprints side by side either way; a policy may set `relabel_counts: true`.
- Part status and verdict: reports/outcome.py.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime, timedelta, timezone

from inventory.identity import shared_holders
from inventory.model import Match, MatchedDevice, MatchedScan
from scanner.model import Device, OtherResponder
from scanner.scopes import announced_identity
from scanner.vendors import VendorCatalog, load_vendor_catalog

from .declared import compare_declared
from .model import (
    FINDING_KINDS,
    SCHEMA_VERSION,
    SEVERITIES,
    CertificateRow,
    DeviceRow,
    Evidence,
    Finding,
    PartResult,
    PolicyInfo,
    RegistrySourceInfo,
    Relabel,
    Report,
    ScanInfo,
)
from .outcome import PartFigures, decide
from .policy import Policy
from .recorders import KIND as UNSEEN_BEHIND_RECORDER
from .recorders import unseen_cameras

# Korea has no daylight saving time; the policy period is in Korean calendar days.
KST = timezone(timedelta(hours=9), "KST")
UNREAD_KINDS = ("unreachable", "auth_failed", "protocol_error", "timeout")
# Findings about devices not read, raised to high severity when they are why the report is incomplete.
RAISED_WHEN_INCOMPLETE = (*UNREAD_KINDS, UNSEEN_BEHIND_RECORDER)

__all__ = ["KST", "assess"]


def _certificate(match: Match) -> CertificateRow:
    e = match.entry
    return CertificateRow(
        certificate_type=e.certificate_type,
        certificate_no=e.certificate_no,
        level=match.level,
        reason=match.reason,
        validity=match.validity,
        valid_from=e.valid_from,
        valid_to=e.valid_to,
        entry_id=e.id,
        entry_manufacturer=e.manufacturer,
        entry_model=e.model,
        entry_model_pattern=e.model_pattern,
        entry_firmware=e.firmware,
        entry_business_no=e.business_no,
        source_name=e.source.name,
        source_file=e.source.file_name,
        source_sha256=e.source.sha256,
        source_row=e.source_row,
    )


def _other_item(match: Match, policy: Policy) -> bool:
    """A maker-level entry certifies a maker for one product, its 세부품명번호, and names no model: for any
    other product (a combined registry lists them all) it says nothing of this system's parts."""
    return (match.level == "maker" and policy.item_no is not None and match.entry.item_no is not None
            and match.entry.item_no != policy.item_no)


def _counts(match: Match, policy: Policy) -> bool:
    return match.counts and (match.level != "maker" or (policy.count_maker_level and not _other_item(match, policy)))


def _device_row(md: MatchedDevice, policy: Policy) -> tuple[DeviceRow, list[Finding]]:
    d = md.device
    part = policy.part_of_role(d.role)
    evidence = [m for m in md.matches if m.entry.certificate_type in policy.evidence]
    counting = [m for m in evidence if _counts(m, policy)]
    shown = counting[0] if counting else next((m for m in evidence if m.level != "candidate"), None)
    shown = shown or (evidence[0] if evidence else None)
    relabel = d.suspected_relabel
    not_counted = None
    if counting:
        if d.status != "ok":
            not_counted = "not_read"
        elif part is None:
            not_counted = "no_part"
        elif relabel and not policy.relabel_counts:
            not_counted = "suspected_relabel"
    covered = bool(counting) and not_counted is None
    others = tuple(
        _certificate(m)
        for m in md.matches
        if m.entry.certificate_type in policy.listed_certificates and m.level != "candidate"
    )
    row = DeviceRow(
        address=d.address,
        port=d.port,
        device_key=md.device_key,
        mac=d.mac,
        manufacturer=d.manufacturer,
        model=d.model,
        firmware=d.firmware,
        serial=d.serial,
        hostname=d.hostname,
        role=d.role,
        part=part,
        status=d.status,
        status_reason=d.status_reason,
        match=_certificate(shown) if shown else None,
        covered=covered,
        not_counted_reason=not_counted,
        other_certificates=others,
        fingerprints={k: str(v) for k, v in asdict(d.fingerprints).items() if v},
        suspected_relabel=Relabel(relabel.claimed, relabel.likely_maker, tuple(relabel.evidence)) if relabel else None,
        announced=announced_identity(d.scopes) if d.status != "ok" else None,
    )
    return row, _device_findings(md, row, evidence, counting, policy)


def _cert_params(m: Match) -> dict[str, str]:
    e = m.entry
    return {
        "certificate_type": e.certificate_type,
        "certificate_no": e.certificate_no,
        "entry": " ".join(part for part in (e.manufacturer, e.model or e.model_pattern) if part),
        "level": m.level,
        "valid_from": str(e.valid_from or "?"),
        "valid_to": str(e.valid_to or "?"),
        "file": e.source.file_name,
        "row": str(e.source_row),
    }


def _cert_line(m: Match) -> Evidence:
    return Evidence("certificate", _cert_params(m))


def _device_findings(
    md: MatchedDevice, row: DeviceRow, evidence: list[Match], counting: list[Match], policy: Policy
) -> list[Finding]:
    d = md.device
    out: list[Finding] = []
    params = {"manufacturer": d.manufacturer or "", "model": d.model or "", "address": d.address}
    if d.status != "ok":
        # Severity is settled once the verdict is known (high when it made the report incomplete).
        facts = [Evidence.text(d.status_reason or d.status)]
        if row.announced:
            facts.append(Evidence("announced", {k: v or "?" for k, v in asdict(row.announced).items()}))
        return [Finding(d.status, "warning", d.address, params, tuple(facts))]
    if row.suspected_relabel:
        r = row.suspected_relabel
        variant = "counted" if row.covered else "excluded" if counting else "uncovered"
        out.append(Finding(
            "suspected_relabel", "high", d.address,
            {**params, "claimed": r.claimed, "likely_maker": r.likely_maker, "variant": variant},
            (
                Evidence("claimed", {"manufacturer": r.claimed, "model": d.model or ""}),
                Evidence("fingerprints_point_to", {"maker": r.likely_maker}),
                *(Evidence.text(line) for line in r.evidence),
            ),
        ))
    if row.part is None:
        reason = Evidence.text(d.role_reason) if d.role_reason else Evidence("role", {"role": d.role})
        out.append(Finding("unclassified", "info", d.address, {**params, "role": d.role}, (reason,)))
        return out
    others = [_cert_line(m) for m in md.matches if m.entry.certificate_type not in policy.evidence]
    if not evidence:
        missing = tuple(Evidence("no_entry", {"certificate_type": c}) for c in policy.evidence)
        out.append(Finding("unmatched", "warning", d.address, params, (*missing, *others)))
    elif all(m.level == "candidate" for m in evidence):
        out.append(Finding("candidate_only", "warning", d.address, params,
                           tuple(Evidence("candidate", {**_cert_params(m), "reason": m.reason}) for m in evidence)))
    elif not counting:
        for m in evidence:
            kind = {"expired": "certificate_expired", "not_yet_valid": "certificate_not_yet_valid",
                    "undated": "certificate_undated"}.get(m.validity)
            if kind and m.level != "candidate":
                out.append(Finding(kind, "warning", d.address,
                                   {**params, "certificate_no": m.entry.certificate_no,
                                    "valid_from": str(m.entry.valid_from or "?"), "valid_to": str(m.entry.valid_to or "?")},
                                   (_cert_line(m),)))
        maker_only = [m for m in evidence if m.level == "maker" and m.counts]
        other_item = [m for m in maker_only if _other_item(m, policy)]
        if maker_only and not policy.count_maker_level:
            out.append(Finding("maker_level_only", "warning", d.address, {**params, "variant": "not_counted"},
                               tuple(_cert_line(m) for m in maker_only)))
        elif other_item:
            out.append(Finding("maker_level_only", "warning", d.address,
                               {**params, "variant": "other_item", "item_no": other_item[0].entry.item_no or "",
                                "policy_item_no": policy.item_no or ""},
                               tuple(_cert_line(m) for m in other_item)))
    elif counting[0].level == "maker":
        out.append(Finding("maker_level_only", "info", d.address, {**params, "variant": "counted"},
                           (_cert_line(counting[0]),)))
    # Listed certificates that lapsed: shown to the agency, decide nothing.
    for m in md.matches:
        if m.entry.certificate_type in policy.listed_certificates and m.level != "candidate" and m.validity in (
            "expired", "not_yet_valid"
        ):
            kind = "certificate_expired" if m.validity == "expired" else "certificate_not_yet_valid"
            out.append(Finding(kind, "info", d.address,
                               {**params, "certificate_no": m.entry.certificate_no, "variant": "listed",
                                "certificate_type": m.entry.certificate_type,
                                "valid_from": str(m.entry.valid_from or "?"), "valid_to": str(m.entry.valid_to or "?")},
                               (_cert_line(m),)))
    return out


def _shared_identifiers(devices: Sequence[Device]) -> list[Finding]:
    """A serial or MAC that several units claim: cloned firmware, worth a look on a site audited for
    where its parts come from. The rule is the inventory's (inventory/identity.py)."""
    out = []
    for (what, _), group in shared_holders(devices).items():
        for d in group:
            others = [o.address for o in group if o is not d]
            out.append(Finding("identifier_shared", "warning", d.address, {
                "variant": what, "address": d.address, "manufacturer": d.manufacturer or "?",
                "model": d.model or "?", "value": (d.serial if what == "serial" else d.mac) or "",
                "count": str(len(others))},
                (Evidence("shared_with", {"addresses": ", ".join(others)}),)))
    return out


_LISTED_HOSTS = 20  # a site-level finding names this many; the scan file has them all


def _listed_addresses(hosts: Sequence[OtherResponder]) -> str:
    return ", ".join(h.address for h in hosts[:_LISTED_HOSTS]) + (" …" if len(hosts) > _LISTED_HOSTS else "")


def _other_hosts(hosts: Sequence[OtherResponder]) -> Finding:
    return Finding("other_wsd_hosts", "info", None, {"count": str(len(hosts)), "addresses": _listed_addresses(hosts)},
                   tuple(Evidence("wsd_host", {"address": h.address, "types": " ".join(h.types) or "-"})
                         for h in hosts[:_LISTED_HOSTS]))


def _outside_scope(hosts: Sequence[OtherResponder]) -> Finding:
    """Devices on the site's wire that answered from addresses the scan was not given (a camera left on its
    factory address): never contacted, so never read, and missing from every count above. A warning, not
    a verdict: the report cannot say what they are, only that they are there and what they announced."""
    def announced(h: OtherResponder) -> str:
        said = announced_identity(h.scopes)
        return (said.summary() if said else "") or " ".join(h.types) or "-"

    return Finding("outside_scope_responders", "warning", None,
                   {"count": str(len(hosts)), "addresses": _listed_addresses(hosts)},
                   tuple(Evidence("outside_scope_responder", {"address": h.address, "announced": announced(h)})
                         for h in hosts[:_LISTED_HOSTS]))


def _address_key(address: str) -> tuple[int, object]:
    try:
        return (0, ipaddress.ip_address(address))
    except ValueError:
        return (1, address)


def _sort_findings(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(
        findings,
        key=lambda f: (SEVERITIES.index(f.severity), FINDING_KINDS.index(f.kind),
                       _address_key(f.device or ""), sorted(f.params.items())),
    ))


def _policy_info(policy: Policy) -> PolicyInfo:
    return PolicyInfo(
        id=policy.id,
        title=dict(policy.title),
        source=policy.source,
        item_no=policy.item_no,
        product_name=dict(policy.product_name),
        period_from=policy.period_from,
        period_to=policy.period_to,
        evidence=policy.evidence,
        coverage_mode=policy.coverage.mode,
        min_share=policy.coverage.min_share,
        min_localized_parts=policy.min_localized_parts,
        mandatory=policy.mandatory,
        count_maker_level=policy.count_maker_level,
        relabel_counts=policy.relabel_counts,
        part_names={p.id: dict(p.name) for p in policy.parts},
    )


def assess(
    matched: MatchedScan,
    policy: Policy,
    *,
    generated_at: datetime | None = None,
    catalog: VendorCatalog | None = None,
) -> Report:
    scan = matched.scan
    part_order = [p.id for p in policy.parts]
    rows: list[DeviceRow] = []
    findings: list[Finding] = []
    for md in matched.devices:
        row, device_findings = _device_row(md, policy)
        rows.append(row)
        findings.extend(device_findings)
    rows.sort(key=lambda r: (part_order.index(r.part) if r.part else len(part_order), _address_key(r.address), r.port))

    # Cameras a recorder records that the scan never reached count as unread cameras (reports/recorders.py).
    unseen = unseen_cameras([md.device for md in matched.devices], policy)
    findings.extend(unseen.findings)
    # A part's figures count units, not rows: a recorder with a NIC on each scanned subnet is two rows
    # (one per address) and one device (its device_key), covered if either row is.
    units: dict[str, dict[str, list[DeviceRow]]] = {pid: {} for pid in part_order}
    for r in rows:
        if r.part in units:
            units[r.part].setdefault(r.device_key, []).append(r)
    figures = [
        PartFigures(
            part=pid,
            devices=len(units[pid]) + (unseen.count if pid == unseen.part else 0),
            covered=sum(1 for unit in units[pid].values() if any(r.covered for r in unit)),
            unread=sum(1 for unit in units[pid].values() if all(r.status != "ok" for r in unit))
            + (unseen.count if pid == unseen.part else 0),
        )
        for pid in part_order
    ]
    unknown_unread = sum(1 for r in rows if r.part is None and r.status != "ok")
    outcome = decide(policy, figures, unknown_unread, scan.complete)
    if outcome.verdict == "incomplete":  # the unread devices are why: say so loudly
        findings = [
            Finding(f.kind, "high", f.device, f.params, f.evidence) if f.kind in RAISED_WHEN_INCOMPLETE else f
            for f in findings
        ]

    if not scan.complete:
        reason = Evidence.text(scan.interrupted_reason) if scan.interrupted_reason else Evidence("scan_cut_short", {})
        findings.append(Finding("scan_incomplete", "high", None, {"reason": scan.interrupted_reason or ""}, (reason,)))
    scan_day = scan.started_at.astimezone(KST).date()
    if not policy.in_period(scan_day):
        period = f"{policy.period_from} ~ {policy.period_to or ''}"
        findings.append(Finding(
            "outside_policy_period", "high", None,
            {"scan_date": scan_day.isoformat(), "period": period, "policy": policy.id},
            (
                Evidence("scan_started", {"at": scan.started_at.isoformat(), "day": scan_day.isoformat()}),
                Evidence("policy_period", {"policy": policy.id, "period": period}),
            ),
        ))
    findings.extend(compare_declared(matched.declared, rows, catalog or load_vendor_catalog(), scan.host_checks))
    findings.extend(_shared_identifiers(scan.devices))
    outside = [o for o in scan.other_responders if o.outside_scope]
    not_onvif = [o for o in scan.other_responders if not o.outside_scope]
    if outside:
        findings.append(_outside_scope(outside))
    if not_onvif:
        findings.append(_other_hosts(not_onvif))

    notes = ["method_coverage_" + policy.coverage.mode, "method_verdict_rule", "method_certificates_at_scan_date"]
    notes.append("method_maker_level_counted" if policy.count_maker_level else "method_maker_level_not_counted")
    notes.append("method_relabel_counted" if policy.relabel_counts else "method_relabel_excluded")
    if not matched.declared:
        notes.append("method_no_declared_list")
    if unseen.count:
        notes.append("method_recorder_channels")

    return Report(
        schema_version=SCHEMA_VERSION,
        site=scan.site,
        scan=ScanInfo(
            id=scan.scan_id,
            started_at=scan.started_at,
            finished_at=scan.finished_at,
            interfaces=tuple(scan.scope.interfaces),
            targets=tuple(scan.scope.targets),
            multicast=scan.scope.multicast,
            allow_public=scan.scope.allow_public,
            complete=scan.complete,
            interrupted_reason=scan.interrupted_reason,
        ),
        agent_version=scan.agent_version,
        agent_host=scan.host.hostname if scan.host else None,
        generated_at=generated_at or datetime.now(UTC),
        policy=_policy_info(policy),
        verdict=outcome.verdict,
        verdict_reason=outcome.reason,
        localized_parts=outcome.as_read,
        best_case_localized=outcome.best_case,
        worst_case_localized=outcome.worst_case,
        parts=tuple(
            PartResult(part=f.part, devices=f.devices, covered=f.covered, unread=f.unread,
                       status=f.status(policy.coverage))
            for f in figures
        ),
        devices=tuple(rows),
        findings=_sort_findings(findings),
        registry_sources=tuple(
            RegistrySourceInfo(s.name, s.file_name, s.sha256, s.imported_at) for s in matched.registry_sources
        ),
        matched_at=matched.matched_at,
        declared_items=len(matched.declared),
        method_notes=tuple(notes),
    )
