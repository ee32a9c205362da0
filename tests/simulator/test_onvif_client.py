"""The real onvif-zeep-async client against the simulator (an outside reference, not our scanner).

Site: config/lab/demo-site.yaml (demo_lab fixture).
"""

from __future__ import annotations

import pytest
from onvif import ONVIFCamera
from onvif.exceptions import ONVIFError
from zeep.exceptions import Fault

pytestmark = pytest.mark.network

SITE_PASSWORD = "Garam!Cctv2024"


async def _camera(lab, address: str, password: str | None = None) -> ONVIFCamera:
    device = lab.device(address)
    cam = ONVIFCamera(address, device["port"], device["username"], password or device["password"])
    await cam.update_xaddrs()
    return cam


async def test_device_information_matches_fixture(demo_lab):
    """demo-site: a Hanwha camera reports exactly its fixture strings."""
    cam = await _camera(demo_lab, "127.10.0.11")
    try:
        mgmt = await cam.create_devicemgmt_service()
        info = await mgmt.GetDeviceInformation()
        dev = demo_lab.device("127.10.0.11")
        assert (info.Manufacturer, info.Model, info.FirmwareVersion, info.SerialNumber, info.HardwareId) == (
            dev["manufacturer"], dev["model"], dev["firmware"], dev["serial"], dev["hardware_id"])
        ifaces = await mgmt.GetNetworkInterfaces()
        assert ifaces[0].Info.HwAddress == dev["mac"]
        assert (await mgmt.GetHostname()).Name == dev["hostname"]
        scopes = [s.ScopeItem for s in await mgmt.GetScopes()]
        assert "onvif://www.onvif.org/name/XNO-6080R" in scopes
    finally:
        await cam.close()


async def test_media_profiles_and_sources(demo_lab):
    """demo-site: a 4-channel multi-sensor Hanwha camera has 4 sources and profiles."""
    cam = await _camera(demo_lab, "127.10.0.14")
    try:
        media = await cam.create_media_service()
        profiles = await media.GetProfiles()
        sources = await media.GetVideoSources()
        assert len(profiles) == len(sources) == 4
        assert profiles[0].VideoEncoderConfiguration.Encoding == "H264"
    finally:
        await cam.close()


async def test_nvr_offers_recording_and_search(demo_lab):
    """demo-site: the Hanwha NVR on port 8000 lists recording/search services and its recordings."""
    cam = await _camera(demo_lab, "127.10.0.31")
    try:
        assert "http://www.onvif.org/ver10/recording/wsdl" in cam.xaddrs
        assert "http://www.onvif.org/ver10/search/wsdl" in cam.xaddrs
        recording = await cam.create_recording_service()
        items = await recording.GetRecordings()
        assert len(items) == 16
        search = await cam.create_search_service()
        summary = await search.GetRecordingSummary()
        assert summary.NumberRecordings == 16
    finally:
        await cam.close()


async def test_wrong_password_is_a_not_authorized_fault(demo_lab):
    """demo-site: 127.10.0.63 has a password that is not the site password; the client gets a Fault."""
    cam = ONVIFCamera("127.10.0.63", 80, "admin", SITE_PASSWORD)
    try:
        await cam.update_xaddrs()  # pre-auth operations still work
        with pytest.raises((Fault, ONVIFError)) as info:
            await (await cam.create_devicemgmt_service()).GetDeviceInformation()
        assert "NotAuthorized" in str(info.value) or "not authorized" in str(info.value).lower()
    finally:
        await cam.close()
    log = [r for r in demo_lab.requests() if r["device"] == "127.10.0.63" and r["op"] == "GetDeviceInformation"]
    assert log and log[-1]["auth"] == "failed"
    assert SITE_PASSWORD not in demo_lab.request_log.read_text()


async def test_client_compensates_a_skewed_clock(demo_lab):
    """demo-site: 127.10.0.13 runs an hour fast; the client reads GetSystemDateAndTime and signs accordingly."""
    device = demo_lab.device("127.10.0.13")
    cam = ONVIFCamera(device["address"], 80, device["username"], device["password"], adjust_time=True)
    await cam.update_xaddrs()
    try:
        assert cam.dt_diff is not None and 3500 < cam.dt_diff.total_seconds() < 3700
        info = await (await cam.create_devicemgmt_service()).GetDeviceInformation()
        assert info.SerialNumber == demo_lab.device("127.10.0.13")["serial"]
    finally:
        await cam.close()


async def test_encoder_and_analytics_services(demo_lab):
    """demo-site: the TRUEN encoder offers deviceIO with 4 inputs; the Innodep box offers analytics."""
    encoder = await _camera(demo_lab, "127.10.0.21")
    analytics = await _camera(demo_lab, "127.10.0.33")
    try:
        assert "http://www.onvif.org/ver10/deviceIO/wsdl" in encoder.xaddrs
        assert "http://www.onvif.org/ver20/analytics/wsdl" not in encoder.xaddrs
        media = await encoder.create_media_service()
        assert len(await media.GetVideoSources()) == 4
        assert "http://www.onvif.org/ver20/analytics/wsdl" in analytics.xaddrs
        service = await analytics.create_analytics_service()
        caps = await service.GetServiceCapabilities()
        assert caps.AnalyticsModuleSupport is True
    finally:
        await encoder.close()
        await analytics.close()


async def test_relabelled_camera_claims_its_brand(demo_lab):
    """demo-site: over ONVIF the relabelled camera says 한빛비전; only banners/MAC betray Dahua."""
    cam = await _camera(demo_lab, "127.10.0.51")
    try:
        info = await (await cam.create_devicemgmt_service()).GetDeviceInformation()
        assert info.Manufacturer == "한빛비전" and info.FirmwareVersion == "2.800.0000021.0.R"
    finally:
        await cam.close()
