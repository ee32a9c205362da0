"""ONVIF calls through onvif-zeep-async, shared by every device a process interrogates.

onvif-zeep-async's `ONVIFCamera` builds an aiohttp session, a connector and
zeep clients per device and per service: fine for one camera, too heavy for
10,000. Here one process holds ONE aiohttp session and ONE zeep client per
service, built on the library's own cached WSDL documents (`_cached_document`),
its aiohttp transport and its `UsernameDigestTokenDtDiff`. What differs per
device (credential, clock skew, HTTP digest state, evidence) lives in a
context variable, so concurrent devices never see each other's state.

zeep would accept a truncated or hostile body as if it were fine, so every
body is checked before zeep sees it: a size cap, Content-Length against what
arrived, and a strict parse that refuses DTDs and entities (scanner/safexml.py).
"""

from __future__ import annotations

import asyncio
import contextvars
import copy
import hashlib
import os
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import hdrs
from multidict import CIMultiDict, CIMultiDictProxy
from onvif.client import _WSDL_PATH, UsernameDigestTokenDtDiff, ZeepAsyncClient, _cached_document
from onvif.definition import SERVICES
from onvif.zeep_aiohttp import AIOHTTPTransport
from zeep.exceptions import Fault
from zeep.wsdl.utils import etree_to_string

from .challenges import challenged_realm, digest_challenge, scheme_of, split_challenges
from .credentials import Credential
from .httpbody import BodyCutShort, header_text, read_capped
from .redirects import REDIRECT_STATUSES, on_origin, origin, rebased, remember, same_device_target
from .responses import ResponseStore
from .safexml import MalformedXml, UnsafeXml, local_name, parse_untrusted, repair_characters
from .tls import tls_context

MAX_BODY_BYTES = 1_000_000  # any answer about the device itself; a hostile 5 MB one is refused
# Answers that list something per channel grow with the recorder. A 64-channel NVR's GetProfiles is
# ~300 kB bare, and analytics rules attached to every profile multiply it (a Hanwha engineer's
# "GetProfiles response is becoming huge", onvif/specs#225): these may be larger, still bounded.
MAX_LIST_BODY_BYTES = 8_000_000
_LIST_OPERATIONS = frozenset({"GetProfiles", "GetVideoSources", "GetRecordings"})


def body_cap(operation: str) -> int:
    """The most bytes an answer to `operation` may have before it is refused as hostile."""
    return MAX_LIST_BODY_BYTES if operation in _LIST_OPERATIONS else MAX_BODY_BYTES


class SoapProblem(Exception):
    """The device answered, but not with something we can trust. `kind` maps to a device status."""

    def __init__(self, kind: str, reason: str):
        super().__init__(reason)
        self.kind = kind  # protocol_error | auth_failed
        self.reason = reason


