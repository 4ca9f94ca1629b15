"""The staff & home-office page on the demo data: the home-office balance is calc's.

A page reached with switch_page() runs without app.py's sidebar (see tests/test_app_data.py),
so the language and the factor edit are set through session state, as the app would.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from calc import model, staff_travel, store
from calc.factors import FactorSet
from calc.schema import STAFF_GROUP
from ui import compute
from ui.i18n import catalogue

PAGE = "pages/staff.py"
NET_COLUMN = "Net saving (kg CO2e per day)"
KG_DECIMALS = 2


def balance_table(at: AppTest) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if NET_COLUMN in df.value.columns)


def expected_net_kg(app_db: Path, factors: FactorSet) -> dict[str, float]:
    """Per office name: calc's net saving of a home-office day in the current year (worked out
    by hand in tests/test_staff_travel.py), on the app's own database."""
    con = store.connect(app_db)
    try:
        cube = model.load_cube(con, factors)
    finally:
        con.close()
    rows = model.compute(cube, factors)
    staff = rows[rows["group"] == STAFF_GROUP]
    balance = staff_travel.homeoffice_balance(staff, cube.offices, factors, max(rows["year"]))
    names = dict(zip(cube.offices["office_id"], cube.offices["name"], strict=True))
    return {names[o]: net for o, net in zip(balance["office_id"], balance["net_kg"], strict=True)}


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
