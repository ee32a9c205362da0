"""One picture over many sites, read only from stored report JSON documents (issue 8 `sites`, `rollup`).

The rollup never re-assesses anything: each site's latest stored report already carries the verdict,
the per-part figures, the devices with their matches and the findings, judged by the policy the site
was assessed under. The rollup counts and lists what those documents say, so a figure in the rollup
can always be traced to one signed report. Input is the report JSON (reports/schema/report.schema.json);
keys this module reads are the ones issue 6 lists.

Decisions (docs/auditor.md repeats them):
- a site is shown under its name now (rename-site), given beside each document by the inventory
  (inventory.queries.latest_reports); the report's own name, the one it was made and signed under,
  is kept beside it (SiteRow.report_site) and shown when it differs. A bare document stands for a
  site of the name it carries.
- "latest" per site is the report of the most recently *started* scan; among reports of that scan,
  the most recently stored one (a re-assessment under a newer policy wins).
- "open findings" are all findings of that latest report: there is no workflow to close a finding,
  so a finding is open until a later scan's report no longer has it.
- makers are counted under their vendor family (Samsung Techwin, Hanwha Techwin and Hanwha Vision are
  one maker, config/vendors.yaml), by the brand the device *claims*; relabels are listed separately.
- an expiring certificate is one whose valid_to falls within [as_of, as_of + N days]; ones already
  expired are findings of their site's report, not "expiring". as_of defaults to today in Korea (KST),
  and a site's scan day is its KST day, as in its report.
"""

from __future__ import annotations

import gc
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from scanner.vendors import VendorCatalog, load_vendor_catalog, normalize_maker, normalize_text

from ..assessment import KST
from ..model import VERDICTS  # target_met, target_not_met, incomplete, fail (under a mandatory policy)

PART_IDS = ("camera", "recorder_analytics", "terminal_server")

TOP_N = 15


@dataclass(frozen=True)
class PartRow:
    part: str
    devices: int
    covered: int
    share: float
    status: str


@dataclass(frozen=True)
class SiteRow:
    site: str
    scan_id: str
    scanned_at: str  # ISO timestamp of the scan's start
    policy_id: str
    verdict: str
    parts: tuple[PartRow, ...]
    device_count: int
    open_findings: int
    findings_by_severity: dict[str, int]
    report_sha256: str
    # The registry files the report was matched against ({name, file_name, sha256, imported_at}),
    # from the (signed) report itself: an auditor sees which list a verdict rests on.
    registry_sources: tuple[dict[str, Any], ...] = ()
    # The site's name in the report itself (made, and maybe signed, under it): after rename-site the
    # site is shown as `site`, its name now, until its next report; this says which name the evidence bears.
    report_site: str = ""

    @property
    def report_site_differs(self) -> bool:
        return bool(self.report_site) and self.report_site != self.site

    def part(self, part_id: str) -> PartRow | None:
        return next((p for p in self.parts if p.part == part_id), None)

    @property
    def scan_day(self) -> str:
        """The scan's calendar day in Korea (KST), the day its report shows and judged certificates at;
        the stored instant is UTC, whose date is the day before for a scan from 00:00 to 08:59 KST."""
        try:
            moment = datetime.fromisoformat(self.scanned_at)
        except ValueError:
            return self.scanned_at[:10]
        return (moment.astimezone(KST) if moment.tzinfo else moment).date().isoformat()


@dataclass(frozen=True)
class PartLocalization:
    part: str
    localized: tuple[str, ...]  # site names
    partly_covered: tuple[str, ...]
    not_localized: int
    no_devices: int


@dataclass(frozen=True)
class MakerCount:
    maker: str
    devices: int
    sites: int


@dataclass(frozen=True)
class ModelCount:
    maker: str
    model: str
    devices: int
    sites: int


@dataclass(frozen=True)
class RelabelRow:
    site: str
    address: str
    claimed: str
    model: str
    likely_maker: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class ExpiringCertificate:
    site: str
    address: str
    manufacturer: str
    model: str
    certificate_type: str
    certificate_no: str
    valid_to: date
    days_left: int