@dataclass
class DeviceContext:
    """Per-device state the shared transport and WS-Security header read."""

    credential: Credential | None
    dt_diff: timedelta | None = None
    use_wsse: bool = True
    # HTTP digest, per origin (scheme://host:port) that asked for it: aiohttp's middleware keeps its
    # credentials to the first origin it serves, and a device may serve its device service on https://
    # and its media service on http:// (Apra-Labs/ONVIF-Device-Manager#28), each asking on its own.
    digests: dict[str, DigestAmongChallenges] = field(default_factory=dict)
    bodies: dict[str, str] = field(default_factory=dict)  # operation -> SHA-256 of the raw body
    http_date: str | None = None  # the Date header of the device's latest answer: its clock, when ONVIF refuses
    # Requests in flight to this device at once. Three lets a device that takes seconds per answer
    # fit its deadline; one that answered its first call quickly gets one, so all its calls share a
    # single kept-alive connection (each new one costs both sides a TCP set-up and a server handler).
    lanes: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(3))
    # The outcome of the device's first signed call (True accepted, False refused, None unknown).
    # Its other signed calls wait for it and are not sent at all after a refusal: Dahua/IMOU lock
    # an account after a few failed logins (home-assistant/core#147404), and five calls refused at
    # once would lock the camera out of its own VMS because our password was wrong.
    first_signed: asyncio.Future | None = None
    # What was mended in its answers (safexml.repair_characters), for the device's status_reason.
    repairs: list[str] = field(default_factory=list)
    # Set when the device dropped a kept-alive connection: from then on, a new one per request.
    one_connection_per_request: bool = False
    # Set once the clock step has its answer (or gave up): `lanes` is final from then on, so a
    # side request to the same web server (the login page) can queue on the kept-alive connection.
    clock_done: asyncio.Event = field(default_factory=asyncio.Event)
    # Set once the device answered a request only when it was asked again in SOAP 1.1: from then
    # on every request goes in SOAP 1.1 (_CheckedTransport._send).
    soap11: bool = False
    # Where its raw answers are kept as evidence (--keep-responses), if anywhere (responses.py). Its answers
    # wait here until the device is done, and only those a field cites are written (keep_cited): a refusal
    # or a fallback's fault is read and hashed like any answer, but no field stands on it.
    responses: ResponseStore | None = None
    answers: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # digest -> (raw, kind)
    unkept: set[str] = field(default_factory=set)  # digests whose answer could not be written there
    unkept_note: str | None = None  # why, for status_reason (a failed device's reason carries it too)
    # Set once the device refused a Content-Type with action= and answered without it (Illustra).
    no_action_parameter: bool = False
    # The clock its HTTP Date header told, when that disagrees with GetSystemDateAndTime: tried once
    # for the tokens if the device refuses the first signed call (probes/onvif_device.Clock).
    second_clock: timedelta | None = None
    # How status_reason says the second clock was used ({offset}: how far it is off the first); None: the
    # HTTP Date standing in for GetSystemDateAndTime's UTC.
    second_clock_note: str | None = None
    # Where the device moved its service URLs (a redirect, or an XAddr on a dead port): later calls
    # go straight there (scanner/redirects.py).
    moved: dict[str, str] = field(default_factory=dict)
    # The first scheme://host:port that answered it, where XAddrs on a dead port are sent instead.
    answering_origin: str | None = None
    # The realm of the first HTTP 401 an ONVIF call got, with that call and the digest of its challenge:
    # the device's maker often names itself there (scanner/challenges.py); a fingerprint, read at no cost.
    http_realm: tuple[str, str, str] | None = None

    def note(self, text: str) -> None:
        """Something about how the device answers, once, for its status_reason."""
        if text not in self.repairs:
            self.repairs.append(text)

    def keep_cited(self, digests: set[str]) -> None:
        """Write the answers behind `digests` to the response store; a write that fails (a full disk)
        costs the kept copy, never the device's data: it is noted once and its digest marked unkept."""
        if self.responses is None:
            return
        for digest in sorted(digests):
            if digest not in self.answers:
                continue
            raw, kind = self.answers[digest]
            try:
                self.responses.keep(raw, digest, kind)
            except OSError as exc:
                self.unkept.add(digest)
                if self.unkept_note is None:
                    self.unkept_note = (f"evidence: its answers could not be kept in {self.responses.directory} "
                                        f"({exc.strerror or exc})")
                    self.note(self.unkept_note)
        self.answers.clear()


_DEVICE: contextvars.ContextVar[DeviceContext] = contextvars.ContextVar("cctv_device")
# The operation in flight: task-local, because one device's steps run concurrently.
_OP: contextvars.ContextVar[str] = contextvars.ContextVar("cctv_operation", default="")
_MAX_REDIRECTS = 3
@dataclass(frozen=True, slots=True)
class _AskAgainWithDigest:
    """_exchange's answer when a request sent without digest was challenged for it, at `origin`."""

    origin: str


# Tries of one call while origins ask for digest: each asks once (a device's device service and its media
# may be two origins, and a redirect a third); a device that keeps asking from new ones is not followed.
_MAX_DIGEST_ORIGINS = 3
# Some firmwares put a BOM and a newline before <?xml; everything else about them is fine.
_LEADING_JUNK = b"\xef\xbb\xbf \t\r\n"
# Cheap cameras, some Hikvision NVRs and rpos answer ONVIF's SOAP 1.2 in SOAP 1.1 envelopes
# (mvantellingen/python-zeep#126, evercam/evercam-server#211, BreeeZe/rpos#6); zeep's 1.2 binding
# then finds no Envelope and the whole device is lost. The envelope's namespace is swapped back.
_SOAP11_ENVELOPE = b"http://schemas.xmlsoap.org/soap/envelope/"
_SOAP12_ENVELOPE = b"http://www.w3.org/2003/05/soap-envelope"
_SOAP11_ROOT = "{" + _SOAP11_ENVELOPE.decode() + "}Envelope"
_SOAP11_NOTE = "answers in SOAP 1.1 envelopes (read as SOAP 1.2)"
_SOAP11_ONLY_NOTE = "answers only requests in SOAP 1.1 (asked in SOAP 1.1)"
_SOAP11_CONTENT_TYPE = "text/xml; charset=utf-8"  # SOAP 1.1's; the action goes in SOAPAction, as zeep already sets it


