"""scanner/scopes.py: what devices announce in their scopes, read from the spellings real devices use."""

from __future__ import annotations

from scanner.scopes import Announced, announced_identity, scope_values, split_scope_list

# FLIR/DVTel scopes as vicmaeg/onvif-discovery#17 shows them (a maker scope, percent-encoded spaces).
FLIR = [
    "onvif://www.onvif.org/type/video_encoder",
    "onvif://www.onvif.org/hardware/CM-6204-11-I",
    "onvif://www.onvif.org/Profile/Streaming",
    "onvif://www.onvif.org/name/FLIR%20CM-6204-11-I%20K816600858",
    "onvif://www.onvif.org/manufacturer/FLIR%20Systems",
    "onvif://www.onvif.org/manufacturer/DVTel",
    "dvtel://www.dvtel.com/quasar/gen2/quadhd",
]
# A no-name camera (same thread): a name and a hardware that are the chipset's, no maker.
NO_NAME = [
    "onvif://www.onvif.org/type/Network_Video_Transmitter",
    "onvif://www.onvif.org/name/ONVIF_ICAMERA",
    "onvif://www.onvif.org/hardware/MSTAR_IPNC",
    "onvif://www.onvif.org/location/China",
]


def test_values_are_decoded_and_keys_match_in_any_case():
    assert scope_values(FLIR, "manufacturer") == ["FLIR Systems", "DVTel"]
    assert scope_values(FLIR, "profile") == ["Streaming"]
    assert scope_values(["ONVIF://WWW.ONVIF.ORG/Hardware/XNO-6080R"], "hardware") == ["XNO-6080R"]
    assert scope_values(["onvif://www.onvif.org/location/country/korea"], "location") == ["country/korea"]
    assert scope_values(["onvif://www.onvif.org/name/", "http://www.onvif.org/name/x"], "name") == []


def test_hostile_values_are_squeezed_and_capped():
    [value] = scope_values(["onvif://www.onvif.org/name/a%0Ab%09%09c" + "x" * 500], "name")
    assert value.startswith("a b c") and len(value) == 128
    [bad_bytes] = scope_values(["onvif://www.onvif.org/name/%FF%FEcam"], "name")
    assert bad_bytes.endswith("cam")  # not UTF-8: replaced, not an exception


def test_announced_identity_takes_the_first_of_each():
    assert announced_identity(FLIR) == Announced("FLIR Systems", "CM-6204-11-I", "FLIR CM-6204-11-I K816600858")
    assert announced_identity(NO_NAME) == Announced(None, "MSTAR_IPNC", "ONVIF_ICAMERA")
    assert announced_identity(["onvif://www.onvif.org/type/video_encoder"]) is None
    assert announced_identity([]) is None


def test_a_probe_match_scope_with_an_unencoded_space_stays_one_scope():
    """Jazea/Onvif.Core#34: a camera named "CAMERA 1" puts the space in its scope as it is."""
    text = ("onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/name/CAMERA 1\n"
            "\tonvif://www.onvif.org/location/city/Seoul%20Gangnam  urn:example:other onvif://www.onvif.org/hardware/XNO-6080R")
    assert split_scope_list(text) == [
        "onvif://www.onvif.org/type/video_encoder", "onvif://www.onvif.org/name/CAMERA 1",
        "onvif://www.onvif.org/location/city/Seoul%20Gangnam", "urn:example:other",
        "onvif://www.onvif.org/hardware/XNO-6080R"]
    assert scope_values(split_scope_list(text), "name") == ["CAMERA 1"]
    assert split_scope_list("") == [] and split_scope_list("stray onvif://www.onvif.org/name/X") == [
        "stray", "onvif://www.onvif.org/name/X"]  # a first word is kept as it is
    assert split_scope_list("onvif://www.onvif.org/name/Front Door:East onvif://www.onvif.org/name/IPC Ch:01") == [
        "onvif://www.onvif.org/name/Front Door:East", "onvif://www.onvif.org/name/IPC Ch:01"]  # a colon is no URI


def test_control_characters_a_value_decodes_to_are_dropped():
    """A ProbeMatch is unauthenticated and is printed in the summary: %1B would be ESC at the terminal."""
    assert scope_values(["onvif://www.onvif.org/name/X%1B%5D0%3Bpwned%07%1B%5B2J"], "name") == ["X]0;pwned[2J"]
    assert scope_values(["onvif://www.onvif.org/name/evil%E2%80%AEgnp.exe"], "name") == ["evilgnp.exe"]  # RLO
