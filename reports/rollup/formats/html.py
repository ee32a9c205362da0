"""The rollup as one self-contained HTML page (inline CSS, no script, printable on A4).

Site names, makers, models and evidence come from installers' bundles and devices: untrusted.
Jinja2 autoescape is on for everything, invisible bidi / zero-width characters show as [U+XXXX], and the
page forbids scripts, fetches, `<base>` and form submissions by CSP (the report's own policy).
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ...formats.table import breakable, reveal_invisible
from ...messages import messages as report_messages
from ..messages import messages
from ..model import Rollup

_TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
_env = Environment(
    loader=FileSystemLoader(_TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    finalize=reveal_invisible,  # a bidi override or zero-width character shows as [U+XXXX]
)
_env.filters["breakable"] = breakable  # long device strings wrap inside a table cell


def render(rollup: Rollup, out: BinaryIO, lang: str = "ko") -> None:
    template = _env.get_template("rollup.html.j2")
    # relabel evidence lines are the scanner's English; their labels read in the rollup's language, as in a report
    fingerprint_line = report_messages(lang).fingerprint_line
    out.write(template.render(r=rollup, t=messages(lang), lang=lang, fp=fingerprint_line).encode("utf-8"))
