"""`cctv-inventory audit` refusals: each bad input has its exit code and loses nothing already collected.

Network tests use the simulated demo site (config/lab/demo-site.yaml).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simulator.testing import running_lab
from tests.conftest import CONFIG, REPO

DEMO_SITE = CONFIG / "lab" / "demo-site.yaml"


def audit(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cctv_inventory", "audit", *args],
        capture_output=True, text=True, timeout=180, cwd=cwd, check=False,
    )


def private_credentials(tmp_path: Path) -> Path:
    path = tmp_path / "credentials.yaml"
    shutil.copyfile(CONFIG / "lab" / "demo-credentials.yaml", path)
    os.chmod(path, 0o600)
    return path


def test_no_interface_and_no_target_is_refused_listing_interfaces(tmp_path: Path) -> None:
    proc = audit("--registry", str(CONFIG / "registry" / "sample-registry.csv"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 5, proc.stderr
    assert "lo" in proc.stderr  # the message lists the machine's interfaces
    assert not (tmp_path / "out" / "report.json").exists()


def test_public_target_needs_allow_public(tmp_path: Path) -> None:
    proc = audit("--target", "8.8.8.0/24", "--no-multicast", "--out", str(tmp_path / "out"))
    assert proc.returncode == 5
    assert "--allow-public" in proc.stderr


def test_credentials_readable_by_others_are_refused_without_showing_them(tmp_path: Path) -> None:
    creds = private_credentials(tmp_path)
    os.chmod(creds, 0o644)
    proc = audit("--interface", "lo", "--credentials", str(creds), "--out", str(tmp_path / "out"))
    assert proc.returncode == 3
    assert "Garam!Cctv2024" not in proc.stdout + proc.stderr


def test_unknown_format_is_refused_before_scanning(tmp_path: Path) -> None:
    proc = audit("--interface", "lo", "--format", "html,pdf", "--out", str(tmp_path / "out"))
    assert proc.returncode == 3
    assert "pdf" in proc.stderr
    assert not (tmp_path / "out" / "scan.json").exists()


@pytest.mark.network
def test_broken_registry_file_keeps_the_scan(tmp_path: Path) -> None:
    """Simulated site: config/lab/demo-site.yaml. A registry file with no usable header fails the audit
    with exit 3, but the scan is on disk and in the database for a later `report`."""
    broken = tmp_path / "registry.csv"
    broken.write_text("this,is,not\na,registry,file\n", encoding="utf-8")
    out = tmp_path / "out"
    db = f"sqlite:///{tmp_path / 'inv.db'}"
    with running_lab(DEMO_SITE):
        proc = audit(
            "--target", "127.10.0.11", "--no-multicast", "--credentials", str(private_credentials(tmp_path)),
            "--registry", str(broken), "--db", db, "--out", str(out), "--timeout", "5",
        )
    assert proc.returncode == 3, proc.stderr
    assert "header" in proc.stderr.lower()
    scan = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    assert [d["address"] for d in scan["devices"]] == ["127.10.0.11"]
    assert scan["devices"][0]["model"] == "XNO-6080R"
    listed = subprocess.run(
        [sys.executable, "-m", "cctv_inventory", "sites", "--db", db, "--json"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert listed.returncode == 0, listed.stderr
    assert "127.10.0.11" not in listed.stderr
    assert scan["site"] in listed.stdout  # the scan was stored before the registry failed


# --- exit codes: one definition (cctv_inventory/audit.py), the same in README and --help ----------------------


def readme_exit_codes() -> dict[int, str]:
    """The `audit` exit-code table of README.md ("### Exit codes"), code -> description."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    table = text.split("### Exit codes", 1)[1].split("\n\n", 2)[1]
    rows = [line.strip("|").split("|", 1) for line in table.splitlines() if line.startswith("| ")]
    return {int(code): description.strip() for code, description in rows if code.strip().isdigit()}


def test_every_verdict_has_its_documented_exit_code() -> None:
    from cctv_inventory.audit import EXIT_FOR_VERDICT, AuditOutcome
    from reports.model import VERDICTS

    assert set(EXIT_FOR_VERDICT) == set(VERDICTS)
    assert EXIT_FOR_VERDICT["fail"] == EXIT_FOR_VERDICT["target_not_met"] == 1
    documented = readme_exit_codes()
    for verdict, code in EXIT_FOR_VERDICT.items():
        assert f"`{verdict}`" in documented[code], (verdict, code, documented[code])

    class _Report:
        verdict = "fail"

    outcome = AuditOutcome(scan=None, report=_Report(), scan_json=Path(), report_files=(), bundle=Path(),  # type: ignore[arg-type]
                           registry_summaries=())
    assert outcome.exit_code == 1


