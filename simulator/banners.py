"""What a device's web UI, RTSP server and TLS certificate say about its TRUE maker.

A relabelled camera claims a Korean brand in ONVIF, but its firmware still carries the
real maker's web server, login page and RTSP stack (DESIGN §5: that is the evidence).
Strings below contain a marker from that family's `banners` in config/vendors.yaml, so the
scanner can attribute them; a test checks that for every family.
"""

from __future__ import annotations

import datetime as dt
import ssl
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from scanner.vendors import load_vendor_catalog


@dataclass(frozen=True)
class Banner:
    http_server: str | None  # None: no Server header at all, as real Dahua web servers send
    title: str
    rtsp_server: str | None  # None: no Server header in RTSP answers, as real Hikvision ones send
    tls_org: str  # the certificate's subject (CN and O); self-signed, so its issuer too
    # A maker whose device CA signs a certificate naming only the device: subject CN=tls_org, C=CN,
    # issuer this CA's name (Dahua: rroller/dahua#647, D4-project/Plum-Island#204, with its NBSPs).
    tls_ca: tuple[str, str] | None = None  # (CN, O)
    tls_cn: str | None = None  # the subject's CN where it is not tls_org (Truen's "TCAM")


# What real devices send where a source shows it, and shapes that carry the family's marker where none does:
# - Hikvision: Server App-webs/ (intrigueio/intrigue-ident checks/http/hikvision.rb); RTSP without a Server
#   header (AlexxIT/go2rtc#903, #934, blakeblackshear/frigate#9006).
# - Dahua: no Server header, a login page titled "WEB" (D4-project/Plum-Island#204); "Dahua Rtsp Server"
#   (rapid7/recog xml/rtsp_servers.xml); its device CA's certificate.
# - Hanwha: the title "Hanwha Techwin" (recog xml/html_title.xml); RTSP answers without a Server header
#   (Ullaakut/cameradar#199). Its Server header and certificate: no source.
# - Axis: the title "AXIS" (recog html_title.xml); RTSP "GStreamer RTSP server" (home-assistant/core#112824),
#   which names no maker; certificate O=Axis Communications AB (recog x509_subjects.xml). Server: no source.
# - Uniview: RTSP without a Server header (bluenviron/mediamtx#4660). Its web strings: no source.
# - Truen: certificate CN=TCAM, O=Truen (recog x509_subjects.xml, "often rebranded").
# - WebGate: Server wg_httpd (based Boa), title "WebEye Index Page" (nmap-service-probes).
# - Vivotek: Server "Network Camera", which names no maker; RTSP without a Server header (nmap-service-probes).
# - Bosch: Server VCS-VideoJet-Webserver (nmap-service-probes), certificates of Bosch Sicherheitssysteme GmbH
#   (recog x509_issuers.xml).
# - Xiongmai: Server uc-httpd 1.0.0, which names no maker alone, and its web UI's title "NETSurveillance WEB"
#   (Greenbone NASL OID 1.3.6.1.4.1.25623.1.0.114038); its RTSP banner: no source.
# - Milesight: no Server header, the title "Milesight Network Camera" (Greenbone gb_milesight_camera_detect.nasl).
# IDIS and the rest: no source; shapes made to carry the family's marker.
_KNOWN = {
    "hikvision": Banner("App-webs/", "Hikvision Web Client", None,
                        "Hangzhou Hikvision Digital Technology Co., Ltd."),
    "dahua": Banner(None, "WEB", "Dahua Rtsp Server", "192.168.1.108",
                    ("Dahua\u00a0Device\u00a0CA", "Zhejiang\u00a0Dahua\u00a0Technology Co.,Ltd.")),
    "hanwha": Banner("Wisenet httpd", "Hanwha Techwin", None, "Hanwha Vision Co., Ltd."),
    "axis": Banner("Apache (AXIS)", "AXIS", "GStreamer RTSP server", "Axis Communications AB"),
    "idis": Banner("IDIS Web Server", "IDIS Web", "IDIS RTSP Server", "IDIS Co., Ltd."),
    "uniview": Banner("UNV httpd", "Uniview Web", None, "Zhejiang Uniview Technologies Co., Ltd."),
    "truen": Banner("TRUEN-httpd/2.0", "TRUEN Web Viewer", "TRUEN RTSP Server", "Truen", tls_cn="TCAM"),
    "webgate": Banner("wg_httpd/1.1(based Boa/0.94)", "WebEye Index Page", "WEBGATE RTSP Server", "WEBGATE Inc."),
    "vivotek": Banner("Network Camera", "Vivotek Web Viewer", None, "VIVOTEK Inc."),
    "bosch": Banner("VCS-VideoJet-Webserver", "Bosch Web Viewer", "BOSCH RTSP Server", "Bosch Sicherheitssysteme GmbH"),
    "xiongmai": Banner("uc-httpd 1.0.0", "NETSurveillance WEB", None, "Hangzhou Xiongmai Technology Co., Ltd."),
    "milesight": Banner(None, "Milesight Network Camera", None, "Xiamen Milesight IoT Co., Ltd."),
}
_ANONYMOUS = Banner("lighttpd/1.4.59", "Network Camera", "RTSP Server", "IP Camera")


