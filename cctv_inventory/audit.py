"""The installer's job as one library call: scan → store → match → assess → report set → bundle.

`run_audit(AuditRequest, observer) -> AuditOutcome` is what `cctv-inventory audit` and
`cctv-inventory demo` call. It only wires the stages; every rule lives in its stage:
scanner/ (what is on the network), inventory/ (registry and matching), reports/ (policy,
verdict, formats), cctv_inventory/bundle.py (the evidence bundle).

Order matters for "lose nothing": the scan JSON is written to the output folder first,
then stored, so a failure further on (a broken registry file, a full disk) still leaves the
scan on disk and in the database for `cctv-inventory report` to pick up later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from inventory.model import MatchedScan
from reports.model import Report
from scanner.model import ScanResult
from scanner.serialize import journal_path, scan_to_json, write_scan_json

from . import __version__
from .messages import first_line

if TYPE_CHECKING:
    from reports.policy import Policy

DEFAULT_FORMATS = ("html", "json", "csv", "xlsx")
DEFAULT_POLICY = "kr-sme-parts-localization-2024"

# Exit codes of `audit` (README "Exit codes"), the one place they are defined: the verdict, or an error.
# `fail` is what a mandatory policy calls a missed target, so it shares target_not_met's code.
EXIT_FOR_VERDICT = {"target_met": 0, "target_not_met": 1, "incomplete": 2, "fail": 1}
EXIT_BAD_INPUT = 3  # arguments, credentials, registry, declared or policy file
EXIT_DATABASE = 4  # the database cannot be opened, is out of date or refused the write
EXIT_SCAN_FAILED = 5  # the scan could not run (no interface, unknown interface, refused scope)
EXIT_INTERRUPTED = 130  # SIGINT or SIGTERM during the scan: what was read is in scan.json, no report


@dataclass(frozen=True)
class SkippedRow:
    """A registry or declared-list row the import could not read; the audit went on without it."""

    file: Path
    row: int
    reason: str


@dataclass(frozen=True)
class AuditRequest:
    scan: object  # scanner.engine.ScanRequest: interfaces, targets, credentials, site, limits
    registry_files: tuple[Path, ...]
    declared_file: Path | None
    site: str
    db_url: str | None
    policy: str
    lang: str
    out_dir: Path
    formats: tuple[str, ...] = DEFAULT_FORMATS
    signing_key: Path | None = None


@dataclass(frozen=True)
class AuditOutcome:
    scan: ScanResult
    report: Report
    scan_json: Path
    report_files: tuple[Path, ...]
    bundle: Path
    registry_summaries: tuple[object, ...]
    declared_summary: object | None = None
    skipped_rows: tuple[SkippedRow, ...] = ()

    @property
    def verdict(self) -> str:
        return self.report.verdict

    @property
    def exit_code(self) -> int:
        # Every verdict has its code (tests/cctv_inventory check reports.model.VERDICTS against it);
        # a verdict without one is a bug, not "bad input".
        return EXIT_FOR_VERDICT[self.report.verdict]


class AuditRefused(Exception):
    """The audit stopped before it scanned: nothing was collected, so nothing is lost. `exit_code` says why."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


class AuditInterrupted(Exception):
    """SIGINT or SIGTERM cut the scan short; what it had read is in `scan_json` (complete=false)."""

    def __init__(self, signal_name: str, scan_json: Path, devices: int):
        super().__init__(f"interrupted by {signal_name}")
        self.signal_name = signal_name
        self.scan_json = scan_json
        self.devices = devices


class ScanFileNotWritten(Exception):
    """The scan ran but its file could not be written; the journal still holds every device read."""


def run_audit(request: AuditRequest, observer: object | None = None) -> AuditOutcome:
    from reports.policy import load_policy
    from scanner.engine import scan_until_signalled

    policy = load_policy(request.policy)  # a bad policy is refused before a scan that would be wasted
    _check_before_scanning(request)  # so are a signing key, an --out and a database that cannot be used
    scan_json = request.out_dir / "scan.json"
    # Devices are journalled as they finish: a killed audit leaves scan.json.journal for
    # `cctv-inventory recover`; one left by an earlier killed audit stops this one (ScanError).
    journal = journal_path(scan_json)
    scan_request = replace(request.scan, journal=journal,
                           check_hosts=(*request.scan.check_hosts, *_declared_addresses(request.declared_file)))
    # SIGINT and SIGTERM cut the scan short instead of ending the process (SIGTERM used to kill it with
    # the devices read only in the journal): what was read is written below, then the audit stops.
    scan, stopped_by = scan_until_signalled(scan_request, observer)
    try:
        write_scan_json(scan, scan_json)
    except OSError as exc:
        raise ScanFileNotWritten(
            f"cannot write {scan_json} ({exc.strerror or exc}); the {len(scan.devices)} device(s) read are kept in "
            f"its journal: `cctv-inventory recover {journal} --json-out FILE` writes them elsewhere") from None
    journal.unlink(missing_ok=True)
    if stopped_by is not None:
        raise AuditInterrupted(stopped_by.name, scan_json, len(scan.devices))
    return assess_and_report(scan, request, scan_json, policy)


