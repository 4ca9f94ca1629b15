"""Journeys through the real app in Chromium, asserting on what a person sees.

The times printed are measurements for the closing note, not timed tests: the bounds only
catch a page that hangs.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from calc import comparison, model, scenario, store
from calc.factors import FactorSet
from tests.browser import streamlit_dom as dom
from tests.browser.conftest import Server

pytestmark = pytest.mark.browser

# The pages of the navigation, by url path (the file stems in pages/).
SLUGS = ("overview", "offices", "staff", "scenarios", "presenter", "workshop", "data", "method")
TONNE_DECIMALS = 1
SLIDE_PICKER = ".st-key-slide"  # the presenter's slide numbers (segmented control, key "slide")
SLIDE_BUTTONS = f"{SLIDE_PICKER} button"  # one per slide
BIG_NUMBER = ".st-key-wb_slide .wb-big"  # the number a slide is about
DEMO_NOTICE = ".st-key-wb_demo"  # the presenter's one-line demo notice


@dataclass(frozen=True)
class CalcView:
    """What calc computes on the database the server runs on."""

    cube: model.Cube
    factors: FactorSet
    rows: pd.DataFrame
    office_names: dict[str, str]

    @property
    def years(self) -> list[int]:
        return sorted(set(self.rows["year"]))

    def headline(self, reference: int, current: int, office: str | None) -> dict[str, float]:
        """The overview's four figures in kg by their English labels, for these filters."""
        cube = model.select(self.cube, offices=() if office is None else (office,))
        result = comparison.compare(cube, self.factors, reference, current)
        difference = dom.english("overview.metric.difference", reference=reference, current=current)
        net = result.avoided.net.kg
        # The last metric says in its label whether digital channels avoided or added.
        avoided = dom.english("overview.metric.added" if net < 0 else "overview.metric.avoided")
        return {
            dom.english("overview.metric.reference", year=reference): result.reference_kg.kg,
            dom.english("overview.metric.current", year=current): result.current_kg.kg,
            difference: result.difference_kg.kg,
            avoided: abs(net),
        }


@pytest.fixture(scope="module")
def calc_view(demo_db: Path) -> CalcView:
    factors = FactorSet.load("default")
    con = store.connect(demo_db)
    try:
        cube = model.load_cube(con, factors)
    finally:
        con.close()
    return CalcView(
        cube,
        factors,
        model.compute(cube, factors),
        dict(zip(cube.offices["office_id"], cube.offices["name"], strict=True)),
    )


def assert_headline_shown(page: Page, expected_kg: dict[str, float]) -> None:
    shown = {label: dom.shown_tonnes(dom.metric_value(page, label)) for label in expected_kg}
    assert shown == {
        label: pytest.approx(round(kg / 1000, TONNE_DECIMALS), abs=1e-9)
        for label, kg in expected_kg.items()
    }


def page_problems(page: Page) -> list[str]:
    """What a person would call broken on the current page."""
    problems = [f"exception: {text.splitlines()[0]}" for text in dom.exceptions(page)]
    shown_text = page.locator(dom.MAIN).inner_text()
    if page.locator(dom.SIDEBAR).get_attribute("data-collapsed") != "true":
        shown_text += "\n" + page.locator(dom.SIDEBAR).inner_text()
    problems += [f"untranslated key: {key}" for key in sorted(set(dom.raw_keys(shown_text)))]
    return problems


def timed(action: Callable[[], None], until: Callable[[], None]) -> float:
    """Seconds from the start of action until the condition until() waits for holds."""
    started = time.perf_counter()
    action()
    until()
    return time.perf_counter() - started


def print_table(title: str, rows: list[tuple[str, float]]) -> None:
    width = max(len(name) for name, _ in rows)
    print(f"\n{title}")
    for name, seconds in rows:
        print(f"  {name:<{width}}  {seconds * 1000:8.0f} ms")


