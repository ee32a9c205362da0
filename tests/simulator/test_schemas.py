"""Every SOAP answer body validated against the ONVIF schemas shipped in onvif-zeep-async's wsdl/.

Site: config/lab/demo-site.yaml (demo_lab fixture): a camera, an encoder, the NVR and the analytics box.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import onvif
import pytest
import xmlschema

from .rawsoap import call, probe

pytestmark = pytest.mark.network
WSDL = Path(onvif.__file__).parent / "wsdl"
ENV = "{http://www.w3.org/2003/05/soap-envelope}"
NS = {
    "device": ("http://www.onvif.org/ver10/device/wsdl", "devicemgmt.wsdl", "/onvif/device_service"),
    "media": ("http://www.onvif.org/ver10/media/wsdl", "media.wsdl", "/onvif/media_service"),
    "recording": ("http://www.onvif.org/ver10/recording/wsdl", "recording.wsdl", "/onvif/recording_service"),
    "search": ("http://www.onvif.org/ver10/search/wsdl", "search.wsdl", "/onvif/search_service"),
    "analytics": ("http://www.onvif.org/ver20/analytics/wsdl", "analytics.wsdl", "/onvif/analytics_service"),
    "deviceio": ("http://www.onvif.org/ver10/deviceIO/wsdl", "deviceio.wsdl", "/onvif/deviceio_service"),
}


@cache
def schema_of(wsdl_name: str) -> xmlschema.XMLSchema:
    """The xs:schema embedded in a WSDL, with the WSDL's namespace declarations carried over."""
    text = (WSDL / wsdl_name).read_text(encoding="utf-8")
    prefixes = dict(ev[1] for ev in ET.iterparse(io.StringIO(text), events=["start-ns"]))
    match = re.search(r"<xs:schema\b(.*?)>(.*?)</xs:schema>", text, re.DOTALL)
    assert match, wsdl_name
    attrs = match.group(1)
    extra = " ".join(f'xmlns:{p}="{u}"' for p, u in prefixes.items() if p and f"xmlns:{p}=" not in attrs)
    return xmlschema.XMLSchema(f"<xs:schema {extra}{attrs}>{match.group(2)}</xs:schema>",
                               base_url=str(WSDL) + "/", allow="local", locations=LOCAL)


# Everything from the shipped files; never fetched (allow="local" refuses remote URLs).
LOCAL = {"http://schemas.xmlsoap.org/ws/2004/08/addressing": str(WSDL / "addressing")}


def validate(schema: xmlschema.XMLSchema, body: bytes) -> None:
    """Validate the first Body child in place, so QName values keep the envelope's prefixes."""
    schema.validate(xmlschema.XMLResource(body, allow="local"), path="/env:Envelope/env:Body/*",
                    namespaces={"env": ENV[1:-1]})


CASES = [
    ("127.10.0.11", "device", op) for op in (
        "GetSystemDateAndTime", "GetDeviceInformation", "GetServices", "GetCapabilities", "GetScopes",
        "GetNetworkInterfaces", "GetHostname", "GetWsdlUrl", "GetServiceCapabilities")
] + [
    ("127.10.0.11", "media", "GetVideoSources"), ("127.10.0.11", "media", "GetProfiles"),
    ("127.10.0.14", "media", "GetProfiles"), ("127.10.0.11", "media", "GetServiceCapabilities"),
    ("127.10.0.31", "device", "GetCapabilities"), ("127.10.0.31", "device", "GetServices"),
    ("127.10.0.31", "recording", "GetRecordings"), ("127.10.0.31", "recording", "GetServiceCapabilities"),
    ("127.10.0.31", "search", "GetRecordingSummary"), ("127.10.0.31", "search", "GetServiceCapabilities"),
    ("127.10.0.33", "analytics", "GetSupportedAnalyticsModules"),
    ("127.10.0.33", "analytics", "GetServiceCapabilities"), ("127.10.0.33", "device", "GetCapabilities"),
    ("127.10.0.21", "deviceio", "GetServiceCapabilities"),
    ("127.10.0.21", "device", "GetCapabilities"),
]


@pytest.mark.parametrize(("address", "service", "op"), CASES, ids=[f"{a}-{s}-{o}" for a, s, o in CASES])
def test_answer_validates_against_onvif_schema(demo_lab, address, service, op):
    ns, wsdl, path = NS[service]
    reply = call(demo_lab.device(address), op, ns, path=path)
    assert reply.status == 200, reply.body[:300]
    body = ET.fromstring(reply.body).find(f"{ENV}Body")
    answer = body[0]
    assert answer.tag == f"{{{ns}}}{op}Response"
    validate(schema_of(wsdl), reply.body)


def test_deviceio_video_sources_use_the_media_message(demo_lab):
    """deviceio.wsdl binds GetVideoSources to trt:GetVideoSources; the encoder answers in kind."""
    ns, wsdl, _ = NS["media"]
    reply = call(demo_lab.device("127.10.0.21"), "GetVideoSources", ns, path=NS["deviceio"][2])
    validate(schema_of(wsdl), reply.body)
    assert len(ET.fromstring(reply.body).find(f"{ENV}Body")[0]) == 4  # the 4-channel TRUEN encoder


def test_get_stream_uri_validates(demo_lab):
    ns, wsdl, path = NS["media"]
    inner = ('<StreamSetup><Stream xmlns="http://www.onvif.org/ver10/schema">RTP-Unicast</Stream>'
             '<Transport xmlns="http://www.onvif.org/ver10/schema"><Protocol>RTSP</Protocol></Transport>'
             "</StreamSetup><ProfileToken>Profile_1</ProfileToken>")
    from .rawsoap import envelope, post, username_token

    d = demo_lab.device("127.10.0.11")
    data = envelope("GetStreamUri", ns, security=username_token(d["username"], d["password"]), inner=inner)
    reply = post(f"http://{d['address']}{path}", data)
    answer = ET.fromstring(reply.body).find(f"{ENV}Body")[0]
    validate(schema_of(wsdl), reply.body)
    assert answer.findtext(".//{http://www.onvif.org/ver10/schema}Uri") == "rtsp://127.10.0.11/Profile_1"


def test_probe_matches_validate_against_ws_discovery_schema(demo_lab):
    schema = xmlschema.XMLSchema(str(WSDL / "ws-discovery.xsd"), allow="local", locations=LOCAL)
    _, replies = probe("127.10.0.31", wait=0.8)
    validate(schema, replies[0][1])


def test_the_check_bites():
    """A GetDeviceInformationResponse missing required fields is rejected (the path selects real elements)."""
    bad = (b'<?xml version="1.0"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" '
           b'xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><env:Body><tds:GetDeviceInformationResponse>'
           b"<tds:Model>x</tds:Model></tds:GetDeviceInformationResponse></env:Body></env:Envelope>")
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        validate(schema_of("devicemgmt.wsdl"), bad)
