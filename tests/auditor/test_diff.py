"""inventory.diff: what changed between two scans of a site, on the demo site's devices."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from inventory.diff import CHANGE_KINDS, diff_scans
from tests.auditor.factory import T0, demo_scan, device, scan


def _later(result, devices):
    return replace(result, scan_id="later", started_at=T0 + timedelta(days=30), devices=tuple(devices))


def _only(diff, kind):
    found = diff.of_kind(kind)
    assert len(found) == 1, diff.changes
    return found[0]


def test_same_site_scanned_twice_has_no_changes():
    first = demo_scan()
    diff = diff_scans(first, _later(first, first.devices))
    assert diff.changes == ()
    assert diff.unchanged == 25
    assert diff.from_scan == first.scan_id and diff.to_scan == "later"


def test_device_replaced_by_the_same_maker_at_the_same_address():
    first = demo_scan()
    devices = [
        replace(d, serial="ZN7Q6HAR399999Z", mac="e4:30:22:99:99:99") if d.address == "127.10.0.11" else d
        for d in first.devices
    ]
    diff = diff_scans(first, _later(first, devices))
    change = _only(diff, "replaced")
    assert change.address == "127.10.0.11"
    assert change.before.serial == "ZN7Q6HAR300011A" and change.after.serial == "ZN7Q6HAR399999Z"
    assert len(diff.changes) == 1


def test_firmware_changed_on_the_same_device():
    first = demo_scan()
    devices = [
        replace(d, firmware="2.22.00_20250101_R1") if d.address == "127.10.0.12" else d for d in first.devices
    ]
    change = _only(diff_scans(first, _later(first, devices)), "firmware_changed")
    assert change.before.firmware == "2.21.02_20240320_R1"
    assert change.after.firmware == "2.22.00_20250101_R1"
    assert "2.22.00" in change.detail


def test_new_and_missing_devices():
    first = demo_scan()
    devices = [d for d in first.devices if d.address != "127.10.0.45"]
    devices.append(device("127.10.0.99", "TRUEN", "TN-P4220CSL", serial="TRN-NEW-1", mac="00:1c:63:99:00:01"))
    diff = diff_scans(first, _later(first, devices))
    assert _only(diff, "missing").before.manufacturer == "AXIS"
    assert _only(diff, "new").after.address == "127.10.0.99"
    assert diff.unchanged == 24


def test_devices_a_cut_short_scan_never_reached_are_not_reported_missing():
    """A recovered or interrupted later scan (complete=false) lacks the devices it never got to: each was
    "no longer found", which reads as equipment removed from the site (review)."""
    first = demo_scan()
    cut = replace(_later(first, first.devices[:10]), complete=False, interrupted_reason="SIGINT")
    diff = diff_scans(first, cut)
    assert not diff.of_kind("missing") and len(diff.of_kind("not_reached")) == len(first.devices) - 10
    assert diff.to_dict()["to_complete"] is False and diff.to_dict()["from_complete"] is True
    assert "cut short" in diff.of_kind("not_reached")[0].detail


def test_maker_changed_under_the_same_address():
    """A Korean-branded camera swapped for a Dahua one at the same place: the auditor's key signal."""
    first = demo_scan()
    devices = [
        device("127.10.0.15", "Dahua", "IPC-HFW2431S-S-S2", serial="6J0A1B2PAZ09999", mac="3c:ef:8c:99:00:15")
        if d.address == "127.10.0.15"
        else d
        for d in first.devices
    ]
    diff = diff_scans(first, _later(first, devices))
    change = _only(diff, "maker_changed")
    assert change.before.manufacturer == "IDIS Co., Ltd." and change.after.manufacturer == "Dahua"
    assert diff.of_kind("replaced") == ()


def test_same_hardware_claiming_another_brand_is_maker_changed():
    """Serial and MAC unchanged, brand string changed (a relabel by firmware) -> maker_changed, not new/missing."""
    before = scan([device("10.0.0.5", "Dahua", "IPC-HFW2431S", serial="6J0A1", mac="3c:ef:8c:00:00:05")])
    after = _later(
        before, [device("10.0.0.5", "한빛비전", "HB-IP4231", serial="6J0A1", mac="3c:ef:8c:00:00:05")]
    )
    diff = diff_scans(before, after)
    assert {c.kind for c in diff.changes} == {"maker_changed", "model_changed"}


def test_maker_aliases_are_not_a_maker_change():
    """Hanwha Techwin -> Hanwha Vision is the same family (config/vendors.yaml), not a new maker."""
    before = scan([device("10.0.0.5", "Samsung Techwin", serial="S1", mac="00:09:18:00:00:05")])
    after = _later(before, [device("10.0.0.5", "Hanwha Vision", serial="S1", mac="00:09:18:00:00:05")])
    assert diff_scans(before, after).changes == ()


def test_moved_device_is_paired_by_serial_not_reported_new_and_missing():
    before = scan([device("10.0.0.5", serial="S1", mac="00:09:18:00:00:05")])
    after = _later(before, [device("10.0.0.9", serial="S1", mac="00:09:18:00:00:05")])
    diff = diff_scans(before, after)
    assert [c.kind for c in diff.changes] == ["moved"]


def test_unreadable_device_is_not_guessed_to_be_replaced():
    before = scan([device("10.0.0.5", serial="S1", mac="00:09:18:00:00:05")])
    after = _later(before, [device("10.0.0.5", status="timeout")])
    diff = diff_scans(before, after)
    assert [c.kind for c in diff.changes] == ["unreadable"]
    assert "timeout" in diff.changes[0].detail


