"""`cctv-inventory` entry point: parses, builds objects, calls one library function
per command, renders, sets the exit code. Each command group lives in its own
module under cctv_inventory/commands/ and adds itself to the app here.
"""

from __future__ import annotations

import asyncio
import logging

import typer

from . import __version__
from .commands import audit, auditor, inventory, report, scan, simulate

app = typer.Typer(
    name="cctv-inventory",
    help="Scan a CCTV site over WS-Discovery/ONVIF, match devices to certified components, "
    "and write the localization report (부품 국산화 확인 보고서).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cctv-inventory {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    pass


for module in (simulate, scan, inventory, report, audit, auditor):
    module.register(app)


def _fast_event_loop() -> None:
    """uvloop under every command's asyncio.run.

    The scanner and the simulator are CPU-bound on many devices. Measured with
    benchmarks/scan_bench.py at 2,000 devices, alternating runs: the scanner ~5 % less CPU and
    ~20 % less memory (189 vs 230 MB PSS), the lab ~10 % less CPU. Forked scan workers inherit the
    policy. Library callers of scanner.engine keep whatever loop they run; nothing in the code
    depends on which loop it is (tests/scanner/test_demo_site.py scans on both).
    """
    try:
        import uvloop
    except ImportError:  # a platform without it: the standard loop does the same work, slower
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def main() -> None:
    # onvif-zeep-async calls logging.basicConfig(level=INFO) when it is imported, which would
    # put every library's INFO chatter (alembic, zeep) on the installer's screen. Configuring
    # the root logger first makes that call a no-op.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    _fast_event_loop()
    app()


if __name__ == "__main__":
    main()
