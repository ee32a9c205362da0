"""scanner/model.py: the rules that live beside the dataclasses (no network)."""

from __future__ import annotations

from scanner.model import Device, OtherResponder, listed_responders

EPR = "urn:uuid:6a1b0f2e-0000-4000-8000-000000000031"


def test_a_recorder_read_in_scope_is_not_listed_again_from_its_other_subnet():
    """An NVR with a NIC on each subnet answers the multicast Probe from both: read at its in-scope address,
    its outside-scope reply names the same endpoint, and it is one device, not one more unread camera."""
    nvr = Device(address="10.20.0.31", port=80, status="ok", endpoint_reference=EPR)
    twin = OtherResponder("192.168.1.31", endpoint_reference=EPR, outside_scope=True)
    factory = OtherResponder("192.168.1.64", endpoint_reference="urn:uuid:other", outside_scope=True)
    pc = OtherResponder("10.20.0.250", endpoint_reference=EPR)  # not ONVIF: listed whatever it claims
    assert listed_responders([twin, pc, factory], (nvr,)) == (pc, factory)
    assert listed_responders([twin], (Device(address="10.20.0.31", port=80, status="timeout"),)) == (twin,)
