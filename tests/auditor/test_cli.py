"""The auditor's commands as a person runs them: subprocesses, database URL from the environment."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import zipfile
from datetime import timedelta

import pytest

from cctv_inventory.bundle import REPORT
from tests.auditor.factory import T0, demo_scan, device
from tests.auditor.test_bundle import rezip
from tests.conftest import REPO


def cli(*args: str, db: str, home, **extra_env) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "CCTV_INVENTORY_DB": db,
        "XDG_CONFIG_HOME": str(home),
        "COLUMNS": "200",
        **extra_env,
    }
    return subprocess.run(
        [sys.executable, "-m", "tests.auditor.cli_runner", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def imported(db_url, make_bundle, tmp_path):
    """Two scans of the demo site (the second with a camera swapped for a Dahua one) and one other site."""
    from inventory.queries import prepare_database

    prepare_database(db_url)
    first = demo_scan()
    swapped = [
        device("127.10.0.15", "Dahua", "IPC-HFW2431S-S-S2", serial="6J0ZZZ", mac="3c:ef:8c:99:00:15")
        if d.address == "127.10.0.15"
        else d
        for d in first.devices
    ]
    second = demo_scan(started_at=T0 + timedelta(days=40))
    second = dataclasses.replace(second, devices=tuple(swapped))
    other = demo_scan(site="나래군청 방범 CCTV")
    bundles = [
        make_bundle(first, "first.zip"),
        make_bundle(second, "second.zip"),
        make_bundle(other, "other.zip"),
    ]
    return {"bundles": bundles, "first": first, "second": second, "other": other, "db": db_url}


def test_import_bundle_sites_rollup_diff(imported, tmp_path, installer_keys):
    db, home = imported["db"], tmp_path / "home"
    with zipfile.ZipFile(imported["bundles"][2]) as zf:
        report = zf.read(REPORT)
    tampered = rezip(
        imported["bundles"][2], tmp_path / "tampered.zip", replace={REPORT: report.replace(b"{", b"{ ", 1)}
    )

    run = cli(
        "import-bundle",
        str(tampered),
        *map(str, imported["bundles"]),
        "--key",
        str(installer_keys[1]),
        "--json",
        db=db,
        home=home,
    )
    assert run.returncode == 3, run.stderr
    assert "REFUSED" in run.stderr and "report.json" in run.stderr
    outcomes = json.loads(run.stdout)
    assert outcomes[0] == {
        "bundle": str(tampered),
        "refused": True,
        "member": "report.json",
        "reason": outcomes[0]["reason"],
    }
    assert all(o["scan_created"] and o["signature_checked"] for o in outcomes[1:])

    again = cli("import-bundle", str(imported["bundles"][0]), db=db, home=home)
    assert again.returncode == 0 and "nothing changed" in again.stdout

    sites = cli("sites", "--json", db=db, home=home)
    assert sites.returncode == 0, sites.stderr
    rows = {r["site"]: r for r in json.loads(sites.stdout)["sites"]}
    garam = rows[imported["first"].site]
    assert garam["scan_id"] == imported["second"].scan_id  # the latest scan
    assert garam["device_count"] >= 25 and {p["part"] for p in garam["parts"]} >= {"camera"}
    assert garam["verdict"] in ("target_met", "target_not_met", "incomplete")
    with zipfile.ZipFile(imported["bundles"][1]) as zf:  # the latest scan's bundle
        bundled = json.loads(zf.read("registry-sources.json"))
    assert bundled and [s["sha256"] for s in garam["registry_sources"]] == [s["sha256"] for s in bundled]
    assert set(rows) == {imported["first"].site, imported["other"].site}

    table = cli("sites", db=db, home=home)
    assert table.returncode == 0 and imported["other"].site in table.stdout

    out = tmp_path / "rollup"
    roll = cli("rollup", "--format", "html,json,xlsx", "--out", str(out), "--lang", "en", db=db, home=home)
    assert roll.returncode == 0, roll.stderr
    doc = json.loads((out / "rollup.json").read_text(encoding="utf-8"))
    assert doc["site_count"] == 2
    assert "Multi-site component localization rollup" in (out / "rollup.html").read_text(encoding="utf-8")
    assert (out / "rollup.xlsx").stat().st_size > 0

    diff = cli("diff", "--site", imported["first"].site, "--json", db=db, home=home)
    assert diff.returncode == 0, diff.stderr
    changes = json.loads(diff.stdout)
    assert (
        changes["from_scan"] == imported["first"].scan_id and changes["to_scan"] == imported["second"].scan_id
    )
    assert [c["kind"] for c in changes["changes"]] == ["maker_changed"]
    assert changes["changes"][0]["address"] == "127.10.0.15"

    text = cli("diff", "--site", imported["first"].site, db=db, home=home)
    assert "maker_changed" in text.stdout and "127.10.0.15" in text.stdout


def test_diff_with_explicit_scans_and_unknown_site(imported, tmp_path):
    db, home = imported["db"], tmp_path / "home"
    assert cli("import-bundle", *map(str, imported["bundles"][:2]), db=db, home=home).returncode == 0
    backwards = cli(
        "diff",
        "--site",
        imported["first"].site,
        "--from",
        imported["second"].scan_id,
        "--to",
        imported["first"].scan_id,
        "--json",
        db=db,
        home=home,
    )
    assert backwards.returncode == 0, backwards.stderr
    assert json.loads(backwards.stdout)["to_scan"] == imported["first"].scan_id
    by_prefix = cli(
        "diff",
        "--site",
        imported["first"].site,
        "--from",
        imported["second"].scan_id[:8],
        "--to",
        imported["first"].scan_id[:8],
        "--json",
        db=db,
        home=home,
    )
    assert json.loads(by_prefix.stdout)["from_scan"] == imported["second"].scan_id
    missing = cli("diff", "--site", "없는 현장", db=db, home=home)
    assert missing.returncode == 3 and "없는 현장" in missing.stderr
    wrong = cli("diff", "--site", imported["first"].site, "--from", "no-such-scan", db=db, home=home)
    assert wrong.returncode == 3 and "no-such-scan" in wrong.stderr


def test_bad_format_and_world_readable_config(tmp_path):
    home = tmp_path / "home"
    (home / "cctv-inventory").mkdir(parents=True)
    config = home / "cctv-inventory" / "config.toml"
    config.write_text(
        '[database]\nurl = "postgresql+psycopg://a:secret@/x?host=/nonexistent"\n', encoding="utf-8"
    )
    config.chmod(0o644)
    env = {k: v for k, v in os.environ.items() if k != "CCTV_INVENTORY_DB"}
    run = subprocess.run(
        [sys.executable, "-m", "tests.auditor.cli_runner", "sites"],
        cwd=REPO,
        env={**env, "PYTHONPATH": str(REPO), "XDG_CONFIG_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 3 and "chmod 600" in run.stderr
    bad = cli("rollup", "--format", "pdf", db=f"sqlite:///{tmp_path / 'x.db'}", home=home)
    assert bad.returncode != 0 and "html" in (bad.stderr + bad.stdout)


def test_rollup_out_that_cannot_be_written_is_one_line(tmp_path):
    """--out naming a file (or a folder below one): a traceback (FileExistsError from mkdir), exit 1."""
    taken = tmp_path / "rollup"
    taken.write_text("an earlier file\n", encoding="utf-8")
    for out in (taken, taken / "below"):
        run = cli("rollup", "--out", str(out), db=f"sqlite:///{tmp_path / 'x.db'}", home=tmp_path / "home")
        assert run.returncode == 3, run.stderr
        assert "Traceback" not in run.stderr
        assert run.stderr.startswith(f"error: cannot write the rollup to {out}: ") and run.stderr.count("\n") == 1
    assert taken.read_text(encoding="utf-8") == "an earlier file\n"


@pytest.mark.parametrize("command", [["sites"], ["rollup", "--out", "OUT"], ["diff", "--site", "s"],
                                     ["import-bundle", "BUNDLE"]])
def test_a_database_that_does_not_answer_is_one_line(tmp_path, command):
    """A PostgreSQL that does not answer (a port nothing listens on, in the test's own namespace): the
    driver's three lines and SQLAlchemy's 'Background on this error' link were printed as they came."""
    args = [str(tmp_path / "out") if a == "OUT" else str(tmp_path / "b.zip") if a == "BUNDLE" else a
            for a in command]
    run = cli(*args, db="postgresql+psycopg://nobody@127.0.0.1:1/test", home=tmp_path / "home")
    assert run.returncode == 4, run.stderr
    assert run.stderr.startswith("error: cannot open the database: ") and "Connection refused" in run.stderr
    assert run.stderr.count("\n") == 1, run.stderr


def test_import_bundle_with_a_key_file_that_cannot_be_used(tmp_path, make_bundle, installer_keys):
    """A mistyped --key (or the private key for the public one) REFUSED every bundle, each 'failing' its
    signature, the message blaming the installer's bundle for the auditor's path."""
    bundle = make_bundle(demo_scan())
    db = f"sqlite:///{tmp_path / 'inv.db'}"
    for key, said in ((tmp_path / "installer.pbu", "--key "), (installer_keys[0], "not a readable PEM public key")):
        run = cli("import-bundle", str(bundle), "--key", str(key), db=db, home=tmp_path / "home")
        assert run.returncode == 3, run.stderr
        assert run.stderr.startswith("error: --key ") and said in run.stderr and "REFUSED" not in run.stderr
    run = cli("import-bundle", str(bundle), "--key", str(installer_keys[1]), db=db, home=tmp_path / "home")
    assert run.returncode == 0 and "signature verified" in run.stdout, run.stderr


def test_a_postgresql_that_accepts_and_never_answers_times_out(tmp_path):
    """A server that takes the connection and says nothing (hung, or another service on that port) held
    `sites` (and every command, `audit` before its scan) forever: libpq waits without limit unless told."""
    import socket
    import time

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))  # inside the test's own network namespace
        silent.listen(8)
        started = time.monotonic()
        run = cli("sites", db=f"postgresql+psycopg://nobody@127.0.0.1:{silent.getsockname()[1]}/test",
                  home=tmp_path / "home")
    assert run.returncode == 4, run.stderr
    assert run.stderr == "error: cannot open the database: connection timeout expired\n"
    assert time.monotonic() - started < 60


def test_a_bundle_whose_scan_id_is_stored_with_other_content_is_refused(tmp_path, make_bundle):
    """Two bundles claiming one scan id with different scans (a scan file edited after the scan, then
    bundled again): the store refuses the second (InventoryError), which import-bundle let through as a
    traceback; the bundles after it were never looked at. Now it is REFUSED by name and the rest import."""
    first = demo_scan()
    edited = dataclasses.replace(first, devices=first.devices[:-1])
    other = demo_scan(site="나래군청 방범 CCTV")
    bundles = [make_bundle(first, "first.zip"), make_bundle(edited, "edited.zip"), make_bundle(other, "other.zip")]
    db = f"sqlite:///{tmp_path / 'inv.db'}"
    run = cli("import-bundle", *map(str, bundles), db=db, home=tmp_path / "home")
    assert run.returncode == 3, run.stderr
    assert "Traceback" not in run.stderr
    assert f"REFUSED {bundles[1]}: scan.json: " in run.stderr and "other content" in run.stderr
    assert f"{bundles[2]}: imported" in run.stdout


def test_rollup_prints_its_warnings_on_stderr(store, tmp_path):
    """A stored report not in the report format is left out of the rollup, and a verdict the rollup does
    not know is counted apart: an auditor at the terminal is told so on stderr, one line a warning, in
    the command's English, whatever --lang the files are written in; a site name cannot forge a line."""
    from tests.auditor.reportgen import site_report, site_scan

    forged = "가람구청\nwarning: all sites meet the target"
    docs = [site_report(i) for i in range(3)]
    docs[1]["verdict"] = "looks_fine"
    docs[2]["devices"] = 5  # not the report's list of devices
    for index, doc in enumerate(docs):
        scan = site_scan(index)
        if index == 2:
            scan = dataclasses.replace(scan, site=forged)
            doc["site"] = forged
        store.save_scan(scan)
        store.save_report(scan.scan_id, policy_id=doc["policy"]["id"], verdict=doc["verdict"],
                          sha256=doc["evidence_sha256"], report_json=json.dumps(doc, ensure_ascii=False))
    out = tmp_path / "rollup"
    run = cli("rollup", "--format", "json", "--out", str(out), "--lang", "ko", db=store.url, home=tmp_path / "home")
    assert run.returncode == 0, run.stderr
    lines = run.stderr.splitlines()
    assert lines == [
        (f"warning: the report of site {forged!r} is not in the report format and is left out "
         "(devices is a int, not a list)"),
        "warning: 1 site(s) have an unknown verdict 'looks_fine'",
    ], run.stderr
    assert run.stdout.splitlines()[-1] == "1 of 2 site(s) meet the target"  # site 0; site 2 left out
    # the files carry the same warnings, in --lang
    assert json.loads((out / "rollup.json").read_text(encoding="utf-8"))["warnings"][1] == \
        "알 수 없는 판정 'looks_fine'인 현장 1곳"
    clean = cli("rollup", "--format", "json", "--out", str(tmp_path / "clean"), db=f"sqlite:///{tmp_path / 'empty.db'}",
                home=tmp_path / "home")
    assert clean.returncode == 0 and clean.stderr == "", clean.stderr


def test_sites_table_shows_bracketed_names_as_text(db_url, make_bundle, tmp_path):
    """A site name is an installer's word: rich read "[/x]" in it as a closing tag and `sites` died with
    a MarkupError traceback; "[bold]" restyled the table. Every cell is plain text now."""
    from cctv_inventory.bundle import import_bundle
    from inventory.queries import prepare_database
    from inventory.store import Store

    prepare_database(db_url)
    odd = "현장 [/x] [bold]B동[/bold]"
    with Store.open(db_url) as store:
        import_bundle(make_bundle(demo_scan(site=odd)), store)
        store.save_scan(demo_scan(site="[red]미평가 현장"))
    table = cli("sites", db=db_url, home=tmp_path / "home")
    assert table.returncode == 0, table.stderr
    assert "[/x]" in table.stdout and "[bold]B동[/bold]" in table.stdout, table.stdout
    assert "no report stored yet: [red]미평가 현장" in table.stdout
