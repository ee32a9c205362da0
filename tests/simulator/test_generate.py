"""`--generate N --seed S`: deterministic, realistic, unique. No network."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from scanner.vendors import load_vendor_catalog
from simulator.generate import generate_site


@pytest.fixture(scope="module")
def big():
    return generate_site(2000, seed=7)


def test_same_seed_same_site_other_seed_other_site():
    assert generate_site(50, seed=3) == generate_site(50, seed=3)
    assert generate_site(50, seed=3)["devices"] != generate_site(50, seed=4)["devices"]


def test_unique_identities(big):
    devices = big["devices"]
    for key in ("address", "mac", "serial", "endpoint_reference"):
        values = [d[key] for d in devices]
        assert len(set(values)) == len(values), key
    assert all(d["address"].startswith("127.10.") for d in devices)
    assert "127.0.0.1" not in {d["address"] for d in devices}


def test_macs_come_from_the_true_makers_oui(big):
    catalog = load_vendor_catalog()
    for d in big["devices"]:
        prefixes = catalog.by_id(d["true_maker"]).oui_prefixes
        if prefixes:
            assert d["mac"][:8].upper() in prefixes, d
        else:
            assert d["mac"].startswith("02:"), d  # locally administered


def test_strings_have_each_makers_shape(big):
    catalog = load_vendor_catalog()
    checked = Counter()
    for d in big["devices"]:
        family = catalog.by_id(d["true_maker"])
        for pattern in family.firmware_patterns:
            assert re.search(pattern, d["firmware"]), (d["firmware"], pattern)
            checked["firmware"] += 1
        if d["relabel_of"] is None:
            for pattern in family.serial_patterns:
                assert re.search(pattern, d["serial"]), (d["serial"], pattern)
                checked["serial"] += 1
    assert checked["firmware"] > 100 and checked["serial"] > 100


def test_mix_of_roles_makers_relabels_and_quirks(big):
    devices = big["devices"]
    roles = Counter(d["role"] for d in devices)
    assert roles["camera"] > 1400 and all(roles[r] > 40 for r in ("nvr", "encoder", "analytics"))
    makers = Counter(d["true_maker"] for d in devices)
    assert {"hanwha", "idis", "cpro", "truen", "innodep", "hikvision", "dahua", "uniview", "axis"} <= set(makers)
    relabels = [d for d in devices if d["relabel_of"]]
    assert 10 < len(relabels) < 200
    catalog = load_vendor_catalog()
    assert all(catalog.family_of_name(d["manufacturer"]) is None for d in relabels)  # a brand nobody knows
    quirky = [d for d in devices if d["quirks"]]
    assert 0.05 < len(quirky) / len(devices) < 0.2


def test_base_address_must_be_loopback_and_big_enough():
    with pytest.raises(ValueError, match="not inside 127.0.0.0/8"):
        generate_site(5, network="10.0.0.0/24")
    with pytest.raises(ValueError, match="fewer than 300"):
        generate_site(300, network="127.30.0.0/24")
    assert len(generate_site(200, network="127.30.0.0/24")["devices"]) == 200
