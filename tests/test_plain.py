"""ui.plain: a name from the data or from a user, escaped so that Markdown shows it as typed."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ui.plain import plain

# CommonMark: a backslash before an ASCII punctuation mark stands for the mark itself.
UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def shown(markdown: str) -> str:
    """The characters a CommonMark renderer shows for text made only of escapes and letters."""
    return UNESCAPE.sub(r"\1", markdown)


def unescaped_punctuation(markdown: str) -> list[str]:
    """Punctuation marks that Markdown could read as syntax (not escaped by a backslash)."""
    found, index = [], 0
    while index < len(markdown):
        char = markdown[index]
        if char == "\\" and index + 1 < len(markdown) and markdown[index + 1] in string.punctuation:
            index += 2  # an escape: the mark after it stands for itself
            continue
        if char in string.punctuation:
            found.append(char)
        index += 1
    return found


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("Villach ![x](http://203.0.113.7/b.png)", id="image-beacon"),
        pytest.param("[Klick](https://example.org)", id="link"),
        pytest.param("<img src=https://203.0.113.7/b.png>", id="raw-html"),
        pytest.param("**bold** _it_ ~~gone~~ `code`", id="emphasis"),
        pytest.param(":red[loud] :material/warning: :tada:", id="streamlit-directives"),
        pytest.param("$x^2$ and $$y$$", id="latex"),
        pytest.param("# Heading", id="heading"),
        pytest.param("1. list", id="ordered-list"),
        pytest.param("| a | b |", id="table"),
        pytest.param('=HYPERLINK("http://x","y")', id="formula"),
        pytest.param("back\\slash", id="backslash"),
        pytest.param("www.example.org and https://example.org", id="autolinks"),
    ],
)
def test_every_markdown_mark_is_escaped_and_the_text_is_kept(name: str) -> None:
    # GIVEN a name carrying Markdown, HTML or Streamlit syntax
    # WHEN it is made plain
    escaped = plain(name)
    # THEN no punctuation mark is left that Markdown could read as syntax
    assert unescaped_punctuation(escaped) == []
    # AND a renderer shows exactly the name
    assert shown(escaped) == name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("Graz\n# Heading", "Graz \\# Heading", id="newline"),
        pytest.param("a\r\n\r\n> quote", "a \\> quote", id="crlf-blank-line"),
        pytest.param("a\u2028b", "a b", id="unicode-line-separator"),
    ],
)
def test_a_line_break_becomes_a_space(name: str, expected: str) -> None:
    # GIVEN a name whose line break would start a new block; WHEN plain; THEN one line
    assert plain(name) == expected


def test_letters_digits_and_non_ascii_stay_as_they_are() -> None:
    name = "Sankt Veit an der Glan 2 Völkermarkt – Süd"
    assert plain(name) == name


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Zl", "Zp", "Cc"])))
def test_any_name_is_shown_as_typed(name: str) -> None:
    # GIVEN any name on one line (control characters aside)
    # WHEN made plain THEN every ASCII punctuation mark is escaped and the text comes back whole
    escaped = plain(name)
    assert shown(escaped) == name
    assert all(escaped.count(mark) >= name.count(mark) for mark in string.punctuation)
    assert unescaped_punctuation(escaped) == []
