"""MACs the kernel has already learned: the neighbour (ARP) table of this network namespace.

A device on the scanner's own subnet was reached through ARP, and the kernel keeps the MAC of the
NIC that answered. Reading the table sends nothing. A device whose ONVIF answers gave no MAC
(no GetNetworkInterfaces, home-assistant/core#36243) still gets one, and so its OUI fingerprint.
Devices behind a router have no entry: their MAC is the router's, so it is never used.

The table is re-read at most every `max_age_s`: the kernel keeps about a thousand entries
(gc_thresh3), so on a large site a device's entry may be gone by the end of the scan, but it is
there while the device is being read.
"""

from __future__ import annotations

import time
from pathlib import Path

from .macs import normalize_mac

ARP_TABLE = Path("/proc/net/arp")
_COMPLETE = 0x2  # ATF_COM: the entry holds a resolved MAC


def read_neighbour_table(path: Path = ARP_TABLE) -> dict[str, str]:
    """IPv4 address -> MAC (lower case, colons) of every complete entry; {} when there is no table."""
    try:
        lines = path.read_text(encoding="ascii", errors="replace").splitlines()[1:]
    except OSError:
        return {}
    table: dict[str, str] = {}
    for line in lines:
        fields = line.split()
        if len(fields) < 4:
            continue
        address, _, flags, mac = fields[:4]
        try:
            complete = int(flags, 16) & _COMPLETE
        except ValueError:
            continue
        mac = normalize_mac(mac)
        if complete and mac:
            table[address] = mac
    return table


class NeighbourTable:
    """Look-ups in the kernel's neighbour table, re-read when older than `max_age_s`."""

    def __init__(self, path: Path = ARP_TABLE, max_age_s: float = 1.0):
        self.path = path
        self.max_age_s = max_age_s
        self._table: dict[str, str] = {}
        self._read_at = float("-inf")

    def mac_of(self, address: str) -> str | None:
        if address not in self._table and time.monotonic() - self._read_at > self.max_age_s:
            self._table = read_neighbour_table(self.path)
            self._read_at = time.monotonic()
        return self._table.get(address)
