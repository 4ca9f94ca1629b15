"""The offices & channels page on the demo data: the table is calc's numbers per office.

A page reached with switch_page() runs without app.py's sidebar (see tests/test_app_data.py),
so the shared filters and the language are set through session state, as the sidebar would.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from calc import indicators, model, origins, privacy, store, units
from calc.factors import FactorSet
from calc.locale import parse_number
from calc.schema import STAFF_GROUP, Channel

PAGE = "pages/offices.py"
T_DECIMALS = 2


def offices_table(at: AppTest) -> pd.DataFrame:
    """The per-office table as shown (the charts' own tables in their expanders come before)."""
    found = [df.value for df in at.dataframe if {"Contacts", "Kontakte"} & set(df.value.columns)]
    assert found, "no per-office table"
    return found[0]


def shown_table(at: AppTest, lang: str = "en") -> pd.DataFrame:
    """The offices table with its number columns read back as the language writes them (the
    page writes them as text in the chosen language)."""
    table = offices_table(at)
    numbers = [c for c in table.columns if c.startswith("t CO2e") or c in {"Contacts", "Kontakte"}]
    return table.assign(**{c: table[c].map(lambda v: parse_number(v, lang)) for c in numbers})


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

    table = shown_table(app)
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
    table = shown_table(app)
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
    raw = offices_table(app)
    assert list(raw.columns[:3]) == ["Standort", "Kanal", "Kontakte"]
    # German separators: a decimal comma, never a decimal point (1.234,56, not 1,234.56)
    assert raw["t CO2e"].str.fullmatch(r"\u2212?\d{1,3}(\.\d{3})*,\d\d").all()
    table = shown_table(app, "de")
    of_first = rows[rows["year"] == first]
    assert table["t CO2e"].sum() == pytest.approx(
        of_first["kg_co2e"].sum() / 1000, abs=len(table) * 0.5 * 10**-T_DECIMALS
    )


def write_rule(path: Path, min_people: int) -> Path:
    path.write_text(
        "key,value,unit,source,reason\n"
        f"min_people_per_cell,{min_people},people,test,a stricter rule\n",
        encoding="utf-8",
    )
    return path


def map_origins(at: AppTest) -> pd.DataFrame:
    """The density cells of client homes the map draws: the properties of the GeoJSON cells
    in the map's spec (clients, visits, t_co2e; Altair keeps inline data under `datasets`)."""
    for chart in at.get("vega_lite_chart"):
        if chart.proto.alt.startswith("Map"):
            for values in json.loads(chart.proto.spec).get("datasets", {}).values():
                features = values.get("features", []) if isinstance(values, dict) else []
                cells = [f["properties"] for f in features if "clients" in f["properties"]]
                if cells:
                    return pd.DataFrame(cells)
    raise AssertionError("no map with client origins on the page")


def map_caption(at: AppTest) -> str:
    return next(c.value for c in at.caption if "Base map: Natural Earth" in c.value)


def test_map_follows_the_threshold_in_privacy_csv(
    app: AppTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.switch_page(PAGE).run()
    assert not app.exception
    shipped = map_origins(app)
    assert shipped["clients"].min() >= privacy.min_people_per_cell() == 5
    assert f"fewer than {privacy.min_people_per_cell()} clients" in map_caption(app)

    # A stricter rule in the file: the cells below it leave the map, the others stay as they were.
    stricter = int(shipped["clients"].median()) + 1
    monkeypatch.setattr(privacy, "PRIVACY_PATH", write_rule(tmp_path / "privacy.csv", stricter))
    app.run()

    assert not app.exception
    strict = map_origins(app)
    kept = shipped[shipped["clients"] >= stricter].reset_index(drop=True)
    assert 0 < len(strict) < len(shipped)
    pd.testing.assert_frame_equal(strict.reset_index(drop=True), kept)
    assert f"fewer than {stricter} clients" in map_caption(app)


def test_offices_below_a_stricter_rule_are_pooled_in_the_table(
    app: AppTest, app_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = client_contact_rows(app_db)
    year = max(rows["year"])
    con = store.connect(app_db)
    try:
        cube = model.load_cube(con, FactorSet.load("default"))
    finally:
        con.close()
    counts = privacy.people_counts(cube)
    clients = (
        counts[(counts["year"] == year) & (counts["population"] == privacy.CLIENTS)]
        .groupby("office_id")["people"]
        .sum()
        .sort_values()
    )
    # A rule one above the smallest office: it is pooled with the next-smallest, whose clients
    # bring the pooled cell above the rule.
    smallest, next_smallest = clients.index[:2]
    monkeypatch.setattr(
        privacy, "PRIVACY_PATH", write_rule(tmp_path / "p.csv", clients.iloc[0] + 1)
    )
    app.switch_page(PAGE).run()

    assert not app.exception
    table = shown_table(app)
    names = dict(zip(cube.offices["office_id"], cube.offices["name"], strict=True))
    assert names[smallest] not in set(table["Office"])
    assert names[next_smallest] not in set(table["Office"])
    pooled_kg = rows[(rows["year"] == year) & rows["office_id"].isin([smallest, next_smallest])]
    other = table[table["Office"] == "Other offices"]
    assert other["t CO2e"].sum() == pytest.approx(
        pooled_kg["kg_co2e"].sum() / 1000, abs=len(other) * 0.5 * 10**-T_DECIMALS
    )
    assert any("shown together" in caption.value for caption in app.caption)


def test_map_cells_are_calcs_and_follow_the_office_filter(app: AppTest, app_db: Path) -> None:
    """The map's cells (kept per selection and year by ui.compute) are calc's density cells of
    the selection shown, also after the office filter changes."""

    def expected_cells(offices: list[str]) -> pd.DataFrame:
        factors = FactorSet.load("default")
        con = store.connect(app_db)
        try:
            cube = model.load_cube(con, factors)
            contacts = indicators.client_contacts(
                model.select_rows(model.compute(cube, factors), offices, [])
            )
            cells = origins.density_cells(
                origins.load_origins(con), contacts, cube.offices, factors, max(cube.years)
            )
        finally:
            con.close()
        return pd.DataFrame(
            {
                "clients": cells["clients"].astype(float),
                "visits": cells["visits"].astype(float),
                "t_co2e": cells["kg_co2e"] / units.KG_PER_T,
            }
        )

    # GIVEN the page with every office
    app.switch_page(PAGE).run()
    assert not app.exception
    everyone = map_origins(app)
    pd.testing.assert_frame_equal(everyone, expected_cells([]), rtol=1e-9)

    # WHEN one office is selected, THEN the map shows that office's clients only
    office = sorted(client_contact_rows(app_db)["office_id"].unique())[0]
    app.session_state["offices"] = [office]
    app.run()
    assert not app.exception
    one = map_origins(app)
    pd.testing.assert_frame_equal(one, expected_cells([office]), rtol=1e-9)
    assert one["clients"].sum() < everyone["clients"].sum()
