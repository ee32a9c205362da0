"""Matcher: every level, the reason given, validity at a date, firmware, and match_all == match."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import count

import pytest

from inventory.matching import Matcher, validity_at
from inventory.model import RegistryEntry, RegistrySource
from scanner.model import Device
from scanner.vendors import load_vendor_catalog
from tests.inventory.factory import demo_devices

CATALOG = load_vendor_catalog()
SOURCE = RegistrySource("test", "test.csv", "0" * 64, datetime(2026, 11, 1, tzinfo=UTC))
_ids = count(1)
DAY = date(2026, 11, 20)


def entry(maker="Hanwha Vision", model="XNO-6080R", **kw) -> RegistryEntry:
    fields = {
        "business_no": None,
        "model_pattern": None,
        "firmware": None,
        "item_name": None,
        "item_no": None,
        "part": "camera",
        "certificate_type": "domestic_origin",
        "certificate_no": f"C-{next(_ids)}",
        "valid_from": date(2024, 1, 1),
        "valid_to": date(2029, 12, 31),
    }
    fields.update(kw)
    return RegistryEntry(
        id=next(_ids), manufacturer=maker, model=model, source=SOURCE, source_row=2, **fields
    )


def device(maker="Hanwha Vision", model="XNO-6080R", firmware="2.21.02", role="camera") -> Device:
    return Device(
        address="127.10.0.11",
        port=80,
        status="ok",
        manufacturer=maker,
        model=model,
        firmware=firmware,
        role=role,
    )


def levels(entries, dev, at=DAY):
    return [(m.level, m.entry.certificate_no) for m in Matcher(entries, CATALOG).match(dev, at)]


def test_exact_after_normalization():
    e = entry("IDIS Co., Ltd.", "DC-D4236RX")
    [m] = Matcher([e], CATALOG).match(device("IDIS", "dc_d4236rx"), DAY)
    assert m.level == "exact" and m.entry == e and m.validity == "valid" and m.counts
    assert "equal after normalization" in m.reason


@pytest.mark.parametrize(
    "registered", ["Hanwha Techwin", "삼성테크윈", "㈜한화비전", "Samsung Techwin Co.,Ltd", "Wisenet"]
)
def test_alias_through_the_vendor_family(registered):
    [m] = Matcher([entry(registered)], CATALOG).match(device("Hanwha Vision", "XNO‐6080R"), DAY)
    assert m.level == "alias"
    assert registered in m.reason and "hanwha" in m.reason


def test_pattern():
    [m] = Matcher([entry(model=None, model_pattern="XNO-6080R*")], CATALOG).match(
        device(model="XNO-6080RH"), DAY
    )
    assert m.level == "pattern" and "XNO-6080R*" in m.reason and m.counts


def test_a_pattern_naming_no_model_is_maker_level_and_a_pattern_keeps_to_its_part():
    """"*" is the maker's word for all it makes: it counted as a model-level pattern, and a camera part's
    pattern covered the maker's recorders too (review)."""
    every = entry("IDIS", None, model_pattern="*", part=None)
    [m] = Matcher([every], CATALOG).match(device("IDIS", "DR-6516P", role="nvr"), DAY)
    assert m.level == "maker" and "names no model" in m.reason
    assert Matcher([entry("IDIS", None, model_pattern="*")], CATALOG).match(  # its part: camera
        device("IDIS", "DR-6516P", role="nvr"), DAY) == ()
    cameras = entry("IDIS", None, model_pattern="D*", part="camera")
    assert Matcher([cameras], CATALOG).match(device("IDIS", "DR-6516P", role="nvr"), DAY) == ()
    [m] = Matcher([cameras], CATALOG).match(device("IDIS", "DC-D4236RX"), DAY)
    assert m.level == "pattern"


def test_pattern_of_another_maker_does_not_fit():
    assert levels([entry("IDIS", None, model_pattern="XNO-*")], device()) == []


