"""Cached reads of the loaded data that single pages need beyond ui.compute's cube and rows.

Keyed with `hash_funcs`: a cursor hashes as the dataset version it reads, so a new load is a
new cache entry and no function takes a dummy key argument. (To be folded into ui/compute.py,
the one owner of cached engine calls.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from calc import dataset, staff_travel
from calc import origins as calc_origins
from ui import db

# A cursor stands for the data set it reads: the dataset version changes with every load.
BY_DATASET: dict[str | type[Any], Callable[[Any], Any]] = {duckdb.DuckDBPyConnection: db.version_of}


@st.cache_data(show_spinner=False, max_entries=4, hash_funcs=BY_DATASET)
def origins(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """calc.origins.load_origins of the loaded data set."""
    return calc_origins.load_origins(con)


@st.cache_data(show_spinner=False, max_entries=4, hash_funcs=BY_DATASET)
def trips(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """calc.staff_travel.load_trips of the loaded data set."""
    return staff_travel.load_trips(con)


@st.cache_data(show_spinner=False, max_entries=8, hash_funcs=BY_DATASET)
def table_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """calc.dataset.table_counts of the loaded data set."""
    return dataset.table_counts(con)
