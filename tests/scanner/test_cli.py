"""`cctv-inventory scan` as an installer runs it: a subprocess, JSON out, passwords nowhere, Ctrl-C keeps data."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import DEMO_PASSWORDS, HOSTILE_SITE, REPO

pytestmark = pytest.mark.network


def cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("cwd", REPO)
    return subprocess.run([sys.executable, "-m", "cctv_inventory", "scan", *args], check=False,
                          capture_output=True, text=True, timeout=120, **kwargs)


def _hostile_credentials(tmp_path) -> Path:
    """hostile-site.yaml's password in a credentials file the scanner accepts (owner-only)."""
    creds = tmp_path / "creds.yaml"
    creds.write_text('- {scope: "*", username: admin, password: "Hostile!Site1"}\n')
    os.chmod(creds, 0o600)
    return creds


def test_json_out_and_no_password_anywhere(demo_lab, demo_credentials, tmp_path):
    """Site: demo-site.yaml. The scan file is complete and valid; no password in it, stdout, stderr or the lab log."""
    out = tmp_path / "scan.json"
    run = cli("--interface", "lo", "--target", "127.10.0.18", "--credentials", str(demo_credentials), "--site",
              "가람구청", "--json-out", str(out), "--timeout", "4")
    assert run.returncode == 0, run.stderr
    text = out.read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["complete"] is True and data["site"] == "가람구청"
    assert data["scope"] == {"interfaces": ["lo"], "targets": ["127.10.0.18"], "multicast": True, "allow_public": False}
    assert len(data["devices"]) == len(demo_lab.devices)  # the unicast-only camera came in through --target
    assert data["host"]["role"] == "operator_terminal"
    required = {"address", "port", "xaddrs", "endpoint_reference", "status", "status_reason", "manufacturer",
                "model", "firmware", "serial", "hardware_id", "mac", "hostname", "scopes", "services", "role",
                "role_reason", "clock_skew_s", "fingerprints", "suspected_relabel"}
    for device in data["devices"]:
        assert required <= set(device)
    # 127.10.0.63's password is not in the file: its summary row shows the model its scopes announce
    dahua = demo_lab.device("127.10.0.63")
    [row] = [line for line in run.stdout.splitlines() if "127.10.0.63" in line]
    assert "auth_failed" in row and f"(announced) {dahua['hardware_id']}" in row
    relabelled = [d for d in data["devices"] if d["suspected_relabel"]]
    assert {d["address"] for d in relabelled} == {"127.10.0.51", "127.10.0.52"}
    assert relabelled[0]["suspected_relabel"]["claimed"] == "한빛비전"
    log = demo_lab.request_log.read_text(encoding="utf-8")
    for secret in DEMO_PASSWORDS:
        for where, content in (("json", text), ("stdout", run.stdout), ("stderr", run.stderr), ("lab log", log)):
            assert secret not in content, (secret, where)


def test_keep_responses_holds_the_answer_behind_every_field(demo_lab, demo_credentials, tmp_path):
    """Site: demo-site.yaml. Each field's evidence names a file holding the device's answer, byte for byte."""
    import hashlib

    out, kept = tmp_path / "scan.json", tmp_path / "responses"
    run = cli("--interface", "lo", "--credentials", str(demo_credentials), "--json-out", str(out),
              "--keep-responses", str(kept), "--timeout", "4")
    assert run.returncode == 0, run.stderr
    assert not any(p.name.startswith(".") for p in kept.iterdir())  # no temporary file left behind
    files = {p.name: p.read_bytes() for p in kept.iterdir()}
    assert files and all(name.split(".")[0] == hashlib.sha256(body).hexdigest() for name, body in files.items())
    devices = json.loads(out.read_text(encoding="utf-8"))["devices"]
    # a Hanwha's RTSP names no Server, so its RTSP evidence is the realm DESCRIBE was asked for
    kinds = {"GetDeviceInformation": "xml", "HTTP GET /": "http", "RTSP DESCRIBE": "rtsp", "TLS certificate": "der"}
    hanwha = next(d for d in devices if d["address"] == "127.10.0.11")
    cited = {e["operation"]: e["sha256"] for e in hanwha["evidence"]}
    assert set(kinds) <= set(cited)  # the fields' answers, and the fingerprints' behind a relabel finding
    for operation, kind in kinds.items():
        assert f"{cited[operation]}.{kind}" in files, operation
    assert b"XNO-6080R" in files[f"{cited['GetDeviceInformation']}.xml"]
    assert b'realm="iPOLiS"' in files[f"{cited['RTSP DESCRIBE']}.rtsp"]
    every = {e["sha256"] for d in devices for e in d["evidence"]}
    # every cited answer is there, and nothing else: 127.10.0.63's refusal and 127.10.0.16's GetServices fault
    # are read and hashed, but no field stands on them
    assert every == {name.split(".")[0] for name in files}
    for secret in DEMO_PASSWORDS:  # answers, never our requests: no password, no token
        assert not any(secret.encode() in body for body in files.values())


