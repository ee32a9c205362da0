"""Media service: how many video sources (sensors or analog inputs) and stream profiles."""

from __future__ import annotations

import asyncio

from ..soap import _DEVICE
from .interface import Attempt, Facts, OnvifProbe, ProbeContext
from .onvif_device import NS, refusals


class Media(OnvifProbe):
    name = "media"

    async def run(self, facts: Facts, ctx: ProbeContext) -> Attempt:
        url = facts.service_urls.get(NS["media"])
        if not url:
            return await self._without_media1(facts, ctx)
        bodies = _DEVICE.get().bodies
        # Only the counts are kept, so the answers are counted, not turned into zeep objects. One refused
        # (GetProfiles for an account limited to a user profile) must not cost the other: the video
        # sources decide the device's role and its channels.
        sources, profiles = await asyncio.gather(ctx.onvif.count("media", url, "GetVideoSources", "VideoSources"),
                                                 ctx.onvif.count("media", url, "GetProfiles", "Profiles"),
                                                 return_exceptions=True)
        problems = refusals((("GetVideoSources", sources), ("GetProfiles", profiles)))
        if not isinstance(sources, BaseException):
            facts.set("video_sources", sources, "GetVideoSources", bodies.get("GetVideoSources"))
        if not isinstance(profiles, BaseException):
            facts.set("profiles", profiles, "GetProfiles", bodies.get("GetProfiles"))
        if problems:
            return Attempt(self.name, "failed", "; ".join(problems))
        return Attempt(self.name, "ok")

    async def _without_media1(self, facts: Facts, ctx: ProbeContext) -> Attempt:
        """A camera with Media2 only (Jazea/Onvif.Core#43) has no media GetVideoSources, and the library
        ships no Media2 WSDL: its sensors are counted through DeviceIO, which lists them too."""
        if NS["media2"] not in facts.service_urls:
            return Attempt(self.name, "skipped", "no media service offered")
        url = facts.service_urls.get(NS["deviceio"])
        if not url:
            facts.notes.append("media: Media2 only and no DeviceIO service; video sources not read")
            return Attempt(self.name, "skipped", "Media2 only")
        sources = await ctx.onvif.count("deviceio", url, "GetVideoSources", "VideoSources")
        facts.set("video_sources", sources, "DeviceIO GetVideoSources", _DEVICE.get().bodies.get("GetVideoSources"))
        facts.notes.append("media: Media2 only; video sources read through DeviceIO, profiles not read")
        return Attempt(self.name, "ok")
