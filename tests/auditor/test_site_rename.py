"""rename-site: a site's name fixed or two names merged, on SQLite and PostgreSQL (docs/auditor.md,
"Site names and renames"). Before, a bundle under a corrected name was a second site for ever: counted
twice in the rollup (the typo'd one under its last report), its scans not comparable with `diff`."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from cctv_inventory.bundle import import_bundle
from inventory import db
from inventory.queries import latest_report_documents, scans_to_compare, sites_without_report
from inventory.sites import SiteRenameError
from tests.auditor.factory import T0, demo_scan
from tests.auditor.test_cli import cli

TYPO = "가람구청 CCTV 통합관제센타"
RIGHT = "가람구청 CCTV 통합관제센터"


def site_names(store) -> set[str]:
    return {s.site for s in store.scans()}


def test_a_typo_fixed_keeps_the_history_and_later_bundles_under_the_old_name(store, make_bundle, tmp_path):
    first = demo_scan(site=TYPO)
    import_bundle(make_bundle(first), store)
    done = store.rename_site(TYPO, RIGHT)
    assert done.to_dict() == {"old": TYPO, "new": RIGHT, "merged": False, "scans_moved": 1}
    assert site_names(store) == {RIGHT}
    assert [s.scan_id for s in store.scans(site=TYPO)] == [first.scan_id]  # the old name still finds it
    # The installer's laptop still says TYPO: its next bundle joins the renamed site, no second site.
    later = demo_scan(site=TYPO, started_at=T0 + timedelta(days=30))
    assert import_bundle(make_bundle(later), store).scan_created
    assert site_names(store) == {RIGHT}
    assert len(latest_report_documents(store)) == 1 and sites_without_report(store) == []
    before, after = scans_to_compare(store, RIGHT)
    assert (before.scan_id, after.scan_id) == (first.scan_id, later.scan_id)
    # The stored documents are evidence: they keep the name they were signed under.
    assert store.scan(first.scan_id).site == TYPO
    # A declared list imported under the old name is the site's list too.
    contract = tmp_path / "contract.csv"
    contract.write_text("제조사,모델명,수량\n한화비전,XNO-6080R,4\n", encoding="utf-8")
    store.import_declared(contract, TYPO)
    assert [d.model for d in store.declared(RIGHT)] == ["XNO-6080R"]


def test_a_second_name_merged_into_the_site(store, make_bundle, tmp_path):
    right = demo_scan(site=RIGHT)
    typo = demo_scan(site=TYPO, started_at=T0 + timedelta(days=1))
    import_bundle(make_bundle(right), store)
    import_bundle(make_bundle(typo), store)
    assert len(latest_report_documents(store)) == 2  # counted as two sites
    contract = tmp_path / "contract.csv"
    contract.write_text("제조사,모델명,수량\n한화비전,XNO-6080R,4\n", encoding="utf-8")
    store.import_declared(contract, TYPO)
    done = store.rename_site(TYPO, RIGHT)
    assert (done.merged, done.scans_moved) == (True, 1)
    assert site_names(store) == {RIGHT}
    [latest] = latest_report_documents(store)
    assert latest["scan"]["id"] == typo.scan_id  # the later scan, now of the one site
    assert [s.scan_id for s in store.scans(site=RIGHT)] == [right.scan_id, typo.scan_id]
    assert len(store.declared(RIGHT)) == 1
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from sites")).scalar_one() == 1


def test_renames_that_cannot_be_done_change_nothing(store, make_bundle, tmp_path):
    import_bundle(make_bundle(demo_scan(site=TYPO)), store)
    import_bundle(make_bundle(demo_scan(site="나래군청")), store)
    with pytest.raises(SiteRenameError, match="no site"):
        store.rename_site("없는 현장", RIGHT)
    with pytest.raises(SiteRenameError, match="different new name"):
        store.rename_site(TYPO, TYPO)
    store.rename_site(TYPO, RIGHT)
    with pytest.raises(SiteRenameError, match=f"renamed to '{RIGHT}'"):
        store.rename_site(TYPO, "나래군청")
    with pytest.raises(SiteRenameError, match="former name of site"):
        store.rename_site("나래군청", TYPO)  # TYPO means RIGHT now: merge into RIGHT by its name instead
    for site in (RIGHT, "나래군청"):
        contract = tmp_path / f"{site}.csv"
        contract.write_text(f"제조사,모델명,수량\n한화비전,{site}-1,1\n", encoding="utf-8")
        store.import_declared(contract, site)
    with pytest.raises(SiteRenameError, match="both"):
        store.rename_site("나래군청", RIGHT)
    assert site_names(store) == {RIGHT, "나래군청"}
    assert len(store.declared("나래군청")) == 1 and len(store.declared(RIGHT)) == 1
    # renamed back: the name it had is a name again, the one it drops an alias
    store.rename_site(RIGHT, TYPO)
    assert site_names(store) == {TYPO, "나래군청"}
    assert len(store.scans(site=RIGHT)) == 1


def test_upgrade_from_the_previous_revision_keeps_the_sites(db_url):
    """A database made by the previous release (revision 0001) upgrades to the aliases table in place."""
    from alembic import command

    engine = db.create_engine(db_url)
    try:
        with engine.begin() as conn:
            command.upgrade(db._alembic_config(conn), "0001")
            conn.execute(sa.text("insert into sites (name, created_at) values (:n, :t)"),
                         {"n": TYPO, "t": T0})
        assert db.current_revision(engine) == "0001"
    finally:
        engine.dispose()
    assert db.upgrade(db_url) == db.head_revision() == "0002"
    from inventory.store import Store

    with Store.open(db_url) as store:
        store.rename_site(TYPO, RIGHT)
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("select name from sites")).scalars().all() == [RIGHT]
            assert conn.execute(sa.text("select name from site_aliases")).scalars().all() == [TYPO]


def test_rename_site_command(db_url, make_bundle, tmp_path):
    db.upgrade(db_url)
    from inventory.store import Store

    with Store.open(db_url) as store:
        import_bundle(make_bundle(demo_scan(site=TYPO)), store)
    done = cli("rename-site", TYPO, RIGHT, "--json", db=db_url, home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"old": TYPO, "new": RIGHT, "merged": False, "scans_moved": 1}
    again = cli("rename-site", TYPO, RIGHT, db=db_url, home=tmp_path)
    assert again.returncode == 3 and "renamed to" in again.stderr
    sites = cli("sites", "--json", db=db_url, home=tmp_path)
    assert json.loads(sites.stdout)["scanned_without_report"] == []


def test_a_rename_while_bundles_under_the_old_name_are_imported(store, make_bundle, tmp_path):
    """No bundle lands on a site of the old name created again behind the rename, none is lost."""
    from tests.inventory.test_concurrent_writes import rows, run_together

    first = demo_scan(site=TYPO)
    import_bundle(make_bundle(first), store)
    later = [demo_scan(site=TYPO, started_at=T0 + timedelta(days=n)) for n in range(1, 9)]
    bundles = [str(make_bundle(scan)) for scan in later]
    run_together(store.url, tmp_path, ["bundles", *bundles], ["rename", TYPO, RIGHT])
    assert rows(store.url, "select name from sites") == [(RIGHT,)]
    assert {s.scan_id for s in store.scans(site=RIGHT)} == {first.scan_id, *(s.scan_id for s in later)}
    assert rows(store.url, "select name from site_aliases") == [(TYPO,)]
