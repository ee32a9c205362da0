"""`cctv-inventory report | keygen | verify` as subprocesses (run under tools/isolated like every test)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reports.validation import validate_report_document
from reports.writer import write_report_set
from scanner.serialize import write_scan_json
from tests.conftest import CONFIG
from tests.reports.builders import SCAN_ID, SITE, shared_matched_scan


def cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cctv_inventory", *args],
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )


@pytest.fixture
def keys(tmp_path):
    result = cli("keygen", "--out", str(tmp_path / "keys" / "installer"))
    assert result.returncode == 0, result.stderr
    return tmp_path / "keys" / "installer.key", tmp_path / "keys" / "installer.pub"


def test_keygen_refuses_to_overwrite(tmp_path, keys):
    again = cli("keygen", "--out", str(tmp_path / "keys" / "installer"))
    assert again.returncode == 3 and "not overwriting" in again.stderr


def test_verify_exit_codes(tmp_path, keys, shared_report):
    write_report_set(shared_report, tmp_path / "out", ["json"], "ko", keys[0])
    report = tmp_path / "out" / "report.json"
    ok = cli("verify", str(report), "--key", str(keys[1]))
    assert ok.returncode == 0 and "signature ok" in ok.stdout
    data = report.read_bytes()
    report.write_bytes(data.replace(b'"target_not_met"', b'"target_nOt_met"', 1))  # one byte
    changed = cli("verify", str(report))
    assert changed.returncode == 1 and "CHANGED" in changed.stderr
    report.write_bytes(data.replace(b'{\n', b'{ \n', 1))  # one byte of whitespace, the content unchanged
    for args in ([], ["--key", str(keys[1])]):
        reformatted = cli("verify", str(report), *args)
        assert reformatted.returncode == 1 and "the file was re-formatted or edited" in reformatted.stderr
    report.write_bytes(data)
    sig = report.with_name("report.json.sig")
    text = sig.read_text()
    sig.write_text(("B" if text[0] != "B" else "C") + text[1:])
    bad = cli("verify", str(report), "--key", str(keys[1]))
    assert bad.returncode == 1 and "BAD SIGNATURE" in bad.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--policy", "no-such-policy"], "no policy named"),
        (["--format", "html,pdf"], "unknown format pdf"),
        (["--lang", "jp"], "--lang must be one of ko, en"),
    ],
)
def test_report_refuses_bad_input_before_touching_the_database(tmp_path, args, message):
    result = cli("report", "--db", f"sqlite:///{tmp_path / 'never.db'}", *args)
    assert result.returncode == 3 and message in result.stderr
    assert not (tmp_path / "never.db").exists()


def test_report_names_the_bad_key_of_a_policy_file(tmp_path):
    policy = tmp_path / "mine.yaml"
    shipped = CONFIG / "policies" / "kr-sme-parts-localization-2024.yaml"
    policy.write_text(shipped.read_text(encoding="utf-8").replace("mandatory:", "mandatroy:"), encoding="utf-8")
    result = cli("report", "--db", f"sqlite:///{tmp_path / 'never.db'}", "--policy", str(policy))
    assert result.returncode == 3 and "mandatroy: unknown key" in result.stderr


# --- end to end through the inventory's commands ---------------------------------------------


def inventory_commands_missing() -> str | None:
    if importlib.util.find_spec("inventory.match_store") is None:
        return "inventory matching (inventory/match_store.py)"
    for command in (["import-scan", "--help"], ["registry", "import", "--help"], ["db", "upgrade", "--help"]):
        if cli(*command).returncode != 0:
            return f"`cctv-inventory {command[0]}`"
    return None


def sample_registry() -> Path:
    found = sorted((CONFIG / "registry").glob("*.csv")) + sorted((CONFIG / "registry").glob("*.xlsx"))
    if not found:
        pytest.skip("!!! no sample registry in config/registry/ yet !!!")
    return found[0]


@pytest.fixture(scope="module")
def inventory_ready():
    missing = inventory_commands_missing()
    if missing:
        pytest.skip(f"!!! {missing} has not landed yet !!!")


def test_report_end_to_end_from_a_scan_file(inventory_ready, db_url, tmp_path, keys):
    """import-scan a scan file, registry import the sample registry, then report — all as subprocesses."""
    scan = shared_matched_scan().scan
    scan_file = tmp_path / "scan.json"
    write_scan_json(scan, scan_file)
    env = {"CCTV_INVENTORY_DB": db_url}
    for step in (["db", "upgrade"], ["import-scan", str(scan_file)], ["registry", "import", str(sample_registry())]):
        done = cli(*step, env=env)
        assert done.returncode == 0, (step, done.stdout, done.stderr)

    out = tmp_path / "report"
    result = cli("report", "--site", SITE, "--out", str(out), "--sign", str(keys[0]), "--lang", "en", env=env)
    assert result.returncode == 0, result.stderr
    assert "Verdict:" in result.stdout
    for name in ("report.html", "report.json", "report.csv", "report.xlsx", "report.json.sig"):
        assert (out / name).is_file(), name
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    validate_report_document(doc)
    assert doc["scan"]["id"] == SCAN_ID and doc["site"] == SITE
    assert len(doc["devices"]) == len(scan.devices) + 1  # the agent host is a terminal_server device
    assert any(d["role"] == "operator_terminal" and d["part"] == "terminal_server" for d in doc["devices"])
    assert doc["evidence_sha256"].encode() in (out / "report.html").read_bytes()
    assert cli("verify", str(out / "report.json"), "--key", str(keys[1])).returncode == 0

    from inventory.store import Store

    with Store.open(db_url) as store:
        stored = store.reports(SITE)
    mine = [r for r in stored if r.sha256 == doc["evidence_sha256"]]
    assert len(mine) == 1, stored
    assert mine[0].verdict == doc["verdict"] and mine[0].policy_id == doc["policy"]["id"]
    assert mine[0].signature == (out / "report.json.sig").read_text().strip()
    assert json.loads(mine[0].report_json) == doc

    missing = cli("report", "--scan", "00000000-0000-0000-0000-000000000000", "--out", str(tmp_path / "x"), env=env)
    assert missing.returncode == 3 and "no scan" in missing.stderr


def test_report_refuses_a_database_without_registry_entries(inventory_ready, db_url, tmp_path):
    """As after `import-bundle` (a bundle carries only the registry's digests): the scan is there, the
    registry is not. `report` must not mark every device unmatched without a word."""
    scan_file = tmp_path / "scan.json"
    write_scan_json(shared_matched_scan().scan, scan_file)
    env = {"CCTV_INVENTORY_DB": db_url}
    for step in (["db", "upgrade"], ["import-scan", str(scan_file)]):
        done = cli(*step, env=env)
        assert done.returncode == 0, (step, done.stdout, done.stderr)

    out = tmp_path / "report"
    refused = cli("report", "--site", SITE, "--out", str(out), env=env)
    assert refused.returncode == 3, refused.stderr
    assert "no registry entries" in refused.stderr
    assert "cctv-inventory registry import" in refused.stderr
    assert not out.exists()

    allowed = cli("report", "--site", SITE, "--out", str(out), "--format", "json", "--allow-empty-registry",
                  env=env)
    assert allowed.returncode == 0, allowed.stderr
    assert "no registry entries" in allowed.stderr  # still said, as a warning
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert doc["method"]["registry_sources"] == []
    assert not any(d["covered"] for d in doc["devices"])

    done = cli("registry", "import", str(sample_registry()), env=env)
    assert done.returncode == 0, done.stderr
    again = cli("report", "--site", SITE, "--out", str(tmp_path / "again"), "--format", "json", env=env)
    assert again.returncode == 0, again.stderr


def test_report_with_a_database_that_does_not_answer_is_one_line(tmp_path):
    """A PostgreSQL that does not answer (a port nothing listens on, in the test's own namespace): the
    driver's extra lines and SQLAlchemy's 'Background on this error' link came along."""
    import subprocess
    import sys

    from tests.conftest import REPO

    run = subprocess.run([sys.executable, "-m", "cctv_inventory", "report", "--db",
                          "postgresql+psycopg://nobody@127.0.0.1:1/test", "--out", str(tmp_path / "out")],
                         cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 4, run.stderr
    assert run.stderr.startswith("error: cannot open the database: ") and run.stderr.count("\n") == 1, run.stderr


def test_verify_with_a_path_that_cannot_be_used_is_not_a_changed_report(tmp_path, keys, shared_report):
    """A key file mistyped, a private key given for the public one, a report path that is not there: each
    said FAILED with exit 1, the code a script reads as a tampered report. Exit 3, nothing checked."""
    write_report_set(shared_report, tmp_path / "out", ["json"], "ko", keys[0])
    report = tmp_path / "out" / "report.json"
    for args, said in (
        ([str(report), "--key", str(tmp_path / "keys" / "instaler.pub")], "--key "),
        ([str(report), "--key", str(keys[0])], "not a readable PEM public key"),
        ([str(tmp_path / "out" / "reprot.json")], "no such file"),
        ([str(tmp_path / "out")], "a directory"),
    ):
        result = cli("verify", *args)
        assert result.returncode == 3, (args, result.stderr)
        assert result.stderr.startswith("error: ") and said in result.stderr and "FAILED" not in result.stderr
    assert cli("verify", str(report), "--key", str(keys[1])).returncode == 0