@dataclass(frozen=True)
class RollupWarning:
    """Something about the rollup's input an auditor must know (a site left out, an unknown verdict).

    Kept as a kind and its values, worded by each renderer in the rollup's language
    (reports/rollup/i18n, `warning_<kind>`): an English sentence built here was the one English line
    of a Korean rollup. Values from a bundle (a site name, a verdict) are given as repr(), so a name
    holding a line break or quote cannot pass for another line of the warning.
    """

    kind: str  # report_unreadable, unknown_verdict
    params: dict[str, str]

    def text(self, lang: str) -> str:
        from .messages import messages

        return messages(lang)(f"warning_{self.kind}", **self.params)

    def __str__(self) -> str:  # the CLI's stderr, English like the rest of the command line
        return self.text("en")


@dataclass(frozen=True)
class Rollup:
    generated_at: datetime
    as_of: date
    expiring_days: int
    sites: tuple[SiteRow, ...]
    verdicts: dict[str, int]
    parts: tuple[PartLocalization, ...]
    makers: tuple[MakerCount, ...]
    models: tuple[ModelCount, ...]
    relabels: tuple[RelabelRow, ...]
    expiring: tuple[ExpiringCertificate, ...]
    warnings: tuple[RollupWarning, ...] = field(default=())

    @property
    def site_count(self) -> int:
        return len(self.sites)

    @property
    def target_met(self) -> int:
        return self.verdicts.get("target_met", 0)

    @property
    def device_count(self) -> int:
        return sum(s.device_count for s in self.sites)


# --- reading one report document -----------------------------------------------


def report_site(doc: dict[str, Any]) -> str:
    site = doc.get("site")
    if isinstance(site, dict):
        site = site.get("name")
    return str(site or "")


def report_scan(doc: dict[str, Any]) -> dict[str, Any]:
    scan = doc.get("scan")
    return scan if isinstance(scan, dict) else {}


