"""Inside a nested namespace: a generated lab in wildcard mode answers multicast from every device's own
address and serves ONVIF by local address. Prints OK lines the test asserts on."""

from __future__ import annotations

import asyncio
import sys

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


if __name__ == "__main__":
    main()
