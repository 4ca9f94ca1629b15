"""The one owner of cached engine calls, keyed by dataset version and factor-set fingerprint.

Heavy work (reading the database into the cube, computing all years, the comparison's
simulation, a scenario's base year) runs once per data set, factor set and selection; pages and
slider moves only read these results. Keys come from `hash_funcs`: a factor set hashes as its
fingerprint and a database cursor as the version of the data set it reads, so no function
takes a dummy key argument and a new load is a new cache entry.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from calc import comparison as calc_comparison
from calc import indicators, model, origins, presenter, privacy, simulation
from calc import scenario as calc_scenario
from calc.factors import FactorSet
from ui import cached_views, db

FACTORS_KEY = "factor_table"  # session: the factor table as edited on the method page
BY_DATA_AND_FACTORS: dict[str | type[Any], Callable[[Any], Any]] = {
    duckdb.DuckDBPyConnection: db.version_of,
    FactorSet: FactorSet.fingerprint,
}


def factors() -> FactorSet:
    """The active factor set: the shipped default, or this session's edited copy."""
    edited = st.session_state.get(FACTORS_KEY)
    if edited is None:
        return default_factors()
    # Hashing the table is cheap; validating it again on every rerun is not.
    return _edited_factors(edited)


@st.cache_resource(show_spinner=False)
def default_factors() -> FactorSet:
    return FactorSet.load("default")


@st.cache_resource(show_spinner=False, max_entries=32)
def _edited_factors(table: pd.DataFrame) -> FactorSet:
    return FactorSet.from_frame(table, "edited")


@st.cache_resource(show_spinner=False, max_entries=8, hash_funcs=BY_DATA_AND_FACTORS)
def _cube(
    con: duckdb.DuckDBPyConnection, band_edges_km: tuple[float, ...], banding_detour: float
) -> model.Cube:
    return model.build_cube(con, band_edges_km, banding_detour)


def _cube_for(con: duckdb.DuckDBPyConnection, active: FactorSet) -> model.Cube:
    """The cube of the data `con` reads, in the factor set's distance bands."""
    return _cube(con, model.band_edges(active), active.value("detour_factor"))


def cube() -> model.Cube:
    """The loaded data aggregated to the active factor set's distance bands."""
    return _cube_for(db.cursor(), factors())


@st.cache_data(show_spinner=False, max_entries=16, hash_funcs=BY_DATA_AND_FACTORS)
def _rows(
    con: duckdb.DuckDBPyConnection, active: FactorSet, factor_year: int | None
) -> pd.DataFrame:
    cube = _cube_for(con, active)
    return model.compute(cube, active, factor_year=factor_year)


def rows(factor_year: int | None = None) -> pd.DataFrame:
    """Result rows of every year for the active data and factor set."""
    return _rows(db.cursor(), factors(), factor_year)


@st.cache_data(show_spinner=False, max_entries=16, hash_funcs=BY_DATA_AND_FACTORS)
def _central_rows(
    con: duckdb.DuckDBPyConnection, active: FactorSet, factor_year: int | None
) -> pd.DataFrame:
    return model.compute(_cube_for(con, active), active, factor_year, interval=False)


def central_rows(factor_year: int | None = None) -> pd.DataFrame:
    """`rows()` without the interval columns (kg_co2e_low, kg_co2e_high): the same year, office,
    group, activity, mode, count, km and kg_co2e, for a page that shows no row's interval (the
    overview), at a fraction of the cost of the simulation's draws."""
    return _central_rows(db.cursor(), factors(), factor_year)


@st.cache_data(show_spinner=False, max_entries=64, hash_funcs=BY_DATA_AND_FACTORS)
def _comparison(
    con: duckdb.DuckDBPyConnection,
    active: FactorSet,
    reference: int,
    current: int,
    offices: tuple[str, ...],
    groups: tuple[str, ...],
) -> calc_comparison.Comparison:
    cube = _cube_for(con, active)
    selected = model.select(cube, offices, groups)
    return calc_comparison.compare(selected, active, reference, current)


def comparison(
    reference: int, current: int, offices: tuple[str, ...] = (), groups: tuple[str, ...] = ()
) -> calc_comparison.Comparison:
    """The comparison of two years for a selection of offices and groups (empty = all)."""
    return _comparison(db.cursor(), factors(), reference, current, tuple(offices), tuple(groups))


@st.cache_data(show_spinner=False, max_entries=64, hash_funcs=BY_DATA_AND_FACTORS)
def _scenario_result(
    con: duckdb.DuckDBPyConnection,
    active: FactorSet,
    what_if: calc_scenario.Scenario,
    draws: bool,
) -> calc_scenario.ScenarioResult:
    return calc_scenario.apply(_cube_for(con, active), active, what_if, draws=draws)


def scenario_result(what_if: calc_scenario.Scenario) -> calc_scenario.ScenarioResult:
    """A scenario on the active data and factors (raises ScenarioError like scenario.apply)."""
    return _scenario_result(db.cursor(), factors(), what_if, True)


def scenario_central(what_if: calc_scenario.Scenario) -> calc_scenario.ScenarioResult:
    """scenario_result's central values alone (its intervals collapsed): a lever's figures
    can be shown before the simulation's draws are done."""
    return _scenario_result(db.cursor(), factors(), what_if, False)


