"""The auditor's rollup over many sites: a model built from stored report JSON, and its renderers.

build_rollup(latest_reports, as_of=..., expiring_days=90) -> Rollup      (model.py)
FORMATS["html" | "xlsx" | "json"].render(rollup, out, lang)                (formats/)
write_rollup(rollup, out_dir, formats, lang) -> [Path]                       files appear only when rendered
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path

from scanner.serialize import fsync_directory

from .formats import FORMATS, Format
from .formats.json_doc import rollup_to_dict
from .model import Rollup, RollupWarning, SiteRow, build_rollup, latest_per_site, site_row

__all__ = [
    "FORMATS",
    "Format",
    "Rollup",
    "RollupWarning",
    "SiteRow",
    "build_rollup",
    "latest_per_site",
    "rollup_to_dict",
    "site_row",
    "write_rollup",
]


def write_rollup(rollup: Rollup, out_dir: Path, formats: Sequence[str], lang: str = "ko") -> list[Path]:
    """Render every format to memory first; only when all succeeded, write each file atomically."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown rollup format(s): {', '.join(unknown)} (choose from {', '.join(FORMATS)})")
    rendered: list[tuple[Path, bytes]] = []
    for name in formats:
        fmt = FORMATS[name]
        buffer = BytesIO()
        fmt.render(rollup, buffer, lang)
        rendered.append((Path(out_dir) / f"rollup{fmt.extension}", buffer.getvalue()))
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    written = []
    for path, data in rendered:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(path)
    fsync_directory(Path(out_dir))  # the renames: without it a power cut can leave an empty or missing file
    return written
