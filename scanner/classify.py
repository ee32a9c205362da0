"""Role from what a device offers (DESIGN §5), with the reason written down.

Order of the rules, first match wins:
1. recording, search or replay service, or an ONVIF Profile G scope  -> nvr
2. an analytics service and no video sources                          -> analytics
3. a scope naming the device type (onvif://www.onvif.org/type/...)   -> that type
4. two or more video sources and a scope or hardware naming an encoder -> encoder
5. video sources with a media service                                 -> camera
otherwise unknown, with what was missing.
"""

from __future__ import annotations

from .model import Role

NS_RECORDING = "http://www.onvif.org/ver10/recording/wsdl"
NS_SEARCH = "http://www.onvif.org/ver10/search/wsdl"
NS_REPLAY = "http://www.onvif.org/ver10/replay/wsdl"
NS_ANALYTICS = "http://www.onvif.org/ver20/analytics/wsdl"
NS_MEDIA = "http://www.onvif.org/ver10/media/wsdl"
NS_MEDIA2 = "http://www.onvif.org/ver20/media/wsdl"

# Device-type words seen in onvif://www.onvif.org/type/<word> scopes, by role.
_TYPE_WORDS: dict[str, Role] = {
    "nvr": "nvr", "network_video_recorder": "nvr", "networkvideorecorder": "nvr", "recorder": "nvr",
    "network_video_storage": "nvr", "dvr": "nvr",
    "analytics": "analytics", "video_analytics": "analytics", "analytics_device": "analytics",
    "encoder": "encoder", "video_server": "encoder", "videoserver": "encoder",
    "network_video_encoder": "encoder",
    "camera": "camera", "video_camera": "camera", "network_video_transmitter": "camera",
    "networkvideotransmitter": "camera", "nvt": "camera",
}


def _scope_types(scopes: tuple[str, ...] | list[str]) -> list[str]:
    out = []
    for scope in scopes:
        lower = scope.casefold()
        if lower.startswith("onvif://www.onvif.org/type/"):
            out.append(lower.rsplit("/", 1)[-1])
    return out


def classify(
    services: tuple[str, ...] | list[str],
    scopes: tuple[str, ...] | list[str],
    video_sources: int | None,
    hardware: str | None = None,
) -> tuple[Role, str]:
    offered = set(services)
    lower_scopes = [s.casefold() for s in scopes]
    recorder_services = sorted(
        name for name, ns in (("recording", NS_RECORDING), ("search", NS_SEARCH), ("replay", NS_REPLAY))
        if ns in offered
    )
    if recorder_services:
        return "nvr", f"offers the {', '.join(recorder_services)} service(s)"
    if any(s.endswith("/profile/g") for s in lower_scopes):
        return "nvr", "advertises ONVIF Profile G (recording) in its scopes"
    if NS_ANALYTICS in offered and not video_sources:
        return "analytics", "offers the analytics service and has no video sources of its own"
    for word in _scope_types(scopes):
        role = _TYPE_WORDS.get(word)
        if role in ("nvr", "analytics", "encoder"):
            return role, f"scope names the device type {word!r}"
    encoder_words = [w for w in _scope_types(scopes) if _TYPE_WORDS.get(w) == "encoder"]
    named_encoder = "encoder" in (hardware or "").casefold() or bool(encoder_words)
    if video_sources and video_sources >= 2 and named_encoder:
        return "encoder", f"{video_sources} video inputs and named an encoder"
    has_media = bool({NS_MEDIA, NS_MEDIA2} & offered)
    if video_sources and (has_media or not offered):
        return "camera", f"{video_sources} video source(s) served over the media service"
    if video_sources:
        return "camera", f"{video_sources} video source(s)"
    if NS_ANALYTICS in offered:
        return "analytics", "offers the analytics service"
    missing = "no services read" if not offered else "no video sources, recording or analytics service"
    return "unknown", missing