def _as_soap11_request(message: bytes, headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    """The same request in a SOAP 1.1 envelope, for firmware that reads nothing else.

    The ONVIF WSDLs bind SOAP 1.2 only, so zeep has no 1.1 binding to build it with. The two
    envelopes differ in their namespace and in how the action travels; zeep's serializer already
    puts the action in a SOAPAction header, which is where 1.1 wants it.
    """
    return message.replace(_SOAP12_ENVELOPE, _SOAP11_ENVELOPE), {**headers, "Content-Type": _SOAP11_CONTENT_TYPE}


def _asks_for_soap11(result) -> bool:
    """An answer that says "not in SOAP 1.2": an empty body, or a VersionMismatch fault.

    Firmware built for SOAP 1.1 answers a 1.2 request with HTTP 200 and no body at all (a Hikvision
    dome: OpenIPC/viewer#65); a SOAP 1.1 node that follows its spec sends a VersionMismatch fault.
    Any other fault is an answer, and the device is not asked twice.
    """
    if result.root is None:
        return True
    answer = result.answer
    return (answer is not None and local_name(answer.tag) == "Fault"
            and any(code.rpartition(":")[2] == "VersionMismatch" for code in _fault_codes(answer)))


_NO_ACTION_NOTE = "refuses an action= in the Content-Type (asked without it)"
_WSA_NAMESPACES = frozenset({"http://www.w3.org/2005/08/addressing", "http://schemas.xmlsoap.org/ws/2004/08/addressing"})


def _without_action(headers: dict[str, str]) -> dict[str, str]:
    """The headers with the action= parameter taken out of the SOAP 1.2 Content-Type."""
    kept = [p for p in headers.get("Content-Type", "").split(";") if not p.strip().startswith("action=")]
    return {**headers, "Content-Type": ";".join(kept)}


def _refuses_action_parameter(result) -> bool:
    """WS-Addressing's own ActionNotSupported fault ("The [action] cannot be processed at the receiver."),
    told apart from ONVIF's ter:ActionNotSupported (an operation the device lacks) by its namespace."""
    answer = result.answer
    if answer is None or local_name(answer.tag) != "Fault":
        return False
    for value in answer.iter():
        if local_name(value.tag) != "Value":
            continue
        prefix, _, name = (value.text or "").strip().rpartition(":")
        if name == "ActionNotSupported" and value.nsmap.get(prefix or None) in _WSA_NAMESPACES:
            return True
    return "[action] cannot be processed" in _squeeze(answer)


def _fault_codes(fault) -> list[str]:
    """A Fault's code and subcodes, outermost first: SOAP 1.2 Code/Value, or SOAP 1.1 faultcode."""
    return [(e.text or "").strip() for e in fault.iter() if local_name(e.tag) in ("Value", "faultcode")]


_WSSE_TOKEN = "{http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd}UsernameToken"


def _resigned(envelope, headers: dict[str, str]):
    """The envelope with its UsernameToken made afresh, by the device's clock as it now stands."""
    for token in list(envelope.iter(_WSSE_TOKEN)):
        token.getparent().remove(token)
    return _DeviceWsse().apply(envelope, headers)


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:+.1f} h" if abs(hours) >= 1 else f"{delta.total_seconds():+.0f} s"


class _DeviceWsse:
    """zeep `wsse` plugin that signs with the credential and clock skew of the current device."""

    def apply(self, envelope, headers):
        ctx = _DEVICE.get()
        if ctx.credential is None or not ctx.use_wsse:
            return envelope, headers
        # use_digest: the password goes as SHA-1(nonce + created + password), never in clear text
        # (the library's default is PasswordText; ONVIFCamera turns digest on the same way).
        token = UsernameDigestTokenDtDiff(ctx.credential.username, ctx.credential.password, dt_diff=ctx.dt_diff,
                                          use_digest=True)
        return token.apply(envelope, headers)

    def verify(self, envelope):
        return envelope


# WS-Security's own refusals (FailedAuthentication, InvalidSecurity) count as well as ONVIF's: Hikvision
# DVRs refuse a wrong password or a badly dated token with wsse:InvalidSecurity, "An error was discovered
# processing the <wsse:Security> header" (home-assistant/core#93079; Victure, agsh/onvif#169).
_REFUSALS = ("notauthorized", "not authorized", "failedauthentication", "invalidsecurity")


def _refuses_credentials(text: str) -> bool:
    """The one rule for "this fault refuses the credentials": ter:NotAuthorized, WS-Security's subcodes and
    the texts devices use."""
    text = text.casefold()
    return any(refusal in text for refusal in _REFUSALS)


def _answer_element(root):
    """The first element of the SOAP Body (the answer or a Fault); None when there is none."""
    body = next((child for child in (root if root is not None else ()) if local_name(child.tag) == "Body"), None)
    return next(iter(body), None) if body is not None else None


def _squeeze(element) -> str:
    return " ".join(" ".join(element.itertext()).split())


