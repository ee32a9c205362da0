"""`audit` (the installer's one command) and `demo` (the same on a simulated site).

Wiring only: build an AuditRequest, call cctv_inventory.audit.run_audit, print where
everything went and the verdict in one line, set the exit code.

Exit codes (README "Exit codes"; the numbers live in cctv_inventory/audit.py):
  0  target_met        1  target_not_met, or fail (a mandatory policy's missed target)
  2  incomplete (devices that could not be read could change the verdict)
  3  bad input (arguments, credentials/registry/declared/policy file, --sign key, an --out that cannot be
     written); the policy, the key and --out are checked before scanning
  4  the database cannot be opened (checked before scanning), is out of date or refused the write
  5  the scan could not run (no interface, refused scope)
  130  SIGINT or SIGTERM: during the scan, what was read is written to scan.json (complete: false), no report;
       before or after it (AuditCommand), the files already written stay

Registry and declared rows that cannot be read are skipped, each named on stderr as a warning
(file, row, reason) and counted in the verdict line; the exit code is still the verdict's.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperCommand

from ..audit import (
    DEFAULT_FORMATS,
    DEFAULT_POLICY,
    EXIT_BAD_INPUT,
    EXIT_DATABASE,
    EXIT_INTERRUPTED,
    EXIT_SCAN_FAILED,
    AuditInterrupted,
    AuditOutcome,
    AuditRefused,
    AuditRequest,
    ScanFileNotWritten,
    run_audit,
)
from ..messages import first_line
from ..paths import config_path

DEMO_UNICAST_TARGET = "127.10.0.18"  # the demo site's camera that is silent on multicast (behind a router)


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _observer():
    from scanner.observer import PlainObserver, RichObserver

    return RichObserver() if sys.stderr.isatty() else PlainObserver()


def _formats(value: str) -> tuple[str, ...]:
    from reports.formats import FORMATS

    chosen = tuple(f.strip() for f in value.split(",") if f.strip())
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown:
        raise _fail(f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}", EXIT_BAD_INPUT)
    # The evidence bundle carries the JSON report, so it is always written.
    return chosen if "json" in chosen else (*chosen, "json")


def _run(request: AuditRequest) -> AuditOutcome:
    """Run the audit, turning each stage's refusal into a clear message and its exit code."""
    from sqlalchemy.exc import SQLAlchemyError

    from inventory.errors import InputFileError, InventoryError
    from reports.integrity import IntegrityError
    from reports.policy import PolicyError
    from scanner.errors import ScanError

    from ..bundle import BundleError

    kept = f"the scan itself is kept in {request.out_dir / 'scan.json'}"
    try:
        return run_audit(request, _observer())
    except ScanError as exc:
        raise _fail(f"the scan could not run: {exc}", EXIT_SCAN_FAILED) from None
    except PolicyError as exc:  # checked before the scan, so nothing was collected
        raise _fail(f"policy: {exc}", EXIT_BAD_INPUT) from None
    except AuditRefused as exc:  # checked before the scan too
        raise _fail(f"{exc} (nothing was scanned)", exc.exit_code) from None
    except AuditInterrupted as exc:
        raise _fail(f"audit {exc}: the scan so far ({exc.devices} device(s)) is kept in {exc.scan_json} "
                    f"(complete: false); no report was written. `cctv-inventory import-scan {exc.scan_json}` "
                    "and `cctv-inventory report` report on it", EXIT_INTERRUPTED) from None
    except ScanFileNotWritten as exc:
        raise _fail(str(exc), EXIT_BAD_INPUT) from None
    except InputFileError as exc:
        raise _fail(f"{exc} ({kept})", EXIT_BAD_INPUT) from None
    except IntegrityError as exc:  # the signing key, read again at the report (checked before the scan)
        raise _fail(f"--sign {exc} ({kept})", EXIT_BAD_INPUT) from None
    except InventoryError as exc:
        raise _fail(f"{exc} ({kept})", EXIT_DATABASE) from None
    except SQLAlchemyError as exc:  # the database went away or refused the write after the scan
        raise _fail(f"the database refused the audit: {first_line(exc)} ({kept})", EXIT_DATABASE) from None
    except BundleError as exc:  # after the reports: they, the scan and the database rows are kept
        raise _fail(f"evidence bundle: {exc} (the scan and the reports are kept in {request.out_dir})",
                    EXIT_BAD_INPUT) from None
    except OSError as exc:  # a report or the bundle could not be written (a full disk): the scan is on disk
        what = f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc)
        raise _fail(f"cannot write the reports or the bundle: {what} ({kept})", EXIT_BAD_INPUT) from None


