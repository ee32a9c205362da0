"""The rollup HTML in headless Chromium (Debian's): it shows the figures and runs no script."""

from __future__ import annotations

import shutil

import pytest

from reports.rollup import build_rollup, write_rollup
from tests.auditor.reportgen import AS_OF, site_report
from tests.csp_probe import ELSEWHERE, probe

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def test_rollup_page_shows_the_figures_and_runs_no_script(tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian chromium not installed (make browser)")
    docs = [site_report(i) for i in range(6)]
    docs[1]["site"] = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    [html] = write_rollup(build_rollup(docs, as_of=AS_OF), tmp_path, ["html"], "en")

    dialogs, errors, requests = [], [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(html.as_uri())
        summary = page.inner_text("#summary")
        sites_text = page.inner_text("#sites")
        requested = list(requests)
        # The CSP lacked base-uri and form-action (default-src covers neither): markup slipped past the
        # escaping could re-point relative URLs with <base> or post the page to another origin.
        probed = probe(page)
        browser.close()
    assert summary == "Sites meeting the target: 2 / 6"
    assert "<script>alert(2)</script>" in sites_text  # shown as text, not run
    assert dialogs == [] and errors == []
    assert [u for u in requested if not u.startswith("file://")] == []
    assert probed["base_uri"] == html.as_uri() and not probed["base_uri"].startswith(ELSEWHERE), probed
    assert probed["form_posted"] is False and any("form-action" in c for c in probed["refused"]), probed


def test_very_long_device_strings_wrap_inside_the_page(tmp_path):
    """Rollup cells had no wrap rule: a 300-character model (a device answers up to 1 MB) in the
    models and relabels tables widened the page far beyond an A4 sheet."""
    playwright = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian chromium not installed (make browser)")
    docs = [site_report(i) for i in range(6)]
    for device in docs[5]["devices"]:
        device["model"] = "XNO-" + "6" * 300
        if device["suspected_relabel"]:
            device["suspected_relabel"]["evidence"] = ["HTTP Server: " + "D" * 300]
    [html] = write_rollup(build_rollup(docs, as_of=AS_OF), tmp_path, ["html"], "ko")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                    "--disable-background-networking", "--disable-component-update",
                                    "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 700, "height": 1000})
        page.goto(html.as_uri())
        page.emulate_media(media="print")
        widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        models = page.inner_text("#models")
        browser.close()
    assert "6" * 300 in models.replace("\n", "")
    assert widths[0] <= widths[1], widths
