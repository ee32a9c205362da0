"""Role from what a device offers (DESIGN §5), with the reason written down.

Order of the rules, first match wins:
0. recording (as in rule 1) with its own imaging service and 1-4 video -> camera
   sources, and no scope naming it a recorder
   (a camera recording to its SD card: Hanwha, Axis and Hikvision
   cameras offer Profile G and the recording and search services; a
   recorder has no sensor of its own to tune)
1. recording, search or replay service, or an ONVIF Profile G scope   -> nvr
2. an analytics service and no imaging service (no sensor of its own)  -> analytics
3. a scope naming the device type (onvif://www.onvif.org/type/...)    -> that type
4. two or more video sources, media, and no imaging service            -> encoder
   (analog inputs have no sensor to tune, so a video server offers no
   imaging; a multi-sensor camera does)
5. video sources                                                       -> camera
6. a media service and a type scope naming a video transmitter         -> camera
   (a Media2-only camera whose sources could not be counted)
otherwise unknown, with what was missing.
"""

from __future__ import annotations

from .model import Role
from .scopes import scope_values

NS_RECORDING = "http://www.onvif.org/ver10/recording/wsdl"
NS_SEARCH = "http://www.onvif.org/ver10/search/wsdl"
NS_REPLAY = "http://www.onvif.org/ver10/replay/wsdl"
NS_ANALYTICS = "http://www.onvif.org/ver20/analytics/wsdl"
NS_MEDIA = "http://www.onvif.org/ver10/media/wsdl"
NS_MEDIA2 = "http://www.onvif.org/ver20/media/wsdl"
NS_IMAGING = "http://www.onvif.org/ver20/imaging/wsdl"

# Device-type words seen in onvif://www.onvif.org/type/<word> scopes, by role.
_TYPE_WORDS: dict[str, Role] = {
    "nvr": "nvr", "network_video_recorder": "nvr", "networkvideorecorder": "nvr", "recorder": "nvr",
    "network_video_storage": "nvr", "dvr": "nvr",
    "analytics": "analytics", "video_analytics": "analytics", "analytics_device": "analytics",
    "network_video_analytics": "analytics",
    "encoder": "encoder", "video_server": "encoder", "videoserver": "encoder",
    "network_video_encoder": "encoder",
    "camera": "camera", "video_camera": "camera", "network_video_transmitter": "camera",
    "networkvideotransmitter": "camera", "nvt": "camera",
}


def _scope_types(scopes: tuple[str, ...] | list[str]) -> list[str]:
    return [value.casefold().rsplit("/", 1)[-1] for value in scope_values(scopes, "type")]


def classify(
    services: tuple[str, ...] | list[str],
    scopes: tuple[str, ...] | list[str],
    video_sources: int | None,
) -> tuple[Role, str]:
    offered = set(services)
    lower_scopes = [s.casefold() for s in scopes]
    recorder_services = sorted(
        name for name, ns in (("recording", NS_RECORDING), ("search", NS_SEARCH), ("replay", NS_REPLAY))
        if ns in offered
    )
    profile_g = any(s.endswith("/profile/g") for s in lower_scopes)
    has_imaging = NS_IMAGING in offered
    type_words = _scope_types(scopes)
    named_recorder = any(_TYPE_WORDS.get(word) == "nvr" for word in type_words)
    if (recorder_services or profile_g) and has_imaging and video_sources and video_sources <= 4 \
            and not named_recorder:
        records = f"the {', '.join(recorder_services)} service(s)" if recorder_services else "Profile G"
        return "camera", (f"{video_sources} video source(s) with its own imaging service; {records} "
                          "for recording to its own storage (edge recording), as cameras do")
    if recorder_services:
        return "nvr", f"offers the {', '.join(recorder_services)} service(s)"
    if profile_g:
        return "nvr", "advertises ONVIF Profile G (recording) in its scopes"
    if NS_ANALYTICS in offered and not has_imaging:
        return "analytics", "offers the analytics service and no imaging (no sensor of its own)"
    for word in type_words:
        role = _TYPE_WORDS.get(word)
        if role in ("nvr", "analytics", "encoder"):
            return role, f"scope names the device type {word!r}"
    has_media = bool({NS_MEDIA, NS_MEDIA2} & offered)
    if video_sources and video_sources >= 2 and has_media and not has_imaging:
        return "encoder", f"{video_sources} video inputs served over media with no imaging service (analog inputs)"
    if video_sources and has_media:
        imaging = " and imaging" if has_imaging else ""
        return "camera", f"{video_sources} video source(s) served over the media{imaging} service"
    if video_sources:
        return "camera", f"{video_sources} video source(s)"
    transmitter = _transmitter_word(type_words)
    if has_media and transmitter:
        return "camera", f"scope names it a {transmitter!r} and it offers media; its video sources were not read"
    if NS_ANALYTICS in offered:
        return "analytics", "offers the analytics service"
    missing = "no services read" if not offered else "no video sources, recording or analytics service"
    return "unknown", missing


# Scope words that, on their own, say "a video transmitter": what cameras (and video servers, which
# fall in the same localization part) announce in WS-Discovery.
_TRANSMITTER_WORDS = {"video_encoder", "network_video_transmitter", "networkvideotransmitter", "nvt", "ptz"}


def _transmitter_word(words: list[str]) -> str | None:
    """The first type word that names a video transmitter (ONVIF's `video_encoder` is a camera's scope too)."""
    return next((w for w in words if w in _TRANSMITTER_WORDS or _TYPE_WORDS.get(w) == "camera"), None)


def classify_from_discovery(scopes: tuple[str, ...] | list[str], status: str) -> tuple[Role, str]:
    """Role of a device that could not be interrogated, from what it announced over WS-Discovery.

    Weaker than `classify`: the reason says so, and the device keeps its failed status. Without it
    an unread camera would have no part at all, and the assessment would have to assume it might be
    any part's device (a timed-out camera could then hold a site's verdict open on the recorders).
    """
    lower = [s.casefold() for s in scopes]
    suffix = f"from its WS-Discovery scopes only (not interrogated: {status})"
    if any(s.endswith("/profile/g") for s in lower):
        return "nvr", f"advertises ONVIF Profile G (recording), {suffix}"
    words = _scope_types(scopes)
    for word in words:
        role = _TYPE_WORDS.get(word)
        if role in ("nvr", "analytics", "encoder"):
            return role, f"scope names the device type {word!r}, {suffix}"
    transmitter = _transmitter_word(words)
    if transmitter:
        return "camera", f"scope names the device type {transmitter!r}, {suffix}"
    if any(s.endswith(("/profile/streaming", "/profile/s", "/profile/t")) for s in lower):
        return "camera", f"advertises a streaming profile (S/T), {suffix}"
    return "unknown", f"not interrogated ({status}) and its scopes name no device type"
