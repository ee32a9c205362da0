"""What a page's Content-Security-Policy stops beyond scripts and fetches, probed in the real browser.

`default-src 'none'` does not cover `<base>` or form submissions (they have no fallback to default-src):
markup that slipped past escaping could re-point every relative URL with a `<base href>` or post the
page's text to a form action. `base-uri 'none'` and `form-action 'none'` close both. The probe inserts
both elements from outside the page (Playwright's evaluate, which CSP does not govern, standing in for
injected markup) and reports what the browser let through. Every http(s) request is aborted by a route,
so nothing is sent even on loopback.
"""

from __future__ import annotations

import time

ELSEWHERE = "http://127.0.0.1:9/"


def probe(page) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """{"base_uri": the document's base URL after a <base href> was added, "form_posted": a form's
    submission to another origin was sent, "refused": the browser's CSP console messages}."""
    posted: list[str] = []
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    page.route("http*://**/*", lambda route: (posted.append(route.request.url), route.abort()))
    base_uri = page.evaluate(
        """(elsewhere) => {
            const base = document.createElement('base');
            base.href = elsewhere + 'assets/';
            document.head.prepend(base);
            const form = document.createElement('form');
            form.method = 'post';
            form.action = elsewhere + 'collect';
            const field = document.createElement('input');
            field.name = 'page';
            field.value = document.body.innerText.slice(0, 100);
            form.appendChild(field);
            document.body.appendChild(form);
            const uri = document.baseURI;
            form.submit();
            return uri;
        }""",
        ELSEWHERE,
    )
    deadline = time.monotonic() + 5
    while not posted and not any("form-action" in c for c in console) and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    return {"base_uri": base_uri, "form_posted": bool(posted), "refused": [c for c in console if "Content Security" in c]}
