"""Nothing leaves the machine, seen from the browser: every request of a journey over all pages
goes to the app's own address.

The offices of the database are named with a Markdown image on another host, and the journey
names a saved scenario and a workspace the same way; so a name rendered as Markdown would show
up here as a request for that image. The journey: every page through the navigation, a saved
scenario, every presenter slide (the scenario's among them), each workshop stage. The tab icon
is the app's own (a data: URL), not Google's font server. The server side of the same question:
tests/test_no_calls_home.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from tests.browser import streamlit_dom as dom
from tests.browser.conftest import BROWSER_TIMEOUT_MS, VIEWPORT, Server, serve
from tests.marked_names import PAYLOAD, store_with_marked_offices

pytestmark = pytest.mark.browser

SLUGS = ("overview", "offices", "staff", "scenarios", "presenter", "workshop", "data", "method")
SCENARIO = f"Plan {PAYLOAD}"
TEAM = f"Team {PAYLOAD}"
STAGES = ("diagnose", "plan", "act", "anchor")
LOCAL_SCHEMES = {"data", "blob", "about"}  # drawn in the browser, never fetched
MESSAGES = f"{dom.MAIN} {dom.ALERT}"  # what a click on save or create says


@pytest.fixture(scope="module")
def marked_server(
    chromium_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """The app on the demo data whose office names carry the payload."""
    del chromium_path
    folder = tmp_path_factory.mktemp("no-calls-home-browser")
    with serve(store_with_marked_offices(folder), folder) as running:
        yield running


@pytest.fixture
def recorded(browser: Browser, js_errors: list[str]) -> Iterator[tuple[Page, list[str]]]:
    """A tab and every URL it asks for (documents, scripts, images, fonts, fetches, sockets).

    The browser fixture starts Chromium without its own background traffic (CHROMIUM_ARGS).
    """
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    urls: list[str] = []
    context.on("request", lambda request: urls.append(request.url))
    tab = context.new_page()
    tab.on("websocket", lambda socket: urls.append(socket.url))
    tab.on("pageerror", lambda error: js_errors.append(f"{tab.url}: {error}"))
    try:
        yield tab, urls
    finally:
        context.close()


def foreign(urls: list[str], server: Server) -> list[str]:
    """The URLs that go anywhere but the app's own host and port."""
    own = urlsplit(server.base_url).netloc
    return [
        url
        for url in urls
        if urlsplit(url).scheme not in LOCAL_SCHEMES and urlsplit(url).netloc != own
    ]


def open_by_navigation(page: Page, slug: str) -> None:
    dom.open_sidebar(page)
    dom.nav_link(page, dom.english(f"nav.{slug}")).click()
    dom.wait_until_drawn(page, slug)


def type_and_click(page: Page, slug: str, field_key: str, text: str, button_key: str) -> None:
    # As a person does: type, then click (leaving the field gives Streamlit its value); the
    # run is over once the message about it is there.
    page.locator(f".st-key-{field_key} input").fill(text)
    with dom.redrawn(page, slug, MESSAGES):
        page.locator(f".st-key-{button_key} button").click()


def save_scenario(page: Page) -> bool:
    """Save a scenario under the payload; whether the message named it as typed."""
    type_and_click(page, "scenarios", "scenario_name", SCENARIO, "scenario_save")
    return page.locator(dom.ALERT).filter(has_text=SCENARIO).count() > 0


def every_slide(page: Page) -> bool:
    """Show each slide in turn; whether one of them named the saved scenario as typed."""
    page.locator(".st-key-slide button").first.wait_for()  # one element: all of its buttons
    slides = page.locator(".st-key-slide button").count()
    named = False
    for following in [*range(2, slides + 1), 1]:
        with dom.redrawn(page, "presenter", dom.SLIDE_AREA):
            page.keyboard.press("ArrowRight")
        dom.wait_until_query(page, slide=following)
        named = named or page.locator(dom.MAIN).get_by_text(SCENARIO).count() > 0
    return named


def every_stage(page: Page) -> bool:
    """Create a workspace named with the payload and open each stage; whether the message
    named the workspace as typed."""
    type_and_click(page, "workshop", "workshop_new_name", TEAM, "workshop_create")
    named = page.locator(dom.ALERT).filter(has_text=TEAM).count() > 0
    for stage in STAGES:
        button = page.locator(".st-key-step button").filter(
            has_text=dom.english(f"workshop.step.{stage}")
        )
        if button.get_attribute("aria-checked") == "true":
            continue  # the stage already shown: a click starts no run
        with dom.redrawn(page, "workshop"):
            button.click()
    return named


def test_a_journey_over_every_page_asks_only_the_app(
    recorded: tuple[Page, list[str]], marked_server: Server, js_errors: list[str]
) -> None:
    page, urls = recorded
    # GIVEN the app with office names carrying an image on another host
    page.goto(marked_server.url())
    dom.wait_until_drawn(page, "overview")
    # WHEN a person goes through every page, saves a scenario, shows every slide and walks
    # through the workshop, naming things with the same payload
    named_as_typed = {}
    for slug in SLUGS[1:]:
        open_by_navigation(page, slug)
        if slug == "scenarios":
            named_as_typed["scenario saved"] = save_scenario(page)
        elif slug == "presenter":
            named_as_typed["scenario slide"] = every_slide(page)
        elif slug == "workshop":
            named_as_typed["workspace created"] = every_stage(page)
    # THEN the browser asked the app for everything it showed, and nobody else
    assert urls, "no request recorded: the recorder is not attached"
    assert foreign(urls, marked_server) == []
    # AND the tab icon is the app's own, drawn from a data: URL
    icon = page.locator("link[rel='shortcut icon']").get_attribute("href") or ""
    assert icon.startswith("data:image/svg+xml")
    # AND the names were shown as typed, not rendered
    assert named_as_typed == dict.fromkeys(named_as_typed, True)
    assert js_errors == []
