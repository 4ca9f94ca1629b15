"""The method page: renders, shows calc's numbers, and a factor edit moves every page's total.

About reaching pages with switch_page() in AppTest, see tests/test_app_data.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from calc import locale, model, store
from calc.factors import FactorSet
from calc.schema import Mode
from tests.conftest import APP_FILE, APP_TIMEOUT_S
from tests.test_app_data import overview_current, text
from ui import compute

METHOD_PAGE = "pages/method.py"
EDITOR_KEY = "method_factors_0"  # the editor before any reset
NEW_DETOUR = 1.5


def open_method_page(at: AppTest) -> AppTest:
    at.switch_page(METHOD_PAGE).run()
    assert not at.exception
    return at


def totals_kg(path: Path, factors: FactorSet) -> dict[int, float]:
    """calc's kg CO2e per year on the app's database with the given factors."""
    con = store.connect(path, state=False)
    try:
        return model.totals(model.compute(model.load_cube(con, factors), factors))
    finally:
        con.close()


def edit_cell(at: AppTest, key: str, column: str, value: str) -> AppTest:
    """Type a value into the factor editor's row of `key`, as a person would (as text in the
    page's language), and rerun."""
    position = int(FactorSet.load().table["key"].eq(key).to_numpy().nonzero()[0][0])
    at.session_state[EDITOR_KEY] = {
        "edited_rows": {position: {column: value}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception
    return at


@pytest.mark.parametrize("lang", ["en", "de"])
def test_method_page_renders_with_calc_numbers(app_db, lang):
    at = AppTest.from_file(str(APP_FILE), default_timeout=APP_TIMEOUT_S)
    at.query_params["lang"] = lang
    at.context = {"locale": f"{lang}-AT"}
    open_method_page(at.run())

    assert at.title[0].value == text("method.title", lang)
    assert at.caption[0].value == text("method.factors.active_default", lang)
    factors = FactorSet.load()
    editor = at.data_editor[0].value
    assert len(editor) == len(factors.table)
    assert {"unit", "source", "value", "low", "high"} <= set(editor.columns)
    year = int(re.search(r"\*\*(\d{4})\*\*", at.markdown[0].value).group(1))
    break_even = next(df.value for df in at.dataframe if "video" in df.value.columns)
    car_km = break_even.iloc[[m.value for m in Mode].index("car")]["video"]
    expected_km = model.break_even_km(factors, "AT", year, "video")["car"]
    decimal = "," if lang == "de" else "."
    assert float(car_km.replace(decimal, ".")) == pytest.approx(expected_km, rel=1e-3)


def test_factor_edit_changes_the_overview_total_by_the_computed_amount(app, app_db):
    default = FactorSet.load()
    edited = default.with_overrides({"detour_factor": NEW_DETOUR})
    before_kg, after_kg = totals_kg(app_db, default), totals_kg(app_db, edited)
    year, before_t = overview_current(app)
    assert before_t == pytest.approx(before_kg[year] / 1000, abs=0.05)

    edit_cell(open_method_page(app), "detour_factor", "value", str(NEW_DETOUR))

    assert not app.error
    stored = app.session_state[compute.FACTORS_KEY]
    # Bounds follow the value as with `--set`: the same numbers as calc's with_overrides.
    pd.testing.assert_frame_equal(
        stored[["key", "value", "low", "high"]], edited.table[["key", "value", "low", "high"]]
    )
    # The page runs inside app.py's frame, whose demo notice may come first.
    assert text("method.factors.active_edited").format(count=1) in [i.value for i in app.info]
    after_year, after_t = overview_current(app)
    assert after_year == year
    assert after_t == pytest.approx(after_kg[year] / 1000, abs=0.05)
    change_t = (after_kg[year] - before_kg[year]) / 1000
    assert change_t > 1  # a longer detour lengthens every computed trip: tonnes, not noise
    assert after_t - before_t == pytest.approx(change_t, abs=0.1)


def test_invalid_factor_edit_is_explained_and_not_applied(app, app_db):
    year, before_t = overview_current(app)

    edit_cell(open_method_page(app), "detour_factor", "low", "9")  # above its value 1.3

    assert app.error[0].value.startswith("table 'edited': row ")
    assert "column 'low'" in app.error[0].value
    assert compute.FACTORS_KEY not in app.session_state
    assert overview_current(app) == (year, before_t)


def test_reset_returns_to_the_shipped_factors(app, app_db):
    year, before_t = overview_current(app)
    edit_cell(open_method_page(app), "detour_factor", "value", str(NEW_DETOUR))
    assert overview_current(app)[1] != before_t

    open_method_page(app).button(key="method_reset").click().run()

    assert not app.exception
    assert compute.FACTORS_KEY not in app.session_state
    assert app.caption[0].value == text("method.factors.active_default")
    assert overview_current(app) == (year, before_t)


def test_the_headline_factors_are_named_with_their_sources(app: AppTest) -> None:
    open_method_page(app)
    year = app.session_state["cur"]
    # The first table with factor keys: what the current year's figures use.
    headline = next(df.value for df in app.dataframe if "key" in df.value.columns)
    keys = set(headline["key"])
    factors = FactorSet.load()
    # The visit's whole path: car, occupancy, detour, mode shares, and what "avoided" rests on.
    for key in (
        "ef_car_ice_kg_per_vkm",
        "car_occupancy",
        "detour_factor",
        "mode_share_car_10_25km",
        "substitution_video_visits_per_contact",
        "rebound_share",
    ):
        assert key in keys
        shown = headline[headline["key"] == key].iloc[0]
        assert shown["source"] == factors.factor(key, "AT", year).source
    # The counterfactual in one sentence, with the substitution share it uses.
    body = " ".join(m.value for m in app.markdown)
    assert "never more than the phone, video and online contacts added" in body
    assert "video 0.8" in body


def german_method_page(app_db: Path) -> AppTest:
    at = AppTest.from_file(str(APP_FILE), default_timeout=APP_TIMEOUT_S)
    at.query_params["lang"] = "de"
    at.context = {"locale": "en-US"}  # the browser's locale must not decide the separators
    return open_method_page(at.run())


def editor_row(at: AppTest, key: str, country: str = "") -> pd.Series:
    editor = at.data_editor[0].value
    rows = editor[(editor["key"] == key) & (editor["country"].fillna("") == country)]
    return rows.iloc[0]


def test_the_factor_editor_shows_german_numbers(app_db: Path) -> None:
    at = german_method_page(app_db)
    # detour_factor: 1.3 (low 1.2, high 1.435); budget: 1400; the first ev_share row: 0.005905
    detour = editor_row(at, "detour_factor")
    assert (detour["value"], detour["low"], detour["high"]) == ("1,3", "1,2", "1,435")
    assert editor_row(at, "budget_per_capita_kg_per_year")["value"] == "1.400"
    assert "0,005905" in set(at.data_editor[0].value["value"])


def test_a_german_edit_is_read_with_the_decimal_comma(app_db: Path) -> None:
    at = edit_cell(german_method_page(app_db), "detour_factor", "value", "1,5")

    assert not at.error
    stored = at.session_state[compute.FACTORS_KEY]
    assert stored.loc[stored["key"] == "detour_factor", "value"].tolist() == [1.5]
    # The bounds move with the value as with `--set`: 1.2 * 1.5/1.3 and 1.435 * 1.5/1.3.
    detour = editor_row(at, "detour_factor")
    assert detour["value"] == "1,5"
    assert locale.parse_number(detour["low"], "de") == pytest.approx(1.2 * 1.5 / 1.3, rel=1e-9)
    assert locale.parse_number(detour["high"], "de") == pytest.approx(1.435 * 1.5 / 1.3, rel=1e-9)


def test_a_decimal_point_in_a_german_editor_is_refused_in_german(app_db: Path) -> None:
    at = edit_cell(german_method_page(app_db), "detour_factor", "value", "1.5")

    row = int(FactorSet.load().table["key"].eq("detour_factor").to_numpy().nonzero()[0][0]) + 1
    message = at.error[0].value
    assert f"Zeile {row}, Spalte „Wert“: „1.5“ ist keine Zahl in deutscher Schreibweise" in message
    assert "Schreiben Sie Zahlen wie 0,25 oder 1.234,5." in message
    assert at.error[0].proto.title == "Diese Änderung wurde nicht übernommen"
    assert compute.FACTORS_KEY not in at.session_state
