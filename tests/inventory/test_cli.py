"""The inventory commands as a user runs them: real subprocesses, real databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from scanner.serialize import write_scan_json
from tests.conftest import CONFIG, REPO
from tests.inventory.factory import SITE_NAME, demo_scan
from tests.inventory.test_registry_file import FIXTURES

SAMPLE = CONFIG / "registry" / "sample-registry.csv"


def run(
    *args: str, db: str | None, tmp_path: Path, env_db: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CCTV_INVENTORY_DB"}
    env.update(PYTHONPATH=str(REPO), HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    if env_db:
        env["CCTV_INVENTORY_DB"] = env_db
    command = [sys.executable, "-m", "cctv_inventory", *args] + (["--db", db] if db else [])
    return subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def upgraded(db_url: str, tmp_path: Path) -> str:
    """A fresh database (SQLite file or PostgreSQL schema, from `db_url`) at the current schema."""
    done = run("db", "upgrade", db=db_url, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    return db_url


def stored_counts(db_url: str) -> dict[str, int]:
    from inventory.store import Store

    with Store.open(db_url) as store:
        return {"entries": len(store.registry_entries()), "scans": len(store.scans())}


def test_registry_import_json_then_again(db_url, tmp_path):
    upgraded(db_url, tmp_path)
    first = run(
        "registry", "import", str(SAMPLE), "--source", "sample", "--json", db=db_url, tmp_path=tmp_path
    )
    assert first.returncode == 0, first.stderr
    assert {
        k: v
        for k, v in json.loads(first.stdout).items()
        if k in ("imported", "unchanged", "superseded", "errors")
    } == {
        "imported": 19,
        "unchanged": 0,
        "superseded": 0,
        "errors": [],
    }
    again = run("registry", "import", str(SAMPLE), "--json", db=db_url, tmp_path=tmp_path)
    assert json.loads(again.stdout)["unchanged"] == 19 and json.loads(again.stdout)["imported"] == 0
    listed = run("registry", "list", "--manufacturer", "아이디스", "--json", db=db_url, tmp_path=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert {e["model"] for e in json.loads(listed.stdout)} == {"DC-D4236RX", "DC-T4236HRX", "DR-6516P"}


def test_registry_import_bad_rows_exit_3_and_name_them(db_url, tmp_path):
    db = upgraded(db_url, tmp_path)
    result = run(
        "registry", "import", str(FIXTURES / "registry-cp949.csv"), "--json", db=db, tmp_path=tmp_path
    )
    assert result.returncode == 3
    out = json.loads(result.stdout)
    assert out["imported"] == 4 and [e["row"] for e in out["errors"]] == [6, 7, 8]
    assert "row 8: business registration number" in result.stderr
    assert stored_counts(db)["entries"] == 4  # the good rows are in, the bad ones are not


def test_registry_import_refuses_a_file_without_header(db_url, tmp_path):
    db = upgraded(db_url, tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("foo,bar\n1,2\n", encoding="utf-8")
    result = run("registry", "import", str(bad), db=db, tmp_path=tmp_path)
    assert result.returncode == 3
    assert "no usable header" in result.stderr and "Found: foo, bar" in result.stderr
    assert "Traceback" not in result.stderr
    assert stored_counts(db)["entries"] == 0
    listed = run("registry", "list", "--json", db=db, tmp_path=tmp_path)
    assert listed.returncode == 0 and json.loads(listed.stdout) == []


def test_import_scan_twice_changes_nothing(db_url, tmp_path):
    scan = demo_scan()
    path = tmp_path / "scan.json"
    write_scan_json(scan, path)
    upgraded(db_url, tmp_path)
    first = run("import-scan", str(path), "--json", db=db_url, tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == [
        {"file": str(path), "scan_id": scan.scan_id, "site": SITE_NAME, "created": True}
    ]
    again = run("import-scan", str(path), db=db_url, tmp_path=tmp_path)
    assert again.returncode == 0 and "already stored, nothing changed" in again.stdout


def test_import_scan_bad_file(db_url, tmp_path):
    db = upgraded(db_url, tmp_path)
    path = tmp_path / "scan.json"
    path.write_text('{"site": "x"}', encoding="utf-8")
    result = run("import-scan", str(path), db=db, tmp_path=tmp_path)
    assert result.returncode == 3 and "missing the key" in result.stderr
    assert "Traceback" not in result.stderr
    assert stored_counts(db)["scans"] == 0


def test_import_scan_of_a_file_that_is_no_text_is_one_line(db_url, tmp_path):
    """A scan file that is not UTF-8 (a spreadsheet or a zip given by mistake): a UnicodeDecodeError
    traceback; a file name said twice ('x.json: x.json: not JSON') in the other refusals."""
    db = upgraded(db_url, tmp_path)
    binary = tmp_path / "bundle.zip"
    binary.write_bytes(b"PK\x03\x04\xff\xfe\x00binary")
    result = run("import-scan", str(binary), db=db, tmp_path=tmp_path)
    assert result.returncode == 3 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith(f"error: {binary}: not a scan file: not UTF-8 text")
    broken = tmp_path / "scan.json"
    broken.write_text('{"site": ', encoding="utf-8")
    result = run("import-scan", str(broken), db=db, tmp_path=tmp_path)
    assert result.returncode == 3 and result.stderr.startswith(f"error: {broken}: not JSON (")
    assert stored_counts(db)["scans"] == 0


def test_import_scan_of_an_edited_scan_file_is_refused_by_name(db_url, tmp_path):
    """A scan file edited after it was stored keeps its scan id: the store refuses it (the stored one
    stands), which import-scan let through as an InventoryError traceback."""
    import dataclasses

    db = upgraded(db_url, tmp_path)
    scan = demo_scan()
    original, edited = tmp_path / "scan.json", tmp_path / "edited.json"
    write_scan_json(scan, original)
    write_scan_json(dataclasses.replace(scan, site="edited"), edited)
    assert run("import-scan", str(original), db=db, tmp_path=tmp_path).returncode == 0
    result = run("import-scan", str(edited), db=db, tmp_path=tmp_path)
    assert result.returncode == 3 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith(f"error: {edited}: scan {scan.scan_id} is stored already, with other content")
    assert stored_counts(db)["scans"] == 1


def test_db_url_from_the_environment(db_url, tmp_path):
    env_db = upgraded(db_url, tmp_path)
    result = run("registry", "import", str(SAMPLE), db=None, tmp_path=tmp_path, env_db=env_db)
    assert result.returncode == 0, result.stderr
    assert stored_counts(env_db)["entries"] == 19
    assert not (tmp_path / "cctv-inventory.db").exists()
    listed = run("registry", "list", "--json", db=None, tmp_path=tmp_path, env_db=env_db)
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 19


def test_db_url_from_the_environment_and_default_file(tmp_path):
    """The default is a SQLite file in the working directory: SQLite only, by definition."""
    env_db = f"sqlite:///{tmp_path / 'from-env.db'}"
    result = run("registry", "import", str(SAMPLE), db=None, tmp_path=tmp_path, env_db=env_db)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from-env.db").exists() and not (tmp_path / "cctv-inventory.db").exists()
    default = run("registry", "list", "--json", db=None, tmp_path=tmp_path)
    assert default.returncode == 0 and json.loads(default.stdout) == []
    assert (tmp_path / "cctv-inventory.db").exists()


def test_out_of_date_postgres_names_the_command(pg_url, tmp_path):
    result = run("registry", "list", db=pg_url, tmp_path=tmp_path)
    assert result.returncode == 4
    assert "cctv-inventory db upgrade --db" in result.stderr


def test_declared_import(db_url, tmp_path):
    db = upgraded(db_url, tmp_path)
    declared = CONFIG / "lab" / "demo-declared.csv"
    result = run("declared", "import", str(declared), "--site", SITE_NAME, "--json", db=db, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["items"] == 15
    again = run("declared", "import", str(declared), "--site", SITE_NAME, db=db, tmp_path=tmp_path)
    assert again.returncode == 0 and "nothing changed" in again.stdout
    from inventory.store import Store

    with Store.open(db) as store:
        assert len(store.declared(SITE_NAME)) == 15