def test_a_full_disk_costs_the_kept_answers_never_the_scan(demo_lab, demo_credentials, tmp_path):
    """Site: demo-site.yaml. --keep-responses on a 16 KiB tmpfs (a real ENOSPC, in a mount namespace of
    its own): the scan still completes with every device read, the answers that fitted are kept whole,
    no half-written file is left, and each field whose answer was not kept says so (kept: false)."""
    import hashlib
    import shutil

    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs unshare --mount as root to give the scan a small disk of its own")
    out, kept, copied = tmp_path / "scan.json", tmp_path / "responses", tmp_path / "copied"
    kept.mkdir()
    copied.mkdir()
    scan = [sys.executable, "-m", "cctv_inventory", "scan", "--interface", "lo", "--target", "127.10.0.18", "--credentials",
            str(demo_credentials), "--json-out", str(out), "--keep-responses", str(kept), "--timeout", "4"]
    # the tmpfs goes with its namespace, so the shell copies out what it held before leaving
    script = 'mount -t tmpfs -o size=16k tmpfs "$0" && "$@"; rc=$?; cp -a "$0"/. "$COPIED"/; exit $rc'
    run = subprocess.run(["unshare", "--mount", "sh", "-c", script, str(kept), *scan], check=False, cwd=REPO,
                         capture_output=True, text=True, timeout=120, env={**os.environ, "COPIED": str(copied)})
    assert run.returncode == 0, run.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["complete"] is True and len(data["devices"]) == len(demo_lab.devices)
    files = {p.name: p.read_bytes() for p in copied.iterdir()}
    assert files and not any(name.startswith(".") for name in files)  # no half-written answer left
    assert all(name.split(".")[0] == hashlib.sha256(body).hexdigest() for name, body in files.items())
    evidence = [e for d in data["devices"] for e in d["evidence"]]
    on_disk = {name.split(".")[0] for name in files}
    assert {e["sha256"] for e in evidence if e["kept"]} == on_disk
    assert not {e["sha256"] for e in evidence if e["kept"] is False} & on_disk
    refused = [d for d in data["devices"] if any(e["kept"] is False for e in d["evidence"])]
    assert refused  # 16 KiB holds four answers: most devices lost theirs
    for device in refused:  # a failed device's reason is its failure first, then the note
        assert device["status_reason"].count("its answers could not be kept") == 1, device["status_reason"]
    failed = {d["address"]: d["status_reason"] for d in refused if d["status"] != "ok"}
    assert failed  # the auth_failed and protocol_error ones had a clock answer to keep
    assert all(not reason.startswith("evidence:") for reason in failed.values()), failed
    hanwha = next(d for d in data["devices"] if d["address"] == "127.10.0.11")
    assert hanwha["status"] == "ok" and hanwha["model"] == "XNO-6080R"  # the fields themselves stand


