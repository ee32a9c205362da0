"""What the scanner puts on the wire for an ONVIF call, read by a bare aiohttp server on 127.0.0.1 of the
test namespace that keeps every request body (no simulated site: the bodies themselves are under test)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from lxml import etree

from scanner.credentials import Credential
from scanner.soap import OnvifClients, SoapProblem, enter_device

from .conftest import bare_server

pytestmark = pytest.mark.network

ANSWER = (Path(__file__).parent / "fixtures" / "get_device_information_response.xml").read_bytes()
WSSE = {"wsse": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
        "wsu": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"}


@pytest.fixture
async def device():
    bodies: list[bytes] = []

    async def answer(request: web.Request) -> web.Response:
        bodies.append(await request.read())
        return web.Response(body=ANSWER, content_type="application/soap+xml")

    app = web.Application()
    app.router.add_post("/onvif/device_service", answer)
    async with bare_server(app) as url:
        yield f"{url}/onvif/device_service", bodies


async def _call_as(clients: OnvifClients, url: str, credential: Credential):
    enter_device(credential)
    return await clients.call("devicemgmt", url, "GetDeviceInformation")


async def test_password_travels_as_a_digest_never_in_clear_text(device):
    url, bodies = device
    async with aiohttp.ClientSession() as session:
        clients = OnvifClients(session)
        await clients.setup()
        # Two devices at once through the one shared client: each request signed with its own credential.
        first, second = await asyncio.gather(
            asyncio.create_task(_call_as(clients, url, Credential("admin", "Secret!One"))),
            asyncio.create_task(_call_as(clients, url, Credential("operator", "Secret!Two"))))
    assert first.Model == second.Model == "XNO-6080R"
    assert len(bodies) == 2
    seen = {}
    for body in bodies:
        assert b"Secret!One" not in body and b"Secret!Two" not in body
        token = etree.fromstring(body).find(".//wsse:UsernameToken", WSSE)
        password = token.find("wsse:Password", WSSE)
        assert password.get("Type").endswith("#PasswordDigest")
        nonce = base64.b64decode(token.findtext("wsse:Nonce", namespaces=WSSE))
        created = token.findtext("wsu:Created", namespaces=WSSE)
        assert created.endswith("Z")  # Hikvision refuses +00:00
        seen[token.findtext("wsse:Username", namespaces=WSSE)] = (nonce, created, password.text)
    for username, secret in (("admin", "Secret!One"), ("operator", "Secret!Two")):
        nonce, created, digest = seen[username]
        expected = base64.b64encode(hashlib.sha1(nonce + created.encode() + secret.encode()).digest()).decode()
        assert digest == expected, username


async def test_repeated_calls_carry_fresh_nonces(device):
    """The request body is cached per operation; the WS-Security header must not be."""
    url, bodies = device
    async with aiohttp.ClientSession() as session:
        clients = OnvifClients(session)
        await clients.setup()
        for _ in range(3):
            await _call_as(clients, url, Credential("admin", "Secret!One"))
    nonces = {etree.fromstring(b).findtext(".//wsse:Nonce", namespaces=WSSE) for b in bodies}
    assert len(nonces) == 3
    assert all(b.count(b"<wsse:Security") == 1 for b in bodies)


@pytest.mark.parametrize(("fault", "expected"), [
    (b"<faultcode>ter:NotAuthorized</faultcode><faultstring>Sender not authorized</faultstring>", "auth_failed"),
    (b"<faultcode>ter:ActionNotSupported</faultcode><faultstring>Optional action not implemented</faultstring>",
     "ter:ActionNotSupported"),
])
def test_a_soap_1_1_fault_reads_like_a_1_2_one(fault, expected):
    """SOAP 1.1 faults (soap11_envelope devices) have faultcode/faultstring, not Code/Value and Reason."""
    from zeep.exceptions import Fault

    from scanner.safexml import parse_untrusted
    from scanner.soap import SoapProblem, _answer_element, _raise_if_fault

    root = parse_untrusted(b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><e:Fault>'
                           + fault + b"</e:Fault></e:Body></e:Envelope>")
    with pytest.raises((SoapProblem, Fault)) as raised:
        _raise_if_fault("GetServices", _answer_element(root))
    if expected == "auth_failed":
        assert raised.value.kind == "auth_failed" and "Sender not authorized" in raised.value.reason
    else:
        assert raised.value.code == expected and "not implemented" in raised.value.message


SOAP11 = b"http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = b"http://www.w3.org/2003/05/soap-envelope"
VERSION_MISMATCH = (b'<?xml version="1.0"?><s:Envelope xmlns:s="' + SOAP11 + b'"><s:Body><s:Fault>'
                    b"<faultcode>s:VersionMismatch</faultcode><faultstring>Wrong SOAP version</faultstring>"
                    b"</s:Fault></s:Body></s:Envelope>")
OTHER_FAULT = (b'<?xml version="1.0"?><s:Envelope xmlns:s="' + SOAP12 + b'"><s:Body><s:Fault><s:Code><s:Value>'
               b"s:Receiver</s:Value></s:Code><s:Reason><s:Text>busy</s:Text></s:Reason></s:Fault></s:Body>"
               b"</s:Envelope>")


def _soap11_server(refusal: bytes):
    """A device built for SOAP 1.1: `refusal` for a 1.2 envelope, the answer (in 1.1) for a 1.1 one."""
    seen: list[tuple[bytes, dict[str, str]]] = []

    async def answer(request: web.Request) -> web.Response:
        body = await request.read()
        seen.append((body, dict(request.headers)))
        if SOAP11 not in body:  # a fault comes with HTTP 500, as SOAP says; the empty answer with 200
            return web.Response(body=refusal, status=500 if refusal else 200, content_type="text/xml")
        return web.Response(body=ANSWER.replace(SOAP12, SOAP11), content_type="text/xml")

    app = web.Application()
    app.router.add_post("/onvif/device_service", answer)
    return app, seen


@pytest.mark.parametrize("refusal", [b"", VERSION_MISMATCH], ids=["empty body", "VersionMismatch"])
async def test_a_device_built_for_soap_1_1_is_asked_again_in_1_1_then_always(refusal):
    """OpenIPC/viewer#65: firmware for SOAP 1.1 answers 1.2 with zero bytes; one following the SOAP spec
    sends VersionMismatch. The call is sent again in 1.1 (text/xml, action in SOAPAction), and so is every
    later call to that device, straight away."""
    app, seen = _soap11_server(refusal)
    async with bare_server(app) as url, aiohttp.ClientSession() as session:
        clients = OnvifClients(session)
        await clients.setup()
        ctx = enter_device(Credential("admin", "Secret!One"))
        first = await clients.call("devicemgmt", f"{url}/onvif/device_service", "GetDeviceInformation")
        second = await clients.call("devicemgmt", f"{url}/onvif/device_service", "GetDeviceInformation")
    assert first.Model == second.Model == "XNO-6080R"
    assert [SOAP11 in body for body, _ in seen] == [False, True, True]
    for body, headers in seen[1:]:
        assert headers["Content-Type"].startswith("text/xml") and "action=" not in headers["Content-Type"]
        assert headers["SOAPAction"] == '"http://www.onvif.org/ver10/device/wsdl/GetDeviceInformation"'
        assert etree.fromstring(body).find(".//wsse:UsernameToken", WSSE) is not None
    assert ctx.repairs == ["answers only requests in SOAP 1.1 (asked in SOAP 1.1)"]


async def test_a_fault_is_an_answer_and_not_asked_again_in_1_1():
    """A device that says why it refused (any fault but VersionMismatch) is not asked twice."""
    from zeep.exceptions import Fault

    app, seen = _soap11_server(OTHER_FAULT)
    async with bare_server(app) as url, aiohttp.ClientSession() as session:
        clients = OnvifClients(session)
        await clients.setup()
        ctx = enter_device(Credential("admin", "Secret!One"))
        with pytest.raises(Fault):
            await clients.call("devicemgmt", f"{url}/onvif/device_service", "GetDeviceInformation")
    assert len(seen) == 1 and not ctx.soap11


async def _problem_from(answer) -> SoapProblem:
    """How a GetDeviceInformation call ends against a device that answers with `answer` (a handler or an app)."""
    app = answer
    if not isinstance(app, web.Application):
        app = web.Application()
        app.router.add_post("/onvif/device_service", answer)
    async with bare_server(app) as url, aiohttp.ClientSession() as session:
        clients = OnvifClients(session)
        await clients.setup()
        enter_device(Credential("admin", "Secret!One"))
        with pytest.raises(SoapProblem) as raised:
            await clients.call("devicemgmt", f"{url}/onvif/device_service", "GetDeviceInformation")
    return raised.value


async def test_an_answer_cut_off_by_a_closed_connection_is_a_protocol_error_that_says_so():
    """A Content-Length longer than the answer, then the connection closed (the Dahua/Lorex web server's
    fault, python-onvif-zeep-async#130): even a well-formed envelope is not trusted as the whole answer."""
    async def answer(request: web.Request) -> web.StreamResponse:
        await request.read()
        request.transport.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nContent-Length: "
                                + str(len(ANSWER) + 200).encode() + b"\r\n\r\n" + ANSWER)
        request.transport.close()
        return web.Response()  # never reaches the client

    problem = await _problem_from(answer)
    assert problem.kind == "protocol_error"
    assert f"cut short ({len(ANSWER)} of {len(ANSWER) + 200} bytes" in problem.reason


