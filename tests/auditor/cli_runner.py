"""`cctv-inventory` as the CLI tests run it: the real app, with the auditor commands added if cli.py
does not register them yet (the lead adds `auditor` to cli.py's module list)."""

from __future__ import annotations

from cctv_inventory.cli import app
from cctv_inventory.commands import auditor

if not any(getattr(c, "name", None) == "sites" for c in app.registered_commands):
    auditor.register(app)

if __name__ == "__main__":
    app()
