"""The realm of an authentication challenge (`WWW-Authenticate`), as HTTP and RTSP servers send it.

The one place a challenge is read. A realm is the name a device's web or RTSP stack gives the
protection space it guards, and firmware writes its maker's shape there: Hikvision "IP Camera(C2183)",
Dahua "Login to <serial>", Axis "AXIS_<MAC>", Hanwha "iPolis" (config/vendors.yaml, realm_patterns).
Reading it sends nothing: it comes with the 401 a request without credentials gets anyway.

RFC 7235 lets the realm be a quoted string or a bare token; real ones are quoted, but Axis writes its
other parameters bare (`stale=FALSE`), so both are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# `realm` as a parameter name, not the tail of another one ("xrealm="), quoted (escapes allowed) or bare.
_REALM = re.compile(r'(?:^|[\s,])realm\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]+))', re.IGNORECASE)
_ESCAPE = re.compile(r"\\(.)")
# A realm is a short name; a device that sends kilobytes there gets its first part kept.
MAX_REALM = 256


def realm_of(challenges: Iterable[str]) -> str | None:
    """The first non-empty realm among the challenges of one answer, or None."""
    for challenge in challenges:
        match = _REALM.search(challenge)
        if match is None:
            continue
        quoted, bare = match.groups()
        realm = (_ESCAPE.sub(r"\1", quoted) if quoted is not None else bare).strip()
        if realm:
            return realm[:MAX_REALM]
    return None


def challenged_realm(challenges: Sequence[str]) -> tuple[str, bytes] | None:
    """The realm of an HTTP answer's challenges, with what stands as its evidence: the challenge header
    lines as the device sent them (aiohttp decodes header bytes with surrogateescape, so they come back)."""
    realm = realm_of(challenges)
    if realm is None:
        return None
    return realm, "".join(f"WWW-Authenticate: {c}\r\n" for c in challenges).encode("utf-8", "surrogateescape")
