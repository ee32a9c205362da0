"""The auditor's commands (issue 8): import-bundle, sites, rename-site, rollup, diff.

Wiring only: each command resolves the database URL, opens the store, calls one library function
(cctv_inventory.bundle, inventory.queries, inventory.diff, reports.rollup) and prints or writes.

Exit codes: 0 done; 3 a bundle was refused or an input is bad (message names what); 4 the database
could not be opened or is out of date. (1 and 2 are the `audit` verdicts; the auditor commands give no
verdict of their own.)

The database URL: `--db`, else the environment variable CCTV_INVENTORY_DB, else
`$XDG_CONFIG_HOME/cctv-inventory/config.toml` (default ~/.config/...) with `[database] url = "..."`,
else the local SQLite file. A central URL with a password belongs in the environment or in that file
(mode 600), never on a command line that lands in shell history; the file is refused when group or
others can read it and the URL holds a password.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import tomllib
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from ..messages import first_line

ENV_DB = "CCTV_INVENTORY_DB"
EXIT_BAD_INPUT = 3
EXIT_DATABASE = 4

DB_HELP = (
    f"Database URL. Better: set {ENV_DB} or \\[database] url in ~/.config/cctv-inventory/config.toml, "
    "so a password never lands in shell history."
)


class ConfigError(Exception):
    pass


def config_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "cctv-inventory" / "config.toml"


def _has_password(url: str) -> bool:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return bool(make_url(url).password)
    except ArgumentError:
        return False


def url_from_config(path: Path | None = None) -> str | None:
    path = path or config_file()
    try:
        raw = path.read_bytes()
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    database = data.get("database")
    if database is None:
        return None
    url = database.get("url") if isinstance(database, dict) else None
    if not isinstance(url, str) or not url:
        raise ConfigError(f"{path}: [database] url must be a non-empty string")
    if mode & (stat.S_IRWXG | stat.S_IRWXO) and _has_password(url):
        raise ConfigError(
            f"{path}: holds a database password but group/others may read it; run `chmod 600 {path}`"
        )
    return url


def resolve_db_url(option: str | None) -> str | None:
    """--db, else $CCTV_INVENTORY_DB, else the config file; None means the store's local SQLite default."""
    if option:
        if _has_password(option):
            typer.echo(
                f"warning: --db holds a password, which is now in your shell history; use {ENV_DB} "
                f"or {config_file()} instead",
                err=True,
            )
        return option
    if os.environ.get(ENV_DB):
        return os.environ[ENV_DB]
    return url_from_config()


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _open_store(db: str | None):
    from inventory.store import Store

    try:
        url = resolve_db_url(db)
    except ConfigError as exc:
        raise _fail(str(exc), EXIT_BAD_INPUT) from None
    try:
        return Store.open(url)
    except Exception as exc:  # noqa: BLE001 - the store's own errors say what to do; show them, no traceback
        raise _fail(f"cannot open the database: {first_line(exc)}", EXIT_DATABASE) from None


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


# --- commands ----------------------------------------------------------------------


