"""Role rules with reasons, OUI lookup, relabel detection, self-inventory (no network)."""

from pathlib import Path

import pytest

from scanner.classify import NS_ANALYTICS, NS_IMAGING, NS_MEDIA, NS_RECORDING, NS_SEARCH, classify
from scanner.fingerprint import detect_relabel
from scanner.model import Fingerprints
from scanner.selfinventory import self_inventory
from scanner.vendors import load_vendor_catalog

DEVICE = "http://www.onvif.org/ver10/device/wsdl"


@pytest.mark.parametrize(
    ("services", "scopes", "sources", "role", "reason_part"),
    [
        ([DEVICE, NS_MEDIA, NS_RECORDING, NS_SEARCH], [], 16, "nvr", "recording, search"),  # XRN-1610
        ([DEVICE, NS_MEDIA], ["onvif://www.onvif.org/Profile/G"], 4, "nvr", "Profile G"),
        ([DEVICE, NS_MEDIA, NS_ANALYTICS], [], 8, "analytics", "analytics"),
        ([DEVICE, NS_MEDIA, NS_IMAGING, NS_ANALYTICS], [], 1, "camera", "imaging"),
        ([DEVICE, NS_MEDIA], [], 4, "encoder", "analog inputs"),  # TE-1204, a 4-input video server
        ([DEVICE, NS_MEDIA, NS_IMAGING], [], 4, "camera", "4 video source"),  # PNM-9084RQZ, four imagers
        ([DEVICE, NS_MEDIA, NS_IMAGING], [], 1, "camera", "media"),
        ([DEVICE], [], 0, "unknown", "no video sources"),
        # A camera with an SD card: Profile G and the recording/search services, and its own imaging (review).
        ([DEVICE, NS_MEDIA, NS_IMAGING, NS_RECORDING, NS_SEARCH], ["onvif://www.onvif.org/Profile/G"], 1, "camera",
         "edge recording"),
        ([DEVICE, NS_MEDIA, NS_IMAGING], ["onvif://www.onvif.org/Profile/G"], 4, "camera", "Profile G"),
        # ... but a recorder that says so, or one with more channels than any camera has sensors, stays one.
        ([DEVICE, NS_MEDIA, NS_IMAGING, NS_RECORDING], ["onvif://www.onvif.org/type/NVR"], 4, "nvr", "recording"),
        ([DEVICE, NS_MEDIA, NS_IMAGING, NS_RECORDING], [], 16, "nvr", "recording"),
    ],
)
def test_roles(services, scopes, sources, role, reason_part):
    got_role, reason = classify(services, scopes, sources)
    assert got_role == role
    assert reason_part in reason


CATALOG = load_vendor_catalog()
DAHUA_PRINTS = Fingerprints(
    oui_vendor="Zhejiang Dahua Technology Co., Ltd.", http_server="DH-IPC webserver",
    http_title="WEB SERVICE - Dahua", rtsp_server="Dahua Rtsp Server", tls_subject="CN=Dahua Technology",
)


def test_unknown_korean_brand_on_dahua_hardware_is_suspected():
    relabel = detect_relabel("한빛비전", DAHUA_PRINTS, CATALOG, firmware="2.800.0000021.0.R")
    assert relabel is not None
    assert relabel.claimed == "한빛비전" and relabel.likely_maker == "Dahua"
    assert any(line.startswith("MAC OUI: Zhejiang Dahua") for line in relabel.evidence)
    assert any("firmware string shape" in line for line in relabel.evidence)


def test_known_brand_contradicted_by_fingerprints_is_suspected():
    relabel = detect_relabel("Hanwha Vision", DAHUA_PRINTS, CATALOG)
    assert relabel is not None and relabel.likely_maker == "Dahua"


