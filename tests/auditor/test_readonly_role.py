"""The read-only viewer role of docs/auditor.md, on PostgreSQL: sites and rollup work, import is refused."""

from __future__ import annotations

import json
import uuid

import sqlalchemy as sa

from tests.auditor.factory import demo_scan
from tests.auditor.test_cli import cli


def test_viewer_reads_but_cannot_import(pg_base_url, pg_url, make_bundle, tmp_path):
    from inventory.queries import prepare_database

    prepare_database(pg_url)
    home = tmp_path / "home"
    assert cli("import-bundle", str(make_bundle(demo_scan())), db=pg_url, home=home).returncode == 0

    role = f"viewer_{uuid.uuid4().hex[:8]}"
    schema = sa.engine.make_url(pg_url).query["options"].split("search_path=")[1]
    engine = sa.create_engine(pg_base_url)
    with engine.begin() as conn:  # the SQL of docs/auditor.md, for this test's schema
        conn.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(sa.text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"'))
        conn.execute(sa.text(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"'))
        conn.execute(sa.text(f'ALTER ROLE "{role}" SET default_transaction_read_only = on'))
    viewer_url = pg_url.replace("://root@", f"://{role}@", 1)
    assert viewer_url != pg_url
    try:
        sites = cli("sites", "--json", db=viewer_url, home=home)
        assert sites.returncode == 0, sites.stderr
        assert [r["site"] for r in json.loads(sites.stdout)["sites"]] == [demo_scan().site]
        roll = cli("rollup", "--format", "json", "--out", str(tmp_path / "r"), db=viewer_url, home=home)
        assert roll.returncode == 0, roll.stderr

        refused = cli("import-bundle", str(make_bundle(demo_scan())), db=viewer_url, home=home)
        assert refused.returncode == 4, refused.stderr
        assert "refused the write" in refused.stderr
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP OWNED BY "{role}"'))
            conn.execute(sa.text(f'DROP ROLE "{role}"'))
        engine.dispose()