def _print_outcome(outcome: AuditOutcome) -> None:
    for skipped in outcome.skipped_rows:
        typer.echo(f"warning: {skipped.file}: row {skipped.row}: {skipped.reason} (row skipped)", err=True)
    typer.echo(f"scan:    {outcome.scan_json}  ({len(outcome.scan.devices)} devices)")
    for path in outcome.report_files:
        typer.echo(f"report:  {path}")
    typer.echo(f"bundle:  {outcome.bundle}")
    parts = ", ".join(f"{p.part}={p.status}" for p in outcome.report.parts)
    line = f"verdict: {outcome.verdict} ({parts})"
    if outcome.skipped_rows:
        count = len(outcome.skipped_rows)
        line += f"; {count} input row{'s' if count != 1 else ''} skipped (see the warnings)"
    typer.echo(line)


def audit_command(
    interface: Annotated[list[str], typer.Option("--interface", "-i", help="Interface to send WS-Discovery multicast from (repeatable).")] = [],  # noqa: B006
    target: Annotated[list[str], typer.Option("--target", "-t", help="CIDR, HOST or HOST:PORT to probe by unicast (repeatable).")] = [],  # noqa: B006
    credentials: Annotated[Path | None, typer.Option("--credentials", help="YAML credentials file (mode 0600).")] = None,
    registry: Annotated[list[Path], typer.Option("--registry", help="Registry file(s) to import first (CSV/XLSX); without it, the database's registry is used.")] = [],  # noqa: B006
    declared: Annotated[Path | None, typer.Option("--declared", help="The contract's equipment list (CSV/XLSX).")] = None,
    site: Annotated[str, typer.Option("--site", help="Site name as it appears in the report.")] = "unnamed site",
    db: Annotated[str | None, typer.Option("--db", help="Database URL (else $CCTV_INVENTORY_DB, else ./cctv-inventory.db).")] = None,
    policy: Annotated[str, typer.Option("--policy", help="Policy name in config/policies/ or a policy file.")] = DEFAULT_POLICY,
    lang: Annotated[str, typer.Option("--lang", help="ko or en.")] = "ko",
    out: Annotated[Path, typer.Option("--out", help="Output directory.")] = Path("out/audit"),
    format: Annotated[str, typer.Option("--format", help="Comma-separated: html,json,csv,xlsx.")] = ",".join(DEFAULT_FORMATS),
    sign: Annotated[Path | None, typer.Option("--sign", help="Ed25519 private key (from keygen) to sign the report.")] = None,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=4096, help="Devices interrogated at once.")] = 256,
    timeout: Annotated[float, typer.Option("--timeout", min=0.5, max=600, help="Deadline per device, seconds.")] = 10.0,
    no_multicast: Annotated[bool, typer.Option("--no-multicast", help="Unicast to --target only.")] = False,
    allow_public: Annotated[bool, typer.Option("--allow-public", help="Allow public address ranges in --target.")] = False,
    keep_responses: Annotated[bool, typer.Option("--keep-responses", help="Keep every raw device answer in OUT/responses/ as evidence, named by its SHA-256.")] = False,
    self_inventory: Annotated[bool, typer.Option("--self-inventory", help="This machine is the site's operator terminal or VMS server: add it (from its DMI data) as a ③ 운영단말 및 서버 device.")] = False,
) -> None:
    """Scan, store, match, assess and write the report set and evidence bundle.

    Exit codes:
    0 target_met
    1 target_not_met, or fail (a mandatory policy's target missed)
    2 incomplete (devices that could not be read could change the verdict)
    3 bad input: arguments, credentials, registry, declared or policy file, --sign key, --out (the policy, key and --out before scanning)
    4 the database cannot be opened (before scanning), is out of date or refused the write
    5 the scan could not run (no interface, unknown interface, public range without --allow-public)
    130 interrupted (SIGINT/SIGTERM); during the scan, what was read is written to scan.json (complete: false), no report

    Unreadable registry/declared rows are skipped, each named on stderr, and counted in the verdict line.
    """
    from scanner.credentials import CredentialBook, load_credentials
    from scanner.engine import ScanRequest
    from scanner.errors import CredentialsError

    from .auditor import ConfigError, resolve_db_url

    if lang not in ("ko", "en"):
        raise _fail("--lang must be ko or en", EXIT_BAD_INPUT)
    for path in [*registry, *([declared] if declared else [])]:
        if not path.is_file():
            raise _fail(f"{path}: {'a directory, not a file' if path.is_dir() else 'no such file'}", EXIT_BAD_INPUT)
    try:
        book = load_credentials(credentials) if credentials else CredentialBook()
        db_url = resolve_db_url(db)
    except (CredentialsError, ConfigError) as exc:
        raise _fail(str(exc), EXIT_BAD_INPUT) from None
    request = AuditRequest(
        scan=ScanRequest(
            interfaces=tuple(interface),
            targets=tuple(target),
            credentials=book,
            site=site,
            concurrency=concurrency,
            timeout_s=timeout,
            multicast=not no_multicast,
            allow_public=allow_public,
            # An installer's laptop is not site equipment; only an agent installed on the site's own
            # terminal or server should count itself (README "The installer's command").
            inventory_host=self_inventory,
            responses_dir=out / "responses" if keep_responses else None,
        ),
        registry_files=tuple(registry),
        declared_file=declared,
        site=site,
        db_url=db_url,
        policy=policy,
        lang=lang,
        out_dir=out,
        formats=_formats(format),
        signing_key=sign,
    )
    outcome = _run(request)
    _print_outcome(outcome)
    raise typer.Exit(outcome.exit_code)


