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


def test_sites_and_rollup_show_the_site_s_name_now(db_url, make_bundle, tmp_path):
    """After rename-site, `sites` and the rollup still showed the old name, taken from the latest
    (signed) report, until the site's next scan. They show the name now, and the report's own name
    beside it while it differs; the stored report is not touched."""
    db.upgrade(db_url)
    from inventory.store import Store

    with Store.open(db_url) as store:
        import_bundle(make_bundle(demo_scan(site=TYPO)), store)
        import_bundle(make_bundle(demo_scan(site="나래군청")), store)
        stored_before = {r.sha256: r.report_json for r in store.reports()}
    assert cli("rename-site", TYPO, RIGHT, db=db_url, home=tmp_path).returncode == 0

    sites = cli("sites", "--json", db=db_url, home=tmp_path)
    assert sites.returncode == 0, sites.stderr
    rows = {r["site"]: r for r in json.loads(sites.stdout)["sites"]}
    assert set(rows) == {RIGHT, "나래군청"}
    assert rows[RIGHT]["report_site"] == TYPO and rows["나래군청"]["report_site"] == "나래군청"
    table = cli("sites", db=db_url, home=tmp_path)
    assert RIGHT in table.stdout and f"(report: {TYPO})" in table.stdout, table.stdout
    assert table.stdout.count("(report:") == 1

    out = tmp_path / "rollup"
    roll = cli("rollup", "--format", "json,html,xlsx", "--out", str(out), db=db_url, home=tmp_path)
    assert roll.returncode == 0, roll.stderr
    doc = json.loads((out / "rollup.json").read_text(encoding="utf-8"))
    assert [(s["site"], s["report_site"]) for s in doc["sites"]] == [(RIGHT, TYPO), ("나래군청", "나래군청")]
    named = [x["site"] for x in (*doc["relabels"], *doc["expiring"])]
    named += [site for p in doc["parts"] for site in (*p["localized"], *p["partly_covered"])]
    assert TYPO not in named and RIGHT in named
    page = (out / "rollup.html").read_text(encoding="utf-8")
    assert f"{RIGHT}<br><span class=\"meta report-site\">보고서상 현장명: {TYPO}</span>" in page
    from openpyxl import load_workbook

    sheet = load_workbook(out / "rollup.xlsx").worksheets[0]
    header, *lines = list(sheet.iter_rows(values_only=True))
    assert header[-1] == "보고서상 현장명"
    assert {(line[0], line[-1]) for line in lines} == {(RIGHT, TYPO), ("나래군청", None)}

    with Store.open(db_url) as store:  # the evidence is as it was stored and signed
        assert {r.sha256: r.report_json for r in store.reports()} == stored_before
        # the site's next report carries its name now: nothing left to show beside it
        import_bundle(make_bundle(demo_scan(site=RIGHT, started_at=T0 + timedelta(days=30))), store)
    again = json.loads(cli("sites", "--json", db=db_url, home=tmp_path).stdout)["sites"]
    assert {(r["site"], r["report_site"]) for r in again} == {(RIGHT, RIGHT), ("나래군청", "나래군청")}
    assert "(report:" not in cli("sites", db=db_url, home=tmp_path).stdout


def test_a_merged_site_shows_its_name_now_over_a_report_of_the_other_name(store, make_bundle):
    """Merged: the latest report is the one made under the merged-away name; the site is shown as the one."""
    from inventory.queries import latest_reports
    from reports.rollup import build_rollup

    import_bundle(make_bundle(demo_scan(site=RIGHT)), store)
    typo = demo_scan(site=TYPO, started_at=T0 + timedelta(days=1))
    import_bundle(make_bundle(typo), store)
    store.rename_site(TYPO, RIGHT)
    [(site, document)] = latest_reports(store)
    assert (site, document["site"], document["scan"]["id"]) == (RIGHT, TYPO, typo.scan_id)
    [row] = build_rollup(latest_reports(store)).sites
    assert (row.site, row.report_site, row.report_site_differs) == (RIGHT, TYPO, True)
    assert latest_reports(store, TYPO) == latest_reports(store, RIGHT)  # the old name finds the site
