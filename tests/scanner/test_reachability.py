"""scanner.reachability: declared hosts that speak no ONVIF, checked over TCP inside the scope only.

No simulated site: each test listens (or does not) on its own 127.x address of the test namespace; the
scope is `lo` (127.0.0.0/8) plus, where said, a target block with no route in the namespace.
"""

from __future__ import annotations

import asyncio

import pytest

from scanner.reachability import check_hosts
from scanner.scope import list_interfaces, resolve_scope

pytestmark = pytest.mark.network


def lo_scope(*targets: str):
    return resolve_scope(["lo"], list(targets), available=list_interfaces())


async def listening(address: str, port: int):
    accepted: list[str] = []

    async def on_connect(reader, writer):
        accepted.append(address)
        writer.close()

    server = await asyncio.start_server(on_connect, address, port)
    return server, accepted


async def test_a_host_with_an_open_port_answers_and_names_the_port():
    server, _ = await listening("127.40.0.5", 3389)  # an operator terminal's RDP
    async with server:
        [check] = await check_hosts(["127.40.0.5"], lo_scope(), timeout_s=2)
    assert (check.answered, check.open_ports, check.tried) == (True, (3389,), True)
    assert "3389" in check.detail


async def test_a_host_that_refuses_every_port_still_answers():
    # Nothing listens at 127.40.0.6: the namespace's stack refuses, as a host with every port closed does.
    [check] = await check_hosts(["127.40.0.6"], lo_scope(), timeout_s=2)
    assert (check.answered, check.open_ports) == (True, ())


async def test_an_address_nobody_answers_for_is_silent():
    # 10.99.0.0/24 is in scope but has no route in the namespace: nothing can answer.
    [check] = await check_hosts(["10.99.0.7"], lo_scope("10.99.0.0/24"), timeout_s=1)
    assert (check.answered, check.tried) == (False, True)
    assert "no answer" in check.detail


async def test_an_address_outside_the_scope_is_never_contacted():
    # Listening at the address proves it: in-scope addresses are 127/8 only when the scope is a target block.
    scope = resolve_scope([], ["127.41.0.0/24"], multicast=False, available=list_interfaces())
    server, accepted = await listening("127.42.0.9", 22)
    async with server:
        [check] = await check_hosts(["127.42.0.9"], scope, timeout_s=1)
        await asyncio.sleep(0.2)
    assert (check.skipped, check.answered) == ("out_of_scope", False) and accepted == []
    assert "outside the scan's scope" in check.detail


async def test_each_address_is_checked_once_in_the_order_given():
    checks = await check_hosts(["127.40.0.8", " 127.40.0.7 ", "127.40.0.8", ""], lo_scope(), timeout_s=1)
    assert [c.address for c in checks] == ["127.40.0.8", "127.40.0.7"]


async def test_a_name_is_not_looked_up_or_contacted():
    # A declared list may say "vms01" where it should give an address: a name could resolve anywhere.
    [check] = await check_hosts(["vms01.garam.local"], lo_scope(), timeout_s=1)
    assert (check.skipped, check.answered) == ("not_ipv4", False) and "not an IPv4 address" in check.detail


async def test_hosts_left_when_the_time_budget_runs_out_are_recorded_as_not_tried():
    # 10.99.0.0/24 has no route here, so each check is instant; a budget shorter than one timeout leaves
    # every host untried, in order, with why: a long declared list cannot hold an audit for minutes.
    checks = await check_hosts([f"10.99.0.{i}" for i in range(1, 6)], lo_scope("10.99.0.0/24"), timeout_s=1,
                               budget_s=0.5)
    assert [c.address for c in checks] == [f"10.99.0.{i}" for i in range(1, 6)]
    assert all(c.skipped == "time_limit" and "time limit" in c.detail for c in checks)