async def test_an_answer_that_does_not_begin_with_a_status_line_says_so_on_one_line():
    """Tapo firmware writes the request back, NULs for separators, before its HTTP 500
    (home-assistant/core#85902): the call fails with a reason a report can carry, the client goes on."""
    async def answer(request: web.Request) -> web.Response:
        await request.read()
        request.transport.write(b"POST /onvif/device_service\x00HTTP/1.1\x00\x00Host\x00 x\x00\x00")
        return web.Response(body=ANSWER, status=500, content_type="application/soap+xml")

    problem = await _problem_from(answer)
    assert problem.kind == "protocol_error"
    assert problem.reason.startswith("GetDeviceInformation: HTTP answer that cannot be parsed (Bad status line")
    assert "\n" not in problem.reason and "POST /onvif/device_service" in problem.reason


def _counting(answer_body: bytes | None = None, redirect_to: str | None = None, status: int = 302):
    """An app that answers ONVIF (or redirects every POST to `redirect_to`), counting its requests."""
    seen: list[str] = []

    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        seen.append(f"{request.method} {request.path} {len(body)}")
        if redirect_to is not None:
            return web.Response(status=status, headers={"Location": redirect_to + request.path})
        return web.Response(body=answer_body, content_type="application/soap+xml")

    app = web.Application()
    app.router.add_route("*", "/onvif/device_service", handle)
    return app, seen