# --- demo ------------------------------------------------------------------------------


def _foreign_interfaces() -> list[str]:
    return [name for _, name in socket.if_nameindex() if name != "lo" and not name.startswith("veth")]


def _reexec_isolated() -> None:
    """Re-run this very command inside a new network namespace holding only lo (DESIGN §9)."""
    if os.environ.get("CCTV_DEMO_REEXECUTED") == "1":
        raise _fail("still seeing real interfaces inside the namespace; refusing to run the demo", EXIT_SCAN_FAILED)
    if not shutil.which("unshare") or not shutil.which("ip"):
        raise _fail("the demo needs `unshare` and `ip` (util-linux, iproute2) to isolate itself", EXIT_SCAN_FAILED)
    setup = (
        "ip link set lo up && ip link set lo multicast on && "
        "(ip route add 239.0.0.0/8 dev lo src 127.0.0.1 2>/dev/null || true) && exec \"$@\""
    )
    userns = [] if os.geteuid() == 0 else ["--map-root-user"]
    argv = ["unshare", *userns, "--net", "--", "sh", "-c", setup, "sh", sys.executable, "-m", "cctv_inventory",
            *sys.argv[1:]]
    env = {**os.environ, "CCTV_DEMO_REEXECUTED": "1"}
    sys.stdout.flush()
    sys.stderr.flush()
    os.execvpe("unshare", argv, env)


