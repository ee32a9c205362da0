"""ONVIF operations per service, and which services each role offers.

A real camera offers device, media, events and imaging; an encoder adds deviceIO; an NVR
offers recording, search and replay (Profile G); an analytics box offers analytics. Each
operation returns the inner XML of the SOAP Body; unknown ones raise `Unsupported` which the
HTTP layer turns into ter:ActionNotSupported.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from . import quirks
from .auth import device_now
from .soap import NS, el, esc

Device = dict[str, Any]

# path -> (service name, namespace, version)
SERVICES: dict[str, tuple[str, str, tuple[int, int]]] = {
    "/onvif/device_service": ("device", NS["tds"], (2, 60)),
    "/onvif/media_service": ("media", NS["trt"], (2, 60)),
    "/onvif/media2_service": ("media2", NS["tr2"], (2, 60)),  # media2_only devices
    "/onvif/events_service": ("events", NS["tev"], (2, 60)),
    "/onvif/imaging_service": ("imaging", NS["timg"], (2, 60)),
    "/onvif/deviceio_service": ("deviceio", NS["tmd"], (2, 60)),
    "/onvif/recording_service": ("recording", NS["trc"], (2, 50)),
    "/onvif/search_service": ("search", NS["tse"], (2, 42)),
    "/onvif/replay_service": ("replay", NS["trp"], (2, 21)),
    "/onvif/analytics_service": ("analytics", NS["tan"], (2, 60)),
}
PATH_OF = {name: path for path, (name, _, _) in SERVICES.items()}
ROLE_SERVICES = {
    "camera": ("device", "media", "events", "imaging"),
    "encoder": ("device", "media", "events", "deviceio"),
    "nvr": ("device", "media", "events", "recording", "search", "replay"),
    "analytics": ("device", "media", "events", "analytics"),
}


class Unsupported(Exception):
    pass


class NotPermitted(Exception):
    """The account is known and its token good, but its rights leave this operation out: ter:NotAuthorized."""


class NoMethod(Exception):
    """The firmware's SOAP stack does not know the method at all (gSOAP's SOAP_NO_METHOD): the HTTP
    layer answers a Fault with no ONVIF Subcode, not ter:ActionNotSupported."""


def offers(device: Device, service: str) -> bool:
    if quirks.has(device, "media2_only"):
        if service == "media":
            return False
        if service == "media2" or (service == "deviceio" and quirks.param(device, "media2_only", "deviceio")):
            return True
    if service in ("recording", "search") and quirks.has(device, "edge_recording"):
        return True
    return service in ROLE_SERVICES[device["role"]]


def route(device: Device, path: str) -> str | None:
    """The service a POST to `path` reaches: a name, "*" (chosen by the request's namespace), or None."""
    if quirks.has(device, "wsd_host_not_onvif"):
        return None
    if quirks.has(device, "single_service_path"):
        if path == str(quirks.param(device, "single_service_path", "path")):
            return "*"
        # The discovery XAddr keeps working; the per-service paths other firmwares use do not exist.
        return "device" if path == PATH_OF["device"] else None
    entry = SERVICES.get(path)
    return entry[0] if entry else None


def service_of_namespace(namespace: str) -> str | None:
    return next((name for name, ns, _ in SERVICES.values() if ns == namespace), None)


def xaddr(device: Device, service: str, *, discovery: bool = False) -> str:
    """The URL of `service` as the device advertises it (`discovery`: in a ProbeMatch)."""
    if quirks.has(device, "zero_xaddrs"):
        host = "0.0.0.0"
    elif quirks.has(device, "foreign_xaddrs"):
        host = str(quirks.param(device, "foreign_xaddrs", "host"))
    else:
        host = device["address"]
    scheme, port = "http", "" if device["port"] == 80 else f":{device['port']}"
    over_tls = quirks.has(device, "https_xaddrs") or (quirks.has(device, "split_scheme_xaddrs") and service == "device")
    if over_tls and device.get("https_port"):
        scheme, port = "https", "" if device["https_port"] == 443 else f":{device['https_port']}"
    if quirks.has(device, "wrong_port_xaddrs") and not discovery:
        port = f":{quirks.param(device, 'wrong_port_xaddrs', 'port')}"
    path = PATH_OF[service]
    if quirks.has(device, "single_service_path") and not discovery:
        path = str(quirks.param(device, "single_service_path", "path"))
    return f"{scheme}://{host}{port}{path}"


def _datetime(tag: str, when: datetime, with_day: bool = True) -> str:
    day = el("tt:Day", when.day) if with_day else ""
    return (f"<tt:{tag}><tt:Time>{el('tt:Hour', when.hour)}{el('tt:Minute', when.minute)}"
            f"{el('tt:Second', when.second)}</tt:Time><tt:Date>{el('tt:Year', when.year)}"
            f"{el('tt:Month', when.month)}{day}</tt:Date></tt:{tag}>")


# --- device service -----------------------------------------------------------------


def _posix_offset_hours(tz: str) -> int:
    """Hours east of UTC of a simple POSIX TZ such as KST-9 (POSIX counts west: the sign flips)."""
    digits = tz.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    try:
        return -int(digits) if digits else 0
    except ValueError:  # no POSIX zone (GMT+09:00, Asia/Seoul): local_time_only's east_hours says
        return 0


def get_system_date_and_time(d: Device, req: Any) -> str:
    if quirks.has(d, "no_system_date_and_time"):  # a Kojima camera (home-assistant/core#138579)
        raise NoMethod("GetSystemDateAndTime")
    now = device_now(d)
    tz = str(quirks.param(d, "local_time_only", "tz")) if quirks.has(d, "local_time_only") else "KST-9"
    zone = f"<tt:TimeZone>{el('tt:TZ', tz)}</tt:TimeZone>" if tz else ""
    with_day = not quirks.has(d, "date_without_day")
    east = quirks.param(d, "local_time_only", "east_hours") if quirks.has(d, "local_time_only") else None
    local_now = now + timedelta(hours=float(east) if east is not None else _posix_offset_hours(tz))
    # utc_is_local_time: the firmware fills UTCDateTime from the local wall clock (OpenIPC/majestic-webui#292)
    labelled_utc = local_now if quirks.has(d, "utc_is_local_time") else now
    utc = "" if quirks.has(d, "local_time_only") else _datetime("UTCDateTime", labelled_utc, with_day)
    local = _datetime("LocalDateTime", local_now, with_day)
    return ("<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
            "<tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>"
            f"{zone}{utc}{local}</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>")


def get_device_information(d: Device, req: Any) -> str:
    serial = quirks.param(d, "fake_serial", "serial") if quirks.has(d, "fake_serial") else d["serial"]
    serial_element = el("tds:SerialNumber", serial)
    hardware_id = d["hardware_id"]
    if quirks.has(d, "no_serial_number"):  # Wansview: no element at all (the schema requires one)
        serial_element, hardware_id = "", d["mac"]
    return ("<tds:GetDeviceInformationResponse>"
            f"{el('tds:Manufacturer', d['manufacturer'])}{el('tds:Model', d['model'])}"
            f"{el('tds:FirmwareVersion', d['firmware'])}{serial_element}"
            f"{el('tds:HardwareId', hardware_id)}</tds:GetDeviceInformationResponse>")


def get_services(d: Device, req: Any) -> str:
    if quirks.has(d, "no_get_services"):
        raise Unsupported("GetServices")
    if quirks.has(d, "empty_get_services"):
        return "<tds:GetServicesResponse/>"
    items = []
    padded = quirks.has(d, "padded_namespaces")
    for name, ns, (major, minor) in SERVICES.values():
        if offers(d, name):
            # padded_namespaces: the text content pretty-printed, line break and indentation and all
            namespace = f"<tds:Namespace>\n      {ns}\n    </tds:Namespace>" if padded else el("tds:Namespace", ns)
            items.append(f"<tds:Service>{namespace}{el('tds:XAddr', xaddr(d, name))}"
                         f"<tds:Version>{el('tt:Major', major)}{el('tt:Minor', minor)}</tds:Version>"
                         "</tds:Service>")
    return f"<tds:GetServicesResponse>{''.join(items)}</tds:GetServicesResponse>"


def get_capabilities(d: Device, req: Any) -> str:
    parts = []
    if offers(d, "analytics"):
        parts.append(f"<tt:Analytics>{el('tt:XAddr', xaddr(d, 'analytics'))}<tt:RuleSupport>true</tt:RuleSupport>"
                     "<tt:AnalyticsModuleSupport>true</tt:AnalyticsModuleSupport></tt:Analytics>")
    parts.append(f"<tt:Device>{el('tt:XAddr', xaddr(d, 'device'))}</tt:Device>")
    parts.append(f"<tt:Events>{el('tt:XAddr', xaddr(d, 'events'))}"
                 "<tt:WSSubscriptionPolicySupport>false</tt:WSSubscriptionPolicySupport>"
                 "<tt:WSPullPointSupport>true</tt:WSPullPointSupport>"
                 "<tt:WSPausableSubscriptionManagerInterfaceSupport>false"
                 "</tt:WSPausableSubscriptionManagerInterfaceSupport></tt:Events>")
    if offers(d, "imaging"):
        parts.append(f"<tt:Imaging>{el('tt:XAddr', xaddr(d, 'imaging'))}</tt:Imaging>")
    if offers(d, "media"):  # Media2 has no GetCapabilities section: a media2_only device lists none
        parts.append(f"<tt:Media>{el('tt:XAddr', xaddr(d, 'media'))}<tt:StreamingCapabilities>"
                     "<tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP>"
                     "<tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>")
    ext = []
    if offers(d, "deviceio"):
        ext.append(f"<tt:DeviceIO>{el('tt:XAddr', xaddr(d, 'deviceio'))}"
                   f"{el('tt:VideoSources', d['channels'])}<tt:VideoOutputs>0</tt:VideoOutputs>"
                   "<tt:AudioSources>0</tt:AudioSources><tt:AudioOutputs>0</tt:AudioOutputs>"
                   "<tt:RelayOutputs>1</tt:RelayOutputs></tt:DeviceIO>")
    if offers(d, "recording"):
        ext.append(f"<tt:Recording>{el('tt:XAddr', xaddr(d, 'recording'))}"
                   "<tt:ReceiverSource>false</tt:ReceiverSource><tt:MediaProfileSource>true</tt:MediaProfileSource>"
                   "<tt:DynamicRecordings>false</tt:DynamicRecordings><tt:DynamicTracks>false</tt:DynamicTracks>"
                   "<tt:MaxStringLength>64</tt:MaxStringLength></tt:Recording>")
        ext.append(f"<tt:Search>{el('tt:XAddr', xaddr(d, 'search'))}"
                   "<tt:MetadataSearch>false</tt:MetadataSearch></tt:Search>")
        ext.append(f"<tt:Replay>{el('tt:XAddr', xaddr(d, 'replay'))}</tt:Replay>")
    if ext:
        parts.append(f"<tt:Extension>{''.join(ext)}</tt:Extension>")
    return f"<tds:GetCapabilitiesResponse><tds:Capabilities>{''.join(parts)}</tds:Capabilities></tds:GetCapabilitiesResponse>"


def get_scopes(d: Device, req: Any) -> str:
    items = "".join(f"<tds:Scopes><tt:ScopeDef>Fixed</tt:ScopeDef>{el('tt:ScopeItem', s)}</tds:Scopes>"
                    for s in d["scopes"])
    return f"<tds:GetScopesResponse>{items}</tds:GetScopesResponse>"


def _dashed(mac: object) -> str:
    return str(mac).upper().replace(":", "-")


def get_network_interfaces(d: Device, req: Any) -> str:
    if quirks.has(d, "no_network_interfaces"):
        raise NoMethod("GetNetworkInterfaces")
    if not quirks.has(d, "shared_first_mac"):
        hw = quirks.param(d, "bogus_hw_address", "value") if quirks.has(d, "bogus_hw_address") else d["mac"]
        return ('<tds:GetNetworkInterfacesResponse><tds:NetworkInterfaces token="eth0">'
                "<tt:Enabled>true</tt:Enabled><tt:Info><tt:Name>eth0</tt:Name>"
                f"{el('tt:HwAddress', hw)}<tt:MTU>1500</tt:MTU></tt:Info>"
                "<tt:IPv4><tt:Enabled>true</tt:Enabled><tt:Config>"
                f"<tt:Manual>{el('tt:Address', d['address'])}<tt:PrefixLength>16</tt:PrefixLength></tt:Manual>"
                "<tt:DHCP>false</tt:DHCP></tt:Config></tt:IPv4>"
                "</tds:NetworkInterfaces></tds:GetNetworkInterfacesResponse>")
    # IMOU (home-assistant/core#162687): a wired port that is not there, with the same MAC on every
    # unit, listed before the Wi-Fi interface that carries the address; both MACs as 00-30-1B-BA-02-DB.
    shared = _dashed(quirks.param(d, "shared_first_mac", "mac"))
    return ('<tds:GetNetworkInterfacesResponse><tds:NetworkInterfaces token="eth0">'
            "<tt:Enabled>true</tt:Enabled><tt:Info><tt:Name>eth0</tt:Name>"
            f"{el('tt:HwAddress', shared)}<tt:MTU>1500</tt:MTU></tt:Info>"
            "<tt:IPv4><tt:Enabled>false</tt:Enabled><tt:Config><tt:DHCP>true</tt:DHCP></tt:Config></tt:IPv4>"
            '</tds:NetworkInterfaces><tds:NetworkInterfaces token="wlan0">'
            "<tt:Enabled>true</tt:Enabled><tt:Info><tt:Name>wlan0</tt:Name>"
            f"{el('tt:HwAddress', _dashed(d['mac']))}<tt:MTU>1500</tt:MTU></tt:Info>"
            "<tt:IPv4><tt:Enabled>true</tt:Enabled><tt:Config>"
            f"<tt:Manual>{el('tt:Address', d['address'])}<tt:PrefixLength>16</tt:PrefixLength></tt:Manual>"
            "<tt:DHCP>false</tt:DHCP></tt:Config></tt:IPv4>"
            "</tds:NetworkInterfaces></tds:GetNetworkInterfacesResponse>")


def get_hostname(d: Device, req: Any) -> str:
    return ("<tds:GetHostnameResponse><tds:HostnameInformation><tt:FromDHCP>false</tt:FromDHCP>"
            f"{el('tt:Name', d['hostname'])}</tds:HostnameInformation></tds:GetHostnameResponse>")


def get_wsdl_url(d: Device, req: Any) -> str:
    return "<tds:GetWsdlUrlResponse><tds:WsdlUrl>http://www.onvif.org/Documents/Specifications.aspx</tds:WsdlUrl></tds:GetWsdlUrlResponse>"


# --- media ---------------------------------------------------------------------------


def _width_height(d: Device) -> tuple[int, int]:
    return (1920, 1080) if d["role"] == "camera" else (1280, 720)


def _sources(d: Device) -> int:
    return d["channels"] if d["role"] in ("encoder", "nvr") else min(d["channels"], 4)


def get_video_sources(d: Device, req: Any) -> str:
    w, h = _width_height(d)
    items = "".join(f'<trt:VideoSources token="VideoSource_{i}"><tt:Framerate>30</tt:Framerate>'
                    f"<tt:Resolution>{el('tt:Width', w)}{el('tt:Height', h)}</tt:Resolution></trt:VideoSources>"
                    for i in range(1, _sources(d) + 1))
    return f"<trt:GetVideoSourcesResponse>{items}</trt:GetVideoSourcesResponse>"


def _profile(d: Device, i: int) -> str:
    w, h = _width_height(d)
    return (f'<trt:Profiles token="Profile_{i}" fixed="true"><tt:Name>MainStream_{i}</tt:Name>'
            f'<tt:VideoSourceConfiguration token="VideoSourceConfig_{i}"><tt:Name>VideoSource_{i}</tt:Name>'
            f"<tt:UseCount>1</tt:UseCount><tt:SourceToken>VideoSource_{i}</tt:SourceToken>"
            f'<tt:Bounds x="0" y="0" width="{w}" height="{h}"/></tt:VideoSourceConfiguration>'
            f'<tt:VideoEncoderConfiguration token="VideoEncoder_{i}"><tt:Name>H264_{i}</tt:Name>'
            "<tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding>"
            f"<tt:Resolution>{el('tt:Width', w)}{el('tt:Height', h)}</tt:Resolution><tt:Quality>5</tt:Quality>"
            "<tt:RateControl><tt:FrameRateLimit>30</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval>"
            "<tt:BitrateLimit>4096</tt:BitrateLimit></tt:RateControl>"
            "<tt:H264><tt:GovLength>30</tt:GovLength><tt:H264Profile>High</tt:H264Profile></tt:H264>"
            "<tt:Multicast><tt:Address><tt:Type>IPv4</tt:Type><tt:IPv4Address>0.0.0.0</tt:IPv4Address></tt:Address>"
            "<tt:Port>0</tt:Port><tt:TTL>1</tt:TTL><tt:AutoStart>false</tt:AutoStart></tt:Multicast>"
            f"<tt:SessionTimeout>PT60S</tt:SessionTimeout></tt:VideoEncoderConfiguration>{_analytics(d, i)}"
            "</trt:Profiles>")


def _analytics(d: Device, i: int) -> str:
    """analytics_in_profiles: the channel's whole analytics set-up, repeated in each of its profiles."""
    if not quirks.has(d, "analytics_in_profiles"):
        return ""
    item = lambda name, value: f'<tt:SimpleItem Name="{name}" Value="{value}"/>'
    rules = "".join(
        f'<tt:Rule Name="Rule{r}_Ch{i}" Type="tt:LineDetector"><tt:Parameters>'
        f'{item("Direction", "Any")}{item("Enabled", "true")}{item("Sensitivity", 60 + r % 40)}'
        f'{item("MinObjectSize", "0.05")}{item("MaxObjectSize", "0.9")}{item("ObjectType", "Human,Vehicle")}'
        f'{item("Schedule", "Always")}{item("Segment", f"{r % 10 * 0.1:.1f},0.2;{r % 10 * 0.1:.1f},0.8")}'
        "</tt:Parameters></tt:Rule>"
        for r in range(1, int(quirks.param(d, "analytics_in_profiles", "rules")) + 1))
    return (f'<tt:VideoAnalyticsConfiguration token="Analytics_{i}"><tt:Name>Analytics_{i}</tt:Name>'
            "<tt:UseCount>1</tt:UseCount><tt:AnalyticsEngineConfiguration>"
            f'<tt:AnalyticsModule Name="Motion_Ch{i}" Type="tt:CellMotionEngine"><tt:Parameters>'
            f'{item("Sensitivity", 60)}</tt:Parameters></tt:AnalyticsModule></tt:AnalyticsEngineConfiguration>'
            f"<tt:RuleEngineConfiguration>{rules}</tt:RuleEngineConfiguration></tt:VideoAnalyticsConfiguration>")


def get_profiles(d: Device, req: Any) -> str:
    if quirks.has(d, "profiles_refused"):
        raise NotPermitted("GetProfiles")
    return f"<trt:GetProfilesResponse>{''.join(_profile(d, i) for i in range(1, _sources(d) + 1))}</trt:GetProfilesResponse>"


def get_profiles_media2(d: Device, req: Any) -> str:
    """Media2's GetProfiles: profiles carrying their configurations by reference (tr2:Configurations)."""
    items = "".join(
        f'<tr2:Profiles token="Profile_{i}" fixed="true"><tr2:Name>MainStream_{i}</tr2:Name><tr2:Configurations>'
        f'<tr2:VideoSource token="VideoSourceConfig_{i}"><tt:Name>VideoSource_{i}</tt:Name><tt:UseCount>1</tt:UseCount>'
        f"<tt:SourceToken>VideoSource_{i}</tt:SourceToken></tr2:VideoSource></tr2:Configurations></tr2:Profiles>"
        for i in range(1, _sources(d) + 1))
    return f"<tr2:GetProfilesResponse>{items}</tr2:GetProfilesResponse>"


def get_stream_uri(d: Device, req: Any) -> str:
    port = "" if d["rtsp_port"] == 554 else f":{d['rtsp_port']}"
    token = req.body.findtext(f"{{{NS['trt']}}}ProfileToken") or "Profile_1"
    uri = f"rtsp://{d['address']}{port}/{token}"
    return (f"<trt:GetStreamUriResponse><trt:MediaUri>{el('tt:Uri', uri)}"
            "<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot>"
            "<tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>")


# --- recorders -----------------------------------------------------------------------


def _listed_recordings(d: Device) -> int:
    """Recordings ONVIF lists: none on a recorder whose own recordings were not made through ONVIF (hammeraj/onvif#112)."""
    return 0 if quirks.has(d, "no_onvif_recordings") else d["channels"]


def get_recordings(d: Device, req: Any) -> str:
    items = []
    for i in range(1, _listed_recordings(d) + 1):
        items.append(
            f"<trc:RecordingItem><tt:RecordingToken>Recording_{i}</tt:RecordingToken><tt:Configuration>"
            f"<tt:Source><tt:SourceId>VideoSource_{i}</tt:SourceId><tt:Name>CH{i:02d}</tt:Name>"
            f"<tt:Location>{esc(d['hostname'])}</tt:Location><tt:Description>Channel {i}</tt:Description>"
            f"<tt:Address>rtsp://{d['address']}/ch{i}</tt:Address></tt:Source>"
            "<tt:Content>continuous</tt:Content><tt:MaximumRetentionTime>P30D</tt:MaximumRetentionTime>"
            f"</tt:Configuration><tt:Tracks><tt:Track><tt:TrackToken>VIDEO001</tt:TrackToken><tt:Configuration>"
            "<tt:TrackType>Video</tt:TrackType><tt:Description>video</tt:Description></tt:Configuration>"
            "</tt:Track></tt:Tracks></trc:RecordingItem>")
    return f"<trc:GetRecordingsResponse>{''.join(items)}</trc:GetRecordingsResponse>"


def get_recording_summary(d: Device, req: Any) -> str:
    until = device_now(d).strftime("%Y-%m-%dT%H:%M:%SZ")
    since = (device_now(d) - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (f"<tse:GetRecordingSummaryResponse><tse:Summary>{el('tt:DataFrom', since)}{el('tt:DataUntil', until)}"
            f"{el('tt:NumberRecordings', _listed_recordings(d))}</tse:Summary></tse:GetRecordingSummaryResponse>")


# --- analytics / deviceio ------------------------------------------------------------


def get_supported_analytics_modules(d: Device, req: Any) -> str:
    modules = "".join(
        f'<tt:AnalyticsModuleDescription Name="tt:{name}"><tt:Parameters/><tt:Messages IsProperty="true">'
        "<tt:Source/><tt:Data/><tt:ParentTopic>tns1:RuleEngine</tt:ParentTopic></tt:Messages>"
        "</tt:AnalyticsModuleDescription>"
        for name in ("CellMotionEngine", "LineDetector", "ObjectCounter"))
    return (f"<tan:GetSupportedAnalyticsModulesResponse><tan:SupportedAnalyticsModules>{modules}"
            "</tan:SupportedAnalyticsModules></tan:GetSupportedAnalyticsModulesResponse>")


def service_capabilities(service: str) -> Callable[[Device, Any], str]:
    prefix = {"device": "tds", "media": "trt", "media2": "tr2", "events": "tev", "imaging": "timg", "deviceio": "tmd",
              "recording": "trc", "search": "tse", "replay": "trp", "analytics": "tan"}[service]
    inner = {
        "device": "<tds:Capabilities><tds:Network/><tds:Security UsernameToken=\"true\" HttpDigest=\"true\"/>"
                  "<tds:System DiscoveryResolve=\"true\"/></tds:Capabilities>",
        "analytics": '<tan:Capabilities RuleSupport="true" AnalyticsModuleSupport="true"/>',
        "media": '<trt:Capabilities SnapshotUri="false"><trt:ProfileCapabilities MaximumNumberOfProfiles="8"/>'
                 '<trt:StreamingCapabilities RTP_TCP="true" RTP_RTSP_TCP="true"/></trt:Capabilities>',
        "recording": '<trc:Capabilities DynamicRecordings="false" DynamicTracks="false"/>',
        "search": '<tse:Capabilities MetadataSearch="false"/>',
    }.get(service, f"<{prefix}:Capabilities/>")

    def op(d: Device, req: Any) -> str:
        return f"<{prefix}:GetServiceCapabilitiesResponse>{inner}</{prefix}:GetServiceCapabilitiesResponse>"

    return op


OPERATIONS: dict[str, dict[str, Callable[[Device, Any], str]]] = {
    "device": {
        "GetSystemDateAndTime": get_system_date_and_time,
        "GetDeviceInformation": get_device_information,
        "GetServices": get_services,
        "GetCapabilities": get_capabilities,
        "GetScopes": get_scopes,
        "GetNetworkInterfaces": get_network_interfaces,
        "GetHostname": get_hostname,
        "GetWsdlUrl": get_wsdl_url,
    },
    "media": {"GetVideoSources": get_video_sources, "GetProfiles": get_profiles, "GetStreamUri": get_stream_uri},
    "media2": {"GetProfiles": get_profiles_media2},
    "recording": {"GetRecordings": get_recordings},
    "search": {"GetRecordingSummary": get_recording_summary},
    "analytics": {"GetSupportedAnalyticsModules": get_supported_analytics_modules},
    # DeviceIO's GetVideoSources is media's message (trt:GetVideoSources), per deviceio.wsdl.
    "deviceio": {"GetVideoSources": get_video_sources},
    "events": {},
    "imaging": {},
    "replay": {},
}
for _service, _ops in OPERATIONS.items():
    _ops["GetServiceCapabilities"] = service_capabilities(_service)


def operation(service: str, op: str) -> Callable[[Device, Any], str]:
    try:
        return OPERATIONS[service][op]
    except KeyError:
        raise Unsupported(op) from None
