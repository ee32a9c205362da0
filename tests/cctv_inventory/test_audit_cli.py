"""`cctv-inventory audit` refusals: each bad input has its exit code and loses nothing already collected.

Network tests use the simulated demo site (config/lab/demo-site.yaml).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
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