def demo_command(
    out: Annotated[Path, typer.Option("--out", help="Output directory.")] = Path("out/demo"),
    lang: Annotated[str, typer.Option("--lang", help="ko or en.")] = "ko",
    use_running_lab: Annotated[bool, typer.Option("--use-running-lab", help="Audit a lab that is already serving (docker compose); do not start one.")] = False,
) -> None:
    """Audit the simulated demo site (config/lab/demo-site.yaml) in an isolated network namespace.

    Starts the simulator, runs `audit` against it with the fictional sample registry and the site's
    declared-equipment list, prints the report path and the verdict, and leaves nothing running.
    """
    if not use_running_lab and _foreign_interfaces():
        _reexec_isolated()
    db_path = out / "demo.db"
    try:
        out.mkdir(parents=True, exist_ok=True)
        db_path.unlink(missing_ok=True)  # a demo starts from an empty inventory every time
        (out / "scan.json").unlink(missing_ok=True)  # so its last scan is not one `audit` would refuse to overwrite
    except OSError as exc:  # --out a file, or not writable: a traceback before
        raise _fail(f"--out {out}: cannot write there ({exc.strerror or exc})", EXIT_BAD_INPUT) from None
    shutil.rmtree(out / "responses", ignore_errors=True)  # and keeps only this run's answers
    with tempfile.TemporaryDirectory(prefix="cctv-demo-") as tmp:
        credentials = Path(tmp) / "credentials.yaml"
        shutil.copyfile(config_path("lab", "demo-credentials.yaml"), credentials)
        os.chmod(credentials, 0o600)
        args = [
            "audit", "--interface", "lo", "--target", DEMO_UNICAST_TARGET,
            "--credentials", str(credentials),
            "--registry", str(config_path("registry", "sample-registry.csv")),
            "--declared", str(config_path("lab", "demo-declared.csv")),
            "--site", _demo_site_name(), "--db", f"sqlite:///{db_path}", "--lang", lang, "--out", str(out),
            "--timeout", "5", "--keep-responses",
        ]
        if use_running_lab:
            code = _audit_subprocess(args)
        else:
            from simulator.testing import running_lab

            typer.echo(f"starting the simulated site {config_path('lab', 'demo-site.yaml')} ...")
            with running_lab(config_path("lab", "demo-site.yaml")) as lab:
                typer.echo(f"simulator ready: {len(lab.fixture['devices'])} devices in 127.10.0.0/16")
                code = _audit_subprocess(args)
    html = out / "report.html"
    if code >= EXIT_BAD_INPUT:
        raise _fail(f"the demo audit failed (exit {code})", code)
    responses = out / "responses"
    if responses.is_dir():
        typer.echo(f"evidence: {responses} ({sum(1 for _ in responses.iterdir())} device answers, each named by "
                   "the SHA-256 the scan file gives for the fields read from it)")
    typer.echo(f"\nopen the report: {html.resolve()}")
    raise typer.Exit(0)  # the demo ran; its verdict is printed above, not signalled


def _demo_site_name() -> str:
    import yaml

    data = yaml.safe_load(config_path("lab", "demo-site.yaml").read_text(encoding="utf-8"))
    return str(data["site"]["name"])


def _audit_subprocess(args: list[str]) -> int:
    # A child process, so the audit is exactly what an installer runs and the simulator and
    # scanner share no interpreter state.
    return subprocess.call([sys.executable, "-m", "cctv_inventory", *args])


def _usage_error_class() -> type[Exception]:
    """click's UsageError (typer vendors click as typer._click in newer releases: found through typer's
    own BadParameter, whichever it is)."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


class _Terminated(BaseException):
    """SIGTERM outside the scan (which handles it itself): raised like KeyboardInterrupt, so open
    transactions roll back and atomic writes drop their temporary files on the way out."""


def _terminated(signum: int, frame: object) -> None:
    raise _Terminated


class AuditCommand(TyperCommand):
    """`audit`, whose exit codes are a contract (README "Exit codes"), guarded against click's own:
    - a usage error (an unknown option, a value that is no number, one out of range) exits 3, bad input:
      click exits 2, `audit`'s `incomplete`, so a script read `--tagret` as a site not fully read;
    - SIGINT or SIGTERM before or after the scan exits 130 with one line: click said "Aborted!" with exit 1,
      `target_not_met`, and SIGTERM killed the process without a word. (During the scan the engine
      handles both: cctv_inventory.audit.run_audit.)"""

    def make_context(self, info_name, args, parent=None, **extra):  # type: ignore[no-untyped-def]
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except _usage_error_class() as exc:
            exc.exit_code = EXIT_BAD_INPUT  # type: ignore[attr-defined]
            raise

    def invoke(self, ctx):  # type: ignore[no-untyped-def]
        previous = signal.signal(signal.SIGTERM, _terminated)
        try:
            return super().invoke(ctx)
        except (KeyboardInterrupt, _Terminated) as exc:
            name = "SIGINT" if isinstance(exc, KeyboardInterrupt) else "SIGTERM"
            out = ctx.params.get("out")
            raise _fail(f"audit interrupted by {name}; the files already written in {out} are kept (scan.json once "
                        "the scan had ended), none half-written", EXIT_INTERRUPTED) from None
        finally:
            signal.signal(signal.SIGTERM, previous)


def register(app: typer.Typer) -> None:
    app.command("audit", cls=AuditCommand)(audit_command)
    app.command("demo")(demo_command)
