"""ONVIF device-management steps: clock, identity, services, scopes, network identity."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from zeep.exceptions import Fault

from ..macs import normalize_mac
from ..soap import _DEVICE, SoapProblem, evidence_digest
from .interface import Attempt, Facts, OnvifProbe, ProbeContext

NS = {
    "device": "http://www.onvif.org/ver10/device/wsdl",
    "media": "http://www.onvif.org/ver10/media/wsdl",
    "media2": "http://www.onvif.org/ver20/media/wsdl",
    "events": "http://www.onvif.org/ver10/events/wsdl",
    "imaging": "http://www.onvif.org/ver20/imaging/wsdl",
    "ptz": "http://www.onvif.org/ver20/ptz/wsdl",
    "analytics": "http://www.onvif.org/ver20/analytics/wsdl",
    "deviceio": "http://www.onvif.org/ver10/deviceIO/wsdl",
    "recording": "http://www.onvif.org/ver10/recording/wsdl",
    "search": "http://www.onvif.org/ver10/search/wsdl",
    "replay": "http://www.onvif.org/ver10/replay/wsdl",
}
# GetCapabilities categories -> service namespace, for devices without GetServices.
_CAPABILITY_NS = {
    "Analytics": NS["analytics"], "Device": NS["device"], "Events": NS["events"], "Imaging": NS["imaging"],
    "Media": NS["media"], "PTZ": NS["ptz"],
}
_CAPABILITY_EXTENSION_NS = {
    "DeviceIO": NS["deviceio"], "Recording": NS["recording"], "Search": NS["search"], "Replay": NS["replay"],
    "AnalyticsDevice": NS["analytics"],
}


def fix_service_url(url: str | None, address: str) -> str | None:
    """Service XAddrs suffer the same wrong-host bug as discovery XAddrs: keep path and port, use the device."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    if parts.hostname == address:
        return url.strip()
    netloc = address if port is None else f"{address}:{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


def _extension_xaddr(extension, category: str) -> str | None:
    """XAddr of a GetCapabilities extension section, typed or not.

    zeep types the sections only when they come in schema order with every optional
    sibling in place; otherwise they land as raw elements in `_value_1`.
    """
    if extension is None:
        return None
    section = getattr(extension, category, None)
    if section is not None:
        return getattr(section, "XAddr", None)
    for element in getattr(extension, "_value_1", None) or ():
        tag = getattr(element, "tag", "")
        if isinstance(tag, str) and tag.rsplit("}", 1)[-1] == category:
            for child in element:
                if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "XAddr":
                    return (child.text or "").strip() or None
    return None


def _sha(operation: str) -> str | None:
    return _DEVICE.get().bodies.get(operation)


def _http_date(header: str | None) -> datetime | None:
    try:
        return parsedate_to_datetime(header) if header else None
    except (TypeError, ValueError, IndexError):
        return None


def _skew_from_http_date(header: str | None, local_time: float) -> float | None:
    """Seconds the device's HTTP Date is ahead of us (whole seconds only; None if absent or unreadable)."""
    when = _http_date(header)
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    skew = when.timestamp() - local_time
    return round(skew) if abs(skew) >= 2 else None  # within the Date header's resolution: trust our clock


# ONVIF's tt:TZ is a POSIX TZ: std name, offset WEST of UTC ("KST-9" is UTC+9), optional DST name.
_POSIX_TZ = re.compile(r"\s*(?:<[^>]+>|[A-Za-z]{3,})([+-]?)(\d{1,2})(?::(\d{1,2}))?(?::(\d{1,2}))?"
                       r"\s*(<[^>]+>|[A-Za-z]{3,})?")


def _posix_west_s(tz: str | None, daylight: bool) -> int | None:
    """Seconds west of UTC that the device's local time is, from its POSIX TZ; None if unreadable."""
    match = _POSIX_TZ.match(tz or "")
    if match is None:
        return None
    sign, hours, minutes, seconds, dst_name = match.groups()
    west = (-1 if sign == "-" else 1) * (int(hours) * 3600 + int(minutes or 0) * 60 + int(seconds or 0))
    return west - 3600 if daylight and dst_name else west  # DST: one hour further east (POSIX's default)


def _stamp(value) -> float:
    return datetime(value.Date.Year, value.Date.Month, value.Date.Day, value.Time.Hour, value.Time.Minute,
                    value.Time.Second, tzinfo=UTC).timestamp()


