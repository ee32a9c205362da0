"""Untrusted XML: DTDs and entities refused (never expanded), cut-off bodies are errors."""

import pytest

from scanner.safexml import MalformedXml, UnsafeXml, parse_untrusted

BOMB = b"""<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><r>&c;&c;&c;</r>"""
EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"""


def test_entity_bomb_and_external_entities_refused():
    for body in (BOMB, EXTERNAL):
        with pytest.raises(UnsafeXml):
            parse_untrusted(body)


def test_utf16_doctype_refused_even_when_the_byte_search_cannot_see_it():
    body = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ELEMENT r ANY>]><r/>'.encode("utf-16")
    with pytest.raises(UnsafeXml):
        parse_untrusted(body)


def test_truncated_and_unbalanced_bodies_are_errors_not_answers():
    good = b'<s:Envelope xmlns:s="urn:s"><s:Body><x>1</x></s:Body></s:Envelope>'
    assert parse_untrusted(good).tag == "{urn:s}Envelope"
    for bad in (good[:-12], good.replace(b"</x>", b""), b"", b"not xml"):
        with pytest.raises(MalformedXml):
            parse_untrusted(bad)



def test_repair_mends_characters_only_and_says_what():
    from scanner.safexml import repair_characters

    gbk = b'<?xml version="1.0" encoding="UTF-8"?><a>cam-' + "摄像头".encode("gbk") + b"</a>"
    mended, what = repair_characters(gbk)
    assert parse_untrusted(mended).text.startswith("cam-\ufffd")
    assert "not UTF-8" in what
    control = b"<a>x\x01y</a>"
    mended, what = repair_characters(control)
    assert parse_untrusted(mended).text == "xy" and "1 control character(s) removed" in what
    assert repair_characters(b"<a>fine \xea\xb0\x80</a>") is None  # valid UTF-8: nothing to do
    latin = '<?xml version="1.0" encoding="ISO-8859-1"?><a>\xe9</a>'.encode("latin-1")
    assert repair_characters(latin) is None  # another declared encoding is not ours to second-guess
