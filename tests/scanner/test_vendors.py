"""config/vendors.yaml as scanner/vendors.py reads it: which maker a fingerprint names, and which it must not.

A fingerprint attributed to the wrong family makes a false "suspected relabel", an accusation against a
supplier, so the strings below are real ones: the threads and fingerprint databases they come from are
named beside them. No network.
"""

from __future__ import annotations

import re

import pytest
from scapy.data import MANUFDB

from scanner.vendors import load_vendor_catalog

CATALOG = load_vendor_catalog()


def _family(text: str | None) -> str | None:
    family = CATALOG.family_of_banner(text)
    return family.id if family else None


@pytest.mark.parametrize(("text", "family"), [
    ("App-webs/", "hikvision"),  # intrigueio/intrigue-ident checks/http/hikvision.rb
    ("DNVRS-Webs", "hikvision"),
    ("Hikvision-Webs", "hikvision"),  # rapid7/recog xml/http_servers.xml
    ("DVRDVS-Webs", "hikvision"),
    ("CN=www.hikvision.com,OU=DVRNVR,O=HIKVISION,L=HangZhou,ST=ZheJiang,C=CN", "hikvision"),  # recog x509_subjects
    ("Dahua Rtsp Server", "dahua"),  # recog xml/rtsp_servers.xml
    # Dahua's device CA writes non-breaking spaces (D4-project/Plum-Island#204)
    ("CN=Dahua\u00a0Device\u00a0NVR\u00a0CA,O=Zhejiang\u00a0Dahua\u00a0Technology Co.,Ltd.", "dahua"),
    ("CN=NVR,O=ZheJiang Dahua Technology CO.,LTD.,OU=NVR", "dahua"),  # rroller/dahua#647
    ("TRUEN Co., Ltd.", "truen"),
    ("CN=TCAM,OU=Security,O=Truen,L=Seoul,ST=Seoul,C=KR", "truen"),  # recog x509_subjects.xml
    ("AXIS", "axis"),
    ("CN=axis-accc8ea31abf,O=Axis Communications AB", "axis"),  # recog x509_subjects.xml
    ("Hanwha Techwin", "hanwha"),  # recog html_title.xml
    ("wg_httpd/1.1(based Boa/0.94)", "webgate"),  # nmap-service-probes
    ("VCS-VideoJet-Webserver", "bosch"),  # nmap-service-probes
    ("VCS-VIDOS-NVR", "bosch"),  # recog http_servers.xml
    ("SERIALNUMBER=044101,CN=00-07-5f-8a-01-02,OU=ST-VS,O=Bosch Sicherheitssysteme GmbH,L=Grasbrunn,C=DE", "bosch"),
    ("NETSurveillance WEB", "xiongmai"),  # Greenbone NASL OID 1.3.6.1.4.1.25623.1.0.114038
    ("Milesight Network Camera", "milesight"),  # Greenbone gb_milesight_camera_detect.nasl (Vacron units too)
    ("NVMS-9000", "tvt"),  # TVT's recorder platform (CVE-2024-14007)
    ("Reolink", "reolink"),
])
def test_a_maker_s_own_strings_name_it(text, family):
    assert _family(text) == family


@pytest.mark.parametrize("text", [
    # shared by many makers' firmware (rapid7/recog: "OEMd by a number of DVR manufacturers", "not an official vendor")
    "GoAhead-Webs", "Boa/0.94.14rc18-ipcam", "Cross Web Server", "Hisilicon Streaming Media Server/1.0.0",
    "uc-httpd 1.0.0", "lighttpd/1.4.59", "thttpd/2.25b", "mini_httpd/1.30", "RomPager/4.07", "gSOAP/2.8",
    "WEB", "WEB SERVICE", "Network Camera", "webserver",
    # Axis's RTSP (home-assistant/core#112824), and every other GStreamer-based server's
    "GStreamer RTSP server",
    # a TI chip in an Aiphone's RTSP banner (Ullaakut/cameradar#199), once a Hikvision marker here
    "Linux/2.6.32.17-davinci1 Ze-PRO",
    # markers that used to match inside other words
    "TrueNAS", "Truenorth", "Vidisco", "Vidisys", "Mini-ITX", "Sunvalley", "Galaxis",
    # Shenzhen Baichuan's (Reolink's OEM) title, not Xiongmai's NETSurveillance; NVMS names more than TVT's
    "Network Surveillance", "NVMS", "NVMS7000", "NVMS-1000",
    # JAWS DVRs speak Juan's protocol, but nobody names Juan their maker; a given name; TOTOLINK's and Nadatel's too
    "JAWS/1.0", "Juan Carlos", "Boa/0.94.14rc21", "WebClient",
])
def test_strings_that_name_no_maker_name_none(text):
    assert _family(text) is None


