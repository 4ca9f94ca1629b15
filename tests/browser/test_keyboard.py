"""The main tasks without a mouse: Tab, Shift+Tab, Enter, Space, the arrow keys and typing only,
with the focus visible at every control a task uses.

Change a filter, move every scenario slider, save a scenario, create a workshop action and move
it on the board, step through the presenter, choose a file to upload. Pages are reached through
the navigation, by keyboard. "Visible focus" is checked as a person sees it: the control looks
different while it has the focus than after the focus has left it (a screenshot of its box, and
a few pixels around it for an outline or a ring).

axe-core also checks the workshop's Plan, Act and Anchor stages and the Data page with a file
checked, which its run over the pages does not reach (no serious or critical violation).

Every wait is for a condition on the page (a URL parameter, a value, an element, the run being
over), never for a quiet period or a fixed time.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser import streamlit_dom as dom
from tests.browser.conftest import Server
from tests.browser.test_accessibility import violations
from ui.scenario_state import ASSUMPTIONS

pytestmark = pytest.mark.browser

# Where the focus is: the st-key-… of its widget, its role, its name and its value.
_FOCUSED_JS = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {key: '', role: '', name: '', value: null, tag: 'BODY'};
  const keyed = el.closest('[class*="st-key-"]');
  const key = keyed ? [...keyed.classList].filter((c) => c.startsWith('st-key-'))
    .map((c) => c.slice(7)).pop() : '';
  const name = (el.getAttribute('aria-label') || el.innerText || el.value || '').trim();
  const native = {range: 'slider', checkbox: 'switch'}[el.type] || '';
  const checkbox = el.type === 'checkbox' ? String(el.checked) : null;
  return {key, role: el.getAttribute('role') || native, name, tag: el.tagName,
          value: el.getAttribute('aria-valuenow') ?? (el.type === 'range' ? el.value : null),
          max: el.getAttribute('aria-valuemax') ?? (el.type === 'range' ? el.max : null),
          checked: el.getAttribute('aria-checked') ?? checkbox};
}
"""
# The box a focus indicator may draw in: the focused element and a few pixels around it.
_FOCUS_BOX_JS = """
(margin) => {
  const r = document.activeElement.getBoundingClientRect();
  return {x: Math.max(0, r.left - margin), y: Math.max(0, r.top - margin),
          width: r.width + 2 * margin, height: r.height + 2 * margin};
}
"""
# A text field no longer asks for Enter and holds the text typed: the app has its value.
_APPLIED_JS = """
([css, text]) => {
  const field = document.querySelector(css);
  return field !== null && field.querySelector('input').value === text
    && !field.innerText.includes('Press Enter to apply');
}
"""
FOCUS_MARGIN_PX = 4
TAB_LIMIT = 120  # presses to reach a control before the test gives up


def focused(page: Page) -> dict:
    return page.evaluate(_FOCUSED_JS)


def press_until(page: Page, matches, key: str = "Tab", limit: int = TAB_LIMIT) -> dict:
    """Press key until the focused control matches; the control."""
    for _ in range(limit):
        page.keyboard.press(key)
        here = focused(page)
        if matches(here):
            return here
    raise AssertionError(f"{key} × {limit} never reached the control (last: {focused(page)})")


def focus_key(page: Page, key: str, **extra: str) -> dict:
    """Tab to the control of widget `key` (and role or name, if given)."""
    return press_until(
        page,
        lambda here: here["key"] == key and all(here.get(k) == v for k, v in extra.items()),
    )


def assert_focus_visible(page: Page) -> None:
    """The focused control looks different than once the focus has left it (Shift+Tab), and
    Tab brings the focus back to it."""
    here = focused(page)
    box = page.evaluate(_FOCUS_BOX_JS, FOCUS_MARGIN_PX)
    with_focus = page.screenshot(clip=box)
    page.keyboard.press("Shift+Tab")
    without_focus = page.screenshot(clip=box)
    page.keyboard.press("Tab")
    back = focused(page)
    assert (back["key"], back["name"]) == (here["key"], here["name"]), (here, back)
    assert with_focus != without_focus, f"no visible focus on {here}"


def type_and_apply(page: Page, slug: str, key: str, text: str) -> None:
    """Type text into the focused field of widget key on page slug and press Enter; wait until
    the field holds it and no longer asks for Enter (the app has the value), and no run is
    under way."""
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    page.wait_for_function(_APPLIED_JS, arg=[f".st-key-{key}", text], polling="raf")
    dom.wait_until_run_over(page, slug)


