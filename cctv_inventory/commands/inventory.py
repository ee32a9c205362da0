"""`db upgrade`, `import-scan`, `registry import|list`, `declared import`: the inventory's commands.

Wiring only: resolve the database URL, open inventory.store.Store, call one method, print.

The database URL: `--db`, else $CCTV_INVENTORY_DB, else the auditor's config file (one resolution for
every command: cctv_inventory.commands.auditor.resolve_db_url), else ./cctv-inventory.db.

Exit codes: 0 done; 3 bad input: a file refused as a whole, or rows skipped (the good rows are imported
and the bad ones named); 4 the database cannot be opened, is out of date, or refused the write.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..messages import first_line

EXIT_BAD_INPUT = 3
EXIT_DATABASE = 4

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (else $CCTV_INVENTORY_DB, else ./cctv-inventory.db)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _url(db: str | None) -> str:
    from inventory.db import DEFAULT_DB_URL

    from .auditor import ConfigError, resolve_db_url

    try:
        return resolve_db_url(db) or DEFAULT_DB_URL
    except ConfigError as exc:
        raise _fail(str(exc), EXIT_BAD_INPUT) from None


def _open(db: str | None):  # type: ignore[no-untyped-def]
    from inventory.errors import InventoryError
    from inventory.store import Store

    try:
        return Store.open(_url(db))
    except InventoryError as exc:
        raise _fail(str(exc), EXIT_DATABASE) from None
    except Exception as exc:  # noqa: BLE001 - a driver error: show it without a traceback
        raise _fail(f"cannot open the database: {str(exc).splitlines()[0]}", EXIT_DATABASE) from None


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def _write_failure(exc: Exception, path: Path) -> typer.Exit:
    import sqlalchemy as sa

    from inventory.errors import InventoryError, SchemaOutOfDate

    if isinstance(exc, sa.exc.SQLAlchemyError):
        return _fail(f"{path}: the database refused the write ({first_line(exc)}); nothing of it was stored",
                     EXIT_DATABASE)
    if isinstance(exc, InventoryError):  # the store's refusal, e.g. a scan id stored with other content: was a traceback
        return _fail(f"{path}: {exc}", EXIT_DATABASE if isinstance(exc, SchemaOutOfDate) else EXIT_BAD_INPUT)
    raise exc


def _report_rows(errors, what: str) -> None:  # type: ignore[no-untyped-def]
    for error in errors:
        typer.echo(f"  row {error.row}: {error.message}", err=True)
    if errors:
        typer.echo(f"error: {len(errors)} row(s) of {what} skipped; the other rows were imported", err=True)


def register(app: typer.Typer) -> None:
    db_app = typer.Typer(help="The inventory database's schema.", no_args_is_help=True)
    registry_app = typer.Typer(help="The registry of certified components.", no_args_is_help=True)
    declared_app = typer.Typer(help="Declared equipment (the contract's list).", no_args_is_help=True)
    app.add_typer(db_app, name="db")
    app.add_typer(registry_app, name="registry")
    app.add_typer(declared_app, name="declared")

    @db_app.command("upgrade")
    def db_upgrade(db: DbOption = None) -> None:
        """Create or upgrade the schema (Alembic migrations) at --db."""
        from inventory import db as inventory_db

        url = _url(db)
        try:
            revision = inventory_db.upgrade(url)
        except Exception as exc:  # noqa: BLE001
            raise _fail(
                f"cannot upgrade {inventory_db.display_url(url)}: {str(exc).splitlines()[0]}", EXIT_DATABASE
            ) from None
        typer.echo(f"{inventory_db.display_url(url)}: schema at revision {revision}")

    @app.command("import-scan")
    def import_scan(
        files: Annotated[list[Path], typer.Argument(help="Scan files (scan.json) taken elsewhere.")],
        db: DbOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Store scan files in the inventory; a scan already stored changes nothing."""
        from scanner.serialize import ScanFileError, read_scan_json

        scans = []
        for path in files:
            try:
                scans.append(read_scan_json(path))
            except (ScanFileError, OSError) as exc:
                said = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                raise _fail(said if said.startswith(f"{path}:") else f"{path}: {said}", EXIT_BAD_INPUT) from None
        out = []
        with _open(db) as store:
            for path, scan in zip(files, scans, strict=True):
                try:
                    saved = store.save_scan(scan)
                except Exception as exc:  # noqa: BLE001
                    raise _write_failure(exc, path) from None
                out.append(
                    {"file": str(path), "scan_id": saved.scan_id, "site": scan.site, "created": saved.created}
                )
                if not as_json:
                    state = "stored" if saved.created else "already stored, nothing changed"
                    typer.echo(
                        f"{path}: scan {saved.scan_id} of {scan.site} ({len(scan.devices)} devices): {state}"
                    )
        if as_json:
            _print_json(out)

    @registry_app.command("import")
    def registry_import(
        file: Annotated[Path, typer.Argument(help="Registry file: CSV (UTF-8 or CP949) or XLSX.")],
        source: Annotated[
            str | None, typer.Option("--source", help="Name of the source (default: file name).")
        ] = None,
        db: DbOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Import a registry file; the same file again changes nothing, a newer one supersedes by certificate no."""
        from inventory.errors import InputFileError

        with _open(db) as store:
            try:
                summary = store.import_registry(file, source)
            except InputFileError as exc:
                raise _fail(str(exc), EXIT_BAD_INPUT) from None
            except Exception as exc:  # noqa: BLE001
                raise _write_failure(exc, file) from None
        if as_json:
            _print_json(summary.to_dict())
        else:
            typer.echo(
                f"{file}: {summary.imported} imported, {summary.unchanged} unchanged, "
                f"{summary.superseded} superseded (source {summary.source}, sha256 {summary.sha256[:12]}…)"
            )
        _report_rows(summary.errors, str(file))
        if summary.errors:
            raise typer.Exit(EXIT_BAD_INPUT)

    @registry_app.command("list")
    def registry_list(
        manufacturer: Annotated[
            str | None, typer.Option("--manufacturer", help="Only this maker (any spelling of its family).")
        ] = None,
        db: DbOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Show the registry entries in force."""
        from dataclasses import asdict

        with _open(db) as store:
            entries = store.registry_entries(manufacturer)
        if as_json:
            _print_json([asdict(e) for e in entries])
            return
        if not entries:
            typer.echo("no registry entries" + (f" for {manufacturer}" if manufacturer else ""))
            return
        from rich.console import Console
        from rich.table import Table

        table = Table("maker", "model", "firmware", "part", "certificate", "number", "valid", "source:row")
        for e in entries:
            model = e.model or e.model_pattern or f"(maker-level, {e.item_no})"
            valid = f"{e.valid_from or '…'} ~ {e.valid_to or '…'}"
            table.add_row(
                e.manufacturer,
                model,
                e.firmware or "",
                e.part or "",
                e.certificate_type,
                e.certificate_no,
                valid,
                f"{e.source.name}:{e.source_row}",
            )
        console = Console(markup=False, highlight=False)
        if not console.is_terminal:  # piped to a file: do not cut columns to 80 characters
            console = Console(markup=False, highlight=False, width=220)
        console.print(table)

    @declared_app.command("import")
    def declared_import(
        file: Annotated[Path, typer.Argument(help="The contract's equipment list: CSV or XLSX.")],
        site: Annotated[str, typer.Option("--site", help="The site the list belongs to.")],
        db: DbOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Import the declared equipment of a site (replaces that site's previous list)."""
        from inventory.errors import InputFileError

        with _open(db) as store:
            try:
                summary = store.import_declared(file, site)
            except InputFileError as exc:
                raise _fail(str(exc), EXIT_BAD_INPUT) from None
            except Exception as exc:  # noqa: BLE001
                raise _write_failure(exc, file) from None
        if as_json:
            _print_json(summary.to_dict())
        elif summary.unchanged:
            typer.echo(f"{file}: already the declared list of {site}; nothing changed")
        else:
            typer.echo(f"{file}: {summary.items} declared line(s) for {site} (replaced {summary.replaced})")
        _report_rows(summary.errors, str(file))
        if summary.errors:
            raise typer.Exit(EXIT_BAD_INPUT)
