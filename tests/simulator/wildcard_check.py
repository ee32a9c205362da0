"""Inside a nested namespace: a generated lab in wildcard mode answers multicast from every device's own
address and serves ONVIF by local address. Prints OK lines the test asserts on."""

from __future__ import annotations

import asyncio
import socket
import sys
import tempfile
from pathlib import Path

import yaml
from onvif import ONVIFCamera

from simulator.testing import running_lab
from tests.simulator.rawsoap import probe


async def onvif_info(device: dict) -> str:
    cam = ONVIFCamera(device["address"], device["port"], device["username"], device["password"])
    try:
        await cam.update_xaddrs()
        info = await (await cam.create_devicemgmt_service()).GetDeviceInformation()
        return info.SerialNumber
    finally:
        await cam.close()


def main() -> None:
    n = int(sys.argv[1])
    with running_lab(generate=n, seed=5, extra_args=["--listen", "wildcard"]) as lab:
        expected = {d["address"] for d in lab.devices if not any(q["name"] == "unicast_only" for q in d["quirks"])}
        _, replies = probe(wait=1.5)
        print("MULTICAST", len({src for src, _ in replies} & expected), len(expected))
        plain = next(d for d in lab.devices if not d["quirks"] and d["role"] == "camera"
                     and d["password"] == lab.fixture["site"]["credentials"]["password"])
        print("SERIAL", asyncio.run(onvif_info(plain)) == plain["serial"])
        _, replies = probe(plain["address"], wait=0.8)
        print("UNICAST", [src for src, _ in replies] == [plain["address"]])
    # A site file's hosts[] in a wildcard lab: a port the devices also use (80) is the wildcard
    # socket's, the host's other port (3389) its own; both accept a connection at the host's address.
    site = Path(tempfile.mkdtemp()) / "hosts.yaml"
    site.write_text(yaml.safe_dump({
        "site": {"name": "wildcard hosts", "credentials": {"username": "admin", "password": "pw"}},
        "devices": [{"address": "127.50.0.11", "manufacturer": "Hanwha Vision", "model": "XNO-6080R",
                     "firmware": "1", "serial": "S1", "mac": "02:00:00:50:00:11", "role": "camera"}],
        "hosts": [{"address": "127.50.0.5", "ports": [80, 3389]}]}), encoding="utf-8")
    with running_lab(site, extra_args=["--listen", "wildcard"]):
        print("HOSTS", all(_accepts("127.50.0.5", port) for port in (80, 3389)))


def _accepts(address: str, port: int) -> bool:
    try:
        socket.create_connection((address, port), timeout=2).close()
        return True
    except OSError:
        return False


if __name__ == "__main__":
    main()