def _raise_if_fault(operation: str, answer) -> None:
    """The one reading of a SOAP Fault, from the checked tree, for every call.

    zeep's own fault parser resolves the Subcode QName and raises XMLParseError when its prefix is
    not declared (Wanscam sends `ter:` undeclared: mvantellingen/python-zeep#1205), which would end
    a device over a refused optional call. Here the text is read as text.
    """
    if answer is None or local_name(answer.tag) != "Fault":
        return
    text = _squeeze(answer)
    # SOAP 1.2 says Code/Value and Reason; SOAP 1.1 (soap11 answers, above) faultcode and faultstring.
    reason = next((_squeeze(e) for e in answer.iter() if local_name(e.tag) in ("Reason", "faultstring")), "") or text
    if _refuses_credentials(text):
        raise SoapProblem("auth_failed", f"{operation}: device refused the credentials ({reason[:200]})")
    values = _fault_codes(answer)
    raise Fault(f"{operation}: {reason[:200]}", code=values[0] if values else None, subcodes=values[1:] or None)


class _CheckedTransport(AIOHTTPTransport):
    """The library's aiohttp transport, with the body checked and fingerprinted before zeep parses it."""

    _one_shot: aiohttp.ClientSession | None = None  # for devices that drop kept-alive connections

    async def post_xml(self, address, envelope, headers):
        ctx = _DEVICE.get()
        operation = _OP.get()
        message = etree_to_string(envelope)
        headers = dict(headers or {})
        headers.setdefault("Content-Type", 'application/soap+xml; charset="utf-8"')
        if ctx.credential is None or not ctx.use_wsse:
            return await self._send(address, message, headers, operation, ctx)
        if ctx.first_signed is not None:
            dated_by = ctx.dt_diff
            accepted = await asyncio.shield(ctx.first_signed)
            if accepted is False:
                raise SoapProblem("auth_failed", f"{operation}: not sent: the device already refused the "
                                                 "credentials (a second refusal could lock the account)")
            if ctx.dt_diff != dated_by:  # signed while the first call waited, by the clock it gave up
                envelope, headers = _resigned(envelope, headers)
                message = etree_to_string(envelope)
            return await self._send(address, message, headers, operation, ctx)
        ctx.first_signed = asyncio.get_running_loop().create_future()
        outcome: bool | None = None
        try:
            result = await self._first_signed(address, envelope, message, headers, operation, ctx)
            outcome = not getattr(result, "auth_refused", False)
            return result
        except SoapProblem as problem:
            outcome = False if problem.kind == "auth_failed" else None
            raise
        finally:
            ctx.first_signed.set_result(outcome)

    async def _first_signed(self, address: str, envelope, message: bytes, headers: dict[str, str], operation: str,
                            ctx: DeviceContext):
        """The device's first signed call; refused while its two clocks disagree, signed once more by the other.

        A second try is a second failed login when the password is wrong (Dahua locks accounts after a
        few), so it is made only when GetSystemDateAndTime and the HTTP Date disagree.
        """
        try:
            result = await self._send(address, message, headers, operation, ctx)
            if not getattr(result, "auth_refused", False) or ctx.second_clock is None:
                return result
        except SoapProblem as problem:
            if problem.kind != "auth_failed" or ctx.second_clock is None:
                raise
            result = problem
        primary, ctx.dt_diff, ctx.second_clock = ctx.dt_diff, ctx.second_clock, None
        envelope, headers = _resigned(envelope, headers)
        try:
            retry = await self._send(address, etree_to_string(envelope), headers, operation, ctx)
        except SoapProblem as problem:
            if problem.kind != "auth_failed":
                raise
            retry = None
        if retry is None or getattr(retry, "auth_refused", False):
            ctx.dt_diff = primary  # refused by either clock: the password, most likely
            if isinstance(result, SoapProblem):
                raise result
            return result
        if ctx.second_clock_note:
            ctx.note(ctx.second_clock_note.format(offset=_hours(primary - ctx.dt_diff)))
        else:
            ctx.note(f"GetSystemDateAndTime's UTC is {_hours(primary - ctx.dt_diff)} off its HTTP Date, "
                     "which its tokens were dated by instead")
        return retry

    async def _send(self, address: str, message: bytes, headers: dict[str, str], operation: str,
                    ctx: DeviceContext):
        if ctx.soap11:
            return await self._send_once(address, *_as_soap11_request(message, headers), operation, ctx)
        if ctx.no_action_parameter:
            headers = _without_action(headers)
        result = await self._send_once(address, message, headers, operation, ctx)
        if _asks_for_soap11(result):
            retry = await self._ask_again(address, *_as_soap11_request(message, headers), operation, ctx)
            if retry is None or retry.root is None:
                return result  # no envelope either way: the first answer stands
            if not ctx.soap11:
                ctx.soap11 = True
                # Its answers come in 1.1 envelopes because it was asked in 1.1: no quirk of their own.
                ctx.repairs[:] = [*(r for r in ctx.repairs if r != _SOAP11_NOTE), _SOAP11_ONLY_NOTE]
            return retry
        if not ctx.no_action_parameter and _refuses_action_parameter(result):
            # Illustra refuses an action= in the Content-Type (agsh/onvif#302); Pelco answers nothing
            # without it (agsh/onvif#497). It goes by default, and is left out for a device that refuses it.
            retry = await self._ask_again(address, message, _without_action(headers), operation, ctx)
            if retry is None or retry.root is None or _refuses_action_parameter(retry):
                return result
            ctx.no_action_parameter = True
            ctx.note(_NO_ACTION_NOTE)
            return retry
        return result

    async def _ask_again(self, address: str, message: bytes, headers: dict[str, str], operation: str,
                         ctx: DeviceContext):
        """The same request once more, in another form; None when that got no answer at all."""
        try:
            return await self._send_once(address, message, headers, operation, ctx)
        except SoapProblem as problem:
            if problem.kind == "auth_failed":
                raise  # an answer: it refused the credentials
            return None
        except aiohttp.ClientError:
            return None

    async def _send_once(self, address: str, message: bytes, headers: dict[str, str], operation: str,
                         ctx: DeviceContext):
        challenged: set[str] = set()  # origins that asked this call for digest
        for _ in range(_MAX_DIGEST_ORIGINS + 1):
            # HTTP digest is only engaged once the device asked for it: most devices use
            # WS-UsernameToken, and aiohttp's middleware costs something on every request.
            on_kept_alive = not ctx.one_connection_per_request
            try:
                result = await self._exchange(address, message, headers, operation, ctx)
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientConnectionResetError):
                # Some firmwares (Thingino) close the connection after every answer without saying
                # Connection: close, so a request on the kept-alive one finds it dead
                # (openvideolibs/python-onvif-zeep-async#140; the library retries once, but its
                # retry may take another such connection from the pool). These errors mean the
                # request never reached the device; ours are all Get* reads. So: once more, and
                # from now on a connection of its own for every request to this device. A request that
                # went out on the pool before another one made the switch is sent again too (they go
                # out three at once); one dropped on a connection of its own is the device's answer.
                if not on_kept_alive:
                    raise
                ctx.one_connection_per_request = True
                result = await self._exchange(address, message, headers, operation, ctx)
            if not isinstance(result, _AskAgainWithDigest):
                return result
            if result.origin in challenged:
                break  # asked again where it already had digest: no such answer comes from _answered
            challenged.add(result.origin)
        raise SoapProblem("auth_failed", f"{operation}: HTTP 401 asking for HTTP digest again after it was "
                                         f"answered ({', '.join(sorted(challenged))})")

    def _session_for(self, ctx: DeviceContext) -> aiohttp.ClientSession:
        if not ctx.one_connection_per_request:
            return self.session
        if self._one_shot is None:  # made on first need, in the running loop; closed by close()
            self._one_shot = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(force_close=True, limit=0, ssl=tls_context()),
                timeout=self.session.timeout, auto_decompress=False, headers={"Accept-Encoding": "identity"})
        return self._one_shot

    async def close(self) -> None:
        if self._one_shot is not None:
            await self._one_shot.close()

    async def _exchange(self, address: str, message: bytes, headers: dict[str, str], operation: str,
                        ctx: DeviceContext):
        url = rebased(address, ctx.moved)
        for _ in range(_MAX_REDIRECTS + 1):
            digest = ctx.digests.get(origin(url))
            middlewares = (digest,) if digest is not None else ()
            try:
                # Redirects are ours to follow, not aiohttp's: it would turn a 302'd POST into a GET,
                # and follow a 307 to any host with the signed request (scanner/redirects.py).
                async with ctx.lanes, self._session_for(ctx).post(url, data=message, headers=headers,
                                                                  middlewares=middlewares,
                                                                  allow_redirects=False) as response:
                    if response.status not in REDIRECT_STATUSES:
                        ctx.answering_origin = ctx.answering_origin or origin(url)
                        return await self._answered(response, operation, ctx, url, digest)
                    # Its body is not read (a hostile one could be endless): leaving it unread closes
                    # that connection, and the target is usually another origin anyway.
                    status, location = response.status, response.headers.get("Location", "")
            except aiohttp.ClientConnectorSSLError as exc:
                # The device took the TCP connection and then broke off TLS (a handshake_failure alert, no
                # suite in common, a reset mid-handshake): it is there and answering, only not in a way we
                # can read. Not `unreachable`, which tells the site to look for a dead cable.
                said = getattr(exc.os_error, "reason", None) or " ".join(str(exc.os_error).split())[:200]
                raise SoapProblem("protocol_error", f"{operation}: TLS handshake with {origin(url)} failed "
                                                    f"({header_text(str(said))})") from None
            except aiohttp.ClientConnectorError:
                # A service XAddr on a port where nothing listens, on a device whose device service just
                # answered on another (OpenIPC/viewer#67: XAddrs that do not match where ONVIF listens).
                # That is the XAddr's fault, not the device being gone: it is called where it answers.
                fallback = on_origin(url, ctx.answering_origin) if ctx.answering_origin else None
                if fallback is None:
                    raise
                remember(ctx.moved, address, fallback)
                ctx.note(f"service XAddrs name {origin(url)}, where nothing answers; called at {ctx.answering_origin}")
                url = fallback
                continue
            except aiohttp.ClientResponseError as exc:
                # No HTTP head could be read: a bad status line, a header too long. Tapo firmware writes
                # the request back before each HTTP 500 ("POST /onvif/service\x00HTTP/1.1\x00\x00Host\x00
                # …HTTP/1.1 500": home-assistant/core#85902), so on an optional call this is a garbled
                # refusal, not a reason to give up the device. aiohttp's message spans lines: folded.
                said = header_text(" ".join(str(exc.message).split())[:200])
                raise SoapProblem("protocol_error", f"{operation}: HTTP answer that cannot be parsed ({said})") from None
            target = same_device_target(url, location)
            if target is None:
                raise SoapProblem("protocol_error", f"{operation}: HTTP {status} redirect to {location[:200]!r}, "
                                                    "not on the device's own address: not followed")
            remember(ctx.moved, address, target)
            url = target
            ctx.note(f"ONVIF calls redirected to {urlsplit(target).scheme}:// (followed, same address)")
        raise SoapProblem("protocol_error", f"{operation}: more than {_MAX_REDIRECTS} HTTP redirects")

    async def _answered(self, response: aiohttp.ClientResponse, operation: str, ctx: DeviceContext, url: str,
                        digest: aiohttp.DigestAuthMiddleware | None):
        ctx.http_date = response.headers.get("Date") or ctx.http_date
        if response.status == 401:
            lines = response.headers.getall("WWW-Authenticate", ())
            if ctx.http_realm is None:
                _note_realm(lines, operation, ctx)
            # A device's first calls go out together; each one refused without digest retries
            # with it, whichever of them made the switch (agsh/onvif#294: Hikvision Digest-only).
            challenge = digest_challenge(lines)
            if digest is None and ctx.credential is not None and challenge is not None:
                if origin(url) not in ctx.digests:
                    ctx.digests[origin(url)] = made = DigestAmongChallenges(ctx.credential.username,
                                                                            ctx.credential.password)
                    made.take_challenge(response, challenge)
                return _AskAgainWithDigest(origin(url))
        return await self._checked(response, operation, ctx)

    async def _checked(self, response: aiohttp.ClientResponse, operation: str, ctx: DeviceContext):
        declared = response.content_length
        cap = body_cap(operation)
        if declared is not None and declared > cap:
            raise SoapProblem("protocol_error",
                              f"{operation}: response larger than {cap} bytes ({declared} declared)")
        try:
            body = await read_capped(response, cap)
        except BodyCutShort as cut:
            of = f" of {declared}" if declared is not None else ""
            raise SoapProblem("protocol_error",
                              f"{operation}: response cut short ({len(cut.received)}{of} bytes: {cut.why})") from None
        if len(body) > cap:
            raise SoapProblem("protocol_error", f"{operation}: response larger than {cap} bytes")
        if declared is not None and len(body) < declared:
            raise SoapProblem("protocol_error",
                              f"{operation}: response cut short ({len(body)} of {declared} bytes)")
        if response.status == 401:
            raise SoapProblem("auth_failed", f"{operation}: {_refusal(response, ctx)}")
        if response.status == 403:
            # Hikvision's Illegal Login Lock shuts an address out after failed logins and answers 401 or 403
            # (its HTML 'Access Error' page); Dahua locks the account. A 403 refuses access, not the protocol:
            # an `auth_failed` the site can act on (the lock, the account's rights), not a `protocol_error`.
            raise SoapProblem("auth_failed", f"{operation}: HTTP 403 Forbidden: access refused (an account or "
                                             "address locked after failed logins, or an account without the right)")
        if "html" in (response.content_type or ""):
            raise SoapProblem("protocol_error", f"{operation}: HTTP {response.status} with a web page, not SOAP")
        raw = body
        body = body.lstrip(_LEADING_JUNK)
        if response.status >= 400 and not body.startswith(b"<"):
            # A web server that is no ONVIF device (a PC named as a --target): "404 Not Found" is not
            # malformed XML, it is no SOAP at all.
            raise SoapProblem("protocol_error", f"{operation}: HTTP {response.status} without a SOAP answer "
                                                "(no ONVIF service at this URL)")
        root = None
        if body:
            try:
                root = parse_untrusted(body)
            except UnsafeXml as exc:
                raise SoapProblem("protocol_error", f"{operation}: response {exc}") from None
            except MalformedXml as exc:
                mended = repair_characters(body)
                if mended is None:
                    raise SoapProblem("protocol_error", f"{operation}: malformed XML ({exc})") from None
                body, what = mended
                try:
                    root = parse_untrusted(body)  # structure is not mended: still malformed is malformed
                except (UnsafeXml, MalformedXml):
                    raise SoapProblem("protocol_error", f"{operation}: malformed XML ({exc})") from None
                ctx.repairs.append(f"{operation}: {what}")
            if root.tag == _SOAP11_ROOT:
                body = body.replace(_SOAP11_ENVELOPE, _SOAP12_ENVELOPE)
                root = parse_untrusted(body)
                if not ctx.soap11:
                    ctx.note(_SOAP11_NOTE)
        ctx.bodies[operation] = evidence_digest(raw, "xml")
        result = self._aiohttp_to_requests_response(response, body)
        # The checked tree and its answer element, found once: faults and counts are read from it,
        # and zeep maps this same tree to objects (OnvifClients.call) instead of parsing the body again.
        result.root = root
        result.answer = answer = _answer_element(root)
        result.auth_refused = (answer is not None and local_name(answer.tag) == "Fault"
                               and _refuses_credentials(_squeeze(answer)))
        return result