def _readable(value) -> bool:
    return value is not None and value.Date is not None and value.Time is not None


# "GMT+09:00", "UTC+9", "GMT-03:30": a Windows-style label more than a POSIX TZ. POSIX would read GMT+09:00
# as nine hours WEST of UTC; the devices that write it mean nine hours east, as their web pages show it.
_GMT_OFFSET = re.compile(r"\s*(?:GMT|UTC|UT)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?\s*$", re.IGNORECASE)


def _hm(east_s: int) -> str:
    hours, minutes = divmod(abs(east_s) // 60, 60)
    return f"UTC{'+' if east_s >= 0 else '-'}{hours}" + (f":{minutes:02d}" if minutes else "")


def _iana_utc(local, tz: str) -> float | None:
    """UTC of a LocalDateTime in the IANA zone `tz` (Asia/Seoul); None when no such zone is known here."""
    try:
        zone = ZoneInfo(tz)
        naive = datetime(local.Date.Year, local.Date.Month, local.Date.Day, local.Time.Hour, local.Time.Minute,
                         local.Time.Second)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        return None
    return naive.replace(tzinfo=zone).timestamp()


def _device_utc(reply) -> tuple[tuple[tuple[str | None, float], ...], bool]:
    """Readings of the device's UTC clock (epoch seconds) with how each was made (None: its UTCDateTime),
    the likeliest first; and whether the first is certain.

    Some cameras send only LocalDateTime (agsh/onvif#160; home-assistant/core#25604). Its UTC is certain
    with a POSIX TimeZone (`KST-9`: nine hours east) or an IANA name (`Asia/Seoul`, which a POSIX reading
    took for no zone at all); it is a guess with none (local time taken as UTC, agsh/onvif#165) and with
    `GMT+09:00` (POSIX says UTC-9, the device most likely means UTC+9): both readings are kept, for the
    HTTP Date to choose between. Raises LookupError (no time at all), TypeError/ValueError (a bad date).
    """
    utc = getattr(reply, "UTCDateTime", None)
    if _readable(utc):
        return ((None, _stamp(utc)),), True
    local = getattr(reply, "LocalDateTime", None)
    if not _readable(local):
        raise LookupError("GetSystemDateAndTime gave no UTCDateTime (nor LocalDateTime)")
    stamp = _stamp(local)
    tz = str(getattr(getattr(reply, "TimeZone", None), "TZ", None) or "").strip()
    if not tz:
        return (("LocalDateTime taken as UTC (no TimeZone)", stamp),), False
    shown = "".join(c if c.isprintable() else "?" for c in tz[:40])  # it goes into status_reason
    gmt = _GMT_OFFSET.match(tz)
    if gmt:
        sign, hours, minutes = gmt.groups()
        east = (-1 if sign == "-" else 1) * (int(hours) * 3600 + int(minutes or 0) * 60)
        if east == 0:
            return ((f"UTC from LocalDateTime and TimeZone {shown}", stamp),), True
        return ((f"TimeZone {shown} read as {_hm(east)}", stamp - east),
                (f"TimeZone {shown} read the POSIX way, as {_hm(-east)}", stamp + east)), False
    if "/" in tz or not any(c.isdigit() for c in tz):  # an IANA name: Asia/Seoul, ROK, UTC
        when = _iana_utc(local, tz)
        if when is not None:
            return ((f"UTC from LocalDateTime and TimeZone {shown}", when),), True
    west = _posix_west_s(tz, bool(getattr(reply, "DaylightSavings", False)))
    if west is None:
        return ((f"LocalDateTime taken as UTC (TimeZone {shown} unreadable)", stamp),), False
    return ((f"UTC from LocalDateTime and TimeZone {shown}", stamp + west),), True


_CLOCKS_DISAGREE_S = 60.0  # UTCDateTime against the HTTP Date (1 s resolution): past any round trip


class Clock(OnvifProbe):
    """GetSystemDateAndTime first, unauthenticated as ONVIF allows, so WS-UsernameToken can be skew-adjusted."""

    name = "clock"

    async def run(self, facts: Facts, ctx: ProbeContext) -> Attempt:
        device = _DEVICE.get()
        device.use_wsse = False
        sent = time.time()
        try:
            try:
                reply = await ctx.onvif.call("devicemgmt", facts.service_url, "GetSystemDateAndTime")
            except SoapProblem as problem:
                if problem.kind != "auth_failed":
                    raise
                # A device that wants auth even for its clock (Vivotek, Panasonic, Axis with replay
                # protection) cannot tell its time over ONVIF first, and a digest signed with our clock
                # is refused when its clock is off. Its HTTP Date header still tells the time.
                hinted = _skew_from_http_date(device.http_date, (sent + time.time()) / 2)
                if hinted is not None:
                    device.dt_diff = timedelta(seconds=hinted)
                device.use_wsse = True  # ask again, signed
                sent = time.time()
                reply = await ctx.onvif.call("devicemgmt", facts.service_url, "GetSystemDateAndTime")
        except Fault as fault:
            # Firmware without GetSystemDateAndTime answers gSOAP's own "not implemented" (a Kojima,
            # home-assistant/core#138579; a HiKam A7, agsh/onvif#65). Its every signed call is still
            # dated, and the fault's HTTP Date is its clock: without it, a camera minutes off was sent
            # tokens dated by ours, refused them, and ended auth_failed with the right password.
            return self._from_http_date(facts, device, str(fault.message), (sent + time.time()) / 2)
        finally:
            device.use_wsse = True
            device.clock_done.set()
        received = time.time()
        try:
            readings, certain = _device_utc(reply)
        except LookupError as exc:
            return self._from_http_date(facts, device, str(exc), (sent + received) / 2)
        except (TypeError, ValueError, OverflowError) as exc:
            return self._from_http_date(facts, device, f"GetSystemDateAndTime gave an impossible date ({exc})",
                                        (sent + received) / 2)
        if received - sent < ctx.deadline_s / 20:
            # Quick to answer: its remaining ~8 calls fit the deadline one after another, on one
            # kept-alive connection, instead of opening three (soap.DeviceContext.lanes).
            device.lanes = asyncio.Semaphore(1)
        middle = (sent + received) / 2
        skews = [(how, round(when - middle, 1)) for how, when in readings]
        # The same answer's HTTP Date comes from the device's clock too (None: no Date header, no second clock).
        # _skew_from_http_date's None otherwise means "within the Date's resolution", i.e. 0.
        said_by_date = (_skew_from_http_date(device.http_date, middle) or 0.0) \
            if _http_date(device.http_date) is not None else None
        if not certain:
            agreeing = [(how, skew) for how, skew in skews
                        if said_by_date is not None and abs(skew - said_by_date) <= _CLOCKS_DISAGREE_S]
            if not agreeing:
                return self._utc_unknown(facts, device, skews, said_by_date)
            skews = agreeing
            facts.notes.append(f"clock: no UTCDateTime; {skews[0][0]}, as its HTTP Date agrees")
        elif skews[0][0]:
            facts.notes.append(f"clock: no UTCDateTime; {skews[0][0]}")
        skew = skews[0][1]
        device.dt_diff = timedelta(seconds=skew)
        # When the two disagree by more than a token's window, one of them is mislabelled: OpenIPC filled
        # UTCDateTime with local time (OpenIPC/majestic-webui#292). Tokens go by UTCDateTime, as ONVIF says;
        # the Date is kept for one retry if the device refuses them (soap._CheckedTransport._first_signed).
        # OpenIPC's case is exactly a right Date and a UTCDateTime hours off.
        if said_by_date is not None and abs(said_by_date - skew) > _CLOCKS_DISAGREE_S:
            device.second_clock = timedelta(seconds=said_by_date)
        facts.set("clock_skew_s", skew, "GetSystemDateAndTime", _sha("GetSystemDateAndTime"))
        return Attempt(self.name, "ok")

    def _utc_unknown(self, facts: Facts, device, skews: list[tuple[str | None, float]],
                     said_by_date: float | None) -> Attempt:
        """Only LocalDateTime, in a zone that does not say where UTC is, and no HTTP Date that agrees with
        a reading of it: the skew is not recorded (a wrong one was shown as fact, hours off), and the note
        says what each clock said. Tokens are dated by the HTTP Date, the one clock that is labelled UTC,
        with the likeliest reading of the local time kept for one retry (or the two readings, without a Date)."""
        said = [f"{how}: {skew:+.0f} s" for how, skew in skews]
        if said_by_date is not None:
            said.append(f"HTTP Date: {said_by_date:+.0f} s")
        facts.notes.append(f"clock: no UTCDateTime and UTC not known ({'; '.join(said)}); clock skew not recorded")
        clocks = [said_by_date] if said_by_date is not None else []
        clocks += [skew for _, skew in skews if all(abs(skew - c) > _CLOCKS_DISAGREE_S for c in clocks)]
        device.dt_diff = timedelta(seconds=clocks[0])
        if len(clocks) > 1:
            device.second_clock = timedelta(seconds=clocks[1])
            device.second_clock_note = "its tokens were dated by another reading of its clock ({offset} off the first)"
        return Attempt(self.name, "ok")

    def _from_http_date(self, facts: Facts, device, problem: str, local_time: float) -> Attempt:
        """An unreadable clock (the Tapo C200 sends no Day: edgexfoundry/device-onvif-camera#158): the
        Date header of the same answer comes from the same clock, to the second."""
        if _http_date(device.http_date) is None:
            return Attempt(self.name, "failed", problem)
        skew = float(_skew_from_http_date(device.http_date, local_time) or 0)
        device.dt_diff = timedelta(seconds=skew)
        facts.notes.append(f"{problem}; clock read from its HTTP Date header instead")
        facts.set("clock_skew_s", skew, "HTTP Date header",
                  evidence_digest(f"Date: {device.http_date}".encode(), "txt"))
        return Attempt(self.name, "ok")


class DeviceInformation(OnvifProbe):
    name = "device_information"
    required = True

    async def run(self, facts: Facts, ctx: ProbeContext) -> Attempt:
        reply = await ctx.onvif.call("devicemgmt", facts.service_url, "GetDeviceInformation")
        sha = _sha("GetDeviceInformation")
        for field, attr in (("manufacturer", "Manufacturer"), ("model", "Model"), ("firmware", "FirmwareVersion"),
                            ("serial", "SerialNumber"), ("hardware_id", "HardwareId")):
            value = getattr(reply, attr, None)
            facts.set(field, str(value).strip() if value is not None else None, "GetDeviceInformation", sha)
        if not facts.values.get("serial"):
            # Wansview sends no SerialNumber at all, its MAC as HardwareId (home-assistant/core#48589): the
            # HardwareId stays a hardware id, never a serial, so the inventory keys the device on its MAC.
            facts.notes.append("GetDeviceInformation: no SerialNumber")
        return Attempt(self.name, "ok")


class Services(OnvifProbe):
    """GetServices, falling back to GetCapabilities for devices that lack it."""

    name = "services"

    async def run(self, facts: Facts, ctx: ProbeContext) -> Attempt:
        try:
            reply = await ctx.onvif.call("devicemgmt", facts.service_url, "GetServices", IncludeCapability=False)
            for service in reply or ():
                url = fix_service_url(service.XAddr, facts.address)
                # Stripped: a namespace pretty-printed onto lines of its own ("\n  http://…/media/wsdl\n")
                # matched no service we know, and the camera lost its media and its role.
                namespace = str(service.Namespace or "").strip()
                if namespace and url:
                    facts.service_urls.setdefault(namespace, url)
            operation = "GetServices"
            if not facts.service_urls:  # answered, but empty: some firmwares do this
                operation = await self._capabilities(facts, ctx)
        except SoapProblem as problem:
            if problem.kind != "protocol_error" or "HTTP" not in problem.reason:
                raise
            operation = await self._capabilities(facts, ctx)
        except Fault:  # ActionNotSupported and friends: an older device
            operation = await self._capabilities(facts, ctx)
        if not facts.service_urls:
            return Attempt(self.name, "failed", f"{operation} listed no services")
        facts.set("services", tuple(sorted(facts.service_urls)), operation, _sha(operation))
        return Attempt(self.name, "ok", operation)

    async def _capabilities(self, facts: Facts, ctx: ProbeContext) -> str:
        reply = await ctx.onvif.call("devicemgmt", facts.service_url, "GetCapabilities", Category="All")
        for category, namespace in _CAPABILITY_NS.items():
            section = getattr(reply, category, None)
            url = fix_service_url(getattr(section, "XAddr", None), facts.address)
            if url:
                facts.service_urls.setdefault(namespace, url)
        extension = getattr(reply, "Extension", None)
        for category, namespace in _CAPABILITY_EXTENSION_NS.items():
            url = fix_service_url(_extension_xaddr(extension, category), facts.address)
            if url:
                facts.service_urls.setdefault(namespace, url)
        facts.notes.append("GetServices not offered; services read from GetCapabilities")
        return "GetCapabilities"


class Scopes(OnvifProbe):
    name = "scopes"

    async def run(self, facts: Facts, ctx: ProbeContext) -> Attempt:
        reply = await ctx.onvif.call("devicemgmt", facts.service_url, "GetScopes")
        scopes = tuple(str(item.ScopeItem) for item in reply or () if getattr(item, "ScopeItem", None))
        facts.set("scopes", scopes, "GetScopes", _sha("GetScopes"))
        return Attempt(self.name, "ok")


def _interface_addresses(interface) -> set[str]:
    """IPv4 addresses an interface of GetNetworkInterfaces carries (manual, DHCP, link-local)."""
    ipv4 = getattr(interface, "IPv4", None)
    config = getattr(ipv4, "Config", None) if ipv4 is not None else None
    if config is None:
        return set()
    found = set()
    for group in (getattr(config, "Manual", None) or [], [getattr(config, "FromDHCP", None)],
                  [getattr(config, "LinkLocal", None)]):
        for entry in group if isinstance(group, list) else [group]:
            address = getattr(entry, "Address", None) if entry is not None else None
            if address:
                found.add(str(address).strip())
    return found


def refusals(answers) -> list[str]:
    """What the refused ones of calls made together (gather(return_exceptions=True)) said, as
    "<operation>: <why>": a refusal or fault costs that call only. Anything else ends the device and is
    raised: connection errors, the deadline, a hostile body (whichever call got it)."""
    problems = []
    for operation, answer in answers:
        if isinstance(answer, (SoapProblem, Fault)):
            if isinstance(answer, SoapProblem) and answer.kind == "protocol_error" and "HTTP" not in answer.reason:
                raise answer
            problems.append(f"{operation}: {getattr(answer, 'reason', None) or getattr(answer, 'message', answer)}")
        elif isinstance(answer, BaseException):
            raise answer
    return problems


def pick_mac(interfaces, address: str) -> tuple[str | None, list[str]]:
    """The MAC of the interface that holds the device's address, else of the first enabled one with
    IPv4; and the HwAddress values that were no MAC at all (scanner/macs.py), to be noted.

    IMOU/Dahua list a placeholder MAC shared by every unit first (home-assistant/core#162687);
    the first interface is not necessarily the one we are talking to.
    """
    candidates = []
    rejected = []
    for order, interface in enumerate(interfaces or ()):
        info = getattr(interface, "Info", None)
        written = getattr(info, "HwAddress", None) if info is not None else None
        if not written:
            continue
        mac = normalize_mac(written)
        if mac is None:
            rejected.append(str(written).strip()[:64])
            continue
        holds = address in _interface_addresses(interface)
        ipv4 = getattr(interface, "IPv4", None)
        usable = getattr(interface, "Enabled", True) is not False and ipv4 is not None \
            and getattr(ipv4, "Enabled", True) is not False
        candidates.append((not holds, not usable, order, mac))  # ties go to the device's own order
    return (min(candidates)[3] if candidates else None), rejected


class NetworkIdentity(OnvifProbe):
    """MAC from GetNetworkInterfaces, name from GetHostname."""

    name = "network_identity"

    async def run(self, facts: Facts, ctx: ProbeContext) -> Attempt:
        # Both at once: a slow device (seconds per answer) must fit its deadline. One refusing
        # (no GetNetworkInterfaces: home-assistant/core#36243) must not cost the other's answer.
        interfaces, hostname = await asyncio.gather(
            ctx.onvif.call("devicemgmt", facts.service_url, "GetNetworkInterfaces"),
            ctx.onvif.call("devicemgmt", facts.service_url, "GetHostname"), return_exceptions=True)
        problems = refusals((("GetNetworkInterfaces", interfaces), ("GetHostname", hostname)))
        if not isinstance(interfaces, BaseException):
            mac, rejected = pick_mac(interfaces, facts.address)
            facts.set("mac", mac, "GetNetworkInterfaces", _sha("GetNetworkInterfaces"))
            if rejected:
                facts.notes.append(f"GetNetworkInterfaces: HwAddress {', '.join(map(repr, rejected))} is not a MAC")
        if not isinstance(hostname, BaseException):
            name = getattr(hostname, "Name", None)
            facts.set("hostname", str(name).strip() if name else None, "GetHostname", _sha("GetHostname"))
        if problems:
            return Attempt(self.name, "failed", "; ".join(problems))
        return Attempt(self.name, "ok")
