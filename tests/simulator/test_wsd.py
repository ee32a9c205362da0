"""WS-Discovery answers checked with raw UDP probes and WSDiscovery's own message parser.

Site: config/lab/demo-site.yaml (demo_lab fixture).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from wsdiscovery.message import parseSOAPMessage

from .rawsoap import probe

pytestmark = pytest.mark.network
WSA = "{http://schemas.xmlsoap.org/ws/2004/08/addressing}"
D = "{http://schemas.xmlsoap.org/ws/2005/04/discovery}"


def test_multicast_probe_reaches_every_device_but_unicast_only(demo_lab):
    mid, replies = probe()
    expected = {d["address"] for d in demo_lab.devices if not any(q["name"] == "unicast_only" for q in d["quirks"])}
    sources = [src for src, _ in replies]
    assert set(sources) == expected
    assert sources.count("127.10.0.64") == 2  # duplicate_probe_matches
    assert len(sources) == len(expected) + 1
    for src, payload in replies:
        root = ET.fromstring(payload)
        device = demo_lab.device(src)
        assert root.findtext(f".//{WSA}Action").endswith("/discovery/ProbeMatches")
        if src != "127.10.0.64":  # wrong_relates_to
            assert root.findtext(f".//{WSA}RelatesTo") == mid
        assert root.findtext(f".//{D}ProbeMatch/{WSA}EndpointReference/{WSA}Address") == device["endpoint_reference"]
        assert root.findtext(f".//{D}Types").split() == ["dn:NetworkVideoTransmitter", "tds:Device"]
        assert root.findtext(f".//{D}Scopes").split() == device["scopes"]


def test_replies_come_from_each_device_and_name_its_xaddr(demo_lab):
    _, replies = probe()
    for src, payload in replies:
        xaddrs = ET.fromstring(payload).findtext(f".//{D}XAddrs")
        device = demo_lab.device(src)
        if src == "127.10.0.41":  # zero_xaddrs
            assert xaddrs == "http://0.0.0.0/onvif/device_service"
        else:
            port = "" if device["port"] == 80 else f":{device['port']}"
            assert xaddrs == f"http://{src}{port}/onvif/device_service"


def test_scopes_carry_name_hardware_location_and_profiles(demo_lab):
    nvr = demo_lab.device("127.10.0.31")
    assert "onvif://www.onvif.org/Profile/G" in nvr["scopes"]
    cam = demo_lab.device("127.10.0.11")
    assert "onvif://www.onvif.org/Profile/Streaming" in cam["scopes"]
    assert "onvif://www.onvif.org/name/XNO-6080R" in cam["scopes"]
    assert "onvif://www.onvif.org/hardware/XNO-6080R" in cam["scopes"]
    assert any(s.startswith("onvif://www.onvif.org/location/") and "%EA%B0%80%EB%9E%8C" in s for s in cam["scopes"])


def test_unicast_probe_answers_only_that_device(demo_lab):
    _, replies = probe("127.10.0.18", wait=0.8)  # the unicast_only TRUEN camera
    assert [src for src, _ in replies] == ["127.10.0.18"]
    log = [r for r in demo_lab.requests() if r["device"] == "127.10.0.18" and r["op"] == "Probe"]
    # it never "hears" multicast (as on a routed subnet), so only unicast probes are logged for it
    assert {r["proto"] for r in log} == {"wsd-unicast"}


def test_types_filter(demo_lab):
    _, replies = probe("127.10.0.11", types="tds:Device", wait=0.8)
    assert len(replies) == 1
    _, replies = probe("127.10.0.11", types="dp0:NetworkVideoDisplayOnly", wait=0.8)
    assert replies == []
    _, replies = probe("127.10.0.11", types="", wait=0.8)  # no Types: everything answers
    assert len(replies) == 1


def test_wsdiscovery_library_parses_probe_matches(demo_lab):
    mid, replies = probe("127.10.0.43", wait=0.8)
    env = parseSOAPMessage(replies[0][1], "127.10.0.43")
    assert env is not None
    assert env.getRelatesTo() == mid
    match = env.getProbeResolveMatches()[0]
    assert match.getXAddrs() == ["http://127.10.0.43/onvif/device_service"]
    assert match.getEPR() == demo_lab.device("127.10.0.43")["endpoint_reference"]
    assert {t.getLocalname() for t in match.getTypes()} == {"NetworkVideoTransmitter", "Device"}


def test_garbage_on_the_discovery_port_is_ignored(demo_lab):
    import socket

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.sendto(b"<not-xml", ("127.10.0.11", 3702))
    sock.sendto(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', ("239.255.255.250", 3702))
    sock.close()
    _, replies = probe("127.10.0.11", wait=0.8)  # still answering
    assert len(replies) == 1
