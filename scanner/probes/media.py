"""Media service: how many video sources (sensors or analog inputs) and stream profiles."""

from __future__ import annotations

import asyncio

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
        # Only the counts are kept, so the answers are counted, not turned into zeep objects.
        sources, profiles = await asyncio.gather(ctx.onvif.count("media", url, "GetVideoSources", "VideoSources"),
                                                 ctx.onvif.count("media", url, "GetProfiles", "Profiles"))
        facts.set("video_sources", sources, "GetVideoSources", bodies.get("GetVideoSources"))
        facts.set("profiles", profiles, "GetProfiles", bodies.get("GetProfiles"))
        return Attempt(self.name, "ok")