def test_error_exit_codes_match_readme_and_help() -> None:
    from cctv_inventory import audit as library
    from cctv_inventory.commands import audit as command

    documented = readme_exit_codes()
    assert library.EXIT_BAD_INPUT == 3 and documented[3].startswith("bad input")
    assert library.EXIT_DATABASE == 4 and documented[4].startswith("the database")
    assert library.EXIT_SCAN_FAILED == 5 and documented[5].startswith("the scan could not run")
    assert library.EXIT_INTERRUPTED == 130 and documented[130].startswith("interrupted (SIGINT or SIGTERM)")
    assert (command.EXIT_BAD_INPUT, command.EXIT_DATABASE, command.EXIT_SCAN_FAILED) == (3, 4, 5)
    help_text = " ".join(audit("--help").stdout.split())
    for line in ("0 target_met", "1 target_not_met, or fail", "2 incomplete", "3 bad input", "4 the database",
                 "5 the scan could not run", "130 interrupted (SIGINT/SIGTERM)"):
        assert line in help_text, line


def mandatory_policy(tmp_path: Path, *, typo: bool = False) -> Path:
    """A small mandatory policy: both parts must be localized, or the site fails."""
    path = tmp_path / "mandatory.yaml"
    path.write_text(
        "id: test-mandatory\n"
        "title: {ko: 시험용 의무 정책, en: Test mandatory policy}\n"
        "period: {from: 2024-01-01, to: null}\n"
        "parts:\n"
        "  - {id: camera, name: {ko: 카메라, en: Camera}, roles: [camera, encoder]}\n"
        "  - {id: recorder_analytics, name: {ko: 녹화장치, en: Recorder}, roles: [nvr, analytics]}\n"
        "min_localized_parts: 2\n"
        + ("mandatroy: true\n" if typo else "mandatory: true\n"),
        encoding="utf-8",
    )
    return path


def test_bad_policy_is_refused_before_scanning(tmp_path: Path) -> None:
    out = tmp_path / "out"
    started = time.monotonic()
    proc = audit("--interface", "lo", "--policy", str(mandatory_policy(tmp_path, typo=True)), "--out", str(out))
    assert proc.returncode == 3, proc.stderr
    assert "mandatroy: unknown key" in proc.stderr
    assert not (out / "scan.json").exists()  # no scan was started
    assert time.monotonic() - started < 30


BAD_REGISTRY_ROW = (
    "한화비전(주),900-81-00015,XNO-BAD,,네트워크카메라,4617162201,카메라,국내생산품 원산지증명,"
    "가상-원산지-9999,2024-13-45,2029-12-31,bad date"
)