def import_bundle_cmd(
    files: Annotated[
        list[Path], typer.Argument(help="Evidence bundle(s) (bundle.zip) to import.", show_default=False)
    ],
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    key: Annotated[
        Path | None,
        typer.Option("--key", help="Installer's public key: the report signature must verify against it."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")] = False,
) -> None:
    """Verify evidence bundles and store their scan, report and registry digests under the site.

    A tampered bundle is refused with the member that fails; the others are still imported. Importing the same bundle twice changes nothing.

    Exit codes: 0 every bundle imported (or already there); 3 a bundle was refused; 4 the database could not be opened or refused the write.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from cctv_inventory.bundle import BundleError, import_bundle
    from reports.integrity import IntegrityError, check_public_key

    if key is not None:  # else every bundle was REFUSED for the auditor's own mistyped path
        try:
            check_public_key(key)
        except IntegrityError as exc:
            raise _fail(f"--key {exc}", EXIT_BAD_INPUT) from None
    outcomes: list[dict[str, Any]] = []
    refused = 0
    with _open_store(db) as store:
        for path in files:
            try:
                outcome = import_bundle(path, store, public_key=key)
            except BundleError as exc:
                refused += 1
                outcomes.append(
                    {"bundle": str(path), "refused": True, "member": exc.member, "reason": exc.reason}
                )
                typer.echo(f"REFUSED {path}: {exc}", err=True)
                continue
            except SQLAlchemyError as exc:
                # e.g. a read-only viewer role: the store rolled back, nothing half-written; stop here.
                raise _fail(f"{path}: the database refused the write ({first_line(exc)})", EXIT_DATABASE) from None
            outcomes.append(outcome.to_dict())
            if not as_json:
                what = "imported" if outcome.changed_anything else "already imported, nothing changed"
                signed = (
                    "signature verified" if outcome.signature_checked else "signature not checked (no --key)"
                )
                answers = ""
                if outcome.responses or outcome.responses_not_kept:
                    answers = f"; {outcome.responses} device answers checked against their names"
                    if outcome.responses_not_kept:
                        answers += f", {outcome.responses_not_kept} cited but never kept on site (kept: false in the scan)"
                typer.echo(f"{path}: {what} — site {outcome.site!r}, scan {outcome.scan_id}; {signed}{answers}")
    if as_json:
        _print_json(outcomes)
    if refused:
        raise typer.Exit(EXIT_BAD_INPUT)


def sites_cmd(
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the sites as JSON.")] = False,
) -> None:
    """Every site with its latest scan date, verdict, per-part status, device count and open findings."""
    from inventory.queries import latest_reports, sites_without_report
    from reports.rollup import site_row

    with _open_store(db) as store:
        # the site's name now (rename-site), not the one its latest report was signed under
        rows = [site_row(doc, site) for site, doc in latest_reports(store)]
        # by the site, not by the name in its latest report: after rename-site the two differ
        unassessed = sites_without_report(store)
    if as_json:
        _print_json(
            {
                "sites": [
                    {
                        "site": r.site,
                        "report_site": r.report_site,  # the name in the report; differs after rename-site
                        "scan_id": r.scan_id,
                        "scanned_at": r.scanned_at,
                        "policy_id": r.policy_id,
                        "verdict": r.verdict,
                        "parts": [p.__dict__ for p in r.parts],
                        "device_count": r.device_count,
                        "open_findings": r.open_findings,
                        "findings_by_severity": r.findings_by_severity,
                        "report_sha256": r.report_sha256,
                        "registry_sources": list(r.registry_sources),
                    }
                    for r in rows
                ],
                "scanned_without_report": unassessed,
            }
        )
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # Every cell is a Text, never markup: a site name, verdict or part comes from an installer's bundle,
    # and rich read "[/x]" in one as a closing tag (the command died with a MarkupError) and "[red]" as a style.
    table = Table(title=f"{len(rows)} site(s)")
    for header in ("site", "latest scan", "verdict", "parts (covered/devices)", "devices", "open findings"):
        table.add_column(header)
    for r in rows:
        parts = ", ".join(f"{p.part}: {p.status} ({p.covered}/{p.devices})" for p in r.parts)
        site = f"{r.site}\n(report: {r.report_site})" if r.report_site_differs else r.site
        cells = (site, r.scanned_at[:16], r.verdict, parts, str(r.device_count), str(r.open_findings))
        table.add_row(*map(Text, cells))
    console = Console()
    console.print(table)
    if unassessed:
        console.print(Text(f"scanned but no report stored yet: {', '.join(unassessed)}"))


def rename_site_cmd(
    old: Annotated[str, typer.Argument(help="The site's name as stored now (as `sites` lists it).")],
    new: Annotated[str, typer.Argument(help="Its new name; an existing site of that name: merge into it.")],
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")] = False,
) -> None:
    """Rename a site (a typo fixed), or merge it into the site NEW when that exists already.

    Its scans, reports and declared list stay with it; OLD is kept as an alias, so a later bundle still
    carrying the old name lands on the same site. Reports keep the name they were signed under.

    Exit codes: 0 done; 3 cannot be done as asked (unknown site, a name in use, two declared lists); 4 the database refused.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from inventory.sites import SiteRenameError

    with _open_store(db) as store:
        try:
            done = store.rename_site(old, new)
        except SiteRenameError as exc:
            raise _fail(str(exc), EXIT_BAD_INPUT) from None
        except SQLAlchemyError as exc:
            first_line = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise _fail(f"the database refused the rename ({first_line}); nothing changed", EXIT_DATABASE) from None
    if as_json:
        _print_json(done.to_dict())
        return
    what = "merged into" if done.merged else "renamed to"
    typer.echo(f"site {done.old!r} {what} {done.new!r} ({done.scans_moved} scan(s)); {done.old!r} is kept as an alias")


def _formats(value: str) -> list[str]:
    from reports.rollup import FORMATS

    chosen = [f.strip() for f in value.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise typer.BadParameter(f"choose from {', '.join(FORMATS)} (comma-separated)")
    return chosen


def rollup_cmd(
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    formats: Annotated[
        str, typer.Option("--format", help="Comma-separated: html, xlsx, json.")
    ] = "html,xlsx,json",
    out: Annotated[Path, typer.Option("--out", help="Directory for rollup.html/.xlsx/.json.")] = Path(
        "out/rollup"
    ),
    lang: Annotated[str, typer.Option("--lang", help="ko or en.")] = "ko",
    expiring_days: Annotated[
        int, typer.Option("--expiring-days", min=0, help="List certificates expiring within N days.")
    ] = 90,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date the expiry window starts (YYYY-MM-DD; today).")
    ] = None,
) -> None:
    """One report over all sites: targets met, localized parts, common makers, relabels, expiring certificates."""
    from inventory.queries import latest_reports
    from reports.rollup import build_rollup, write_rollup

    chosen = _formats(formats)
    if lang not in ("ko", "en"):
        raise typer.BadParameter("ko or en", param_hint="--lang")
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise typer.BadParameter("YYYY-MM-DD", param_hint="--as-of") from None
    with _open_store(db) as store:
        # no name keeps the documents alive once the rollup is built (they are ~100 MB for 500 sites)
        # each site under its name now, beside the report made under its name then (rename-site)
        rollup = build_rollup(latest_reports(store), as_of=day, expiring_days=expiring_days)
    for warning in rollup.warnings:  # a site left out, an unknown verdict: not only inside the files
        # in English, as every line the command prints; the files word them in --lang
        typer.echo(f"warning: {warning.text('en')}", err=True)
    try:
        written = write_rollup(rollup, out, chosen, lang)
    except OSError as exc:  # --out a file, or not writable: a traceback before
        raise _fail(f"cannot write the rollup to {out}: {exc.strerror or exc}", EXIT_BAD_INPUT) from None
    for path in written:
        typer.echo(str(path))
    typer.echo(f"{rollup.target_met} of {rollup.site_count} site(s) meet the target")


def diff_cmd(
    site: Annotated[str, typer.Option("--site", help="Site name as in its scans.")],
    from_scan: Annotated[
        str | None, typer.Option("--from", help="Earlier scan id (default: the second-latest).")
    ] = None,
    to_scan: Annotated[str | None, typer.Option("--to", help="Later scan id (default: the latest).")] = None,
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the diff as JSON.")] = False,
) -> None:
    """What changed between two scans of a site: replaced devices, firmware, new/missing, maker changes."""
    from inventory.diff import diff_scans
    from inventory.queries import ScanSelectionError, scans_to_compare

    with _open_store(db) as store:
        try:
            before, after = scans_to_compare(store, site, from_scan, to_scan)
        except ScanSelectionError as exc:
            raise _fail(str(exc), EXIT_BAD_INPUT) from None
    result = diff_scans(before, after)
    if as_json:
        _print_json(result.to_dict())
        return
    typer.echo(
        f"{site}: scan {result.from_scan} ({result.from_started_at[:16]}) -> {result.to_scan} "
        f"({result.to_started_at[:16]})"
    )
    for which, complete in (("earlier", result.from_complete), ("later", result.to_complete)):
        if not complete:
            typer.echo(f"  note: the {which} scan was cut short (complete=false); devices it did not reach are "
                       "no news of anything", err=True)
    for change in result.changes:
        typer.echo(f"  {change.kind:<16} {change.address:<16} {change.detail}")
    counts = ", ".join(f"{k} {n}" for k, n in result.counts().items() if n)
    typer.echo(
        f"{len(result.changes)} change(s){': ' + counts if counts else ''}; {result.unchanged} unchanged"
    )


def register(app: typer.Typer) -> None:
    app.command("import-bundle")(import_bundle_cmd)
    app.command("sites")(sites_cmd)
    app.command("rename-site")(rename_site_cmd)
    app.command("rollup")(rollup_cmd)
    app.command("diff")(diff_cmd)