def test_to_dict_lists_counts_for_every_kind():
    first = demo_scan()
    doc = diff_scans(first, _later(first, first.devices[:-1])).to_dict()
    assert set(doc["counts"]) == set(CHANGE_KINDS)
    assert doc["counts"]["missing"] == 1
    assert doc["changes"][0]["before"]["address"] == "127.10.0.64"


def test_placeholder_serials_do_not_pair_different_devices():
    """Two cameras both reporting serial "0" are two devices; pairing falls back to MAC."""
    before = scan(
        [
            device("10.0.0.5", serial="0", mac="00:09:18:00:00:05"),
            device("10.0.0.6", serial="0", mac="00:09:18:00:00:06"),
        ]
    )
    after = _later(before, [device("10.0.0.6", serial="0", mac="00:09:18:00:00:06", firmware="9.9")])
    diff = diff_scans(before, after)
    assert sorted((c.kind, c.address) for c in diff.changes) == [
        ("firmware_changed", "10.0.0.6"),
        ("missing", "10.0.0.5"),
    ]


def test_device_whose_serial_was_not_read_this_time_is_paired_by_mac():
    before = scan([device("10.0.0.5", serial="S1", mac="00:09:18:00:00:05")])
    after = _later(before, [device("10.0.0.5", serial=None, mac="00:09:18:00:00:05", firmware="9.9")])
    assert [c.kind for c in diff_scans(before, after).changes] == ["firmware_changed"]


def test_same_mac_but_different_serials_is_a_replacement():
    """A cloned or reused MAC does not make two serial-numbered devices one."""
    before = scan([device("10.0.0.5", serial="S1", mac="00:09:18:00:00:05")])
    after = _later(before, [device("10.0.0.5", serial="S2", mac="00:09:18:00:00:05")])
    assert [c.kind for c in diff_scans(before, after).changes] == ["replaced"]


# --- the same cases through the database: saved with the store, compared as `diff` does ---------------


def _replaced(devices):
    return [
        replace(d, serial="ZN7Q6HAR399999Z", mac="e4:30:22:99:99:99") if d.address == "127.10.0.11" else d
        for d in devices
    ]


def _firmware(devices):
    return [replace(d, firmware="2.22.00_20250101_R1") if d.address == "127.10.0.12" else d for d in devices]


def _new_and_missing(devices):
    kept = [d for d in devices if d.address != "127.10.0.45"]
    return [*kept, device("127.10.0.99", "TRUEN", "TN-P4220CSL", serial="TRN-NEW-1", mac="00:1c:63:99:00:01")]


def _maker(devices):
    return [
        device("127.10.0.15", "Dahua", "IPC-HFW2431S-S-S2", serial="6J0A1B2PAZ09999", mac="3c:ef:8c:99:00:15")
        if d.address == "127.10.0.15"
        else d
        for d in devices
    ]


def _moved(devices):
    return [replace(d, address="127.10.0.111") if d.address == "127.10.0.13" else d for d in devices]


STORED_CASES = {
    "replaced": (_replaced, [("replaced", "127.10.0.11")]),
    "firmware_changed": (_firmware, [("firmware_changed", "127.10.0.12")]),
    "new_and_missing": (_new_and_missing, [("missing", "127.10.0.45"), ("new", "127.10.0.99")]),
    "maker_changed": (_maker, [("maker_changed", "127.10.0.15")]),
    "moved": (_moved, [("moved", "127.10.0.111")]),
}


@pytest.mark.parametrize("case", list(STORED_CASES))
def test_diff_cases_through_the_store_and_the_cli(store, db_url, tmp_path, case):
    """Each case saved as two scans (SQLite and PostgreSQL), then diffed as `diff` does: through
    inventory.queries.scans_to_compare and through `cctv-inventory diff --json` in a subprocess. Both
    must give what the same scans give in memory: the database loses nothing a diff looks at."""
    from inventory.queries import scans_to_compare
    from tests.auditor.test_cli import cli

    change, expected = STORED_CASES[case]
    first = demo_scan()
    later = replace(_later(first, change(list(first.devices))), scan_id=str(uuid.uuid4()))
    store.save_scan(first)
    store.save_scan(later)
    in_memory = diff_scans(first, later).to_dict()
    assert sorted((c["kind"], c["address"]) for c in in_memory["changes"]) == expected

    before, after = scans_to_compare(store, first.site)
    assert (before.scan_id, after.scan_id) == (first.scan_id, later.scan_id)
    assert diff_scans(before, after).to_dict() == in_memory

    run = cli("diff", "--site", first.site, "--json", db=db_url, home=tmp_path / "home")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == json.loads(json.dumps(in_memory, ensure_ascii=False))
    text = cli("diff", "--site", first.site, db=db_url, home=tmp_path / "home")
    assert text.returncode == 0 and all(kind in text.stdout and address in text.stdout for kind, address in expected)


def test_clones_sharing_a_serial_are_paired_by_their_macs():
    """Two clones say the same serial (home-assistant/frontend#17345); one is taken away. The serial
    must not pair the one left with the one that went: the diff says the other one is missing."""
    first = demo_scan()
    a = replace(first.devices[0], address="127.10.0.201", serial="IPC20230001", mac="00:1c:63:00:02:01",
                endpoint_reference="urn:uuid:clone-a")
    b = replace(first.devices[0], address="127.10.0.202", serial="IPC20230001", mac="00:1c:63:00:02:02",
                endpoint_reference="urn:uuid:clone-b")
    before = replace(first, devices=(*first.devices, a, b))
    diff = diff_scans(before, _later(first, (*first.devices, b)))
    missing = _only(diff, "missing")
    assert missing.address == "127.10.0.201" and len(diff.changes) == 1