@st.cache_data(show_spinner=False, max_entries=32, hash_funcs=BY_DATA_AND_FACTORS)
def _slides(
    con: duckdb.DuckDBPyConnection,
    active: FactorSet,
    reference: int,
    current: int,
    offices: tuple[str, ...],
    groups: tuple[str, ...],
) -> presenter.Slides:
    cube = _cube_for(con, active)
    return presenter.build(
        model.select_rows(_rows(con, active, None), offices, groups),
        privacy.people_counts(cube),
        _comparison(con, active, reference, current, offices, groups),
        active,
        calc_scenario.main_country(cube),
        privacy.min_people_per_cell(),
    )


def slides(
    reference: int, current: int, offices: tuple[str, ...] = (), groups: tuple[str, ...] = ()
) -> presenter.Slides:
    """The presenter's slide figures for a selection, with the privacy rule applied."""
    return _slides(db.cursor(), factors(), reference, current, tuple(offices), tuple(groups))


@st.cache_data(show_spinner=False, max_entries=16, hash_funcs=BY_DATA_AND_FACTORS)
def _scenario_slide(
    con: duckdb.DuckDBPyConnection, active: FactorSet, what_if: calc_scenario.Scenario
) -> presenter.ScenarioSlide:
    cube = _cube_for(con, active)
    return presenter.scenario_slide(
        _scenario_result(con, active, what_if, True),
        privacy.people_counts(cube),
        privacy.min_people_per_cell(),
    )


def scenario_slide(what_if: calc_scenario.Scenario) -> presenter.ScenarioSlide:
    """What a saved scenario would save, for a public slide (raises ScenarioError)."""
    return _scenario_slide(db.cursor(), factors(), what_if)


@st.cache_resource(show_spinner=False)
def simulation_settings() -> simulation.Settings:
    """Draws, seed and percentiles of the intervals (data/simulation.csv)."""
    return simulation.Settings.load()


@st.cache_data(show_spinner=False, max_entries=8, hash_funcs=BY_DATA_AND_FACTORS)
def _people_counts(
    con: duckdb.DuckDBPyConnection, band_edges_km: tuple[float, ...], banding_detour: float
) -> pd.DataFrame:
    return privacy.people_counts(_cube(con, band_edges_km, banding_detour))


def people_counts() -> pd.DataFrame:
    """People per year, office and group of the loaded data: what the privacy rule counts."""
    active = factors()
    return _people_counts(db.cursor(), model.band_edges(active), active.value("detour_factor"))


def years() -> list[int]:
    return cube().years


@st.cache_data(show_spinner=False, max_entries=32, hash_funcs=BY_DATA_AND_FACTORS)
def _office_map_frames(
    con: duckdb.DuckDBPyConnection,
    active: FactorSet,
    year: int,
    offices: tuple[str, ...],
    groups: tuple[str, ...],
    hide_kg_of: tuple[str, ...],
    min_clients: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    cube = _cube_for(con, active)
    contacts = indicators.client_contacts(
        model.select_rows(_rows(con, active, None), offices, groups)
    )
    cells = origins.density_cells(
        cached_views.origins(con), contacts, cube.offices, active, year, min_clients
    )
    points = origins.office_points(contacts, cube.offices, active, year, hide_kg_of=hide_kg_of)
    return cells, points


def office_map_frames(
    year: int,
    offices: tuple[str, ...],
    groups: tuple[str, ...],
    hide_kg_of: tuple[str, ...],
    min_clients: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Offices map of one year for a selection: calc.origins.density_cells (the clients'
    cells of at least `min_clients`) and calc.origins.office_points (without the kg of the
    offices in `hide_kg_of`), of the client contacts in the rows of the selection."""
    return _office_map_frames(
        db.cursor(), factors(), year, tuple(offices), tuple(groups), tuple(hide_kg_of), min_clients
    )


@st.cache_data(show_spinner=False, max_entries=32, hash_funcs=BY_DATA_AND_FACTORS)
def _break_even_table(active: FactorSet, countries: tuple[str, ...], year: int) -> pd.DataFrame:
    return origins.break_even_table(active, countries, year)


def break_even_table(countries: Collection[str], year: int) -> pd.DataFrame:
    """calc.origins.break_even_table with the active factor set."""
    return _break_even_table(factors(), tuple(sorted(countries)), year)


@st.cache_data(show_spinner=False, max_entries=32, hash_funcs=BY_DATA_AND_FACTORS)
def _pooled_contacts(
    con: duckdb.DuckDBPyConnection,
    active: FactorSet,
    year: int | None,
    offices: tuple[str, ...],
    groups: tuple[str, ...],
    min_clients: int,
) -> privacy.SlideTable:
    cube = _cube_for(con, active)
    contacts = indicators.client_contacts(
        model.select_rows(_rows(con, active, None), offices, groups)
    )
    if year is not None:
        contacts = contacts[contacts["year"] == year]
    return privacy.pool_small_offices(contacts, privacy.people_counts(cube), min_clients)


def pooled_contacts(
    year: int | None, offices: tuple[str, ...], groups: tuple[str, ...], min_clients: int
) -> privacy.SlideTable:
    """calc.privacy.pool_small_offices of the client contacts (calc.indicators.client_contacts)
    in the rows of a selection, of one year or of every year (None), under a rule of at least
    `min_clients` people."""
    return _pooled_contacts(
        db.cursor(), factors(), year, tuple(offices), tuple(groups), min_clients
    )
