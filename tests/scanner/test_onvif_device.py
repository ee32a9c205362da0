"""scanner/probes/onvif_device.py: reading a device's clock when it gives only its local time."""

import pytest

from scanner.probes.onvif_device import _posix_west_s


@pytest.mark.parametrize(("tz", "daylight", "west"), [
    ("KST-9", False, -9 * 3600),  # Korea: UTC+9, POSIX counts west
    ("CST-8:00:00", False, -8 * 3600),  # the form Hikvision sends
    ("<+0530>-5:30", False, -(5 * 3600 + 30 * 60)),  # a quoted name, minutes
    ("EST5EDT,M3.2.0,M11.1.0", False, 5 * 3600),
    ("EST5EDT,M3.2.0,M11.1.0", True, 4 * 3600),  # DaylightSavings on and a DST zone: one hour east
    ("UTC0", True, 0),  # no DST zone named: the flag changes nothing
])
def test_posix_time_zones_as_devices_send_them(tz, daylight, west):
    assert _posix_west_s(tz, daylight) == west


@pytest.mark.parametrize("tz", [None, "", "+9", "9", "Seoul"])
def test_unreadable_time_zones_are_none(tz):
    assert _posix_west_s(tz, False) is None


def test_without_an_interface_holding_our_address_the_first_enabled_one_gives_the_mac():
    """Behind NAT, or with DHCP and no FromDHCP address listed, no interface holds the address we reached.
    The tie went to the MAC that sorts first as text (00:12:… before bc:32:…), not to the device's order."""
    from types import SimpleNamespace as NS

    from scanner.probes.onvif_device import pick_mac

    def interface(mac: str) -> NS:
        return NS(Info=NS(HwAddress=mac), Enabled=True, IPv4=NS(Enabled=True, Config=None))

    eth0, wlan0 = interface("bc:32:5f:01:02:03"), interface("00:12:34:56:78:9a")
    assert pick_mac([eth0, wlan0], "10.0.0.7") == ("bc:32:5f:01:02:03", [])


def _local_only(tz, hour=12, daylight=False):
    from types import SimpleNamespace as NS

    local = NS(Date=NS(Year=2026, Month=1, Day=15), Time=NS(Hour=hour, Minute=0, Second=0))
    return NS(UTCDateTime=None, LocalDateTime=local, TimeZone=NS(TZ=tz) if tz is not None else None,
              DaylightSavings=daylight)


NOON = 1768478400.0  # 2026-01-15 12:00:00 UTC


@pytest.mark.parametrize(("tz", "utc"), [
    ("KST-9", NOON - 9 * 3600),  # POSIX: nine hours east
    ("CST-8:00:00", NOON - 8 * 3600),
    ("Asia/Seoul", NOON - 9 * 3600),  # an IANA name: a POSIX reading found no zone and took local time as UTC
    ("America/New_York", NOON + 5 * 3600),
    ("GMT+00:00", NOON),  # no offset: nothing to misread
])
def test_utc_is_certain_where_the_zone_says_where_it_is(tz, utc):
    from scanner.probes.onvif_device import _device_utc

    readings, certain = _device_utc(_local_only(tz))
    assert certain and readings[0][1] == utc


@pytest.mark.parametrize(("tz", "utcs"), [
    ("GMT+09:00", (NOON - 9 * 3600, NOON + 9 * 3600)),  # as devices mean it (UTC+9) first, then the POSIX reading
    ("UTC-3:30", (NOON + 3.5 * 3600, NOON - 3.5 * 3600)),
    ("", (NOON,)),  # no zone: local time taken as UTC, a guess
    (None, (NOON,)),
    ("Mars/Olympus_Mons", (NOON,)),  # no such zone here
])
def test_utc_is_a_guess_where_the_zone_does_not_say(tz, utcs):
    from scanner.probes.onvif_device import _device_utc

    readings, certain = _device_utc(_local_only(tz))
    assert not certain and tuple(when for _, when in readings) == utcs


def test_a_time_zone_is_quoted_printable_and_short():
    """The TimeZone goes into status_reason: a NUL or a 5,000-character name does not."""
    from scanner.probes.onvif_device import _device_utc

    for tz in ("Asia/Seoul\x00", "x" * 5000):
        (how, _), = _device_utc(_local_only(tz))[0]
        assert how.isprintable() and len(how) < 120, how
