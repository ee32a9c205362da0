"""`cctv-inventory simulate`: serve a simulated ONVIF site (simulator/) until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import ipaddress
import signal
import socket
import sys
from pathlib import Path
from typing import Annotated

import typer

EXIT_BAD_INPUT = 2
EXIT_NOT_ISOLATED = 3


def foreign_interfaces() -> list[str]:
    # if_nameindex() sees the current network namespace (DESIGN §9).
    return [name for _, name in socket.if_nameindex() if name != "lo" and not name.startswith("veth")]


def simulate(
    site: Annotated[Path | None, typer.Option("--site", help="Site fixture (YAML/JSON), e.g. config/lab/demo-site.yaml.")] = None,
    generate: Annotated[int | None, typer.Option("--generate", min=1, max=60000, help="Generate N devices instead.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for --generate (same seed, same site).")] = 1,
    fixture_out: Annotated[Path | None, typer.Option("--fixture-out", help="Write the fixture in use (.json or .yaml).")] = None,
    request_log: Annotated[Path | None, typer.Option("--request-log", help="Append one JSON line per request received.")] = None,
    base_address: Annotated[str, typer.Option("--base-address", help="Network for --generate (inside 127/8).")] = "127.10.0.0/16",
    listen: Annotated[str, typer.Option("--listen", help="auto | per-device | wildcard (see docs/simulator.md).")] = "auto",
    isolated_ok: Annotated[bool, typer.Option("--i-know-this-is-isolated",
                                              help="Start even though interfaces other than lo/veth* are visible.")] = False,
) -> None:
    """Serve a simulated ONVIF site: WS-Discovery, SOAP services, HTTP/RTSP/HTTPS banners."""
    from simulator.fixture import FixtureError, load, write
    from simulator.generate import generate_site
    from simulator.lab import Lab

    foreign = foreign_interfaces()
    if foreign and not isolated_ok:
        typer.echo(f"refusing to start: interfaces other than lo are visible ({', '.join(foreign)}); run inside "
                   "tools/isolated, or pass --i-know-this-is-isolated", err=True)
        raise typer.Exit(EXIT_NOT_ISOLATED)
    if (site is None) == (generate is None):
        typer.echo("give exactly one of --site FILE or --generate N", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    try:
        if site is not None:
            fixture = load(site)
        else:
            network = ipaddress.ip_network(base_address, strict=False)
            fixture = generate_site(generate or 0, seed=seed, network=network)
    except (FixtureError, ValueError) as exc:
        said = str(exc)
        if site is not None and not said.startswith(str(site)):  # a file that is no text said only the codec's words
            said = f"{site}: {said}"
        typer.echo(f"bad site: {said}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if fixture_out is not None:
        try:
            write(fixture, fixture_out)
        except OSError as exc:  # a folder that is not there: a traceback before
            typer.echo(f"cannot write --fixture-out {fixture_out}: {exc.strerror or exc}", err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
    try:
        lab = Lab(fixture, request_log=request_log, listen=listen)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None

    def ready(n: int) -> None:
        sys.stdout.write(f"ready {n} devices\n")
        sys.stdout.flush()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, lab.stop)
        await lab.serve(ready)

    try:
        asyncio.run(main())
    except OSError as exc:
        typer.echo(f"cannot start the lab: {exc}", err=True)
        raise typer.Exit(1) from None


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)
