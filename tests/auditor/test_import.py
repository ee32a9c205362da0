"""import_bundle into a real store, on SQLite and PostgreSQL: idempotent, two machines kept apart, tamper refused."""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from datetime import timedelta

import pytest

from cctv_inventory.bundle import AGENT, REGISTRY_SOURCES, REPORT, SCAN, SIGNATURE, BundleError, import_bundle
from inventory.queries import latest_report_documents, registry_digests
from tests.auditor.factory import T0, demo_scan
from tests.auditor.test_bundle import rezip


def test_import_stores_scan_report_and_registry_digests(store, make_bundle, installer_keys):
    scan = demo_scan()
    outcome = import_bundle(make_bundle(scan), store, public_key=installer_keys[1])
    assert outcome.scan_created and outcome.report_created and outcome.signature_checked
    assert outcome.site == scan.site and outcome.scan_id == scan.scan_id

    [summary] = store.scans(site=scan.site)
    assert summary.scan_id == scan.scan_id and summary.device_count == 25
    [stored] = store.reports(site=scan.site)
    assert stored.scan_id == scan.scan_id
    assert json.loads(stored.report_json)["scan"]["id"] == scan.scan_id
    assert store.scan(scan.scan_id) == scan
    [digest] = registry_digests(store, scan.site)
    assert digest["sha256"] == "5a" * 32 and digest["scan_id"] == scan.scan_id


def test_same_bundle_twice_changes_nothing(store, make_bundle):
    path = make_bundle(demo_scan())
    first = import_bundle(path, store)
    again = import_bundle(path, store)
    assert first.changed_anything
    assert not again.changed_anything
    assert len(store.scans()) == 1 and len(store.reports()) == 1
    assert len(registry_digests(store, first.site)) == 1


def test_two_machines_same_site_are_kept_as_separate_scans(store, make_bundle):
    morning = demo_scan(hostname="installer-laptop-a")
    afternoon = demo_scan(hostname="installer-laptop-b", started_at=T0 + timedelta(hours=5))
    import_bundle(make_bundle(morning), store)
    import_bundle(make_bundle(afternoon), store)
    assert {s.scan_id for s in store.scans(site=morning.site)} == {morning.scan_id, afternoon.scan_id}
    [latest] = latest_report_documents(store)
    assert latest["scan"]["id"] == afternoon.scan_id


def test_tampered_bundle_stores_nothing(store, make_bundle, tmp_path):
    path = make_bundle(demo_scan())
    with zipfile.ZipFile(path) as zf:
        scan = json.loads(zf.read(SCAN))
    scan["devices"][0]["manufacturer"] = "Hanwha Vision (edited)"
    bad = rezip(path, tmp_path / "bad.zip", replace={SCAN: json.dumps(scan).encode()})
    with pytest.raises(BundleError) as err:
        import_bundle(bad, store)
    assert err.value.member == SCAN
    assert store.scans() == [] and store.reports() == []


def test_wrong_key_stores_nothing(store, make_bundle, tmp_path):
    from reports import integrity

    _, other = integrity.generate_keypair(tmp_path / "other")
    with pytest.raises(BundleError):
        import_bundle(make_bundle(demo_scan()), store, public_key=other)
    assert store.scans() == []


def test_report_stored_verbatim(store, make_bundle):
    """The stored report JSON is the signed bytes: a later `verify` of the stored document still works."""
    path = make_bundle(demo_scan())
    import_bundle(path, store)
    with zipfile.ZipFile(path) as zf:
        original = zf.read(REPORT).decode("utf-8")
    assert store.reports()[0].report_json == original


def test_rescan_of_one_site_is_a_new_scan_not_a_replacement(store, make_bundle):
    first = demo_scan()
    second = replace(demo_scan(), started_at=T0 + timedelta(days=30))
    import_bundle(make_bundle(first), store)
    import_bundle(make_bundle(second), store)
    assert len(store.scans(site=first.site)) == 2


# --- tamper cases through the store: refused, naming the member, and nothing stored ------------------


def _row_counts(store) -> dict[str, int]:
    """Rows of every table: a refused bundle must leave each count as it was."""
    import sqlalchemy as sa

    with store.engine.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
        return {t: conn.execute(sa.text(f'select count(*) from "{t}"')).scalar_one() for t in tables}


@pytest.fixture
def held(store, make_bundle, installer_keys):
    """A store already holding one site's scan and report, and a signed bundle of another scan of it."""
    import_bundle(make_bundle(demo_scan(), "held.zip"), store, public_key=installer_keys[1])
    scan = demo_scan(started_at=T0 + timedelta(days=7))
    before = _row_counts(store)
    assert before["scans"] == 1 and before["reports"] == 1
    return {"bundle": make_bundle(scan, "next.zip"), "scan": scan, "before": before}


def _refused(bad, store, held, key, member: str, reason: str) -> None:
    with pytest.raises(BundleError, match=reason) as err:
        import_bundle(bad, store, public_key=key)
    assert err.value.member == member and member in str(err.value)
    assert _row_counts(store) == held["before"]
    assert held["scan"].scan_id not in {s.scan_id for s in store.scans()}
    assert len(store.scans()) == 1 and len(store.reports()) == 1


@pytest.mark.parametrize("member", [SCAN, REPORT, REGISTRY_SOURCES, AGENT])
def test_changed_member_is_refused_by_import_and_nothing_stored(store, held, installer_keys, tmp_path, member):
    with zipfile.ZipFile(held["bundle"]) as zf:
        data = bytearray(zf.read(member))
    data[len(data) // 2] ^= 0x01
    bad = rezip(held["bundle"], tmp_path / "changed.zip", replace={member: bytes(data)})
    _refused(bad, store, held, installer_keys[1], member, "SHA-256 does not match")


@pytest.mark.parametrize("member", [SCAN, REPORT, SIGNATURE])
def test_missing_member_is_refused_by_import_and_nothing_stored(store, held, installer_keys, tmp_path, member):
    bad = rezip(held["bundle"], tmp_path / "missing.zip", drop=[member])
    _refused(bad, store, held, installer_keys[1], member, "missing from the zip")


def test_extra_member_is_refused_by_import_and_nothing_stored(store, held, installer_keys, tmp_path):
    bad = rezip(held["bundle"], tmp_path / "extra.zip", add={"notes.txt": b"hello"})
    _refused(bad, store, held, installer_keys[1], "notes.txt", "not listed in the manifest")


@pytest.mark.parametrize("how", ["flipped", "another_key"])
def test_bad_signature_is_refused_by_import_and_nothing_stored(store, held, installer_keys, tmp_path, how):
    from reports import integrity

    with zipfile.ZipFile(held["bundle"]) as zf:
        sig = bytearray(zf.read(SIGNATURE))
        report = integrity.load_report_document(zf.read(REPORT))
    if how == "flipped":
        sig[-3] ^= 0x01
    else:  # well-formed, over the same report, by someone else's key
        sig = bytearray(integrity.sign(report, integrity.generate_keypair(tmp_path / "forger")[0]))
    bad = rezip(held["bundle"], tmp_path / "bad-sig.zip", replace={SIGNATURE: bytes(sig)}, fix_manifest=True)
    _refused(bad, store, held, installer_keys[1], SIGNATURE, "BAD SIGNATURE" if how == "another_key" else ".")
    # the untouched bundle still imports: the refusal was the signature's, not the store's
    assert import_bundle(held["bundle"], store, public_key=installer_keys[1]).scan_created
    assert len(store.scans()) == 2