class OnvifClients:
    """One aiohttp session and one zeep client per ONVIF service, for a whole process."""

    SERVICES_USED = ("devicemgmt", "media", "deviceio", "recording", "search")

    def __init__(self, session: aiohttp.ClientSession):
        self.session = session
        self.transport = _CheckedTransport(session=session, verify_ssl=False)
        self._clients: dict[str, ZeepAsyncClient] = {}
        self._envelopes: dict[tuple, tuple[Any, dict[str, str]]] = {}

    async def close(self) -> None:
        await self.transport.close()

    async def setup(self) -> None:
        for name in self.SERVICES_USED:
            document = await _cached_document(_wsdl_file(name))
            client = ZeepAsyncClient(wsdl=document, transport=self.transport, wsse=_DeviceWsse())
            self._clients[name] = client

    def _request(self, service: str, operation: str, kwargs: dict[str, Any]):
        """The envelope and HTTP headers for `operation`, signed for the current device.

        What zeep's `_create` does, with its serialized body kept per (operation, arguments): that
        part is the same for every device, and serializing it again cost ~60 µs a call, ten calls a
        device. Only the WS-Security header differs, and it is applied to a copy each time.
        """
        client = self._clients[service]
        binding = client.wsdl.bindings[_binding_name(service)]
        key = (service, operation, tuple(sorted(kwargs.items())))
        cached = self._envelopes.get(key)
        if cached is None:
            operation_obj = binding.get(operation)
            if operation_obj is None:
                raise ValueError(f"operation {operation!r} not in the {service} WSDL")
            if operation_obj.abstract.wsa_action or client.plugins:
                raise ValueError(f"{operation}: WS-Addressing/plugins would make the envelope per-call")
            serialized = operation_obj.create(**kwargs)
            binding._set_http_headers(serialized, operation_obj)
            cached = self._envelopes[key] = (serialized.content, dict(serialized.headers))
        envelope, headers = copy.deepcopy(cached[0]), dict(cached[1])
        envelope, headers = client.wsse.apply(envelope, headers)
        return client, binding, envelope, headers

    async def count(self, service: str, address: str, operation: str, element: str) -> int:
        """How many `element` children the answer's response element has.

        zeep builds the request as for `call`, but the answer is read from the checked tree the
        transport already made: turning a 16-profile GetProfiles into zeep objects costs more CPU
        than the rest of the device, and only the count is kept.
        """
        _OP.set(operation)
        _, _, envelope, headers = self._request(service, operation, {})
        response = await self.transport.post_xml(address, envelope, headers)
        answer = getattr(response, "answer", None)
        if answer is None:
            raise SoapProblem("protocol_error", f"{operation}: HTTP {response.status_code} without a SOAP answer")
        _raise_if_fault(operation, answer)
        return sum(1 for child in answer if local_name(child.tag) == element)

    async def call(self, service: str, address: str, operation: str, **kwargs: Any) -> Any:
        """Call `operation` on `address`; raises SoapProblem, Fault, aiohttp/asyncio errors."""
        _OP.set(operation)
        _, binding, envelope, headers = self._request(service, operation, kwargs)
        response = await self.transport.post_xml(address, envelope, headers)
        answer = getattr(response, "answer", None)
        _raise_if_fault(operation, answer)
        if answer is None:
            raise SoapProblem("protocol_error", f"{operation}: HTTP {response.status_code} without a SOAP answer")
        if response.status_code != 200:  # what zeep's binding makes of it: a fault it cannot name
            raise Fault(f"{operation}: HTTP {response.status_code} with an answer that is no SOAP Fault")
        # zeep's binding.process_reply would parse the body again; its operation maps the checked tree.
        return binding.get(operation).process_reply(response.root)