async def test_a_redirect_to_https_on_the_same_address_is_followed_as_the_same_post():
    """lumeohq/onvif-rs#39: http:// XAddrs answered with 302 to https:// on the same address. aiohttp on its
    own would turn the 302'd POST into a GET; the call is re-sent as a POST, and later calls go straight."""
    from simulator.banners import ssl_context

    secure_app, secure_seen = _counting(ANSWER)
    async with bare_server(secure_app, tls=ssl_context("hanwha")) as secure:
        plain_app, plain_seen = _counting(redirect_to=secure)
        # ssl=False as the scanner's own session (scanner/worker.py): a camera's certificate is its own
        async with bare_server(plain_app) as plain, \
                aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=False)) as session:
            clients = OnvifClients(session)
            await clients.setup()
            ctx = enter_device(Credential("admin", "Secret!One"))
            for _ in range(2):
                info = await clients.call("devicemgmt", f"{plain}/onvif/device_service", "GetDeviceInformation")
                assert info.Model == "XNO-6080R"
    assert len(plain_seen) == 1  # asked once; the second call went to where it was sent
    assert [line.split()[0] for line in secure_seen] == ["POST", "POST"]
    assert all(int(line.split()[2]) > 0 for line in secure_seen)  # with the signed body, not a bodiless GET
    assert ctx.repairs == ["ONVIF calls redirected to https:// (followed, same address)"]


