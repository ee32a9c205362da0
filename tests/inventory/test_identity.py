"""inventory/identity.py: which key identifies a device across scans (no database, no network)."""

from inventory.identity import clean_mac, device_key, shared_identifiers
from scanner.model import Device
from scanner.vendors import load_vendor_catalog

CATALOG = load_vendor_catalog()


def cam(address, serial=None, mac=None, ref=None, maker="TRUEN"):
    return Device(address=address, port=80, status="ok", manufacturer=maker, serial=serial, mac=mac,
                  endpoint_reference=ref)


def keys(devices):
    shared = shared_identifiers(devices)
    return [device_key(d, CATALOG, shared) for d in devices]


def test_a_serial_two_units_claim_identifies_neither():
    clones = [cam("10.0.0.1", "IPC20230001", "00:1c:63:00:00:01", "urn:uuid:a"),
              cam("10.0.0.2", "IPC20230001", "00:1c:63:00:00:02", "urn:uuid:b")]
    assert keys(clones) == ["mac:00:1c:63:00:00:01", "mac:00:1c:63:00:00:02"]
    assert keys(clones[:1]) == ["serial:truen:IPC20230001"]  # alone in its scan, it still does


def test_one_recorder_on_two_addresses_keeps_its_serial():
    nvr = [cam("10.0.0.1", "NVR1", "00:1c:63:00:00:01", "urn:uuid:nvr"),
           cam("10.1.0.1", "NVR1", "00:1c:63:00:00:02", "urn:uuid:nvr")]
    assert keys(nvr) == ["serial:truen:NVR1", "serial:truen:NVR1"]


def test_a_mac_two_units_claim_gives_way_to_the_endpoint():
    twins = [cam("10.0.0.1", mac="00-12-34-56-78-9A", ref="urn:uuid:a"),
             cam("10.0.0.2", mac="00:12:34:56:78:9a", ref="urn:uuid:b")]
    assert keys(twins) == ["endpoint:urn:uuid:a", "endpoint:urn:uuid:b"]


def test_known_fake_serials_and_non_macs_identify_nothing():
    for serial in ("SerialNumber", "0123456789", "N/A", "0000"):
        assert keys([cam("10.0.0.1", serial, ref="urn:uuid:a")]) == ["endpoint:urn:uuid:a"], serial
    assert clean_mac("5792c4:5792c5:5792c6:5792c7:5792c8:5792c9") is None
    assert clean_mac("0030.1bba.02db") == "00:30:1b:ba:02:db" and clean_mac("00:00:00:00:00:00") is None
