"""Lab fixtures: load and validate a site file, apply defaults, write the fixture in use.

A fixture is plain data (`{"site": {...}, "devices": [{...}, ...]}`); after `complete()`
every device has every key documented in docs/simulator.md, so `--fixture-out` shows
exactly what is served. Errors name the bad key and the device index, e.g.
`devices[3].address: '10.0.0.5' is not in 127.0.0.0/8`.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
import subprocess
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from scanner.vendors import load_vendor_catalog

from .quirks import QuirkError, normalize_quirks

ROLES = ("camera", "encoder", "nvr", "analytics")
AUTHS = ("wsse", "digest", "none")
LOOPBACK = ipaddress.ip_network("127.0.0.0/8")


@functools.cache
def veth_addresses() -> frozenset[str]:
    """IPv4 addresses on this namespace's veth interfaces: where a lab may put a device that must
    be reached over a real link (ARP, a MAC on the wire) instead of loopback. Nothing else is allowed."""
    try:
        out = subprocess.run(["ip", "-4", "-o", "addr", "show"], capture_output=True, text=True, timeout=5,
                             check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    found = set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 4 and fields[1].split("@")[0].startswith("veth") and fields[2] == "inet":
            found.add(fields[3].split("/")[0])
    return frozenset(found)
_MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
# uuid5 namespace for endpoint references: stable across runs for one seed.
_EPR_NAMESPACE = uuid.UUID("6f1c2b4e-9a53-4d6e-8c1f-3b7a5e2d9c10")

REQUIRED = ("address", "manufacturer", "model", "firmware", "serial", "mac", "role")
OPTIONAL_DEFAULTS: dict[str, Any] = {
    "port": 80,
    "rtsp_port": 554,
    "https_port": 443,
    # A web UI on a port of its own: the ONVIF port then answers GET as a gSOAP server does (405), the login
    # page is here. XM cameras (ONVIF 8899), Reolink (8000), Foscam (888) put ONVIF beside their web UI.
    "web_port": None,
    "hardware_id": None,  # defaults to the model
    "channels": 1,
    "username": None,  # from site.credentials
    "password": None,
    "auth": "wsse",
    "quirks": [],
    "relabel_of": None,
    "endpoint_reference": None,
    "scopes": None,
    "true_maker": None,
    "hostname": None,
}
KNOWN_KEYS = set(REQUIRED) | set(OPTIONAL_DEFAULTS)


class FixtureError(ValueError):
    """A site file that cannot be served; the message names the key at fault."""


def load(path: Path) -> dict[str, Any]:
    """Read a YAML or JSON site file and return the completed fixture."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise FixtureError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        raw = json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise FixtureError(f"{path}: not valid YAML/JSON ({exc})") from None
    try:
        return complete(raw)
    except FixtureError as exc:
        raise FixtureError(f"{path}: {exc}") from None


def complete(raw: Any, *, seed: int = 1) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise FixtureError("top level must be a mapping with 'site' and 'devices'")
    unknown_top = set(raw) - {"site", "devices", "seed", "hosts"}
    if unknown_top:
        raise FixtureError(f"unknown top-level key(s): {', '.join(sorted(map(str, unknown_top)))}")
    site = raw.get("site")
    if not isinstance(site, dict) or not isinstance(site.get("name"), str) or not site["name"].strip():
        raise FixtureError("site.name is required (a non-empty string)")
    creds = site.get("credentials")
    if creds is None:
        creds = {}  # then every device names its own (checked per device)
    elif not isinstance(creds, dict) or not all(isinstance(creds.get(k), str) for k in ("username", "password")):
        raise FixtureError("site.credentials must be a mapping with string 'username' and 'password'")
    seed = int(raw.get("seed", seed))
    devices = raw.get("devices")
    if not isinstance(devices, list) or not devices:
        raise FixtureError("devices must be a non-empty list")
    catalog = load_vendor_catalog()
    family_ids = {f.id for f in catalog.families}
    seen: dict[str, str] = {}  # address -> where it was first given
    out = []
    for index, dev in enumerate(devices):
        out.append(_complete_device(dev, index, site, creds, seed, catalog, family_ids, seen))
    hosts = raw.get("hosts") or []
    if not isinstance(hosts, list):
        raise FixtureError("hosts must be a list")
    return {"site": {**site, "credentials": dict(creds)}, "seed": seed, "devices": out,
            "hosts": [_complete_host(h, i, seen) for i, h in enumerate(hosts)]}


