"""Scope checks: explicit interfaces and targets, public ranges refused (no network)."""

import ipaddress

import pytest

from scanner.errors import ScopeError
from scanner.scope import Interface, list_interfaces, parse_target, resolve_scope

LO = Interface("lo", "127.0.0.1", ipaddress.IPv4Network("127.0.0.0/8"))
PUBLIC = Interface("wan0", "81.2.69.7", ipaddress.IPv4Network("81.2.69.0/24"))
CAMS = Interface("eth1", "192.168.10.5", ipaddress.IPv4Network("192.168.10.0/24"))


def test_no_interface_and_no_target_refused_listing_interfaces():
    with pytest.raises(ScopeError) as info:
        resolve_scope([], [], available=[LO, CAMS])
    assert "lo (127.0.0.0/8)" in str(info.value) and "eth1 (192.168.10.0/24)" in str(info.value)


def test_unknown_interface_refused():
    with pytest.raises(ScopeError, match="does not exist"):
        resolve_scope(["eth9"], [], available=[LO])


def test_public_interface_and_target_need_allow_public():
    with pytest.raises(ScopeError, match="--allow-public"):
        resolve_scope(["wan0"], [], available=[PUBLIC])
    with pytest.raises(ScopeError, match="--allow-public"):
        resolve_scope([], ["8.8.8.0/24"], available=[LO])
    scope = resolve_scope([], ["8.8.8.8"], allow_public=True, available=[LO])
    assert scope.allows("8.8.8.8")


def test_allows_only_interface_networks_and_targets():
    scope = resolve_scope(["eth1"], ["10.0.5.0/30", "172.16.0.9:8000"], available=[LO, CAMS])
    assert scope.allows("192.168.10.77")
    assert scope.allows("10.0.5.2") and scope.allows("172.16.0.9")
    assert not scope.allows("10.0.6.1") and not scope.allows("127.0.0.1") and not scope.allows("8.8.8.8")
    assert scope.as_model().targets == ("10.0.5.0/30", "172.16.0.9:8000")


def test_target_forms():
    assert parse_target("10.0.0.7:8080").port == 8080
    # a block's first and last addresses are hosts too when it is a range carved out of a subnet
    assert parse_target("10.0.0.64/30").addresses() == ["10.0.0.64", "10.0.0.65", "10.0.0.66", "10.0.0.67"]
    assert parse_target("10.0.0.9").addresses() == ["10.0.0.9"]
    for bad in ("camera.local", "10.0.0.0/24:80", "10.0.0.1:0", "10.0.0.1:http"):
        with pytest.raises(ScopeError):
            parse_target(bad)
    with pytest.raises(ScopeError, match="limit"):
        resolve_scope([], ["10.0.0.0/8"], available=[LO])


def test_list_interfaces_reads_this_namespace():
    names = [i.name for i in list_interfaces()]
    assert "lo" in names
    lo = next(i for i in list_interfaces() if i.name == "lo")
    assert lo.address == "127.0.0.1" and str(lo.network) == "127.0.0.0/8"
