"""Presenter mode in the running app: slides advance, the headline equals the overview's for the
same filters, a link opens a given slide, and an office of 3 clients shows on no slide."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from calc import comparison, model, store
from calc.factors import FactorSet
from tests.test_presenter import OFFICES, SMALL_OFFICE, SMALL_OFFICE_NAME, load_small_office_db

APP_FILE = Path(__file__).resolve().parent.parent / "app.py"
PAGE = "pages/presenter.py"
SLIDES_WITHOUT_SCENARIO = 8  # the closing slide with the QR code included


def visible_texts(at: AppTest) -> list[str]:
    """Every text the page shows: markdown, captions, alerts, metrics, the big numbers (HTML),
    and every string in the charts (their text for screen readers, their specs, and the data
    they draw)."""
    texts = [e.value for e in (*at.markdown, *at.caption, *at.info, *at.warning)]
    texts += [html.unescape(re.sub(r"<[^>]+>", "", e.proto.body)) for e in at.get("html")]
    texts += [f"{m.label} {m.value}" for m in at.metric]
    for chart in at.get("vega_lite_chart"):
        texts += [chart.proto.alt, json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)]
        for dataset in chart.proto.datasets:
            table = pa.ipc.open_stream(dataset.data.data).read_all()
            texts += [str(v) for column in table.columns for v in column.to_pylist()]
    return texts


def expected_headline(db_path: Path, offices: list[str] | None = None) -> str:
    """The change between the first and the last year (the sidebar's defaults), as the overview
    writes it in English: a true minus, tonnes with one decimal."""
    factors = FactorSet.load("default")
    con = store.connect(db_path)
    cube = model.select(model.load_cube(con, factors), offices or ())
    con.close()
    years = cube.years
    kg = comparison.compare(cube, factors, years[0], years[-1]).difference_kg.kg
    return f"{'−' if kg < 0 else '+'}{abs(kg) / 1000:,.1f} t"


def open_presenter(**params: str) -> AppTest:
    at = AppTest.from_file(str(APP_FILE), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def test_slides_advance_by_next_back_and_clicker(app: AppTest):
    app.switch_page(PAGE).run()
    assert not app.exception
    first = visible_texts(app)
    app.button(key="next").click().run()
    assert not app.exception
    assert app.query_params["slide"] == "2"
    assert any("Why it changed" in text for text in visible_texts(app))
    app.button(key="clicker_next").click().run()
    assert app.query_params["slide"] == "3"
    assert any("Clients and staff" in text for text in visible_texts(app))
    app.button(key="back").click().run()
    app.button(key="clicker_back").click().run()
    assert app.query_params["slide"] == "1"
    assert visible_texts(app) == first
    app.button(key="back").click().run()  # from the first slide back to the last
    assert app.query_params["slide"] == str(SLIDES_WITHOUT_SCENARIO)
    for _ in range(SLIDES_WITHOUT_SCENARIO):
        app.button(key="next").click().run()
        assert not app.exception


def test_arrow_keys_and_clicker_keys_move_the_slides(app: AppTest):
    app.switch_page(PAGE).run()
    shortcuts = {key: app.button(key=key).proto.shortcut for key in ("back", "next")}
    shortcuts |= {
        key: app.button(key=key).proto.shortcut for key in ("clicker_back", "clicker_next")
    }
    assert shortcuts == {
        "back": "left",
        "next": "right",
        "clicker_back": "pageup",
        "clicker_next": "pagedown",
    }


def test_headline_equals_the_overview(app: AppTest, app_db: Path):
    expected = expected_headline(app_db)
    overview_metrics = [m.value for m in app.metric]
    assert expected in overview_metrics
    app.switch_page(PAGE).run()
    assert not app.exception
    assert expected in visible_texts(app)  # the slide's big number


def test_headline_follows_the_overview_filters(app: AppTest, app_db: Path):
    """The presenter keeps the filters set on the overview (its sidebar starts collapsed)."""
    app.multiselect(key="offices").set_value(["KLU", "VIL"]).run()
    expected = expected_headline(app_db, ["KLU", "VIL"])
    assert expected in [m.value for m in app.metric]
    app.switch_page(PAGE).run()
    assert not app.exception
    assert expected in visible_texts(app)  # the slide's big number


def test_a_link_opens_a_slide(app_db: Path):
    at = open_presenter(slide="4")
    assert any("That is as much as" in text for text in visible_texts(at))
    assert at.segmented_control(key="slide").value == 4


@pytest.fixture
def small_office_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = load_small_office_db(tmp_path)
    monkeypatch.setenv(store.DB_PATH_ENV, str(path))
    return path


def test_an_office_of_three_clients_is_on_no_slide(small_office_db: Path):
    at = open_presenter()
    slides = []
    for _ in range(SLIDES_WITHOUT_SCENARIO):
        slides.append(visible_texts(at))
        at.button(key="next").click().run()
        assert not at.exception
    for texts in slides:
        assert not [text for text in texts if SMALL_OFFICE_NAME in text]
        assert SMALL_OFFICE not in texts
    # The office slide shows the big office alone and the two others together, and says why.
    offices_slide = slides[6]
    shown = {name for name, *_ in OFFICES.values() if name in offices_slide}
    assert shown == {OFFICES["BIG"][0]}
    assert "Other offices" in offices_slide
    assert any("shown together" in text for text in offices_slide)


def test_the_closing_slide_links_to_this_deck_as_a_qr_code(app_db: Path):
    # GIVEN a deck from 2020 to 2023 for one office (in English: AppTest formats a widget's
    # value outside the run, where a format_func reading the session's language cannot)
    at = open_presenter(lang="en", ref="2020", cur="2023", offices="KLU")
    # WHEN the last slide is shown
    at.button(key="back").click().run()
    assert not at.exception
    # THEN it shows a QR code and the link that reproduces the deck, with ids, not labels
    assert len(at.get("image")) == 1
    # (shown as plain text: Markdown's punctuation escaped with backslashes)
    link = next(c.value.replace("\\", "") for c in at.caption if "presenter" in c.value)
    query = link.split("?", 1)[1]
    assert query == "lang=en&ref=2020&cur=2023&offices=KLU"


def test_the_digital_share_slide_says_the_current_year(app_db: Path):
    at = open_presenter(lang="en", ref="2020", cur="2023", slide="6")
    assert not at.exception
    texts = visible_texts(at)
    assert any(text.startswith("## In 2023") for text in texts)
    assert not any("2024" in text for text in texts if text.startswith("## In"))


def test_settings_live_in_the_sidebar_and_the_demo_notice_is_one_line(app_db: Path):
    at = open_presenter(lang="en")
    # The timer is set in the (collapsed) sidebar, not in a popover over the slide.
    assert "auto" in [n.key for n in at.sidebar.number_input]
    assert not at.main.get("popover")
    # On demo data the slide carries one small line, not the app's banner.
    assert [c.value for c in at.caption if "Demo data" in c.value] == [
        ":material/science: Demo data: a made-up data set, not real figures."
    ]
    assert not [i for i in at.info if "demo data" in i.value.lower()]
