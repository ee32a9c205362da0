"""Initial schema: sites, scans, devices, observations, registry, declared items, match results, reports.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "sites",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(300), nullable=False, unique=True),
        _ts("created_at"),
    )
    op.create_table(
        "scans",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("scan_id", sa.String(64), nullable=False, unique=True),
        sa.Column("site_id", sa.Integer, sa.ForeignKey("sites.id"), nullable=False, index=True),
        _ts("started_at"),
        _ts("finished_at", nullable=True),
        sa.Column("agent_version", sa.String(64), nullable=False),
        sa.Column("complete", sa.Boolean, nullable=False),
        sa.Column("interrupted_reason", sa.Text),
        sa.Column("scope_json", sa.Text, nullable=False),
        sa.Column("device_count", sa.Integer, nullable=False),
        sa.Column("raw_json", sa.Text, nullable=False),
        sa.Column("raw_sha256", sa.String(64), nullable=False),
        _ts("imported_at"),
    )
    op.create_index("ix_scans_started_at", "scans", ["started_at"])
    op.create_table(
        "devices",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("device_key", sa.String(400), nullable=False, unique=True),
        _ts("first_seen_at"),
    )
    op.create_table(
        "observations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("scan_pk", sa.Integer, sa.ForeignKey("scans.id"), nullable=False, index=True),
        sa.Column("device_pk", sa.Integer, sa.ForeignKey("devices.id"), nullable=False, index=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("is_host", sa.Boolean, nullable=False),
        sa.Column("address", sa.String(255), nullable=False),
        sa.Column("port", sa.Integer, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("status_reason", sa.Text, nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("manufacturer", sa.Text),
        sa.Column("model", sa.Text),
        sa.Column("firmware", sa.Text),
        sa.Column("serial", sa.Text),
        sa.Column("mac", sa.String(64)),
        sa.Column("device_json", sa.Text, nullable=False),
        sa.Column("evidence_json", sa.Text, nullable=False),
        sa.UniqueConstraint("scan_pk", "position"),
    )
    op.create_table(
        "registry_sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        _ts("imported_at"),
        sa.Column("row_count", sa.Integer, nullable=False),
        sa.Column("error_count", sa.Integer, nullable=False),
    )
    op.create_table(
        "registry_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("registry_sources.id"), nullable=False, index=True),
        sa.Column("source_row", sa.Integer, nullable=False),
        sa.Column("manufacturer", sa.Text, nullable=False),
        sa.Column("maker_key", sa.String(300), nullable=False, index=True),
        sa.Column("business_no", sa.String(10)),
        sa.Column("model", sa.Text),
        sa.Column("model_pattern", sa.Text),
        sa.Column("firmware", sa.Text),
        sa.Column("item_name", sa.Text),
        sa.Column("item_no", sa.String(16)),
        sa.Column("part", sa.String(32)),
        sa.Column("certificate_type", sa.String(32), nullable=False),
        sa.Column("certificate_no", sa.String(200), nullable=False, index=True),
        sa.Column("valid_from", sa.Date),
        sa.Column("valid_to", sa.Date),
        sa.Column("content_key", sa.String(64), nullable=False, index=True),
        sa.Column("superseded_by_source_id", sa.Integer, sa.ForeignKey("registry_sources.id")),
        _ts("superseded_at", nullable=True),
    )
    op.create_table(
        "declared_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site_id", sa.Integer, sa.ForeignKey("sites.id"), nullable=False, index=True),
        sa.Column("source_file", sa.String(500), nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("source_row", sa.Integer, nullable=False),
        sa.Column("part", sa.String(32)),
        sa.Column("manufacturer", sa.Text, nullable=False),
        sa.Column("model", sa.Text, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("serials_json", sa.Text, nullable=False),
        sa.Column("addresses_json", sa.Text, nullable=False),
        _ts("imported_at"),
    )
    op.create_table(
        "match_results",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("scan_pk", sa.Integer, sa.ForeignKey("scans.id"), nullable=False, index=True),
        sa.Column("observation_id", sa.Integer, sa.ForeignKey("observations.id"), nullable=False, index=True),
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("registry_entries.id"), nullable=False, index=True),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("validity", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        _ts("matched_at"),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("scan_pk", sa.Integer, sa.ForeignKey("scans.id"), nullable=False, index=True),
        sa.Column("policy_id", sa.String(200), nullable=False),
        sa.Column("verdict", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("report_json", sa.Text, nullable=False),
        sa.Column("signature", sa.Text),
        _ts("created_at"),
    )


def downgrade() -> None:
    for table in (
        "reports",
        "match_results",
        "declared_items",
        "registry_entries",
        "registry_sources",
        "observations",
        "devices",
        "scans",
        "sites",
    ):
        op.drop_table(table)
