"""reports.recorders through `assess`: cameras a recorder records that the scan never reached (cameras on
the recorder's own PoE ports) count as unread cameras, and each such recorder is named."""

from __future__ import annotations

from dataclasses import replace

from reports.assessment import assess
from reports.messages import messages
from tests.reports.builders import GENERATED_AT, HANWHA, XRN, device, match, matched_scan, md


def run(devices, policy, **kwargs):
    return assess(matched_scan(devices, **kwargs), policy, generated_at=GENERATED_AT)


def camera(address: str, **fields):
    return md(replace(device(address), **fields), match(HANWHA))


def recorder(address: str, *, covered: bool = True, **fields):
    nvr = replace(device(address, "Hanwha Vision", "XRN-1610", "nvr"), **fields)
    return md(nvr, match(XRN)) if covered else md(nvr)


def camera_part(report):
    return next(p for p in report.parts if p.part == "camera")


def unseen_findings(report):
    return [f for f in report.findings if f.kind == "recorder_channels_unseen"]


def test_a_recorder_with_more_channels_than_cameras_found_adds_unread_cameras(policy):
    # Two covered cameras would localize the camera part and meet the target; the (uncovered)
    # recorder records 8 channels, so 6 cameras exist that nobody read, and any of them may be imported.
    r = run([camera("10.0.0.1"), camera("10.0.0.2"), recorder("10.0.0.31", covered=False, video_sources=8)], policy)
    cam = camera_part(r)
    assert (cam.devices, cam.covered, cam.unread) == (8, 2, 6)
    assert r.verdict == "incomplete"
    [finding] = unseen_findings(r)
    assert finding.device == "10.0.0.31" and finding.severity == "high"  # it is why the report is incomplete
    assert (finding.params["channels"], finding.params["sources"], finding.params["unseen"]) == ("8", "2", "6")
    assert [e.key for e in finding.evidence] == ["recorder_video_sources", "camera_sources_found"]
    assert "method_recorder_channels" in r.method_notes
    # the device table lists what was found, nothing invented
    assert [d.address for d in r.devices if d.part == "camera"] == ["10.0.0.1", "10.0.0.2"]


def test_no_finding_when_the_site_has_as_many_camera_sources_as_the_recorder_records(policy):
    cams = [camera(f"10.0.0.{i}") for i in range(1, 4)] + [camera("10.0.0.4", video_sources=4)]  # 3 + a 4-sensor camera
    r = run([*cams, recorder("10.0.0.31", covered=False, video_sources=7)], policy)
    assert not unseen_findings(r) and camera_part(r).devices == 4 and r.verdict == "target_met"
    assert "method_recorder_channels" not in r.method_notes


def test_two_recorders_of_the_same_cameras_are_not_added_up(policy):
    # Redundant recording is common: only the largest recorder's surplus is sure.
    cams = [camera("10.0.0.1"), camera("10.0.0.2")]
    r = run([*cams, recorder("10.0.0.31", video_sources=4), recorder("10.0.0.32", video_sources=6)], policy)
    assert camera_part(r).unread == 4
    assert {f.device: f.params["unseen"] for f in unseen_findings(r)} == {"10.0.0.31": "2", "10.0.0.32": "4"}


def test_unread_devices_of_unknown_role_may_be_the_recorded_cameras(policy):
    unread = [md(device(f"10.0.0.{i}", status="timeout")) for i in (8, 9)]
    r = run([camera("10.0.0.1"), *unread, recorder("10.0.0.31", video_sources=3)], policy)
    assert not unseen_findings(r)


def test_recordings_are_a_lead_when_the_recorder_listed_no_video_sources_and_count_nothing(policy):
    # How recordings map to channels is the vendor's choice (per channel, or per session).
    r = run([camera("10.0.0.1"), recorder("10.0.0.31", covered=False, recordings=4)], policy)
    [finding] = unseen_findings(r)
    assert (finding.params["unseen"], finding.params["variant"]) == ("3", "recordings")
    assert finding.evidence[0].key == "recorder_recordings"
    assert "not counted" in messages("en").finding(finding)
    assert camera_part(r).devices == 1 and r.verdict == "target_met"
    assert "method_recorder_channels" not in r.method_notes


def test_a_recorder_that_could_not_be_read_counts_nothing(policy):
    unread_nvr = md(replace(device("10.0.0.31", "Hanwha Vision", "XRN-1610", "nvr"), status="auth_failed",
                            video_sources=16))
    r = run([camera("10.0.0.1"), unread_nvr], policy)
    assert not unseen_findings(r) and camera_part(r).devices == 1


def test_unseen_cameras_that_cannot_change_the_outcome_stay_a_warning(policy):
    # The covered recorder localizes its part, which meets the target whatever the unseen cameras are.
    r = run([camera("10.0.0.1"), recorder("10.0.0.31", video_sources=5)], policy)
    assert r.verdict == "target_met" and camera_part(r).unread == 4
    assert [f.severity for f in unseen_findings(r)] == ["warning"]
