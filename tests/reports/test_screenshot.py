"""reports.screenshot: the helper the README screenshot comes from (own module: it starts its own Playwright)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reports.screenshot import CHROMIUM, screenshot_html
from reports.writer import write_report_set

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="!!! Debian chromium is not installed (make browser) !!!"),
]


def test_screenshot_helper_writes_a_png(shared_report, tmp_path):
    write_report_set(shared_report, tmp_path, ["html"], "ko")
    png = screenshot_html(tmp_path / "report.html", tmp_path / "shot.png")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