def test_check_host_reports_declared_hosts_inside_the_scope_only(tmp_path):
    """No simulated site: a host listening on SSH at 127.44.0.5 plays a declared VMS server."""
    import socket

    out = tmp_path / "scan.json"
    with socket.create_server(("127.44.0.5", 22)):
        run = cli("--target", "127.44.0.4/30", "--check-host", "127.44.0.5", "--check-host", "10.44.0.6",
                  "--json-out", str(out), "--timeout", "2")
    assert run.returncode == 0, run.stderr
    checks = {c["address"]: c for c in json.loads(out.read_text(encoding="utf-8"))["host_checks"]}
    assert checks["127.44.0.5"]["answered"] and checks["127.44.0.5"]["open_ports"] == [22]
    assert checks["10.44.0.6"]["skipped"] == "out_of_scope"  # outside --target: never contacted
    assert "checking 2 declared host(s) for a TCP answer" in run.stderr
    assert "declared host 127.44.0.5: answers (accepted a connection on 22)" in run.stdout
    assert "declared host 10.44.0.6: not checked" in run.stdout
    # a named --target that is silent on ONVIF is an unreachable device, and still checked
    with socket.create_server(("127.44.0.5", 22)):
        run = cli("--target", "127.44.0.5", "--check-host", "127.44.0.5", "--json-out", str(out), "--timeout", "2")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [d["status"] for d in data["devices"]] == ["unreachable"]
    assert data["host_checks"][0]["open_ports"] == [22]


def test_refusals_exit_non_zero_with_a_clear_message(tmp_path, demo_credentials):
    """No site needed: these scans never start."""
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    run = cli("--interface", "lo", "--keep-responses", str(not_a_dir / "responses"))
    assert run.returncode == 2 and "cannot keep responses in" in run.stderr
    run = cli("--interface", "lo", "--check-host", "10.0.0.0/24")
    assert run.returncode == 2 and "--check-host '10.0.0.0/24' is not one IPv4 address" in run.stderr
    run = cli()
    assert run.returncode == 2 and "--interface" in run.stderr and "lo (127.0.0.0/8)" in run.stderr
    run = cli("--target", "8.8.8.0/24")
    assert run.returncode == 2 and "--allow-public" in run.stderr
    loose = tmp_path / "loose.yaml"
    loose.write_text(demo_credentials.read_text())
    os.chmod(loose, 0o644)
    run = cli("--interface", "lo", "--credentials", str(loose))
    assert run.returncode == 2 and "chmod 600" in run.stderr
    for secret in DEMO_PASSWORDS:
        assert secret not in run.stderr + run.stdout


