"""Recording/search services, read only where offered (recorders): how many recordings."""

from __future__ import annotations

from ..soap import _DEVICE
from .interface import Attempt, Facts, OnvifProbe, ProbeContext
from .onvif_device import NS


class Recording(OnvifProbe):
    name = "recording"

    async def run(self, facts: Facts, ctx: ProbeContext) -> Attempt:
        bodies = _DEVICE.get().bodies
        url = facts.service_urls.get(NS["recording"])
        if url:
            recordings = await ctx.onvif.count("recording", url, "GetRecordings", "RecordingItem")
            facts.set("recordings", recordings, "GetRecordings", bodies.get("GetRecordings"))
            return Attempt(self.name, "ok", "GetRecordings")
        url = facts.service_urls.get(NS["search"])
        if url:
            summary = await ctx.onvif.call("search", url, "GetRecordingSummary")
            count = getattr(summary, "NumberRecordings", None)
            facts.set("recordings", int(count) if count is not None else None, "GetRecordingSummary",
                      bodies.get("GetRecordingSummary"))
            return Attempt(self.name, "ok", "GetRecordingSummary")
        return Attempt(self.name, "skipped", "no recording or search service offered")
