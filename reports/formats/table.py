"""The device table shared by the CSV and XLSX renderers, and the cell guard against formula injection.

Device strings are hostile input (DESIGN §7). A spreadsheet treats a cell that starts with
`= + - @` (or a tab / carriage return, which some importers strip before looking; also after leading
white space, and in their full-width forms ＝ ＋ － ＠) as a formula:
`=HYPERLINK("http://x")` from a camera's model string would become a live link. In CSV, which has no
cell types, every text cell is prefixed with `'` when it starts with one of those, which makes Excel and
LibreOffice show it as text (`neutralize`). XLSX has cell types: xlsx.py stores such text unchanged as a
string cell with the quotePrefix style instead.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from markupsafe import Markup

from ..messages import Messages
from ..model import CertificateRow, DeviceRow, Report

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_LEADING_BREAKS = ("\t", "\r", "\n")

DEVICE_COLUMNS = (
    "col_address", "col_mac", "col_manufacturer", "col_model", "col_firmware", "col_serial", "col_role",
    "col_part", "col_device_status", "col_match_level", "col_certificate_type", "col_certificate_no",
    "col_valid_from", "col_valid_to", "col_valid_at_scan", "col_counted", "col_other_certificates",
    "col_relabel", "col_announced", "col_fingerprints", "col_evidence_sha256",
)


def reveal_invisible(value: Any) -> Any:
    """Text with its invisible format characters shown as `[U+XXXX]`; other values pass unchanged.

    Unicode format characters (category Cf) draw nothing but change what is drawn: a bidi override
    (U+202E) shows "\u202eR0806-ONX" as "XNO-6080R", a zero-width space (U+200B) makes "XNO-6080R\u200b"
    look like the certified model the registry did not match, a left-to-right mark hides in a serial;
    a Hangul filler (U+3164, a letter) draws as a space.
    In a report that is evidence, what a reader sees must be what the device sent: the HTML, CSV and
    XLSX renderers show each such character by its code point. report.json keeps the text verbatim.
    """
    if not isinstance(value, str) or isinstance(value, Markup):  # Markup: breakable() revealed them already
        return value
    if value.isprintable() and not _HANGUL_FILLERS.search(value):  # no Cf character is printable: the usual case
        return value
    if not any(_invisible(c) for c in value):
        return value
    return "".join(f"[U+{ord(c):04X}]" if _invisible(c) else c for c in value)


# Hangul fillers are letters (Lo) that draw as blank space: "Hanwha\u3164Vision" reads "Hanwha Vision".
_HANGUL_FILLERS = re.compile("[\u115f\u1160\u3164\uffa0]")


def _invisible(c: str) -> bool:
    return unicodedata.category(c) == "Cf" or _HANGUL_FILLERS.match(c) is not None


_LONG_RUN = re.compile(r"\S{31,}")
_CHUNK = 8  # about a short serial: a chunked cell is no wider than the usual ones


def breakable(value: Any) -> Markup:
    """Text for an HTML table cell, escaped, with a line-break chance (<wbr>) every 8 characters of any
    run of more than 30 without a space. A table cell is at least as wide as its longest unbreakable
    run: a 300-character model made the device table ~5,400 px wide, off the A4 page. CSS cannot fix
    that without breaking every short value too (`overflow-wrap: anywhere` gave "SN00|0011", "1.0|.0");
    <wbr> adds nothing to the text a reader copies, and strings of 30 or fewer are left as they were."""
    text = reveal_invisible(value if isinstance(value, str) else str(value))
    pieces: list[Any] = []
    last = 0
    for run in _LONG_RUN.finditer(text):
        pieces.append(text[last:run.start()])
        word = run.group()
        pieces.append(Markup("<wbr>").join(word[i:i + _CHUNK] for i in range(0, len(word), _CHUNK)))
        last = run.end()
    pieces.append(text[last:])
    return Markup("").join(pieces)


def looks_like_formula(value: str) -> bool:
    """Whether a spreadsheet may read the text as a formula: it starts with `= + - @` (or a tab, CR or
    LF), also after leading white space (LibreOffice's CSV import trims it when asked, and " =1+1" is
    then a formula) and in the full-width forms East Asian input gives (＝ ＋ － ＠: NFKC folds them to
    the ASCII ones, and so do spreadsheets that take them as operators)."""
    if value.startswith(_LEADING_BREAKS):
        return True
    head = value.lstrip()[:1]
    return bool(head) and unicodedata.normalize("NFKC", head)[:1] in FORMULA_TRIGGERS


def neutralize(value: Any) -> Any:
    """A text cell made inert for spreadsheets; other values pass unchanged."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def shown_share(covered: int, devices: int, decimals: int) -> float:
    """A part's share as shown with `decimals` decimals of a percent: never 100 % while a device is
    uncovered, never 0 % while one is covered (199 of 200 cameras read "100%" beside "partly covered")."""
    if not devices:
        return 0.0
    share = covered / devices
    if 0 < covered < devices:
        step = 10 ** -(decimals + 2)  # the smallest step shown: 0.01 for "0%", 0.001 for "0.0%"
        share = min(max(share, step), 1 - step)
    return share


def yes_no(t: Messages, value: bool | None) -> str:
    return t("word_none") if value is None else t("word_yes") if value else t("word_no")


def _certificate_text(t: Messages, c: CertificateRow) -> str:
    return f"{t.label('certificate', c.certificate_type)} {c.certificate_no} ({t.label('validity', c.validity)})"


def counted_text(t: Messages, d: DeviceRow) -> str:
    if d.covered:
        return t("word_yes")
    if d.not_counted_reason:
        return t.label("not_counted", d.not_counted_reason)
    return t("word_no")


def announced_text(t: Messages, d: DeviceRow) -> str:
    """What an unread device announced, short enough for a table cell: maker / hardware / name, each once.

    The finding's evidence line (`evidence_announced`) names each field; here the column says what it is.
    """
    if d.announced is None:
        return ""
    values: list[str] = []
    for value in (d.announced.manufacturer, d.announced.hardware, d.announced.name):
        if value and value not in values:
            values.append(value)
    return t("cell_announced", values=" / ".join(values))


def device_cells(t: Messages, report: Report, d: DeviceRow, sha256: str) -> list[Any]:
    m = d.match
    relabel = (
        f"{d.suspected_relabel.claimed} → {d.suspected_relabel.likely_maker}: "
        + "; ".join(t.fingerprint_line(line) for line in d.suspected_relabel.evidence)
        if d.suspected_relabel
        else ""
    )
    part_name = report.policy.part_names.get(d.part, {}).get(t.lang) if d.part else None
    return [
        d.address if d.port in (80, 0) else f"{d.address}:{d.port}",
        d.mac or "",
        d.manufacturer or "",
        d.model or "",
        d.firmware or "",
        d.serial or "",
        t.label("role", d.role),
        part_name or t.label("part", d.part) if d.part else t("part_none"),
        t.label("status", d.status),
        t.label("level", m.level) if m else t("level_none"),
        t.label("certificate", m.certificate_type) if m else "",
        m.certificate_no if m else "",
        m.valid_from.isoformat() if m and m.valid_from else "",
        m.valid_to.isoformat() if m and m.valid_to else "",
        yes_no(t, m.valid_at_scan) if m else "",
        counted_text(t, d),
        "; ".join(_certificate_text(t, c) for c in d.other_certificates),
        relabel,
        announced_text(t, d),
        "; ".join(f"{k}: {v}" for k, v in sorted(d.fingerprints.items())),
        sha256,
    ]
