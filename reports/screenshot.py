"""A PNG of an HTML report in headless Chromium (for README's docs/report-screenshot.png and tests).

Uses Debian's /usr/bin/chromium through Playwright (never a downloaded browser) with every
background network feature off. Call it inside tools/isolated like every other browser run:
    tools/isolated .venv/bin/python -m reports.screenshot out/report/report.html docs/report-screenshot.png
"""

from __future__ import annotations

import sys
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "screenshot_html"]


def screenshot_html(html_path: Path, png_path: Path, *, width: int = 1200, full_page: bool = True) -> Path:
    from playwright.sync_api import sync_playwright

    html_path, png_path = Path(html_path).resolve(), Path(png_path)
    png_path.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900}, device_scale_factor=1)
            page.goto(html_path.as_uri())
            page.screenshot(path=str(png_path), full_page=full_page)
        finally:
            browser.close()
    return png_path


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m reports.screenshot REPORT.html OUT.png")
    print(screenshot_html(Path(sys.argv[1]), Path(sys.argv[2])))