def test_a_hikvision_oem_whose_only_tell_is_its_rtsp_realm_is_suspected():
    """Hikvision's RTSP sends no Server header (AlexxIT/go2rtc#903) and an OEM's web pages may be rebranded:
    the realm its RTSP asks for, "IP Camera(C2183)", is what is left of the maker."""
    prints = Fingerprints(http_server="webserver", http_title="Network Camera", rtsp_realm="IP Camera(C2183)")
    relabel = detect_relabel("한빛비전", prints, CATALOG, serial="DS-2CD2542FWD-I20180319BBWRC10320726")
    assert relabel is not None and relabel.likely_maker == "Hikvision"
    assert relabel.evidence[0] == "RTSP authentication realm: IP Camera(C2183) → Hikvision"
    assert any(line.startswith("serial string shape") for line in relabel.evidence)
    assert detect_relabel("Hikvision", prints, CATALOG) is None
    assert detect_relabel("한빛비전", Fingerprints(rtsp_realm="IP Camera"), CATALOG) is None


def test_a_dahua_oem_whose_only_tell_is_the_realm_of_its_onvif_401_is_suspected():
    """A Dahua-made camera with its RTSP off and a rebranded page: its ONVIF service, in digest mode,
    still asks to "Login to <hex>" (Quedale/OnvifDeviceManager#19)."""
    prints = Fingerprints(http_title="Network Camera", http_realm="Login to 0ccf58c7410332c7caa363406561b351")
    relabel = detect_relabel("한빛비전", prints, CATALOG)
    assert relabel is not None and relabel.likely_maker == "Dahua"
    assert relabel.evidence == ("HTTP authentication realm: Login to 0ccf58c7410332c7caa363406561b351 → Dahua",)
    assert detect_relabel("Dahua", prints, CATALOG) is None


def test_honest_devices_are_not_flagged():
    assert detect_relabel("Dahua", DAHUA_PRINTS, CATALOG) is None
    hanwha = Fingerprints(oui_vendor="Samsung Techwin Co.,Ltd", http_server="Wisenet web server")
    assert detect_relabel("Hanwha Techwin", hanwha, CATALOG) is None  # same family, older name
    assert detect_relabel("CPRO", Fingerprints(http_server="lighttpd"), CATALOG) is None
    # An unknown brand with mixed signals accuses nobody.
    mixed = Fingerprints(oui_vendor="Zhejiang Dahua Technology", http_server="Hikvision-Webs")
    assert detect_relabel("한빛비전", mixed, CATALOG) is None


def test_self_inventory_reads_dmi_and_tolerates_missing_files(tmp_path: Path):
    (tmp_path / "sys_vendor").write_text("LENOVO\n")
    (tmp_path / "product_name").write_text("ThinkCentre M70q\n")
    (tmp_path / "product_serial").write_text("To be filled by O.E.M.\n")
    host = self_inventory(tmp_path)
    assert (host.manufacturer, host.model, host.serial, host.role) == ("LENOVO", "ThinkCentre M70q", None, "operator_terminal")
    empty = self_inventory(tmp_path / "missing")
    assert empty.manufacturer is None and empty.hostname


ONVIF = "onvif://www.onvif.org/"


@pytest.mark.parametrize(
    ("scopes", "role", "reason_part"),
    [
        ((ONVIF + "type/video_encoder", ONVIF + "Profile/Streaming"), "camera", "'video_encoder'"),
        ((ONVIF + "type/Network_Video_Transmitter",), "camera", "network_video_transmitter"),
        ((ONVIF + "type/NVT", ONVIF + "Profile/G"), "nvr", "Profile G"),
        ((ONVIF + "type/analytics",), "analytics", "'analytics'"),
        ((ONVIF + "Profile/T", ONVIF + "name/X"), "camera", "streaming profile"),
        ((ONVIF + "name/X", ONVIF + "hardware/Y"), "unknown", "name no device type"),
        ((), "unknown", "name no device type"),
    ],
)
def test_role_of_an_unread_device_comes_from_its_discovery_scopes(scopes, role, reason_part):
    from scanner.classify import classify_from_discovery

    got, reason = classify_from_discovery(scopes, "timeout")
    assert got == role
    assert reason_part.casefold() in reason.casefold()
    if role != "unknown":
        assert "WS-Discovery scopes only" in reason and "timeout" in reason


