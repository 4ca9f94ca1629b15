"""The overview page on the demo data: its figures are what calc computes for the same data.

The `app` fixture's first run goes through app.py, so the sidebar's widgets (keys ref, cur,
offices, lang) are there to set; later runs may show the page alone (see tests/test_app_data.py),
which is fine, as the page reads those keys from session state.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from calc import model, store
from calc.factors import FactorSet

# Metric order on the page: reference, current, difference, avoided by digital channels.
REFERENCE, CURRENT, DIFFERENCE, AVOIDED = range(4)
TONNE_DECIMALS = 1


def shown_tonnes(text: str) -> float:
    """A metric's English text ("1,234.5 t", "−619.8 t") back to a number of tonnes."""
    return float(text.removesuffix(" t").replace(",", "").replace("\u2212", "-"))


def expected_tonnes(comparison: model.Comparison) -> list[float]:
    return [
        round(kg / 1000, TONNE_DECIMALS)
        for kg in (
            comparison.reference_kg,
            comparison.current_kg,
            comparison.difference_kg,
            comparison.avoided_by_channels_kg,
        )
    ]


def headline(at: AppTest) -> list[float]:
    return [shown_tonnes(at.metric[i].value) for i in (REFERENCE, CURRENT, DIFFERENCE, AVOIDED)]


@pytest.fixture
def calc_rows(app_db: Path) -> tuple[pd.DataFrame, float]:
    """Result rows computed by calc on the app's database, and the rebound share."""
    factors = FactorSet.load("default")
    con = store.connect(app_db)
    try:
        rows = model.compute(model.load_cube(con, factors), factors)
    finally:
        con.close()
    return rows, factors.value("rebound_share")


def test_figures_are_calcs_and_follow_the_current_year(app: AppTest, calc_rows) -> None:
    rows, rebound = calc_rows
    assert not app.exception
    reference, current = app.session_state["ref"], app.session_state["cur"]
    before = headline(app)
    assert before == pytest.approx(
        expected_tonnes(model.compare(rows, reference, current, rebound)), abs=1e-9
    )

    other = next(year for year in sorted(set(rows["year"])) if year not in (reference, current))
    app.selectbox(key="cur").select(other).run()

    assert not app.exception
    expected = expected_tonnes(model.compare(rows, reference, other, rebound))
    assert headline(app) == pytest.approx(expected, abs=1e-9)
    assert headline(app)[CURRENT] != before[CURRENT]


def test_office_filter_changes_the_figures(app: AppTest, calc_rows) -> None:
    rows, rebound = calc_rows
    everything = headline(app)
    office = sorted(set(rows["office_id"]))[0]

    app.multiselect(key="offices").set_value([office]).run()

    assert not app.exception
    reference, current = app.session_state["ref"], app.session_state["cur"]
    one_office = rows[rows["office_id"] == office]
    expected = expected_tonnes(model.compare(one_office, reference, current, rebound))
    assert headline(app) == pytest.approx(expected, abs=1e-9)
    assert headline(app)[REFERENCE] < everything[REFERENCE]


def test_switching_language_changes_the_labels(app: AppTest) -> None:
    english = [metric.label for metric in app.metric]

    app.selectbox(key="lang").select("de").run()

    assert not app.exception
    german = [metric.label for metric in app.metric]
    assert german[REFERENCE].startswith("Referenzjahr")
    assert all(de != en for de, en in zip(german[:4], english[:4], strict=True))
    # German separators: a thousands point and a decimal comma.
    assert "," in app.metric[REFERENCE].value
