"""Which redirects the scanner follows (scanner/redirects.py): the device's own address only."""

from __future__ import annotations

import pytest

from scanner.redirects import same_device_target

HERE = "http://192.0.2.10/onvif/device_service"


@pytest.mark.parametrize("location, expected", [
    ("https://192.0.2.10/onvif/device_service", "https://192.0.2.10/onvif/device_service"),  # onvif-rs#39
    ("https://192.0.2.10:8443/onvif/device_service", "https://192.0.2.10:8443/onvif/device_service"),
    ("/onvif/services", "http://192.0.2.10/onvif/services"),  # relative: same host
    ("http://192.0.2.11/onvif/device_service", None),  # a neighbour: not ours to call
    ("https://attacker.example/collect", None),  # a name the device chose
    ("//192.0.2.99/onvif/device_service", None),  # scheme-relative, another host
    ("ftp://192.0.2.10/x", None),
    ("https://192.0.2.10:99999/x", None),  # no such port
    ("", None),
])
def test_only_the_devices_own_host_is_followed(location, expected):
    assert same_device_target(HERE, location) == expected


def test_a_move_of_scheme_and_port_applies_to_every_path_of_the_device():
    from scanner.redirects import rebased, remember

    moves: dict[str, str] = {}
    remember(moves, "http://192.0.2.10/onvif/device_service", "https://192.0.2.10:443/onvif/device_service")
    assert rebased("http://192.0.2.10/onvif/media_service", moves) == "https://192.0.2.10:443/onvif/media_service"
    assert rebased("http://192.0.2.10:8080/onvif/media_service", moves) == "http://192.0.2.10:8080/onvif/media_service"
    remember(moves, "http://192.0.2.10:8080/onvif/a", "http://192.0.2.10:8080/onvif/b")  # a new path: that URL only
    assert rebased("http://192.0.2.10:8080/onvif/a", moves) == "http://192.0.2.10:8080/onvif/b"
    assert rebased("http://192.0.2.10:8080/onvif/c", moves) == "http://192.0.2.10:8080/onvif/c"


def test_a_dead_xaddr_port_moves_to_where_the_device_answered_on_its_own_host_only():
    from scanner.redirects import on_origin

    answered = "http://192.0.2.10:5000"
    assert on_origin("http://192.0.2.10/onvif/media_service", answered) == "http://192.0.2.10:5000/onvif/media_service"
    assert on_origin("http://192.0.2.10:5000/onvif/media_service", answered) is None  # it is where it answered
    assert on_origin("http://192.0.2.11/onvif/media_service", answered) is None  # another host: not ours to guess
