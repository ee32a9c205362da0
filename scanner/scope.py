"""What the scan may touch: interfaces for multicast, targets for unicast, no public ranges.

Scope is explicit (DESIGN §5): multicast only from named interfaces, unicast
only to named targets, and public address ranges only with --allow-public.
Every address the scanner contacts is checked against `ResolvedScope.allows`.
"""

from __future__ import annotations

import fcntl
import ipaddress
import socket
import struct
from dataclasses import dataclass

from .errors import ScopeError
from .model import ScanScope

_SIOCGIFADDR = 0x8915
_SIOCGIFNETMASK = 0x891B
# Largest unicast sweep we agree to run: a /16. Anything bigger is almost
# certainly a typo, and would take hours at a polite rate.
MAX_TARGET_ADDRESSES = 65_536
ONVIF_PORTS = (80, 8000, 8080, 8899, 2020)


@dataclass(frozen=True)
class Interface:
    name: str
    address: str | None  # IPv4 address, None when the interface has none
    network: ipaddress.IPv4Network | None

    def describe(self) -> str:
        return f"{self.name} ({self.network.with_prefixlen if self.network else 'no IPv4 address'})"


@dataclass(frozen=True)
class Target:
    network: ipaddress.IPv4Network
    port: int | None  # None: try the usual ONVIF ports

    def addresses(self) -> list[str]:
        """Every address of the block, its first and last included, as nmap does.

        A range an installer gives need not be a subnet: in 10.0.0.64/26, carved out of a /24,
        .64 and .127 are cameras like any other, and `hosts()` would drop them unseen. Where the
        block is the subnet, its network and broadcast addresses cost one Probe and one port probe
        each, which the kernel refuses to send (no SO_BROADCAST) or a router drops.
        """
        return [str(address) for address in self.network]


def _ioctl_ipv4(sock: socket.socket, name: str, request: int) -> str | None:
    try:
        packed = fcntl.ioctl(sock.fileno(), request, struct.pack("256s", name.encode()[:15]))
    except OSError:
        return None
    return socket.inet_ntoa(packed[20:24])


def list_interfaces() -> list[Interface]:
    """Interfaces of this network namespace with their IPv4 network, read from the kernel."""
    result = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _, name in socket.if_nameindex():
            address = _ioctl_ipv4(sock, name, _SIOCGIFADDR)
            mask = _ioctl_ipv4(sock, name, _SIOCGIFNETMASK)
            network = ipaddress.IPv4Network(f"{address}/{mask}", strict=False) if address and mask else None
            result.append(Interface(name, address, network))
    return result


def _is_public(network: ipaddress.IPv4Network) -> bool:
    # is_private covers RFC 1918, loopback, link-local and the other reserved
    # blocks; CGNAT 100.64/10 is neither private nor global, and is treated as
    # site-internal (carriers and some large sites use it for camera VLANs).
    return not (network.is_private or network.is_loopback or network.is_link_local or network.subnet_of(
        ipaddress.IPv4Network("100.64.0.0/10")))


def parse_target(text: str) -> Target:
    """`CIDR`, `HOST` or `HOST:PORT`, IPv4 literals only (no DNS lookups leave the machine)."""
    raw = text.strip()
    port: int | None = None
    if raw.count(":") == 1:
        raw, _, port_text = raw.partition(":")
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ScopeError(f"--target {text!r}: port must be a number from 1 to 65535")
        port = int(port_text)
    try:
        network = ipaddress.IPv4Network(raw, strict=False)
    except ValueError:
        raise ScopeError(f"--target {text!r}: expected an IPv4 address, ADDRESS:PORT or a CIDR such as 10.0.0.0/24") from None
    if port is not None and network.num_addresses > 1:
        raise ScopeError(f"--target {text!r}: a port can only be given with a single host")
    return Target(network, port)


def is_ipv4_address(text: str) -> bool:
    """One IPv4 address, written as such (not a name, not a network)."""
    try:
        return ipaddress.ip_address(text).version == 4
    except ValueError:
        return False


@dataclass(frozen=True)
class ResolvedScope:
    interfaces: tuple[Interface, ...]
    targets: tuple[Target, ...]
    multicast: bool
    allow_public: bool

    def allows(self, address: str) -> bool:
        """True when `address` lies in an interface's network or in a target."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        if ip.version != 4:
            return False
        if any(iface.network and ip in iface.network for iface in self.interfaces):
            return True
        return any(ip in target.network for target in self.targets)

    def as_model(self) -> ScanScope:
        return ScanScope(
            interfaces=tuple(i.name for i in self.interfaces),
            targets=tuple(
                str(t.network.network_address) + (f":{t.port}" if t.port else "")
                if t.network.num_addresses == 1
                else t.network.with_prefixlen
                for t in self.targets
            ),
            multicast=self.multicast,
            allow_public=self.allow_public,
        )


def resolve_scope(
    interfaces: list[str] | tuple[str, ...],
    targets: list[str] | tuple[str, ...],
    *,
    multicast: bool = True,
    allow_public: bool = False,
    available: list[Interface] | None = None,
) -> ResolvedScope:
    available = list_interfaces() if available is None else available
    by_name = {i.name: i for i in available}
    listing = ", ".join(i.describe() for i in available) or "none"
    if not interfaces and not targets:
        raise ScopeError(
            "no scope given: name the camera network's interface with --interface "
            f"(this machine has: {listing}) and/or hosts/ranges with --target"
        )
    if multicast and not interfaces:
        # Unicast-only scans are fine; they just do not multicast.
        multicast = False
    chosen = []
    for name in interfaces:
        if name not in by_name:
            raise ScopeError(f"--interface {name!r} does not exist here (this machine has: {listing})")
        iface = by_name[name]
        if iface.address is None:
            raise ScopeError(f"--interface {name!r} has no IPv4 address to send WS-Discovery from")
        if _is_public(iface.network) and not allow_public:
            raise ScopeError(
                f"--interface {name} is on a public network ({iface.network}); pass --allow-public if that is meant"
            )
        chosen.append(iface)
    parsed = [parse_target(t) for t in targets]
    total = sum(t.network.num_addresses for t in parsed)
    if total > MAX_TARGET_ADDRESSES:
        raise ScopeError(f"--target ranges cover {total} addresses; the limit is {MAX_TARGET_ADDRESSES} (a /16)")
    for target in parsed:
        if _is_public(target.network) and not allow_public:
            raise ScopeError(
                f"--target {target.network} is a public address range; pass --allow-public if that is meant"
            )
    return ResolvedScope(tuple(chosen), tuple(parsed), multicast, allow_public)