@pytest.mark.parametrize("status", [302, 307])
async def test_a_redirect_to_another_host_is_not_followed(status):
    """A device's Location is no reason to send anything, least of all the signed request (a 307 keeps the
    body), to a host outside the scan: 127.0.0.2 here, a second server that must see nothing."""
    elsewhere_app, elsewhere_seen = _counting(ANSWER)
    async with bare_server(elsewhere_app, host="127.0.0.2") as elsewhere:
        app, seen = _counting(redirect_to=elsewhere, status=status)
        problem = await _problem_from(app)
    assert len(seen) == 1 and elsewhere_seen == []
    assert problem.kind == "protocol_error"
    assert f"HTTP {status} redirect to '{elsewhere}/onvif/device_service', not on the device's own address" \
        in problem.reason


NOT_AUTHORIZED = (b'<?xml version="1.0"?><s:Envelope xmlns:s="' + SOAP12 + b'" xmlns:ter="http://www.onvif.org/ver10/error">'
                  b"<s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:NotAuthorized"
                  b"</s:Value></s:Subcode></s:Code><s:Reason><s:Text>Sender not authorized</s:Text></s:Reason>"
                  b"</s:Fault></s:Body></s:Envelope>")


def _token_checking_server(password_ok: bool):
    """Accepts a token dated within a minute of the true time (and only with `password_ok`)."""
    from datetime import UTC, datetime

    created: list[datetime] = []

    async def answer(request: web.Request) -> web.Response:
        tree = etree.fromstring(await request.read())
        when = datetime.fromisoformat(tree.findtext(".//wsu:Created", namespaces=WSSE))
        created.append(when)
        if password_ok and abs((when - datetime.now(UTC)).total_seconds()) < 60:
            return web.Response(body=ANSWER, content_type="application/soap+xml")
        return web.Response(body=NOT_AUTHORIZED, status=400, content_type="application/soap+xml")

    app = web.Application()
    app.router.add_post("/onvif/device_service", answer)
    return app, created


@pytest.mark.parametrize("password_ok", [True, False])
async def test_a_refused_first_call_is_signed_once_more_by_the_other_clock(password_ok):
    """OpenIPC/majestic-webui#292: UTCDateTime says local time, the HTTP Date the truth. Tokens dated by
    UTCDateTime are refused; the first signed call is dated once more by the HTTP Date's clock, and the
    calls that waited for it are signed afresh. A wrong password is refused both times, and stops there."""
    from datetime import timedelta

    app, created = _token_checking_server(password_ok)
    async with bare_server(app) as url, aiohttp.ClientSession() as session:
        clients = OnvifClients(session)
        await clients.setup()
        ctx = enter_device(Credential("admin", "Secret!One"))
        ctx.dt_diff, ctx.second_clock = timedelta(hours=9), timedelta(0)  # as Clock leaves them
        calls = [clients.call("devicemgmt", f"{url}/onvif/device_service", "GetDeviceInformation")
                 for _ in range(3)]
        answers = await asyncio.gather(*calls, return_exceptions=True)
    if password_ok:
        assert all(a.Model == "XNO-6080R" for a in answers)
        assert len(created) == 4  # the first call twice, each waiting one once, re-dated
        assert ctx.dt_diff == timedelta(0) and ctx.repairs == [
            "GetSystemDateAndTime's UTC is +9.0 h off its HTTP Date, which its tokens were dated by instead"]
    else:
        assert all(isinstance(a, SoapProblem) and a.kind == "auth_failed" for a in answers)
        assert len(created) == 2  # two refused logins at most, never one per call
        assert ctx.dt_diff == timedelta(hours=9) and ctx.repairs == []


