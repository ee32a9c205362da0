"""The inventory's one entry point: scans, the registry, declared equipment, matches and reports in a
database (a SQLite file by default, PostgreSQL by URL). SQLAlchemy stays behind this class; callers get
the frozen dataclasses of inventory/model.py and inventory/summaries.py.

Every write is one transaction: a crash (or a kill) mid-write leaves the database as it was before.
Writes that two importers may race on (a new site, a device seen by both) are INSERT ... ON CONFLICT
DO NOTHING followed by a read, so the loser of a race waits for the winner and then uses its row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import sqlalchemy as sa

from scanner.model import ScanResult
from scanner.serialize import scan_from_dict, scan_to_json
from scanner.vendors import VendorCatalog, load_vendor_catalog

from . import db
from .errors import InventoryError, ScanNotFound
from .identity import scan_devices
from .model import DeclaredItem, MatchedScan, RegistryEntry
from .sites import aliased_site, named
from .summaries import (
    DeclaredImportSummary,
    RegistryImportSummary,
    SavedScan,
    ScanSummary,
    StoredReport,
)
from .tables import DeviceRow, Observation, ReportRow, Scan, Site

if TYPE_CHECKING:
    from .sites import SiteRename

__all__ = ["Store"]


def utcnow() -> datetime:
    return datetime.now(UTC)


def dialect_insert(conn: sa.Connection, table: sa.Table) -> Any:
    """INSERT for the connection's dialect, which has ON CONFLICT (SQLite and PostgreSQL only)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(conn.dialect.name)
    return insert(table)


def insert_ignoring_conflicts(conn: sa.Connection, table: sa.Table, index_elements: list[str]) -> Any:
    """INSERT ... ON CONFLICT (index_elements) DO NOTHING, for the connection's dialect."""
    return dialect_insert(conn, table).on_conflict_do_nothing(index_elements=index_elements)


def column_text(value: str | None, limit: int | None = None) -> str | None:
    """A device-supplied string for a plain column: PostgreSQL refuses NUL in text and over-long values in
    bounded columns, and a hostile device must not be able to make a whole scan unstorable. The columns
    are for querying; the JSON copies (device_json, raw_json) keep every string exactly."""
    if not value:
        return value
    value = value.replace("\x00", "\ufffd")
    return value[:limit] if limit else value


def ensure_site(conn: sa.Connection, name: str) -> int:
    """The site called `name`, created if new, or the site `name` was renamed to (inventory/sites.py).

    A rename holds the "sites" lock exclusively; writers creating or finding a site hold it shared (on
    SQLite the write transaction began with BEGIN IMMEDIATE: serialized_write), so an alias is never
    looked up half-way through a rename, and a name is never created again just after it became one."""
    db.advisory_lock(conn, "sites", shared=True)
    renamed_to = aliased_site(conn, name)
    if renamed_to is not None:
        return renamed_to
    sites = Site.__table__
    conn.execute(insert_ignoring_conflicts(conn, sites, ["name"]), {"name": name, "created_at": utcnow()})
    return conn.execute(sa.select(sites.c.id).where(sites.c.name == name)).scalar_one()


def ensure_devices(conn: sa.Connection, keys: Iterable[str], seen_at: datetime) -> dict[str, int]:
    """The id of each device key, inserting the keys not seen before.

    One upsert that returns every id: ON CONFLICT goes through the unique index, where a separate
    `device_key IN (...)` look-up was planned as a sequential scan on a table that grew within the
    session (the 500-site benchmark's imports slowed eightfold as the table filled). The no-op
    update is what makes PostgreSQL and SQLite return the rows that already existed; keys are
    sorted, so concurrent importers lock them in one order and cannot deadlock.
    """
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    devices = DeviceRow.__table__
    ids: dict[str, int] = {}
    for chunk_start in range(0, len(wanted), 500):
        chunk = wanted[chunk_start : chunk_start + 500]
        statement = dialect_insert(conn, devices)
        statement = statement.on_conflict_do_update(
            index_elements=["device_key"], set_={"device_key": statement.excluded.device_key}
        ).returning(devices.c.device_key, devices.c.id)
        rows = conn.execute(statement, [{"device_key": k, "first_seen_at": seen_at} for k in chunk])
        ids.update({k: i for k, i in rows})
    return ids


