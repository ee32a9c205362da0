"""`report`, `keygen`, `verify`: the localization report from a stored scan, and its integrity.

Wiring only: load the policy (reports.policy), load the matched scan through the inventory store,
assess (reports.assessment), write the formats (reports.writer), keep the report beside its scan
(store.save_report), print where everything went.

Exit codes
  report   0 written (whatever the verdict: the verdict is in the report and on stdout);
           3 bad input (policy, format, language, key, no such scan, or a database holding no registry
           entries without --allow-empty-registry); 4 database cannot be opened or read.
  keygen   0 written; 3 a key file exists already (never overwritten) or cannot be written.
  verify   0 digest ok (and signature ok when --key is given); 1 changed, bad or missing signature,
           or not a report; 3 the report or key file cannot be used (nothing was checked).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..messages import first_line

EXIT_CHANGED = 1
EXIT_BAD_INPUT = 3
EXIT_DATABASE = 4


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _formats(value: str) -> list[str]:
    from reports.formats import FORMATS

    names = [f.strip().lower() for f in value.split(",") if f.strip()]
    unknown = [f for f in names if f not in FORMATS]
    if unknown or not names:
        raise _fail(f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}",
                    EXIT_BAD_INPUT)
    return names


def _resolve_db(db: str | None) -> str | None:
    """--db, else $CCTV_INVENTORY_DB (and the auditor's config file), else the store's default."""
    from .auditor import ConfigError, resolve_db_url

    try:
        return resolve_db_url(db)
    except ConfigError as exc:
        raise _fail(str(exc), EXIT_BAD_INPUT) from None


def _open_store(db: str | None):
    """The inventory's store (a context manager); exit 4 with the store's own message when it fails."""
    from inventory.store import Store

    url = _resolve_db(db)
    try:
        store = Store.open(url)
    except Exception as exc:  # noqa: BLE001 - the store's message says what to do; no traceback
        raise _fail(f"cannot open the database: {first_line(exc)}", EXIT_DATABASE) from None
    return store


def report_command(
    scan: Annotated[str, typer.Option("--scan", help="Scan id, or `latest` (of --site when given).")] = "latest",
    site: Annotated[str | None, typer.Option("--site", help="Site name (picks the site's latest scan).")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Database URL (default: $CCTV_INVENTORY_DB, else local SQLite).")] = None,
    policy: Annotated[str, typer.Option("--policy", help="Policy name in config/policies/ or a policy file.")] = "kr-sme-parts-localization-2024",
    format: Annotated[str, typer.Option("--format", help="Comma-separated: html,json,csv,xlsx.")] = "html,json,csv,xlsx",
    lang: Annotated[str, typer.Option("--lang", help="ko or en.")] = "ko",
    out: Annotated[Path | None, typer.Option("--out", help="Output directory (default out/report-<scan>).")] = None,
    sign: Annotated[Path | None, typer.Option("--sign", help="Ed25519 private key (from keygen): writes report.json.sig.")] = None,
    allow_empty_registry: Annotated[bool, typer.Option("--allow-empty-registry", help="Report even when the database holds no registry entries (every device is then unmatched).")] = False,
) -> None:
    """Assess a stored scan under a policy and write the localization report (부품 국산화 확인 보고서).

    Refuses (exit 3) when the database holds no registry entries, as after `import-bundle` (a bundle
    carries only the registry files' digests): import the registry first with `cctv-inventory registry
    import`, or pass --allow-empty-registry.
    """
    from reports.assessment import assess
    from reports.formats.json_doc import render_bytes
    from reports.integrity import IntegrityError, signature_path
    from reports.messages import LANGUAGES, messages
    from reports.model import report_to_dict
    from reports.policy import PolicyError, load_policy
    from reports.writer import write_report_set

    formats = _formats(format)
    if lang not in LANGUAGES:
        raise _fail(f"--lang must be one of {', '.join(LANGUAGES)}", EXIT_BAD_INPUT)
    if sign is not None and not sign.is_file():
        raise _fail(f"--sign {sign}: no such key file", EXIT_BAD_INPUT)
    try:
        chosen = load_policy(policy)
    except PolicyError as exc:
        raise _fail(f"policy: {exc}", EXIT_BAD_INPUT) from None

    store = _open_store(db)
    with store:
        from inventory.errors import ScanNotFound

        try:
            matched = store.matched_scan(scan, site)
        except ScanNotFound as exc:
            raise _fail(str(exc), EXIT_BAD_INPUT) from None
        except Exception as exc:  # noqa: BLE001 - database trouble: say so, keep the exit code distinct
            raise _fail(f"cannot read the scan from the database: {first_line(exc)}", EXIT_DATABASE) from None
        if not matched.registry_sources:  # no registry entry in force: every device would read "unmatched"
            if not allow_empty_registry:
                raise _fail(
                    "the database holds no registry entries, so every device would be reported unmatched; "
                    "import the registry first with `cctv-inventory registry import FILE` "
                    "(or pass --allow-empty-registry to report anyway)",
                    EXIT_BAD_INPUT,
                )
            typer.echo("warning: the database holds no registry entries; every device is reported unmatched",
                       err=True)
        report = assess(matched, chosen)
        out_dir = out or Path("out") / f"report-{report.scan.id[:8]}"
        try:
            written = write_report_set(report, out_dir, formats, lang, sign)
        except IntegrityError as exc:
            raise _fail(str(exc), EXIT_BAD_INPUT) from None
        except OSError as exc:
            raise _fail(f"cannot write the report to {out_dir}: {exc}", EXIT_BAD_INPUT) from None

        json_path = out_dir / "report.json"
        sig = signature_path(json_path)
        doc_bytes = json_path.read_bytes() if json_path in written else render_bytes(report)
        sha256 = report_to_dict(report)["evidence_sha256"]
        try:
            store.save_report(
                report.scan.id,
                policy_id=report.policy.id,
                verdict=report.verdict,
                sha256=sha256,
                report_json=doc_bytes.decode("utf-8"),
                signature=sig.read_text(encoding="ascii").strip() if sign is not None else None,
            )
        except Exception as exc:  # noqa: BLE001 - the files are written; say the database part failed
            raise _fail(f"report written to {out_dir} but not stored in the database: {first_line(exc)}",
                        EXIT_DATABASE) from None

    t = messages(lang)
    typer.echo(f"{t('section_verdict')}: {t.label('verdict', report.verdict)} ({report.verdict})")
    for part in report.parts:
        name = report.policy.part_names.get(part.part, {}).get(lang, part.part)
        typer.echo(f"  {name}: {part.covered}/{part.devices} {t.label('part_status', part.status)}")
    counts = report.finding_counts()
    typer.echo(f"{t('section_findings')}: " + ", ".join(f"{t.label('severity', k)} {v}" for k, v in counts.items()))
    typer.echo(f"SHA-256 {sha256}")
    for path in written:
        typer.echo(f"wrote {path}")


def keygen_command(
    out: Annotated[Path, typer.Option("--out", help="Key file prefix: writes PREFIX.key and PREFIX.pub.")],
) -> None:
    """Make an Ed25519 key pair for signing reports (the private key file is mode 600)."""
    from reports.integrity import IntegrityError, generate_keypair

    try:
        private, public = generate_keypair(out)
    except (IntegrityError, OSError) as exc:
        raise _fail(str(exc), EXIT_BAD_INPUT) from None
    typer.echo(f"wrote {private} (keep it secret) and {public} (give it to whoever verifies)")


def verify_command(
    report: Annotated[Path, typer.Argument(help="The report.json to check (its .sig beside it).")],
    key: Annotated[Path | None, typer.Option("--key", help="Public key (PREFIX.pub) to check the signature.")] = None,
) -> None:
    """Check a report's SHA-256 and, with --key, its Ed25519 signature; non-zero exit on any change.

    Exit codes: 0 ok; 1 changed, bad or missing signature, or not a report; 3 the report or key file
    cannot be used (not there, a folder, not an Ed25519 public key): nothing was checked.
    """
    from reports.integrity import IntegrityError, check_public_key, verify_report_file

    # A typo in a path said "FAILED" with exit 1, the code of a tampered report, to a script that checks it.
    if not report.is_file():
        raise _fail(f"{report}: {'a directory, not a report file' if report.is_dir() else 'no such file'}",
                    EXIT_BAD_INPUT)
    if key is not None:
        try:
            check_public_key(key)
        except IntegrityError as exc:
            raise _fail(f"--key {exc}", EXIT_BAD_INPUT) from None
    result = verify_report_file(report, key)
    if result.ok:
        typer.echo(f"OK {result.message}")
        return
    typer.echo(f"FAILED {result.message}", err=True)
    raise typer.Exit(EXIT_CHANGED)


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)
    app.command("keygen")(keygen_command)
    app.command("verify")(verify_command)
