"""WS-Discovery message building and lenient, safe parsing (no network)."""

from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring

from scanner.wsd import (
    DiscoveryTable,
    NotWsDiscovery,
    build_probe,
    fix_xaddr,
    onvif_signal,
    parse_probe_matches,
)

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_probe_is_wellformed_and_carries_its_message_id():
    message_id, data = build_probe()
    root = fromstring(data)
    assert message_id.startswith("urn:uuid:")
    assert message_id.encode() in data
    assert root.tag.endswith("Envelope")
    assert b"<d:Probe/>" in data  # no Types: recorders and analytics boxes answer too


def test_standard_probe_matches():
    [found] = parse_probe_matches(load("probematches_standard.xml"), "127.10.0.11", {"urn:uuid:probe-1"})
    assert found.endpoint_reference == "urn:uuid:cam-0011"
    assert "onvif://www.onvif.org/hardware/XNO-6080R" in found.scopes
    assert found.xaddrs == ["http://127.10.0.11/onvif/device_service", "http://[fe80::1]/onvif/device_service"]
    assert found.service_url() == "http://127.10.0.11/onvif/device_service"
    assert not found.relates_to_mismatch


def test_no_wrapper_zero_and_foreign_hosts_fixed_from_responder_wrong_relates_to_kept():
    [found] = parse_probe_matches(load("probematch_no_wrapper_zero_host.xml"), "127.10.0.41", {"urn:uuid:mine"})
    assert found.endpoint_reference == "urn:uuid:cam-0041"
    assert found.xaddrs == ["http://127.10.0.41:8080/onvif/device_service", "http://127.10.0.41/onvif/device_service"]
    assert found.advertised_xaddrs[0] == "http://0.0.0.0:8080/onvif/device_service"
    assert found.relates_to_mismatch  # noted, but the device is still reported


def test_entity_expansion_is_refused_not_expanded():
    with pytest.raises(NotWsDiscovery):
        parse_probe_matches(load("probematch_entity_bomb.xml"), "127.0.0.9")


def test_garbage_and_other_messages():
    with pytest.raises(NotWsDiscovery):
        parse_probe_matches(b"\x00\x01 not xml", "127.0.0.9")
    assert parse_probe_matches(load("hello.xml"), "127.0.0.9") == []


@pytest.mark.parametrize(
    ("url", "fixed"),
    [
        ("http://0.0.0.0/onvif/device_service", "http://127.1.2.3/onvif/device_service"),
        ("http://192.168.1.64:8000/onvif/device_service", "http://127.1.2.3:8000/onvif/device_service"),
        ("http:///onvif/device_service", "http://127.1.2.3/onvif/device_service"),
        ("http://127.1.2.3/onvif/device_service", "http://127.1.2.3/onvif/device_service"),
        ("http://[2001:db8::5]/onvif/device_service", "http://[2001:db8::5]/onvif/device_service"),
        ("ftp://127.1.2.3/x", None),
    ],
)
def test_fix_xaddr(url, fixed):
    assert fix_xaddr(url, "127.1.2.3") == fixed


def test_duplicates_merge_by_endpoint_reference():
    table = DiscoveryTable()
    data = load("probematches_standard.xml")
    assert table.add(parse_probe_matches(data, "127.10.0.11")[0]) is True
    assert table.add(parse_probe_matches(data, "127.10.0.11")[0]) is False
    assert len(table) == 1
    assert len(table.devices()[0].xaddrs) == 2


