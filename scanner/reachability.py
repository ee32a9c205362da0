"""Declared hosts that speak no ONVIF (VMS servers, operator terminals) checked for reachability.

DESIGN §5: the host the agent runs on reads its own DMI data; other terminals and servers are declared
in the site's equipment list and checked for reachability. A TCP connection to the ports such machines
keep open (SSH, HTTP(S), Windows RPC and file sharing, RDP, VNC) that is accepted or refused shows a
host at the address: a refusal is a reply from the host's own stack. Silence on every port says nothing
answered within the timeout (off, elsewhere, or firewalled). The check proves presence only; maker and
model stay as declared, unverified, and the report says so.

Only addresses inside the scan's scope are tried (a declared list is not a licence to leave the
networks the scan was given); the others are recorded as not tried, with why.
"""

from __future__ import annotations

import asyncio
import errno
from collections.abc import Iterable

from .model import HostCheck
from .scope import ResolvedScope, is_ipv4_address

# What a terminal or server usually listens on: SSH, HTTP, MS-RPC, HTTPS, SMB, RDP, VNC, HTTP-alt.
HOST_PORTS = (22, 80, 135, 443, 445, 3389, 5900, 8080)
_AT_ONCE = 64  # hosts checked at once; each tries its ports together (512 sockets, under ulimit's 1,024)
# All checks together: a declared list of thousands pointing at the wrong network would otherwise hold
# an audit for minutes (3 s per 64 silent hosts). Hosts not reached by then are recorded as not tried.
BUDGET_S = 60.0

_REFUSED = {errno.ECONNREFUSED, errno.ECONNRESET}


async def _try_port(address: str, port: int, timeout_s: float) -> str:
    """'open', 'refused' (the host answered: nothing listens there) or 'silent'."""
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(address, port), timeout_s)
    except TimeoutError:
        return "silent"
    except OSError as exc:
        return "refused" if exc.errno in _REFUSED else "silent"
    writer.transport.abort()  # no need to say anything: presence is all we asked
    return "open"


async def _check(address: str, ports: tuple[int, ...], timeout_s: float, gate: asyncio.Semaphore,
                 deadline: float) -> HostCheck:
    async with gate:
        if asyncio.get_running_loop().time() + timeout_s > deadline:
            return HostCheck(address, False, (), "not tried: the checks' time limit ran out", skipped="time_limit")
        outcomes = await asyncio.gather(*(_try_port(address, port, timeout_s) for port in ports))
    open_ports = tuple(port for port, outcome in zip(ports, outcomes, strict=True) if outcome == "open")
    if open_ports:
        return HostCheck(address, True, open_ports, "accepted a connection on " + ", ".join(map(str, open_ports)))
    if "refused" in outcomes:
        return HostCheck(address, True, (), "refused connections (a host is there; none of the usual ports is open)")
    return HostCheck(address, False, (), f"no answer on ports {', '.join(map(str, ports))} within {timeout_s:g} s")


async def check_hosts(
    addresses: Iterable[str], scope: ResolvedScope, timeout_s: float, ports: tuple[int, ...] = HOST_PORTS,
    budget_s: float = BUDGET_S,
) -> tuple[HostCheck, ...]:
    wanted = list(dict.fromkeys(a.strip() for a in addresses if a.strip()))  # once each, in the order given
    gate = asyncio.Semaphore(_AT_ONCE)
    deadline = asyncio.get_running_loop().time() + budget_s
    checks: list[asyncio.Future[HostCheck]] = []
    skipped: list[HostCheck] = []
    for address in wanted:
        if scope.allows(address):
            checks.append(asyncio.ensure_future(_check(address, ports, timeout_s, gate, deadline)))
        elif is_ipv4_address(address):
            skipped.append(HostCheck(address, False, (), "not tried: outside the scan's scope", skipped="out_of_scope"))
        else:  # a name would need a DNS lookup, and could point anywhere: the list should give addresses
            skipped.append(HostCheck(address, False, (), "not tried: not an IPv4 address", skipped="not_ipv4"))
    done = list(await asyncio.gather(*checks)) if checks else []
    return tuple(done + skipped)
