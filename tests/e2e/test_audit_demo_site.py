"""`cctv-inventory audit` end to end, as an installer runs it, against the simulated demo site.

Simulated site: config/lab/demo-site.yaml (25 devices, served by `cctv-inventory simulate`).
The audit runs as a subprocess with the fictional sample registry and the site's declared list, once
into a new SQLite file and once into a fresh PostgreSQL schema (`audit_db`); every assertion is on the
files it writes and the database it filled, checked against the fixture the simulator served.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from fnmatch import fnmatchcase
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml

from simulator.testing import running_lab
from tests.conftest import CONFIG, REPO
from tests.scanner.conftest import DEMO_PASSWORDS

pytestmark = pytest.mark.network

DEMO_SITE = CONFIG / "lab" / "demo-site.yaml"
SAMPLE_REGISTRY = CONFIG / "registry" / "sample-registry.csv"
POLICY = CONFIG / "policies" / "kr-sme-parts-localization-2024.yaml"
UNICAST_ONLY = "127.10.0.18"
KST = timezone(timedelta(hours=9))

# What each misbehaving device of the demo site must end as (its quirk or its wrong password).
EXPECTED_STATUS = {
    "127.10.0.61": "timeout",  # quirk: hang
    "127.10.0.62": "protocol_error",  # quirk: malformed_xml
    "127.10.0.63": "auth_failed",  # its password is not in the credentials file
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def audit_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The database of one audit run: a new SQLite file, or (as tests/conftest.py's `pg_url` makes it,
    for a whole module here, since the audit runs once per module) a fresh PostgreSQL schema, upgraded
    first (a shared PostgreSQL schema is never upgraded by `audit`) and dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'inventory.db'}"
        return
    import sqlalchemy as sa

    from inventory import db

    base = request.getfixturevalue("pg_base_url")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.execute(sa.text(f'create schema "{schema}"'))
    url = f"{base}{'&' if '?' in base else '?'}options={quote(f'-csearch_path={schema}')}"
    db.upgrade(url)
    yield url
    with engine.begin() as conn:
        conn.execute(sa.text(f'drop schema "{schema}" cascade'))
    engine.dispose()


@pytest.fixture(scope="module")
def audit_run(tmp_path_factory: pytest.TempPathFactory, audit_db: str) -> dict:
    out = tmp_path_factory.mktemp("audit")
    credentials = out / "credentials.yaml"
    shutil.copyfile(CONFIG / "lab" / "demo-credentials.yaml", credentials)
    os.chmod(credentials, 0o600)
    with running_lab(DEMO_SITE) as lab:
        proc = subprocess.run(
            [
                sys.executable, "-m", "cctv_inventory", "audit",
                "--interface", "lo", "--target", UNICAST_ONLY,
                "--credentials", str(credentials),
                "--registry", str(CONFIG / "registry" / "sample-registry.csv"),
                "--declared", str(CONFIG / "lab" / "demo-declared.csv"),
                "--site", lab.fixture["site"]["name"],
                "--db", audit_db,
                "--out", str(out / "report"), "--lang", "en", "--timeout", "5",
            ],
            capture_output=True, text=True, timeout=180, cwd=REPO, check=False,
        )
        fixture = lab.fixture
    report = json.loads((out / "report" / "report.json").read_text(encoding="utf-8"))
    return {"proc": proc, "fixture": fixture, "report": report, "out": out / "report", "db": audit_db}


def _devices_by_address(report: dict) -> dict[str, dict]:
    return {d["address"]: d for d in report["devices"]}


def test_audit_exit_code_and_summary_line_follow_the_verdict(audit_run: dict) -> None:
    proc, report = audit_run["proc"], audit_run["report"]
    expected_code = {"target_met": 0, "target_not_met": 1, "incomplete": 2}[report["verdict"]]
    assert proc.returncode == expected_code, proc.stderr[-3000:]
    assert f"verdict: {report['verdict']}" in proc.stdout
    assert "bundle:" in proc.stdout


def test_every_fixture_device_is_in_the_report_with_its_maker_model_and_role(audit_run: dict) -> None:
    devices = _devices_by_address(audit_run["report"])
    for dev in audit_run["fixture"]["devices"]:
        got = devices.get(dev["address"])
        assert got is not None, f"{dev['address']} missing from the report"
        if dev["address"] in EXPECTED_STATUS:
            continue
        assert got["status"] == "ok", (dev["address"], got["status"], got["status_reason"])
        assert got["manufacturer"] == dev["manufacturer"]
        assert got["model"] == dev["model"]
        assert got["firmware"] == dev["firmware"]
        assert got["serial"] == dev["serial"]
        assert got["mac"] == dev["mac"].lower()
        assert got["role"] == dev["role"], (dev["address"], got["role"])


def test_quirky_devices_end_in_their_status(audit_run: dict) -> None:
    devices = _devices_by_address(audit_run["report"])
    for address, status in EXPECTED_STATUS.items():
        assert devices[address]["status"] == status, (address, devices[address]["status_reason"])
        assert devices[address]["status_reason"]
    # the unicast-only camera was found through --target
    assert devices[UNICAST_ONLY]["status"] == "ok"


def test_unread_cameras_keep_a_part_from_their_discovery_scopes(audit_run: dict) -> None:
    scan = json.loads((audit_run["out"] / "scan.json").read_text(encoding="utf-8"))
    by_address = {d["address"]: d for d in scan["devices"]}
    for address in EXPECTED_STATUS:
        assert by_address[address]["role"] == "camera"
        assert "WS-Discovery scopes only" in by_address[address]["role_reason"]


def test_unread_devices_show_what_their_scopes_announced(audit_run: dict) -> None:
    """Site: demo-site.yaml. 127.10.0.63 (a Dahua whose password is not in the file) is shown with the
    name and hardware its WS-Discovery scopes give, read off the real scan through the inventory, with
    its maker and model left empty; a read device shows nothing announced."""
    devices = _devices_by_address(audit_run["report"])
    dahua = next(d for d in audit_run["fixture"]["devices"] if d["address"] == "127.10.0.63")
    unread = devices["127.10.0.63"]
    assert (unread["manufacturer"], unread["model"]) == (None, None)
    assert unread["announced"] == {"manufacturer": None, "hardware": dahua["hardware_id"], "name": dahua["model"]}
    assert devices["127.10.0.11"]["announced"] is None
    # the declared XNO-6080R line is one unit short, and the unread 127.10.0.61 announces that model
    short = next(f for f in audit_run["report"]["findings"]
                 if f["kind"] == "quantity_mismatch" and f["params"]["model"] == "XNO-6080R")
    assert "not read, but announcing this model over WS-Discovery: 127.10.0.61" in short["evidence"]


def test_demo_site_meets_the_target_on_its_recorders(audit_run: dict) -> None:
    # The recorders and the analytics box are all certified in the sample registry and were all read;
    # the devices that could not be read are cameras, whose part is not localized either way
    # (foreign cameras have no certificate), so they cannot change the verdict.
    report = audit_run["report"]
    assert report["verdict"] == "target_met"
    assert audit_run["proc"].returncode == 0


def test_relabelled_cameras_are_flagged_and_others_are_not(audit_run: dict) -> None:
    devices = _devices_by_address(audit_run["report"])
    relabelled = {d["address"] for d in audit_run["fixture"]["devices"] if d.get("relabel_of")}
    assert relabelled, "the demo site has relabelled cameras"
    for address, dev in devices.items():
        if address in relabelled:
            assert dev["suspected_relabel"] is not None, address
            assert "dahua" in dev["suspected_relabel"]["likely_maker"].lower()
        elif dev["status"] == "ok":
            assert dev["suspected_relabel"] is None, (address, dev["suspected_relabel"])
    relabel_findings = {f["device"] for f in audit_run["report"]["findings"] if f["kind"] == "suspected_relabel"}
    assert relabel_findings == relabelled


def expected_parts(fixture: dict, scan_day) -> dict[str, dict]:
    """{part: {devices, covered, status}} worked out from the fixture files alone: the site's devices
    (config/lab/demo-site.yaml, as served), the policy's parts and rules (config/policies/), and the
    certificates of config/registry/sample-registry.csv valid on the scan's day (KST). A device is
    covered when it was read, is not a suspected relabel (the policy does not count those), and an
    evidence certificate of its maker (by vendor family) names its model, a pattern fitting it, or no
    model at all for its part (a maker-level entry, when the policy counts those)."""
    from inventory.registry_file import parse_registry
    from scanner.vendors import load_vendor_catalog, normalize_maker

    policy = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
    role_part = {role: part["id"] for part in policy["parts"] for role in part["roles"]}
    catalog = load_vendor_catalog()

    def family(name: str) -> str:
        found = catalog.family_of_name(name)
        return found.id if found else normalize_maker(name)

    in_force = [
        e for e in parse_registry(SAMPLE_REGISTRY).entries
        if e.certificate_type in policy["evidence"]
        and e.valid_from is not None and e.valid_to is not None and e.valid_from <= scan_day <= e.valid_to
    ]

    def certified(dev: dict, part: str) -> bool:
        for e in in_force:
            if family(e.manufacturer) != family(dev["manufacturer"]):
                continue
            if e.firmware and not fnmatchcase(dev["firmware"], e.firmware):
                continue
            if e.model is None and e.model_pattern is None:
                if policy["count_maker_level"] and e.part in (None, part):
                    return True
            elif fnmatchcase(dev["model"], e.model_pattern or e.model):
                return True
        return False

    figures = {part["id"]: {"devices": 0, "covered": 0} for part in policy["parts"]}
    for dev in fixture["devices"]:
        part = role_part.get(dev["role"])
        if part is None:
            continue
        figures[part]["devices"] += 1
        read = dev["address"] not in EXPECTED_STATUS
        counted_relabel = not dev.get("relabel_of") or policy["relabel_counts"]
        figures[part]["covered"] += read and counted_relabel and certified(dev, part)
    coverage = policy["coverage"]
    for f in figures.values():
        share = coverage.get("min_share", 1) if coverage["mode"] == "share" else 1
        if f["devices"] == 0:
            f["status"] = "no_devices"
        elif f["covered"] >= share * f["devices"]:
            f["status"] = "localized"
        else:
            f["status"] = "partly_covered" if f["covered"] else "not_localized"
    return figures


def test_per_part_figures_are_those_of_the_fixture_files(audit_run: dict) -> None:
    report = audit_run["report"]
    scan = json.loads((audit_run["out"] / "scan.json").read_text(encoding="utf-8"))
    scan_day = datetime.fromisoformat(scan["started_at"]).astimezone(KST).date()
    expected = expected_parts(audit_run["fixture"], scan_day)
    got = {p["part"]: {"devices": p["devices"], "covered": p["covered"], "status": p["status"]} for p in report["parts"]}
    assert got == expected
    # what the fixture files say, in words (so a change to them is noticed here, not silently absorbed)
    assert expected["recorder_analytics"]["status"] == "localized"  # XRN-1610, DR-6516P, VURIX-AI-8
    assert expected["camera"]["status"] == "partly_covered"  # foreign makers, expired, not yet valid, relabels
    assert expected["terminal_server"] == {"devices": 0, "covered": 0, "status": "no_devices"}  # no --self-inventory


def test_per_part_figures_agree_with_the_device_table(audit_run: dict) -> None:
    report = audit_run["report"]
    parts = {p["part"]: p for p in report["parts"]}
    for part_id, part in parts.items():
        rows = [d for d in report["devices"] if d["part"] == part_id]
        assert part["devices"] == len(rows), part_id
        assert part["covered"] == sum(1 for d in rows if d["covered"]), part_id


def test_bundle_holds_the_scan_and_report_and_verifies(audit_run: dict) -> None:
    bundle = audit_run["out"] / "bundle.zip"
    with zipfile.ZipFile(bundle) as zf:
        names = set(zf.namelist())
    assert {"manifest.json", "scan.json", "report.json", "registry-sources.json", "agent.json"} <= names
    proc = subprocess.run(
        [sys.executable, "-m", "cctv_inventory", "verify", str(audit_run["out"] / "report.json")],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _file_texts(path: Path, name: str) -> Iterator[tuple[str, bytes]]:
    """(where, bytes) of a file, and of every member of it when it is a zip (report.xlsx, bundle.zip)."""
    data = path.read_bytes()
    yield name, data
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for member in zf.namelist():
                content = zf.read(member)
                yield f"{name}!{member}", content
                if zipfile.is_zipfile(io.BytesIO(content)):  # a zip inside the bundle: unpack it too
                    with zipfile.ZipFile(io.BytesIO(content)) as inner:
                        for sub in inner.namelist():
                            yield f"{name}!{member}!{sub}", inner.read(sub)


def _database_texts(url: str) -> Iterator[tuple[str, bytes]]:
    """(table.column, value) of every text-like cell of every table, on either database."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            tables = sa.inspect(conn).get_table_names()
            assert tables, "the audit stored nothing?"
            for table in tables:
                result = conn.execute(sa.text(f'select * from "{table}"'))
                columns = list(result.keys())
                for row in result:
                    for column, value in zip(columns, row, strict=True):
                        if isinstance(value, (dict, list)):  # JSON columns on PostgreSQL
                            value = json.dumps(value, ensure_ascii=False)
                        if isinstance(value, str):
                            value = value.encode("utf-8")
                        if isinstance(value, (bytes, memoryview)):
                            yield f"{table}.{column}", bytes(value)
    finally:
        engine.dispose()


