"""The runner itself: tests only ever see loopback."""

import socket

from tests.conftest import visible_foreign_interfaces


def test_only_loopback_is_visible() -> None:
    assert visible_foreign_interfaces() == []
    names = [name for _, name in socket.if_nameindex()]
    assert "lo" in names


def test_multicast_route_to_loopback_exists() -> None:
    # A multicast datagram sent to the WS-Discovery group comes back on lo.
    import struct

    group, port = "239.255.255.250", 39702
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    rx.bind(("", port))
    rx.setsockopt(
        socket.IPPROTO_IP,
        socket.IP_ADD_MEMBERSHIP,
        struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton("127.0.0.1")),
    )
    rx.settimeout(2)
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
    tx.sendto(b"ping", (group, port))
    data, sender = rx.recvfrom(100)
    assert data == b"ping"
    assert sender[0] == "127.0.0.1"
    rx.close()
    tx.close()
