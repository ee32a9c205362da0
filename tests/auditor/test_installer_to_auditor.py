"""The whole hand-over without the network: an installer's database (SQLite, the laptop) matches the demo
scan against the sample registry, the reports engineer's assessment and writer make the signed report,
the bundle carries it, and the auditor's database (SQLite and PostgreSQL) imports it and rolls it up."""

from __future__ import annotations

import json

from cctv_inventory.bundle import import_bundle, write_bundle
from inventory.queries import latest_report_documents, registry_digests
from inventory.store import Store
from reports.rollup import build_rollup
from scanner.serialize import scan_to_json
from tests.auditor.factory import demo_scan
from tests.conftest import CONFIG


def test_installer_bundle_imports_into_the_auditors_database(store, tmp_path, installer_keys):
    from reports import integrity
    from reports.assessment import assess
    from reports.policy import load_policy
    from reports.writer import write_report_set

    scan = demo_scan()
    with Store.open(f"sqlite:///{tmp_path / 'laptop.db'}") as laptop:
        laptop.save_scan(scan)
        laptop.import_registry(CONFIG / "registry" / "sample-registry.csv")
        matched = laptop.matched_scan(scan.scan_id)
    report = assess(matched, load_policy("kr-sme-parts-localization-2024"))
    files = write_report_set(report, tmp_path / "out", ["json"], "ko", installer_keys[0])
    [report_path] = [f for f in files if f.suffix == ".json"]
    signature = integrity.signature_path(report_path).read_bytes()
    bundle = write_bundle(
        tmp_path / "out" / "bundle.zip",
        scan_json=scan_to_json(scan).encode("utf-8"),
        report_json=report_path.read_bytes(),
        report_signature=signature,
        registry_sources=matched.registry_sources,
        agent_version=scan.agent_version,
    )

    outcome = import_bundle(bundle, store, public_key=installer_keys[1])
    assert outcome.scan_created and outcome.report_created and outcome.signature_checked
    assert not import_bundle(bundle, store, public_key=installer_keys[1]).changed_anything

    [doc] = latest_report_documents(store)
    assert doc["verdict"] == report.verdict
    assert integrity.evidence_sha256(doc) == doc["evidence_sha256"]
    [stored] = store.reports()
    assert integrity.verify_signature(
        json.loads(stored.report_json), stored.signature.encode(), installer_keys[1]
    )
    [digest] = registry_digests(store, scan.site)
    assert digest["file_name"] == "sample-registry.csv"

    rollup = build_rollup([doc])
    assert rollup.site_count == 1
    # the demo site's two 한빛비전 cameras carry Dahua fingerprints
    assert [r.address for r in rollup.relabels] == ["127.10.0.51", "127.10.0.52"]
    assert {m.maker for m in rollup.makers} >= {"Hanwha Vision", "IDIS", "Dahua"}