def _claim_address(address: str, where: str, seen: dict[str, str]) -> None:
    """A device's or host's address: IPv4, in 127.0.0.0/8 or on this namespace's veths, used once."""
    try:
        addr = ipaddress.ip_address(address)
    except ValueError:
        raise FixtureError(f"{where}.address: {address!r} is not an IPv4 address") from None
    if addr not in LOOPBACK and address not in veth_addresses():
        raise FixtureError(f"{where}.address: {address!r} is not in 127.0.0.0/8 (simulated devices live on "
                           "loopback, or on a veth interface of this network namespace)")
    if address in seen:
        raise FixtureError(f"{where}.address: {address} is already used by {seen[address]}")
    seen[address] = where


HOST_ROLES = ("vms_server", "operator_terminal")


def _complete_host(host: Any, index: int, seen: dict[str, str]) -> dict[str, Any]:
    """A machine that speaks no ONVIF (a VMS server, an operator terminal): it only accepts TCP
    connections on its `ports`, as a Windows server's RDP or web client does. Scanners find it only
    by checking a declared address (DESIGN §5)."""
    where = f"hosts[{index}]"
    if not isinstance(host, dict):
        raise FixtureError(f"{where}: must be a mapping")
    unknown = set(host) - {"address", "name", "role", "ports"}
    if unknown:
        raise FixtureError(f"{where}.{min(map(str, unknown))}: unknown key (known: address, name, ports, role)")
    address = str(host.get("address") or "")
    _claim_address(address, where, seen)
    ports = host.get("ports")
    if (not isinstance(ports, list) or not ports
            or not all(isinstance(p, int) and not isinstance(p, bool) and 1 <= p <= 65535 for p in ports)):
        raise FixtureError(f"{where}.ports: a non-empty list of TCP ports (1-65535)")
    role = host.get("role", "vms_server")
    if role not in HOST_ROLES:
        raise FixtureError(f"{where}.role: {role!r} is not one of {', '.join(HOST_ROLES)}")
    return {"address": address, "name": str(host.get("name") or address), "role": role,
            "ports": sorted(set(ports))}


def _complete_device(dev: Any, index: int, site: dict, creds: dict, seed: int, catalog: Any,
                     family_ids: set[str], seen: dict[str, str]) -> dict[str, Any]:
    where = f"devices[{index}]"

    def bad(key: str, why: str) -> FixtureError:
        return FixtureError(f"{where}.{key}: {why}")

    if not isinstance(dev, dict):
        raise FixtureError(f"{where}: must be a mapping")
    unknown = set(dev) - KNOWN_KEYS
    if unknown:
        raise bad(min(map(str, unknown)), f"unknown key (known: {', '.join(sorted(KNOWN_KEYS))})")
    for key in REQUIRED:
        if dev.get(key) in (None, ""):
            raise bad(key, "is required")
    d = {**OPTIONAL_DEFAULTS, **dev}
    for key in ("manufacturer", "model", "firmware", "serial", "mac", "role", "address", "hardware_id",
                "hostname", "username", "password"):
        # YAML reads `firmware: 1.10` as the number 1.1 and `serial: 000123` as 123: turned back into text,
        # the simulated device would say something the fixture's author never wrote.
        if d[key] is not None and not isinstance(d[key], str):
            kind = {bool: "a boolean", int: "a number", float: "a number", date: "a date",
                    datetime: "a date"}.get(type(d[key]), "no text")
            shown = "" if key == "password" else f" ({d[key]!r})"
            raise bad(key, f"YAML read this as {kind}{shown}, not as the text written; put it in quotes")
    _claim_address(d["address"], where, seen)
    ports = ("port", "rtsp_port", "https_port", "web_port")
    for key in ports:
        value = d[key]
        if value is None and key in ("https_port", "web_port"):
            continue
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 65535:
            raise bad(key, f"{value!r} is not a TCP port number")
    given = [d[key] for key in ports if d[key] is not None]
    if len(set(given)) != len(given):
        raise bad("port", "port, rtsp_port, https_port and web_port must differ")
    d["mac"] = d["mac"].lower().replace("-", ":")
    if not _MAC.match(d["mac"]):
        raise bad("mac", f"{d['mac']!r} is not a MAC address like 00:11:22:33:44:55")
    if d["role"] not in ROLES:
        raise bad("role", f"{d['role']!r} is not one of {', '.join(ROLES)}")
    if d["auth"] not in AUTHS:
        raise bad("auth", f"{d['auth']!r} is not one of {', '.join(AUTHS)}")
    if not isinstance(d["channels"], int) or isinstance(d["channels"], bool) or not 1 <= d["channels"] <= 256:
        raise bad("channels", f"{d['channels']!r} must be an integer 1..256")
    if d["relabel_of"] is not None and d["relabel_of"] not in family_ids:
        raise bad("relabel_of", f"{d['relabel_of']!r} is not a vendor family id in config/vendors.yaml "
                  f"({', '.join(sorted(family_ids))})")
    try:
        d["quirks"] = normalize_quirks(d["quirks"], where)
    except QuirkError as exc:
        raise FixtureError(str(exc)) from None
    d["hardware_id"] = str(d["hardware_id"] if d["hardware_id"] is not None else d["model"])
    _hostile_strings(d)
    for key in ("username", "password"):
        if d[key] is None:
            if key not in creds:
                raise bad(key, "is required when site.credentials is not given")
            d[key] = creds[key]
        d[key] = str(d[key])
    if d["true_maker"] is None:
        claimed = catalog.family_of_name(d["manufacturer"])
        d["true_maker"] = d["relabel_of"] or (claimed.id if claimed else None)
    elif d["true_maker"] not in family_ids:
        raise bad("true_maker", f"{d['true_maker']!r} is not a vendor family id")
    if d["endpoint_reference"] is None:
        d["endpoint_reference"] = "urn:uuid:" + str(
            uuid.uuid5(_EPR_NAMESPACE, f"{seed}|{d['address']}|{d['serial']}|{d['mac']}"))
    if d["hostname"] is None:
        d["hostname"] = re.sub(r"[^A-Za-z0-9-]", "-", d["model"])[:40].strip("-") + "-" + d["mac"][-5:].replace(":", "")
    if d["scopes"] is None:
        d["scopes"] = default_scopes(d, site.get("location"))
    elif not isinstance(d["scopes"], list) or not all(isinstance(s, str) for s in d["scopes"]):
        raise bad("scopes", "must be a list of scope URIs")
    # Key order as documented, so fixture-out reads well.
    order = ["address", "port", "rtsp_port", "https_port", "web_port", "manufacturer", "model", "firmware", "serial",
             "hardware_id", "mac", "role", "channels", "username", "password", "auth", "quirks",
             "relabel_of", "true_maker", "endpoint_reference", "hostname", "scopes"]
    return {k: d[k] for k in order}


