"""reports.rollup.model: the figures of a rollup over a generated 30-site data set (tests/auditor/reportgen.py),
built in memory and, as `cctv-inventory rollup` builds it, from the set stored in SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from reports.rollup import build_rollup, latest_per_site, site_row
from tests.auditor.reportgen import AS_OF, site_name, site_report, site_scan

SITES = 30


@pytest.fixture(scope="module")
def docs():
    return [site_report(i) for i in range(SITES)]


@pytest.fixture(scope="module")
def rollup(docs):
    return build_rollup(docs, as_of=AS_OF, expiring_days=90)


def check_how_many_sites_meet_the_target(rollup, docs):
    domestic_only = [i for i in range(SITES) if i % 3 == 0]
    assert rollup.site_count == SITES
    assert rollup.target_met == len(domestic_only) == 10
    assert rollup.verdicts == {"target_met": 10, "target_not_met": 20, "incomplete": 0, "fail": 0}
    assert rollup.device_count == SITES * 25


def check_which_parts_are_localized_where(rollup, docs):
    parts = {p.part: p for p in rollup.parts}
    # domestic-only sites, minus those with a relabelled camera (index % 5 == 0: sites 0 and 15)
    assert set(parts["camera"].localized) == {site_name(i) for i in range(SITES) if i % 3 == 0 and i % 5 != 0}
    assert set(parts["recorder_analytics"].localized) == {site_name(i) for i in range(SITES) if i % 3 == 0}
    assert len(parts["recorder_analytics"].partly_covered) == 20
    assert parts["terminal_server"].localized == () and parts["terminal_server"].not_localized == SITES


def check_most_common_makers_group_a_makers_names(rollup, docs):
    top = {m.maker: m for m in rollup.makers}
    # Hanwha Vision cameras and "Hanwha Techwin" recorders are one maker (config/vendors.yaml)
    assert rollup.makers[0].maker == "Hanwha Vision"
    assert top["Hanwha Vision"].sites == SITES
    assert "Hanwha Techwin" not in top
    assert top["Hikvision"].sites == 20  # only the mixed sites
    counts = [m.devices for m in rollup.makers]
    assert counts == sorted(counts, reverse=True)
    assert sum(m.devices for m in rollup.models) <= rollup.device_count


def check_suspected_relabels_across_sites(rollup, docs):
    relabel_sites = [site_name(i) for i in range(SITES) if i % 5 == 0]
    assert [r.site for r in rollup.relabels] == sorted(relabel_sites)
    first = rollup.relabels[0]
    assert (first.claimed, first.model, first.likely_maker) == ("한빛비전", "HB-IP4231", "Dahua")
    assert first.evidence == ("MAC OUI: Zhejiang Dahua Technology",)


def check_certificates_expiring_within_the_window(rollup, docs):
    expiring_sites = {site_name(i) for i in range(SITES) if i % 7 == 0}
    assert {e.site for e in rollup.expiring} == expiring_sites
    assert all(e.days_left == 30 and e.certificate_type == "domestic_origin" for e in rollup.expiring)
    narrower = build_rollup(docs, as_of=AS_OF, expiring_days=29)
    assert narrower.expiring == ()
    later = build_rollup(docs, as_of=AS_OF + timedelta(days=31), expiring_days=90)
    assert all(e.site not in expiring_sites or e.valid_to.year == 2029 for e in later.expiring)


CHECKS = [
    check_how_many_sites_meet_the_target,
    check_which_parts_are_localized_where,
    check_most_common_makers_group_a_makers_names,
    check_suspected_relabels_across_sites,
    check_certificates_expiring_within_the_window,
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__.removeprefix("check_"))
def test_figures_in_memory(check, rollup, docs):
    check(rollup, docs)


def test_the_same_figures_from_the_database(store, docs, rollup):
    """The generated set stored as `import-bundle` stores it (each site's scan, then its report JSON,
    with one older, superseded scan and report of a site besides), read back as `cctv-inventory rollup`
    reads it: the same documents, the same rollup, every figure above."""
    from inventory.queries import latest_report_documents

    def save(scan, doc):
        store.save_scan(scan)
        store.save_report(scan.scan_id, policy_id=doc["policy"]["id"], verdict=doc["verdict"],
                          sha256=doc["evidence_sha256"], report_json=json.dumps(doc, ensure_ascii=False))

    # An earlier scan of site 4 whose report has other figures (site 9's, a target_met site): the latest wins.
    old_scan = replace(site_scan(4), scan_id="older-scan-of-site-4", started_at=site_scan(4).started_at - timedelta(days=60))
    other = site_report(9)
    scan_part = {**other["scan"], "id": old_scan.scan_id, "started_at": old_scan.started_at.isoformat()}
    save(old_scan, {**other, "site": site_name(4), "scan": scan_part, "evidence_sha256": "00" * 32})
    for index in range(SITES):
        save(site_scan(index), docs[index])
    assert len(store.scans()) == SITES + 1 and len(store.reports()) == SITES + 1

    stored = latest_report_documents(store)
    assert stored == sorted(docs, key=lambda d: d["site"])
    from_db = build_rollup(stored, as_of=AS_OF, expiring_days=90)
    assert replace(from_db, generated_at=rollup.generated_at) == rollup
    for check in CHECKS:
        check(from_db, stored)


def test_site_row_reads_the_sites_line():
    row = site_row(site_report(1))
    assert row.site == site_name(1)
    assert row.verdict == "target_not_met"
    assert row.device_count == 25
    assert row.part("camera").status == "partly_covered"
    assert row.open_findings == sum(row.findings_by_severity.values()) > 0


def test_latest_per_site_takes_the_latest_scan_then_the_latest_stored():
    old = site_report(3)
    new = site_report(3)
    new["scan"] = {**new["scan"], "id": "newer", "started_at": "2026-12-01T09:00:00+00:00"}
    reassessed = {**new, "verdict": "target_not_met"}
    chosen = latest_per_site(
        [
            (new, "2026-12-01T10:00:00+00:00"),
            (old, "2026-12-05T00:00:00+00:00"),
            (reassessed, "2026-12-02T00:00:00+00:00"),
        ]
    )
    assert len(chosen) == 1
    assert chosen[0]["scan"]["id"] == "newer" and chosen[0]["verdict"] == "target_not_met"


def test_unknown_verdicts_and_missing_keys_do_not_crash():
    doc = {"site": "bare", "verdict": "something_new", "devices": [{"manufacturer": None}], "parts": [None]}
    rollup = build_rollup([doc], as_of=AS_OF)
    assert rollup.verdicts["something_new"] == 1
    assert rollup.warnings and "something_new" in rollup.warnings[0].text("en")


def test_generated_documents_follow_the_report_schema():
    """The rollup reads what `audit` stores; the generator makes that through the real assessment."""
    import json

    import jsonschema

    from tests.conftest import REPO

    schema_path = REPO / "reports" / "schema" / "report.schema.json"
    if not schema_path.exists():
        pytest.skip("reports/schema/report.schema.json not written yet (reports engineer)")
    jsonschema.validate(site_report(5), json.loads(schema_path.read_text(encoding="utf-8")))


def test_a_device_read_at_two_addresses_is_counted_once():
    """A recorder with a NIC on each scanned subnet is two rows of one report under one device_key: the
    report's part figures count it once, and so does the rollup's device and maker count."""
    doc = site_report(1)
    twin = dict(doc["devices"][0], address="10.99.0.1")
    doc = {**doc, "devices": [*doc["devices"], twin]}
    assert site_row(doc).device_count == 25
    twice, once = build_rollup([doc], as_of=AS_OF), build_rollup([site_report(1)], as_of=AS_OF)
    assert (twice.device_count, twice.makers) == (once.device_count, once.makers)


def test_a_candidate_match_is_not_a_certificate_of_the_device():
    """A device whose only evidence match is a fuzzy candidate (another model, shown for review) had that
    model's certificate listed as its own 'expiring' one."""
    from copy import deepcopy

    doc = site_report(0)
    device = next(d for d in doc["devices"] if d["match"])
    device["match"]["valid_to"] = (AS_OF + timedelta(days=10)).isoformat()
    counted = build_rollup([deepcopy(doc)], as_of=AS_OF)
    assert device["address"] in {e.address for e in counted.expiring}
    device["match"]["level"] = "candidate"
    assert device["address"] not in {e.address for e in build_rollup([doc], as_of=AS_OF).expiring}


@pytest.mark.parametrize(
    "spoil",
    [
        lambda doc: doc.__setitem__("devices", 5),
        lambda doc: doc.__setitem__("parts", {"camera": 1}),
        lambda doc: doc["parts"][0].__setitem__("devices", "many"),
    ],
    ids=["devices-not-a-list", "parts-not-a-list", "count-not-a-number"],
)
def test_a_report_not_in_the_report_format_is_left_out_with_a_warning(spoil):
    """A bundle's digest can be recomputed by anyone, so a stored report may be any JSON object: one whose
    parts or devices were not the report's lists stopped the rollup of every site with a TypeError."""
    docs = [site_report(i) for i in range(3)]
    spoil(docs[1])
    rollup = build_rollup(docs, as_of=AS_OF)
    assert [s.site for s in rollup.sites] == sorted([site_name(0), site_name(2)])
    assert rollup.device_count == site_row(docs[0]).device_count + site_row(docs[2]).device_count
    assert len(rollup.warnings) == 1 and repr(site_name(1)) in rollup.warnings[0].text("en")
    assert "left out" in rollup.warnings[0].text("en")
