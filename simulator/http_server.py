"""The TCP side of every device: ONVIF SOAP and the web login page over HTTP, RTSP OPTIONS,
and the HTTPS login page with a certificate naming the true maker.

One handler serves all devices: it finds the device from the connection's local address
(`sockname`), so the lab can listen on one wildcard socket per port or on one socket per
device with the same code.
"""

from __future__ import annotations

import asyncio
import gzip
import ssl
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from email.utils import format_datetime
from typing import Any

from aiohttp import hdrs, web
from aiohttp.http import SERVER_SOFTWARE
from multidict import CIMultiDict

from . import auth, quirks, services, soap
from .banners import banner_for, login_page, server_header, ssl_context

SOAP12 = "application/soap+xml; charset=utf-8"
# What a gSOAP ONVIF server without a GET handler answers GET with (the web_port devices' ONVIF port).
GSOAP_GET_FAULT = (b'<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope '
                   b'xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope"><SOAP-ENV:Body><SOAP-ENV:Fault>'
                   b'<SOAP-ENV:Code><SOAP-ENV:Value>SOAP-ENV:Sender</SOAP-ENV:Value></SOAP-ENV:Code>'
                   b'<SOAP-ENV:Reason><SOAP-ENV:Text xml:lang="en">HTTP GET method not implemented</SOAP-ENV:Text>'
                   b'</SOAP-ENV:Reason></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>')
# What a Hikvision answers instead of a SOAP fault (home-assistant/core#119107).
HIK_401 = (b"<?xml version='1.0' encoding='utf-8'?><head><title>Unauthorized</title></head><body>"
           b"<h2>Access Error: 401 -- Unauthorized</h2><pre></pre></body>")
# The same server's page for an address its Illegal Login Lock has shut out (quirk illegal_login_lock).
HIK_403 = (b"<?xml version='1.0' encoding='utf-8'?><head><title>Forbidden</title></head><body>"
           b"<h2>Access Error: 403 -- Forbidden</h2><pre></pre></body>")
# A fatal TLS alert record, handshake_failure (40), as a server that will not talk to this client sends it.
TLS_HANDSHAKE_FAILURE = b"\x15\x03\x03\x00\x02\x02\x28"
# An embedded web server's page beside a login prompt (quirk web_login_prompt), as Axis's and others' read.
WEB_401 = b"<HTML><HEAD><TITLE>401 Unauthorized</TITLE></HEAD><BODY><H1>401 Unauthorized</H1></BODY></HTML>"
Devices = dict[str, dict[str, Any]]
Log = Callable[..., None]


def _device_for(devices: Devices, sockname: Any, port_key: str) -> dict[str, Any] | None:
    if not sockname:
        return None
    device = devices.get(sockname[0])
    if device is None or device.get(port_key) != sockname[1]:
        return None
    return device


def _mangled_head(request: web.BaseRequest, size: int) -> bytes:
    """The request head as a Tapo's error path writes it back before its answer: the buffer its
    parser cut up in place, every separator after the method a NUL (home-assistant/core#85902)."""
    head = f"{request.method} {request.path_qs}\0HTTP/{request.version.major}.{request.version.minor}\0\0"
    head += "".join(f"{name}\0 {value}\0\0" for name, value in request.headers.items())
    return head.encode("latin-1", "replace")[:size]


def _peer(peername: Any) -> str:
    return f"{peername[0]}:{peername[1]}" if peername else "?"



class _OwnServerHeader:
    """aiohttp writes "Server: Python/… aiohttp/…" into any response without one; a device whose firmware
    sends no Server header (Dahua's web server) must not seem to run aiohttp. tests/simulator/test_banners.py
    checks the header is absent on the wire."""

    async def _prepare_headers(self) -> None:
        await super()._prepare_headers()  # type: ignore[misc]
        if self.headers.get(hdrs.SERVER) == SERVER_SOFTWARE:  # type: ignore[attr-defined]
            del self.headers[hdrs.SERVER]  # type: ignore[attr-defined]


class Response(_OwnServerHeader, web.Response):
    pass


class StreamResponse(_OwnServerHeader, web.StreamResponse):
    pass


