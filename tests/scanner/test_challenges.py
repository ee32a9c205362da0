"""Reading authentication challenges (scanner/challenges.py), on challenges real devices send."""

from __future__ import annotations

import pytest

from scanner.challenges import (
    MAX_REALM,
    challenged_realm,
    digest_challenge,
    realm_of,
    scheme_of,
    split_challenges,
)


@pytest.mark.parametrize(("challenges", "realm"), [
    # an IMOU (Dahua) camera's ONVIF 401 (Quedale/OnvifDeviceManager#19)
    ([('Digest realm="Login to 0ccf58c7410332c7caa363406561b351",qop="auth",nonce="b252aWYtZGlnZXN0OjQzNTY3Mzg5NDgw", '
       'opaque="", stale="false"')], "Login to 0ccf58c7410332c7caa363406561b351"),
    # Hikvision's ISAPI puts qop first and writes stale in capitals, quoted
    ([('Digest qop="auth", realm="IP Camera(C2183)", nonce="4e5468694e7a42694e7a4d364f4449354d7a6b354d54513d", '
       'stale="FALSE"')], "IP Camera(C2183)"),
    # Axis: Basic first, then Digest with bare parameters (ZoneMinder#1161)
    (['Basic realm="AXIS_ACCC8E45256A"', 'Digest realm="AXIS_ACCC8E45256A", nonce="x", stale=FALSE'],
     "AXIS_ACCC8E45256A"),
    (['Basic realm="Device_CGI"'], "Device_CGI"),  # old Dahua CGI (rroller/dahua#583)
    (["Digest realm=iPolis, nonce=abc"], "iPolis"),  # a bare token, as RFC 7235 allows
    (['Digest realm="say \\"cheese\\""'], 'say "cheese"'),  # an escaped quote is part of it
    (['Digest nonce="realm=forged", realm="ONVIF"'], "ONVIF"),  # inside another value it is no parameter
    (['Digest xrealm="no", realm="yes"'], "yes"),
    (['Digest realm="", nonce="1"', 'Basic realm="second"'], "second"),  # an empty one names nothing
    (['Negotiate', 'NTLM'], None), ([], None),
])
def test_the_realm_of_a_challenge(challenges, realm):
    assert realm_of(challenges) == realm


def test_a_realm_of_kilobytes_keeps_its_start():
    assert realm_of([f'Digest realm="{"A" * 10_000}"']) == "A" * MAX_REALM


def test_the_evidence_of_a_realm_is_the_challenge_as_sent():
    realm, said = challenged_realm(['Digest realm="Login to 6J0A1B2PAZ00051"', "Basic realm=\"x\udcff\""])
    assert realm == "Login to 6J0A1B2PAZ00051"
    # a byte that is not UTF-8 (aiohttp keeps it as a surrogate) comes back as the byte it was
    assert said == b'WWW-Authenticate: Digest realm="Login to 6J0A1B2PAZ00051"\r\nWWW-Authenticate: Basic realm="x\xff"\r\n'
    assert challenged_realm(["Bearer"]) is None


DVR_DIGEST = ('Digest realm="DVRNVRDVS", domain="httpsHost", qop="auth", nonce="7676767677:676767676767", opaque="", '
              'algorithm="MD5", stale="FALSE"')


@pytest.mark.parametrize(("lines", "challenges"), [
    # a DVR's two lines, Digest first (rburgst/okhttp-digest#2)
    ([DVR_DIGEST, 'Basic realm="DVRNVRDVS"'], [DVR_DIGEST, 'Basic realm="DVRNVRDVS"']),
    # both on one line, Basic first; a comma inside a quoted value starts nothing
    (['Basic realm="a, Digest b", Digest realm="x", nonce="1, 2", stale=FALSE'],
     ['Basic realm="a, Digest b"', 'Digest realm="x", nonce="1, 2", stale=FALSE']),
    (["NTLM, Digest realm=x, qop=auth"], ["NTLM", "Digest realm=x, qop=auth"]),  # httparty#271's shape
    (['Digest realm = "x" , nonce = "y"'], ['Digest realm = "x" , nonce = "y"']),  # spaces around '=': one
    (["Negotiate, NTLM", ""], ["Negotiate", "NTLM"]),
])
def test_every_challenge_of_a_401_is_seen(lines, challenges):
    assert split_challenges(lines) == challenges


def test_the_digest_challenge_is_found_wherever_it_is_listed():
    # a TP-Link's two lines, Basic first (bluenviron/mediamtx#3116)
    tplink = ['Basic realm="TP-LINK IP-Camera"', 'Digest realm="TP-LINK IP-Camera", nonce="6100befdab6f407276c35030a302430b"']
    assert digest_challenge(tplink) == tplink[1] and realm_of(tplink) == "TP-LINK IP-Camera"
    assert digest_challenge(['Basic realm="AXIS_ACCC8E45256A"', 'Digest realm="AXIS_ACCC8E45256A", nonce="n"']) == \
        'Digest realm="AXIS_ACCC8E45256A", nonce="n"'
    assert digest_challenge(['Basic realm="x", DIGEST realm="x", nonce="n"']) == 'DIGEST realm="x", nonce="n"'
    assert digest_challenge(['Basic realm="Device_CGI"']) is None
    assert [scheme_of(c) for c in split_challenges(["Basic realm=x, Digest realm=y"])] == ["basic", "digest"]