def test_maker_level_entry_for_the_devices_part_only():
    maker_cam = entry("트루엔", None, business_no="9008100034", item_no="4617162201", part="camera")
    maker_nvr = entry(
        "트루엔", None, business_no="9008100034", item_no="4617162201", part="recorder_analytics"
    )
    maker_any = entry("트루엔", None, business_no="9008100034", item_no="4617162201", part=None)
    found = Matcher([maker_cam, maker_nvr, maker_any], CATALOG).match(
        device("TRUEN", "TE-1204", role="encoder"), DAY
    )
    assert {m.entry.id for m in found} == {maker_cam.id, maker_any.id}
    assert all(m.level == "maker" and "weaker evidence" in m.reason and m.counts for m in found)


def test_candidates_are_shown_but_never_count():
    prefix = entry(model="XNO-6080")
    longer = entry(model="XNO-6080RH")
    other_maker = entry("한빛비전", "XNO-6080R")
    found = Matcher([prefix, longer, other_maker], CATALOG).match(device(), DAY)
    assert {m.entry.id for m in found} == {prefix.id, longer.id, other_maker.id}
    assert all(m.level == "candidate" and not m.counts for m in found)
    by_id = {m.entry.id: m.reason for m in found}
    assert "prefix" in by_id[prefix.id] and "prefix" in by_id[longer.id]
    assert "한빛비전" in by_id[other_maker.id]


def test_device_without_a_maker_gets_candidates_by_model_only():
    e = entry("IDIS", "DC-D4236RX")
    [m] = Matcher([e], CATALOG).match(device(None, "DC-D4236RX"), DAY)
    assert m.level == "candidate" and not m.counts and "did not say its maker" in m.reason


def test_short_generic_models_suggest_nothing():
    assert levels([entry(model="88"), entry("IDIS", "88")], device(model="88X")) == []


def test_no_match_for_unregistered_makers_and_silent_devices():
    entries = [entry()]
    assert levels(entries, device("Hikvision", "DS-2CD2143G2-I")) == []
    silent = Device(address="127.10.0.61", port=80, status="timeout")
    assert Matcher(entries, CATALOG).match(silent, DAY) == ()


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "at", "expected"),
    [
        (date(2024, 1, 1), date(2025, 6, 30), date(2026, 11, 20), "expired"),
        (date(2024, 1, 1), date(2025, 6, 30), date(2025, 6, 30), "valid"),  # the last day still counts
        (date(2024, 1, 1), date(2025, 6, 30), date(2025, 7, 1), "expired"),
        (date(2027, 3, 1), date(2031, 12, 31), date(2026, 11, 20), "not_yet_valid"),
        (date(2027, 3, 1), date(2031, 12, 31), date(2027, 3, 1), "valid"),
        (None, None, date(2026, 11, 20), "undated"),
        (None, date(2030, 1, 1), date(2026, 11, 20), "valid"),
        # An issue date and no end: begun, its end unknown. It counted as valid for ever.
        (date(2015, 1, 1), None, date(2026, 11, 20), "undated"),
        (date(2027, 3, 1), None, date(2026, 11, 20), "not_yet_valid"),
    ],
)
def test_validity_at_a_date(valid_from, valid_to, at, expected):
    e = entry(valid_from=valid_from, valid_to=valid_to)
    assert validity_at(e, at) == expected
    [m] = Matcher([e], CATALOG).match(device(), at)
    assert m.validity == expected and m.counts is (expected == "valid")