class Store:
    """`Store.open(url)`; also a context manager that closes itself."""

    def __init__(self, engine: sa.Engine, url: str, catalog: VendorCatalog | None = None):
        self.engine = engine
        self.url = url
        self.catalog = catalog or load_vendor_catalog()
        self._matcher_cache: tuple[tuple, Any] | None = None  # (registry state, Matcher): match_store.py

    @classmethod
    def open(cls, url: str | None = None, catalog: VendorCatalog | None = None) -> Store:
        """None -> ./cctv-inventory.db. A SQLite file is brought up to date; an out-of-date PostgreSQL
        schema raises SchemaOutOfDate saying to run `cctv-inventory db upgrade --db URL`."""
        url = url or db.DEFAULT_DB_URL
        return cls(db.connect(url), url, catalog)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- scans -------------------------------------------------------------------------------------

    def save_scan(self, scan: ScanResult) -> SavedScan:
        """Store a scan, its devices and their observations in one transaction. The same scan twice
        (same scan_id, same content) changes nothing and says created=False; another content under a
        stored scan_id (a scan file edited after the scan, two files claiming one scan) is refused."""
        with db.serialized_write(self.engine, None) as conn:
            return self._save_scan(conn, scan)

    def save_scan_and_report(
        self,
        scan: ScanResult,
        *,
        policy_id: str,
        verdict: str,
        sha256: str,
        report_json: str,
        signature: str | None = None,
    ) -> tuple[SavedScan, bool]:
        """save_scan and save_report in one transaction (an evidence bundle): a crash or a refused write
        between the two leaves neither, not a scan whose report is missing. (SavedScan, report created)."""
        with db.serialized_write(self.engine, None) as conn:
            saved = self._save_scan(conn, scan)
            created = self._save_report(
                conn, scan.scan_id, policy_id=policy_id, verdict=verdict, sha256=sha256,
                report_json=report_json, signature=signature,
            )
        return saved, created

    def _save_scan(self, conn: sa.Connection, scan: ScanResult) -> SavedScan:
        raw = scan_to_json(scan)
        sha = hashlib.sha256(raw.encode("utf-8")).hexdigest()
        now = utcnow()
        scans = Scan.__table__

        def already_stored() -> SavedScan | None:
            stored = conn.execute(sa.select(scans.c.raw_sha256).where(scans.c.scan_id == scan.scan_id)).first()
            if not stored:
                return None
            if stored[0] != sha:
                raise InventoryError(
                    f"scan {scan.scan_id} is stored already, with other content (SHA-256 {stored[0][:12]}… "
                    f"against {sha[:12]}…): a scan file changed after the scan, or two files claiming one "
                    "scan; the stored one stands")
            return SavedScan(scan.scan_id, created=False)

        if (known := already_stored()) is not None:
            return known
        site_id = ensure_site(conn, column_text(scan.site, 300) or "")
        inserted = conn.execute(
            insert_ignoring_conflicts(conn, scans, ["scan_id"]).returning(scans.c.id),
            {
                "scan_id": scan.scan_id,
                "site_id": site_id,
                "started_at": scan.started_at,
                "finished_at": scan.finished_at,
                "agent_version": column_text(scan.agent_version, 64),
                "complete": scan.complete,
                "interrupted_reason": column_text(scan.interrupted_reason),
                "scope_json": json.dumps(asdict(scan.scope), ensure_ascii=False),
                "device_count": len(scan.devices),
                "raw_json": raw,
                "raw_sha256": sha,
                "imported_at": now,
            },
        ).first()
        if inserted is None:  # another importer stored a scan with this id a moment ago: the same one?
            known = already_stored()
            assert known is not None
            return known
        scan_pk = inserted[0]
        entries = scan_devices(scan, self.catalog)
        device_ids = ensure_devices(conn, (key for *_, key in entries), scan.started_at)
        rows = []
        for position, is_host, device, key in entries:
            as_dict = asdict(device)
            rows.append(
                {
                    "scan_pk": scan_pk,
                    "device_pk": device_ids[key],
                    "position": position,
                    "is_host": is_host,
                    "address": column_text(device.address, 255),
                    "port": device.port,
                    "status": column_text(device.status, 32),
                    "status_reason": column_text(device.status_reason),
                    "role": column_text(device.role, 32),
                    "manufacturer": column_text(device.manufacturer),
                    "model": column_text(device.model),
                    "firmware": column_text(device.firmware),
                    "serial": column_text(device.serial),
                    "mac": column_text(device.mac, 64),
                    "device_json": json.dumps(as_dict, ensure_ascii=False, sort_keys=True),
                    "evidence_json": json.dumps(as_dict["evidence"], ensure_ascii=False),
                }
            )
        if rows:
            conn.execute(Observation.__table__.insert(), rows)
        return SavedScan(scan.scan_id, created=True)

    def _scan_query(self) -> sa.Select:
        scans, sites = Scan.__table__, Site.__table__
        return sa.select(
            scans.c.scan_id,
            sites.c.name,
            scans.c.started_at,
            scans.c.finished_at,
            scans.c.complete,
            scans.c.device_count,
        ).join(sites, sites.c.id == scans.c.site_id)

    def scans(self, site: str | None = None) -> list[ScanSummary]:
        """Stored scans, oldest first (by start time)."""
        scans = Scan.__table__
        query = self._scan_query().order_by(scans.c.started_at, scans.c.id)
        if site is not None:
            query = query.where(named(site))
        with self.engine.connect() as conn:
            return [ScanSummary(*row) for row in conn.execute(query)]

    def _resolve_scan(self, conn: sa.Connection, scan_id: str, site: str | None) -> tuple[int, str]:
        """(primary key, scan_id) of a scan id, or of the newest scan ("latest"), optionally of one site."""
        scans, sites = Scan.__table__, Site.__table__
        query = sa.select(scans.c.id, scans.c.scan_id).join(sites, sites.c.id == scans.c.site_id)
        if site is not None:
            query = query.where(named(site))
        if scan_id == "latest":
            query = query.order_by(scans.c.started_at.desc(), scans.c.id.desc()).limit(1)
        else:
            query = query.where(scans.c.scan_id == scan_id)
        row = conn.execute(query).first()
        if row is None:
            where = f" of site {site!r}" if site is not None else ""
            what = "no scan is stored" if scan_id == "latest" else f"no scan {scan_id!r} is stored"
            raise ScanNotFound(f"{what}{where}")
        return row[0], row[1]

    def scan(self, scan_id: str = "latest", site: str | None = None) -> ScanResult:
        """A stored scan read back from its raw JSON, exactly as it was saved."""
        with self.engine.connect() as conn:
            scan_pk, _ = self._resolve_scan(conn, scan_id, site)
            raw = conn.execute(sa.select(Scan.__table__.c.raw_json).where(Scan.__table__.c.id == scan_pk))
            return scan_from_dict(json.loads(raw.scalar_one()))

    def scan_json(self, scan_id: str) -> str:
        """The raw scan JSON as stored (scanner.serialize.scan_to_json of the saved scan)."""
        with self.engine.connect() as conn:
            scan_pk, _ = self._resolve_scan(conn, scan_id, None)
            raw = conn.execute(sa.select(Scan.__table__.c.raw_json).where(Scan.__table__.c.id == scan_pk))
            return raw.scalar_one()

    # --- reports -----------------------------------------------------------------------------------

    def save_report(
        self,
        scan_id: str,
        *,
        policy_id: str,
        verdict: str,
        sha256: str,
        report_json: str,
        signature: str | None = None,
    ) -> bool:
        """Keep a report JSON verbatim beside its scan. Idempotent by sha256: True when newly stored."""
        with self.engine.begin() as conn:
            return self._save_report(
                conn, scan_id, policy_id=policy_id, verdict=verdict, sha256=sha256,
                report_json=report_json, signature=signature,
            )

    def _save_report(
        self, conn: sa.Connection, scan_id: str, *, policy_id: str, verdict: str, sha256: str,
        report_json: str, signature: str | None,
    ) -> bool:
        reports = ReportRow.__table__
        scan_pk, _ = self._resolve_scan(conn, scan_id, None)
        inserted = conn.execute(
            insert_ignoring_conflicts(conn, reports, ["sha256"]).returning(reports.c.id),
            {
                "scan_pk": scan_pk,
                "policy_id": column_text(policy_id, 200),
                "verdict": column_text(verdict, 64),
                "sha256": sha256,
                "report_json": report_json,
                "signature": signature,
                "created_at": utcnow(),
            },
        ).first()
        return inserted is not None

    def reports(self, site: str | None = None) -> list[StoredReport]:
        """Stored reports, oldest first."""
        reports, scans, sites = ReportRow.__table__, Scan.__table__, Site.__table__
        query = (
            sa.select(
                scans.c.scan_id,
                sites.c.name,
                reports.c.policy_id,
                reports.c.verdict,
                reports.c.sha256,
                reports.c.created_at,
                reports.c.report_json,
                reports.c.signature,
            )
            .join(scans, scans.c.id == reports.c.scan_pk)
            .join(sites, sites.c.id == scans.c.site_id)
            .order_by(reports.c.created_at, reports.c.id)
        )
        if site is not None:
            query = query.where(named(site))
        with self.engine.connect() as conn:
            return [StoredReport(*row) for row in conn.execute(query)]

    # --- registry, declared equipment, matching (inventory/registry_store.py etc.) ---------------

    def import_registry(self, path: Path, source: str | None = None) -> RegistryImportSummary:
        from .registry_store import import_registry

        return import_registry(self, Path(path), source)

    def registry_entries(self, manufacturer: str | None = None) -> list[RegistryEntry]:
        from .registry_store import registry_entries

        return registry_entries(self, manufacturer)

    def import_declared(self, path: Path, site: str) -> DeclaredImportSummary:
        from .declared_store import import_declared

        return import_declared(self, Path(path), site)

    def declared(self, site: str) -> list[DeclaredItem]:
        from .declared_store import declared_items

        return declared_items(self, site)

    def rename_site(self, old: str, new: str) -> SiteRename:
        """Rename site `old` to `new`, or merge it into site `new`; `old` stays an alias (inventory/sites.py)."""
        from .sites import rename_site

        return rename_site(self, old, new)

    def matched_scan(self, scan_id: str = "latest", site: str | None = None) -> MatchedScan:
        from .match_store import matched_scan

        return matched_scan(self, scan_id, site)
