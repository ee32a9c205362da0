"""A deliberately small raw client for the simulator tests: build SOAP 1.2 requests (optionally with
a WS-UsernameToken), POST them with urllib, send raw WS-Discovery probes. Kept apart from scanner/."""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

DEVICE_NS = "http://www.onvif.org/ver10/device/wsdl"
MEDIA_NS = "http://www.onvif.org/ver10/media/wsdl"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DIGEST = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest"


def username_token(user: str, password: str, *, created: str | None = None, shift: float = 0) -> str:
    nonce = os.urandom(16)
    if created is None:
        when = datetime.now(UTC) + timedelta(seconds=shift)
        created = when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    digest = base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest()).decode()
    return (f'<wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}"><wsse:UsernameToken>'
            f"<wsse:Username>{user}</wsse:Username><wsse:Password Type=\"{DIGEST}\">{digest}</wsse:Password>"
            f"<wsse:Nonce>{base64.b64encode(nonce).decode()}</wsse:Nonce><wsu:Created>{created}</wsu:Created>"
            "</wsse:UsernameToken></wsse:Security>")


def envelope(op: str, ns: str = DEVICE_NS, *, security: str = "", inner: str = "") -> bytes:
    header = f"<s:Header>{security}</s:Header>" if security else ""
    return (f'<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">'
            f'{header}<s:Body><{op} xmlns="{ns}">{inner}</{op}></s:Body></s:Envelope>').encode()


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes


def post(url: str, data: bytes, *, timeout: float = 10, action: str | None = "x", soap11: bool = False) -> Reply:
    """POST a SOAP 1.2 request (its action in the Content-Type), or with `soap11` a SOAP 1.1 one:
    `data` turned into a 1.1 envelope, Content-Type text/xml and the action in SOAPAction."""
    ctype = "application/soap+xml; charset=utf-8"
    if action:
        ctype += f'; action="{action}"'
    headers = {"Content-Type": ctype}
    if soap11:
        data = data.replace(b"http://www.w3.org/2003/05/soap-envelope", b"http://schemas.xmlsoap.org/soap/envelope/")
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{action or ""}"'}
    req = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return Reply(resp.status, dict(resp.headers), resp.read())
    except urllib.error.HTTPError as err:
        return Reply(err.code, dict(err.headers), err.read())


def call(device: dict, op: str, ns: str = DEVICE_NS, *, auth: bool = True, password: str | None = None,
         path: str = "/onvif/device_service", timeout: float = 10, **token) -> Reply:
    security = username_token(device["username"], password or device["password"], **token) if auth else ""
    url = f"http://{device['address']}:{device['port']}{path}"
    return post(url, envelope(op, ns, security=security), timeout=timeout)


def probe(dest: str = "239.255.255.250", *, types: str = "dn:NetworkVideoTransmitter", wait: float = 1.2,
          message_id: str | None = None) -> tuple[str, list[tuple[str, bytes]]]:
    """Send one Probe; return its MessageID and every (source address, payload) received in `wait` s."""
    message_id = message_id or f"urn:uuid:{uuid.uuid4()}"
    data = (f'<?xml version="1.0" encoding="utf-8"?><e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" '
            'xmlns:w="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
            'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" '
            'xmlns:dn="http://www.onvif.org/ver10/network/wsdl" xmlns:tds="http://www.onvif.org/ver10/device/wsdl">'
            f"<e:Header><w:MessageID>{message_id}</w:MessageID>"
            "<w:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To>"
            "<w:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</w:Action></e:Header>"
            f"<e:Body><d:Probe><d:Types>{types}</d:Types></d:Probe></e:Body></e:Envelope>").encode()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))  # a bound source, as DESIGN §9 asks of a prober
    sock.settimeout(0.1)
    sock.sendto(data, (dest, 3702))
    replies = []
    deadline = datetime.now().timestamp() + wait
    while datetime.now().timestamp() < deadline:
        try:
            payload, src = sock.recvfrom(65535)
            replies.append((src[0], payload))
        except TimeoutError:
            pass
    sock.close()
    return message_id, replies
