"""The staff & home-office page on the demo data: the home-office balance is calc's.

A page reached with switch_page() runs without app.py's sidebar (see tests/test_app_data.py),
so the language and the factor edit are set through session state, as the app would.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from calc import model, store
from calc.factors import FactorSet
from calc.schema import Activity
from ui import compute
from ui.i18n import catalogue

PAGE = "pages/staff.py"
NET_COLUMN = "Net saving (kg CO2e per day)"
KG_DECIMALS = 2


def balance_table(at: AppTest) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if NET_COLUMN in df.value.columns)


def expected_net_kg(app_db: Path, factors: FactorSet) -> dict[str, float]:
    """Per office name: commute kg per office day minus home energy kg per home-office day."""
    con = store.connect(app_db)
    try:
        cube = model.load_cube(con, factors)
    finally:
        con.close()
    rows = model.compute(cube, factors)
    year = max(rows["year"])
    commute = rows[(rows["activity"] == Activity.COMMUTE.value) & (rows["year"] == year)]
    per_office = commute.groupby("office_id")[["kg_co2e", "count"]].sum()
    offices = cube.offices.set_index("office_id").loc[per_office.index]
    fx = model.factor_table(factors, offices.assign(year=year)[["country", "year"]], "central")
    added_kg = dict(zip(fx["country"], model.homeoffice_kg_per_day(fx), strict=True))
    saved_kg = per_office["kg_co2e"] / per_office["count"]
    return {
        offices.loc[office, "name"]: saved_kg[office] - added_kg[offices.loc[office, "country"]]
        for office in per_office.index
    }


def test_home_office_balance_is_calcs_and_says_so_when_it_costs(app: AppTest, app_db: Path) -> None:
    app.switch_page(PAGE).run()
    assert not app.exception
    default = FactorSet.load("default")
    shown = balance_table(app).set_index("Office")[NET_COLUMN].to_dict()
    expected = expected_net_kg(app_db, default)
    assert shown == pytest.approx(expected, abs=0.5 * 10**-KG_DECIMALS)
    assert all(net > 0 for net in expected.values())  # the demo's home office pays off
    assert not app.warning

    # Ten times the heating of a home-office day makes it cost more than it saves, everywhere.
    heating = default.value("homeoffice_heating_kwh_per_day")
    costly = default.with_overrides({"homeoffice_heating_kwh_per_day": 10 * heating})
    app.session_state[compute.FACTORS_KEY] = costly.table
    app.run()

    assert not app.exception
    expected = expected_net_kg(app_db, costly)
    assert all(net < 0 for net in expected.values())
    assert balance_table(app).set_index("Office")[NET_COLUMN].to_dict() == pytest.approx(
        expected, abs=0.5 * 10**-KG_DECIMALS
    )
    assert len(app.warning) == len(expected)
    assert all(
        name in warning.value
        for name, warning in zip(balance_table(app)["Office"], app.warning, strict=True)
    )


def test_switching_language_changes_the_labels(app: AppTest) -> None:
    app.switch_page(PAGE).run()
    assert app.title[0].value == catalogue()["staff.title"]["en"]

    app.session_state["lang"] = "de"
    app.run()

    assert not app.exception
    assert app.title[0].value == catalogue()["staff.title"]["de"]
    assert app.subheader[0].value == catalogue()["staff.commute.title"]["de"]