class OnvifHttp:
    """aiohttp low-level handler: POST /onvif/* is SOAP, everything else the login page."""

    def __init__(self, devices: Devices, log: Log):
        self.devices = devices
        self.log = log
        self.server = web.Server(self.handle, access_log=None)
        # The same handler for requests that came over TLS (redirects_to_https): there the local
        # port is the device's HTTPS port.
        self.tls_server = web.Server(lambda request: self.handle(request, "https_port"), access_log=None)
        # A device's web UI on a port of its own (web_port): the login page, never SOAP.
        self.web_server = web.Server(lambda request: self.handle(request, "web_port"), access_log=None)
        self.failures: dict[str, int] = {}  # lockout quirk: failed logins per device
        self.locked_until: dict[str, float] = {}
        self.started = time.monotonic()  # illegal_login_lock: the address is shut out from the start
        self.nonces: dict[str, OrderedDict[str, None]] = {}  # replay_protection: accepted nonces per device
        self.answered: weakref.WeakSet[asyncio.BaseTransport] = weakref.WeakSet()  # one_request_per_connection

    async def handle(self, request: web.BaseRequest, port_key: str = "port") -> web.StreamResponse:
        transport = request.transport
        sockname = transport and transport.get_extra_info("sockname")
        device = _device_for(self.devices, sockname, port_key)
        if device is None and port_key == "port":  # a wildcard socket: one device's ONVIF port, another's web UI
            device = _device_for(self.devices, sockname, "web_port")
            port_key = "web_port" if device is not None else port_key
        src = _peer(transport and transport.get_extra_info("peername"))
        if device is None:
            return Response(status=404, text="no such device")
        if port_key == "port" and quirks.has(device, "redirects_to_https"):
            # Its http:// XAddrs stay as they are; the calls to them are sent to https:// (lumeohq/onvif-rs#39).
            self.log(device=device["address"], src=src, proto="http",
                     op=f"{request.method} {request.path} (302 to https)", auth="none")
            location = f"https://{device['address']}:{device['https_port']}{request.path_qs}"
            return Response(status=302, headers={"Location": location, **server_header(device["true_maker"])})
        if quirks.has(device, "one_request_per_connection") and transport is not None:
            if transport in self.answered:
                self.log(device=device["address"], src=src, proto="http", op="(dropped: reused connection)",
                         auth="none")
                transport.close()  # no answer, no Connection: close ever said: the client finds out now
                return Response(status=500)  # never reaches it
            self.answered.add(transport)
            after = float(quirks.param(device, "one_request_per_connection", "after_s"))
            asyncio.get_running_loop().call_later(after, transport.close)
        service = services.route(device, request.path) if request.method == "POST" and port_key != "web_port" else None
        if service is not None:
            answer = await self._soap(device, service, request, src)
            if answer.status == 500 and quirks.has(device, "echo_before_error") and transport is not None:
                transport.write(_mangled_head(request, int(quirks.param(device, "echo_before_error", "bytes"))))
            return await self._deliver(device, request, answer)
        self.log(device=device["address"], src=src, proto="https" if port_key == "https_port" else "http",
                 op=f"{request.method} {request.path}", auth="none")
        if port_key == "port" and device.get("web_port") is not None and request.method == "GET":
            # ONVIF beside the web UI is a gSOAP server without a GET handler: 405, a SOAP fault, its own
            # Server header (gSOAP's soap_default_fget: "HTTP GET method not implemented").
            return Response(status=405, body=GSOAP_GET_FAULT, content_type="application/soap+xml",
                            charset="utf-8", headers={"Server": "gSOAP/2.8"})
        if request.method != "GET" or request.path.startswith("/onvif/"):
            # an ONVIF path this device does not have, or a form post: what embedded web servers say
            return Response(status=404, text="404 Not Found", headers=server_header(device["true_maker"]))
        if quirks.has(device, "web_login_prompt") and request.path == "/":
            # No page until the browser's own prompt is answered; nothing here checks an answer to it.
            challenge = {**server_header(device["true_maker"]),
                         "WWW-Authenticate": auth.digest_challenge(device, realm=auth.web_realm(device))}
            return Response(status=401, body=WEB_401, content_type="text/html", headers=challenge)
        if quirks.has(device, "overstated_content_length") and transport is not None:
            return await self._overstated_page(device, transport)
        page = Response(body=login_page(device["true_maker"]), content_type="text/html",
                            charset="utf-8", headers=server_header(device["true_maker"]))
        return await self._deliver(device, request, page)

    async def _overstated_page(self, device: dict[str, Any], transport: asyncio.BaseTransport) -> web.StreamResponse:
        # aiohttp always sends the true length, so this answer is written to the socket by hand.
        body = login_page(device["true_maker"])
        declared = len(body) + int(quirks.param(device, "overstated_content_length", "extra_bytes"))
        server = "".join(f"Server: {v}\r\n" for v in server_header(device["true_maker"]).values())
        head = (f"HTTP/1.1 200 OK\r\n{server}Content-Type: text/html; charset=utf-8\r\n"
                f"Content-Length: {declared}\r\n\r\n")
        transport.write(head.encode() + body)  # type: ignore[attr-defined]
        await asyncio.sleep(float(quirks.param(device, "overstated_content_length", "hold_s")))
        transport.close()
        return Response(status=500)  # never reaches the client: the connection is gone

    async def _deliver(self, device: dict[str, Any], request: web.BaseRequest,
                       response: web.StreamResponse) -> web.StreamResponse:
        """The transfer quirks: gzip when the client allows it, chunks that arrive one by one."""
        chunked = quirks.has(device, "chunked_answers")
        gzipped = quirks.has(device, "gzip_when_asked") and "gzip" in request.headers.get("Accept-Encoding", "")
        if not isinstance(response, web.Response) or not (chunked or gzipped):
            return response
        body = response.body if isinstance(response.body, bytes) else b""
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        if gzipped:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
            if not chunked:
                return Response(body=body, status=response.status, headers=headers)
        size = int(quirks.param(device, "chunked_answers", "chunk_bytes"))
        pause = float(quirks.param(device, "chunked_answers", "pause_s"))
        stream = StreamResponse(status=response.status, headers=headers)
        stream.enable_chunked_encoding()
        await stream.prepare(request)
        for start in range(0, len(body), size):
            await stream.write(body[start:start + size])
            await asyncio.sleep(pause)  # each chunk its own segment, as on a real network
        await stream.write_eof()
        return stream

    async def _soap(self, device: dict[str, Any], service: str, request: web.BaseRequest,
                    src: str) -> web.StreamResponse:
        # The HTTP Date comes from the device's own (possibly skewed) clock, as on a real camera.
        headers = {**server_header(device["true_maker"]),
                   "Date": format_datetime(auth.device_now(device), usegmt=True)}
        if quirks.has(device, "hang"):
            self.log(device=device["address"], src=src, proto="onvif", op="(hang)", auth="none")
            await asyncio.Event().wait()  # never answers; aiohttp cancels us when the client leaves
        if quirks.has(device, "slow"):
            await asyncio.sleep(float(quirks.param(device, "slow", "delay")))
        body = await request.read()
        if quirks.has(device, "rejects_action_parameter") and "action=" in request.headers.get("Content-Type", ""):
            self.log(device=device["address"], src=src, proto="onvif", op="(action= refused)", auth="none")
            return self._reply(device, soap.wsa_action_not_supported(), 500, headers)
        if quirks.has(device, "empty_body_without_action") and "action=" not in request.headers.get(
                "Content-Type", ""):
            self.log(device=device["address"], src=src, proto="onvif", op="(no action)", auth="none")
            return Response(status=200, body=b"", headers={**headers, "Content-Type": SOAP12})
        try:
            req = soap.parse_request(body)
        except soap.BadRequest as exc:
            self.log(device=device["address"], src=src, proto="onvif", op="(bad request)", auth="none")
            return self._reply(device, soap.fault("Sender", "WellFormed", str(exc)), 400, headers)
        if quirks.has(device, "soap11_only") and req.envelope_namespace != soap.SOAP11_ENV:
            # Firmware built for SOAP 1.1 says nothing at all to a 1.2 envelope (OpenIPC/viewer#65).
            self.log(device=device["address"], src=src, proto="onvif", op=f"{req.op} (SOAP 1.2: empty answer)",
                     auth="none")
            return Response(status=200, body=b"", headers={**headers, "Content-Type": SOAP12})
        if quirks.has(device, "rejects_ws_addressing") and soap.has_ws_addressing(req.header):
            self.log(device=device["address"], src=src, proto="onvif", op=f"{req.op} (WS-Addressing refused)",
                     auth="none")
            return self._reply(device, soap.fault("Sender", "InvalidArgs", "WS-Addressing header not supported"),
                               400, headers)
        if service == "*":  # single_service_path: one URL for every service, the namespace decides
            service = services.service_of_namespace(req.namespace) or ""  # "": offered by no role
        verdict = "none"
        if auth.needs_auth(device, req.op) or req.header is not None:
            verdict = auth.check_username_token(device, req.header) if auth.takes_username_token(device) else "none"
            if verdict != "ok" and auth.challenges_with_digest(device):
                digest = auth.check_http_digest(device, request.method, request.headers.get("Authorization"))
                verdict = digest if digest != "none" else verdict
            if quirks.has(device, "basic_only"):  # logged as such: a client that sends Basic is seen doing it
                basic = auth.check_http_basic(device, request.headers.get("Authorization"))
                verdict = f"basic {basic}" if basic != "none" else verdict
        if verdict == "ok" and quirks.has(device, "replay_protection"):
            verdict = self._replay_check(device, auth.token_nonce(req.header))
        self.log(device=device["address"], src=src, proto="onvif", op=req.op, auth=verdict)
        if not services.offers(device, service):
            return self._reply(device, soap.action_not_supported(req.op), 500, headers)
        if quirks.has(device, "illegal_login_lock") and auth.needs_auth(device, req.op) and \
                time.monotonic() - self.started < float(quirks.param(device, "illegal_login_lock", "seconds")):
            return Response(status=403, body=HIK_403, content_type="text/html", headers=headers)
        if quirks.has(device, "lockout") and auth.needs_auth(device, req.op):
            refusal = self._lockout(device, verdict)
            if refusal is not None:
                return self._reply(device, soap.fault("Sender", "NotAuthorized", refusal), 400, headers)
        if auth.needs_auth(device, req.op) and verdict not in ("ok", "basic ok"):
            return self._unauthorized(device, headers, req)
        try:
            handler = services.operation(service, req.op)
            inner = handler(device, req)
        except services.Unsupported:
            return self._reply(device, soap.action_not_supported(req.op), 500, headers)
        except services.NoMethod:
            reason = f"Method 'tds:{req.op}' not implemented: method name or namespace not recognized"
            return self._reply(device, soap.fault_without_subcode("Sender", reason), 400, headers)
        except services.NotPermitted:
            return self._reply(device, soap.fault("Sender", "NotAuthorized", "Sender not authorized"), 400, headers)
        return self._reply(device, self._shape(device, req.op, inner), 200, headers)

    def _replay_check(self, device: dict[str, Any], nonce: str | None) -> str:
        """'ok' for a nonce this device has not accepted before, else 'replayed' (refused as unauthorized)."""
        if nonce is None:  # HTTP digest or a PasswordText token: nothing of WS-Security's to replay
            return "ok"
        seen = self.nonces.setdefault(device["address"], OrderedDict())
        if nonce in seen:
            return "replayed"
        seen[nonce] = None
        while len(seen) > int(quirks.param(device, "replay_protection", "remember")):
            seen.popitem(last=False)
        return "ok"

    def _lockout(self, device: dict[str, Any], verdict: str) -> str | None:
        """The fault text when the lockout quirk refuses this call, else None."""
        address = device["address"]
        loop = asyncio.get_running_loop()
        if self.locked_until.get(address, 0) > loop.time():
            return "Sender not Authorized. The account is locked; try again later."
        if verdict != "failed":
            if verdict == "ok":
                self.failures.pop(address, None)
            return None
        attempts = int(quirks.param(device, "lockout", "attempts"))
        self.failures[address] = self.failures.get(address, 0) + 1
        left = attempts - self.failures[address]
        if left <= 0:
            self.locked_until[address] = loop.time() + float(quirks.param(device, "lockout", "seconds"))
            self.failures.pop(address, None)
            return "Sender not Authorized. The account is locked; try again later."
        return f"Sender not Authorized. Invalid username or password! You still have {left} attempt(s)."

    def _unauthorized(self, device: dict[str, Any], headers: dict[str, str], req: soap.SoapRequest) -> web.Response:
        if auth.challenges_with_digest(device) or quirks.has(device, "basic_only"):
            # HTTP digest devices challenge at the HTTP layer, as real ones do.
            challenge = CIMultiDict(headers)
            for line in auth.challenge_lines(device):
                challenge.add("WWW-Authenticate", line)
            if quirks.has(device, "digest_only"):
                # A Hikvision in 'Digest' mode sends its HTML page with the challenge (home-assistant/core#119107).
                return Response(status=401, body=HIK_401, content_type="text/html", headers=challenge)
            return Response(status=401, text="Unauthorized", headers=challenge)
        if quirks.has(device, "http_401_on_bad_auth"):
            return Response(status=401, body=HIK_401, content_type="text/html", headers=headers)
        if quirks.has(device, "invalid_security_fault"):
            return self._reply(device, soap.invalid_security(), 400, headers)
        if quirks.has(device, "time_check_fault") and auth.token_is_stale(device, req.header):
            return self._reply(device, soap.fault("Sender", "NotAuthorized", "Wsse authorized time check failed."),
                               400, headers)
        return self._reply(device, soap.not_authorized(), 400, headers)

    def _reply(self, device: dict[str, Any], payload: bytes, status: int, headers: dict[str, str]) -> web.Response:
        if quirks.has(device, "bom_prefix"):
            payload = b"\xef\xbb\xbf\n" + payload
        if quirks.has(device, "fault_undeclared_prefix") and b"<env:Fault>" in payload:
            payload = payload.replace(f' xmlns:ter="{soap.NS["ter"]}"'.encode(), b"")
        soap11_only = quirks.has(device, "soap11_only")
        if quirks.has(device, "soap11_envelope") or soap11_only:
            payload = soap.as_soap11(payload)
        ctype = "text/xml; charset=utf-8" if quirks.has(device, "soap11_content_type") or soap11_only else SOAP12
        return Response(body=payload, status=status, headers={**headers, "Content-Type": ctype})

    def _shape(self, device: dict[str, Any], op: str, inner: str) -> bytes:
        """Apply the payload quirks to a successful answer."""
        if op == "GetDeviceInformation" and quirks.has(device, "huge_response"):
            size = int(float(quirks.param(device, "huge_response", "megabytes")) * 1024 * 1024)
            inner = inner.replace("</tds:GetDeviceInformationResponse>",
                                  f"<!-- {'x' * size} --></tds:GetDeviceInformationResponse>")
        if op == "GetDeviceInformation" and quirks.has(device, "entity_expansion"):
            laughs = ['<!ENTITY lol0 "lol">'] + [
                f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
            prolog = f'<?xml version="1.0"?>\n<!DOCTYPE env:Envelope [{"".join(laughs)}]>\n'
            inner = inner.replace("</tds:Model>", "&lol9;</tds:Model>")
            return soap.envelope(inner, prolog=prolog)
        if op == "GetHostname" and quirks.has(device, "gbk_strings"):
            name = soap.esc(device["hostname"])
            return soap.envelope(inner).replace(f"{name}</tt:Name>".encode(),
                                                name.encode() + "摄像头".encode("gbk") + b"</tt:Name>")
        if quirks.has(device, "malformed_xml") and auth.needs_auth(device, op):
            whole = soap.envelope(inner)
            return whole[: len(whole) * 2 // 3] + b"<tt:Broken attr=></env:Body>"
        return soap.envelope(inner)


class Rtsp(asyncio.Protocol):
    """Answers RTSP OPTIONS with the true maker's Server header; DESCRIBE asks for auth."""

    def __init__(self, devices: Devices, log: Log):
        self.devices = devices
        self.log = log
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.data_received(b"")  # the request may have come with the client's Finished, before us

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > 65536 and self.transport is not None:
            self.transport.close()  # type: ignore[union-attr]
            return
        while b"\r\n\r\n" in self.buffer:
            head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
            self._answer(head.decode("latin-1"))

    def _answer(self, head: str) -> None:
        assert self.transport is not None
        device = _device_for(self.devices, self.transport.get_extra_info("sockname"), "rtsp_port")
        if device is None:
            self.transport.close()
            return
        lines = head.split("\r\n")
        method = lines[0].split(" ", 1)[0].upper()
        cseq = next((ln.split(":", 1)[1].strip() for ln in lines[1:] if ln.lower().startswith("cseq:")), "0")
        # An Authorization line is logged as "sent" (never checked: no stream is served), so a test can
        # tell a fingerprint probe that sent none from a client that tried to log in.
        sent = any(ln.lower().startswith("authorization:") for ln in lines[1:])
        self.log(device=device["address"], src=_peer(self.transport.get_extra_info("peername")), proto="rtsp",
                 op=method, auth="sent" if sent else "none")
        server = banner_for(device["true_maker"]).rtsp_server
        if method == "OPTIONS":
            status, extra = "200 OK", "Public: OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER\r\n"
        elif method == "DESCRIBE":
            status, extra = "401 Unauthorized", f"WWW-Authenticate: {auth.digest_challenge(device)}\r\n"
        else:
            status, extra = "455 Method Not Valid in This State", ""
        server_line = f"Server: {server}\r\n" if server else ""
        answer = f"RTSP/1.0 {status}\r\nCSeq: {cseq}\r\n{server_line}{extra}\r\n"
        if quirks.has(device, "rtsp_odd_headers"):  # Hisilicon's and TP-Link's spellings (go2rtc#999)
            answer = answer.replace(f"CSeq: {cseq}\r\n", "Cseq: 0\r\n", 1).replace("WWW-Authenticate:",
                                                                                  "Www-Authenticate:")
        if quirks.has(device, "rtsp_bare_lf"):
            answer = answer.replace("\r\n", "\n")
        self.transport.write(answer.encode())


class Https:
    """TLS login page; the certificate (true maker) is chosen at accept, from the local address.

    TLS runs over memory BIOs inside the connection's own protocol rather than through
    loop.start_tls: the certificate is picked in connection_made, before a single byte is read,
    so a ClientHello sent at once is never lost. (start_tls needs reading paused in connection_made,
    which asyncio's loop honours and uvloop's does not: it starts reading right after.)
    """

    LIFETIME_S = 10.0  # a connection is closed this long after accept, finished or not

    def __init__(self, devices: Devices, log: Log, onvif: OnvifHttp):
        self.devices = devices
        self.log = log
        self.onvif = onvif

    def protocol(self) -> asyncio.Protocol:
        return _HttpsConnection(self)


class _TlsSide(asyncio.Transport):
    """The plaintext side of a TLS connection, for an aiohttp handler: what it writes is encrypted."""

    def __init__(self, connection: _HttpsConnection):
        super().__init__()
        self._connection = connection
        self._outer = connection.transport

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._connection.tls is not None and not self._outer.is_closing():
            self._connection.tls.write(bytes(data))
            self._connection._flush()

    def writelines(self, list_of_data) -> None:
        for data in list_of_data:
            self.write(data)

    def close(self) -> None:
        if not self._outer.is_closing():
            self._connection._goodbye()

    def abort(self) -> None:
        self._outer.abort()

    def is_closing(self) -> bool:
        return self._outer.is_closing()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._outer.get_extra_info(name, default)

    def pause_reading(self) -> None:
        self._outer.pause_reading()

    def resume_reading(self) -> None:
        self._outer.resume_reading()

    def is_reading(self) -> bool:
        return self._outer.is_reading()

    def get_write_buffer_size(self) -> int:
        return self._outer.get_write_buffer_size()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._outer.set_write_buffer_limits(high, low)

    def can_write_eof(self) -> bool:
        return False


class _HttpsConnection(asyncio.Protocol):
    """One TLS connection: handshake, one HTTP/1.1 request, the login page, close.

    A device that serves ONVIF over HTTPS (redirects_to_https, https_xaddrs, dual_scheme_xaddrs, split_scheme_xaddrs)
    hands the decrypted stream to the same aiohttp handler as its HTTP port instead, kept alive like any HTTP connection.
    """

    def __init__(self, https: Https):
        self.https = https
        self.transport: asyncio.Transport | None = None
        self.incoming, self.outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.tls: ssl.SSLObject | None = None
        self.device: dict[str, Any] | None = None
        self.request = b""
        self.deadline: asyncio.TimerHandle | None = None
        self.plaintext: asyncio.Protocol | None = None  # the aiohttp handler, for ONVIF over HTTPS

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.device = _device_for(self.https.devices, transport.get_extra_info("sockname"), "https_port")
        if self.device is None:
            transport.close()
            return
        context = ssl_context(self.device["true_maker"], legacy=quirks.has(self.device, "legacy_tls"),
                              hostname=self.device["hostname"] if quirks.has(self.device, "cert_names_hostname") else None)
        self.tls = context.wrap_bio(self.incoming, self.outgoing, server_side=True)
        # A client that never finishes its handshake must not hold the connection for ever.
        lifetime = float(quirks.param(self.device, "tls_no_close_notify", "seconds")) if quirks.has(
            self.device, "tls_no_close_notify") else self.https.LIFETIME_S
        self.deadline = asyncio.get_running_loop().call_later(lifetime, transport.close)
        if any(quirks.has(self.device, name) for name in ("redirects_to_https", "https_xaddrs", "dual_scheme_xaddrs",
                                                                  "split_scheme_xaddrs")):
            self.plaintext = self.https.onvif.tls_server()
            self.plaintext.connection_made(_TlsSide(self))

    def connection_lost(self, exc: Exception | None) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
        if self.plaintext is not None:
            self.plaintext.connection_lost(exc)
        if self.device is not None and quirks.has(self.device, "tls_no_close_notify"):
            # When the client let go is what the quirk is about: logged, so tests can tell.
            self.https.log(device=self.device["address"], src="?", proto="https", op="(connection closed)",
                           auth="none")

    def data_received(self, data: bytes) -> None:
        if self.tls is None or self.transport is None or self.transport.is_closing():
            return
        if quirks.has(self.device, "tls_handshake_alert"):  # type: ignore[arg-type]
            self.https.log(device=self.device["address"], src=_peer(self.transport.get_extra_info("peername")),  # type: ignore[index]
                           proto="https", op="(TLS handshake refused)", auth="none")
            self.transport.write(TLS_HANDSHAKE_FAILURE)
            self.transport.close()
            return
        self.incoming.write(data)
        try:
            self.tls.do_handshake()  # returns at once when the handshake is already done
            while chunk := self.tls.read(65536):
                if self.plaintext is not None:
                    self.plaintext.data_received(chunk)
                    continue
                self.request += chunk
            # b"" (not SSLWantReadError): the client said close_notify. Say it back and close, or
            # its TLS transport waits out its shutdown timeout (asyncio's: 30 s) holding its buffers.
            if not quirks.has(self.device, "tls_no_close_notify"):  # type: ignore[arg-type]
                self._goodbye()
            return
        except ssl.SSLWantReadError:
            pass
        except (ssl.SSLError, ssl.SSLEOFError):  # a bad client never stops the lab
            self.transport.close()
            return
        if self.plaintext is not None:
            pass  # aiohttp has the request
        elif len(self.request) > 65536:
            self.transport.close()
        elif b"\r\n\r\n" in self.request:
            self._answer()
        self._flush()

    def _answer(self) -> None:
        assert self.tls is not None and self.transport is not None and self.device is not None
        request_line = self.request.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
        self.https.log(device=self.device["address"], src=_peer(self.transport.get_extra_info("peername")),
                       proto="https", op=" ".join(request_line[:2]), auth="none")
        body = login_page(self.device["true_maker"])
        server = "".join(f"Server: {v}\r\n" for v in server_header(self.device["true_maker"]).values())
        self.tls.write(f"HTTP/1.1 200 OK\r\n{server}Content-Type: text/html; charset=utf-8\r\n"
                       f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
        self._goodbye()

    def _goodbye(self) -> None:
        assert self.tls is not None and self.transport is not None
        try:
            self.tls.unwrap()  # close_notify, as a real server says goodbye
        except ssl.SSLError:
            pass
        self._flush()
        self.transport.close()

    def _flush(self) -> None:
        pending = self.outgoing.read()
        if pending and self.transport is not None and not self.transport.is_closing():
            self.transport.write(pending)
