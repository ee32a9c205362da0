"""The device table as CSV for agencies: UTF-8 with a BOM (Excel then reads Korean correctly),
headers in the report language, every text cell guarded against formula injection and its invisible
bidi / zero-width characters shown by code point (table.py).
The report's SHA-256 is the last column of every row, so a row copied elsewhere still names it."""

from __future__ import annotations

import csv
import io
from typing import BinaryIO

from ..messages import messages
from ..model import Report, report_to_dict
from .table import DEVICE_COLUMNS, device_cells, neutralize, reveal_invisible


def render(report: Report, out: BinaryIO, lang: str = "ko") -> None:
    t = messages(lang)
    sha256 = report_to_dict(report)["evidence_sha256"]
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([t(c) for c in DEVICE_COLUMNS])
    for device in report.devices:
        writer.writerow([neutralize(reveal_invisible(v)) for v in device_cells(t, report, device, sha256)])
    out.write(b"\xef\xbb\xbf" + text.getvalue().encode("utf-8"))