def test_every_page_opens_from_the_navigation(
    page: Page, server: Server, screenshot_dir: Path, calc_view: CalcView, js_errors: list[str]
) -> None:
    expected = calc_view.headline(calc_view.years[0], calc_view.years[-1], None)
    cold, server.cold = server.cold, False
    times: list[tuple[str, float]] = []

    reference_metric = page.locator(dom.METRIC_VALUE).first
    opened = time.perf_counter()
    page.goto(server.url())
    reference_metric.wait_for()
    first_page_s = time.perf_counter() - opened
    if cold:
        # As if the first person opened the app the moment the server answered.
        startup_s = server.healthy_at - server.started_at
        times.append(("server start -> health check answers", startup_s))
        times.append(("open URL -> overview metrics visible (cold)", first_page_s))
        times.append(("server start -> first page interactive", startup_s + first_page_s))
    else:
        times.append(("open URL -> overview metrics visible (warm)", first_page_s))

    assert page.locator(dom.ALERT).filter(has_text=dom.english("app.demo_banner")).is_visible()
    dom.wait_until_drawn(page, "overview")
    assert_headline_shown(page, expected)
    assert sorted(dom.nav_labels(page)) == sorted(dom.english(f"nav.{slug}") for slug in SLUGS)

    problems = {"overview": page_problems(page)}
    shots = [dom.screenshot(page, screenshot_dir / "page-01-overview.png")]
    # Every page once, and back to the overview, each through its entry in the navigation.
    for number, slug in enumerate([*SLUGS[1:], "overview"], start=2):
        dom.open_sidebar(page)
        link = dom.nav_link(page, dom.english(f"nav.{slug}"))
        seconds = timed(link.click, lambda s=slug: dom.wait_until_drawn(page, s))
        times.append((f"click {slug} -> page drawn", seconds))
        problems[slug] = page_problems(page)
        shots.append(dom.screenshot(page, screenshot_dir / f"page-{number:02d}-{slug}.png"))
    assert_headline_shown(page, expected)

    print_table("Measured (browser, demo data):", times)
    print("screenshots:", *(shot.name for shot in shots))
    assert {slug: found for slug, found in problems.items() if found} == {}
    assert js_errors == []


def test_a_slider_moved_by_keyboard_changes_the_saving_and_the_link(
    page: Page, warm_server: Server, calc_view: CalcView, js_errors: list[str]
) -> None:
    server = warm_server
    steps = 5  # ArrowRight presses: the video share goes from 0 % to 5 %
    base_year = calc_view.years[-1]  # the page's default base year
    shifted = scenario.Scenario(base_year, channels=scenario.ChannelShift(video=steps / 100))
    expected_t = round(
        scenario.apply(calc_view.cube, calc_view.factors, shifted).saved_kg / 1000, 1
    )
    saved_label = dom.english("scenarios.metric.saved")

    page.goto(server.url("scenarios"))
    dom.wait_until_drawn(page, "scenarios")
    before = dom.metric_value(page, saved_label)
    assert dom.shown_tonnes(before) == 0  # no lever moved: the scenario is the base year
    video = dom.slider(page, dom.english("scenarios.channel.video"))
    video.focus()

    # Each press is the time a person waits for the figure to answer the slider.
    figure_times: list[tuple[str, float]] = []
    for step in range(1, steps + 1):
        shown = dom.metric_value(page, saved_label)
        pressed = time.perf_counter()
        page.keyboard.press("ArrowRight")
        dom.wait_until_changed(page, dom.metric_locator(page, saved_label), shown)
        figure_times.append(
            (f"ArrowRight to {step} % -> saved figure changed", time.perf_counter() - pressed)
        )
        dom.wait_until_run_over(page, "scenarios")  # the figure has come: this run is the key's
        dom.wait_until_query(page, video=step)
    median_s = statistics.median(seconds for _, seconds in figure_times)
    print_table(
        "Scenario slider (target under 300 ms):",
        [*figure_times, ("median", median_s)],
    )

    figure = dom.metric_value(page, saved_label)
    assert video.input_value() == str(steps)
    assert dom.shown_tonnes(figure) == pytest.approx(expected_t, abs=1e-9)
    assert expected_t > 0

    # The link in the address bar reproduces the scenario in a new tab.
    link = page.url
    assert dom.query(page)["video"] == str(steps)
    other = page.context.new_page()
    other.goto(link)
    dom.wait_until_drawn(other, "scenarios")
    assert dom.metric_value(other, saved_label) == figure
    assert dom.slider(other, dom.english("scenarios.channel.video")).input_value() == str(steps)
    assert js_errors == []


def open_presenter(page: Page, server: Server, **query: object) -> float:
    """Open the presenter by its link; seconds from the request to the slide drawn."""
    return timed(
        lambda: page.goto(server.url("presenter", **query)),
        lambda: dom.wait_until_drawn(page, "presenter"),
    )


def press(page: Page, key: str) -> None:
    """A key on the presenter, until the run it started is over and drawn."""
    with dom.redrawn(page, "presenter", dom.SLIDE_AREA):
        page.keyboard.press(key)


def slide_shown(page: Page, number: int) -> None:
    dom.wait_until_query(page, slide=number)


def slide_number(page: Page) -> int:
    return int(dom.query(page).get("slide", "1"))