def go_to(page: Page, slug: str, ready: str) -> None:
    """Open a page from the navigation: Tab from the top of the document to its link, Enter;
    wait for an element of that page (`ready`, a selector) and the end of its run."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    label = dom.english(f"nav.{slug}")
    press_until(page, lambda here: here["tag"] == "A" and here["name"].endswith(label))
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.locator(ready).first.wait_for()
    dom.wait_until_drawn(page, slug)


def wait_query_not(page: Page, name: str, before: str | None, absent: str | None = None) -> str:
    """Wait until the URL's parameter `name` (`absent` when it is not there) differs from
    before and the run is over; its value."""
    page.wait_for_function(
        """([name, before, absent]) => {
          const now = new URLSearchParams(location.search).get(name) ?? absent;
          const app = document.querySelector('[data-testid="stApp"]');
          return now !== null && now !== before
            && app.dataset.testScriptState === 'notRunning';
        }""",
        arg=[name, before, absent],
        polling=50,
    )
    return dom.query(page).get(name, absent or "")


def test_main_tasks_by_keyboard_alone(
    page: Page, fresh_server: Server, tmp_path: Path, js_errors: list[str]
) -> None:
    # A server of its own: the journey saves a scenario and creates a workspace, which the
    # journeys on the shared server do not expect. Its first visit is at the root.
    page.bring_to_front()  # the focused tab: only it gets key events and may open a file chooser
    page.goto(fresh_server.url())
    dom.wait_until_drawn(page, "overview")

    # -- a filter: the current year, one year earlier (open with ArrowDown, ArrowUp, Enter) --
    focus_key(page, "cur")
    assert_focus_visible(page)
    before = dom.query(page).get("cur")
    page.keyboard.press("ArrowDown")  # opens the list on the year chosen
    page.wait_for_selector('[role="listbox"] [role="option"]')
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    changed = wait_query_not(page, "cur", before)
    assert before is None or int(changed) == int(before) - 1

    # -- every scenario slider, switching on the levers that show more of them --------------
    go_to(page, "scenarios", ".st-key-video input")
    expected = {"video", "phone", "online", "home_days", "home_share", "to_pt", "to_bike"}
    expected |= set(ASSUMPTIONS)
    moved: dict[str, tuple[str, str]] = {}
    revealed = {"home": "home_days", "fleet": next(iter(ASSUMPTIONS))}  # the first slider shown
    for _ in range(TAB_LIMIT):
        here = press_until(
            page,
            lambda h: h["role"] in {"slider", "switch"} or h["key"] == "scenario_name",
        )
        if here["key"] == "scenario_name":
            break
        if here["role"] == "switch":
            if here["key"] in {"home", "fleet"} and here["checked"] != "true":
                assert_focus_visible(page)
                page.keyboard.press("Space")
                page.locator(f".st-key-{revealed[here['key']]} input").wait_for()
                dom.wait_until_run_over(page, "scenarios")
            continue
        assert_focus_visible(page)
        before = dom.query(page).get(here["key"])
        page.keyboard.press("ArrowLeft" if here["value"] == here["max"] else "ArrowRight")
        page.wait_for_function(
            f"(before) => ({_FOCUSED_JS})().value !== before", arg=here["value"], polling=50
        )
        wait_query_not(page, here["key"], before)
        moved[here["key"]] = (here["value"], focused(page)["value"])
    assert set(moved) == expected, moved
    assert all(old != new for old, new in moved.values())

    # -- save the scenario: type its name, Enter, Tab to Save, Enter -------------------------
    assert_focus_visible(page)
    name = "Keyboard plan"
    type_and_apply(page, "scenarios", "scenario_name", name)
    focus_key(page, "scenario_save")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    done = dom.english("scenarios.save.done", name=name)
    page.locator(dom.ALERT, has_text=done).wait_for()

    # -- a workshop: create it, a new action in Plan, move it on the board in Act -------------
    go_to(page, "workshop", ".st-key-workshop_new_name, .st-key-step")
    focus_key(page, "workshop_new_name")
    assert_focus_visible(page)
    type_and_apply(page, "workshop", "workshop_new_name", "Keyboard team")
    focus_key(page, "workshop_create")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    created = dom.english("workshop.space.created", space="Keyboard team")
    page.locator(dom.ALERT, has_text=created).wait_for()

    # The stages are a radio group: Tab reaches the chosen one, the arrow keys choose another.
    focus_key(page, "step", role="radio")
    assert_focus_visible(page)
    plan = dom.english("workshop.step.plan")
    press_until(page, lambda h: h["name"].endswith(plan), key="ArrowRight", limit=4)
    page.keyboard.press("Space")
    page.locator(".st-key-workshop_title_0 input").wait_for()
    dom.wait_until_run_over(page, "workshop")
    focus_key(page, "workshop_title_0")
    assert_focus_visible(page)
    type_and_apply(page, "workshop", "workshop_title_0", "Video counselling on Fridays")
    focus_key(page, "workshop_save")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.locator('[data-testid="stDataFrame"]').wait_for()  # the plan's list of actions
    dom.wait_until_run_over(page, "workshop")
    serious = violations(page, "workshop, plan")[1]  # stages axe's page run does not reach

    act = dom.english("workshop.step.act")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    focus_key(page, "step", role="radio")
    press_until(page, lambda h: h["name"].endswith(act), key="ArrowRight", limit=4)
    page.keyboard.press("Space")
    page.locator('[class*="st-key-workshop_move_"]').first.wait_for()
    dom.wait_until_run_over(page, "workshop")
    # The card's status is a radio group too: Tab to it, ArrowRight to "Doing", Space.
    doing = dom.english("workshop.status.doing")
    card = press_until(page, lambda h: h["key"].startswith("workshop_move_"))
    assert_focus_visible(page)
    press_until(page, lambda h: h["name"].endswith(doing), key="ArrowRight", limit=4)
    page.keyboard.press("Space")
    heading = f"{doing} · 1"
    page.locator("h2", has_text=heading).wait_for()
    dom.wait_until_run_over(page, "workshop")
    serious += violations(page, "workshop, act")[1]
    # … and the Anchor stage, with its charts drawn
    anchor = dom.english("workshop.step.anchor")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    focus_key(page, "step", role="radio")
    press_until(page, lambda h: h["name"].endswith(anchor), key="ArrowRight", limit=4)
    page.keyboard.press("Space")
    page.locator(".st-key-workshop_save_targets").wait_for()
    dom.wait_until_run_over(page, "workshop")  # with every chart drawn
    serious += violations(page, "workshop, anchor")[1]
    assert card["key"].startswith("workshop_move_")

    # -- the presenter: its Next and Back buttons with Enter -----------------------------------
    go_to(page, "presenter", ".st-key-slide")
    first = int(dom.query(page).get("slide", "1"))
    focus_key(page, "next")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    assert int(wait_query_not(page, "slide", str(first), "1")) == first + 1
    press_until(page, lambda h: h["key"] == "back", key="Shift+Tab")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    assert int(wait_query_not(page, "slide", str(first + 1), "1")) == first

    # The presenter starts with the sidebar closed: open it (its button, Enter) to go on.
    press_until(page, lambda h: h["name"] == "Expand sidebar")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stSidebar\"]')"
        ".getAttribute('data-collapsed') === 'false'"
    )

    # -- upload: the drop zone's button asks for the file dialog with Enter ---------------------
    go_to(page, "data", '[data-testid="stFileUploaderDropzone"]')
    # Streamlit's own "Browse files" button in the drop zone of the uploader
    press_until(
        page,
        lambda h: (
            h["key"].startswith("data_files_")
            and h["tag"] == "BUTTON"
            and not h["name"].startswith("Help for")
        ),
    )
    assert_focus_visible(page)
    offices = tmp_path / "offices.csv"
    offices.write_text("office_id,name,country\nKLU,Klagenfurt,AT\n", encoding="utf-8")
    dom.wait_until_run_over(page, "data")  # the drop zone is drawn anew on every run
    here = focused(page)
    assert here["name"].endswith("Upload"), here  # Streamlit's button, in English in every language
    # Enter asks the drop zone's file input for the system's file dialog (a click on it). The
    # dialog itself is the browser's, not the app's: whether headless Chromium shows one after
    # other tests varies, so the test counts the request and then picks the file as the dialog
    # would.
    file_input = f".st-key-{here['key']} input[type=file]"
    page.evaluate(
        """(selector) => { window.__fileDialogs = 0; document.querySelector(selector)
          .addEventListener('click', () => { window.__fileDialogs += 1; }); }""",
        file_input,
    )
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.__fileDialogs > 0", polling=50)
    page.locator(file_input).set_input_files(str(offices))
    # The check of the chosen file is under way or done: its section appears.
    page.get_by_text(dom.english("data.report.title").strip("*")).wait_for()
    dom.wait_until_run_over(page, "data")
    serious += violations(page, "data, file checked")[1]

    assert serious == [], "\n".join(serious)

    assert js_errors == []
