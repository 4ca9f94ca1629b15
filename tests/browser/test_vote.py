"""A live vote in Chromium: the presenter opens it from the sidebar, a phone-sized page (390×844)
votes through its link, and the slide's tally shows it. Every wait is for a condition (an
element, a text), never for a time."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from calc import locale, store, voting
from calc.roles import Role
from tests.browser import streamlit_dom as dom
from tests.browser.conftest import BROWSER_TIMEOUT_MS, Server

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TALLY = ".st-key-vote_tally_slide_large"  # the tally on the vote slide (ui/vote_panel.py)
# Every wait is for a condition, bounded only to catch a page that hangs.
WAIT_MS = BROWSER_TIMEOUT_MS
FAILING_IMPACTS = {"serious", "critical"}  # as tests/browser/test_accessibility.py
MIN_TOUCH_PX = 44  # WCAG 2.5.5: a touch target of at least 44 × 44 CSS px


def axe_failures(tab: Page) -> list[str]:
    """Serious or critical WCAG violations axe-core finds on the page (nothing fetched)."""
    violations = Axe().run(tab, options={"resultTypes": ["violations"]}).response["violations"]
    return [
        f"{v['impact']}: {v['id']} {v['help']} — {v['nodes'][0]['html'][:160]}"
        for v in violations
        if v["impact"] in FAILING_IMPACTS
    ]


def open_vote_from_the_sidebar(page: Page, question: str, options: list[str]) -> str:
    """As a presenter does it: sidebar, the vote section, the new-vote form; returns the code."""
    dom.open_sidebar(page)
    sidebar = page.locator(dom.SIDEBAR)
    sidebar.get_by_text(dom.english("vote.panel.presenter"), exact=True).click()
    form = page.locator('[data-testid="stForm"]')
    form.get_by_role("textbox", name=dom.english("vote.question")).fill(question)
    form.get_by_role("textbox", name=dom.english("vote.options.text")).fill("\n".join(options))
    # Counts shown as they are: one phone is enough to see the tally move. Unticked with the
    # keyboard and seen unticked: a mouse click that blurs the field typed in can land where
    # the field's input hint has just moved, and be lost.
    privacy = form.get_by_role("checkbox", name=dom.english("vote.privacy", n="5"))
    privacy.focus()
    page.keyboard.press("Space")
    expect(privacy).not_to_be_checked(timeout=WAIT_MS)
    form.get_by_role("button", name=dom.english("vote.open_new")).click()
    opened = sidebar.locator(dom.ALERT).filter(has_text=re.compile(r"Code: [A-Z2-9]{6}"))
    expect(opened).to_be_visible(timeout=WAIT_MS)
    return opened.inner_text().strip().rsplit(" ", 1)[-1]


def test_a_phone_votes_and_the_slide_tally_shows_it(
    page: Page, browser: Browser, fresh_server: Server, screenshot_dir: Path
) -> None:
    # GIVEN the presenter on a projector-sized page opens a vote and shows its slide
    page.goto(fresh_server.url("presenter", lang="en"))
    dom.wait_until_drawn(page, "presenter")
    code = open_vote_from_the_sidebar(page, "What should we do first?", ["Bikes", "Video"])
    page.locator(dom.SIDEBAR).get_by_role("button", name=dom.english("vote.show_slide")).click()
    tally = page.locator(TALLY)
    expect(tally).to_contain_text(dom.english("vote.voters", n="0"), timeout=WAIT_MS)
    qr = page.locator(".st-key-vote_qr_slide img")
    expect(qr).to_be_visible(timeout=WAIT_MS)

    # WHEN a phone opens the link and taps the first option
    phone = browser.new_context(viewport=PHONE, locale="en-US", is_mobile=True, has_touch=True)
    phone.set_default_timeout(BROWSER_TIMEOUT_MS)
    try:
        mobile = phone.new_page()
        link = page.locator(".st-key-wb_slide code").inner_text()  # the short link shown
        assert link.endswith(f"/?vote={code}")
        mobile.goto(fresh_server.url("", vote=code, lang="en"))
        choose = mobile.locator(".st-key-vote_choose_0 button")
        expect(choose).to_have_text(dom.english("vote.phone.choose"), timeout=WAIT_MS)
        # The phone sees the vote and nothing else: no sidebar, no menu.
        expect(mobile.locator(dom.SIDEBAR)).to_have_count(0, timeout=WAIT_MS)
        expect(mobile.locator(dom.NAV)).to_have_count(0, timeout=WAIT_MS)
        box = choose.bounding_box()
        assert box is not None and box["height"] >= MIN_TOUCH_PX and box["width"] >= 300
        assert mobile.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        choose.tap()
        expect(choose).to_contain_text(dom.english("vote.phone.chosen"), timeout=WAIT_MS)

        # THEN the slide's tally shows one voter, all for Bikes, without a click on the slide
        expect(tally).to_contain_text(dom.english("vote.voters", n="1"), timeout=WAIT_MS)
        expect(tally).to_contain_text("Bikes — 1 · 100%", timeout=WAIT_MS)
        dom.screenshot(mobile, screenshot_dir / "vote-phone.png", full=False)

        # WHEN the phone reloads (the token stays) and changes its mind
        mobile.reload()
        expect(choose).to_contain_text(dom.english("vote.phone.chosen"), timeout=WAIT_MS)
        mobile.locator(".st-key-vote_choose_1 button").tap()
        # THEN still one voter, now for Video
        expect(tally).to_contain_text("Video — 1 · 100%", timeout=WAIT_MS)
        expect(tally).to_contain_text(dom.english("vote.voters", n="1"), timeout=WAIT_MS)
        dom.screenshot(page, screenshot_dir / "vote-slide.png", full=False)
        assert axe_failures(page) == []
    finally:
        phone.close()
    assert dom.exceptions(page) == []


def test_a_phone_link_is_the_first_page_a_fresh_server_serves(
    browser: Browser, fresh_server: Server, tmp_path: Path, screenshot_dir: Path
) -> None:
    # GIVEN a vote in the store of a server nobody has visited yet (it opens the store on its
    # first visit: until then the test may write to it)
    con = store.connect(tmp_path / "app.duckdb")  # the copy fresh_server serves (serve())
    options = [voting.Option("Fahrrad"), voting.Option("Video")]
    code = voting.create(con, voting.PRESENTER, "Was zuerst?", options, role=Role.EDITOR)
    con.close()
    # WHEN a German phone opens the vote's link first of all
    phone = browser.new_context(viewport=PHONE, locale="de-AT", is_mobile=True, has_touch=True)
    phone.set_default_timeout(BROWSER_TIMEOUT_MS)
    try:
        mobile = phone.new_page()
        mobile.goto(fresh_server.url("", vote=code, lang="de"))
        choose = mobile.locator(".st-key-vote_choose_1 button")
        # THEN it shows the vote in German, alone, and takes the vote
        expect(choose).to_have_text(locale.text("vote.phone.choose", "de"), timeout=WAIT_MS)
        expect(mobile.locator(dom.SIDEBAR)).to_have_count(0, timeout=WAIT_MS)
        choose.tap()
        expect(choose).to_contain_text(locale.text("vote.phone.chosen", "de"), timeout=WAIT_MS)
        # one voter: below 5 (data/privacy.csv, on by default) no count is shown
        fewer = locale.text("vote.fewer_than", "de", n="5")
        expect(mobile.locator(".st-key-vote_tally_phone")).to_contain_text(
            locale.text("vote.voters", "de", n=fewer), timeout=WAIT_MS
        )
        dom.screenshot(mobile, screenshot_dir / "vote-phone-de.png", full=False)
        assert dom.exceptions(mobile) == []
        assert axe_failures(mobile) == []
    finally:
        phone.close()
