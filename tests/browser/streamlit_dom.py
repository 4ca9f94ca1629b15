"""What a person sees in the running app, as Playwright handles, and the app's English texts.

Handles are Streamlit's own test ids (stable across its releases) and the texts of the
catalogues in calc/locales/, never CSS classes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from playwright.sync_api import Locator, Page

from ui.i18n import FALLBACK, LOCALES_DIR, catalogue

MAIN = '[data-testid="stMain"]'
SIDEBAR = '[data-testid="stSidebar"]'
EXCEPTION = '[data-testid="stException"]'
ALERT = '[data-testid="stAlert"]'
METRIC = '[data-testid="stMetric"]'
METRIC_LABEL = '[data-testid="stMetricLabel"]'
METRIC_VALUE = '[data-testid="stMetricValue"]'
NAV = '[data-testid="stSidebarNav"]'
NAV_LINK = '[data-testid="stSidebarNavLink"]'
EXPAND_SIDEBAR = '[data-testid="stExpandSidebarButton"]'
SLIDER = '[data-testid="stSlider"]'
HEADER = '[data-testid="stHeader"]'
# The tallest screenshot taken of a scrolling page: longer pages are cut there.
MAX_SCREENSHOT_HEIGHT_PX = 12_000

# The run is over and its drawing done: nothing is left over from the previous run or page
# (stale), no element still waits for its code (Streamlit's skeleton), every chart is drawn
# (Vega draws after its element arrives).
_RUN_DRAWN_JS = """
  document.querySelector('[data-testid="stApp"]')?.dataset.testScriptState === 'notRunning'
    && document.querySelector('[data-stale="true"]') === null
    && document.querySelector('[data-testid="stSkeleton"]') === null
    && [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
      .every((chart) => chart.querySelector('svg, canvas') !== null)
"""
# A page is drawn: on its path, its own marker is there (an element containing a text: the
# page's heading, which no other page has), and its run is over and drawn.
_PAGE_DRAWN_JS = f"""
([path, css, text]) => location.pathname === path
  && [...document.querySelectorAll(css)].some((element) => element.innerText.includes(text))
  && {_RUN_DRAWN_JS}
"""
# The text of everything css finds, to tell that an action's run has drawn something new.
_TEXT_OF = "[...document.querySelectorAll(css)].map((e) => e.innerText).join('\\n')"
_TEXT_OF_JS = f"(css) => {_TEXT_OF}"
# An action's run is over: what it changes reads differently, and the run is over and drawn.
# (A changed text is the evidence that the action's run has come: Streamlit's own run state
# can go from "not running" to "not running" with nothing in between when a run is quick.)
_REDRAWN_JS = f"""
([path, css, before]) => location.pathname === path
  && {_TEXT_OF} !== before
  && {_RUN_DRAWN_JS}
"""
_RUN_OVER_JS = f"(path) => location.pathname === path && {_RUN_DRAWN_JS}"
_TWO_FRAMES_JS = """
() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))
"""
PAGE_HEADING = f"{MAIN} h1"
SLIDE_AREA = ".st-key-wb_slide"  # the presenter's slide: that page has no heading of its own
# Streamlit's main area scrolls inside the window, so a "full page" screenshot of the window
# shows one screen only: the height the content needs is read from the scrolling elements.
_CONTENT_HEIGHT_JS = """
() => Math.max(...['stMain', 'stAppViewContainer', 'stSidebarContent'].map(
  (id) => document.querySelector(`[data-testid="${id}"]`)?.scrollHeight ?? 0))
"""


def english(key: str, **values: object) -> str:
    """The English text the app shows for key (a KeyError names a key no catalogue has)."""
    text = catalogue()[key][FALLBACK]
    return text.format(**values) if values else text


def path_of(slug: str) -> str:
    """The URL path of a page: the default page is served at the root."""
    return "/" if slug == "overview" else f"/{slug}"


def wait_until_drawn(page: Page, slug: str, lang: str = FALLBACK) -> None:
    """Wait until the page slug is drawn in language lang: its path, its heading, its run over."""
    if slug == "presenter":
        marker = [SLIDE_AREA, ""]
    else:
        marker = [PAGE_HEADING, catalogue()[f"{slug}.title"][lang]]
    page.wait_for_function(_PAGE_DRAWN_JS, arg=[path_of(slug), *marker], polling="raf")


@contextmanager
def redrawn(page: Page, slug: str, css: str = MAIN) -> Iterator[None]:
    """Around an action on page slug (a key, a click, a choice): wait until the text of what
    css finds has changed and the run is over and drawn. css: what the action changes (the
    main area, a slide, the messages)."""
    before = page.evaluate(_TEXT_OF_JS, css)
    yield
    page.wait_for_function(_REDRAWN_JS, arg=[path_of(slug), css, before], polling="raf")


def wait_until_run_over(page: Page, slug: str) -> None:
    """Wait until the run on page slug is over and drawn (once what started it has shown)."""
    page.wait_for_function(_RUN_OVER_JS, arg=path_of(slug), polling="raf")


def query(page: Page) -> dict[str, str]:
    """The URL's query parameters (the last value of a repeated one)."""
    return dict(parse_qsl(urlsplit(page.url).query))


