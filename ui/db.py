"""One DuckDB database per process, a cursor per browser session, demo data on first start."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import duckdb
import streamlit as st

from calc import demo, loaders, store
from calc.store import SCHEMA_VERSION
from ui.i18n import t

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
def _session_cursor() -> duckdb.DuckDBPyConnection:
    return _database().cursor()


def cursor() -> duckdb.DuckDBPyConnection:
    """This session's cursor: sessions never share a pending result or a transaction.

    A database written by a newer Wegbilanz stops the page with a message instead of a trace.
    """
    try:
        return _session_cursor()
    except store.SchemaError as error:
        st.error(
            t("db.newer_schema", path=error.where, found=error.found, supported=SCHEMA_VERSION),
            icon=":material/database:",
        )
        st.stop()


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
