"""Naive baseline for benchmarks/scan_bench.py: WSDiscovery + onvif-zeep 0.2.12, as their READMEs show.

Runs ONLY under .venv-naive/bin/python (onvif-zeep 0.2.12 installs a package named `onvif`
that must never meet onvif-zeep-async). Plain stdlib + those two libraries; no project imports.

    .venv-naive/bin/python benchmarks/scan_naive.py ADDRESSES.json USER PASSWORD CAP_DEVICES CAP_SECONDS

Discovery: ThreadedWSDiscovery().searchServices() as the WSDiscovery README (plus addSourceAddr for lo).
Interrogation: a sequential loop, one ONVIFCamera per device (its constructor fetches the
capabilities), then GetDeviceInformation and GetNetworkInterfaces, as the onvif-zeep README.
onvif-zeep has no timeout of its own; the loop stops after CAP_DEVICES devices or CAP_SECONDS,
whichever comes first, and prints JSON on stdout for the bench to extrapolate from.
"""

import ipaddress
import json
import sys
import time


def discover(seconds):
    from wsdiscovery.discovery import ThreadedWSDiscovery as WSDiscovery

    wsd = WSDiscovery()
    wsd.start()
    # The one step beyond the README: WSDiscovery skips loopback addresses when it picks the
    # interfaces to probe from, and the lab lives on lo (inside tools/isolated).
    wsd.addSourceAddr(ipaddress.ip_address("127.0.0.1"))
    started = time.perf_counter()
    services = wsd.searchServices(timeout=seconds)
    elapsed = time.perf_counter() - started
    addresses = set()
    for service in services:
        for xaddr in service.getXAddrs():
            host = xaddr.split("//", 1)[-1].split("/", 1)[0].split(":")[0]
            addresses.add(host)
    wsd.stop()
    return len(addresses), elapsed


def main():
    targets_file, user, password, cap_devices, cap_seconds = sys.argv[1:6]
    with open(targets_file) as handle:
        targets = json.load(handle)
    found, discovery_s = discover(3)
    from onvif import ONVIFCamera

    started = time.perf_counter()
    done = ok = 0
    per_device = []
    for address, port in targets[: int(cap_devices)]:
        if time.perf_counter() - started > float(cap_seconds):
            break
        t0 = time.perf_counter()
        try:
            camera = ONVIFCamera(address, port, user, password)
            camera.devicemgmt.GetDeviceInformation()
            camera.devicemgmt.GetNetworkInterfaces()
            ok += 1
        except Exception:  # noqa: BLE001, S110 - the naive loop just moves on, as its README's would
            pass
        done += 1
        per_device.append(time.perf_counter() - t0)
    print(json.dumps({"discovered": found, "discovery_s": discovery_s, "interrogated": done, "ok": ok,
                      "interrogation_s": time.perf_counter() - started, "per_device_s": per_device}))


if __name__ == "__main__":
    main()