def test_sigint_mid_scan_writes_what_was_collected(tmp_path):
    """Site: hostile-site.yaml (its hanging device keeps the scan busy until we interrupt it)."""
    from simulator.testing import running_lab

    out = tmp_path / "scan.json"
    creds = _hostile_credentials(tmp_path)
    with running_lab(HOSTILE_SITE):
        process = subprocess.Popen(
            [sys.executable, "-m", "cctv_inventory", "scan", "--interface", "lo", "--timeout", "60", "--plain",
             "--credentials", str(creds), "--json-out", str(out)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # Wait until every device but the hanging one is done, then Ctrl-C.
        deadline = time.monotonic() + 30
        lines = []
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            lines.append(line)
            if line.startswith("discovery:"):
                break
        time.sleep(3)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, "".join(lines) + stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["complete"] is False and "interrupted" in data["interrupted_reason"]
    found = {d["address"]: d for d in data["devices"]}
    assert found["127.30.0.1"]["status"] == "ok" and found["127.30.0.1"]["model"] == "XNO-6080R"
    assert found["127.30.0.12"]["status"] == "timeout" and "cut short" in found["127.30.0.12"]["status_reason"]
    assert "cut short" in stdout


def test_sigkill_mid_scan_loses_nothing_read_and_recover_makes_the_scan_file(tmp_path):
    """Site: hostile-site.yaml. SIGKILL runs no handler, so the scan file is never written; the journal
    has every device finished by then, `recover` turns it into the scan file (complete=false), and a
    new scan refuses to start over the journal until then."""
    from simulator.testing import running_lab

    out = tmp_path / "scan.json"
    journal = tmp_path / "scan.json.journal"
    creds = _hostile_credentials(tmp_path)
    with running_lab(HOSTILE_SITE) as lab:
        process = subprocess.Popen(
            [sys.executable, "-m", "cctv_inventory", "scan", "--interface", "lo", "--timeout", "60", "--plain",
             "--credentials", str(creds), "--json-out", str(out)], cwd=REPO, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        # The hanging device keeps the scan busy: wait until every other one is in the journal.
        # (127.30.0.31 is a NAS, no ONVIF device: it is journalled as another WS-Discovery host.)
        others = {d["address"] for d in lab.devices} - {"127.30.0.12", "127.30.0.31"}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            journalled = {json.loads(line).get("address") for line in
                          (journal.read_text(encoding="utf-8").splitlines()[1:] if journal.exists() else [])}
            if others <= journalled:
                break
            time.sleep(0.2)
        os.killpg(process.pid, signal.SIGKILL)  # the scan and its worker processes, as the OOM killer would
        process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL
    lines = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()[1:]]
    journalled = sum("address" in line for line in lines)
    assert [line["other_responder"]["address"] for line in lines if "other_responder" in line] == ["127.30.0.31"]
    assert not out.exists()
    refused = cli("--interface", "lo", "--json-out", str(out), "--timeout", "1")
    assert refused.returncode == 2 and "recover" in refused.stderr and str(journal) in refused.stderr

    run = subprocess.run([sys.executable, "-m", "cctv_inventory", "recover", str(journal)], cwd=REPO,
                         capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    assert f"recovered {journalled} device(s)" in run.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["complete"] is False and "journal" in data["interrupted_reason"] and data["finished_at"] is None
    found = {d["address"]: d for d in data["devices"]}
    assert len(found) == journalled and others <= set(found)  # (multicast on lo may reach other labs too)
    assert "127.30.0.12" not in found  # the hanging one was still being read
    assert [o["address"] for o in data["other_responders"]] == ["127.30.0.31"]
    assert found["127.30.0.1"]["status"] == "ok" and found["127.30.0.1"]["model"] == "XNO-6080R"
    assert not journal.exists()
    again = subprocess.run([sys.executable, "-m", "cctv_inventory", "recover", str(journal)], cwd=REPO,
                           capture_output=True, text=True, timeout=60, check=False)
    assert again.returncode == 2 and "cannot recover" in again.stderr


def test_a_finished_scan_leaves_no_journal(demo_lab, tmp_path):
    """Site: demo-site.yaml, unicast to one host."""
    out = tmp_path / "scan.json"
    run = cli("--target", "127.10.0.41", "--no-multicast", "--json-out", str(out), "--timeout", "4")
    assert run.returncode == 0, run.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["complete"] is True
    assert list(tmp_path.iterdir()) == [out]


def test_db_stores_the_scan(demo_lab, demo_credentials, tmp_path, db_url):
    """Site: demo-site.yaml, unicast to two hosts. --db hands the scan to the inventory store: on SQLite
    given as a plain path (a new file, created at the current schema), and on PostgreSQL (a fresh schema,
    upgraded first: a shared PostgreSQL schema is never upgraded by a scan)."""
    from inventory import db
    from inventory.store import Store

    if db_url.startswith("sqlite:///"):
        target = db_url.removeprefix("sqlite:///")  # a plain path is a SQLite file
    else:
        db.upgrade(db_url)
        target = db_url
    run = cli("--target", "127.10.0.11", "--target", "127.10.0.43", "--no-multicast", "--credentials",
              str(demo_credentials), "--db", target, "--site", "가람구청", "--timeout", "4", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "stored scan" in run.stderr
    assert not list(tmp_path.glob("*.journal"))  # stored: its journal has done its work
    with Store.open(db_url) as store:
        [summary] = store.scans(site="가람구청")
        stored = store.scan(summary.scan_id)
        raw = store.scan_json(summary.scan_id)
    assert summary.device_count == 2 and summary.complete
    assert {d.address: d.model for d in stored.devices} == {"127.10.0.11": "XNO-6080R", "127.10.0.43": "IPC-HFW2431S-S-S2"}
    for secret in DEMO_PASSWORDS:
        assert secret not in raw and secret not in run.stderr + run.stdout


@pytest.mark.parametrize("db", ["sqlite:///{tmp}/no/such/dir/x.db", "{tmp}/not-a-database.db",
                                "postgresql+psycopg://nobody@127.0.0.1:1/test"],
                         ids=["sqlite-no-folder", "sqlite-not-a-database", "postgresql-down"])
def test_db_that_cannot_be_opened_is_refused_before_scanning(demo_lab, tmp_path, db):
    """Site: demo-site.yaml, one host. A database that cannot be opened was found only after the whole site had
    been scanned (an installer's half hour, for a typo in --db): now exit 4 before anything is sent."""
    (tmp_path / "not-a-database.db").write_bytes(b"this is no SQLite file" * 100)
    out = tmp_path / "scan.json"
    asked = len([r for r in demo_lab.requests() if r["device"] == "127.10.0.11"])
    run = cli("--target", "127.10.0.11", "--no-multicast", "--db", db.format(tmp=tmp_path),
              "--json-out", str(out), "--timeout", "4")
    assert run.returncode == 4, run.stderr
    assert run.stderr.startswith("cannot scan: --db: cannot open the database: ") and run.stderr.count("\n") == 1
    assert "nothing was scanned" in run.stderr and "Traceback" not in run.stderr
    assert not out.exists() and not (tmp_path / "scan.json.journal").exists()
    assert len([r for r in demo_lab.requests() if r["device"] == "127.10.0.11"]) == asked


def test_a_database_that_refuses_the_scan_after_it_ran_keeps_it_in_a_file(tmp_path, monkeypatch, capsys):
    """A database that opened before the scan and refuses it after (a server gone meanwhile): exit 4, and with
    --db alone the scan is written to scan-<id>.json in the current folder, not lost."""
    import typer

    from cctv_inventory.commands.scan import _save_db
    from scanner.serialize import read_scan_json
    from tests.auditor.factory import demo_scan

    monkeypatch.chdir(tmp_path)
    result = demo_scan()
    with pytest.raises(typer.Exit) as stopped:
        _save_db(f"sqlite:///{tmp_path}/gone/x.db", result, None)
    assert stopped.value.exit_code == 4
    kept = tmp_path / f"scan-{result.scan_id}.json"
    assert f"the scan is kept in {kept.name}" in capsys.readouterr().err
    assert read_scan_json(kept).scan_id == result.scan_id and len(read_scan_json(kept).devices) == len(result.devices)


def test_hosts_that_are_not_onvif_are_named_in_the_summary_and_kept_in_the_file(tmp_path):
    """Site: hostile-site.yaml, unicast to the NAS (127.30.0.31, wsd_host_not_onvif) and one camera. The
    NAS answers the Probe as a Devices-Profile host: listed under other_responders and in the summary.
    Named as a --target, it still gets the ONVIF HTTP probe, finds no ONVIF there, and is reported so."""
    from simulator.testing import running_lab

    out = tmp_path / "scan.json"
    creds = _hostile_credentials(tmp_path)
    with running_lab(HOSTILE_SITE):
        run = cli("--target", "127.30.0.31", "--target", "127.30.0.1", "--no-multicast", "--credentials",
                  str(creds), "--json-out", str(out), "--timeout", "4")
    assert run.returncode == 0, run.stderr
    assert "other WS-Discovery hosts, not ONVIF, not interrogated: 127.30.0.31 (wsdp:Device pub:Computer)" in run.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [o["address"] for o in data["other_responders"]] == ["127.30.0.31"]
    found = {d["address"]: d for d in data["devices"]}
    assert found["127.30.0.1"]["status"] == "ok"
    assert found["127.30.0.31"]["status"] == "protocol_error" and found["127.30.0.31"]["manufacturer"] is None
    assert "HTTP 404 without a SOAP answer (no ONVIF service at this URL)" in found["127.30.0.31"]["status_reason"]


def test_a_camera_outside_the_scope_is_named_in_the_summary_with_what_it_announced(capsys):
    """What `scan` prints for a responder outside the scope (tests/scanner/test_discovery.py shows the scan
    listing it): its address and its announced model, and that it was never contacted."""
    from datetime import UTC, datetime

    from cctv_inventory.commands.scan import _summary
    from scanner.model import OtherResponder, ScanResult, ScanScope

    factory = OtherResponder("192.168.1.64", scopes=("onvif://www.onvif.org/name/HIKVISION",
                                                     "onvif://www.onvif.org/hardware/DS-2CD2143G2-I"),
                             outside_scope=True)
    nas = OtherResponder("10.0.0.250", types=("wsdp:Device", "pub:Computer"))
    _summary(ScanResult(scan_id="s", site="site", started_at=datetime.now(UTC), finished_at=None, agent_version="t",
                        scope=ScanScope(interfaces=("eth1",)), host=None, devices=(), other_responders=(nas, factory)))
    printed = " ".join(capsys.readouterr().out.split())
    assert "answered from outside the scope, never contacted: 192.168.1.64 (DS-2CD2143G2-I / HIKVISION)" in printed
    assert "not ONVIF, not interrogated: 10.0.0.250 (wsdp:Device pub:Computer)" in printed


def test_sigkill_of_a_scan_given_only_db_loses_nothing_read(tmp_path):
    """Site: hostile-site.yaml. With --db alone there was no journal at all: a kill before the database
    write lost every device read. The journal now goes to the current directory, and `recover` reads it."""
    from simulator.testing import running_lab

    creds = _hostile_credentials(tmp_path)
    with running_lab(HOSTILE_SITE):
        process = subprocess.Popen(
            [sys.executable, "-m", "cctv_inventory", "scan", "--interface", "lo", "--timeout", "60", "--plain",
             "--credentials", str(creds), "--db", str(tmp_path / "inventory.db")], cwd=tmp_path,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        journals: list = []
        while time.monotonic() < deadline:  # the hanging device (127.30.0.12) keeps the scan going
            journals = list(tmp_path.glob("scan-*.json.journal"))
            if journals and len(journals[0].read_text(encoding="utf-8").splitlines()) > 10:
                break
            time.sleep(0.2)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    [journal] = journals
    run = subprocess.run([sys.executable, "-m", "cctv_inventory", "recover", str(journal)], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    data = json.loads(journal.with_name(journal.name.removesuffix(".journal")).read_text(encoding="utf-8"))
    assert data["complete"] is False and len(data["devices"]) >= 9


def test_workers_die_with_a_scan_killed_outright(tmp_path):
    """Site: hostile-site.yaml. SIGKILL to the scan process alone (the OOM killer picks one process): its two
    interrogation workers, forked children blocked on their job queues, went on running, probing for nobody."""
    from simulator.testing import running_lab

    creds = _hostile_credentials(tmp_path)
    with running_lab(HOSTILE_SITE):
        process = subprocess.Popen(
            [sys.executable, "-m", "cctv_inventory", "scan", "--interface", "lo", "--timeout", "60", "--plain",
             "--workers", "2", "--credentials", str(creds), "--json-out", str(tmp_path / "scan.json")],
            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        journal = tmp_path / "scan.json.journal"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (journal.exists() and len(journal.read_bytes().splitlines()) > 3):
            time.sleep(0.2)  # the workers are interrogating: devices reach the journal
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        deadline = time.monotonic() + 10
        alive = True
        while alive and time.monotonic() < deadline:
            try:
                os.killpg(process.pid, 0)  # any process left in the scan's session?
                time.sleep(0.1)
            except ProcessLookupError:
                alive = False
        if alive:
            os.killpg(process.pid, signal.SIGKILL)
    assert not alive, "a worker outlived its scan"


def test_json_out_that_is_a_directory_is_refused_before_scanning(tmp_path):
    """No site needed: refused before anything is sent. It was found only after the whole scan, as a
    traceback (IsADirectoryError from os.replace), the journal left behind."""
    run = cli("--target", "127.10.0.41", "--no-multicast", "--json-out", str(tmp_path), "--timeout", "4")
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and f"--json-out {tmp_path} is a directory" in run.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_scan_file_that_cannot_be_written_keeps_the_journal(demo_lab, tmp_path):
    """Site: demo-site.yaml, one host. A disk that fills as scan.json is written (write_scan_json made to
    fail in the child): a traceback before; now one line naming the journal, which keeps the device."""
    from scanner.serialize import read_journal

    full_disk = ("import errno, sys, scanner.serialize\n"
                 "def full(result, path):\n"
                 "    raise OSError(errno.ENOSPC, 'No space left on device')\n"
                 "scanner.serialize.write_scan_json = full\n"
                 "from cctv_inventory.cli import main\n"
                 "sys.argv[0] = 'cctv-inventory'\n"
                 "main()\n")
    out = tmp_path / "scan.json"
    run = subprocess.run([sys.executable, "-c", full_disk, "scan", "--target", "127.10.0.41", "--no-multicast",
                          "--json-out", str(out), "--timeout", "4"],
                         cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 2, run.stderr
    journal = tmp_path / "scan.json.journal"
    assert run.stderr.strip().splitlines()[-1] == (
        f"cannot write {out} (No space left on device); the 1 device(s) read are kept in {journal}: "
        f"`cctv-inventory recover {journal} --json-out FILE`")
    assert read_journal(journal).devices[0].address == "127.10.0.41"
