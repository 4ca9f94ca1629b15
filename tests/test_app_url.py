"""A link holds ids, never the labels on screen: ?lang=de|en|nl, offices and groups by id, and a
link made in one language keeps its filters in another."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import APP_FILE, APP_TIMEOUT_S


def open_app(**query: str) -> AppTest:
    at = AppTest.from_file(str(APP_FILE), default_timeout=APP_TIMEOUT_S)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    return at


@pytest.mark.parametrize(
    ("asked", "shown"),
    [
        pytest.param("de", "de", id="code"),
        pytest.param("nl", "nl", id="dutch"),
        pytest.param("Deutsch", "de", id="an-old-link-with-the-name"),
        pytest.param("fr", "en", id="unknown-falls-back-to-the-browser"),
    ],
)
def test_lang_in_the_link_chooses_the_language(app_db: Path, asked: str, shown: str):
    at = open_app(lang=asked)
    assert at.session_state["lang"] == shown
    assert at.query_params["lang"] == shown  # the URL now holds the code


def test_filters_stay_ids_in_the_url_across_a_change_of_language(app_db: Path):
    # GIVEN a link made in English with one office and one group
    at = open_app(lang="en", offices="KLU", groups="jobseeker")
    assert at.multiselect(key="offices").value == ["KLU"]
    assert at.multiselect(key="groups").value == ["jobseeker"]
    # WHEN the language changes to German
    at.selectbox(key="lang").set_value("de").run()
    assert not at.exception
    # THEN the filters hold, and the URL still says them by id
    assert at.multiselect(key="groups").value == ["jobseeker"]
    assert at.multiselect(key="offices").value == ["KLU"]
    assert at.query_params["lang"] == "de"
    assert at.query_params["groups"] == "jobseeker"
    assert at.query_params["offices"] == "KLU"