def test_undated_certificate_is_kept_as_a_match_but_never_counts():
    """"A certificate counts only if valid at the scan's date": a row without dates cannot be shown to be.
    The match stays (validity unknown) so the report can name it, at every level, in match and match_all."""
    model_level = entry(valid_from=None, valid_to=None)
    maker_level = entry("IDIS", None, business_no="1248100998", item_no="4617162201", part=None,
                        valid_from=None, valid_to=None)
    matcher = Matcher([model_level, maker_level], CATALOG)
    [m] = matcher.match(device(), DAY)
    assert (m.entry, m.level, m.validity, m.counts) == (model_level, "exact", "undated", False)
    [maker] = matcher.match(device("IDIS", "DC-D4236RX"), DAY)
    assert (maker.level, maker.validity, maker.counts) == ("maker", "undated", False)
    batch = matcher.match_all([device(), device("IDIS", "DC-D4236RX")], DAY)
    assert [[(x.validity, x.counts) for x in found] for found in batch] == [[("undated", False)]] * 2
    # an undated certificate beside a valid one: the valid one comes first and counts
    dated = entry(certificate_type="gs")
    first, second = Matcher([model_level, dated], CATALOG).match(device(), DAY)
    assert (first.entry, first.counts, second.entry, second.counts) == (dated, True, model_level, False)


def test_firmware_is_matched_when_both_sides_give_it():
    cert = entry(certificate_type="cctv_security", firmware="2.21.02")
    assert levels([cert], device(firmware="2.21.02")) == [("exact", cert.certificate_no)]
    [other] = Matcher([cert], CATALOG).match(device(firmware="2.20.10"), DAY)
    assert other.level == "candidate" and "2.20.10" in other.reason
    [unknown] = Matcher([cert], CATALOG).match(device(firmware=None), DAY)
    assert unknown.level == "candidate" and "did not report" in unknown.reason
    wildcard = entry(certificate_type="cctv_security", firmware="2.21.*")
    assert levels([wildcard], device(firmware="2.21.02"))[0][0] == "exact"
    bracketed = entry(certificate_type="cctv_security", firmware="2.21.02[R1]")  # a bracket is text, no set
    assert levels([bracketed], device(firmware="2.21.02[R1]"))[0][0] == "exact"
    [near] = Matcher([bracketed], CATALOG).match(device(firmware="2.21.02R"), DAY)
    assert near.level == "candidate"


def test_results_strongest_first():
    exact = entry(certificate_type="gs")
    expired = entry(valid_to=date(2025, 1, 1), valid_from=date(2020, 1, 1))
    pattern = entry(model=None, model_pattern="XNO*")
    alias = entry("Hanwha Techwin", certificate_type="excellent_procurement")
    found = Matcher([pattern, expired, alias, exact], CATALOG).match(device(), DAY)
    assert [(m.level, m.validity) for m in found] == [
        ("exact", "valid"),
        ("exact", "expired"),
        ("alias", "valid"),
        ("pattern", "valid"),
    ]


def test_match_all_equals_match_one_by_one():
    from inventory.registry_file import parse_registry
    from tests.inventory.test_registry_store import SAMPLE

    entries = [
        RegistryEntry(id=i, source=SOURCE, **vars(p)) for i, p in enumerate(parse_registry(SAMPLE).entries)
    ]
    matcher = Matcher(entries, CATALOG)
    devices = list(demo_devices())
    assert matcher.match_all(devices, DAY) == [matcher.match(d, DAY) for d in devices]


def test_a_maker_named_like_a_family_id_is_not_that_family():
    """Family ids and normalized maker names were one namespace: a device claiming "ITX" alias-matched ITX
    Security's entries because that family's id is "itx" (review). Only the family's names lead to it."""
    itx = entry("ITX Security", "IS-IPC2232")
    [shown] = Matcher([itx], CATALOG).match(device("ITX", "IS-IPC2232"), date(2025, 1, 1))
    assert shown.level == "candidate" and not shown.counts  # shown for review, as any other maker's would be
    [m] = Matcher([itx], CATALOG).match(device("아이티엑스시큐리티", "IS-IPC2232"), date(2025, 1, 1))
    assert m.level == "alias"


def test_a_sister_company_of_a_maker_is_not_covered_by_its_certificates():
    hanwha_maker = entry("Hanwha Vision", "XNO-6080R")
    [shown] = Matcher([hanwha_maker], CATALOG).match(device("Hanwha Systems", "XNO-6080R"), date(2025, 1, 1))
    assert shown.level == "candidate" and not shown.counts
