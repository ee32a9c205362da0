"""How the scanner paces its requests to one device: hostile-site.yaml's 127.30.0.1, .11 and .29, read alone.

A first answer counts as quick when it comes within a twentieth of the deadline. Inside the whole hostile site
under a 5 s deadline (test_hostile.py: 5 MB answers, TLS, hangs), a loaded machine held the quick camera's first
answer past that 0.25 s in our own event loop, and it was read as slow (4 of 8 runs at load 3). Here the three
devices are the only ones served (a module of their own: the hostile lab is down by then), under a 20 s deadline
(quick: within 1 s), with the slow camera at 2 s an answer, so the tests tell the devices apart and not the
machine's load.
"""

from __future__ import annotations

import pytest
import yaml

from scanner.credentials import CredentialBook
from scanner.engine import ScanRequest, scan

from .conftest import HOSTILE_SITE

pytestmark = pytest.mark.network

PACED = ("127.30.0.1", "127.30.0.11", "127.30.0.29")
PACED_DEADLINE_S = 20
SLOW_ANSWER_S = 2.0


@pytest.fixture(scope="module")
def paced(tmp_path_factory):
    """hostile-site.yaml's 127.30.0.1, .11 and .29 only, served and scanned on their own."""
    from simulator.testing import running_lab

    site = yaml.safe_load(HOSTILE_SITE.read_text(encoding="utf-8"))
    site["devices"] = [d for d in site["devices"] if d["address"] in PACED]
    [slow] = [d for d in site["devices"] if d["address"] == "127.30.0.11"]
    slow["quirks"] = [{"name": "slow", "delay": SLOW_ANSWER_S}]
    path = tmp_path_factory.mktemp("paced") / "paced-site.yaml"
    path.write_text(yaml.safe_dump(site, allow_unicode=True), encoding="utf-8")
    with running_lab(path) as lab:
        result = scan(ScanRequest(interfaces=("lo",), credentials=CredentialBook.single("admin", "Hostile!Site1"),
                                  timeout_s=PACED_DEADLINE_S, workers=2))
        yield lab, {d.address: d for d in result.devices}


def test_a_quick_device_is_read_over_one_connection_a_slow_one_over_several(paced):
    """Site: hostile-site.yaml's PACED devices, alone. 127.30.0.1 answers at once: its ONVIF calls go one at a
    time over kept-alive connections to port 80 (at most two: the login-page fetch runs beside the first call).
    127.30.0.11 takes 2 s per answer (a tenth of the 20 s deadline): its calls run in parallel, so it still fits."""
    lab, found = paced

    def connections(address: str) -> set[str]:
        return {r["src"] for r in lab.requests() if r["device"] == address and r["proto"] in ("onvif", "http")}

    assert found["127.30.0.1"].status == found["127.30.0.11"].status == "ok"
    assert len(connections("127.30.0.1")) <= 2
    assert len(connections("127.30.0.11")) >= 3


def test_a_device_that_drops_kept_alive_connections_gets_one_per_request(paced):
    """Site: hostile-site.yaml's PACED devices, alone. 127.30.0.29 closes each connection after one answer
    without saying so. The first request it drops is sent again, and every later one gets a connection of its
    own: the device is read whole, and only the requests sent before the switch were ever dropped."""
    lab, found = paced
    device = found["127.30.0.29"]
    assert device.status == "ok" and (device.model, device.mac) == ("XNO-6080R", "e4:30:22:30:00:29")
    assert device.profiles is not None and device.profiles >= 1
    log = [r["op"] for r in lab.requests() if r["device"] == "127.30.0.29" and r["proto"] in ("onvif", "http")]
    assert 1 <= log.count("(dropped: reused connection)") <= 3, log  # the switch, and the login page's GET