def test_oui_organisations_are_matched_as_whole_names():
    """scapy's manuf table holds a Shanghai Dahua Scale Factory and a Truenorth: neither is a camera maker."""
    organisations = {long_name for _, long_name in MANUFDB.d.values()}
    lookalikes = [o for o in organisations if re.match(r"(Shanghai Dahua|Truenorth|Galaxis|Stereotaxis)", o)]
    assert len(lookalikes) >= 3  # the table still has them, so the check below means something
    assert all(CATALOG.family_of_oui_org(o) is None for o in lookalikes), lookalikes
    attributed = {o for o in organisations if (f := CATALOG.family_of_oui_org(o)) is not None and f.id == "dahua"}
    assert attributed and all(re.match(r"(?i)(zhejiang dahua|hangzhou huacheng)", o) for o in attributed)
    assert CATALOG.family_of_oui_org("Hangzhou Ezviz Software Co.,Ltd.").id == "hikvision"  # EZVIZ is Hikvision's
    for spelling in ("Tp-Link Technologies Co.,Ltd.", "TP-Link Corporation Limited", "Tp-Link Corporation Pte. Ltd."):
        assert spelling in organisations and CATALOG.family_of_oui_org(spelling).id == "tplink"
    assert CATALOG.family_of_oui_org("Tiandy Technologies Co.,LTD").id == "tiandy"
    # the OEM makers by their blocks in scapy's table; a look-alike "ADMiTAS CCTV Taiwan" or "NV ADB TTV" is nobody
    for org, family in (("Tvt Co.,Ltd", "tvt"), ("Xiamen Milesight IoT Co., Ltd.", "milesight"),
                        ("Milesight Taiwan", "milesight"), ("Jovision Technology Co., Ltd.", "jovision"),
                        ("Jinan Jovision Science & Technology Co., Ltd.", "jovision"),
                        ("Zhuhai Raysharp Technology Co.,Ltd", "raysharp"), ("Reolink Innovation Limited", "reolink"),
                        ("Guangzhou Juan Intelligent Tech Joint Stock Co.,Ltd", "juan"),
                        ("Guangdong Juan Intelligent Technology Joint Stock Co., Ltd.", "juan")):
        assert org in organisations and CATALOG.family_of_oui_org(org).id == family, org
    assert CATALOG.family_of_oui_org("Jiangxi Anbaichuan Electric Co.,Ltd") is None  # not Baichuan, not Reolink
    tvt = {o for o in organisations if getattr(CATALOG.family_of_oui_org(o), "id", None) == "tvt"}
    assert tvt <= {"Tvt Co.,Ltd", "Tvt Co., Ltd"}, tvt


@pytest.mark.parametrize(("family", "kind", "value"), [
    ("hikvision", "serial", "DS-2CD2542FWD-I20180319BBWRC10320726"),  # homebridge-camera-ffmpeg#1190
    ("hikvision", "serial", "DS-2CD2366G2-ISU/SL20210726AAWRG41390691"),  # maciej-or/hikvision_next#58
    ("hikvision", "firmware", "V5.5.5 build 180111"),
    ("hikvision", "firmware", "V4.61.025"),  # an NVR's, without the build (maciej-or/hikvision_next#12)
    ("dahua", "firmware", "2.800.0000018.0.R"),
    ("dahua", "firmware", "V2.800.0000018.0.R, Build Date: 2021-07-07"),  # rroller/dahua#90
    ("dahua", "firmware", "2.420.0001.0.R"),  # rroller/dahua#583
    ("dahua", "firmware", "2.420.AC00.15.R"),  # Amcrest, Dahua-made (tchellomello/python-amcrest#168)
    ("dahua", "serial", "4K01FD2PAJ6E3FF"),  # scottlamb/retina#62
    ("xiongmai", "firmware", "V4.02.R11.34500140.12001.131600.00000"),  # Greenbone NASL OID …114038
    ("xiongmai", "firmware", "V4.02.R11.34500140.10010"),
    ("reolink", "firmware", "v3.1.0.2174_23050815"),  # home-assistant/core#108387
    ("reolink", "firmware", "v3.0.0.0.1459_22102808"),  # unifi-cam-proxy#289
])
def test_string_shapes_of_real_devices_match_their_maker(family, kind, value):
    patterns = getattr(CATALOG.by_id(family), f"{kind}_patterns")
    assert any(re.search(p, value) for p in patterns), (family, kind, value)


