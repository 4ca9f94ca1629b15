"""The offices & channels page on the demo data: the table is calc's numbers per office.

A page reached with switch_page() runs without app.py's sidebar (see tests/test_app_data.py),
so the shared filters and the language are set through session state, as the sidebar would.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from calc import model, store
from calc.factors import FactorSet
from calc.schema import STAFF_GROUP, Channel

PAGE = "pages/offices.py"
T_DECIMALS = 2


def client_contact_rows(app_db: Path) -> pd.DataFrame:
    """calc's result rows of client contacts, on the app's own database."""
    factors = FactorSet.load("default")
    con = store.connect(app_db)
    try:
        rows = model.compute(model.load_cube(con, factors), factors)
    finally:
        con.close()
    channels = [channel.value for channel in Channel]
    return rows[(rows["group"] != STAFF_GROUP) & rows["activity"].isin(channels)]


def test_table_is_calcs_per_office_and_follows_the_office_filter(
    app: AppTest, app_db: Path
) -> None:
    rows = client_contact_rows(app_db)
    app.switch_page(PAGE).run()
    assert not app.exception
    year = app.session_state["offices_year"]
    assert year == max(rows["year"])  # the current year by default

    table = app.dataframe[0].value
    of_year = rows[rows["year"] == year]
    assert len(table) == of_year.groupby(["office_id", "activity"]).ngroups
    assert table["t CO2e"].sum() == pytest.approx(
        of_year["kg_co2e"].sum() / 1000, abs=len(table) * 0.5 * 10**-T_DECIMALS
    )
    assert table["Contacts"].sum() == pytest.approx(of_year["count"].sum(), abs=len(table))

    office = sorted(set(rows["office_id"]))[0]
    app.session_state["offices"] = [office]
    app.run()

    assert not app.exception
    table = app.dataframe[0].value
    one_office = of_year[of_year["office_id"] == office]
    assert table["Office"].nunique() == 1
    assert table["t CO2e"].sum() == pytest.approx(
        one_office["kg_co2e"].sum() / 1000, abs=len(table) * 0.5 * 10**-T_DECIMALS
    )


def test_other_year_and_language(app: AppTest, app_db: Path) -> None:
    rows = client_contact_rows(app_db)
    app.switch_page(PAGE).run()
    first = sorted(set(rows["year"]))[0]

    app.selectbox(key="offices_year").select(first).run()
    app.session_state["lang"] = "de"
    app.run()

    assert not app.exception
    table = app.dataframe[0].value
    assert list(table.columns[:3]) == ["Standort", "Kanal", "Kontakte"]
    of_first = rows[rows["year"] == first]
    assert table["t CO2e"].sum() == pytest.approx(
        of_first["kg_co2e"].sum() / 1000, abs=len(table) * 0.5 * 10**-T_DECIMALS
    )