def test_credentials_never_appear_in_any_output(audit_run: dict) -> None:
    """Every password of the demo site (tests/scanner/conftest.py), in every file the audit wrote (report.xlsx
    and bundle.zip unpacked), in stdout and stderr, and in every text column of the database it filled."""
    assert len(DEMO_PASSWORDS) == 3
    credentials = (CONFIG / "lab" / "demo-credentials.yaml").read_text(encoding="utf-8")
    site = DEMO_SITE.read_text(encoding="utf-8")
    assert all(secret in credentials or secret in site for secret in DEMO_PASSWORDS)  # the list is the site's
    texts: list[tuple[str, bytes]] = [
        ("stdout", audit_run["proc"].stdout.encode()),
        ("stderr", audit_run["proc"].stderr.encode()),
    ]
    written = sorted(p for p in audit_run["out"].rglob("*") if p.is_file())
    names = {p.name for p in written}
    assert {"scan.json", "report.json", "report.html", "report.csv", "report.xlsx", "bundle.zip"} <= names
    assert "scan.json.journal" not in names  # the journal is gone once scan.json holds it all
    for path in written:
        texts.extend(_file_texts(path, str(path.relative_to(audit_run["out"]))))
    assert any(where.startswith("report.xlsx!xl/") for where, _ in texts)  # the XML inside, not the zip
    assert any(where == "bundle.zip!scan.json" for where, _ in texts)
    db_cells = list(_database_texts(audit_run["db"]))
    assert any(where.startswith("scans.") for where, _ in db_cells)
    texts.extend(db_cells)
    if audit_run["db"].startswith("sqlite:///"):  # and nowhere in the file's pages, freed ones included
        db_file = Path(audit_run["db"].removeprefix("sqlite:///"))
        texts.extend((f"{db_file.name} bytes", p.read_bytes()) for p in db_file.parent.glob(db_file.name + "*"))
    leaks = [(secret, where) for where, data in texts for secret in DEMO_PASSWORDS if secret.encode() in data]
    assert leaks == []


