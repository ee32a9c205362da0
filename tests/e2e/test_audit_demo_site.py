"""`cctv-inventory audit` end to end, as an installer runs it, against the simulated demo site.

Simulated site: config/lab/demo-site.yaml (25 devices, served by `cctv-inventory simulate`).
The audit runs as a subprocess with the fictional sample registry and the site's declared list;
every assertion is on the files it writes, checked against the fixture the simulator served.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from simulator.testing import running_lab
from tests.conftest import CONFIG, REPO

pytestmark = pytest.mark.network

DEMO_SITE = CONFIG / "lab" / "demo-site.yaml"
UNICAST_ONLY = "127.10.0.18"

# What each misbehaving device of the demo site must end as (its quirk or its wrong password).
EXPECTED_STATUS = {
    "127.10.0.61": "timeout",  # quirk: hang
    "127.10.0.62": "protocol_error",  # quirk: malformed_xml
    "127.10.0.63": "auth_failed",  # its password is not in the credentials file
}


@pytest.fixture(scope="module")
def audit_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
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
                "--db", f"sqlite:///{out / 'inventory.db'}",
                "--out", str(out / "report"), "--lang", "en", "--timeout", "5",
            ],
            capture_output=True, text=True, timeout=180, cwd=REPO, check=False,
        )
        fixture = lab.fixture
    report = json.loads((out / "report" / "report.json").read_text(encoding="utf-8"))
    return {"proc": proc, "fixture": fixture, "report": report, "out": out / "report"}


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


def test_per_part_figures_agree_with_the_device_table(audit_run: dict) -> None:
    report = audit_run["report"]
    parts = {p["part"]: p for p in report["parts"]}
    for part_id, part in parts.items():
        rows = [d for d in report["devices"] if d["part"] == part_id]
        assert part["devices"] == len(rows), part_id
        assert part["covered"] == sum(1 for d in rows if d["covered"]), part_id
    # the demo site's recorders and analytics box are all certified in the sample registry
    recorder_roles = {"nvr", "analytics"}
    fixture_recorders = [d for d in audit_run["fixture"]["devices"] if d["role"] in recorder_roles]
    assert parts["recorder_analytics"]["devices"] == len(fixture_recorders)
    assert parts["recorder_analytics"]["status"] == "localized"
    # cameras include foreign makers with no certificate: not all covered
    assert parts["camera"]["covered"] < parts["camera"]["devices"]


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


def test_credentials_never_appear_in_any_output(audit_run: dict) -> None:
    secrets = ["Garam!Cctv2024", "field-changed-pw"]
    texts = [audit_run["proc"].stdout, audit_run["proc"].stderr]
    for path in audit_run["out"].iterdir():
        if path.suffix in (".json", ".html", ".csv"):
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    for text in texts:
        for secret in secrets:
            assert secret not in text


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
