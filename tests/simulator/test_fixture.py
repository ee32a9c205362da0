"""Site fixtures: the demo site loads with every default applied; bad files name the key at fault.

No network.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from simulator.fixture import FixtureError, complete, load, write
from simulator.testing import DEMO_SITE

DEMO_RAW = yaml.safe_load(DEMO_SITE.read_text(encoding="utf-8"))
KEYS = ["address", "port", "rtsp_port", "https_port", "web_port", "manufacturer", "model", "firmware", "serial", "hardware_id",
        "mac", "role", "channels", "username", "password", "auth", "quirks", "relabel_of", "true_maker",
        "endpoint_reference", "hostname", "scopes"]


def test_demo_site_loads_with_defaults():
    fixture = load(DEMO_SITE)
    devices = {d["address"]: d for d in fixture["devices"]}
    assert len(devices) == 25
    assert all(list(d) == KEYS for d in devices.values())
    cam = devices["127.10.0.11"]
    assert (cam["port"], cam["rtsp_port"], cam["https_port"], cam["web_port"], cam["auth"]) == (80, 554, 443, None, "wsse")
    assert (cam["username"], cam["password"]) == ("admin", "Garam!Cctv2024")  # from site.credentials
    assert devices["127.10.0.20"]["password"] == "field-changed-pw"
    assert devices["127.10.0.31"]["port"] == 8000
    assert devices["127.10.0.51"]["true_maker"] == "dahua" and devices["127.10.0.51"]["relabel_of"] == "dahua"
    assert devices["127.10.0.11"]["true_maker"] == "hanwha" and devices["127.10.0.11"]["relabel_of"] is None
    assert devices["127.10.0.13"]["quirks"] == [{"name": "clock_skew", "seconds": 3600}]
    assert devices["127.10.0.11"]["endpoint_reference"].startswith("urn:uuid:")
    assert len({d["endpoint_reference"] for d in devices.values()}) == 25
    roles = [d["role"] for d in devices.values()]
    assert roles.count("nvr") == 2 and roles.count("analytics") == 1 and roles.count("encoder") == 1


def test_endpoint_references_are_stable():
    assert load(DEMO_SITE) == load(DEMO_SITE)


def test_written_fixture_round_trips(tmp_path: Path):
    fixture = load(DEMO_SITE)
    for name in ("f.json", "f.yaml"):
        write(fixture, tmp_path / name)
        again = load(tmp_path / name)
        assert again["devices"] == fixture["devices"], name
    assert json.loads((tmp_path / "f.json").read_text())["site"]["name"] == "가람구청 CCTV 통합관제센터"


def _bad(mutate) -> str:
    raw = copy.deepcopy(DEMO_RAW)
    mutate(raw)
    with pytest.raises(FixtureError) as info:
        complete(raw)
    return str(info.value)


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda r: r["devices"][3].update(address="10.0.0.5"), "devices[3].address: '10.0.0.5' is not in 127.0.0.0/8"),
    (lambda r: r["devices"][4].update(address="127.10.0.11"), "devices[4].address: 127.10.0.11 is already used by devices[0]"),
    (lambda r: r["devices"][2].update(role="dvr"), "devices[2].role: 'dvr' is not one of"),
    (lambda r: r["devices"][2].update(auth="basic"), "devices[2].auth: 'basic'"),
    (lambda r: r["devices"][5].update(quirks=["teleport"]), "devices[5].quirks[0]: unknown quirk 'teleport'"),
    (lambda r: r["devices"][5].update(quirks=[{"name": "slow", "dealy": 3}]), "devices[5].quirks[0] (slow): unknown parameter(s) dealy"),
    (lambda r: r["devices"][5].update(quirks=[{"name": "slow", "delay": "3s"}]), "devices[5].quirks[0] (slow).delay must be a number"),
    (lambda r: r["devices"][6].update(modle="x"), "devices[6].modle: unknown key"),
    (lambda r: r["devices"][7].pop("serial"), "devices[7].serial: is required"),
    (lambda r: r["devices"][8].update(mac="zz:00"), "devices[8].mac: 'zz:00' is not a MAC address"),
    (lambda r: r["devices"][9].update(port=70000), "devices[9].port: 70000 is not a TCP port number"),
    (lambda r: r["devices"][9].update(rtsp_port=80), "devices[9].port: port, rtsp_port, https_port and web_port must differ"),
    (lambda r: r["devices"][9].update(web_port=80), "devices[9].port: port, rtsp_port, https_port and web_port must differ"),
    (lambda r: r["devices"][9].update(web_port="80"), "devices[9].web_port: '80' is not a TCP port number"),
    (lambda r: r["devices"][0].update(relabel_of="acme"), "devices[0].relabel_of: 'acme' is not a vendor family id"),
    (lambda r: r["devices"][0].update(channels=0), "devices[0].channels: 0 must be an integer 1..256"),
    # YAML's own reading of `firmware: 1.10` and `serial: 000123`: turned back into text, "1.1" and "123".
    (lambda r: r["devices"][0].update(firmware=1.1), "devices[0].firmware: YAML read this as a number (1.1), not as the text written; put it in quotes"),
    (lambda r: r["devices"][0].update(serial=123), "devices[0].serial: YAML read this as a number (123)"),
    (lambda r: r["devices"][0].update(password=1234), "devices[0].password: YAML read this as a number, not"),
    (lambda r: r["devices"][0].update(firmware=__import__("datetime").date(2023, 1, 5)), "devices[0].firmware: YAML read this as a date"),
    (lambda r: r["site"].pop("name"), "site.name is required"),
    (lambda r: r["site"].update(credentials={"username": "admin"}), "site.credentials must be a mapping"),
    (lambda r: r.update(devices=[]), "devices must be a non-empty list"),
    (lambda r: r["site"].pop("credentials"), "devices[0].username: is required when site.credentials is not given"),
    (lambda r: r.update(sites=1), "unknown top-level key(s): sites"),
    (lambda r: r.update(hosts=[{"address": "127.10.0.11", "ports": [3389]}]), "hosts[0].address: 127.10.0.11 is already used by devices[0]"),
    (lambda r: r.update(hosts=[{"address": "10.0.0.5", "ports": [3389]}]), "hosts[0].address: '10.0.0.5' is not in 127.0.0.0/8"),
    (lambda r: r.update(hosts=[{"address": "127.10.0.5", "ports": []}]), "hosts[0].ports: a non-empty list of TCP ports"),
    (lambda r: r.update(hosts=[{"address": "127.10.0.5", "ports": [22], "role": "nas"}]), "hosts[0].role: 'nas' is not one of"),
    (lambda r: r.update(hosts=[{"address": "127.10.0.5", "ports": [22], "os": "win"}]), "hosts[0].os: unknown key"),
])
def test_errors_name_the_key(mutate, expected):
    assert expected in _bad(mutate)


def test_file_errors_name_the_file(tmp_path: Path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("site: [unclosed\n", encoding="utf-8")
    with pytest.raises(FixtureError, match="broken.yaml: not valid YAML"):
        load(broken)
    with pytest.raises(FixtureError, match="cannot read"):
        load(tmp_path / "missing.yaml")


def test_hostile_strings_are_applied_once():
    raw = copy.deepcopy(DEMO_RAW)
    raw["devices"][0]["quirks"] = ["markup_strings", "formula_strings"]
    first = complete(raw)["devices"][0]
    assert first["manufacturer"] == "Hanwha Vision<script>alert(1)</script>"
    assert first["model"].startswith('=HYPERLINK("http://x","XNO-6080R<img')
    assert first["hardware_id"] == "XNO-6080R"
    again = complete({"site": raw["site"], "devices": [first]})["devices"][0]
    assert again["manufacturer"] == first["manufacturer"] and again["model"] == first["model"]


def test_docs_list_every_quirk_and_fixture_key():
    from simulator.quirks import QUIRKS

    docs = (Path(__file__).resolve().parents[2] / "docs" / "simulator.md").read_text(encoding="utf-8")
    assert [name for name in QUIRKS if f"| `{name}` |" not in docs] == []
    assert [key for key in KEYS if f"`{key}`" not in docs] == []
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert f" {len(QUIRKS)} quirks " in readme  # the README's count is the registry's


def test_hosts_are_completed_apart_from_the_devices():
    raw = copy.deepcopy(DEMO_RAW)
    raw["hosts"] = [{"address": "127.10.0.5", "ports": [3389, 80, 3389]}]
    fixture = complete(raw)
    assert fixture["hosts"] == [{"address": "127.10.0.5", "name": "127.10.0.5", "role": "vms_server",
                                 "ports": [80, 3389]}]
    assert len(fixture["devices"]) == len(DEMO_RAW["devices"])  # a host is no ONVIF device
