"""WS-UsernameToken digest, HTTP digest (checked with urllib's own digest handler) and the pre-auth rule.

Site: config/lab/demo-site.yaml (demo_lab fixture).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest

from .rawsoap import DEVICE_NS, call, envelope, post, username_token

pytestmark = pytest.mark.network
PLAIN = "127.10.0.11"  # Hanwha camera, wsse
DIGEST_NVR = "127.10.0.32"  # IDIS NVR, auth: digest


def _last(lab, address, op):
    return [r for r in lab.requests() if r["device"] == address and r["op"] == op][-1]


def test_username_token_digest_accepted_and_logged(demo_lab):
    d = demo_lab.device(PLAIN)
    assert call(d, "GetDeviceInformation").status == 200
    assert _last(demo_lab, PLAIN, "GetDeviceInformation")["auth"] == "ok"


def test_missing_or_wrong_token_is_not_authorized_fault(demo_lab):
    d = demo_lab.device(PLAIN)
    none = call(d, "GetDeviceInformation", auth=False)
    assert none.status == 400 and b"ter:NotAuthorized" in none.body and b"env:Sender" in none.body
    assert _last(demo_lab, PLAIN, "GetDeviceInformation")["auth"] == "none"
    wrong = call(d, "GetDeviceInformation", password="nope")
    assert wrong.status == 400 and b"ter:NotAuthorized" in wrong.body
    assert _last(demo_lab, PLAIN, "GetDeviceInformation")["auth"] == "failed"


def test_created_outside_the_window_fails(demo_lab):
    d = demo_lab.device(PLAIN)
    assert call(d, "GetDeviceInformation", shift=-600).status == 400
    assert call(d, "GetDeviceInformation", shift=-120).status == 200
    old = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert call(d, "GetDeviceInformation", created=old).status == 400


def test_pre_auth_operations_open_by_default(demo_lab):
    d = demo_lab.device(PLAIN)
    for op in ("GetSystemDateAndTime", "GetServices", "GetCapabilities", "GetWsdlUrl"):
        assert call(d, op, auth=False).status == 200, op
    for op in ("GetScopes", "GetNetworkInterfaces", "GetHostname"):
        assert call(d, op, auth=False).status == 400, op


def test_axis_like_device_needs_auth_everywhere(demo_lab):
    """127.10.0.45 is an Axis with all_ops_require_auth and HTTP digest: a 401 challenge, even for the clock."""
    d = demo_lab.device("127.10.0.45")
    reply = call(d, "GetSystemDateAndTime", auth=False)
    assert reply.status == 401 and reply.headers["WWW-Authenticate"].startswith("Digest ")
    assert call(d, "GetSystemDateAndTime").status == 200  # a WS-UsernameToken is accepted too


def test_unknown_operation_is_action_not_supported(demo_lab):
    d = demo_lab.device(PLAIN)
    reply = call(d, "SetSystemFactoryDefault")
    assert reply.status == 500 and b"ter:ActionNotSupported" in reply.body
    nvr_only = call(d, "GetRecordings", "http://www.onvif.org/ver10/recording/wsdl", path="/onvif/recording_service")
    assert nvr_only.status == 500 and b"ter:ActionNotSupported" in nvr_only.body


def test_not_xml_is_a_sender_fault(demo_lab):
    reply = post(f"http://{PLAIN}/onvif/device_service", b"<not xml")
    assert reply.status == 400 and b"env:Sender" in reply.body
    # A well-formed envelope, but with a DTD: refused whole, its entity never expanded.
    bomb = (b'<?xml version="1.0"?><!DOCTYPE e:Envelope [<!ENTITY b "bbbb">]>'
            b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body>'
            b'<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl">&b;</GetDeviceInformation>'
            b'</e:Body></e:Envelope>')
    refused = post(f"http://{PLAIN}/onvif/device_service", bomb)
    assert refused.status == 400 and b"DTDs are forbidden" in refused.body


def _digest_opener(user: str, password: str) -> urllib.request.OpenerDirector:
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    manager.add_password(None, f"http://{DIGEST_NVR}/", user, password)
    return urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(manager))


def test_http_digest_with_an_outside_client(demo_lab):
    d = demo_lab.device(DIGEST_NVR)
    data = envelope("GetDeviceInformation", DEVICE_NS)
    request = urllib.request.Request(f"http://{DIGEST_NVR}/onvif/device_service", data=data,
                                     headers={"Content-Type": "application/soap+xml"})
    with _digest_opener(d["username"], d["password"]).open(request, timeout=10) as resp:
        assert resp.status == 200 and d["serial"].encode() in resp.read()
    assert _last(demo_lab, DIGEST_NVR, "GetDeviceInformation")["auth"] == "ok"
    request = urllib.request.Request(f"http://{DIGEST_NVR}/onvif/device_service", data=data,
                                     headers={"Content-Type": "application/soap+xml"})
    with pytest.raises(urllib.error.HTTPError) as info:
        _digest_opener(d["username"], "wrong").open(request, timeout=10)
    assert info.value.code == 401


def test_digest_device_challenges_without_credentials(demo_lab):
    d = demo_lab.device(DIGEST_NVR)
    reply = call(d, "GetDeviceInformation", auth=False)
    assert reply.status == 401
    challenge = reply.headers["WWW-Authenticate"]
    assert 'qop="auth"' in challenge and "algorithm=MD5" in challenge


def test_request_log_never_holds_passwords(demo_lab):
    d = demo_lab.device(PLAIN)
    call(d, "GetDeviceInformation")
    call(d, "GetDeviceInformation", password="typo-password")
    text = demo_lab.request_log.read_text(encoding="utf-8")
    for secret in {dev["password"] for dev in demo_lab.devices} | {"typo-password"}:
        assert secret not in text
    assert username_token("admin", "x")  # helper sanity