def _wsdl_file(service: str) -> str:
    return os.path.join(_WSDL_PATH, SERVICES[service]["wsdl"])


async def preload_wsdl() -> None:
    """Parse the WSDLs into onvif's process-wide cache (before forking workers, so they share it)."""
    for name in OnvifClients.SERVICES_USED:
        await _cached_document(_wsdl_file(name))


def _binding_name(service: str) -> str:
    return f"{{{SERVICES[service]['ns']}}}{SERVICES[service]['binding']}"


def _refusal(response: aiohttp.ClientResponse, ctx: DeviceContext) -> str:
    """Why a 401 ends the device, in words an auditor can act on."""
    schemes = {scheme_of(c) for c in split_challenges(response.headers.getall("WWW-Authenticate", ()))}
    if schemes and "digest" not in schemes and "basic" in schemes:
        # Basic sends the password itself, base64'd: never, to any device (a hostile one would have it).
        return "HTTP 401 asking for HTTP Basic only, which would send the password in clear: not answered"
    if ctx.credential is None:
        return "HTTP 401 (no credentials for this address)"
    return "HTTP 401 (credentials refused)"


class DigestAmongChallenges(aiohttp.DigestAuthMiddleware):
    """aiohttp's digest middleware, shown the Digest challenge wherever a 401 lists it.

    aiohttp (3.12-3.14) reads only the first WWW-Authenticate line, and only as one challenge: a device that
    lists Basic first, or both on one line, would never be answered in digest. `_authenticate` is the
    middleware's own hook for a 401; it is given a view of the answer holding just the Digest challenge.
    tests/scanner/test_hostile.py (127.30.0.62, quirk basic_before_digest) fails if that hook changes.
    """

    def __init__(self, username: str, password: str):
        super().__init__(username, password, preemptive=True)

    def take_challenge(self, response: aiohttp.ClientResponse, challenge: str) -> None:
        """Learn the challenge of a 401 our own request got, so the retry carries credentials at once (without
        it, the retry goes out bare, is refused again, and only then answered: three requests, not two)."""
        self._authenticate(_OneChallenge(response, challenge))

    async def _encode(self, method: str, url, body) -> str:  # type: ignore[no-untyped-def]
        # A challenge with no nonce, or a qop or algorithm nobody implements, is the device's fault: aiohttp
        # says so with a ClientError, which would otherwise read as the device being unreachable.
        try:
            return await super()._encode(method, url, body)
        except aiohttp.ClientError as exc:
            raise SoapProblem("protocol_error",
                              f"{_OP.get()}: HTTP digest challenge that cannot be answered ({exc})") from None

    def _authenticate(self, response) -> bool:  # type: ignore[no-untyped-def]
        if response.status != 401 or isinstance(response, _OneChallenge):
            return super()._authenticate(response)
        challenge = digest_challenge(response.headers.getall("WWW-Authenticate", ()))
        sent_credentials = hdrs.AUTHORIZATION in response.request_info.headers
        retry = super()._authenticate(_OneChallenge(response, challenge) if challenge is not None else response)
        # The middleware sends every refused request once more. After credentials it is one more failed login
        # (Dahua/IMOU lock the account after a few), so only a nonce the device calls stale is answered again.
        if retry and sent_credentials and self._challenge.get("stale", "").casefold() != "true":
            return False
        return retry


