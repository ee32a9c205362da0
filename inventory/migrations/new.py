"""Write the next migration from the difference between inventory/tables.py and the current schema.

    .venv/bin/python -m inventory.migrations.new "add a column for X"

Builds a throw-away SQLite database at the newest revision and lets Alembic's autogenerate compare it
with the tables; review the file it writes (autogenerate misses renames and some type changes), then
test it from empty and from the previous revision on both databases (tests/inventory/test_store_scans.py).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from inventory import db


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        engine = db.create_engine(f"sqlite:///{Path(tmp) / 'head.db'}")
        db.upgrade_engine(engine)
        with engine.begin() as conn:
            script = command.revision(db._alembic_config(conn), message=argv[0], autogenerate=True)
        engine.dispose()
    print(getattr(script, "path", script))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