def banner_for(family_id: str | None) -> Banner:
    if family_id is None:
        return _ANONYMOUS
    if family_id in _KNOWN:
        return _KNOWN[family_id]
    family = load_vendor_catalog().by_id(family_id)
    marker = family.banners[0] if family.banners else family.name
    return Banner(f"{marker.upper()}-httpd/2.0", f"{family.name} Web Viewer", f"{marker.upper()} RTSP Server",
                  family.name)


def server_header(family_id: str | None) -> dict[str, str]:
    """The HTTP Server header this maker's web server sends, if it sends one."""
    server = banner_for(family_id).http_server
    return {"Server": server} if server else {}


def login_page(family_id: str | None) -> bytes:
    b = banner_for(family_id)
    return (
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
        f"<title>{escape(b.title)}</title></head><body><form method=\"post\" action=\"/login\">"
        "<input name=\"username\"><input name=\"password\" type=\"password\"><button>Login</button>"
        "</form></body></html>"
    ).encode()


# Static-RSA key exchange only, TLS 1.2 at most (legacy_tls): what older Dahua firmware offers, and what
# Python's default client context has not offered since 3.10 (home-assistant/core#91130).
LEGACY_CIPHERS = "AES128-SHA:AES256-SHA:AES128-SHA256:AES256-SHA256"


@cache
def ssl_context(family_id: str | None, legacy: bool = False, hostname: str | None = None) -> ssl.SSLContext:
    """Server TLS context with a self-signed certificate naming the true maker; one per maker (and
    one more per maker for `legacy`, whose RSA key the static-RSA suites need). With `hostname`
    (quirk cert_names_hostname) the certificate names only that: CN=<hostname>, one per name."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import NameOID

    b = banner_for(family_id)
    # EC is fast to make, unlike RSA
    key = rsa.generate_private_key(65537, 2048) if legacy else ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, b.tls_cn or b.tls_org),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, b.tls_org)])
    issuer = name
    if b.tls_ca is not None:  # signed with the device's own key all the same: nobody verifies it
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, b.tls_org),
                          x509.NameAttribute(NameOID.COUNTRY_NAME, "CN")])
        issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, b.tls_ca[0]),
                            x509.NameAttribute(NameOID.ORGANIZATION_NAME, b.tls_ca[1])])
    if hostname is not None:
        name = issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650)).sign(key, hashes.SHA256()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # load_cert_chain wants files; they live only as long as this call.
    with tempfile.TemporaryDirectory(prefix="cctv-sim-tls-") as folder:
        cert_path, key_path = Path(folder) / "cert.pem", Path(folder) / "key.pem"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        context.load_cert_chain(cert_path, key_path)
    if legacy:
        context.maximum_version = ssl.TLSVersion.TLSv1_2  # TLS 1.3's suites cannot be switched off otherwise
        context.set_ciphers(LEGACY_CIPHERS)
    return context
