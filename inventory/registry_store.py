"""Registry import into the database, and reading entries back as RegistryEntry values.

- The same file again (same SHA-256) changes nothing: every row counts as unchanged.
- A newer file: a row identical to an entry already held is unchanged (the entry keeps its first
  provenance); a new row is imported; entries of older files that share a (certificate type,
  certificate number) with this file and are not repeated in it are superseded - kept for the record,
  no longer matched. "Newer" means imported later: the registry is as fresh as the last file given.
- One transaction for the whole file, and one import at a time (db.serialized_write: an advisory lock
  on PostgreSQL, the write lock on SQLite): two importers at once would both find a file or a row not
  yet held and both store it, and neither would supersede what the other brought.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from . import db
from .identity import maker_key
from .matching import gc_paused
from .model import RegistryEntry, RegistrySource
from .registry_file import ParsedEntry, parse_registry
from .summaries import RegistryImportSummary
from .tables import RegistryEntryRow, RegistrySourceRow

if TYPE_CHECKING:
    from .store import Store


def import_registry(store: Store, path: Path, source: str | None = None) -> RegistryImportSummary:
    parsed = parse_registry(path)
    name = (source or parsed.file_name)[:300]
    sources, entries = RegistrySourceRow.__table__, RegistryEntryRow.__table__
    now = datetime.now(UTC)

    def summary(imported: int, unchanged: int, superseded: int) -> RegistryImportSummary:
        return RegistryImportSummary(
            name, parsed.file_name, parsed.sha256, imported, unchanged, superseded, parsed.errors
        )

    with db.serialized_write(store.engine, "registry") as conn:
        if conn.execute(sa.select(sources.c.id).where(sources.c.sha256 == parsed.sha256)).first():
            return summary(0, len(parsed.entries), 0)
        source_id = conn.execute(
            sources.insert().returning(sources.c.id),
            {
                "name": name,
                "file_name": parsed.file_name[:500],
                "sha256": parsed.sha256,
                "imported_at": now,
                "row_count": len(parsed.entries),
                "error_count": len(parsed.errors),
            },
        ).scalar_one()
        active = entries.c.superseded_by_source_id.is_(None)
        held = set(conn.execute(sa.select(entries.c.content_key).where(active)).scalars())
        maker_keys: dict[str, str] = {}  # a registry names few makers many times; normalize each once
        new_rows: list[dict[str, object]] = []
        keys_in_file: dict[tuple[str, str], set[str]] = defaultdict(set)
        unchanged = 0
        for entry in parsed.entries:
            content = entry.content_key()
            keys_in_file[(entry.certificate_type, entry.certificate_no)].add(content)
            if content in held:
                unchanged += 1
                continue
            held.add(content)
            if entry.manufacturer not in maker_keys:
                maker_keys[entry.manufacturer] = maker_key(entry.manufacturer, store.catalog)
            new_rows.append(_row(entry, source_id, content, maker_keys[entry.manufacturer]))
        superseded = 0
        if keys_in_file:
            numbers = sorted({no for _, no in keys_in_file})
            stale: list[int] = []
            for start in range(0, len(numbers), 500):
                query = sa.select(
                    entries.c.id, entries.c.certificate_type, entries.c.certificate_no, entries.c.content_key
                ).where(active, entries.c.certificate_no.in_(numbers[start : start + 500]))
                for entry_id, cert_type, cert_no, content in conn.execute(query):
                    kept = keys_in_file.get((cert_type, cert_no))
                    if kept is not None and content not in kept:
                        stale.append(entry_id)
            for start in range(0, len(stale), 500):
                conn.execute(
                    entries.update()
                    .where(entries.c.id.in_(stale[start : start + 500]))
                    .values(superseded_by_source_id=source_id, superseded_at=now)
                )
            superseded = len(stale)
        if new_rows:
            conn.execute(entries.insert(), new_rows)
    return summary(len(new_rows), unchanged, superseded)


def _row(entry: ParsedEntry, source_id: int, content: str, maker: str) -> dict[str, object]:
    return {
        "source_id": source_id,
        "source_row": entry.source_row,
        "manufacturer": entry.manufacturer,
        "maker_key": maker,
        "business_no": entry.business_no,
        "model": entry.model,
        "model_pattern": entry.model_pattern,
        "firmware": entry.firmware,
        "item_name": entry.item_name,
        "item_no": entry.item_no,
        "part": entry.part,
        "certificate_type": entry.certificate_type,
        "certificate_no": entry.certificate_no,
        "valid_from": entry.valid_from,
        "valid_to": entry.valid_to,
        "content_key": content,
    }


def load_entries(conn: sa.Connection, manufacturer_key: str | None = None) -> list[RegistryEntry]:
    """Every entry in force (not superseded), with its provenance, in import order."""
    entries, sources = RegistryEntryRow.__table__, RegistrySourceRow.__table__
    query = (
        sa.select(entries, sources.c.name, sources.c.file_name, sources.c.sha256, sources.c.imported_at)
        .join(sources, sources.c.id == entries.c.source_id)
        .where(entries.c.superseded_by_source_id.is_(None))
        .order_by(entries.c.id)
    )
    if manufacturer_key is not None:
        query = query.where(entries.c.maker_key == manufacturer_key)
    source_cache: dict[tuple, RegistrySource] = {}
    out: list[RegistryEntry] = []
    with gc_paused():
        out.extend(_entries(conn.execute(query).mappings(), source_cache))
    return out


def _entries(rows, source_cache: dict[tuple, RegistrySource]):  # type: ignore[no-untyped-def]
    for row in rows:
        key = (row["name"], row["file_name"], row["sha256"], row["imported_at"])
        source = source_cache.get(key)
        if source is None:
            source = source_cache[key] = RegistrySource(*key)
        yield (
            RegistryEntry(
                id=row["id"],
                manufacturer=row["manufacturer"],
                business_no=row["business_no"],
                model=row["model"],
                model_pattern=row["model_pattern"],
                firmware=row["firmware"],
                item_name=row["item_name"],
                item_no=row["item_no"],
                part=row["part"],
                certificate_type=row["certificate_type"],
                certificate_no=row["certificate_no"],
                valid_from=row["valid_from"],
                valid_to=row["valid_to"],
                source=source,
                source_row=row["source_row"],
            )
        )


def registry_entries(store: Store, manufacturer: str | None = None) -> list[RegistryEntry]:
    key = maker_key(manufacturer, store.catalog) if manufacturer else None
    with store.engine.connect() as conn:
        return load_entries(conn, key)


def registry_sources(conn: sa.Connection) -> list[RegistrySource]:
    sources = RegistrySourceRow.__table__
    rows = conn.execute(
        sa.select(sources.c.name, sources.c.file_name, sources.c.sha256, sources.c.imported_at).order_by(
            sources.c.id
        )
    )
    return [RegistrySource(*row) for row in rows]