@pytest.mark.parametrize(("subcode", "reason", "refuses"), [
    (b'<s:Value xmlns:a="http://www.w3.org/2005/08/addressing">a:ActionNotSupported</s:Value>', b"unsupported", True),
    (b'<s:Value xmlns:ter="http://www.onvif.org/ver10/error">ter:ActionNotSupported</s:Value>', b"no GetServices", False),
    (b"<s:Value>s:Sender</s:Value>", b"The [action] cannot be processed at the receiver.", True),
])
def test_only_ws_addressings_action_not_supported_refuses_the_action_parameter(subcode, reason, refuses):
    """WS-Addressing's ActionNotSupported (Illustra, agsh/onvif#302) asks for no action= parameter; ONVIF's
    ter:ActionNotSupported says an operation is missing (no GetServices), which the parameter cannot fix."""
    from types import SimpleNamespace

    from scanner.safexml import parse_untrusted
    from scanner.soap import _answer_element, _refuses_action_parameter

    root = parse_untrusted(b'<s:Envelope xmlns:s="' + SOAP12 + b'"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value>'
                           b"<s:Subcode>" + subcode + b"</s:Subcode></s:Code><s:Reason><s:Text>" + reason
                           + b"</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>")
    assert _refuses_action_parameter(SimpleNamespace(answer=_answer_element(root))) is refuses


@pytest.mark.parametrize("challenge", [
    'Digest realm="x"',  # no nonce
    'Digest realm="x", nonce="n", qop="auth-conf"',  # a qop that does not exist
    'Digest realm="x", nonce="n", algorithm=ROT13',
])
async def test_a_digest_challenge_that_cannot_be_answered_is_the_devices_fault_not_the_network(challenge):
    async def answer(request: web.Request) -> web.Response:
        return web.Response(status=401, headers={"WWW-Authenticate": challenge})

    problem = await _problem_from(answer)
    assert problem.kind == "protocol_error"
    assert problem.reason.startswith("GetDeviceInformation: HTTP digest challenge that cannot be answered (")


def _digest_device(answers: list[tuple[int, str | None]]):
    """A device that answers each request with the next (status, WWW-Authenticate) and records the
    Authorization it got; 200 carries the GetDeviceInformation answer."""
    seen: list[str | None] = []

    async def answer(request: web.Request) -> web.Response:
        await request.read()
        seen.append(request.headers.get("Authorization"))
        status, challenge = answers[min(len(seen), len(answers)) - 1]
        if status == 200:
            return web.Response(body=ANSWER, content_type="application/soap+xml")
        return web.Response(status=status, headers={"WWW-Authenticate": challenge} if challenge else {})

    app = web.Application()
    app.router.add_post("/onvif/device_service", answer)
    return app, seen


async def test_a_refused_digest_password_is_sent_once():
    app, seen = _digest_device([(401, 'Digest realm="x", qop="auth", nonce="n1"')])
    problem = await _problem_from(app)
    assert problem.kind == "auth_failed"
    assert seen[0] is None and [a.startswith("Digest ") for a in seen[1:]] == [True], seen


async def test_a_stale_nonce_is_answered_again_with_the_new_one():
    app, seen = _digest_device([(401, 'Digest realm="x", qop="auth", nonce="n1"'),
                                (401, 'Digest realm="x", qop="auth", nonce="n2", stale=true'), (200, None)])
    async with bare_server(app) as url, aiohttp.ClientSession() as session:
        clients = OnvifClients(session)
        await clients.setup()
        enter_device(Credential("admin", "Secret!One"))
        info = await clients.call("devicemgmt", f"{url}/onvif/device_service", "GetDeviceInformation")
    assert info.Model == "XNO-6080R"
    assert seen[0] is None and 'nonce="n1"' in seen[1] and 'nonce="n2"' in seen[2]


