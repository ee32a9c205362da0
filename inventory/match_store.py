"""`Store.matched_scan`: a stored scan's devices matched against the registry in force, the results
stored (replacing an earlier matching of that scan; matchings of one scan take turns), and the frozen
MatchedScan for `reports`.

The date a certificate is judged at is the scan's start in Korean time (UTC+9, no daylight saving):
a scan at 08:00 KST on 1 March falls on 1 March, though it is still 28 February in UTC.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import TYPE_CHECKING

import sqlalchemy as sa

from scanner.serialize import scan_from_dict

from . import db
from .declared_store import load_declared
from .identity import host_device
from .matching import Matcher
from .model import MatchedDevice, MatchedScan, RegistrySource
from .registry_store import load_entries
from .tables import DeviceRow, MatchResultRow, Observation, RegistryEntryRow, RegistrySourceRow, Scan

if TYPE_CHECKING:
    from .store import Store

KST = timezone(timedelta(hours=9), "KST")


def judgement_date(started_at: datetime) -> date:
    return started_at.astimezone(KST).date()


def matched_scan(store: Store, scan_id: str = "latest", site: str | None = None) -> MatchedScan:
    observations, devices = Observation.__table__, DeviceRow.__table__
    results = MatchResultRow.__table__
    now = datetime.now(UTC)
    with db.serialized_write(store.engine, None) as conn:
        scan_pk, _ = store._resolve_scan(conn, scan_id, site)
        # Matchings of one scan wait for each other: two at once would each delete the results they saw
        # and both insert theirs, leaving every match twice.
        db.advisory_lock(conn, f"match:{scan_pk}")
        # No registry import commits while this matching reads: the files it names (the report's
        # method.registry_sources) must be those its entries came from. SQLite: BEGIN IMMEDIATE did it.
        db.advisory_lock(conn, "registry", shared=True)
        raw = conn.execute(
            sa.select(Scan.__table__.c.raw_json).where(Scan.__table__.c.id == scan_pk)
        ).scalar_one()
        scan = scan_from_dict(json.loads(raw))
        rows = conn.execute(
            sa.select(observations.c.id, observations.c.position, devices.c.device_key)
            .join(devices, devices.c.id == observations.c.device_pk)
            .where(observations.c.scan_pk == scan_pk)
        ).all()
        by_position = {position: (obs_id, key) for obs_id, position, key in rows}
        scan_devices = list(scan.devices) + ([host_device(scan.host)] if scan.host else [])
        positions = list(range(len(scan.devices))) + ([-1] if scan.host else [])
        matcher = _matcher(store, conn)
        all_matches = matcher.match_all(scan_devices, judgement_date(scan.started_at))
        conn.execute(results.delete().where(results.c.scan_pk == scan_pk))
        stored = [
            {
                "scan_pk": scan_pk,
                "observation_id": by_position[pos][0],
                "entry_id": m.entry.id,
                "level": m.level,
                "validity": m.validity,
                "reason": m.reason,
                "matched_at": now,
            }
            for pos, matches in zip(positions, all_matches, strict=True)
            for m in matches
        ]
        if stored:
            conn.execute(results.insert(), stored)
        matched = tuple(
            MatchedDevice(device, by_position[pos][1], matches)
            for pos, device, matches in zip(positions, scan_devices, all_matches, strict=True)
        )
        declared = tuple(load_declared(conn, scan.site))
        sources = _sources_in_force(conn)
    return MatchedScan(scan, matched, declared, sources, now)


def _registry_state(conn: sa.Connection) -> tuple:
    """Changes whenever an import adds or supersedes entries (ids only grow; supersede stamps a time)."""
    entries = RegistryEntryRow.__table__
    return tuple(
        conn.execute(
            sa.select(sa.func.count(), sa.func.max(entries.c.id), sa.func.max(entries.c.superseded_at))
        ).one()
    )


def _matcher(store: Store, conn: sa.Connection) -> Matcher:
    """The store keeps the last Matcher while the registry is unchanged: matching scan after scan (an
    auditor re-reporting many sites) then pays for the 100,000-entry index once."""
    state = _registry_state(conn)
    cached = store._matcher_cache
    if cached is not None and cached[0] == state:
        return cached[1]
    matcher = Matcher(load_entries(conn), store.catalog)
    store._matcher_cache = (state, matcher)
    return matcher


def _sources_in_force(conn: sa.Connection) -> tuple[RegistrySource, ...]:
    """Registry files with at least one entry not superseded: the registry the matching used."""
    sources, entries = RegistrySourceRow.__table__, RegistryEntryRow.__table__
    in_force = sa.select(entries.c.source_id).where(entries.c.superseded_by_source_id.is_(None)).distinct()
    rows = conn.execute(
        sa.select(sources.c.name, sources.c.file_name, sources.c.sha256, sources.c.imported_at)
        .where(sources.c.id.in_(in_force))
        .order_by(sources.c.id)
    )
    return tuple(RegistrySource(*row) for row in rows)
