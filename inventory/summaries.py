"""Frozen values the store returns besides inventory/model.py's: what a save or an import did."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .errors import RowError


@dataclass(frozen=True)
class SavedScan:
    scan_id: str
    created: bool  # False: the scan was already stored and nothing changed


@dataclass(frozen=True)
class ScanSummary:
    scan_id: str
    site: str
    started_at: datetime
    finished_at: datetime | None
    complete: bool
    device_count: int  # devices the scan reported (the agent host not counted)


@dataclass(frozen=True)
class StoredReport:
    scan_id: str
    site: str
    policy_id: str
    verdict: str
    sha256: str
    created_at: datetime
    report_json: str
    signature: str | None = None


@dataclass(frozen=True)
class RegistryImportSummary:
    source: str
    file_name: str
    sha256: str
    imported: int  # new entries stored
    unchanged: int  # rows already held, identical (the same file again, or a row repeated in a newer file)
    superseded: int  # older entries replaced because this file lists their certificate number
    errors: tuple[RowError, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "file_name": self.file_name,
            "sha256": self.sha256,
            "imported": self.imported,
            "unchanged": self.unchanged,
            "superseded": self.superseded,
            "errors": [e.to_dict() for e in self.errors],
        }


@dataclass(frozen=True)
class DeclaredImportSummary:
    site: str
    file_name: str
    sha256: str
    items: int  # lines held for the site after the import
    replaced: int  # lines of an earlier list for the site that this file replaced
    unchanged: bool  # the same file was already the site's list
    errors: tuple[RowError, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        return {
            "site": self.site,
            "file_name": self.file_name,
            "sha256": self.sha256,
            "items": self.items,
            "replaced": self.replaced,
            "unchanged": self.unchanged,
            "errors": [e.to_dict() for e in self.errors],
        }
