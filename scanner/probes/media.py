"""Media service: how many video sources (sensors or analog inputs) and stream profiles."""

from __future__ import annotations

from ..soap import _DEVICE
from .interface import Attempt, Facts, OnvifProbe, ProbeContext
from .onvif_device import NS


class Media(OnvifProbe):
    name = "media"

    async def run(self, facts: Facts, ctx: ProbeContext) -> Attempt:
        url = facts.service_urls.get(NS["media"])
        if not url:
            return Attempt(self.name, "skipped", "no media service offered")
        bodies = _DEVICE.get().bodies
        sources = await ctx.onvif.call("media", url, "GetVideoSources")
        facts.set("video_sources", len(sources or ()), "GetVideoSources", bodies.get("GetVideoSources"))
        profiles = await ctx.onvif.call("media", url, "GetProfiles")
        facts.set("profiles", len(profiles or ()), "GetProfiles", bodies.get("GetProfiles"))
        return Attempt(self.name, "ok")