@pytest.mark.parametrize(("realm", "family"), [
    ("IP Camera(C1214)", "hikvision"),  # google/ExoPlayer#9800
    ("IP Camera(J2914)", "hikvision"),
    ("IP Camera(28022000a)", "hikvision"),
    ("IP Camera(21388)", "hikvision"),
    ("Login to 4K01FD2PAJ6E3FF", "dahua"),  # scottlamb/retina#62
    ("Login to 0ccf58c7410332c7caa363406561b351", "dahua"),  # an IMOU's ONVIF 401 (Quedale/OnvifDeviceManager#19)
    ("AXIS_ACCC8E45256A", "axis"),  # its VAPIX web server's (ZoneMinder#1161)
    ("iPOLiS", "hanwha"),  # Ullaakut/cameradar#199
    ("TP-LINK IP-Camera", "tplink"),  # mpromonet/webrtc-streamer#698
    ("AXIS_WS_ACCC8E3A0A8F", "axis"),
    ("iPolis", "hanwha"),  # its HTTP realm, another case (Greenbone gb_samsung_ipolis_detect.nasl)
    ("BC Streaming Media", "reolink"),  # DESCRIBE rtsp://…/h265Preview_01_main (Baichuan's RTSP; Swann units too)
    ("c4790503a344", None),  # Uniview's: its MAC, which says nothing of the maker (bluenviron/mediamtx#4660)
    # what names nobody: a bare "IP Camera", a library's own, RFC 2617's example, a generic one
    ("IP Camera", None), ("LIVE555 Streaming Media", None), ("testrealm@host.com", None), ("ONVIF", None),
    ("Login to", None), ("Login to camera", None), ("AProxy", None),
    ("Device_CGI", None),  # old Dahua CGI's Basic realm (rroller/dahua#583): one sample, not shown to be Dahua's alone
    ("Login to 0CCF58C7410332C7caa363406561b351", None),  # neither shape: mixed case is no hex digest
])
def test_a_realm_names_the_maker_whose_firmware_asks_for_it(realm, family):
    found = CATALOG.family_of_realm(realm)
    assert (found.id if found else None) == family


def test_a_broken_pattern_in_the_vendor_file_is_named_when_it_loads(tmp_path):
    from scanner.vendors import VendorFileError

    path = tmp_path / "vendors.yaml"
    path.write_text("families:\n  - {id: x, name: X, name_ko: 엑스, country: KR, realm_patterns: ['IP Camera(']}\n",
                    encoding="utf-8")
    with pytest.raises(VendorFileError, match=r"families\[0\]\.realm_patterns: 'IP Camera\(' is not a valid regex"):
        load_vendor_catalog(path)


@pytest.mark.parametrize(("name", "family"), [
    ("Hangzhou Hikvision Digital Technology Co., Ltd.", "hikvision"),
    ("Zhejiang Dahua Technology", "dahua"),
    ("Hanwha Techwin America", "hanwha"),
    ("Hanwha Vision Co., Ltd.", "hanwha"),
    # Other companies of a group, with other business numbers: their certificates are not the maker's.
    ("Hanwha Systems", None),
    ("Hanwha Aerospace", None),
    ("한화시스템", None),
])
def test_a_family_name_inside_a_long_name_is_that_maker_only_beside_places_and_generic_words(name, family):
    found = CATALOG.family_of_name(name)
    assert (found.id if found else None) == family
