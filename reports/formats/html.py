"""The report as one self-contained HTML page (Jinja2, autoescaped), Korean by default.

- Every word comes from the message catalogs; the template holds markup and CSS only.
- Device strings are hostile: autoescape is on for the whole template, nothing is marked safe, and
  every printed value shows its invisible bidi / zero-width characters as [U+XXXX] (`finalize`).
- One file with inline CSS and no external reference; a Content-Security-Policy meta
  (`default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'`) forbids any
  script, image, fetch, `<base>` or form submission, so even a string that slipped through escaping
  could not run or call home.
- Printable on A4 (@page, @media print): verdict first, then parts, findings, devices, method.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ..assessment import KST
from ..messages import messages
from ..model import Report, report_to_dict
from .table import announced_text, breakable, counted_text, reveal_invisible, shown_share, yes_no

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def local_time(moment: datetime) -> str:
    """Agencies read Korean time; the JSON keeps the exact UTC instants."""
    return moment.astimezone(KST).strftime("%Y-%m-%d %H:%M:%S (UTC+09:00)")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,  # a misspelt variable fails the render instead of printing nothing
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=reveal_invisible,  # a bidi override or zero-width character shows as [U+XXXX]
    )
    env.filters["breakable"] = breakable  # long device strings wrap inside a table cell (table.breakable)
    return env


def context(report: Report, lang: str) -> dict[str, Any]:
    t = messages(lang)
    p = report.policy
    return {
        "t": t,
        "lang": lang,
        "report": report,
        "sha256": report_to_dict(report)["evidence_sha256"],
        "policy_title": p.title.get(lang, p.id),
        "product": p.product_name.get(lang, ""),
        "part_name": lambda part: (p.part_names.get(part, {}).get(lang) or t.label("part", part)) if part else t("part_none"),
        "verdict_reason": t(
            f"verdict_reason_{report.verdict_reason}",
            as_read=report.localized_parts,
            parts=len(report.parts),
            required=p.min_localized_parts,
            best=report.best_case_localized,
            worst=report.worst_case_localized,
        ),
        "coverage_rule": (
            t("method_all_devices") if p.coverage_mode == "all"
            else t("method_min_share", share=f"{p.min_share * 100:.4g}%")  # 0.675 is 67.5 %, not "68%"
        ),
        "counted": lambda d: counted_text(t, d),
        "announced": lambda d: announced_text(t, d),
        "yes_no": lambda v: yes_no(t, v),
        "percent": lambda part: f"{shown_share(part.covered, part.devices, 0):.0%}",
        "when": local_time,
        "severity_counts": report.finding_counts(),
        "device_at": {d.address: d for d in report.devices}.get,
    }


def render_text(report: Report, lang: str = "ko") -> str:
    return _environment().get_template("report.html.j2").render(**context(report, lang))


def render(report: Report, out: BinaryIO, lang: str = "ko") -> None:
    out.write(render_text(report, lang).encode("utf-8"))