def test_the_database_holds_the_scan_and_the_report(audit_run: dict) -> None:
    from inventory.declared_store import parse_declared
    from inventory.registry_file import parse_registry
    from inventory.store import Store

    report, site = audit_run["report"], audit_run["fixture"]["site"]["name"]
    with Store.open(audit_run["db"]) as store:
        [summary] = store.scans(site=site)
        [stored] = store.reports(site=site)
        entries = store.registry_entries()
        declared = store.declared(site)
    assert summary.scan_id == report["scan"]["id"] and summary.device_count == len(audit_run["fixture"]["devices"])
    assert stored.scan_id == summary.scan_id and json.loads(stored.report_json) == report
    assert len(entries) == len(parse_registry(SAMPLE_REGISTRY).entries)
    assert declared == parse_declared(CONFIG / "lab" / "demo-declared.csv")[1]


def test_verdict_follows_the_part_figures(audit_run: dict) -> None:
    report = audit_run["report"]
    localized = sum(1 for p in report["parts"] if p["status"] == "localized")
    if report["verdict"] == "target_met":
        assert localized >= 1
    elif report["verdict"] == "target_not_met":
        assert localized == 0
    else:
        assert report["verdict"] == "incomplete"
        # only devices that could not be read can leave a verdict open
        assert any(d["status"] != "ok" for d in report["devices"])


