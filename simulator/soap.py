"""SOAP 1.2 envelopes for the simulated devices: parse a request, build an answer or a Fault.

Hand-written on purpose (DESIGN §3: nothing shared with the scanner's protocol code, no
zeep): the bodies are checked against the ONVIF XSDs in tests/simulator/test_schemas.py.
The operations themselves live in services.py; this module only knows envelopes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

ENV = "http://www.w3.org/2003/05/soap-envelope"
NS = {
    "env": ENV,
    "tt": "http://www.onvif.org/ver10/schema",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
    "trt": "http://www.onvif.org/ver10/media/wsdl",
    "tr2": "http://www.onvif.org/ver20/media/wsdl",
    "trc": "http://www.onvif.org/ver10/recording/wsdl",
    "tse": "http://www.onvif.org/ver10/search/wsdl",
    "trp": "http://www.onvif.org/ver10/replay/wsdl",
    "tan": "http://www.onvif.org/ver20/analytics/wsdl",
    "tmd": "http://www.onvif.org/ver10/deviceIO/wsdl",
    "tev": "http://www.onvif.org/ver10/events/wsdl",
    "timg": "http://www.onvif.org/ver20/imaging/wsdl",
    "ter": "http://www.onvif.org/ver10/error",
}
_XMLNS = " ".join(f'xmlns:{p}="{u}"' for p, u in NS.items())


class BadRequest(ValueError):
    """The request is not a SOAP envelope we can read."""


@dataclass(frozen=True)
class SoapRequest:
    op: str  # local name of the first Body child, e.g. "GetDeviceInformation"
    namespace: str
    body: Any  # that child (an lxml element: find/findtext/iter as in ElementTree)
    header: Any | None
    envelope_namespace: str = ENV  # SOAP 1.2's, or SOAP11_ENV when the client spoke SOAP 1.1


# A client is no more trusted than a device: no entities expanded, nothing fetched, and a request
# carrying a DTD at all is refused below. lxml parses in C: the lab answers ~10 requests a device,
# and defusedxml's pure-Python parser was a sixth of its CPU.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _elements(parent: Any) -> list[Any]:
    return [child for child in parent if isinstance(child.tag, str)]  # not comments or PIs


def parse_request(data: bytes) -> SoapRequest:
    try:
        root = etree.fromstring(data, _PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise BadRequest(f"not well-formed XML: {exc}") from None
    if root is None:
        raise BadRequest("not well-formed XML: empty document")
    if root.getroottree().docinfo.internalDTD is not None:
        raise BadRequest("not well-formed XML: DTDs are forbidden")
    if not root.tag.endswith("}Envelope"):
        raise BadRequest("not a SOAP envelope")
    header = body = None
    for child in _elements(root):
        if child.tag.endswith("}Header"):
            header = child
        elif child.tag.endswith("}Body"):
            body = child
    if body is None or not _elements(body):
        raise BadRequest("SOAP Body is missing or empty")
    first = _elements(body)[0]
    ns, _, local = first.tag[1:].partition("}") if first.tag.startswith("{") else ("", "", first.tag)
    return SoapRequest(op=local, namespace=ns, body=first, header=header,
                       envelope_namespace=root.tag[1:].partition("}")[0])


_WS_ADDRESSING = ("{http://www.w3.org/2005/08/addressing}", "{http://schemas.xmlsoap.org/ws/2004/08/addressing}")


def has_ws_addressing(header: Any | None) -> bool:
    """Whether a request's SOAP Header carries a WS-Addressing element (wsa:Action, MessageID, To)."""
    return header is not None and any(str(child.tag).startswith(_WS_ADDRESSING) for child in _elements(header))


def envelope(body_xml: str, *, prolog: str = '<?xml version="1.0" encoding="UTF-8"?>\n') -> bytes:
    return (f'{prolog}<env:Envelope {_XMLNS}><env:Body>{body_xml}</env:Body></env:Envelope>').encode()


def fault(code: str, subcode: str, reason: str) -> bytes:
    """A SOAP 1.2 Fault as ONVIF Core §5.11 shapes it: env code + ter: subcode."""
    return envelope(
        f"<env:Fault><env:Code><env:Value>env:{code}</env:Value>"
        f"<env:Subcode><env:Value>ter:{subcode}</env:Value></env:Subcode></env:Code>"
        f'<env:Reason><env:Text xml:lang="en">{esc(reason)}</env:Text></env:Reason></env:Fault>'
    )


def fault_without_subcode(code: str, reason: str) -> bytes:
    """A SOAP 1.2 Fault with only an env: code, as gSOAP-built firmwares send for an unknown method."""
    return envelope(
        f"<env:Fault><env:Code><env:Value>env:{code}</env:Value></env:Code>"
        f'<env:Reason><env:Text xml:lang="en">{esc(reason)}</env:Text></env:Reason></env:Fault>'
    )


WSA_ACTION_NOT_SUPPORTED = "The [action] cannot be processed at the receiver."  # WS-Addressing 1.0 SOAP binding


def wsa_action_not_supported() -> bytes:
    """WS-Addressing's own ActionNotSupported fault (not ONVIF's ter: one), as a WCF-style stack sends it."""
    return envelope(
        '<env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value '
        'xmlns:a="http://www.w3.org/2005/08/addressing">a:ActionNotSupported</env:Value></env:Subcode></env:Code>'
        f'<env:Reason><env:Text xml:lang="en">{WSA_ACTION_NOT_SUPPORTED}</env:Text></env:Reason></env:Fault>'
    )


WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"


def invalid_security() -> bytes:
    """WS-Security's own refusal (a subcode in the wsse namespace, not ONVIF's ter:), as Hikvision DVRs send it."""
    return envelope(
        '<env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value '
        f'xmlns:wsse="{WSSE_NS}">wsse:InvalidSecurity</env:Value></env:Subcode></env:Code>'
        '<env:Reason><env:Text xml:lang="en">An error was discovered processing the &lt;wsse:Security&gt; header'
        '</env:Text></env:Reason></env:Fault>'
    )


def not_authorized() -> bytes:
    return fault("Sender", "NotAuthorized", "Sender not authorized")


def action_not_supported(op: str) -> bytes:
    return fault("Receiver", "ActionNotSupported", f"Optional action {op} not implemented")


SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
_FAULT12 = re.compile(
    rb"<env:Fault><env:Code><env:Value>env:(\w+)</env:Value>(?:<env:Subcode><env:Value>([^<]*)</env:Value>"
    rb"</env:Subcode>)?</env:Code><env:Reason><env:Text[^>]*>([^<]*)</env:Text></env:Reason></env:Fault>")
_FAULTCODE11 = {b"Sender": b"env:Client", b"Receiver": b"env:Server"}


def as_soap11(payload: bytes) -> bytes:
    """The same answer in a SOAP 1.1 envelope; a Fault in 1.1's shape (faultcode, faultstring)."""
    def fault11(match: re.Match) -> bytes:
        code = match.group(2) or _FAULTCODE11.get(match.group(1), b"env:" + match.group(1))
        return b"<env:Fault><faultcode>" + code + b"</faultcode><faultstring>" + match.group(3) + \
            b"</faultstring></env:Fault>"
    return _FAULT12.sub(fault11, payload).replace(ENV.encode(), SOAP11_ENV.encode(), 1)


def esc(value: object) -> str:
    text = str(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def el(tag: str, value: object) -> str:
    """<tag>escaped value</tag>; booleans as xs:boolean."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{tag}>{esc(value)}</{tag}>"
