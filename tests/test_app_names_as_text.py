"""Names from the data or from users are shown as text on every page, never as Markdown.

An office name (from an uploaded file) and the names people type (a workspace, an action and
its owner, a saved scenario) carry a Markdown image, an HTML tag and a Streamlit directive. Had
any of them been rendered, every viewer's browser would fetch the image from its host. The tests
read what Streamlit renders as Markdown (bodies, labels, help texts, st.table headers) and find
every name escaped by ui.plain. What a browser then really requests:
tests/browser/test_no_calls_home.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from calc import store
from tests.marked_names import PAYLOAD, store_with_marked_offices
from ui.plain import plain

APP_FILE = Path(__file__).resolve().parent.parent / "app.py"
# What a page may only show escaped: the image, the tag and the directive as syntax.
SYNTAX = ("![", "](", "<b>", ":red[")
ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]")  # a backslash escape: the mark after it is text
# Streamlit reads Markdown in these fields of its elements and blocks (st.markdown, captions,
# alerts, headings, widget/expander/tab/popover labels, help tooltips, progress texts).
MARKDOWN_FIELDS = {"body", "label", "help", "text"}
PAGES = (
    "pages/overview.py",
    "pages/offices.py",
    "pages/staff.py",
    "pages/scenarios.py",
    "pages/presenter.py",
    "pages/workshop.py",
    "pages/data.py",
    "pages/method.py",
)


def markdown_strings(message: Message) -> Iterator[str]:
    """Every string in a proto (and the protos inside it) that Streamlit renders as Markdown."""
    for field, value in message.ListFields():
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            for item in [value] if isinstance(value, Message) else value:
                yield from markdown_strings(item)
        elif field.type == FieldDescriptor.TYPE_STRING and field.name in MARKDOWN_FIELDS:
            yield from [value] if isinstance(value, str) else value


def rendered_markdown(at: AppTest) -> list[str]:
    texts: list[str] = []
    for root in (at.main, at.sidebar):
        for node in root:
            proto = getattr(node, "proto", None)
            if isinstance(proto, Message):
                texts.extend(markdown_strings(proto))
    return texts


def assert_shown_as_text(at: AppTest, where: str) -> list[str]:
    """No Markdown text of the page carries the payload as syntax; the texts that name it."""
    assert not at.exception, f"{where}: {[e.value for e in at.exception]}"
    texts = rendered_markdown(at)
    raw = [text for text in texts if any(mark in ESCAPE.sub("\0", text) for mark in SYNTAX)]
    assert not raw, f"{where}: rendered as Markdown: {raw}"
    return [text for text in texts if plain(PAYLOAD) in text]


@pytest.fixture
def marked_offices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app on the demo data with every office's name followed by the payload."""
    path = store_with_marked_offices(tmp_path)
    monkeypatch.setenv(store.DB_PATH_ENV, str(path))
    return path


def open_app() -> AppTest:
    at = AppTest.from_file(str(APP_FILE), default_timeout=60)
    at.query_params["lang"] = "en"
    return at.run()


def test_an_office_name_with_markdown_is_text_on_every_page(marked_offices: Path) -> None:
    # GIVEN offices whose names carry an image link, an <img> tag and a directive
    at = open_app()
    named = assert_shown_as_text(at, "app")
    for page in PAGES:
        # WHEN each page is drawn
        at.switch_page(page).run()
        # THEN no Markdown text shows the name as syntax
        named += assert_shown_as_text(at, page)
    # AND the names are there, escaped (the scenarios page labels a toggle with each office)
    assert named, "no page named an office in Markdown: the check above proved nothing"


def test_a_workspace_action_and_owner_with_markdown_are_text(app_db: Path) -> None:
    # GIVEN the workshop page
    at = open_app()
    at.switch_page("pages/workshop.py").run()
    # WHEN a team names its workspace, an action and its owner with the payload
    at.text_input(key="workshop_new_name").input(f"Team {PAYLOAD}")
    at.button(key="workshop_create").click().run()
    created = assert_shown_as_text(at, "workspace created")
    at.segmented_control(key="step").set_value("plan").run()
    at.text_input(key="workshop_title_0").input(f"Action {PAYLOAD}")
    at.text_input(key="workshop_owner_0").input(f"Owner {PAYLOAD}")
    at.button(key="workshop_save").click().run()
    saved = assert_shown_as_text(at, "action saved")
    at.segmented_control(key="step").set_value("act").run()
    cards = assert_shown_as_text(at, "act")
    # THEN each message and the card show them escaped
    assert any(f"Team {plain(PAYLOAD)}" in text for text in created)
    assert any(f"Action {plain(PAYLOAD)}" in text for text in saved)
    assert any(f"Action {plain(PAYLOAD)}" in text for text in cards)
    assert any(f"Owner {plain(PAYLOAD)}" in text for text in cards)


def test_a_scenario_name_with_markdown_is_text(app_db: Path) -> None:
    # GIVEN the scenarios page
    at = open_app()
    at.switch_page("pages/scenarios.py").run()
    name = f"Plan {PAYLOAD}"
    # WHEN a scenario is saved under a name carrying the payload, then compared
    at.text_input(key="scenario_name").input(name)
    at.button(key="scenario_save").click().run()
    saved = assert_shown_as_text(at, "scenario saved")
    at.multiselect(key="scenario_compare").select(name).run()
    assert_shown_as_text(at, "scenario compared")
    # THEN the message names it escaped, and so does the comparison table's header
    assert any(plain(name) in text for text in saved)
    assert plain(name) in list(at.table[0].value.columns)
