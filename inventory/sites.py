"""Site names and renames.

A site is stored under the name its scans carry. `rename_site(store, old, new)` renames a site (a typo
fixed, a site renamed by the agency) or, when `new` is already a site, merges `old` into it: its scans,
reports and declared list move over. Either way `old` is kept as an alias of the site, so a later bundle
or declared list still carrying the old name (the installer's laptop did not change) lands on the same
site instead of bringing the old one back, and `--site OLD` still finds it. The stored scan and report
documents are evidence and keep the name they were written (and signed) under.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from . import db
from .errors import InventoryError
from .tables import DeclaredItemRow, Scan, Site, SiteAlias

if TYPE_CHECKING:
    from .store import Store


class SiteRenameError(InventoryError):
    """A rename that cannot be done as asked (unknown site, a name in use, two declared lists)."""


@dataclass(frozen=True)
class SiteRename:
    old: str
    new: str
    merged: bool  # True: `new` was a site already and `old`'s scans joined it
    scans_moved: int

    def to_dict(self) -> dict[str, object]:
        return {"old": self.old, "new": self.new, "merged": self.merged, "scans_moved": self.scans_moved}


def named(name: str) -> sa.ColumnElement[bool]:
    """WHERE clause on `sites`: the site called `name`, or the site `name` was renamed to."""
    sites, aliases = Site.__table__, SiteAlias.__table__
    return sa.or_(sites.c.name == name, sites.c.id.in_(sa.select(aliases.c.site_id).where(aliases.c.name == name)))


def aliased_site(conn: sa.Connection, name: str) -> int | None:
    aliases = SiteAlias.__table__
    return conn.execute(sa.select(aliases.c.site_id).where(aliases.c.name == name)).scalar()


def rename_site(store: Store, old: str, new: str) -> SiteRename:
    old, new = old.strip(), new.strip()
    if not old or not new or old == new:
        raise SiteRenameError("give the site's current name and a different new name")
    sites, aliases, scans = Site.__table__, SiteAlias.__table__, Scan.__table__
    declared = DeclaredItemRow.__table__
    now = datetime.now(UTC)
    with db.serialized_write(store.engine, "sites") as conn:

        def site_id(name: str) -> int | None:
            return conn.execute(sa.select(sites.c.id).where(sites.c.name == name)).scalar()

        old_id = site_id(old)
        if old_id is None:
            target = aliased_site(conn, old)
            if target is not None:
                current = conn.execute(sa.select(sites.c.name).where(sites.c.id == target)).scalar_one()
                raise SiteRenameError(f"{old!r} is no longer a site: it was renamed to {current!r}")
            raise SiteRenameError(f"no site {old!r} is stored")
        new_id = site_id(new)
        former = aliased_site(conn, new)
        if former is not None and former != old_id:
            current = conn.execute(sa.select(sites.c.name).where(sites.c.id == former)).scalar_one()
            raise SiteRenameError(f"{new!r} is a former name of site {current!r}: rename {old!r} to {current!r}")
        if former == old_id:  # renamed back to a name it had: that name is no longer an alias
            conn.execute(aliases.delete().where(aliases.c.name == new))
        moved = conn.execute(sa.select(sa.func.count()).where(scans.c.site_id == old_id)).scalar_one()
        if new_id is None:
            conn.execute(sites.update().where(sites.c.id == old_id).values(name=new))
            target_id = old_id
        else:
            lists = conn.execute(
                sa.select(declared.c.site_id).where(declared.c.site_id.in_((old_id, new_id))).distinct()
            ).scalars().all()
            if len(lists) == 2:
                raise SiteRenameError(
                    f"both {old!r} and {new!r} have a declared list: import the right list for {new!r} "
                    f"after the merge; remove neither by guessing (nothing was changed)")
            conn.execute(scans.update().where(scans.c.site_id == old_id).values(site_id=new_id))
            conn.execute(declared.update().where(declared.c.site_id == old_id).values(site_id=new_id))
            conn.execute(aliases.update().where(aliases.c.site_id == old_id).values(site_id=new_id))
            conn.execute(sites.delete().where(sites.c.id == old_id))
            target_id = new_id
        conn.execute(aliases.insert(), {"name": old, "site_id": target_id, "renamed_at": now})
    return SiteRename(old, new, merged=new_id is not None, scans_moved=moved)
