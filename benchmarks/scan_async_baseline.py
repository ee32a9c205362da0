"""Async baseline for benchmarks/scan_bench.py: onvif-zeep-async as its README shows, 64 devices at once.

    .venv/bin/python -m benchmarks.scan_async_baseline ADDRESSES.json USER PASSWORD

Discovery: WSDiscovery's ThreadedWSDiscovery, timed and counted. Interrogation then runs over
the lab's full address list (so its devices/s is not flattered by interrogating only the few it
discovered): one ONVIFCamera per device, update_xaddrs(), create_devicemgmt_service(), GetDeviceInformation,
GetNetworkInterfaces, GetCapabilities; 64 devices at once; each device wrapped in a 10 s
asyncio timeout (the library's own defaults are 90 s, which one hanging device would add to the
wall time). Prints JSON on stdout.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from benchmarks.scan_naive import discover


async def interrogate(targets, user, password):
    from onvif import ONVIFCamera

    semaphore = asyncio.Semaphore(64)
    ok = 0

    async def one(address, port):
        nonlocal ok
        async with semaphore:
            camera = ONVIFCamera(address, port, user, password)
            try:
                async with asyncio.timeout(10):
                    await camera.update_xaddrs()
                    # The README's `camera.devicemgmt` attribute is not set by 4.3's update_xaddrs();
                    # create_devicemgmt_service() is the library's way to the same service.
                    device = await camera.create_devicemgmt_service()
                    await device.GetDeviceInformation()
                    await device.GetNetworkInterfaces()
                    await device.GetCapabilities({"Category": "All"})
                ok += 1
            except Exception:  # noqa: BLE001, S110 - a failed device is just not ok
                pass
            finally:
                await camera.close()

    await asyncio.gather(*(one(a, p) for a, p in targets))
    return ok


def main() -> None:
    import logging

    logging.disable(logging.WARNING)  # onvif logs every failed device at INFO/WARNING
    targets_file, user, password = sys.argv[1:4]
    with open(targets_file) as handle:
        targets = json.load(handle)
    found, discovery_s = discover(3)
    started = time.perf_counter()
    ok = asyncio.run(interrogate(targets, user, password))
    print(json.dumps({"discovered": found, "discovery_s": discovery_s, "interrogated": len(targets), "ok": ok,
                      "interrogation_s": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
