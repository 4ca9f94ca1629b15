"""Cached computations, keyed by dataset version and factor-set fingerprint.

Heavy work (reading the database into the cube, computing all years) runs once per data set and
factor set; pages and slider moves only read these results.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from calc import model
from calc.factors import FactorSet
from ui import db

FACTORS_KEY = "factor_table"  # session: the factor table as edited on the method page


def factors() -> FactorSet:
    """The active factor set: the shipped default, or this session's edited copy."""
    edited = st.session_state.get(FACTORS_KEY)
    if edited is None:
        return _default_factors()
    # Hashing the table is cheap; validating it again on every rerun is not.
    contents = int(pd.util.hash_pandas_object(edited, index=False).sum())
    return _edited_factors(contents, edited)


@st.cache_resource(show_spinner=False)
def _default_factors() -> FactorSet:
    return FactorSet.load("default")


@st.cache_resource(show_spinner=False, max_entries=32)
def _edited_factors(contents: int, _table: pd.DataFrame) -> FactorSet:
    del contents  # the cache key
    return FactorSet.from_frame(_table, "edited")


@st.cache_resource(show_spinner=False, max_entries=8)
def _cube(version: str, band_key: tuple, _factors: FactorSet) -> model.Cube:
    del version, band_key  # cache keys
    return model.load_cube(db.cursor(), _factors)


def cube() -> model.Cube:
    active = factors()
    bands = (model.band_edges(active), active.value("detour_factor"))
    return _cube(db.dataset_version(), bands, active)


@st.cache_data(show_spinner=False, max_entries=16)
def _rows(
    version: str, factor_fp: str, factor_year: int | None, _factors: FactorSet
) -> pd.DataFrame:
    del version, factor_fp  # cache keys
    return model.compute(cube(), _factors, factor_year=factor_year)


def rows(factor_year: int | None = None) -> pd.DataFrame:
    """Result rows of every year for the active data and factor set."""
    active = factors()
    return _rows(db.dataset_version(), active.fingerprint(), factor_year, active)


def years() -> list[int]:
    return cube().years
