"""Write one report in several formats: everything is rendered (and signed) in memory first; files
appear only when all of it succeeded, each by an atomic rename, so a failure never leaves a report
set half old and half new.

Names: OUT_DIR/report.<ext>, and OUT_DIR/report.json.sig when signed. Signing needs the JSON
document the signature is over, so `signing_key` adds "json" to the formats when it is missing.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path

from scanner.serialize import fsync_directory

from .formats import FORMATS
from .integrity import SIGNATURE_SUFFIX, sign
from .messages import LANGUAGES
from .model import Report, report_to_dict

BASENAME = "report"

__all__ = ["BASENAME", "render_report_set", "write_report_set"]


def render_report_set(
    report: Report, formats: Sequence[str], lang: str = "ko", signing_key: Path | None = None
) -> list[tuple[str, bytes]]:
    """(file name, content) of every requested format, plus the .sig when signing. Nothing touches disk."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown report format(s): {', '.join(unknown)} (choose from {', '.join(FORMATS)})")
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} is not one of {', '.join(LANGUAGES)}")
    wanted = list(dict.fromkeys(formats))
    if signing_key is not None and "json" not in wanted:
        wanted.append("json")
    rendered: list[tuple[str, bytes]] = []
    for name in wanted:
        fmt = FORMATS[name]
        buffer = BytesIO()
        fmt.render(report, buffer, lang)
        rendered.append((f"{BASENAME}{fmt.extension}", buffer.getvalue()))
    if signing_key is not None:
        json_name = f"{BASENAME}{FORMATS['json'].extension}"
        rendered.append((json_name + SIGNATURE_SUFFIX, sign(report_to_dict(report), signing_key)))
    return rendered


def _atomic_write(path: Path, data: bytes, before_replace: Path | None = None) -> None:
    """Write `path` by a rename; `before_replace`, when given, is deleted just before that rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        if before_replace is not None:
            before_replace.unlink(missing_ok=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_report_set(
    report: Report,
    out_dir: Path,
    formats: Sequence[str],
    lang: str = "ko",
    signing_key: Path | None = None,
) -> list[Path]:
    rendered = render_report_set(report, formats, lang, signing_key)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # The old signature goes just before the new report.json arrives, not after: a stale one beside a
    # new report.json reads "BAD SIGNATURE" (tampering) to whoever verifies, and a run stopped between
    # the two renames (a full disk, a kill) left exactly that. Stopped there now, the report is unsigned.
    stale = out_dir / f"{BASENAME}.json{SIGNATURE_SUFFIX}"
    written = []
    for name, data in rendered:
        path = out_dir / name
        _atomic_write(path, data, before_replace=stale if name == f"{BASENAME}.json" else None)
        written.append(path)
    fsync_directory(out_dir)  # the renames above, once for the set: a power cut must not take them back
    return written
