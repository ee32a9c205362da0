"""Which HTTP redirects from a device the scanner follows: only to the device's own address.

Some cameras advertise http:// XAddrs and answer them with a redirect to https:// on the same
address (lumeohq/onvif-rs#39: "when you try to connect they return 302 to redirect to https").
A redirect is the device's word, and a hostile device's word is no reason to send a signed
request, or any packet, to another host: the scan's scope is the operator's, not the device's.
So a redirect is followed only when it names the same host, by any scheme and port of it, and
it is re-sent as the same POST (a SOAP call turned into a GET, as browsers do on 302, is no call).
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def same_device_target(url: str, location: str) -> str | None:
    """The absolute URL `location` points to from `url`, when it is http(s) on the same host; else None."""
    if not location.strip():
        return None
    try:
        target = urljoin(url, location.strip())
        here, there = urlsplit(url), urlsplit(target)
        there.port  # noqa: B018 - raises ValueError on a port that is no number
    except ValueError:
        return None
    if there.scheme not in ("http", "https") or not there.hostname or there.hostname != here.hostname:
        return None
    return target


def origin(url: str) -> str:
    """scheme://host[:port] of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def on_origin(url: str, answering: str) -> str | None:
    """`url` moved to the `answering` origin of the same host (another port or scheme); None if another host."""
    if urlsplit(url).hostname != urlsplit(answering).hostname or origin(url) == answering:
        return None
    return answering + url[len(origin(url)):]


def remember(moves: dict[str, str], url: str, target: str) -> None:
    """Note that `url` answered from `target`; a move of scheme and port alone applies to every path
    of that origin (a camera in HTTPS-only mode moves all its services, and each would be asked twice)."""
    moves[url] = target
    if url[len(origin(url)):] == target[len(origin(target)):]:
        moves[origin(url)] = origin(target)


def rebased(url: str, moves: dict[str, str]) -> str:
    """Where to send a call to `url`, given the moves a device made so far."""
    if not moves:  # nearly every device: asked on every call, so no URL parsing for them
        return url
    if url in moves:
        return moves[url]
    base = origin(url)
    return moves[base] + url[len(base):] if base in moves else url