def _units(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """A report's devices, one per unit: a recorder read at two addresses is two rows under one device_key,
    and one device, as in the report's own part figures (reports/assessment.py)."""
    seen: set[str] = set()
    units = []
    devices = doc.get("devices") or ()
    if not isinstance(devices, list | tuple):
        raise TypeError(f"devices is a {type(devices).__name__}, not a list")
    for device in devices:
        if not isinstance(device, dict):
            continue
        key = device.get("device_key")
        if isinstance(key, str) and key:
            if key in seen:
                continue
            seen.add(key)
        units.append(device)
    return units


def _policy_id(doc: dict[str, Any]) -> str:
    policy = doc.get("policy")
    return str(policy.get("id", "")) if isinstance(policy, dict) else str(policy or "")


def _list(doc: dict[str, Any], key: str) -> list[Any] | tuple[Any, ...]:
    value = doc.get(key) or ()
    if not isinstance(value, list | tuple):
        raise TypeError(f"{key} is a {type(value).__name__}, not a list")
    return value


def site_row(doc: dict[str, Any], site: str | None = None) -> SiteRow:
    """The `sites` line of one site, from its latest report; `site` is the site's name now (after
    rename-site it is not the name in the report), else the report's own."""
    scan = report_scan(doc)
    parts = tuple(
        PartRow(
            part=str(p.get("part", "")),
            devices=int(p.get("devices") or 0),
            covered=int(p.get("covered") or 0),
            share=float(p.get("share") or 0.0),
            status=str(p.get("status", "")),
        )
        for p in _list(doc, "parts")
        if isinstance(p, dict)
    )
    findings = [f for f in doc.get("findings") or () if isinstance(f, dict)]
    severities = Counter(str(f.get("severity", "")) for f in findings)
    return SiteRow(
        site=site or report_site(doc),
        scan_id=str(scan.get("id", "")),
        scanned_at=str(scan.get("started_at", "")),
        policy_id=_policy_id(doc),
        verdict=str(doc.get("verdict", "")),
        parts=parts,
        device_count=len(_units(doc)),
        open_findings=len(findings),
        findings_by_severity=dict(severities),
        report_sha256=str(doc.get("evidence_sha256", "")),
        registry_sources=tuple(
            s for s in ((doc.get("method") or {}).get("registry_sources") or ()) if isinstance(s, dict)
        ),
        report_site=report_site(doc),
    )


def _parse_date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _certificates(device: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """The certificates a device holds by its report: a candidate (a fuzzy match, shown for review and
    never counted) is another model's certificate, whose expiry says nothing of this device."""
    match = device.get("match")
    if isinstance(match, dict) and match.get("level") != "candidate":
        yield match
    for other in device.get("other_certificates") or ():
        if isinstance(other, dict):
            yield other


# --- the rollup --------------------------------------------------------------------


class _MakerNames:
    """Group makers by vendor family; unknown makers by their normalized name, shown as first spelled."""

    def __init__(self, catalog: VendorCatalog):
        self.catalog = catalog
        self._cache: dict[str, tuple[str, str]] = {}

    def key_and_label(self, name: str) -> tuple[str, str]:
        hit = self._cache.get(name)
        if hit is None:
            family = self.catalog.family_of_name(name)
            hit = (
                (f"family:{family.id}", family.name)
                if family
                else (f"name:{normalize_maker(name)}", name.strip())
            )
            self._cache[name] = hit
        return hit


def _named(item: Any) -> tuple[str | None, Any]:
    """(site's name now, document) from a (name, document) pair (inventory.queries.LatestReport) or a
    bare document (its own name)."""
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Mapping):
        return (str(item[0]) if item[0] else None), item[1]
    return None, item


def build_rollup(
    latest_reports: Sequence[dict[str, Any] | tuple[str, dict[str, Any]]],
    *,
    as_of: date | None = None,
    expiring_days: int = 90,
    catalog: VendorCatalog | None = None,
    top_n: int = TOP_N,
) -> Rollup:
    """The rollup over each site's latest report (one per site): (site's name now, document) pairs as
    inventory.queries.latest_reports gives them, or bare documents, shown under their own names.

    The cyclic GC is paused while counting: the parsed documents are millions of live objects (500
    sites x 200 devices), and every collection would walk all of them for no gain (no cycles here).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(latest_reports, as_of, expiring_days, catalog, top_n)
    finally:
        if was_enabled:
            gc.enable()


def _build(
    latest_reports: Sequence[dict[str, Any] | tuple[str, dict[str, Any]]],
    as_of: date | None,
    expiring_days: int,
    catalog: VendorCatalog | None,
    top_n: int,
) -> Rollup:
    as_of = as_of or datetime.now(KST).date()  # today in Korea, as the reports count days
    horizon = as_of + timedelta(days=expiring_days)
    names = _MakerNames(catalog or load_vendor_catalog())
    warnings: list[RollupWarning] = []

    # A stored report is what a bundle carried, and a bundle's digest anyone can recompute: one whose
    # parts or devices are not lists of the report's shape stopped the whole rollup with a TypeError.
    # It is left out with a warning naming it; every other site is still counted.
    rows: list[SiteRow] = []
    readable: list[tuple[str, dict[str, Any]]] = []
    for item in latest_reports:
        name, doc = _named(item)
        try:
            row = site_row(doc, name)
        except (TypeError, ValueError, AttributeError) as exc:
            name = name or (report_site(doc) if isinstance(doc, dict) else "")
            warnings.append(RollupWarning("report_unreadable", {"site": repr(name), "detail": str(exc)}))
            continue
        rows.append(row)
        readable.append((row.site, doc))
    rows.sort(key=lambda r: r.site)
    verdicts = Counter(r.verdict for r in rows)
    for unknown in sorted(set(verdicts) - set(VERDICTS)):
        warnings.append(RollupWarning("unknown_verdict", {"count": str(verdicts[unknown]), "verdict": repr(unknown)}))

    maker_devices: Counter[str] = Counter()
    maker_sites: dict[str, set[str]] = defaultdict(set)
    maker_label: dict[str, str] = {}
    model_devices: Counter[tuple[str, str]] = Counter()
    model_sites: dict[tuple[str, str], set[str]] = defaultdict(set)
    model_label: dict[tuple[str, str], str] = {}
    relabels: list[RelabelRow] = []
    expiring: list[ExpiringCertificate] = []

    for site, doc in readable:  # the site's name now, in every table
        for device in _units(doc):
            maker = device.get("manufacturer")
            model = device.get("model")
            if maker:
                key, label = names.key_and_label(str(maker))
                maker_devices[key] += 1
                maker_sites[key].add(site)
                maker_label.setdefault(key, label)
                if model:
                    model_key = (key, normalize_text(str(model)))
                    model_devices[model_key] += 1
                    model_sites[model_key].add(site)
                    model_label.setdefault(model_key, str(model))
            relabel = device.get("suspected_relabel")
            if isinstance(relabel, dict):
                relabels.append(
                    RelabelRow(
                        site=site,
                        address=str(device.get("address", "")),
                        claimed=str(relabel.get("claimed") or maker or ""),
                        model=str(model or ""),
                        likely_maker=str(relabel.get("likely_maker", "")),
                        evidence=tuple(str(e) for e in relabel.get("evidence") or ()),
                    )
                )
            for cert in _certificates(device):
                valid_to = _parse_date(cert.get("valid_to"))
                if valid_to is not None and as_of <= valid_to <= horizon:
                    expiring.append(
                        ExpiringCertificate(
                            site=site,
                            address=str(device.get("address", "")),
                            manufacturer=str(maker or ""),
                            model=str(model or ""),
                            certificate_type=str(cert.get("certificate_type", "")),
                            certificate_no=str(cert.get("certificate_no", "")),
                            valid_to=valid_to,
                            days_left=(valid_to - as_of).days,
                        )
                    )

    makers = sorted(
        (MakerCount(maker_label[k], n, len(maker_sites[k])) for k, n in maker_devices.items()),
        key=lambda m: (-m.devices, m.maker),
    )[:top_n]
    models = sorted(
        (
            ModelCount(maker_label[k[0]], model_label[k], n, len(model_sites[k]))
            for k, n in model_devices.items()
        ),
        key=lambda m: (-m.devices, m.maker, m.model),
    )[:top_n]
    return Rollup(
        generated_at=datetime.now(UTC),
        as_of=as_of,
        expiring_days=expiring_days,
        sites=tuple(rows),
        verdicts={v: verdicts.get(v, 0) for v in (*VERDICTS, *sorted(set(verdicts) - set(VERDICTS)))},
        parts=_part_localization(rows),
        makers=tuple(makers),
        models=tuple(models),
        relabels=tuple(sorted(relabels, key=lambda r: (r.site, r.address))),
        expiring=tuple(sorted(expiring, key=lambda e: (e.valid_to, e.site, e.address))),
        warnings=tuple(warnings),
    )


def _part_localization(rows: Sequence[SiteRow]) -> tuple[PartLocalization, ...]:
    part_ids = list(PART_IDS)
    for row in rows:
        part_ids.extend(p.part for p in row.parts if p.part not in part_ids)
    out = []
    for part_id in part_ids:
        by_status: dict[str, list[str]] = defaultdict(list)
        for row in rows:
            part = row.part(part_id)
            by_status[part.status if part else "no_devices"].append(row.site)
        out.append(
            PartLocalization(
                part=part_id,
                localized=tuple(by_status["localized"]),
                partly_covered=tuple(by_status["partly_covered"]),
                not_localized=len(by_status["not_localized"]),
                no_devices=len(by_status["no_devices"]),
            )
        )
    return tuple(out)


def _instant(value: Any) -> datetime:
    """A sortable UTC instant from an ISO string or datetime; unknown sorts first."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        return datetime.min.replace(tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def latest_per_site(
    documents: Iterable[tuple[dict[str, Any], datetime | str | None]],
) -> list[dict[str, Any]]:
    """From (report document, stored_at) pairs of any number of scans, the latest document of each site."""
    best: dict[str, tuple[tuple[datetime, datetime], dict[str, Any]]] = {}
    for doc, stored_at in documents:
        site = report_site(doc)
        stamp = (_instant(report_scan(doc).get("started_at")), _instant(stored_at))
        if site not in best or stamp > best[site][0]:
            best[site] = (stamp, doc)
    return [doc for _, doc in sorted(best.values(), key=lambda item: report_site(item[1]))]
