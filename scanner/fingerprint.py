"""Who really made a device: MAC OUI, banners and certificate against the brand it claims.

The families and their markers are data (config/vendors.yaml via
scanner/vendors.py); this module only decides. A relabel is suspected when:
- the claimed maker belongs to a known family and at least one fingerprint
  points to a *different* family, or
- the claimed maker is not a known family at all and every fingerprint that
  points anywhere points to one and the same known family (a brand nobody
  knows, on hardware that says Dahua everywhere: the 한빛비전 case).
A fingerprint that names the claimed family, or nothing, is never evidence.
"""

from __future__ import annotations

import re

from .model import Fingerprints, SuspectedRelabel
from .vendors import VendorCatalog, VendorFamily

# Each evidence line reads "<label>: <what the device said> → <maker>", or for a string shape
# "<label>: <value> matches <maker>'s pattern". The report translates the labels (reports/messages.py).
EVIDENCE_LABELS = {
    "oui_vendor": "MAC OUI",
    "http_server": "HTTP Server header",
    "http_title": "web login page title",
    "rtsp_server": "RTSP Server header",
    "rtsp_realm": "RTSP authentication realm",
    "http_realm": "HTTP authentication realm",
    "tls_subject": "TLS certificate subject",
    "tls_issuer": "TLS certificate issuer",
    "firmware": "firmware string shape",
    "serial": "serial string shape",
}
SHAPE_MATCH = "{value} matches {maker}'s pattern"


# The CN of an RFC 4514 name as cryptography writes it ("CN=cam-01,O=Hanwha Vision"; a comma in a value is "\\,").
_CN = re.compile(r"(?:^|,)CN=((?:[^,\\]|\\.)*)")


def _without_own_name(name: str | None, own: tuple[str, ...]) -> str | None:
    """A certificate name without its CN where that CN is only the device's own name: its hostname (which the
    site set: a Hanwha camera that replaced a Dahua may still be called "dahua-gate") or its address. Such a
    CN says who the device is, never who made it; the rest of the name (O=…) still counts."""
    if not name or not own:
        return name
    match = _CN.search(name)
    if match is None:
        return name
    cn = match.group(1).replace("\\", "").strip().casefold()
    if not any(cn == n or cn.startswith(n + ".") for n in own):  # the hostname, or it as an FQDN's first label
        return name
    rest = (name[:match.start()] + name[match.end():]).strip(",")
    return rest or None


def _pointers(fingerprints: Fingerprints, catalog: VendorCatalog,
              own: tuple[str, ...] = ()) -> list[tuple[str, str, VendorFamily]]:
    """(label, value, family) for every fingerprint that points to a known family; `own` are the device's own
    names (hostname, address, casefolded), which a certificate's CN may carry and which point nowhere."""
    out = []
    oui_family = catalog.family_of_oui_org(fingerprints.oui_vendor)
    if oui_family:
        out.append((EVIDENCE_LABELS["oui_vendor"], fingerprints.oui_vendor or "", oui_family))
    for name in ("http_server", "http_title", "rtsp_server", "tls_subject", "tls_issuer"):
        value = getattr(fingerprints, name)
        family = catalog.family_of_banner(_without_own_name(value, own) if name.startswith("tls_") else value)
        if family:
            out.append((EVIDENCE_LABELS[name], value or "", family))
    for name in ("rtsp_realm", "http_realm"):
        value = getattr(fingerprints, name)
        family = catalog.family_of_realm(value)
        if family:
            out.append((EVIDENCE_LABELS[name], value or "", family))
    return out


def detect_relabel(
    claimed: str | None, fingerprints: Fingerprints, catalog: VendorCatalog,
    firmware: str | None = None, serial: str | None = None, names: tuple[str | None, ...] = (),
) -> SuspectedRelabel | None:
    """`names`: the device's own names (its hostname, its address), which a certificate CN may merely repeat."""
    if not claimed:
        return None
    claimed_family = catalog.family_of_name(claimed)
    own = tuple(n.strip().casefold() for n in names if n and n.strip())
    pointers = _pointers(fingerprints, catalog, own)
    foreign = [p for p in pointers if claimed_family is None or p[2].id != claimed_family.id]
    if not foreign:
        return None
    families = {p[2].id for p in foreign}
    if claimed_family is None and (len(families) != 1 or len(foreign) != len(pointers)):
        return None  # unknown brand, mixed signals: not enough to accuse anyone
    if claimed_family is None and catalog.shortens_a_name_of(claimed, foreign[0][2]):
        # "Samsung" on a Samsung Techwin camera is the maker's name cut short, not another brand. (It is
        # no alias of its own: a Samsung Electronics laptop is no Hanwha Vision product.)
        return None
    # The family most fingerprints point to is the likely maker.
    counts: dict[str, int] = {}
    for _, _, family in foreign:
        counts[family.id] = counts.get(family.id, 0) + 1
    likely = catalog.by_id(max(counts, key=lambda k: counts[k]))
    evidence = [f"{label}: {value} → {family.name}" for label, value, family in foreign]
    # String shapes are weaker evidence: added only to support a fingerprint, never alone.
    for name, value, patterns in (
        ("firmware", firmware, likely.firmware_patterns),
        ("serial", serial, likely.serial_patterns),
    ):
        if value and any(re.search(p, value) for p in patterns):
            evidence.append(f"{EVIDENCE_LABELS[name]}: {SHAPE_MATCH.format(value=value, maker=likely.name)}")
    return SuspectedRelabel(claimed=claimed, likely_maker=likely.name, evidence=tuple(evidence))