def assert_presenter_full_screen(page: Page) -> None:
    """The app itself (its one-line demo notice), full screen: no sidebar, filters or
    navigation in sight."""
    notice = dom.english("presenter.demo").split(": ", 1)[1]  # after the icon
    expect(page.locator(DEMO_NOTICE)).to_contain_text(notice)
    assert page.locator(dom.SIDEBAR).get_attribute("data-collapsed") == "true"
    # A collapsed sidebar slides out of the window rather than vanishing from the page.
    expect(page.locator(dom.NAV_LINK).first).not_to_be_in_viewport()


def test_presenter_by_link_is_full_screen_and_keys_advance_the_slides(
    page: Page, warm_server: Server, screenshot_dir: Path, js_errors: list[str]
) -> None:
    times = [("open /presenter -> slide drawn", open_presenter(page, warm_server))]
    assert_presenter_full_screen(page)
    page.locator(SLIDE_BUTTONS).first.wait_for()  # one element: all of its buttons
    slides = page.locator(SLIDE_BUTTONS).count()
    assert slides >= 6  # headline, clients vs staff, story, channels, digital share, offices

    problems: dict[int, list[str]] = {}
    keys = ["ArrowRight", "PageDown"]  # a keyboard, and a presentation clicker
    for slide in range(1, slides + 1):
        assert slide_number(page) == slide
        problems[slide] = page_problems(page)
        dom.screenshot(page, screenshot_dir / f"presenter-slide-{slide}.png", full=False)
        key = keys[slide % 2]
        following = slide % slides + 1
        seconds = timed(lambda k=key: press(page, k), lambda n=following: slide_shown(page, n))
        times.append((f"{key}: slide {slide} -> {following}", seconds))
    # And back, as a speaker does after a question.
    for key in ("ArrowLeft", "PageUp"):
        before = slide_number(page)
        previous = (before - 2) % slides + 1
        seconds = timed(lambda k=key: press(page, k), lambda n=previous: slide_shown(page, n))
        times.append((f"{key}: slide {before} -> {previous}", seconds))

    print_table("Presenter (key -> slide drawn):", times)
    print(f"screenshots: presenter-slide-1..{slides}.png in {screenshot_dir}")
    assert {slide: found for slide, found in problems.items() if found} == {}
    assert js_errors == []


@pytest.mark.parametrize(
    ("reached_by", "office"),
    [("navigation", None), ("link", None), ("link", "KLU")],
    ids=["sidebar filter, then navigation", "link, all offices", "link, one office"],
)
def test_presenter_headline_equals_the_overview(
    page: Page, warm_server: Server, calc_view: CalcView, reached_by: str, office: str | None
) -> None:
    server = warm_server
    years = calc_view.years
    reference, current = years[0], years[-2]  # not the default current year
    expected = calc_view.headline(reference, current, office)
    difference_label = dom.english(
        "overview.metric.difference", reference=reference, current=current
    )
    # The filters as the sidebar writes them into a link: offices by their ids.
    filters: dict[str, object] = {"cur": current}
    if office:
        filters["offices"] = office

    if reached_by == "link":
        page.goto(server.url("", **filters))
        dom.wait_until_drawn(page, "overview")
    else:
        page.goto(server.url())
        dom.wait_until_drawn(page, "overview")
        with dom.redrawn(page, "overview"):
            dom.choose(page, "cur", str(current))
        dom.wait_until_query(page, cur=current)
    assert_headline_shown(page, expected)
    overview_difference = dom.metric_value(page, difference_label)

    if reached_by == "link":
        open_presenter(page, server, **filters)
    else:
        dom.nav_link(page, dom.english("nav.presenter")).click()
        dom.wait_until_drawn(page, "presenter")
    title = dom.english("presenter.headline.title", reference=reference, current=current)
    shown_title = page.locator(dom.MAIN).locator("h1").first.inner_text().strip()
    shown_number = page.locator(BIG_NUMBER).first.inner_text().strip()
    assert (shown_title, shown_number) == (title, overview_difference)


def test_presenter_link_is_the_first_page_a_fresh_server_serves(
    page: Page, fresh_server: Server, screenshot_dir: Path
) -> None:
    # A booth laptop boots and opens the presenter link before anyone opened the app.
    print_table(
        "Presenter on a fresh server:",
        [("open /presenter -> slide drawn", open_presenter(page, fresh_server))],
    )
    dom.screenshot(page, screenshot_dir / "presenter-fresh-server.png", full=False)
    assert_presenter_full_screen(page)
    # The sidebar, opened by hand, is the app's own navigation, not a list of file names.
    dom.open_sidebar(page)
    assert sorted(dom.nav_labels(page)) == sorted(dom.english(f"nav.{slug}") for slug in SLUGS)
