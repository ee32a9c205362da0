"""Declared equipment: the contract's list of what should be on site, imported per site.

The file is the whole list: importing one replaces the site's previous list (contracts are amended as a
whole); the same file again changes nothing. Imports of one site's list wait for each other
(db.serialized_write, then a lock per site), so the last one is the list, never two lists at once.
Columns (names from config/registry_columns.yaml): part, manufacturer, model, quantity, optional serials
and addresses (`;`-separated). A blank quantity is the number of serials listed, else 1.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from . import db
from .columns import load_columns
from .errors import DeclaredFileError, RowError
from .model import DeclaredItem
from .sites import named
from .summaries import DeclaredImportSummary
from .tables import DeclaredItemRow, Site
from .tabular import read_table
from .values import positive_int, text

if TYPE_CHECKING:
    from .store import Store


def _split(value: object) -> tuple[str, ...]:
    raw = text(value)
    return tuple(p.strip() for p in re.split(r"[;\n]", raw) if p.strip()) if raw else ()


def parse_declared(path: Path) -> tuple[str, list[DeclaredItem], list[RowError]]:
    table = load_columns()
    path = Path(path)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise DeclaredFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    sheet = read_table(path, table, table.required.get("declared", ()), DeclaredFileError)
    items: list[DeclaredItem] = []
    errors: list[RowError] = []
    for number, cells in sheet.rows:

        def get(field: str, cells=cells):  # type: ignore[no-untyped-def]
            index = sheet.columns.get(field)
            return cells[index] if index is not None and index < len(cells) else None

        try:
            maker, model = text(get("manufacturer")), text(get("model"))
            if not maker:
                raise ValueError("no manufacturer (제조사)")
            if not model:
                raise ValueError("no model (모델명)")
            part_text = text(get("part"))
            part = table.part_of(part_text) if part_text else None
            if part_text and part is None:
                raise ValueError(f"unknown part {part_text!r}")
            serials = _split(get("serials"))
            quantity = positive_int(get("quantity"), "quantity") or max(len(serials), 1)
            if len(serials) > quantity:
                raise ValueError(f"{len(serials)} serials listed for a quantity of {quantity}")
            items.append(
                DeclaredItem(part, maker, model, quantity, serials, _split(get("addresses")), number)  # type: ignore[arg-type]
            )
        except ValueError as exc:
            errors.append(RowError(number, str(exc)))
    return digest, items, errors


def import_declared(store: Store, path: Path, site: str) -> DeclaredImportSummary:
    from .store import ensure_site

    digest, items, errors = parse_declared(path)
    table = DeclaredItemRow.__table__
    with db.serialized_write(store.engine, None) as conn:
        site_id = ensure_site(conn, site)
        # One import per site at a time (by id: a former name is the same site): two at once would each
        # delete the list they saw and both insert theirs.
        db.advisory_lock(conn, f"declared:{site_id}")
        held = (
            conn.execute(sa.select(table.c.source_sha256).where(table.c.site_id == site_id)).scalars().all()
        )
        if held and set(held) == {digest}:
            return DeclaredImportSummary(site, Path(path).name, digest, len(held), 0, True, tuple(errors))
        if held:
            conn.execute(table.delete().where(table.c.site_id == site_id))
        now = datetime.now(UTC)
        if items:
            conn.execute(
                table.insert(),
                [
                    {
                        "site_id": site_id,
                        "source_file": Path(path).name,
                        "source_sha256": digest,
                        "source_row": i.source_row,
                        "part": i.part,
                        "manufacturer": i.manufacturer,
                        "model": i.model,
                        "quantity": i.quantity,
                        "serials_json": json.dumps(list(i.serials), ensure_ascii=False),
                        "addresses_json": json.dumps(list(i.addresses), ensure_ascii=False),
                        "imported_at": now,
                    }
                    for i in items
                ],
            )
    return DeclaredImportSummary(site, Path(path).name, digest, len(items), len(held), False, tuple(errors))


def load_declared(conn: sa.Connection, site: str) -> list[DeclaredItem]:
    table, sites = DeclaredItemRow.__table__, Site.__table__
    rows = conn.execute(
        sa.select(table)
        .join(sites, sites.c.id == table.c.site_id)
        .where(named(site))
        .order_by(table.c.source_row, table.c.id)
    ).mappings()
    return [
        DeclaredItem(
            part=r["part"],
            manufacturer=r["manufacturer"],
            model=r["model"],
            quantity=r["quantity"],
            serials=tuple(json.loads(r["serials_json"])),
            addresses=tuple(json.loads(r["addresses_json"])),
            source_row=r["source_row"],
        )
        for r in rows
    ]


def declared_items(store: Store, site: str) -> list[DeclaredItem]:
    with store.engine.connect() as conn:
        return load_declared(conn, site)
