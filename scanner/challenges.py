"""Authentication challenges (`WWW-Authenticate`) as HTTP and RTSP servers send them: the one place they are read.

A 401 may carry several challenges, on several header lines or comma-separated on one (RFC 7235 §4.1), in
any order: TP-Link's `Basic realm="TP-LINK IP-Camera"` then Digest (bluenviron/mediamtx#3116), a DVR's
`Digest realm="DVRNVRDVS", …` then `Basic realm="DVRNVRDVS"` (rburgst/okhttp-digest#2). A client that reads
only the first line fails on one order or the other, so every challenge is looked at.

The realm is the name a device's web or RTSP stack gives the protection space it guards, and firmware
writes its maker's shape there: Hikvision "IP Camera(C2183)", Dahua "Login to <serial>", Axis "AXIS_<MAC>",
Hanwha "iPolis" (config/vendors.yaml, realm_patterns). Reading it sends nothing: it comes with the 401 a
request without credentials gets anyway. RFC 7235 lets it be a quoted string or a bare token; real ones are
quoted, but Axis writes its other parameters bare (`stale=FALSE`), so both are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .httpbody import header_text

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
# A comma that starts another challenge: a scheme follows (a token, then a space and no '=', or nothing more),
# not an auth-param (`name=value`).
_NEXT_CHALLENGE = re.compile(rf",\s*(?={_TOKEN}(?:[ \t]+[^\s=,]|\s*(?:,|$)))")
# `realm` as a parameter name, not the tail of another one ("xrealm="), quoted (escapes allowed) or bare.
_REALM = re.compile(r'(?:^|[\s,])realm\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]+))', re.IGNORECASE)
_ESCAPE = re.compile(r"\\(.)")
# A realm is a short name; a device that sends kilobytes there gets its first part kept.
MAX_REALM = 256


def split_challenges(lines: Iterable[str]) -> list[str]:
    """Every challenge of a 401's WWW-Authenticate lines, in the order sent, each as its own string."""
    out = []
    for line in lines:
        # Commas inside quoted values ('nonce="a, b"') are blanked out of the search, not of the result.
        blanked = _QUOTED.sub(lambda m: '"' + "x" * (len(m.group()) - 2) + '"', line)
        start = 0
        for cut in _NEXT_CHALLENGE.finditer(blanked):
            out.append(line[start:cut.start()].strip())
            start = cut.end()
        out.append(line[start:].strip())
    return [challenge for challenge in out if challenge]


def scheme_of(challenge: str) -> str:
    """'digest' of 'Digest realm="x", …': the scheme, case-folded."""
    return challenge.split(None, 1)[0].rstrip(",").casefold() if challenge.strip() else ""


def digest_challenge(lines: Iterable[str]) -> str | None:
    """The first Digest challenge among a 401's, or None."""
    return next((c for c in split_challenges(lines) if scheme_of(c) == "digest"), None)


def realm_of(lines: Iterable[str]) -> str | None:
    """The first non-empty realm among the challenges of one answer, or None."""
    for challenge in split_challenges(lines):
        match = _REALM.search(challenge)
        if match is None:
            continue
        quoted, bare = match.groups()
        realm = header_text((_ESCAPE.sub(r"\1", quoted) if quoted is not None else bare).strip())
        if realm:
            return realm[:MAX_REALM]
    return None


def challenged_realm(lines: Sequence[str]) -> tuple[str, bytes] | None:
    """The realm of an HTTP answer's challenges, with what stands as its evidence: the challenge header
    lines as the device sent them (aiohttp decodes header bytes with surrogateescape, so they come back)."""
    realm = realm_of(lines)
    if realm is None:
        return None
    return realm, "".join(f"WWW-Authenticate: {c}\r\n" for c in lines).encode("utf-8", "surrogateescape")