def test_a_maker_named_short_or_inside_another_product_is_not_accused():
    """Two false accusations the review found. "Samsung" on a Samsung Techwin camera is the maker's name cut
    short (it is no alias: a Samsung Electronics laptop is no Hanwha product). "Apache-Axis/1.4", a SOAP
    stack, names no Axis camera."""
    techwin = Fingerprints(oui_vendor="Samsung Techwin Co.,Ltd", rtsp_realm="iPOLiS")
    assert detect_relabel("Samsung", techwin, CATALOG) is None
    assert CATALOG.family_of_name("Samsung") is None and CATALOG.family_of_name("Samsung Electronics") is None
    assert detect_relabel("Hanwha Vision", Fingerprints(http_server="Apache-Axis/1.4"), CATALOG) is None
    assert CATALOG.family_of_banner("AXIS_ACCC8E45256A").id == "axis"  # a realm's own marker still counts
    assert detect_relabel("한빛비전", techwin, CATALOG).likely_maker == "Hanwha Vision"  # another brand still is


def test_a_certificate_cn_that_is_the_hostname_or_address_points_nowhere():
    """A self-signed certificate whose CN is the name the site gave the device (or its address) says who the
    device is, not who made it; the rest of the subject still counts."""
    named = Fingerprints(tls_subject="CN=DAHUA-GATE-2")
    assert detect_relabel("Hanwha Vision", named, CATALOG) is not None  # without its names: an accusation
    assert detect_relabel("Hanwha Vision", named, CATALOG, names=("dahua-gate-2", "10.0.0.7")) is None
    fqdn = Fingerprints(tls_subject="CN=dahua-gate-2.site.local")
    assert detect_relabel("Hanwha Vision", fqdn, CATALOG, names=("DAHUA-GATE-2", "10.0.0.7")) is None
    with_maker = Fingerprints(tls_subject="CN=lobby,O=Zhejiang Dahua Technology Co.,Ltd.")
    assert detect_relabel("Hanwha Vision", with_maker, CATALOG, names=("lobby",)).likely_maker == "Dahua"
    # The hostname no longer blurs a relabelled Dahua's evidence into "mixed signals".
    mixed = Fingerprints(rtsp_server="Dahua Rtsp Server", tls_subject="CN=hikvision-lobby")
    assert detect_relabel("한빛비전", mixed, CATALOG) is None
    assert detect_relabel("한빛비전", mixed, CATALOG, names=("hikvision-lobby",)).likely_maker == "Dahua"
@pytest.mark.parametrize("claimed", ["Technology", "Digital Technology", "Zhejiang", "Network"])
def test_a_placeholder_that_is_only_a_word_of_the_makers_long_name_is_still_suspected(claimed):
    """White-label firmware fills Manufacturer with a placeholder: "Technology" on a HiKam A7 (agsh/onvif#65),
    "IPCAM" on CamHipro units (home-assistant/core#92308). "Technology" is a word of "Zhejiang Dahua Technology",
    and was taken for Dahua's name cut short ("Samsung" of "Samsung Techwin"), so Dahua-made hardware under it was
    never suspected. A place or a word any company calls itself names no maker."""
    dahua = Fingerprints(oui_vendor="Zhejiang Dahua Technology Co., Ltd.", rtsp_server="Dahua Rtsp Server")
    found = detect_relabel(claimed, dahua, CATALOG)
    assert found is not None and found.likely_maker.startswith("Dahua"), claimed
    assert detect_relabel("IPCAM", dahua, CATALOG).likely_maker.startswith("Dahua")
    assert detect_relabel("Dahua", dahua, CATALOG) is None  # its own name still is not
    techwin = Fingerprints(oui_vendor="Samsung Techwin Co.,Ltd", rtsp_realm="iPOLiS")
    assert detect_relabel("Samsung", techwin, CATALOG) is None  # a real shortening still is not
