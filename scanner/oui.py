"""Which organisation a MAC's IEEE block belongs to: config/oui-supplement.csv, then scapy's manuf table.

scapy bundles a copy of Wireshark's manuf table that trails the IEEE registry (scapy 2.8.0: about mid-2024;
Hanwha Vision's 44:B4:23, 16 Hikvision and 5 Dahua blocks came later) and looks up only a MAC's first
24 bits, so the /28 and /36 blocks it loads (Innodep's 9C:E5:49:C0/28) are never returned. Here the longest
block wins, /36 before /28 before /24, and at each length the supplement (regenerated from the registry
by tools/oui_supplement.py) before scapy.
"""

from __future__ import annotations

import csv
import sys
from functools import cache
from pathlib import Path


def _default_supplement() -> Path:
    source = Path(__file__).resolve().parents[1] / "config" / "oui-supplement.csv"
    installed = Path(sys.prefix) / "share" / "cctv-inventory" / "config" / "oui-supplement.csv"
    return source if source.is_file() or not installed.is_file() else installed


SUPPLEMENT_FILE = _default_supplement()


def preload_oui_database() -> None:
    """Load scapy's manuf table now (~20 MB): before the workers fork, so they share one copy."""
    from scapy.data import MANUFDB  # noqa: F401

    _supplement()


@cache
def _supplement(path: Path = SUPPLEMENT_FILE) -> dict[str, str]:
    try:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    except OSError:
        return {}  # a missing supplement leaves scapy's table: less found, nothing wrong
    return {row["prefix"].strip().upper(): row["organization"].strip()
            for row in csv.DictReader(lines) if row.get("prefix") and row.get("organization")}


def blocks(mac: str) -> tuple[str, str, str]:
    """The /36, /28 and /24 blocks holding `mac`, written as the manuf table keys them:
    'AA:BB:CC:DD:E0/36', 'AA:BB:CC:D0/28', 'AA:BB:CC'."""
    digits = mac.replace(":", "").replace("-", "").upper()

    def pairs(hexes: str) -> str:
        return ":".join(hexes[i:i + 2] for i in range(0, len(hexes), 2))

    return f"{pairs(digits[:9] + '0')}/36", f"{pairs(digits[:7] + '0')}/28", pairs(digits[:6])


def oui_vendor(mac: str | None) -> str | None:
    """The registrant of the most specific IEEE block holding `mac`, or None (unknown, or locally
    administered: such a MAC is in no block)."""
    if not mac or len(mac.replace(":", "")) != 12:
        return None
    from scapy.data import MANUFDB  # imported here: scapy.data loads a 50k-entry table

    supplement = _supplement()
    table = MANUFDB.d if MANUFDB is not None else {}
    for block in blocks(mac):
        if block in supplement:
            return supplement[block]
        known = table.get(block)
        if known and known[1]:
            return str(known[1])
    return None
