"""`cctv-inventory scan`: parse options, build a ScanRequest, call scanner.engine.run_scan, render.
`cctv-inventory recover`: the scan file from the journal a killed scan left (scanner.serialize).

Exit codes: 0 the scan ran (failed devices included), 2 the scan could not run
(scope, credentials, output path, a journal of an interrupted scan in the way), 4 the --db database cannot be
opened (checked before scanning, nothing sent) or refused the scan once it ran (the scan is kept in a file),
130 interrupted (what was collected is written, complete=false).
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

EXIT_CANNOT_RUN = 2
EXIT_DATABASE = 4  # the scan ran, but the database refused it (the scan file is kept)
EXIT_INTERRUPTED = 130


def _observer(plain: bool):
    from scanner.observer import PlainObserver, RichObserver

    if not plain and sys.stderr.isatty():
        return RichObserver()
    return PlainObserver()


SUMMARY_ROWS = 40  # the JSON has every device; the terminal gets the ones that need a look


def _model_cell(device) -> str:
    """The model; for a device that could not be read, what its WS-Discovery scopes announce, marked so."""
    from rich.markup import escape

    from scanner.scopes import announced_identity

    if device.model or device.status == "ok":
        return escape(device.model or "")
    announced = announced_identity(device.scopes)
    shown = announced and (announced.hardware or announced.name)
    return f"[dim](announced) {escape(shown)}[/dim]" if shown else ""


def _summary(result) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(stderr=False, highlight=False, width=None if sys.stdout.isatty() else 140)
    notable = [d for d in result.devices if d.status != "ok" or d.suspected_relabel]
    rest = [d for d in result.devices if d not in notable] if len(notable) < SUMMARY_ROWS else []
    shown = (notable + rest)[:SUMMARY_ROWS]
    title = f"{result.site}: {len(result.devices)} device(s)" + ("" if result.complete else " — cut short")
    table = Table(title=title)
    for column in ("address", "status", "role", "manufacturer", "model", "firmware", "relabel?", "reason"):
        table.add_column(column, overflow="fold")
    for d in shown:
        # Device strings are untrusted: escape() keeps "[...]" in them from being read as Rich markup.
        table.add_row(d.address, d.status, d.role, escape(d.manufacturer or ""), _model_cell(d),
                      escape(d.firmware or ""),
                      escape(d.suspected_relabel.likely_maker) if d.suspected_relabel else "",
                      escape(d.status_reason[:80]))
    console.print(table)
    if len(result.devices) > len(shown):
        console.print(f"… {len(result.devices) - len(shown)} more device(s) in the scan file")
    counts: dict[str, int] = {}
    for d in result.devices:
        counts[d.status] = counts.get(d.status, 0) + 1
    console.print("  ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "no devices found")
    not_onvif = [o for o in result.other_responders if not o.outside_scope]
    outside = [o for o in result.other_responders if o.outside_scope]
    if not_onvif:
        # Not ONVIF (a PC, a NAS, a printer): a PC here may be a VMS server the site file should declare.
        console.print(f"other WS-Discovery hosts, not ONVIF, not interrogated: "
                      f"{_listed(not_onvif, lambda o: ' '.join(o.types) or 'no types')}")
    if outside:
        # On the wire but outside the scope given (a camera on its factory address): never contacted.
        console.print(f"answered from outside the scope, never contacted: {_listed(outside, _announced)}")
    for check in result.host_checks:
        state = "answers" if check.answered else "not checked" if not check.tried else "silent"
        console.print(f"declared host {check.address}: {state} ({check.detail})")


def _listed(responders, describe, shown: int = 10) -> str:
    from rich.markup import escape

    text = ", ".join(f"{o.address} ({escape(describe(o))})" for o in responders[:shown])
    return text + (f", … {len(responders) - shown} more" if len(responders) > shown else "")


def _announced(responder) -> str:
    from scanner.scopes import announced_identity

    said = announced_identity(responder.scopes)
    return (said.summary() if said else "") or " ".join(responder.types) or "no types"


def _database_url(url: str) -> str:
    if "://" not in url:  # a plain path means a SQLite file, as the "SQLite path" says
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    return url


def _check_database(url: str) -> None:
    """Open the --db database before scanning: one that cannot be opened (a mistyped path or URL, a server
    that is down, a file that is no database) was found only after the whole site had been scanned."""
    from inventory.store import Store

    from ..messages import first_line

    try:
        with Store.open(_database_url(url)):
            pass
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy's, the driver's and ours: each is "cannot open"
        typer.echo(f"cannot scan: --db: cannot open the database: {first_line(exc)} (nothing was scanned)",
                   err=True)
        raise typer.Exit(EXIT_DATABASE) from None


def _save_db(url: str, result, json_out: Path | None) -> None:
    """Hand the scan to the inventory; if the database refuses, the scan is still kept in a file."""
    from inventory.errors import InventoryError
    from inventory.store import Store
    from scanner.serialize import write_scan_json

    try:
        with Store.open(_database_url(url)) as store:
            saved = store.save_scan(result)
    except (InventoryError, OSError) as exc:
        kept = json_out or Path(f"scan-{result.scan_id}.json")
        if json_out is None:
            write_scan_json(result, kept)
        typer.echo(f"--db: the database refused the scan ({exc}); the scan is kept in {kept}", err=True)
        raise typer.Exit(EXIT_DATABASE) from None
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy's errors (bad URL, server down): same outcome
        kept = json_out or Path(f"scan-{result.scan_id}.json")
        if json_out is None:
            write_scan_json(result, kept)
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        typer.echo(f"--db: cannot store the scan ({type(exc).__name__}: {reason}); the scan is kept in {kept}",
                   err=True)
        raise typer.Exit(EXIT_DATABASE) from None
    typer.echo(f"stored scan {result.scan_id} in the database" + ("" if saved.created else " (already there)"),
               err=True)


def register(app: typer.Typer) -> None:
    @app.command("scan")
    def scan_command(
        interface: Annotated[list[str], typer.Option("--interface", "-i", help="Interface to multicast WS-Discovery from (repeatable).")] = [],  # noqa: B006
        target: Annotated[list[str], typer.Option("--target", "-t", help="CIDR, HOST or HOST:PORT to probe by unicast (repeatable).")] = [],  # noqa: B006
        credentials: Annotated[Path | None, typer.Option("--credentials", help="YAML list of {scope, username, password}; must be chmod 600.")] = None,
        site: Annotated[str, typer.Option("--site", help="Site name recorded in the scan.")] = "unnamed site",
        db: Annotated[str | None, typer.Option("--db", help="SQLite path or PostgreSQL URL to store the scan in.")] = None,
        json_out: Annotated[Path | None, typer.Option("--json-out", help="Write the scan as JSON (atomically).")] = None,
        concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=4096, help="Devices interrogated at once.")] = 256,
        timeout: Annotated[float, typer.Option("--timeout", min=0.5, max=600, help="Deadline per device, seconds.")] = 10.0,
        no_multicast: Annotated[bool, typer.Option("--no-multicast", help="Only unicast to --target.")] = False,
        allow_public: Annotated[bool, typer.Option("--allow-public", help="Allow public address ranges.")] = False,
        workers: Annotated[int | None, typer.Option("--workers", min=0, max=64, help="Interrogation processes (default: one per core, at most 2; 0: none).")] = None,
        plain: Annotated[bool, typer.Option("--plain", help="Plain progress lines even on a terminal.")] = False,
        keep_responses: Annotated[Path | None, typer.Option("--keep-responses", help="Keep every raw device answer in this directory as evidence, named by its SHA-256.")] = None,
        check_host: Annotated[list[str], typer.Option("--check-host", help="A declared host that speaks no ONVIF (VMS server, terminal): check it answers over TCP, inside the scope only (repeatable).")] = [],  # noqa: B006
    ) -> None:
        """Discover and interrogate the CCTV devices in scope; write JSON and/or store the scan."""
        from scanner.credentials import CredentialBook, load_credentials
        from scanner.engine import ScanRequest, scan_until_signalled
        from scanner.errors import ScanError
        from scanner.scope import is_ipv4_address, resolve_scope
        from scanner.serialize import journal_path, write_scan_json

        try:
            book = load_credentials(credentials) if credentials else CredentialBook()
            resolve_scope(interface, target, multicast=not no_multicast, allow_public=allow_public)
        except ScanError as exc:
            typer.echo(f"cannot scan: {exc}", err=True)
            raise typer.Exit(EXIT_CANNOT_RUN) from None
        for host in check_host:
            if not is_ipv4_address(host):
                typer.echo(f"cannot scan: --check-host {host!r} is not one IPv4 address", err=True)
                raise typer.Exit(EXIT_CANNOT_RUN)
        if json_out is not None and not json_out.resolve().parent.is_dir():
            typer.echo(f"cannot scan: the directory for --json-out {json_out} does not exist", err=True)
            raise typer.Exit(EXIT_CANNOT_RUN)
        if json_out is not None and json_out.is_dir():  # found only after the whole scan, as a traceback
            typer.echo(f"cannot scan: --json-out {json_out} is a directory; name the scan file in it", err=True)
            raise typer.Exit(EXIT_CANNOT_RUN)
        # Every finished device also goes to <json-out>.journal at once: if this process is killed outright,
        # `cctv-inventory recover` turns that into the scan file. With --db alone there is no scan file
        # to name it after, but a kill must lose nothing all the same: it goes in the current directory.
        journal = journal_path(json_out) if json_out is not None else None
        if journal is None and db:
            journal = Path(f"scan-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{os.getpid()}.json.journal")
        if db:
            _check_database(db)
        if journal is not None and journal.exists():
            typer.echo(f"cannot scan: {journal} holds the journal of an interrupted scan; recover it with "
                       f"`cctv-inventory recover {journal}` (or delete it) first", err=True)
            raise typer.Exit(EXIT_CANNOT_RUN)
        request = ScanRequest(interfaces=tuple(interface), targets=tuple(target), credentials=book, site=site,
                              concurrency=concurrency, timeout_s=timeout, multicast=not no_multicast,
                              allow_public=allow_public, workers=workers, journal=journal,
                              check_hosts=tuple(check_host), responses_dir=keep_responses)
        try:
            result, _ = scan_until_signalled(request, _observer(plain))  # SIGINT/SIGTERM: complete=False
        except ScanError as exc:
            typer.echo(f"cannot scan: {exc}", err=True)
            raise typer.Exit(EXIT_CANNOT_RUN) from None
        if json_out is not None:
            try:
                write_scan_json(result, json_out)
            except OSError as exc:  # a full disk: the journal holds every device read; it stays
                typer.echo(f"cannot write {json_out} ({exc.strerror or exc}); the {len(result.devices)} device(s) "
                           f"read are kept in {journal}: `cctv-inventory recover {journal} --json-out FILE`",
                           err=True)
                raise typer.Exit(EXIT_CANNOT_RUN) from None
            journal.unlink(missing_ok=True)  # type: ignore[union-attr] - the scan file now holds it all
        if db:
            try:
                _save_db(db, result, json_out)
            except typer.Exit:  # refused, and kept in a scan file instead: the journal has done its work
                journal.unlink(missing_ok=True)
                raise
            journal.unlink(missing_ok=True)  # stored (a write that failed raised: the journal stays)
        _summary(result)
        if not result.complete:
            raise typer.Exit(EXIT_INTERRUPTED)

    app.command("recover")(_recover_command)


def _recover_command(
    journal: Annotated[Path, typer.Argument(help="The <scan file>.journal a killed scan left behind.")],
    json_out: Annotated[Path | None, typer.Option("--json-out", help="Scan file to write (default: the journal's name without .journal).")] = None,
    db: Annotated[str | None, typer.Option("--db", help="SQLite path or PostgreSQL URL to store the recovered scan in.")] = None,
) -> None:
    """Turn the journal of a scan that was killed (SIGKILL, power loss) into its scan file, marked complete=false."""
    from scanner.serialize import ScanFileError, read_journal, read_scan_json, scan_file_of, write_scan_json

    try:
        result = read_journal(journal)
    except (ScanFileError, OSError) as exc:
        typer.echo(f"cannot recover: {journal}: {exc.strerror if isinstance(exc, OSError) and exc.strerror else exc}",
                   err=True)
        raise typer.Exit(EXIT_CANNOT_RUN) from None
    json_out = json_out or scan_file_of(journal)
    if json_out.exists():
        if _holds_the_journal(json_out, result):
            # Killed after its scan file was written and before the journal was deleted (audit then says
            # to recover, and this refused: the user was sent in a circle). Nothing in it is missing there.
            journal.unlink()
            typer.echo(f"{json_out} already holds scan {result.scan_id} with every device of {journal}; the "
                       "journal was left by a process stopped after writing it, and is deleted", err=True)
            if db:
                _save_db(db, read_scan_json(json_out), json_out)
            return
        # The scan file of an earlier scan, most likely: evidence too, never overwritten here.
        typer.echo(f"cannot recover: {json_out} exists; name another file with --json-out", err=True)
        raise typer.Exit(EXIT_CANNOT_RUN)
    try:
        write_scan_json(result, json_out)
    except OSError as exc:  # a folder that is not there, a full disk: a traceback before
        typer.echo(f"cannot recover: cannot write {json_out} ({exc.strerror or exc}); {journal} is kept as it was",
                   err=True)
        raise typer.Exit(EXIT_CANNOT_RUN) from None
    journal.unlink()  # everything it held is in the scan file now
    typer.echo(f"recovered {len(result.devices)} device(s) of scan {result.scan_id} into {json_out} "
               "(marked complete=false)", err=True)
    if db:
        _save_db(db, result, json_out)


def _holds_the_journal(scan_file: Path, journalled) -> bool:  # journalled: the ScanResult read_journal gave
    """Whether `scan_file` is the same scan as the journal's, with every device the journal holds."""
    from scanner.serialize import ScanFileError, read_scan_json

    try:
        written = read_scan_json(scan_file)
    except (ScanFileError, OSError):
        return False
    kept = {d.address for d in written.devices}
    return written.scan_id == journalled.scan_id and all(d.address in kept for d in journalled.devices)

