"""SQLAlchemy 2.x typed tables. Rows never leave `inventory/`: `store.py` turns them into the frozen
dataclasses of `inventory/model.py`. The schema itself is owned by Alembic (`inventory/migrations/`);
a change here needs a new migration beside it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Timezone-aware UTC in, timezone-aware UTC out, on SQLite (which keeps no zone) as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Site(Base):
    __tablename__ = "sites"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SiteAlias(Base):
    """A name a site was known by before `rename-site`: a later bundle or list under it lands on the site."""

    __tablename__ = "site_aliases"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300), unique=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"), index=True)
    renamed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Scan(Base):
    __tablename__ = "scans"
    id: Mapped[int] = mapped_column(primary_key=True)
    scan_id: Mapped[str] = mapped_column(sa.String(64), unique=True)  # the scanner's UUID
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    agent_version: Mapped[str] = mapped_column(sa.String(64))
    complete: Mapped[bool] = mapped_column(sa.Boolean)
    interrupted_reason: Mapped[str | None] = mapped_column(sa.Text)
    scope_json: Mapped[str] = mapped_column(sa.Text)
    device_count: Mapped[int] = mapped_column(sa.Integer)
    raw_json: Mapped[str] = mapped_column(sa.Text)  # scanner.serialize.scan_to_json, verbatim
    raw_sha256: Mapped[str] = mapped_column(sa.String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DeviceRow(Base):
    """A device's identity across scans (see inventory/identity.py for the key)."""

    __tablename__ = "devices"
    id: Mapped[int] = mapped_column(primary_key=True)
    device_key: Mapped[str] = mapped_column(sa.String(400), unique=True)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Observation(Base):
    """One device as one scan saw it; `device_json` is the whole scanner Device incl. its evidence."""

    __tablename__ = "observations"
    id: Mapped[int] = mapped_column(primary_key=True)
    scan_pk: Mapped[int] = mapped_column(sa.ForeignKey("scans.id"), index=True)
    device_pk: Mapped[int] = mapped_column(sa.ForeignKey("devices.id"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer)  # order in the scan; -1 for the agent host
    is_host: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    address: Mapped[str] = mapped_column(sa.String(255))
    port: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(32))
    status_reason: Mapped[str] = mapped_column(sa.Text)
    role: Mapped[str] = mapped_column(sa.String(32))
    manufacturer: Mapped[str | None] = mapped_column(sa.Text)
    model: Mapped[str | None] = mapped_column(sa.Text)
    firmware: Mapped[str | None] = mapped_column(sa.Text)
    serial: Mapped[str | None] = mapped_column(sa.Text)
    mac: Mapped[str | None] = mapped_column(sa.String(64))
    device_json: Mapped[str] = mapped_column(sa.Text)
    evidence_json: Mapped[str] = mapped_column(sa.Text)
    __table_args__ = (sa.UniqueConstraint("scan_pk", "position"),)


class RegistrySourceRow(Base):
    __tablename__ = "registry_sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    file_name: Mapped[str] = mapped_column(sa.String(500))
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    row_count: Mapped[int] = mapped_column(sa.Integer)
    error_count: Mapped[int] = mapped_column(sa.Integer)


class RegistryEntryRow(Base):
    __tablename__ = "registry_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(sa.ForeignKey("registry_sources.id"), index=True)
    source_row: Mapped[int] = mapped_column(sa.Integer)
    manufacturer: Mapped[str] = mapped_column(sa.Text)
    maker_key: Mapped[str] = mapped_column(sa.String(300), index=True)  # normalized maker, for listing
    business_no: Mapped[str | None] = mapped_column(sa.String(10))  # digits only, always text
    model: Mapped[str | None] = mapped_column(sa.Text)
    model_pattern: Mapped[str | None] = mapped_column(sa.Text)
    firmware: Mapped[str | None] = mapped_column(sa.Text)
    item_name: Mapped[str | None] = mapped_column(sa.Text)
    item_no: Mapped[str | None] = mapped_column(sa.String(16))
    part: Mapped[str | None] = mapped_column(sa.String(32))
    certificate_type: Mapped[str] = mapped_column(sa.String(32))
    certificate_no: Mapped[str] = mapped_column(sa.String(200), index=True)
    valid_from: Mapped[date | None] = mapped_column(sa.Date)
    valid_to: Mapped[date | None] = mapped_column(sa.Date)
    content_key: Mapped[str] = mapped_column(sa.String(64), index=True)  # sha256 of the fields above
    # A newer file that lists the same certificate number supersedes this entry; kept for provenance.
    superseded_by_source_id: Mapped[int | None] = mapped_column(sa.ForeignKey("registry_sources.id"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DeclaredItemRow(Base):
    __tablename__ = "declared_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"), index=True)
    source_file: Mapped[str] = mapped_column(sa.String(500))
    source_sha256: Mapped[str] = mapped_column(sa.String(64))
    source_row: Mapped[int] = mapped_column(sa.Integer)
    part: Mapped[str | None] = mapped_column(sa.String(32))
    manufacturer: Mapped[str] = mapped_column(sa.Text)
    model: Mapped[str] = mapped_column(sa.Text)
    quantity: Mapped[int] = mapped_column(sa.Integer)
    serials_json: Mapped[str] = mapped_column(sa.Text)
    addresses_json: Mapped[str] = mapped_column(sa.Text)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MatchResultRow(Base):
    __tablename__ = "match_results"
    id: Mapped[int] = mapped_column(primary_key=True)
    scan_pk: Mapped[int] = mapped_column(sa.ForeignKey("scans.id"), index=True)
    observation_id: Mapped[int] = mapped_column(sa.ForeignKey("observations.id"), index=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("registry_entries.id"), index=True)
    level: Mapped[str] = mapped_column(sa.String(16))
    validity: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str] = mapped_column(sa.Text)
    matched_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReportRow(Base):
    """A report JSON kept verbatim beside its scan (auditor rollups read it, never re-assess)."""

    __tablename__ = "reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    scan_pk: Mapped[int] = mapped_column(sa.ForeignKey("scans.id"), index=True)
    policy_id: Mapped[str] = mapped_column(sa.String(200))
    verdict: Mapped[str] = mapped_column(sa.String(64))
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    report_json: Mapped[str] = mapped_column(sa.Text)
    signature: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
