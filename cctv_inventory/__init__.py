"""Command-line wiring for cctv-inventory. No rules live here (see DESIGN §3)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cctv-inventory")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"

AGENT_NAME = "cctv-inventory"