def test_typed_probes_name_one_onvif_type_each_with_its_namespace_declared_where_it_is_used():
    from lxml import etree

    from scanner.wsd import ONVIF_PROBE_TYPES, build_probe

    seen = set()
    for probe_type in ONVIF_PROBE_TYPES:
        _, data = build_probe(probe_type=probe_type)
        types = etree.fromstring(data).find(".//{http://schemas.xmlsoap.org/ws/2005/04/discovery}Types")
        prefix, _, name = types.text.partition(":")
        assert types.nsmap[prefix] == probe_type[0] and name == probe_type[1]
        seen.add((types.nsmap[prefix], types.text))
    # The prefixes too: some firmware matches the text as a string (quirk probe_prefix_dn).
    assert seen == {("http://www.onvif.org/ver10/network/wsdl", "dn:NetworkVideoTransmitter"),
                    ("http://www.onvif.org/ver10/device/wsdl", "tds:Device")}
    _, untyped = build_probe()
    assert b"Types" not in untyped


def test_a_windows_wsd_host_is_no_onvif_device():
    [found] = parse_probe_matches(load("probematch_windows_wsd_host.xml"), "10.0.0.5")
    assert found.onvif_signal is None and found.types == ["wsdp:Device", "pub:Computer"]
    assert found.advertised_xaddrs == ["http://DESKTOP-VMS01:5357/da4a86d1-4362-e82c-a162-d06d1cb8c478/"]
    table = DiscoveryTable()
    assert table.add(found) and len(table) == 0 and table.others() == [found]
    again = parse_probe_matches(load("probematch_windows_wsd_host.xml").replace(b"da4a86d1-4362", b"00000000-0000"),
                                "10.0.0.5")[0]
    assert not table.add(again) and len(table.others()) == 1  # a new endpoint reference, the same host


def test_a_fault_for_a_probe_is_no_device_and_no_other_host():
    """TP-Link VIGI answers the untyped Probe with a Fault; a Hikvision may answer with one whose Action is
    the addressing fault action (edgexfoundry/device-onvif-camera#134). Neither is a match of any kind:
    the typed round (or, for a --target, the ONVIF HTTP probe) finds the device."""
    fault = load("probe_fault_tplink_vigi.xml")
    assert parse_probe_matches(fault, "10.0.0.9") == []
    addressing_fault = fault.replace(b"http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe",
                                     b"http://schemas.xmlsoap.org/ws/2004/08/addressing/fault")
    assert parse_probe_matches(addressing_fault, "10.0.0.9") == []
    without_action = fault.replace(b"<wsa:Action", b"<wsa:Nothing").replace(b"</wsa:Action>", b"</wsa:Nothing>")
    assert parse_probe_matches(without_action, "10.0.0.9") == []


def test_onvif_devices_are_known_by_type_scope_or_path():
    [standard] = parse_probe_matches(load("probematches_standard.xml"), "127.10.0.11")
    assert standard.onvif_signal == "ONVIF type NetworkVideoTransmitter"
    onvif_ns = "http://www.onvif.org/ver10/device/wsdl"
    devprof = "http://schemas.xmlsoap.org/ws/2006/02/devprof"
    assert onvif_signal([(onvif_ns, "Device")], [], []) == "ONVIF type Device"
    assert onvif_signal([(devprof, "Device")], [], []) is None  # every Windows PC is a wsdp:Device
    assert onvif_signal([(None, "Device")], [], []) is None  # undeclared prefix: "Device" alone says nothing
    assert onvif_signal([(None, "NetworkVideoTransmitter")], [], []) == "ONVIF type NetworkVideoTransmitter"
    # an unprefixed type under a default namespace that is not ONVIF's: the name alone still says it
    assert onvif_signal([("http://schemas.xmlsoap.org/ws/2005/04/discovery", "NetworkVideoTransmitter")], [], [])
    assert onvif_signal([], ["onvif://www.onvif.org/name/cam"], []) == "onvif:// scope"
    assert onvif_signal([], ["ONVIF://www.onvif.org/type/video_encoder"], []) == "onvif:// scope"
    assert onvif_signal([], [], ["http://10.0.0.7/onvif/device_service"]) == "XAddr under /onvif/"
    assert onvif_signal([(devprof, "Device")], ["http://printer/scope"], ["http://10.0.0.8:3911/"]) is None
