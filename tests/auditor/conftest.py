"""Fixtures for the auditor tests: stores on both databases and evidence bundles of demo-site scans."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cctv_inventory.bundle import write_bundle
from inventory.model import RegistrySource
from scanner.model import ScanResult
from scanner.serialize import scan_to_json
from tests.auditor.reports import make_report

SAMPLE_SOURCE = RegistrySource(
    name="sample",
    file_name="sample-registry.csv",
    sha256="5a" * 32,
    imported_at=datetime(2026, 11, 1, 8, 0, tzinfo=UTC),
)


@pytest.fixture
def store(db_url):
    from inventory.queries import prepare_database
    from inventory.store import Store

    prepare_database(db_url)
    with Store.open(db_url) as opened:
        yield opened


@pytest.fixture(scope="session")
def installer_keys(tmp_path_factory) -> tuple[Path, Path]:
    from reports import integrity

    return integrity.generate_keypair(tmp_path_factory.mktemp("keys") / "installer")


BundleFactory = Callable[..., Path]


@pytest.fixture
def make_bundle(tmp_path, installer_keys) -> BundleFactory:
    """make_bundle(scan, name="x.zip", signed=True) -> path of a bundle of that scan and its report."""
    counter = iter(range(10_000))

    def build(scan: ScanResult, name: str | None = None, *, signed: bool = True) -> Path:
        report_json, signature = make_report(scan, signing_key=installer_keys[0] if signed else None)
        return write_bundle(
            tmp_path / "bundles" / (name or f"bundle-{next(counter)}.zip"),
            scan_json=scan_to_json(scan).encode("utf-8"),
            report_json=report_json,
            report_signature=signature,
            registry_sources=[SAMPLE_SOURCE],
            agent_version=scan.agent_version,
        )

    return build