class _OneChallenge:
    """What DigestAuthMiddleware._authenticate reads of a 401 (status, headers, url), with one challenge."""

    __slots__ = ("headers", "status", "url")

    def __init__(self, response: aiohttp.ClientResponse, challenge: str):
        self.status, self.url = response.status, response.url
        self.headers = CIMultiDictProxy(CIMultiDict({"WWW-Authenticate": challenge}))


def _note_realm(lines: list[str], operation: str, ctx: DeviceContext) -> None:
    challenged = challenged_realm(lines)
    if challenged:
        realm, said = challenged
        ctx.http_realm = (realm, f"{operation} (HTTP 401)", evidence_digest(said, "http"))


def evidence_digest(raw: bytes, kind: str) -> str:
    """The SHA-256 that names what the current device sent, as a field's evidence; with --keep-responses
    the bytes are held for the device's end, when those a field cites are kept under that name
    (DeviceContext.keep_cited, responses.py). The one place such a digest is made."""
    digest = hashlib.sha256(raw).hexdigest()
    ctx = _DEVICE.get(None)
    if ctx is not None and ctx.responses is not None:
        ctx.answers.setdefault(digest, (raw, kind))  # written once the device is done, if cited
    return digest


def current_device() -> DeviceContext:
    """The context of the device the current task interrogates (set by enter_device)."""
    return _DEVICE.get()


def enter_device(credential: Credential | None, responses: ResponseStore | None = None) -> DeviceContext:
    """Bind a fresh per-device context to the current task (each device runs in its own task)."""
    ctx = DeviceContext(credential=credential, responses=responses)
    _DEVICE.set(ctx)
    return ctx
