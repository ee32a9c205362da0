"""Every probe, registered here and only here: adding a probe is one module plus one line."""

from __future__ import annotations

from .http_banner import HttpBanner
from .interface import Attempt, Facts, OnvifProbe, ProbeContext, SideProbe
from .media import Media
from .onvif_device import Clock, DeviceInformation, NetworkIdentity, Scopes, Services
from .recording import Recording
from .rtsp_banner import RtspBanner
from .tls_cert import TlsCertificate

# Phases run in order; the steps inside a phase run concurrently. The clock comes first
# (WS-UsernameToken needs the skew); media and recording need the XAddrs Services found.
ONVIF_PHASES: tuple[tuple[OnvifProbe, ...], ...] = (
    (Clock(),),
    (DeviceInformation(), Services(), Scopes(), NetworkIdentity()),
    (Media(), Recording()),
)
# Run concurrently with the ONVIF steps, each with its own short timeout.
SIDE_PROBES: tuple[SideProbe, ...] = (HttpBanner(), RtspBanner(), TlsCertificate())

__all__ = ["ONVIF_PHASES", "SIDE_PROBES", "Attempt", "Facts", "OnvifProbe", "ProbeContext", "SideProbe"]
