"""The overview page on the demo data: its figures are what calc computes for the same data.

The `app` fixture's first run goes through app.py, so the sidebar's widgets (keys ref, cur,
offices, lang) are there to set; later runs may show the page alone (see tests/test_app_data.py),
which is fine, as the page reads those keys from session state.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from calc import comparison, locale, model, presenter, scenario, store
from calc.factors import FactorSet

# Metric order on the page: reference, current, difference, avoided by digital channels.
REFERENCE, CURRENT, DIFFERENCE, AVOIDED = range(4)
TONNE_DECIMALS = 1


def shown_tonnes(text: str) -> float:
    """A metric's English text ("1,234.5 t", "−619.8 t") back to a number of tonnes."""
    return float(text.removesuffix(" t").replace(",", "").replace("\u2212", "-"))


def expected_tonnes(result: comparison.Comparison) -> list[float]:
    """The four metrics; "avoided" is shown as an amount (its sign is said in the label)."""
    return [
        round(kg / 1000, TONNE_DECIMALS)
        for kg in (
            result.reference_kg.kg,
            result.current_kg.kg,
            result.difference_kg.kg,
            abs(result.avoided.net.kg),
        )
    ]


def headline(at: AppTest) -> list[float]:
    return [shown_tonnes(at.metric[i].value) for i in (REFERENCE, CURRENT, DIFFERENCE, AVOIDED)]


@pytest.fixture
def calc_cube(app_db: Path) -> tuple[model.Cube, FactorSet]:
    """The cube calc reads from the app's database, and the default factor set."""
    factors = FactorSet.load("default")
    con = store.connect(app_db)
    try:
        return model.load_cube(con, factors), factors
    finally:
        con.close()


def test_figures_are_calcs_and_follow_the_current_year(app: AppTest, calc_cube) -> None:
    cube, factors = calc_cube
    assert not app.exception
    reference, current = app.session_state["ref"], app.session_state["cur"]
    before = headline(app)
    assert before == pytest.approx(
        expected_tonnes(comparison.compare(cube, factors, reference, current)), abs=1e-9
    )

    other = next(year for year in cube.years if year not in (reference, current))
    app.selectbox(key="cur").select(other).run()

    assert not app.exception
    expected = expected_tonnes(comparison.compare(cube, factors, reference, other))
    assert headline(app) == pytest.approx(expected, abs=1e-9)
    assert headline(app)[CURRENT] != before[CURRENT]


def test_office_filter_changes_the_figures(app: AppTest, calc_cube) -> None:
    cube, factors = calc_cube
    everything = headline(app)
    office = sorted(cube.offices["office_id"])[0]

    app.multiselect(key="offices").set_value([office]).run()

    assert not app.exception
    reference, current = app.session_state["ref"], app.session_state["cur"]
    one_office = model.select(cube, offices=[office])
    expected = expected_tonnes(comparison.compare(one_office, factors, reference, current))
    assert headline(app) == pytest.approx(expected, abs=1e-9)
    assert headline(app)[REFERENCE] < everything[REFERENCE]


def test_the_avoided_figure_is_reconciled_in_words(app: AppTest, calc_cube) -> None:
    cube, factors = calc_cube
    reference, current = app.session_state["ref"], app.session_state["cur"]
    result = comparison.compare(cube, factors, reference, current)
    text = " ".join(m.value for m in app.markdown)
    # The digital contacts' share of the story is told with its visits, in the page's words.
    assert f"{result.avoided.visits_avoided:,.0f} visits" in text
    if result.avoided_exceeds_reduction:
        assert "other changes raised emissions" in text


def test_switching_language_changes_the_labels(app: AppTest) -> None:
    english = [metric.label for metric in app.metric]

    app.selectbox(key="lang").select("de").run()

    assert not app.exception
    german = [metric.label for metric in app.metric]
    assert german[REFERENCE].startswith("Referenzjahr")
    assert all(de != en for de, en in zip(german[:4], english[:4], strict=True))
    # German separators: a thousands point and a decimal comma.
    assert "," in app.metric[REFERENCE].value


def test_the_report_is_offered_in_three_formats_and_built_only_on_click(app: AppTest) -> None:
    app.switch_page("pages/overview.py").run()
    assert not app.exception
    buttons = {b.proto.id.rsplit("-", 1)[-1]: b.proto for b in app.get("download_button")}
    offered = {key: proto for key, proto in buttons.items() if key.startswith("overview_report")}
    assert set(offered) == {"overview_report_pdf", "overview_report_html", "overview_report_xlsx"}
    # Nothing is built while the page runs: the file is made when a button is clicked.
    assert all(proto.deferred_file_id and not proto.url for proto in offered.values())


def test_split_and_travel_are_the_full_rows_figures(app: AppTest, calc_cube) -> None:
    """The page reads the rows without their intervals (ui.compute.central_rows); what it shows
    of them is what calc computes from the full rows (model.compute with every draw)."""
    # GIVEN the rows calc computes with the simulation's draws, as the report reads them
    cube, factors = calc_cube
    reference, current = app.session_state["ref"], app.session_state["cur"]
    full = model.compute(cube, factors)
    split = presenter.population_split(full, reference, current).set_index("population")
    story = presenter.story(
        full,
        comparison.compare(cube, factors, reference, current),
        factors,
        scenario.main_country(cube),
    )

    # WHEN the overview is drawn
    app.switch_page("pages/overview.py").run()
    assert not app.exception

    # THEN the population caption and the km sentence give the same numbers
    caption = next(c.value for c in app.caption if c.value.startswith("Clients (visits"))
    for population in (presenter.CLIENTS, presenter.STAFF):
        for column in ("reference_kg", "current_kg"):
            assert locale.tonnes(split.at[population, column], "en") in caption
    sentences = " ".join(m.value for m in app.markdown)
    assert f"**{locale.number(abs(story.client_km_saved), 'en')} km" in sentences
