"""MAC addresses as devices write them (00-30-1B-BA-02-DB, 0030.1bba.02db, 00301bba02db), in one form.

The one rule for what counts as a MAC, used by the scanner (GetNetworkInterfaces, the neighbour
table) and the inventory (identity keys). Cheap OEM cameras put other things in HwAddress: six
run-together numbers the same on every unit, `5792c4:5792c5:5792c6:5792c7:5792c8:5792c9`
(home-assistant/core#59218, #63399); taken for a MAC, it went into the scan file and the report as one.
"""

from __future__ import annotations

import re

_MAC = re.compile(
    r"^([0-9a-f]{2})[:\-]?([0-9a-f]{2})[:\-.]?([0-9a-f]{2})[:\-]?([0-9a-f]{2})[:\-.]?([0-9a-f]{2})[:\-]?([0-9a-f]{2})$"
)
_NOT_AN_ADDRESS = {"0" * 12, "f" * 12}


def normalize_mac(text: object) -> str | None:
    """`aa:bb:cc:dd:ee:ff`, or None for anything that is not one unit's MAC (all zeros, broadcast)."""
    if not text:
        return None
    found = _MAC.match(str(text).strip().lower())
    if found is None or "".join(found.groups()) in _NOT_AN_ADDRESS:
        return None
    return ":".join(found.groups())