def wait_until_query(page: Page, **expected: object) -> None:
    """Wait until the URL carries the expected parameters (a widget bound to the URL)."""
    page.wait_for_function(
        """(expected) => {
          const params = new URLSearchParams(location.search);
          return Object.entries(expected).every(([name, value]) => params.get(name) === value);
        }""",
        arg={name: str(value) for name, value in expected.items()},
    )


def shown_tonnes(text: str) -> float:
    """An English figure ("1,234.5 t", "−619.8 t", "+3.0 t") back to a number of tonnes."""
    return float(text.strip().removesuffix(" t").replace(",", "").replace("\u2212", "-"))


def metric_locator(page: Page, label: str) -> Locator:
    """The value of the metric whose label reads exactly label."""
    metric = page.locator(METRIC).filter(
        has=page.locator(METRIC_LABEL).get_by_text(label, exact=True)
    )
    return metric.locator(METRIC_VALUE)


def metric_value(page: Page, label: str) -> str:
    return metric_locator(page, label).inner_text().strip()


def wait_until_changed(page: Page, element: Locator, before: str) -> None:
    """Wait until element no longer reads before (checked on every animation frame)."""
    page.wait_for_function(
        "([element, before]) => element.innerText.trim() !== before",
        arg=[element.element_handle(), before],
    )


def slider(page: Page, label: str) -> Locator:
    """The handle of the slider whose label reads label: it takes focus and arrow keys.

    Streamlit draws it as an <input type="range">, a slider by its implicit role, which a CSS
    selector such as [role="slider"] does not find.
    """
    return page.locator(SLIDER).filter(has_text=label).get_by_role("slider")


def nav_link(page: Page, label: str) -> Locator:
    # The icon is hidden from assistive technology, so the link's name is its label alone.
    return page.locator(NAV).get_by_role("link", name=label, exact=True)


def choose(page: Page, key: str, option: str) -> None:
    """Pick option in the selectbox with widget key, as a person does: open it, click."""
    page.locator(f".st-key-{key}").get_by_role("combobox").click()
    page.get_by_role("listbox").get_by_role("option", name=option, exact=True).click()


def chart_labels(page: Page) -> list[str]:
    """The text alternatives (alt) of the charts in the main area, in page order."""
    charts = page.locator(MAIN).locator('[data-testid="stVegaLiteChart"]')
    return [chart.get_attribute("aria-label") or "" for chart in charts.all()]


def nav_labels(page: Page) -> list[str]:
    """The entries of the navigation as they read (the last line: after the icon's name)."""
    return [link.inner_text().splitlines()[-1] for link in page.locator(NAV_LINK).all()]


def open_sidebar(page: Page) -> None:
    """Expand the sidebar if a page (the presenter) started it collapsed."""
    if page.locator(SIDEBAR).get_attribute("data-collapsed") == "true":
        page.locator(HEADER).hover()  # the expand button shows on hover
        page.locator(EXPAND_SIDEBAR).click()
        page.wait_for_function(
            "() => document.querySelector('[data-testid=\"stSidebar\"]')"
            "?.dataset.collapsed === 'false'"
        )


def exceptions(page: Page) -> list[str]:
    return page.locator(EXCEPTION).all_inner_texts()


def raw_keys(text: str) -> list[str]:
    """Catalogue keys shown as they are: t() falls back to the key when a text is missing."""
    areas = {path.stem for path in LOCALES_DIR.glob("*.csv")} | {
        key.split(".")[0] for key in catalogue()
    }
    pattern = rf"(?<![\w./@-])(?:{'|'.join(sorted(areas))})(?:\.[a-z][a-z0-9_]*)+(?![\w/@-])"
    # Not keys: file names (data.csv) and web addresses in factor sources.
    suffixes = {"csv", "xlsx", "json", "duckdb", "html", "pdf", "zip", "py", "at", "de", "eu"}
    return [match for match in re.findall(pattern, text) if match.rsplit(".", 1)[1] not in suffixes]


def screenshot(page: Page, path: Path, full: bool = True) -> Path:
    """Save what the page shows; full: all of its content, not just one screen."""
    path.parent.mkdir(parents=True, exist_ok=True)
    window = page.viewport_size
    if full and window:
        height = min(page.evaluate(_CONTENT_HEIGHT_JS), MAX_SCREENSHOT_HEIGHT_PX)
        if height > window["height"]:
            page.set_viewport_size({"width": window["width"], "height": height})
            # Two animation frames: the new size laid out and painted (no fixed pause).
            page.evaluate(_TWO_FRAMES_JS)
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(window)
    return path