async def test_every_request_dropped_on_a_kept_alive_connection_is_sent_again():
    """A device that drops a kept-alive connection when it is used again (quirk one_request_per_connection)
    drops every request that went out on one. Three go out at once: each is sent again on a connection of
    its own, not only the one that noticed first (the others ended the device as a protocol_error)."""
    answered: set[asyncio.BaseTransport] = set()
    dropped: list[asyncio.BaseTransport] = []
    dropping = False
    all_three_in = asyncio.Event()

    async def answer(request: web.Request) -> web.Response:
        await request.read()
        if dropping and request.transport in answered:
            # Held until the three have come, so none of them is sent after the client noticed the first.
            dropped.append(request.transport)
            if len(dropped) == 3:
                all_three_in.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(all_three_in.wait(), 2)
            request.transport.close()  # unanswered, as the firmware does
            return web.Response()
        answered.add(request.transport)
        await asyncio.sleep(0.1)  # three calls at once: three connections
        return web.Response(body=ANSWER, content_type="application/soap+xml")

    app = web.Application()
    app.router.add_post("/onvif/device_service", answer)
    async with bare_server(app) as url, aiohttp.ClientSession() as session:
        clients = OnvifClients(session)
        await clients.setup()
        ctx = enter_device(Credential("admin", "Secret!One"))

        async def three() -> list:
            calls = (clients.call("devicemgmt", f"{url}/onvif/device_service", "GetDeviceInformation")
                     for _ in range(3))
            return await asyncio.gather(*calls)

        await clients.call("devicemgmt", f"{url}/onvif/device_service", "GetDeviceInformation")  # signed alone
        await three()  # three connections, kept alive in the pool
        dropping = True
        again = await three()  # each taken again from the pool, and dropped
    assert len(dropped) == 3 and ctx.one_connection_per_request
    assert [a.Model for a in again] == ["XNO-6080R"] * 3


async def test_digest_is_answered_at_each_origin_a_call_is_redirected_to():
    """A call answered in digest at one origin, then redirected to another that asks again (its media on
    another port, say): each origin gets its own digest. The retry budget was two tries in all, so the
    second origin's 401 ended the call `auth_failed` with credentials nobody had refused."""
    seen: list[tuple[str, bool]] = []
    challenge = {"WWW-Authenticate": 'Digest realm="test", qop="auth", nonce="abc123", opaque=""'}

    def origin_app(name: str, then) -> web.Application:
        async def answer(request: web.Request) -> web.StreamResponse:
            await request.read()
            signed = request.headers.get("Authorization", "").startswith("Digest ")
            seen.append((name, signed))
            if not signed:
                return web.Response(status=401, headers=challenge)
            return then()

        app = web.Application()
        app.router.add_post("/onvif/device_service", answer)
        return app

    second_url: list[str] = []
    second = origin_app("B", lambda: web.Response(body=ANSWER, content_type="application/soap+xml"))
    async with bare_server(second) as b_url:
        second_url.append(b_url)
        first = origin_app("A", lambda: web.Response(status=307, headers={
            "Location": f"{second_url[0]}/onvif/device_service"}))
        async with bare_server(first) as a_url, aiohttp.ClientSession() as session:
            clients = OnvifClients(session)
            await clients.setup()
            ctx = enter_device(Credential("admin", "Secret!One"))
            answer = await clients.call("devicemgmt", f"{a_url}/onvif/device_service", "GetDeviceInformation")
    assert answer.Model == "XNO-6080R"
    assert seen == [("A", False), ("A", True), ("B", False), ("B", True)], seen
    assert len(ctx.digests) == 2
