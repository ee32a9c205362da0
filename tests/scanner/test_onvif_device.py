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