def test_html_report_in_chromium_shows_the_verdict_and_parts(audit_run: dict, tmp_path: Path) -> None:
    """The page as a person sees it, in Debian's headless Chromium; text, not pixels."""
    from playwright.sync_api import sync_playwright

    from reports.screenshot import CHROMIUM, CHROMIUM_ARGS, screenshot_html

    html = audit_run["out"] / "report.html"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(html.as_uri())
        text = page.inner_text("body")
        browser.close()
    assert audit_run["fixture"]["site"]["name"] in text
    assert "Camera" in text or "camera" in text
    for device in ("127.10.0.51", "127.10.0.45"):
        assert device in text
    assert report_sha(audit_run) in text
    assert dialogs == []
    png = screenshot_html(html, tmp_path / "report.png")
    assert png.stat().st_size > 10_000


def report_sha(audit_run: dict) -> str:
    return audit_run["report"]["evidence_sha256"]


def test_the_declared_vms_server_is_reported_present_but_unidentified(audit_run: dict) -> None:
    """demo-site.yaml hosts[]: the VMS server speaks no ONVIF; the declared list puts it at 127.10.0.5."""
    scan = json.loads((audit_run["out"] / "scan.json").read_text(encoding="utf-8"))
    [check] = [c for c in scan["host_checks"] if c["address"] == "127.10.0.5"]
    assert (check["answered"], check["open_ports"]) == (True, [80, 443, 3389])
    [server] = [f for f in audit_run["report"]["findings"]
                if f["kind"] == "declared_not_found" and f["params"].get("variant") == "terminal"]
    assert server["severity"] == "info" and server["params"]["model"] == "SSM-VMS-64"
    assert "127.10.0.5" not in {d["address"] for d in audit_run["report"]["devices"]}  # presence is not a device
