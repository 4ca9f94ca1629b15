"""One DuckDB database per process, a cursor per browser session, demo data on first start."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import duckdb
import streamlit as st

from calc import demo, loaders, store

_first_load = threading.Lock()


@st.cache_resource(show_spinner=False)
def _database() -> duckdb.DuckDBPyConnection:
    con = store.connect()
    with _first_load:
        if not store.has_data(con):
            # First start on a fresh machine: the app must open on the demo data by itself.
            with tempfile.TemporaryDirectory(prefix="wegbilanz-demo-") as folder:
                demo.generate(Path(folder))
                loaders.load(con, folder, label="demo")
    return con


def _close(cursor: duckdb.DuckDBPyConnection) -> None:
    cursor.close()


@st.cache_resource(scope="session", on_release=_close, show_spinner=False)
def cursor() -> duckdb.DuckDBPyConnection:
    """This session's cursor: sessions never share a pending result or a transaction."""
    return _database().cursor()


def dataset_version() -> str:
    return store.dataset_version(cursor())


def dataset_label() -> str:
    return store.meta_value(cursor(), "dataset_label") or ""


def is_demo() -> bool:
    return dataset_label() == "demo"


def reset_to_demo() -> loaders.LoadReport:
    with tempfile.TemporaryDirectory(prefix="wegbilanz-demo-") as folder:
        demo.generate(Path(folder))
        return loaders.load(cursor(), folder, label="demo")
