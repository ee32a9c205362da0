"""Cameras a recorder records that the scan did not find: cameras on a recorder's own PoE ports.

An NVR with built-in PoE ports puts its cameras on a private network behind it (192.168.254.x behind
a Hikvision NVR: maciej-or/hikvision_next#58, #67). A scan of the site's network never reaches them,
and without this rule the camera part's figures would leave them out without a word. Over ONVIF a
recorder lists its channels as video sources (most list only the channels that have a camera online:
onvif/specs#470) and its recorded channels as recordings; the scanner reads both (scanner/probes).

The rule (docs/reports.md "Cameras behind a recorder"):
- A read recorder's channels: its video sources (in ONVIF a video source is an input, a channel).
  When it listed none, its recordings stand in for the finding only: how recordings map to channels
  is the vendor's choice (a recording per channel, or per session: REC_<timestamp> tokens in
  onvif/specs#380), so a count of them is a lead for the auditor, never unread cameras.
- The site's camera sources: the video sources of every device in the part cameras map to (1 for a
  device whose sources were not read, read or not), plus 1 for each unread device of unknown role,
  which may be a camera. As generous as the scan allows, so what is left is sure.
- Cameras unseen = the largest recorder's channels minus the site's camera sources, when positive.
  The largest and not the sum, because two recorders may record the same cameras.
- They exist (a recorder records them) and were not read, so `assess` counts them as unread devices
  of the camera part: they can make a report incomplete, never covered. Each recorder with more
  channels than the site has camera sources gets a finding naming it (variant `recordings` when the
  count is of recordings, and then nothing is counted).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scanner.model import Device

from .model import Evidence, Finding
from .policy import Policy

KIND = "recorder_channels_unseen"


@dataclass(frozen=True)
class UnseenCameras:
    part: str | None  # the part cameras map to under the policy
    count: int  # cameras some recorder records beyond every camera source the scan saw
    findings: tuple[Finding, ...]


def _channels(device: Device) -> tuple[int, str] | None:
    """A read recorder's channels, and what they were counted from."""
    if device.status != "ok" or device.role != "nvr":
        return None
    if device.video_sources:
        return device.video_sources, "video_sources"
    if device.recordings:
        return device.recordings, "recordings"
    return None


def _camera_sources(device: Device, policy: Policy, part: str) -> int:
    """How many of the site's camera video sources this device is, or may be."""
    if policy.part_of_role(device.role) == part:
        return device.video_sources or 1
    return 1 if device.status != "ok" and device.role == "unknown" else 0


def unseen_cameras(devices: Sequence[Device], policy: Policy) -> UnseenCameras:
    part = policy.part_of_role("camera")
    if part is None:
        return UnseenCameras(None, 0, ())
    sources = sum(_camera_sources(d, policy, part) for d in devices)
    findings = []
    most = 0
    for d in devices:
        channels = _channels(d)
        if channels is None or channels[0] <= sources:
            continue
        count, counted_as = channels
        params = {"manufacturer": d.manufacturer or "?", "model": d.model or "?", "address": d.address,
                  "channels": str(count), "sources": str(sources), "unseen": str(count - sources)}
        if counted_as == "video_sources":
            most = max(most, count - sources)
        else:
            params["variant"] = "recordings"
        findings.append(Finding(
            KIND, "warning", d.address, params,
            (Evidence(f"recorder_{counted_as}", {"count": str(count)}),
             Evidence("camera_sources_found", {"count": str(sources)})),
        ))
    return UnseenCameras(part, most, tuple(findings))
