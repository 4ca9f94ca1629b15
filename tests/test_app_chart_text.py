"""Every chart of every page has its text alternative (issue 15): a summary sentence as the
chart's accessible name, with a figure in it, shown under the chart as well, in the page's
language; the presenter's slides carry it as the accessible name (a slide has no room for it).

The sentences themselves are worked out by hand in tests/test_charts.py; here each page is run
and its charts are read (AppTest's vega_lite_chart elements and their `alt`).
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

PAGES = ["overview", "offices", "staff", "scenarios"]
FIGURE = re.compile(r"\d")
MARKERS = {"en": "largest", "de": "am höchsten"}
SLIDES = 8  # the presenter's slides without a scenario (tests/test_app_presenter.py)


def unescaped(markdown: str) -> str:
    """A caption as it reads: ui.plain escapes punctuation with a backslash."""
    return re.sub(r"\\(.)", r"\1", markdown)


def chart_texts(at: AppTest) -> list[str]:
    return [chart.proto.alt for chart in at.get("vega_lite_chart")]


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize("slug", PAGES)
def test_each_chart_has_its_summary_as_name_and_caption(app: AppTest, slug: str, lang: str):
    # GIVEN a page in the language WHEN it runs
    app.session_state["lang"] = lang
    app.switch_page(f"pages/{slug}.py").run()
    assert not app.exception
    texts = chart_texts(app)
    captions = {unescaped(caption.value) for caption in app.caption}
    # THEN every chart has a sentence with a figure in it, shown under the chart too
    assert texts, f"{slug} draws no chart"
    for text in texts:
        assert FIGURE.search(text), text
        assert text in captions, text
    # … in the page's language (calc/locales/a11y.csv: "largest …" / "am höchsten …")
    assert any(MARKERS[lang] in text for text in texts), texts


def test_every_presenter_slide_chart_has_a_summary_as_its_name(app: AppTest):
    app.switch_page("pages/presenter.py").run()
    names: list[str] = []
    for _ in range(SLIDES):
        assert not app.exception
        names += chart_texts(app)
        app.button(key="next").click().run()
    # the waterfall, clients and staff, channels, digital share and the offices' heat map
    assert len(names) >= 5
    assert all(FIGURE.search(name) for name in names), names
