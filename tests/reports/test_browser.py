"""The HTML report in real headless Chromium (Debian's /usr/bin/chromium via Playwright), inside
tools/isolated like every test: verdict and per-part table shown, hostile strings inert, no script runs,
nothing fetched, and the print stylesheet applies (A4, no PDF needed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reports.screenshot import CHROMIUM, CHROMIUM_ARGS
from reports.writer import write_report_set
from tests.csp_probe import probe

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists() or shutil.which("chromium") is None,
                       reason="!!! Debian chromium is not installed (make browser) !!!"),
]


@pytest.fixture(scope="module")
def report_files(tmp_path_factory, shared_report):
    out = tmp_path_factory.mktemp("html")
    write_report_set(shared_report, out / "ko", ["html"], "ko")
    write_report_set(shared_report, out / "en", ["html"], "en")
    return out


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_page(browser, path: Path):
    """A page with listeners for every way a script could show itself, and for every request."""
    page = browser.new_page()
    events = {"dialogs": [], "console": [], "requests": [], "errors": []}
    page.on("dialog", lambda d: (events["dialogs"].append(d.message), d.dismiss()))
    page.on("console", lambda m: events["console"].append(m.text))
    page.on("pageerror", lambda e: events["errors"].append(str(e)))
    page.on("request", lambda r: events["requests"].append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, events


@pytest.mark.parametrize(("lang", "verdict", "part"), [("ko", "목표 미달성", "① 카메라"), ("en", "Target not met", "① Camera")])
def test_verdict_and_parts_table_are_shown(browser, report_files, lang, verdict, part):
    page, events = open_page(browser, report_files / lang / "report.html")
    assert page.locator("#verdict .label").inner_text().strip() == verdict
    assert page.locator("#verdict").is_visible()
    rows = page.locator("table.parts tbody tr")
    assert rows.count() == 3
    assert rows.nth(0).locator("td").nth(0).inner_text() == part
    assert rows.nth(0).locator("td").nth(1).inner_text() == "8"
    # verdict first: it sits above the parts table on the page
    assert page.locator("#verdict").bounding_box()["y"] < page.locator("#parts").bounding_box()["y"]
    assert events["requests"] == [(report_files / lang / "report.html").as_uri()]
    page.close()


def test_hostile_device_strings_stay_text_and_no_script_runs(browser, report_files):
    page, events = open_page(browser, report_files / "ko" / "report.html")
    row = page.locator('tr[data-address="10.10.0.70"]')
    assert row.locator("td").nth(1).inner_text().startswith("<script>alert(1)</script>")
    assert row.locator("td").nth(2).inner_text() == '=HYPERLINK("http://x")'
    assert page.locator("script").count() == 0
    # even an injected script is refused by the page's Content-Security-Policy
    ran = page.evaluate("() => { try { const s = document.createElement('script'); s.textContent = \"window.__ran = 1\"; "
                        "document.body.appendChild(s); } catch (e) {} return window.__ran === 1; }")
    assert ran is False
    assert events["dialogs"] == [] and events["errors"] == []
    assert all("Content Security Policy" in c or "Content-Security-Policy" in c for c in events["console"]), events["console"]
    # nor may injected markup re-point relative URLs (<base>) or post the page elsewhere (<form>)
    probed = probe(page)
    assert probed["base_uri"] == (report_files / "ko" / "report.html").as_uri(), probed
    assert probed["form_posted"] is False and any("form-action" in c for c in probed["refused"]), probed
    page.close()


def test_print_stylesheet_applies(browser, report_files):
    page, _ = open_page(browser, report_files / "ko" / "report.html")
    screen_size = page.evaluate("() => getComputedStyle(document.querySelector('table.devices')).fontSize")
    page.emulate_media(media="print")
    print_size = page.evaluate("() => getComputedStyle(document.querySelector('table.devices')).fontSize")
    header_group = page.evaluate("() => getComputedStyle(document.querySelector('table.devices thead')).display")
    assert float(print_size.rstrip("px")) < float(screen_size.rstrip("px"))
    assert header_group == "table-header-group"  # the device table's header repeats on each A4 page
    assert page.locator("#verdict").is_visible()
    page.close()


def test_an_unread_device_shows_what_it_announced_beside_its_empty_model(browser, report_files):
    """10.10.0.63 failed its login: the model cell stays empty ("—") with the announced model under it."""
    page, _ = open_page(browser, report_files / "ko" / "report.html")
    cell = page.locator('tr[data-address="10.10.0.63"] td').nth(2)
    assert cell.inner_text().splitlines()[0] == "—"
    assert "XNO-6080R" in cell.locator(".announced").inner_text() and cell.locator(".announced").is_visible()
    assert page.locator('tr[data-address="10.10.0.11"] .announced').count() == 0  # read: nothing announced shown
    page.close()


def test_very_long_device_strings_wrap_inside_the_page(browser, tmp_path, shared_report):
    """A table cell is as wide as its longest unbreakable run: a 300-character model pushed the device
    table to ~5,400 px, off an A4 page in print and off the screen, and a long site name did the same to
    the header grid. Now the page is about as wide as the same report without those strings."""
    from dataclasses import replace

    long = replace(shared_report.devices[0], manufacturer="M" * 200, model="XNO-" + "6" * 300,
                   firmware="V" + "1" * 200, serial="S" * 150)
    report = replace(shared_report, site="가" * 40 + "S" * 300, devices=(long, *shared_report.devices[1:]))
    write_report_set(report, tmp_path / "long", ["html"], "ko")
    write_report_set(shared_report, tmp_path / "plain", ["html"], "ko")
    widths = {}
    for name in ("plain", "long"):
        for media, viewport in (("print", 700), ("screen", 1200)):  # 700 px: about an A4 page's printable width
            page = browser.new_page(viewport={"width": viewport, "height": 1000})
            page.goto((tmp_path / name / "report.html").as_uri())
            page.emulate_media(media=media)
            widths[name, media] = page.evaluate(
                "() => [document.documentElement.scrollWidth, document.querySelector('dl.meta').getBoundingClientRect().right]")
            if name == "long":
                cell = page.locator('tr[data-address="10.10.0.11"] td').nth(2).inner_text()
                assert cell.replace("\n", "") == "XNO-" + "6" * 300  # wrapped, nothing lost or added
            page.close()
    assert widths["long", "screen"][0] <= 1200 and widths["long", "screen"][1] <= 1200, widths
    assert widths["long", "print"][0] <= widths["plain", "print"][0] * 1.05, widths
    assert widths["long", "print"][1] <= 700, widths
