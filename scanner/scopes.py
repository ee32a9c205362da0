"""Reading ONVIF scope URIs (`onvif://www.onvif.org/<key>/<value>`), the one place for it.

A device announces its scopes in every ProbeMatch and in GetScopes, with no login: ONVIF Core
§7.3.2.2 fixes `type`, `name`, `hardware`, `location` and `Profile`, and makers add their own
(FLIR and DVTel `manufacturer`: vicmaeg/onvif-discovery#17; Hanwha carries maker and model:
Jazea/Onvif.Core#55). Values are percent-encoded (`name/FLIR%20CM-6204-11-I`).

What a device announces is claimed, not read: any owner can set `name` and `location`, and nothing
is authenticated. It serves where nothing better exists, a device whose login failed, and is always
shown as announced (reports: `DeviceRow.announced`), never in place of what the device answered.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote

ONVIF_SCOPE_PREFIX = "onvif://www.onvif.org/"
MAX_VALUE_CHARS = 128  # a model name is short; anything longer is not one
# What begins a scope: scheme:// (onvif://, http://, a maker's own) or a URN. A bare "word:" does not
# ("name/Front Door:East" is one name).
_URI_START = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://|urn:", re.IGNORECASE)


def split_scope_list(text: str) -> list[str]:
    """The scopes of a ProbeMatch's Scopes element, a whitespace-separated list of URIs.

    Some cameras put a name with a space in it unencoded ("onvif://www.onvif.org/name/CAMERA 1":
    Jazea/Onvif.Core#34, "only the first part was returned"), so a word that does not begin a URI
    is the rest of the scope before it, not a scope of its own. (GetScopes gives each scope in an
    element of its own and needs none of this.)
    """
    scopes: list[str] = []
    for word in text.split():
        if scopes and not _URI_START.match(word):
            scopes[-1] += " " + word
        else:
            scopes.append(word)
    return scopes


def scope_values(scopes: Iterable[str], key: str) -> list[str]:
    """The values of every scope `onvif://www.onvif.org/<key>/<value>`, `key` in any case, decoded.

    A value is the rest of the path (it may itself hold a '/'); an empty one is skipped.
    """
    wanted = key.casefold()
    values = []
    for scope in scopes:
        if scope[:len(ONVIF_SCOPE_PREFIX)].casefold() != ONVIF_SCOPE_PREFIX:
            continue
        name, _, value = scope[len(ONVIF_SCOPE_PREFIX):].partition("/")
        if name.casefold() != wanted:
            continue
        value = unquote(value, errors="replace")
        if not value.isprintable():
            # Percent-decoding can make any character: ESC and the other controls would reach a terminal
            # (an unauthenticated ProbeMatch, even one from outside the scope, is printed in the summary),
            # and bidi overrides would reorder a report's text. Dropped; white space kept as spaces.
            value = "".join(" " if c.isspace() else c for c in value
                            if c.isspace() or unicodedata.category(c) not in ("Cc", "Cf"))
        value = " ".join(value.split())
        if value:
            values.append(value[:MAX_VALUE_CHARS])
    return values


@dataclass(frozen=True)
class Announced:
    """What a device says of itself in its scopes: untrusted, unauthenticated text."""

    manufacturer: str | None
    hardware: str | None  # most put their model there; some a version ("1.00") or their chipset
    name: str | None

    def summary(self) -> str:
        """Maker, hardware and name on one line, each once: "DS-2CD2143G2-I / HIKVISION" (no maker scope)."""
        return " / ".join(dict.fromkeys(p for p in (self.manufacturer, self.hardware, self.name) if p))


def announced_identity(scopes: Iterable[str]) -> Announced | None:
    """Maker, hardware and name from the scopes (the first of each), or None when they give none."""
    scopes = tuple(scopes)
    first = {key: next(iter(scope_values(scopes, key)), None) for key in ("manufacturer", "hardware", "name")}
    if not any(first.values()):
        return None
    return Announced(manufacturer=first["manufacturer"], hardware=first["hardware"], name=first["name"])
