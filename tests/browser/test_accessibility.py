"""WCAG 2.1 AA as axe-core sees it: every page in every language, on one shared server.

axe-core comes inside the axe-playwright-python wheel (axe.min.js, pinned in
requirements-dev.txt) and is injected into the page from that file: nothing is fetched while the
test runs. A violation of impact serious or critical fails the test; moderate and minor ones are
printed, so that they can be fixed where possible.

Every wait is for a condition on the page (the run is over, the page's heading and its charts
are drawn), never for a quiet period.
"""

from __future__ import annotations

from collections import Counter

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from tests.browser import streamlit_dom as dom
from tests.browser.conftest import BROWSER_TIMEOUT_MS, VIEWPORT, Server

pytestmark = pytest.mark.browser

PAGES = ["overview", "offices", "staff", "scenarios", "presenter", "workshop", "data", "method"]
LANGUAGES = ["en", "de", "nl"]
FAILING_IMPACTS = {"serious", "critical"}
# Every rule of axe-core: WCAG 2.0/2.1 A and AA (what the Web Accessibility Directive, through
# EN 301 549, asks for) and its best practices (heading order, landmarks, empty table headers).
AXE_OPTIONS = {"resultTypes": ["violations"]}


def violations(tab, where: str) -> tuple[Counter[str], list[str]]:
    """axe-core on what the tab shows: the count of violations by impact, and the serious or
    critical ones in words (every violation is printed, with its first element)."""
    found = Axe().run(tab, options=AXE_OPTIONS).response["violations"]
    failures = []
    for violation in found:
        first = violation["nodes"][0]
        line = (
            f"{where} {violation['impact']}: {violation['id']} "
            f"({len(violation['nodes'])}×) {violation['help']} — first: "
            f"{', '.join(first['target'])} {first['html'][:160]}"
        )
        print(line)
        if violation["impact"] in FAILING_IMPACTS:
            failures.append(line)
    return Counter(violation["impact"] for violation in found), failures


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_passes_axe(warm_server: Server, browser: Browser, lang: str) -> None:
    # GIVEN the app on the demo data, one tab in the language's own browser locale
    context = browser.new_context(viewport=VIEWPORT, locale=lang)
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    failures: list[str] = []
    counts: dict[str, Counter[str]] = {}
    try:
        tab = context.new_page()
        for slug in PAGES:
            # WHEN each page is opened and drawn, and axe-core checks it
            tab.goto(warm_server.url(dom.path_of(slug).lstrip("/"), lang=lang))
            dom.wait_until_drawn(tab, slug, lang)
            assert not dom.exceptions(tab), f"{slug} ({lang}) raised"
            counts[slug], serious = violations(tab, f"{slug} ({lang})")
            failures += serious
    finally:
        context.close()
    for slug, counted in counts.items():
        print(f"axe {lang} {slug}: {dict(counted) or 'no violations'}")
    # THEN no page has a serious or critical violation
    assert not failures, "\n".join(failures)