MARKUP = "<script>alert(1)</script>"


def _hostile_strings(d: dict[str, Any]) -> None:
    """markup_strings / formula_strings change what the device says; done here (idempotently) so the
    fixture written by --fixture-out shows exactly the strings served."""
    names = {q["name"] for q in d["quirks"]}
    if "markup_strings" in names and MARKUP not in d["manufacturer"]:
        d["manufacturer"] += MARKUP
        d["model"] += '<img src=x onerror="alert(2)">'
    if "formula_strings" in names and not d["model"].startswith("="):
        d["model"] = f'=HYPERLINK("http://x","{d["model"]}")'


def default_scopes(d: dict[str, Any], location: str | None) -> list[str]:
    base = "onvif://www.onvif.org"
    types = {"camera": ["video_encoder", "Network_Video_Transmitter"],
             "encoder": ["video_encoder", "Network_Video_Transmitter", "audio_encoder"],
             "nvr": ["Network_Video_Storage", "Network_Video_Display"],
             "analytics": ["Network_Video_Analytics", "video_analytics"]}[d["role"]]
    profiles = {"camera": ["Streaming", "T"], "encoder": ["Streaming", "T"],
                "nvr": ["Streaming", "G"], "analytics": ["Streaming", "M"]}[d["role"]]
    if any(q["name"] == "edge_recording" for q in d.get("quirks") or ()):
        profiles = [*profiles, "G"]
    scopes = [f"{base}/type/{t}" for t in types]
    scopes += [f"{base}/Profile/{p}" for p in profiles]
    scopes.append(f"{base}/name/{quote(d['model'], safe='')}")
    scopes.append(f"{base}/hardware/{quote(d['hardware_id'], safe='')}")
    scopes.append(f"{base}/location/{quote(location or 'unknown', safe='')}")
    return scopes


def write(fixture: dict[str, Any], path: Path) -> None:
    """Write the fixture in use, YAML for .yaml/.yml, else JSON; atomically (rename)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    if path.suffix in (".yaml", ".yml"):
        tmp.write_text(yaml.safe_dump(fixture, allow_unicode=True, sort_keys=False), encoding="utf-8")
    else:
        tmp.write_text(json.dumps(fixture, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)
