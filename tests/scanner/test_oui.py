"""MAC blocks to organisations (scanner/oui.py): config/oui-supplement.csv before scapy's manuf table, the
longest block first. No network."""

from __future__ import annotations

import csv
import re

from scapy.data import MANUFDB

from scanner.oui import SUPPLEMENT_FILE, blocks, oui_vendor
from scanner.vendors import load_vendor_catalog

CATALOG = load_vendor_catalog()


def test_blocks_of_a_mac_as_the_manuf_table_keys_them():
    assert blocks("9c:e5:49:c1:23:45") == ("9C:E5:49:C1:20/36", "9C:E5:49:C0/28", "9C:E5:49")


def test_scapy_s_own_table_still_answers():
    assert "Dahua" in oui_vendor("3c:ef:8c:10:00:51")
    assert "Hikvision" in oui_vendor("44:19:B6:10:00:41")
    assert oui_vendor("02:c9:00:10:00:19") is None  # locally administered: nobody's block
    assert oui_vendor(None) is None and oui_vendor("5792c4:5792c5") is None


def test_a_block_newer_than_scapy_s_copy_comes_from_the_supplement():
    assert MANUFDB.d.get("44:B4:23") is None  # scapy 2.8.0's table does not have it: the test means something
    vendor = oui_vendor("44:b4:23:10:00:01")
    assert vendor == "HANWHA VISION VIETNAM COMPANY LIMITED" and CATALOG.family_of_oui_org(vendor).id == "hanwha"
    # renamed since scapy's copy: the registry's current registrant wins
    assert MANUFDB.d["E4:30:22"][1] == "Hanwha Techwin Security Vietnam"
    assert oui_vendor("e4:30:22:10:00:11") == "Hanwha Vision VietNam"


def test_a_28_bit_block_is_found_where_scapy_s_lookup_reads_only_24_bits():
    # Innodep's MA-M block, from the supplement; the rest of 9C:E5:49 belongs to other registrants
    assert oui_vendor("9c:e5:49:c7:00:01") == "INNODEP INC." and CATALOG.family_of_oui_org("INNODEP INC.").id == "innodep"
    assert oui_vendor("9c:e5:49:b7:00:01") != "INNODEP INC."
    # and a /28 block scapy loads but its own lookup never returns
    key = next(k for k in MANUFDB.d if k.endswith("/28") and k[:8] not in MANUFDB.d)
    mac = key.split("/")[0].lower() + ":00:01"  # '00:55:DA:00/28' -> 00:55:da:00:00:01
    assert MANUFDB.lookup(mac)[1] == mac  # scapy: unknown
    assert oui_vendor(mac) == MANUFDB.d[key][1]


def test_every_supplement_row_is_a_block_of_the_family_it_names():
    rows = list(csv.DictReader(line for line in SUPPLEMENT_FILE.read_text(encoding="utf-8").splitlines()
                               if not line.startswith("#")))
    assert len(rows) > 50
    for row in rows:
        assert re.fullmatch(r"[0-9A-F]{2}(:[0-9A-F]{2}){2}|[0-9A-F]{2}(:[0-9A-F]{2}){3}/28|"
                            r"[0-9A-F]{2}(:[0-9A-F]{2}){4}/36", row["prefix"]), row
        assert CATALOG.family_of_oui_org(row["organization"]).id == row["family"], row


def test_every_family_s_listed_prefixes_are_its_own_blocks():
    """vendors.yaml's oui_prefixes give simulated devices their MACs: each must be a block the registry (scapy or
    the supplement) gives to a registrant that family's oui_orgs name, or a scan of the lab would misattribute."""
    for family in CATALOG.families:
        for prefix in family.oui_prefixes:
            registrant = oui_vendor(prefix.lower() + ":10:00:01")
            owner = CATALOG.family_of_oui_org(registrant)
            assert owner is not None and owner.id == family.id, (family.id, prefix, registrant)


def test_the_supplement_generator_keeps_only_what_scapy_lacks_or_names_otherwise():
    """tools/oui_supplement.py on tests/scanner/fixtures/oui-index-sample.json (six registry records)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    run = subprocess.run([sys.executable, "tools/oui_supplement.py", "tests/scanner/fixtures/oui-index-sample.json",
                          "sample"], cwd=repo, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(repo)})
    rows = list(csv.DictReader(line for line in run.stdout.splitlines() if not line.startswith("#")))
    assert {(r["prefix"], r["family"]) for r in rows} == {
        ("44:B4:23", "hanwha"),  # not in scapy's table
        ("E4:30:22", "hanwha"),  # in it under the former registrant
        ("9C:E5:49:C0/28", "innodep"),  # a /28 block
    }  # not Samsung Techwin's 00:09:18 (scapy has it, case aside), nor makers outside vendors.yaml
    assert next(r for r in rows if r["prefix"] == "44:B4:23")["organization"] == "HANWHA VISION VIETNAM COMPANY LIMITED"
    assert "from sample" in run.stdout.splitlines()[0]
