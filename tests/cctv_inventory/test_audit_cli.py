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
    assert (command.EXIT_BAD_INPUT, command.EXIT_DATABASE, command.EXIT_SCAN_FAILED) == (3, 4, 5)
    help_text = " ".join(audit("--help").stdout.split())
    for line in ("0 target_met", "1 target_not_met, or fail", "2 incomplete", "3 bad input", "4 the database",
                 "5 the scan could not run"):
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
