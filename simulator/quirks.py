"""The one registry of device quirks: what each one does, its parameters and defaults.

A fixture names quirks either as a bare string (`clock_skew`) or as a mapping with
parameters (`{name: clock_skew, seconds: -7200}`). `normalize_quirks` turns both into
`{"name": ..., **params}` with every default filled in, so `--fixture-out` shows exactly
what is served. The protocol modules ask `has(device, name)` / `param(device, name, key)`;
behaviour lives beside the protocol it bends (wsd.py, soap.py, services.py, auth.py,
http_server.py) and every quirk has a test in tests/simulator/test_quirks.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Quirk:
    name: str
    summary: str
    params: dict[str, Any] = field(default_factory=dict)
    mimics: str = ""


QUIRKS: dict[str, Quirk] = {
    q.name: q
    for q in (
        Quirk("clock_skew", "device clock runs `seconds` ahead (negative: behind); GetSystemDateAndTime, "
              "the HTTP Date header of ONVIF answers and the UsernameToken Created window use the skewed clock", {"seconds": 3600},
              "cameras never given NTP; Hikvision NotAuthorized until time sync (home-assistant/home-assistant.io#28662)"),
        Quirk("no_get_services", "GetServices answers ter:ActionNotSupported; clients must fall back to "
              "GetCapabilities", {}, "Axis and older Profile S firmware (quatanium/python-onvif#30, yingchengpa/python-onvif2-zeep#5)"),
        Quirk("zero_xaddrs", "XAddrs (ProbeMatch, GetCapabilities, GetServices) say http://0.0.0.0/...", {},
              "DESIGN §5; cf. devices reporting 127.0.0.1 XAddrs (roleoroleo/yi-hack-MStar#148)"),
        Quirk("foreign_xaddrs", "XAddrs name another host (`host`) instead of the device's address",
              {"host": "192.168.1.64"}, "cameras reporting another IP than the one configured (home-assistant/core#34218)"),
        Quirk("slow", "every ONVIF answer is delayed by `delay` seconds", {"delay": 3.0},
              "overloaded NVRs and cheap encoders"),
        Quirk("hang", "accepts ONVIF HTTP connections and never answers", {}, "wedged firmware"),
        Quirk("malformed_xml", "GetDeviceInformation (and other authenticated answers) are cut-off, "
              "unbalanced XML", {}, "not-well-formed answers (quatanium/python-onvif#48)"),
        Quirk("huge_response", "GetDeviceInformation answers a ~`megabytes` MB body (padding in an "
              "extension comment)", {"megabytes": 5}, "resource exhaustion in clients"),
        Quirk("entity_expansion", "answers carry a billion-laughs DOCTYPE; a safe parser must refuse it", {},
              "hostile device (XXE / entity expansion)"),
        Quirk("markup_strings", "Manufacturer and Model (hence the name scope) contain <script>alert(1)</script> (escaped XML, "
              "so it arrives as text)", {}, "hostile or compromised device"),
        Quirk("formula_strings", 'Model is =HYPERLINK("http://x") (spreadsheet formula injection)', {},
              "hostile device"),
        Quirk("unicast_only", "silent on multicast Probes; answers unicast ones", {},
              "devices on routed subnets or with multicast discovery disabled"),
        Quirk("wrong_relates_to", "ProbeMatches carry a RelatesTo that is not the probe's MessageID", {},
              "buggy WS-Discovery stacks"),
        Quirk("duplicate_probe_matches", "each Probe is answered twice (same MessageID)", {},
              "SOAP-over-UDP repetition done by the device"),
        Quirk("all_ops_require_auth", "even GetSystemDateAndTime/GetServices/GetCapabilities need auth",
              {}, "Vivotek/Panasonic need auth for GetSystemDateAndTime (agsh/onvif#301); Axis replay protection (agsh/onvif#178)"),
        # --- field-research quirks (docs/simulator.md names the threads) -----------------
        Quirk("http_401_on_bad_auth", "missing or wrong WS-UsernameToken answers HTTP 401 with an HTML "
              "'Access Error: 401 -- Unauthorized' page instead of a SOAP ter:NotAuthorized fault", {},
              "Hikvision (home-assistant/core#119107, agsh/onvif#178)"),
        Quirk("empty_body_without_action", "answers 200 with an empty body when the request's Content-Type "
              "carries no action= parameter", {}, "Pelco (agsh/onvif#497, fixed by agsh/onvif#498)"),
        Quirk("time_check_fault", "a UsernameToken outside the clock window gets Dahua's fault text "
              "'Wsse authorized time check failed.'", {}, "Dahua (koush/scrypted#1142, agsh/onvif#249)"),
        Quirk("soap11_content_type", "answers with Content-Type text/xml (SOAP 1.1) though the envelope is "
              "SOAP 1.2", {}, "no thread found: generic SOAP 1.1/1.2 content-type mismatch check"),
        Quirk("bom_prefix", "answers start with a UTF-8 BOM and a newline before <?xml", {},
              "no thread found: generic garbage-before-declaration check"),
        Quirk("empty_get_services", "GetServices answers successfully with no Service elements", {},
              "onvif-zeep-async falls back when GetServices returns nothing (openvideolibs/python-onvif-zeep-async#177)"),
        Quirk("lockout", "counts failed logins: the fault says 'You still have N attempt(s)'; after `attempts` "
              "failures every authenticated call fails for `seconds`, even with the right password",
              {"attempts": 5, "seconds": 300},
              "Dahua/IMOU (home-assistant/core#147404, Quedale/OnvifDeviceManager#19): a scanner trying "
              "several credentials must stop before it locks the device"),
        Quirk("require_zulu_created", "rejects a UsernameToken whose Created is not UTC with a 'Z' "
              "suffix (e.g. +00:00)", {},
              "Hikvision (lumeohq/onvif-rs#114; onvif-zeep-async forces zulu_timestamp for this reason)"),
        # --- second field-research pass (docs/simulator.md, "Field research") -------------
        Quirk("digest_only", "authenticated calls need HTTP digest: a valid WS-UsernameToken alone gets "
              "HTTP 401 with a Digest challenge (ONVIF authentication set to 'Digest', not 'Digest&WS-Username "
              "token'); pre-auth operations stay open", {},
              "Hikvision (agsh/onvif#294, home-assistant/core#99166, blakeblackshear/frigate#22623)"),
        Quirk("ipv6_xaddrs", "ProbeMatch XAddrs list two URLs, space separated: the IPv4 one and an IPv6 "
              "link-local one (fe80:: EUI-64 of the MAC)", {},
              "Hikvision (agsh/onvif#93: a client parsing XAddrs as one URL breaks; cf. christgau/wsdd#174)"),
        Quirk("shared_first_mac", "GetNetworkInterfaces lists first an interface (eth0, IPv4 off) whose "
              "HwAddress `mac` is the same on every unit, then the real one (wlan0, with the device address); "
              "both written upper case with dashes (00-30-1B-BA-02-DB)", {"mac": "00:30:1b:ba:02:db"},
              "IMOU/Dahua IPC-C22F-C (home-assistant/core#162687: a client taking the first MAC merges cameras)"),
        Quirk("no_network_interfaces", "GetNetworkInterfaces answers a gSOAP-style fault without a Subcode "
              "(\"Method 'tds:GetNetworkInterfaces' not implemented\"), so no MAC is served", {},
              "home-assistant/core#36243 (fault text), home-assistant/core#35883 (no MAC, serial only)"),
        Quirk("chunked_answers", "SOAP answers and the login page are sent with Transfer-Encoding: chunked, "
              "`chunk_bytes` at a time with `pause_s` between, so they arrive in pieces as on a real network",
              {"chunk_bytes": 512, "pause_s": 0.005},
              "Pelco answering chunked (home-assistant/core#149829); gSOAP-based firmwares chunk by default"),
        Quirk("gzip_when_asked", "SOAP answers and the login page are gzip-compressed when the request's "
              "Accept-Encoding allows it", {},
              "Pelco's gzip answers breaking clients (home-assistant/core#149829)"),
        Quirk("one_request_per_connection", "answers one HTTP request per TCP connection without saying "
              "Connection: close, and closes the connection `after_s` later; a second request sent on it "
              "meanwhile is dropped unanswered", {"after_s": 0.05},
              "Thingino and similar firmware closing after each answer: ServerDisconnectedError on reuse "
              "(openvideolibs/python-onvif-zeep-async#140)"),
        Quirk("typed_probes_only", "silent on a WS-Discovery Probe that names no Types; answers one naming "
              "a type it has", {},
              "TP-Link TL-IPC43KP-4 (edgexfoundry/device-onvif-camera#135); an Intelbras (Dahua) DVR "
              "(lumeohq/onvif-rs#61)"),
        Quirk("gbk_strings", "GetHostname's Name ends in 摄像头 encoded as GBK, inside an answer that declares "
              "UTF-8 (so it is not well-formed UTF-8)", {},
              "Chinese firmware writing GBK text into UTF-8 answers: lxml 'Input is not proper UTF-8 ... "
              "Bytes: 0xCE 0xC4' (home-assistant/core#89620)"),
        Quirk("local_time_only", "GetSystemDateAndTime gives no UTCDateTime, only LocalDateTime (the device "
              "clock shifted by the POSIX TimeZone `tz`, or by `east_hours` when given: a TZ that is no POSIX "
              "zone, `GMT+09:00` meant as UTC+9 or `Asia/Seoul`; tz \"\" sends no TimeZone)",
              {"tz": "KST-9", "east_hours": None},
              "cheap and no-name cameras (agsh/onvif#160, #165; home-assistant/core#25604 and #26656)"),
        Quirk("fault_undeclared_prefix", "SOAP Faults name their subcode as ter:... without declaring the ter "
              "prefix anywhere in the document (a QName in text, so the XML itself stays well-formed)", {},
              "Wanscam K21/K54: zeep raises XMLParseError 'No namespace defined for ter' instead of a Fault "
              "(mvantellingen/python-zeep#1205, home-assistant/core#45513; wsrf-rw: home-assistant/core#47130)"),
        Quirk("tls_no_close_notify", "the HTTPS server never answers a client's TLS close_notify and keeps "
              "the TCP connection open until its own idle timeout (`seconds`)", {"seconds": 30},
              "TLS 1.3 servers that do not echo close_notify, leaving asyncio clients waiting out their "
              "shutdown timeout (aio-libs/aiohttp#11091, encode/httpx#634)"),
        # --- third field-research pass (docs/simulator.md, "Field research") --------------
        Quirk("echo_message_id", "a ProbeMatch carries the Probe's own MessageID as its MessageID (RelatesTo "
              "still right), so a client that skips messages whose id it sent itself drops the answer", {},
              "a camera WSDiscovery's threaded client never lists (andreikop/python-ws-discovery#38)"),
        Quirk("wsd_host_not_onvif", "not an ONVIF device but a WS-Discovery host (a Windows PC, a NAS, a "
              "printer): answers every Probe, typed or not, with Types `types`, no Scopes and an XAddr "
              "http://<hostname>:5357/<uuid>/; serves no ONVIF (POSTs to /onvif/ get 404)",
              {"types": "wsdp:Device pub:Computer"},
              "Synology NAS and Windows WSD hosts taken for cameras (Mi-Bee-Studio/MiBeeNvr#266, #554; "
              "Quedale/OnvifDeviceManager#14)"),
        Quirk("bogus_hw_address", "GetNetworkInterfaces gives as HwAddress `value`, which is no MAC "
              "(six run-together numbers, the same on every unit)",
              {"value": "5792c4:5792c5:5792c6:5792c7:5792c8:5792c9"},
              "cheap OEM cameras merged into one by clients keyed on it (home-assistant/core#59218, #63399)"),
        Quirk("fake_serial", "GetDeviceInformation gives SerialNumber `serial`, the same on every unit of "
              "the model", {"serial": "0123456789"},
              "Tuya-based cameras (SerialNumber 0123456789, Model 1234: home-assistant/frontend#17345); the "
              "literal 'SerialNumber' (home-assistant/core#38864): same-model cameras merged into one"),
        Quirk("date_without_day", "GetSystemDateAndTime's Date elements have Year and Month but no Day", {},
              "TP-Link Tapo C200 (edgexfoundry/device-onvif-camera#158, IOTechSystems/onvif#18)"),
        Quirk("soap11_envelope", "answers SOAP 1.2 requests in SOAP 1.1 envelopes "
              "(http://schemas.xmlsoap.org/soap/envelope/), Faults in 1.1's shape (faultcode, faultstring)",
              {}, "a cheap ONVIF camera (mvantellingen/python-zeep#126); a Hikvision NVR "
              "(evercam/evercam-server#211); rpos answering ODM (BreeeZe/rpos#6)"),
        Quirk("single_service_path", "every service answers at one path (`path`), chosen by the request's "
              "namespace; GetServices/GetCapabilities name it; /onvif/media_service etc. answer 404 "
              "(/onvif/device_service, the discovery XAddr, still works)", {"path": "/onvif/services"},
              "Axis (edgexfoundry/device-onvif-camera#195, danielwoz/ubiquiti-protect-onvif-event-listener#7); "
              "TP-Link C200 (agsh/onvif#207)"),
        # --- fourth field-research pass (docs/simulator.md, "Field research") -------------
        Quirk("soap11_only", "built for SOAP 1.1: a SOAP 1.2 request gets HTTP 200 with an empty body; a "
              "SOAP 1.1 one (its envelope namespace) is answered in SOAP 1.1, Content-Type text/xml", {},
              "a Hikvision dome answering every SOAP 1.2 call with zero bytes (OpenIPC/viewer#65)"),
        Quirk("untyped_probe_fault", "answers a WS-Discovery Probe that names no Types with a SOAP Fault "
              "(Sender, ter:InvalidArgVal, its Action echoing Probe, no RelatesTo); answers one naming a "
              "type it has with a ProbeMatch", {},
              "TP-Link VIGI C340-W (andreikop/python-ws-discovery#56); a Hikvision faulting Probes "
              "(edgexfoundry/device-onvif-camera#134)"),
        # --- fifth field-research pass (docs/simulator.md, "Field research") --------------
        Quirk("overstated_content_length", "the login page (GET /) declares a Content-Length `extra_bytes` "
              "larger than the page it sends, then keeps the connection open `hold_s` seconds before closing "
              "it (0: closes right after the page)", {"extra_bytes": 200, "hold_s": 30},
              "Dahua and Lorex web servers sending a Content-Length larger than the body: clients wait for "
              "bytes that never come or fail 'Not enough data to satisfy content length header' "
              "(openvideolibs/python-onvif-zeep-async#130, home-assistant/core#148093)"),
        Quirk("echo_before_error", "an HTTP 500 answer (a SOAP Fault) is preceded by the first `bytes` bytes "
              "of the request's own head with its separators overwritten by NULs (a parser's buffer written "
              "back), so the answer does not begin with HTTP/", {"bytes": 160},
              "TP-Link Tapo C120 firmware 1.1.7, C320WS and others: 'illegal status line: POST "
              "/onvif/service\\x00HTTP/1.1\\x00\\x00Host\\x00 …HTTP/1.1 500 Internal Server Error' "
              "(home-assistant/core#85902, FalkTannhaeuser/python-onvif-zeep#118, koush/scrypted#1246, "
              "AlexxIT/go2rtc#1589)"),
        Quirk("rejects_ws_addressing", "a request whose SOAP Header carries WS-Addressing (wsa:Action, "
              "MessageID, To) gets a Sender fault (ter:InvalidArgs, HTTP 400) instead of its answer", {},
              "CamHipro cameras failing every call once clients added WS-Addressing headers (home-assistant/core#92308, "
              "fixed by keeping them to the events service: python-onvif-zeep-async#26); a Meari Speed 18T "
              "refusing PTZ Stop with a wsa:Action header (python-onvif-zeep-async#155, #249)"),
        Quirk("analytics_in_profiles", "every GetProfiles profile carries its channel's VideoAnalyticsConfiguration "
              "with `rules` line-detector rules (~0.5 kB each), so a recorder's GetProfiles grows to megabytes",
              {"rules": 8},
              "a Hanwha engineer: 'GetProfiles response is becoming huge because of the analytics configuration "
              "attached to the profile ... this repeats for all profiles' (onvif/specs#225)"),
        Quirk("replay_protection", "remembers the Nonce of every UsernameToken it accepted (the last `remember` "
              "of them) and refuses a token that brings one again, with NotAuthorized, as a replay", {"remember": 4096},
              "Axis replay protection (agsh/onvif#178); a client reusing one nonce for GetDeviceInformation and "
              "GetCapabilities, 'which may be detected as replay attack' (sr99622/libonvif#126)"),
        Quirk("media2_only", "offers Media2 (ver20/media: GetProfiles) instead of the Media service of Profile S, "
              "so there is no media GetVideoSources; with `deviceio` also the DeviceIO service, whose GetVideoSources "
              "lists the sensors", {"deviceio": True},
              "cameras supporting only ver20/media, not ver10/media (Jazea/Onvif.Core#43); Profile T and H.265 "
              "cameras reached through Media2 (agsh/onvif#187)"),
        Quirk("wrong_port_xaddrs", "GetServices and GetCapabilities name every service on port `port`, where nothing "
              "listens, while ONVIF answers on the device's own port (the discovery XAddr is right)", {"port": 80},
              "a YooSee camera with ONVIF on port 5000 whose GetCapabilities XAddrs do not match it "
              "(OpenIPC/viewer#67); 'http port and server port are different things' (FalkTannhaeuser/python-onvif-zeep#92)"),
        Quirk("rejects_action_parameter", "a request whose Content-Type carries an action= parameter gets WS-Addressing's "
              "ActionNotSupported fault ('The [action] cannot be processed at the receiver.', HTTP 500); one without "
              "it is answered", {},
              "Illustra Flex2 and Pro4 (agsh/onvif#302); the opposite of Pelco's empty_body_without_action "
              "(agsh/onvif#497)"),
        Quirk("utc_is_local_time", "GetSystemDateAndTime's UTCDateTime carries the local wall clock (the TimeZone's "
              "offset ahead: KST-9, nine hours), while its tokens are checked, and its HTTP Date stamped, by its true "
              "clock", {},
              "OpenIPC majestic on every camera not set to UTC: a client dating wsu:Created by UTCDateTime signs "
              "hours into the future and is refused (OpenIPC/majestic-webui#292)"),
        Quirk("https_xaddrs", "advertises its services at https:// (ProbeMatch, GetServices, GetCapabilities: "
              "its https_port) and serves ONVIF over TLS there; its plain HTTP port still answers too", {},
              "cameras with HTTPS enabled whose XAddrs are https:// (GuilhermeC18/node-onvif#98; "
              "home-assistant/core#41800, a camera lost once HTTPS was enabled)"),
        Quirk("redirects_to_https", "its XAddrs say http://, but every request to its HTTP port (ONVIF POSTs and the "
              "login page) is answered 302 Found with Location https://<address>:<https_port>/<same path>, where the "
              "same ONVIF services and page answer over TLS", {},
              "cameras that advertise http:// and redirect to https:// when called (lumeohq/onvif-rs#39, fixed by "
              "#43); HTTP-to-HTTPS redirection on camera web servers (Dafang-Hacks/Main#42, "
              "maciej-or/hikvision_next#231)"),
        # --- sixth pass (docs/simulator.md, "Sixth pass") ----------------------------------
        Quirk("invalid_security_fault", "a refused WS-UsernameToken (wrong password, or Created outside the window) "
              "gets a Sender fault with WS-Security's own subcode wsse:InvalidSecurity ('An error was discovered "
              "processing the <wsse:Security> header', HTTP 400) instead of ter:NotAuthorized", {},
              "a Hikvision DVR (home-assistant/core#93079: subcode {…oasis-200401-wss-wssecurity-secext-1.0.xsd}"
              "InvalidSecurity, fixed by setting its clock); Victure PC530 (agsh/onvif#169)"),
        Quirk("no_serial_number", "GetDeviceInformation has no SerialNumber element at all, and its HardwareId "
              "is the device's MAC", {},
              "Wansview cameras: 'SerialNumber is missing on some ONVIF cameras, for example Wansview cameras. "
              "But HardwareId is valid MAC address' (home-assistant/core#48589, #48745; #36126)"),
        Quirk("link_local_xaddrs", "the ProbeMatch XAddrs also name the device's IPv4 link-local (169.254.x.y, "
              "from its MAC) address, which nothing can reach; `first`: that one is listed before the real one",
              {"first": True},
              "Axis encoders and cameras (agsh/onvif#63: 'http://169.254.119.177/onvif/services "
              "http://192.168.1.125/onvif/services'; hammeraj/onvif#103: link-local XAddrs 'which are not reachable')"),
        Quirk("dual_scheme_xaddrs", "the ProbeMatch XAddrs give the device service twice, http:// on its port and "
              "https:// on its https_port, separated by two spaces", {},
              "a camera discovered as '…:80/onvif/device_service%20%20https://10.0.0.60:443/onvif/device_service' "
              "(AlexxIT/go2rtc#884); a Bosch encoder's http and https XAddrs (agsh/onvif#63)"),
        Quirk("split_scheme_xaddrs", "its device service is advertised at https:// on its https_port (ProbeMatch, "
              "GetServices, GetCapabilities), every other service at http:// on its port: each answers there "
              "(and on the other scheme too)", {},
              "a camera whose device service is reached over HTTPS while GetCapabilities/GetServices name its media "
              "service 'http://10.102.10.7:80/onvif/Media', plain HTTP on port 80 (Apra-Labs/ONVIF-Device-Manager#28, "
              "'split-scheme deployments'): a client that keeps one origin's credentials, or one scheme, fails the rest"),
        Quirk("probe_prefix_dn", "answers only a WS-Discovery Probe whose Types text is, as a string, "
              "'dn:NetworkVideoTransmitter' or 'tds:Device': another prefix bound to the same namespace, or no "
              "Types at all, gets nothing", {},
              "'some ONVIF implementations … hardcoded the values of the namespace prefix … If instead the XML has "
              "xmlns:dn then it would produce a response' (andreikop/python-ws-discovery#25); a D-Link DCS-2310L "
              "found by ODM's dn: Probe and missed by another client (ZoneMinder/zoneminder#1644); agsh/onvif#29 "
              "took ODM's Probe shape to find more cameras (an Intelbras VIP-S3120 among them)"),
        Quirk("rtsp_bare_lf", "its RTSP answers end their lines with a bare LF, the header block with LF LF, "
              "never CR LF", {},
              "YUAN VuStream 150 cameras' 'WWW-Authenticate: Basic realm=\"YUAN\"\\nWWW-Authenticate: Digest "
              "realm=\"YUAN\", …\\nContent-Length: 0' (OvenMediaLabs/OvenMediaEngine#1935, taken in #1949 after "
              "RFC 2326 §4: 'receivers should be prepared to also interpret CR and LF by themselves'); a camera's "
              "'RTSP/1.0 200 OK\\nCSeq: 2\\n' (meetecho/janus-gateway#1922)"),
        Quirk("edge_recording", "a camera with an SD card: it also offers the recording and search services "
              "(GetServices, GetCapabilities) and advertises ONVIF Profile G in its scopes", {},
              "cameras that record to their own storage: a camera whose GetCapabilities lists Recording and Search "
              "(FalkTannhaeuser/python-onvif-zeep#116, 'access SD card data on IP camera'); GetRecordings tested on "
              "Axis cameras (hammeraj/onvif#91, #112); an NVR fetching footage from cameras' SD cards "
              "(evercam/ex_nvr#566)"),
        Quirk("profiles_refused", "GetProfiles answers a Sender ter:NotAuthorized fault (HTTP 400) to the account "
              "that every other call accepts: its rights leave the stream profiles out", {},
              "Hanwha/Samsung user accounts: 'If you select <Default>, you can only see the default profile video … "
              "ONVIF functions available to a registered user … are limited to those granted with permission' "
              "(SND-5084R and SPE-400 manuals)"),
        Quirk("legacy_tls", "its HTTPS port speaks TLS 1.2 at most, with static-RSA key exchange only (AES128-SHA, "
              "AES256-SHA, AES128-SHA256, AES256-SHA256) and an RSA certificate: Python's default client "
              "context (3.10+) has no suite in common with it", {},
              "older Dahua firmware (home-assistant/core#91130, a VTO2111D-P-S2: 'we probably need to add some of "
              "the older ciphers since python 3.10 changes the default cipher list'); onvif-zeep-async's answer, "
              "'Allow legacy ssl for older cameras' (openvideolibs/python-onvif-zeep-async#46)"),
        Quirk("web_login_prompt", "GET / answers HTTP 401 with a Digest challenge in the realm its web server asks "
              "for (Axis: AXIS_<MAC>, the others as over RTSP) and no login page", {},
              "an Axis web UI without anonymous viewing: 'When we load the axis camera on browser it prompts to "
              "enter the credentials' (AxisCommunications/media-stream-library-js#750); its realm "
              "'AXIS_ACCC8E45256A' (ZoneMinder/zoneminder#1161)"),
        Quirk("basic_before_digest", "its HTTP 401s carry two WWW-Authenticate lines, Basic first, then Digest "
              "(it takes HTTP digest as an `auth: digest` device does)", {},
              "TP-Link cameras' 401s list Basic realm=\"TP-LINK IP-Camera\" first, then Digest (bluenviron/mediamtx#3116, "
              "koush/scrypted#1271); a DVR's Digest then Basic (rburgst/okhttp-digest#2); a client that takes the "
              "first line answers Basic, in clear, or nothing (sproctor/ONVIF-Camera-Kotlin#24)"),
        Quirk("basic_only", "authenticated ONVIF calls need HTTP Basic: a WS-UsernameToken is not read, the 401 "
              "offers only 'Basic realm=…'; a request carrying Basic is logged with auth 'basic ok'/'basic failed'",
              {}, "a Bosch camera with Basic authentication switched on for ONVIF ('only basic auth working to "
              "Bosch (it's specifically enabled in Bosch cam)', jimm98y/SharpOnvif#16); Basic for ONVIF is a "
              "proposal for TLS only (onvif/specs#812)"),
        # --- read-path gaps (tenth pass; docs/simulator.md) ----------------------------------
        Quirk("illegal_login_lock", "an 'illegal login lock' that has already shut out the scanner's address (a VMS "
              "or earlier tool with a stale password tripped it): every call that needs auth answers HTTP 403 with "
              "the web server's HTML 'Access Error: 403 -- Forbidden' page, whatever the credentials, for `seconds` "
              "after the lab starts; pre-auth calls are still answered", {"seconds": 1800},
              "Hikvision's Illegal Login Lock: 'a 401 or 403 code' once an IP address is blocked "
              "(help.chowmain.software, Hikvision 401/403 authentication issues; evercam/evercam-server#91)"),
        Quirk("tls_handshake_alert", "its HTTPS port accepts TCP and answers the ClientHello with a fatal TLS "
              "handshake_failure alert, then closes; with https_xaddrs every ONVIF call meets it", {},
              "Tapo C260 and C510W firmware refusing clients' TLS: SSLV3_ALERT_HANDSHAKE_FAILURE "
              "(JurajNyiri/HomeAssistant-Tapo-Control#1088, JurajNyiri/pytapo#114)"),
        Quirk("padded_namespaces", "GetServices' Namespace values carry a line break and indentation before and "
              "after the URI (pretty-printed text content)", {},
              "no thread found: whitespace left around device strings (Jazea/Onvif.Core#46 scopes, "
              "bluenviron/gortsplib#116 SDP)"),
        Quirk("cert_names_hostname", "its HTTPS certificate is self-signed with the subject CN=<its hostname> and "
              "nothing else: the name the user gave it, not its maker's", {},
              "self-signed device certificates naming the device (cockpit-project/cockpit#3282, "
              "xapi-project/xen-api#4454; Dahua's CN=<IP>, rroller/dahua#647)"),
        # --- tenth pass (docs/simulator.md, "Tenth pass") ----------------------------------
        Quirk("no_system_date_and_time", "GetSystemDateAndTime is not implemented: it answers gSOAP's own fault "
              "(HTTP 400, Sender, no Subcode, \"Method 'tds:GetSystemDateAndTime' not implemented: method name or "
              "namespace not recognized\"); the answer's HTTP Date still comes from the device's clock", {},
              "a Kojima camera ('Method ns0:GetSystemDateAndTime not implemented … (code:SOAP-ENV:Sender) "
              "(subcodes:)', home-assistant/core#138579); a HiKam A7 whose maker 'did not implement "
              "GetSystemDateAndTime', Manufacturer 'Technology', Model 'IPC' (agsh/onvif#65)"),
        Quirk("rtsp_odd_headers", "its RTSP answers name the sequence header `Cseq` and always give it 0, whatever "
              "the request's CSeq, and write the challenge header `Www-Authenticate`", {},
              "a Foscam C1's Hisilicon Streaming Media Server answering 'Cseq: 0' to 'CSeq: 1' "
              "(luisiam/homebridge-foscamcamera#6); TP-Link's 'Cseq: 1' and 'Www-Authenticate: Basic realm=…' "
              "(AlexxIT/go2rtc#999); a camera's CSeq with a space before the line end (bluenviron/gortsplib#437); "
              "a Tapo C220 answering with the previous request's CSeq (scottlamb/retina#136)"),
        Quirk("no_onvif_recordings", "a recorder that lists no recordings over ONVIF: GetRecordings answers an empty "
              "list and GetRecordingSummary NumberRecordings 0, though its channels (video sources, profiles) are all "
              "there and it offers the recording, search and replay services", {},
              "Hikvision and Milesight recorders, whose own recordings ONVIF does not list ('to list recordings via "
              "onvif, they should be created via onvif', hammeraj/onvif#112)"),
    )
}


class QuirkError(ValueError):
    pass


def normalize_quirks(raw: Any, where: str) -> list[dict[str, Any]]:
    """Fixture quirks (strings or mappings) as `[{"name": ..., **params}]`, defaults filled."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise QuirkError(f"{where}.quirks must be a list, got {type(raw).__name__}")
    out: list[dict[str, Any]] = []
    for i, item in enumerate(raw):
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise QuirkError(f"{where}.quirks[{i}] must be a name or a mapping with 'name'")
        quirk = QUIRKS.get(item["name"])
        if quirk is None:
            raise QuirkError(f"{where}.quirks[{i}]: unknown quirk {item['name']!r} "
                             f"(known: {', '.join(sorted(QUIRKS))})")
        unknown = set(item) - {"name"} - set(quirk.params)
        if unknown:
            raise QuirkError(f"{where}.quirks[{i}] ({quirk.name}): unknown parameter(s) "
                             f"{', '.join(sorted(unknown))}; allowed: {', '.join(quirk.params) or 'none'}")
        merged = {"name": quirk.name, **quirk.params, **{k: v for k, v in item.items() if k != "name"}}
        for key, default in quirk.params.items():
            if isinstance(default, (int, float)) and not isinstance(merged[key], (int, float)):
                raise QuirkError(f"{where}.quirks[{i}] ({quirk.name}).{key} must be a number")
        out.append(merged)
    return out


def has(device: dict[str, Any], name: str) -> bool:
    # Asked ~20 times per request, almost always of a device with no quirks at all: the empty case
    # returns before any generator is made (3 % of the lab's CPU at 2,000 devices before).
    quirks = device.get("quirks")
    if not quirks:
        return False
    return any(q["name"] == name for q in quirks)


def param(device: dict[str, Any], name: str, key: str) -> Any:
    for q in device.get("quirks", ()):
        if q["name"] == name:
            return q.get(key, QUIRKS[name].params.get(key))
    return QUIRKS[name].params.get(key)