@pytest.fixture(scope="module")
def mandatory_audit(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Simulated site: config/lab/demo-site.yaml, one certified camera (127.10.0.11) only. Audited under a
    mandatory policy needing two parts, with the sample registry plus one row whose date is no date."""
    tmp = tmp_path_factory.mktemp("mandatory")
    registry = tmp / "registry.csv"
    sample = (CONFIG / "registry" / "sample-registry.csv").read_text(encoding="utf-8-sig").splitlines()
    registry.write_text("\n".join([*sample, BAD_REGISTRY_ROW]) + "\n", encoding="utf-8")
    bad_row = len(sample) + 1
    out = tmp / "out"
    with running_lab(DEMO_SITE):
        proc = audit(
            "--target", "127.10.0.11", "--no-multicast", "--credentials", str(private_credentials(tmp)),
            "--registry", str(registry), "--policy", str(mandatory_policy(tmp)),
            "--db", f"sqlite:///{tmp / 'inv.db'}", "--out", str(out), "--timeout", "5",
        )
    return {"proc": proc, "out": out, "registry": registry, "bad_row": bad_row}


@pytest.mark.network
def test_mandatory_policy_fail_exits_1(mandatory_audit: dict) -> None:
    proc = mandatory_audit["proc"]
    assert proc.returncode == 1, proc.stderr[-3000:]
    report = json.loads((mandatory_audit["out"] / "report.json").read_text(encoding="utf-8"))
    assert report["verdict"] == "fail"
    assert "verdict: fail (" in proc.stdout


@pytest.mark.network
def test_bad_registry_row_is_named_on_stderr_and_counted(mandatory_audit: dict) -> None:
    proc = mandatory_audit["proc"]
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1, proc.stderr[-3000:]
    # file, row and the import's reason (which names the bad value)
    assert warnings[0].startswith(f"warning: {mandatory_audit['registry']}: row {mandatory_audit['bad_row']}: ")
    assert "'2024-13-45'" in warnings[0] and warnings[0].endswith("(row skipped)")
    verdict_line = next(line for line in proc.stdout.splitlines() if line.startswith("verdict: "))
    assert verdict_line.endswith("; 1 input row skipped (see the warnings)")
    assert proc.returncode == 1  # still the verdict's code: the report was written
    assert (mandatory_audit["out"] / "report.json").is_file()


def test_a_journal_left_by_a_killed_audit_is_never_overwritten(tmp_path: Path) -> None:
    """No site needed: the audit stops before it scans. scan.json.journal holds what a killed audit had
    read; a new audit into the same --out refuses (exit 5, naming `recover`) and leaves it as it was."""
    out = tmp_path / "out"
    out.mkdir()
    journal = out / "scan.json.journal"
    journal.write_text('{"journal_version": 1}\n{"address": "10.0.0.1"}\n', encoding="utf-8")
    before = journal.read_bytes()
    proc = audit("--interface", "lo", "--registry", str(CONFIG / "registry" / "sample-registry.csv"),
                 "--out", str(out))
    assert proc.returncode == 5, proc.stderr
    assert "recover" in proc.stderr and str(journal) in proc.stderr
    assert journal.read_bytes() == before and not (out / "scan.json").exists()


# --- what would fail only after the whole site was scanned is refused before it --------------------------


def assert_one_clear_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, proc.stderr[-3000:]
    return errors[0]


def test_an_out_that_is_a_file_is_refused_before_scanning(tmp_path: Path) -> None:
    """It was a traceback (FileExistsError from mkdir), exit 1."""
    taken = tmp_path / "out"
    taken.write_text("an earlier file\n", encoding="utf-8")
    for out in (taken, taken / "below"):
        proc = audit("--interface", "lo", "--db", f"sqlite:///{tmp_path / 'inv.db'}", "--out", str(out))
        assert proc.returncode == 3, proc.stderr[-3000:]
        assert str(out) in assert_one_clear_line(proc)
    assert taken.read_text(encoding="utf-8") == "an earlier file\n"


@pytest.mark.parametrize("key", ["missing.key", "public.pub"])
def test_a_bad_signing_key_is_refused_before_scanning(tmp_path: Path, key: str) -> None:
    """The key was first read at the report, after the whole scan: a traceback (IntegrityError), exit 1."""
    from reports.integrity import generate_keypair

    generate_keypair(tmp_path / "public")
    out = tmp_path / "out"
    proc = audit("--interface", "lo", "--sign", str(tmp_path / key), "--db", f"sqlite:///{tmp_path / 'inv.db'}",
                 "--out", str(out))
    assert proc.returncode == 3, proc.stderr[-3000:]
    line = assert_one_clear_line(proc)
    assert "--sign" in line and key in line and "nothing was scanned" in line
    assert not (out / "scan.json").exists()


@pytest.mark.parametrize("kind", ["not_sqlite", "postgres_down"])
def test_a_database_that_cannot_be_opened_is_refused_before_scanning(tmp_path: Path, kind: str) -> None:
    """Found only when the scan was stored: a SQLAlchemy traceback (exit 1) after the whole scan."""
    if kind == "not_sqlite":
        path = tmp_path / "inventory.db"
        path.write_text("this is no database\n", encoding="utf-8")
        url = f"sqlite:///{path}"
    else:  # a port nothing listens on, inside the test's own network namespace
        url = "postgresql+psycopg://nobody@127.0.0.1:1/test"
    out = tmp_path / "out"
    proc = audit("--interface", "lo", "--db", url, "--out", str(out))
    assert proc.returncode == 4, proc.stderr[-3000:]
    line = assert_one_clear_line(proc)
    assert line.startswith("error: cannot open the database: ") and "nothing was scanned" in line
    assert not (out / "scan.json").exists()


# --- after the scan: every failure keeps the scan and says where ---------------------------------------------


def _fake_request(out: Path):  # type: ignore[no-untyped-def]
    from cctv_inventory.audit import AuditRequest
    from scanner.engine import ScanRequest

    return AuditRequest(scan=ScanRequest(interfaces=("lo",)), registry_files=(), declared_file=None, site="s",
                        db_url=f"sqlite:///{out.parent / 'inv.db'}", policy="kr-sme-parts-localization-2024",
                        lang="ko", out_dir=out)


@pytest.mark.parametrize("failure, code, said", [
    ("database", 4, "database is locked"),
    ("disk", 3, "No space left on device"),
])
def test_a_failure_after_the_scan_is_one_line_and_keeps_the_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    failure: str, code: int, said: str,
) -> None:
    """A database that went away (or stayed locked) after the scan, a disk that filled at the report:
    each was a traceback with exit 1."""
    import errno

    import sqlalchemy
    import typer

    from cctv_inventory.commands import audit as command

    def run_audit(request, observer):  # type: ignore[no-untyped-def]
        if failure == "database":
            raise sqlalchemy.exc.OperationalError("INSERT INTO scans ...", {}, Exception("database is locked"))
        raise OSError(errno.ENOSPC, "No space left on device", str(request.out_dir / "report.xlsx"))

    monkeypatch.setattr(command, "run_audit", run_audit)
    with pytest.raises(typer.Exit) as stopped:
        command._run(_fake_request(tmp_path / "out"))
    assert stopped.value.exit_code == code
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and said in err, err
    assert f"kept in {tmp_path / 'out' / 'scan.json'}" in err


def test_a_scan_file_that_cannot_be_written_points_to_the_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """The scan ran; scan.json could not be written (a full disk): a traceback before. The journal, which
    holds every device read, stays and the message says how to recover it."""
    import errno

    import typer

    import cctv_inventory.audit as library
    import scanner.engine
    from cctv_inventory.commands import audit as command
    from tests.auditor.factory import demo_scan

    out = tmp_path / "out"
    journal = out / "scan.json.journal"

    def scanned(request, observer):  # type: ignore[no-untyped-def]
        journal.write_text('{"journal_version": 1}\n', encoding="utf-8")
        return demo_scan(), None

    def full_disk(scan, path):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(scanner.engine, "scan_until_signalled", scanned)
    monkeypatch.setattr(library, "write_scan_json", full_disk)
    with pytest.raises(typer.Exit) as stopped:
        command._run(_fake_request(out))
    assert stopped.value.exit_code == 3
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and f"cctv-inventory recover {journal}" in err, err
    assert journal.exists()


# --- SIGINT and SIGTERM during the scan --------------------------------------------------------------------


@pytest.mark.network
@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_a_signal_during_the_scan_writes_what_was_read_and_says_so(tmp_path: Path, signal_name: str) -> None:
    """Simulated site: config/lab/demo-site.yaml, whose hanging devices keep the scan going. SIGTERM killed
    the audit outright (the devices read only in the journal, nothing said); SIGINT went on to a report
    of the cut-short scan. Both now write scan.json (complete: false), delete the journal, say where the
    scan is and exit 130."""
    import signal

    out = tmp_path / "out"
    journal = out / "scan.json.journal"
    with running_lab(DEMO_SITE):
        proc = subprocess.Popen(
            [sys.executable, "-m", "cctv_inventory", "audit", "--interface", "lo",
             "--credentials", str(private_credentials(tmp_path)), "--db", f"sqlite:///{tmp_path / 'inv.db'}",
             "--out", str(out), "--timeout", "30"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
        )
        deadline = time.monotonic() + 60
        read: dict[str, str] = {}
        while time.monotonic() < deadline and not read:  # until a device is journalled: something to lose
            lines = journal.read_text(encoding="utf-8").splitlines()[1:] if journal.exists() else []
            for line in lines:
                try:
                    entry = json.loads(line)
                except ValueError:  # a line being written
                    continue
                if "status" in entry:
                    read[entry["address"]] = entry["status"]
            time.sleep(0.1)
        if not read:
            proc.kill()
            pytest.fail("no device was journalled within 60 s")
        proc.send_signal(getattr(signal, signal_name))
        _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr[-3000:]
    assert "Traceback" not in stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: audit interrupted by {signal_name}: ") and str(out / "scan.json") in last
    scan = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    assert scan["complete"] is False
    kept = {d["address"]: d["status"] for d in scan["devices"]}
    assert {address: kept.get(address) for address in read} == read  # every device read before the signal
    assert not journal.exists() and not (out / "report.json").exists()


def test_a_registry_that_is_a_directory_is_called_one(tmp_path: Path) -> None:
    """'no such file' sent the installer looking for a file that was there, as a folder."""
    proc = audit("--interface", "lo", "--registry", str(tmp_path), "--out", str(tmp_path / "out"))
    assert proc.returncode == 3
    assert assert_one_clear_line(proc) == f"error: {tmp_path}: a directory, not a file"


def test_a_scan_file_the_database_does_not_hold_is_never_overwritten(tmp_path: Path) -> None:
    """No site needed. An audit stopped between its scan.json and the database (killed, interrupted, the
    database down) left the only copy of that scan in OUT/scan.json; the next audit into the same OUT
    overwrote it. Now it refuses (exit 3, naming import-scan) until the database holds that scan."""
    from scanner.serialize import write_scan_json
    from tests.auditor.factory import demo_scan

    out = tmp_path / "out"
    out.mkdir()
    earlier = out / "scan.json"
    write_scan_json(demo_scan(), earlier)
    before = earlier.read_bytes()
    db = f"sqlite:///{tmp_path / 'inv.db'}"
    proc = audit("--interface", "lo", "--db", db, "--out", str(out), "--timeout", "1")
    assert proc.returncode == 3, proc.stderr[-3000:]
    assert f"`cctv-inventory import-scan {earlier}`" in assert_one_clear_line(proc)
    assert earlier.read_bytes() == before
    stored = subprocess.run([sys.executable, "-m", "cctv_inventory", "import-scan", str(earlier), "--db", db],
                            capture_output=True, text=True, timeout=60, check=False, cwd=REPO)
    assert stored.returncode == 0, stored.stderr
    proc = audit("--interface", "lo", "--db", db, "--out", str(out), "--timeout", "1")
    assert proc.returncode in (0, 1, 2), proc.stderr[-3000:]  # stored: the audit runs, and replaces the file
    assert earlier.read_bytes() != before


@pytest.mark.parametrize("args", [["--tagret", "10.20.0.5"], ["--timeout", "abc"], ["--timeout", "-5"],
                                  ["--concurrency", "0"], ["stray-argument"]])
def test_usage_errors_exit_3_not_the_incomplete_verdicts_2(tmp_path: Path, args: list[str]) -> None:
    """click exits 2 on a usage error, which is `audit`'s `incomplete`: a script took a mistyped option for
    a site that could not be fully read. A negative --timeout or --concurrency 0 was accepted (every device
    'timeout' at once)."""
    proc = audit("--interface", "lo", *args, "--out", str(tmp_path / "out"))
    assert proc.returncode == 3, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and not (tmp_path / "out").exists()


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_a_signal_outside_the_scan_exits_130_with_one_line(tmp_path: Path, signal_name: str) -> None:
    """No site needed: the audit is held in its database check by a PostgreSQL that accepts and never
    answers (in the test's own namespace). Outside the scan, SIGINT gave click's 'Aborted!' and exit 1,
    `target_not_met`; SIGTERM killed the audit without a word."""
    import signal
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        silent.settimeout(60)
        proc = subprocess.Popen(
            [sys.executable, "-m", "cctv_inventory", "audit", "--interface", "lo", "--out", str(tmp_path / "out"),
             "--db", f"postgresql+psycopg://nobody@127.0.0.1:{silent.getsockname()[1]}/test"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
        )
        connection, _ = silent.accept()  # the audit is waiting for the database now
        with connection:
            time.sleep(0.3)
            proc.send_signal(getattr(signal, signal_name))
            _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr[-3000:]
    assert stderr.strip() == (f"error: audit interrupted by {signal_name}; the files already written in "
                              f"{tmp_path / 'out'} are kept (scan.json once the scan had ended), none half-written")


def test_the_scan_gives_back_the_callers_signal_handlers() -> None:
    """asyncio's remove_signal_handler leaves SIGTERM at its default: after the scan, a SIGTERM in the
    report stage killed `audit` without a word instead of reaching its handler."""
    import signal

    from scanner.engine import run_until_signalled

    def mine(signum, frame):  # type: ignore[no-untyped-def]
        pass

    async def nothing() -> str:
        return "done"

    previous = signal.signal(signal.SIGTERM, mine)
    try:
        assert run_until_signalled(nothing()) == ("done", None)
        assert signal.getsignal(signal.SIGTERM) is mine
    finally:
        signal.signal(signal.SIGTERM, previous)
