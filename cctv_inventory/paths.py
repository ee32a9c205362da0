"""Where the shipped data in config/ lives, from a source tree or an installed package."""

from __future__ import annotations

import sys
from pathlib import Path


def config_dir() -> Path:
    """config/ beside the packages in a checkout (and editable installs); else the installed copy."""
    source = Path(__file__).resolve().parents[1] / "config"
    if source.is_dir():
        return source
    installed = Path(sys.prefix) / "share" / "cctv-inventory" / "config"
    if installed.is_dir():
        return installed
    raise FileNotFoundError(f"shipped config not found at {source} or {installed}")


def config_path(*parts: str) -> Path:
    return config_dir().joinpath(*parts)