def _check_before_scanning(request: AuditRequest) -> None:
    """What would otherwise fail only after the whole site was scanned: the signing key (read at the
    report), the output folder and the database. Raises AuditRefused."""
    import tempfile

    from sqlalchemy.exc import SQLAlchemyError

    from inventory.errors import InventoryError
    from inventory.store import Store
    from reports.integrity import IntegrityError, check_signing_key

    if request.signing_key is not None:
        try:
            check_signing_key(request.signing_key)
        except IntegrityError as exc:
            raise AuditRefused(f"--sign {exc}", EXIT_BAD_INPUT) from None
    if request.out_dir.exists() and not request.out_dir.is_dir():
        raise AuditRefused(f"--out {request.out_dir} is a file, not a folder", EXIT_BAD_INPUT)
    try:
        request.out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=request.out_dir):
            pass
    except OSError as exc:
        raise AuditRefused(f"--out {request.out_dir}: cannot write there ({exc.strerror or exc})",
                           EXIT_BAD_INPUT) from None
    previous = request.out_dir / "scan.json"
    try:
        with Store.open(request.db_url) as store:
            previous_kept = _held_by(store, previous) if previous.exists() else True
    except InventoryError as exc:
        raise AuditRefused(str(exc), EXIT_DATABASE) from None
    except (SQLAlchemyError, OSError) as exc:
        raise AuditRefused(f"cannot open the database: {first_line(exc)}", EXIT_DATABASE) from None
    if not previous_kept:
        # An audit stopped between its scan file and the database (killed, interrupted, the database
        # down): this one would overwrite the only copy of that scan.
        raise AuditRefused(
            f"{previous} holds a scan the database does not; store it first with `cctv-inventory import-scan "
            f"{previous}` (or move it away): this audit would overwrite it", EXIT_BAD_INPUT)


def _held_by(store: object, scan_file: Path) -> bool:
    """Whether the database holds the scan in `scan_file` (a file that cannot be read counts as not)."""
    from inventory.errors import ScanNotFound
    from scanner.serialize import ScanFileError, read_scan_json

    try:
        store.scan_json(read_scan_json(scan_file).scan_id)  # type: ignore[attr-defined]
    except (ScanFileError, OSError, ScanNotFound):
        return False
    return True


def _declared_addresses(path: Path | None) -> tuple[str, ...]:
    """Every address on the declared list: the scan checks the ones it does not find as ONVIF devices
    for reachability (terminals and servers speak no ONVIF). A declared file that cannot be read here
    is refused after the scan, when it is imported, with the scan kept; the scan just checks nothing."""
    from inventory.declared_store import parse_declared
    from inventory.errors import InputFileError

    if path is None:
        return ()
    try:
        _, items, _ = parse_declared(path)
    except (InputFileError, OSError):
        return ()
    return tuple(address for item in items for address in item.addresses)


def assess_and_report(
    scan: ScanResult, request: AuditRequest, scan_json: Path, policy: Policy | None = None
) -> AuditOutcome:
    """Everything after the scan; also used to finish an audit from a saved scan file."""
    from inventory.store import Store
    from reports.assessment import assess
    from reports.integrity import signature_path
    from reports.policy import load_policy
    from reports.writer import write_report_set

    from .bundle import write_bundle

    if policy is None:
        policy = load_policy(request.policy)  # fail early on a bad policy, before touching the database
    declared_summary = None
    with Store.open(request.db_url) as store:
        store.save_scan(scan)
        summaries = tuple(store.import_registry(path) for path in request.registry_files)
        if request.declared_file is not None:
            declared_summary = store.import_declared(request.declared_file, request.site)
        matched: MatchedScan = store.matched_scan(scan.scan_id, scan.site)
        report = assess(matched, policy)
        files = tuple(
            write_report_set(report, request.out_dir, request.formats, request.lang, request.signing_key)
        )
        report_json_path = _report_json(files)
        report_bytes = report_json_path.read_bytes()
        sig_path = signature_path(report_json_path)
        signature = sig_path.read_bytes() if sig_path.exists() else None
        from reports.integrity import evidence_sha256, load_report_document

        document = load_report_document(report_bytes)
        store.save_report(
            scan.scan_id,
            policy_id=policy.id,
            verdict=report.verdict,
            sha256=evidence_sha256(document),
            report_json=report_bytes.decode("utf-8"),
            signature=signature.decode("ascii").strip() if signature else None,
        )
    bundle = write_bundle(
        request.out_dir / "bundle.zip",
        scan_json=scan_to_json(scan).encode("utf-8"),
        report_json=report_bytes,
        report_signature=signature,
        registry_sources=matched.registry_sources,
        agent_version=__version__,
        responses_dir=request.scan.responses_dir,
    )
    return AuditOutcome(
        scan=scan,
        report=report,
        scan_json=scan_json,
        report_files=files,
        bundle=bundle,
        registry_summaries=summaries,
        declared_summary=declared_summary,
        skipped_rows=_skipped_rows(request, summaries, declared_summary),
    )


def _skipped_rows(
    request: AuditRequest, registry_summaries: Sequence[object], declared_summary: object | None
) -> tuple[SkippedRow, ...]:
    """The rows each import named as unreadable, with the file they came from (the imports keep the rest)."""
    pairs = list(zip(request.registry_files, registry_summaries, strict=True))
    if request.declared_file is not None and declared_summary is not None:
        pairs.append((request.declared_file, declared_summary))
    return tuple(
        SkippedRow(path, error.row, error.message)
        for path, summary in pairs
        for error in getattr(summary, "errors", ())
    )


def _report_json(files: Sequence[Path]) -> Path:
    for path in files:
        if path.suffix == ".json" and not path.name.endswith(".schema.json"):
            return path
    raise RuntimeError("the report set has no JSON report; the bundle needs it")
