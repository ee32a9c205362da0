"""The one small interface every probe implements, and the values probes hand back.

A probe reads one thing from one device and writes what it learned into the
device's `Facts`. It never raises for a device that misbehaves in a way the
scan can live with: it returns an `Attempt` saying what happened. Problems
that end the device (connection refused, the device deadline, a hostile body)
propagate as exceptions and the interrogator turns them into a status.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Literal

if TYPE_CHECKING:
    import aiohttp

    from ..neighbours import NeighbourTable
    from ..soap import OnvifClients

AttemptStatus = Literal["ok", "failed", "skipped"]


@dataclass(frozen=True)
class Attempt:
    probe: str
    status: AttemptStatus
    reason: str = ""


@dataclass
class Facts:
    """What is known about one device so far; becomes a frozen `Device` at the end."""

    address: str
    port: int
    service_url: str
    xaddrs: tuple[str, ...] = ()
    endpoint_reference: str | None = None
    values: dict[str, object] = field(default_factory=dict)  # Device field -> value
    service_urls: dict[str, str] = field(default_factory=dict)  # namespace -> XAddr (fixed up)
    fingerprints: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, tuple[str, str]] = field(default_factory=dict)  # field -> (operation, sha256)
    notes: list[str] = field(default_factory=list)

    def set(self, name: str, value: object, operation: str, sha256: str | None) -> None:
        if value in (None, "", ()):
            return
        self.values[name] = value
        if sha256:
            self.evidence[name] = (operation, sha256)


@dataclass(frozen=True)
class ProbeContext:
    """What a probe may use: the process-wide clients and this device's time budget."""

    onvif: OnvifClients
    http: aiohttp.ClientSession
    side_timeout_s: float
    deadline_s: float = 10.0  # the whole device's budget
    neighbours: NeighbourTable | None = None  # the kernel's ARP table, for MACs ONVIF did not give


class OnvifProbe(abc.ABC):
    """A step of ONVIF interrogation. Steps run in registry order; `required` steps end the device on failure."""

    name: ClassVar[str]
    required: ClassVar[bool] = False

    @abc.abstractmethod
    async def run(self, facts: Facts, ctx: ProbeContext) -> Attempt: ...


class SideProbe(abc.ABC):
    """A fingerprint read on another channel (HTTP, RTSP, TLS), run beside the ONVIF steps."""

    name: ClassVar[str]

    @abc.abstractmethod
    async def run(self, facts: Facts, ctx: ProbeContext) -> Attempt: ...
