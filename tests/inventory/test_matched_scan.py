"""Store.matched_scan on the demo site with the sample registry and the demo declared list, both databases."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import sqlalchemy as sa

from tests.conftest import CONFIG
from tests.inventory.factory import SITE_NAME, demo_scan

SAMPLE = CONFIG / "registry" / "sample-registry.csv"
DECLARED = CONFIG / "lab" / "demo-declared.csv"


def by_model(matched):
    out = {}
    for md in matched.devices:
        out.setdefault(md.device.model, md)
    return out


def origin(md):
    return [m for m in md.matches if m.entry.certificate_type == "domestic_origin"]


def test_demo_site_against_the_sample_registry(store):
    scan = demo_scan()
    store.save_scan(scan)
    store.import_registry(SAMPLE, source="sample")
    store.import_declared(DECLARED, SITE_NAME)
    matched = store.matched_scan(scan.scan_id)

    assert matched.scan == scan
    assert len(matched.devices) == 26  # 25 devices and the agent host
    host = matched.devices[-1]
    assert host.device.role == "operator_terminal" and host.device_key == "host:installer-laptop"
    assert host.matches == ()  # the host's DMI vendor is whatever the machine is: left unmatched
    assert [s.name for s in matched.registry_sources] == ["sample"]

    models = by_model(matched)
    covered = {m for m, md in models.items() if any(x.counts for x in origin(md))}
    assert covered == {
        "XNO-6080R",
        "XND-8080RV",
        "DC-D4236RX",
        "TN-P4220CSL",
        "TN-B220CS",
        "TE-1204",
        "CPN-5031B",
        "XRN-1610",
        "DR-6516P",
        "VURIX-AI-8",
        "HB-IP4231",  # the relabel is the scanner's finding, not the registry's
    }
    [expired] = origin(models["PNM-9084RQZ"])
    assert expired.validity == "expired" and expired.level == "alias"
    [early] = origin(models["DC-T4236HRX"])
    assert early.validity == "not_yet_valid"
    assert {m.level for m in origin(models["TN-P4220CSL"])} == {"maker"}
    assert origin(models["XNO-6080R"])[0].level == "alias"  # registered as Hanwha Techwin
    for foreign in ("DS-2CD2143G2-I", "IPC-HFW2431S-S-S2", "IPC2124LB-SF28KM-G", "P3265-LVE"):
        assert models[foreign].matches == ()
    security = [m for m in models["XNO-6080R"].matches if m.entry.certificate_type == "cctv_security"]
    assert security and security[0].entry.firmware == "2.21.02_20240320_R1"

    keys = [md.device_key for md in matched.devices]
    assert keys[0] == "serial:hanwha:ZN7Q6HAR300011A" and len(set(keys)) == 26

    assert len(matched.declared) == 15
    assert any(d.model == "XNV-8082R" for d in matched.declared)  # declared, never installed


def test_match_results_are_stored_and_replaced_on_rematch(store):
    scan = demo_scan()
    store.save_scan(scan)
    store.import_registry(SAMPLE)
    first = store.matched_scan("latest", SITE_NAME)
    second = store.matched_scan(scan.scan_id)
    total = sum(len(md.matches) for md in first.devices)
    assert total > 20 and [md.matches for md in first.devices] == [md.matches for md in second.devices]
    engine = sa.create_engine(store.url)
    try:
        with engine.connect() as conn:
            stored = conn.execute(sa.text("select count(*) from match_results")).scalar_one()
    finally:
        engine.dispose()
    assert stored == total


def test_validity_is_judged_at_the_scans_date(store):
    """The same devices scanned before the Hanwha PNM certificate lapsed: then it counted."""
    old = replace(demo_scan(), started_at=datetime(2025, 6, 30, 14, 59, tzinfo=UTC))  # 23:59 KST, last day
    late = replace(demo_scan(), started_at=datetime(2025, 6, 30, 15, 0, tzinfo=UTC))  # 00:00 KST, 1 July
    store.save_scan(old)
    store.save_scan(late)
    store.import_registry(SAMPLE)
    [then] = origin(by_model(store.matched_scan(old.scan_id))["PNM-9084RQZ"])
    [after] = origin(by_model(store.matched_scan(late.scan_id))["PNM-9084RQZ"])
    assert then.validity == "valid" and after.validity == "expired"


def test_unknown_scan_is_named(store):
    import pytest

    from inventory.errors import ScanNotFound

    with pytest.raises(ScanNotFound, match="no scan is stored"):
        store.matched_scan()
    with pytest.raises(ScanNotFound, match="'nope'"):
        store.matched_scan("nope")


def test_registry_change_between_matchings_is_seen(store, tmp_path):
    """The store reuses its matcher only while the registry is unchanged."""
    scan = demo_scan()
    store.save_scan(scan)
    store.import_registry(SAMPLE)
    before = by_model(store.matched_scan(scan.scan_id))
    assert before["DS-2CD2143G2-I"].matches == ()
    extra = tmp_path / "extra.csv"
    extra.write_text("업체명,모델명,인증구분,인증번호\nHikvision,DS-2CD2143G2-I,GS,H-1\n", encoding="utf-8")
    store.import_registry(extra)
    after = by_model(store.matched_scan(scan.scan_id))
    assert [m.entry.certificate_no for m in after["DS-2CD2143G2-I"].matches] == ["H-1"]
    renewed = tmp_path / "renewed.csv"  # supersedes H-1 (same number, new dates): also a change
    renewed.write_text(
        "업체명,모델명,인증구분,인증번호,유효기간 시작,유효기간 종료\nHikvision,DS-2CD2143G2-I,GS,H-1,2020-01-01,2021-01-01\n",
        encoding="utf-8",
    )
    store.import_registry(renewed)
    [expired] = by_model(store.matched_scan(scan.scan_id))["DS-2CD2143G2-I"].matches
    assert expired.validity == "expired"


def test_undated_registry_row_is_matched_through_the_store_but_does_not_count(store, tmp_path):
    """A 원산지증명서 row with no validity dates: stored, matched, shown with validity unknown, not counted."""
    scan = demo_scan()
    store.save_scan(scan)
    undated = tmp_path / "undated.csv"
    undated.write_text(
        "업체명,사업자등록번호,모델명,인증구분,인증번호,유효기간 시작,유효기간 종료\n"
        "Dahua,,IPC-HFW2431S-S-S2,원산지증명서,U-2024-0001,,\n",
        encoding="utf-8",
    )
    store.import_registry(undated)
    [m] = origin(by_model(store.matched_scan(scan.scan_id))["IPC-HFW2431S-S-S2"])
    assert (m.entry.certificate_no, m.entry.valid_from, m.entry.valid_to) == ("U-2024-0001", None, None)
    assert m.level == "exact" and m.validity == "undated" and not m.counts
