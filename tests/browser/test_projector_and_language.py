"""The presenter on four projector sizes, and a German journey, in Chromium.

Every wait is for a condition on the page (a slide number, a chart drawn at the size of its
box, a table cell, a tooltip), never for a quiet period; no test asserts a wall-clock limit.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from calc import locale, model, store
from calc.factors import FactorSet
from tests.browser import streamlit_dom as dom
from tests.browser.conftest import BROWSER_TIMEOUT_MS, Server

pytestmark = pytest.mark.browser

PROJECTORS = [(1280, 720), (1440, 900), (1920, 1080), (3840, 2160)]
SLIDE_PICKER = ".st-key-slide"
SLIDE_BUTTONS = f"{SLIDE_PICKER} [role='radio']"
# German numbers: groups of three after a point, a decimal comma; a true minus.
GERMAN_DECIMAL = re.compile(r"^\u2212?\d{1,3}(\.\d{3})*,\d+$")
GERMAN_WHOLE = re.compile(r"^\u2212?\d{1,3}(\.\d{3})*$")
ENGLISH_DECIMAL = re.compile(r"\d\.\d{1,2}(?!\d)")

# The slide is drawn: its run is over, the slide picker shows it, every chart is drawn at the
# height of its box (charts stretch to it after they arrive), the QR image is loaded and the
# fonts are in.
_SLIDE_DRAWN_JS = """
(slide) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.dataset.testScriptState !== 'notRunning') return false;
  if (document.querySelector('[data-stale="true"]')) return false;
  const chosen = document.querySelector('.st-key-slide [aria-checked="true"]');
  if (!chosen || chosen.innerText.trim() !== String(slide)) return false;
  const area = document.querySelector('.st-key-wb_slide');
  if (!area || !area.querySelector('h1')) return false;
  for (const box of area.querySelectorAll('[class*="st-key-wb_chart_"]')) {
    const svg = box.querySelector('svg.marks');
    if (!svg) return false;
    const drawn = svg.getBoundingClientRect().height;
    if (Math.abs(drawn - box.getBoundingClientRect().height) > 2) return false;
  }
  const qr = area.querySelector('.st-key-wb_qr img');
  if (qr && !(qr.complete && qr.naturalWidth > 0)) return false;
  return document.fonts.status === 'loaded';
}
"""
# Everything of the slide and its buttons that leaves the window, and big numbers whose text
# is wider than their box or sticks out of it.
_OUT_OF_VIEW_JS = """
() => {
  const width = window.innerWidth, height = window.innerHeight, found = [];
  for (const selector of ['.st-key-wb_slide', '.st-key-wb_nav']) {
    const root = document.querySelector(selector);
    for (const element of [root, ...root.querySelectorAll('*')]) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (box.left < -1 || box.top < -1 || box.right > width + 1 || box.bottom > height + 1) {
        const name = element.getAttribute('data-testid') || element.tagName.toLowerCase();
        const where = `${box.left|0},${box.top|0} to ${box.right|0},${box.bottom|0}`;
        found.push(`${selector} ${name}: ${where}`);
      }
    }
  }
  for (const big of document.querySelectorAll('.st-key-wb_slide .wb-big')) {
    const box = big.getBoundingClientRect();
    const range = document.createRange();
    range.selectNodeContents(big);
    const text = range.getBoundingClientRect();
    if (big.scrollWidth > big.clientWidth + 1 || text.left < box.left - 1
        || text.right > box.right + 1 || text.top < box.top - 1 || text.bottom > box.bottom + 1) {
      found.push(`big number cut: "${big.innerText}" (text ${text.left|0} to ${text.right|0}, `
        + `box ${box.left|0} to ${box.right|0})`);
    }
  }
  const main = document.querySelector('[data-testid="stMain"]');
  if (main.scrollHeight > main.clientHeight + 1) {
    found.push(`the page scrolls: ${main.scrollHeight} px of content in ${main.clientHeight}`);
  }
  return found;
}
"""


def wait_for_slide(page: Page, slide: int) -> None:
    page.wait_for_function(_SLIDE_DRAWN_JS, arg=slide, polling="raf")


@pytest.mark.parametrize(("width", "height"), PROJECTORS, ids=[f"{w}x{h}" for w, h in PROJECTORS])
def test_every_slide_fits_the_projector(
    browser: Browser, warm_server: Server, screenshot_dir: Path, width: int, height: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(warm_server.url("presenter", lang="en"))
        wait_for_slide(page, 1)
        slides = page.locator(SLIDE_BUTTONS).count()
        assert slides >= 8  # seven slides of figures and the closing slide
        problems: dict[int, list[str]] = {}
        for slide in range(1, slides + 1):
            wait_for_slide(page, slide)  # (slide 1: drawn already)
            page.screenshot(path=str(screenshot_dir / f"projector-{width}x{height}-{slide}.png"))
            problems[slide] = page.evaluate(_OUT_OF_VIEW_JS)
            page.keyboard.press("ArrowRight")
        wait_for_slide(page, 1)  # round the deck once
    finally:
        context.close()
    assert {slide: found for slide, found in problems.items() if found} == {}


def test_the_closing_slide_carries_a_qr_code_of_this_deck(
    browser: Browser, warm_server: Server, demo_db: Path
) -> None:
    years = demo_years(demo_db)
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="en-US")
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(warm_server.url("presenter", lang="nl", offices="KLU"))
        wait_for_slide(page, 1)
        last = page.locator(SLIDE_BUTTONS).count()
        page.keyboard.press("ArrowLeft")  # from the first slide back to the last
        wait_for_slide(page, last)
        link = page.locator(".st-key-wb_slide").get_by_text("/presenter?").inner_text().strip()
        image = page.locator(".st-key-wb_qr img")
        assert image.evaluate("(img) => img.naturalWidth > 0")
    finally:
        context.close()
    assert link.startswith(warm_server.base_url + "/presenter?")
    assert dict(re.findall(r"(\w+)=([^&]+)", link.split("?", 1)[1])) == {
        "lang": "nl",
        "ref": str(years[0]),
        "cur": str(years[-1]),
        "offices": "KLU",
    }


def demo_years(demo_db: Path) -> list[int]:
    con = store.connect(demo_db)
    try:
        return list(model.load_cube(con, FactorSet.load("default")).years)
    finally:
        con.close()


def test_a_german_manager_reads_german_numbers(
    browser: Browser, warm_server: Server, screenshot_dir: Path
) -> None:
    """Chosen by the URL in an English browser: the table and a chart tooltip write numbers as
    German does, and the URL keeps the language's id."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-US")
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(warm_server.url("offices", lang="de"))
        title = locale.text("offices.title", "de")
        page.locator(dom.MAIN).locator("h1").filter(has_text=title).wait_for()
        # The offices table: the visible grid with a "t CO2e" column (charts keep their own
        # tables in closed expanders).
        table = (
            page.locator('[data-testid="stDataFrame"]')
            .filter(visible=True)
            .filter(has=page.locator("th", has_text="t CO2e"))
            .first
        )
        # The grid draws on a canvas; its cells are also in a table for screen readers.
        table.locator("td").first.wait_for(state="attached")
        headers = [h.strip() for h in table.locator("th").all_text_contents()]
        rows = [
            [cell.strip() for cell in row.locator("td").all_text_contents()]
            for row in table.locator("tr").all()
        ]
        rows = [row for row in rows if len(row) == len(headers)]
        tonnes = [row[headers.index("t CO2e")] for row in rows]
        contacts = [row[headers.index(locale.text("offices.col.contacts", "de"))] for row in rows]

        # The first bar chart: emissions per office, stacked by channel (its bars are rects).
        bars = "svg.marks g.mark-rect path"
        chart = page.locator('[data-testid="stVegaLiteChart"]').filter(has=page.locator(bars))
        chart.first.locator(bars).first.hover()
        tooltip = page.locator("#vg-tooltip-element.visible")
        tooltip.wait_for()
        tip = tooltip.inner_text()
        page.screenshot(path=str(screenshot_dir / "german-offices-tooltip.png"))
        url_lang = dom.query(page).get("lang")
    finally:
        context.close()

    assert rows, "the table shows no rows"
    assert all(GERMAN_DECIMAL.match(value) for value in tonnes), tonnes
    assert all(GERMAN_WHOLE.match(value) for value in contacts), contacts
    assert any("." in value for value in contacts)  # a contact count of 1.000 or more
    tip_numbers = re.findall(r"[\d.,\u2212]*\d", tip)
    assert "t CO2e" in tip
    assert any(GERMAN_DECIMAL.match(n) for n in tip_numbers), tip
    assert not ENGLISH_DECIMAL.search(tip), tip
    assert url_lang == "de"
