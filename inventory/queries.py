"""Read-side queries for the auditor's commands (issue 8), over a Store, without changing store.py.

    latest_reports(store)               each site's current name and latest stored report, parsed (sites, rollup)
    latest_report_documents(store)      the same reports' documents alone
    scans_to_compare(store, site, ...)  the two ScanResults `diff` compares
    registry_digests(store, site)       which registry files a site's reports were matched against
    sites_without_report(store)         sites scanned but never assessed (no report stored)
    prepare_database(url)               bring a schema to head (tests, benchmarks, first set-up)

"Latest" per site: the report of the most recently started scan that has one; among several reports
of that scan (reassessed under another policy), the most recently stored. The choice is made on small
columns first and only the chosen documents are fetched, so a database holding years of reports for
hundreds of sites reads one document per site.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import sqlalchemy as sa

from scanner.model import ScanResult

from . import db
from .errors import InventoryError, ScanNotFound
from .sites import named
from .store import Store
from .tables import ReportRow, Scan, Site

__all__ = [
    "LatestReport",
    "ScanSelectionError",
    "latest_report_documents",
    "latest_reports",
    "prepare_database",
    "registry_digests",
    "scans_to_compare",
    "sites_without_report",
]

_CHUNK = 200


class ScanSelectionError(InventoryError):
    """The scans asked for cannot be compared (unknown site or scan, fewer than two scans)."""


def prepare_database(url: str) -> str:
    """Upgrade the schema at `url` to head (the owner's `cctv-inventory db upgrade`)."""
    return db.upgrade(url)


class LatestReport(NamedTuple):
    """A site's latest stored report. `site` is the site's name now; the document is the report as it
    was stored (and signed), naming the site it was made under, which differs after rename-site until
    the site's next report: the document is evidence and is never edited."""

    site: str
    document: dict[str, Any]


def _latest_report_ids(conn: sa.Connection, site: str | None = None) -> list[tuple[str, int]]:
    reports, scans, sites = ReportRow.__table__, Scan.__table__, Site.__table__
    query = (
        sa.select(sites.c.name, reports.c.id)
        .join(scans, scans.c.id == reports.c.scan_pk)
        .join(sites, sites.c.id == scans.c.site_id)
        .order_by(sites.c.name, scans.c.started_at.desc(), reports.c.created_at.desc(), reports.c.id.desc())
    )
    if site is not None:
        query = query.where(named(site))
    chosen: dict[str, int] = {}
    for name, report_id in conn.execute(query):
        chosen.setdefault(name, report_id)  # first row per site is its latest
    return list(chosen.items())


def latest_reports(store: Store, site: str | None = None) -> list[LatestReport]:
    """Each site's current name and latest report JSON document (parsed), sites in name order."""
    reports = ReportRow.__table__
    with store.engine.connect() as conn:
        chosen = _latest_report_ids(conn, site)
        ids = [report_id for _, report_id in chosen]
        texts: dict[int, str] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            rows = conn.execute(sa.select(reports.c.id, reports.c.report_json).where(reports.c.id.in_(chunk)))
            texts.update((report_id, text) for report_id, text in rows)
    with _gc_paused():
        return [LatestReport(name, json.loads(texts[i])) for name, i in chosen]


def latest_report_documents(store: Store, site: str | None = None) -> list[dict[str, Any]]:
    """Each site's latest report JSON document (parsed), sites in name order. The documents name the
    site they were made under: for the site's name now, use latest_reports."""
    return [latest.document for latest in latest_reports(store, site)]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Parsing hundreds of large report documents makes millions of small objects, and CPython's
    cyclic GC then runs over and over for nothing (JSON trees hold no cycles): pausing it makes the
    500-site read 3x faster (1.7 s -> 0.55 s, benchmarks/rollup_bench.py)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def sites_without_report(store: Store) -> list[str]:
    """Names of the sites with a scan but no stored report, in name order."""
    reports, scans, sites = ReportRow.__table__, Scan.__table__, Site.__table__
    reported = sa.select(scans.c.site_id).join(reports, reports.c.scan_pk == scans.c.id)
    query = sa.select(sites.c.name).where(sites.c.id.in_(sa.select(scans.c.site_id)), sites.c.id.not_in(reported))
    with store.engine.connect() as conn:
        return sorted(conn.execute(query).scalars())


def scans_to_compare(
    store: Store, site: str, from_scan: str | None = None, to_scan: str | None = None
) -> tuple[ScanResult, ScanResult]:
    """(before, after) for `diff`: the given scan ids of the site, defaulting to its last two scans."""
    summaries = store.scans(site=site)  # oldest first
    if not summaries:
        known = sorted({s.site for s in store.scans()})
        hint = f"; stored sites: {', '.join(known[:10])}" if known else "; no scans are stored"
        raise ScanSelectionError(f"no scans of site {site!r}{hint}")
    ids = [s.scan_id for s in summaries]
    from_scan = _expand(from_scan, ids, site)
    to_scan = _expand(to_scan, ids, site)
    if to_scan is None:
        candidates = [i for i in ids if i != from_scan]
        to_scan = candidates[-1] if candidates else None
    if from_scan is None:
        earlier = ids[: ids.index(to_scan)] if to_scan in ids else []
        from_scan = earlier[-1] if earlier else None
    if from_scan is None or to_scan is None:
        raise ScanSelectionError(f"site {site!r} has {len(ids)} scan(s); a diff needs two")
    try:
        return store.scan(from_scan), store.scan(to_scan)
    except ScanNotFound as exc:  # deleted between the two queries
        raise ScanSelectionError(str(exc)) from None


def _expand(given: str | None, ids: list[str], site: str) -> str | None:
    """A scan id of the site, or a unique prefix of one (a UUID's first 8 characters are easier to type)."""
    if given is None or given in ids:
        return given
    found = [i for i in ids if i.startswith(given)]
    if len(found) == 1:
        return found[0]
    problem = "matches several scans" if found else "is not a scan"
    raise ScanSelectionError(f"{given!r} {problem} of site {site!r} (its scans: {', '.join(ids)})")


def registry_digests(store: Store, site: str) -> list[dict[str, Any]]:
    """Registry files ({name, file_name, sha256, imported_at, scan_id}) the site's stored reports were
    matched against, read from each report's `method.registry_sources`: the digests travel inside the
    (signed) report, so they are stored exactly when the report is, and cannot drift from it."""
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for stored in store.reports(site=site):
        doc = json.loads(stored.report_json)
        method = doc.get("method") if isinstance(doc, dict) else None
        for source in (method or {}).get("registry_sources") or ():
            key = (stored.scan_id, str(source.get("sha256")))
            if key not in seen:
                seen.add(key)
                out.append({**source, "scan_id": stored.scan_id})
    return out
