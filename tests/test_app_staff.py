"""The staff & home-office page on the demo data: the home-office balance is calc's.

A page reached with switch_page() runs without app.py's sidebar (see tests/test_app_data.py),
so the language and the factor edit are set through session state, as the app would.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from calc import model, privacy, staff_travel, store
from calc.factors import FactorSet
from calc.locale import parse_number
from calc.schema import STAFF_GROUP
from ui import compute
from ui.i18n import catalogue

PAGE = "pages/staff.py"
NET_COLUMN = "Net saving (kg CO2e per day)"
KG_DECIMALS = 2


def balance_table(at: AppTest, lang: str = "en") -> pd.DataFrame:
    """The balance table with its numbers read back as the language writes them."""
    table = next(df.value for df in at.dataframe if NET_COLUMN in df.value.columns)
    return table.assign(**{NET_COLUMN: table[NET_COLUMN].map(lambda v: parse_number(v, lang))})


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
    assert app.header[0].value == catalogue()["staff.commute.title"]["de"]


def test_offices_with_fewer_staff_than_the_rule_leave_the_balance(
    app: AppTest, app_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = FactorSet.load("default")
    expected = expected_net_kg(app_db, default)
    con = store.connect(app_db)
    try:
        cube = model.load_cube(con, default)
    finally:
        con.close()
    counts = privacy.people_counts(cube)
    year = max(counts["year"])
    staff = counts[(counts["year"] == year) & (counts["population"] == privacy.STAFF)]
    per_office = staff.set_index("office_id")["people"].sort_values()
    # A rule one above the second-smallest staff: the two smallest offices are below it (and
    # pooled together they pass), so neither office's balance may be shown on its own.
    rule = tmp_path / "privacy.csv"
    rule.write_text(
        "key,value,unit,source,reason\n"
        f"min_people_per_cell,{per_office.iloc[1] + 1},people,test,a stricter rule\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(privacy, "PRIVACY_PATH", rule)
    app.switch_page(PAGE).run()

    assert not app.exception
    names = dict(zip(cube.offices["office_id"], cube.offices["name"], strict=True))
    left_out = {names[office] for office in per_office.index[:2]}
    shown = balance_table(app).set_index("Office")[NET_COLUMN].to_dict()
    assert set(shown) == set(expected) - left_out
    assert shown == pytest.approx(
        {name: net for name, net in expected.items() if name not in left_out},
        abs=0.5 * 10**-KG_DECIMALS,
    )
    assert any("are left out" in caption.value for caption in app.caption)
