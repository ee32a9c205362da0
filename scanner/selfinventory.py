"""The agent's own machine as a terminal/server part, from its DMI data.

/sys/class/dmi/id is absent in containers and VMs without SMBIOS, and
product_serial is readable by root only: missing values stay None, never fail.
"""

from __future__ import annotations

import socket
from pathlib import Path

from .model import HostInventory

DMI_DIR = Path("/sys/class/dmi/id")
# Placeholder strings firmware vendors leave in DMI fields; they identify nothing.
_PLACEHOLDERS = {"", "to be filled by o.e.m.", "default string", "system product name",
                 "system manufacturer", "not specified", "none", "0", "0123456789"}


def _read(directory: Path, name: str) -> str | None:
    try:
        value = (directory / name).read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    return None if value.casefold() in _PLACEHOLDERS else value


def self_inventory(dmi_dir: Path = DMI_DIR) -> HostInventory:
    return HostInventory(
        hostname=socket.gethostname(),
        manufacturer=_read(dmi_dir, "sys_vendor"),
        model=_read(dmi_dir, "product_name"),
        serial=_read(dmi_dir, "product_serial"),
    )
