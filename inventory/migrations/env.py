"""Alembic environment, run programmatically by inventory/db.py (no alembic.ini anywhere).

db.py opens the connection and passes it in `config.attributes["connection"]`, so the URL (and with it a
PostgreSQL `search_path` given as `options=-csearch_path=...`) is exactly the one the store uses; the
`alembic_version` table then lands in that same schema.
"""

from __future__ import annotations

from alembic import context

from inventory.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable through the alembic CLI, which we do not ship
    raise RuntimeError("run migrations through `cctv-inventory db upgrade`, not the alembic command")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things in place
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
