"""The store of this process: the state database, a cursor per browser session that follows the
current data version, and the demo data on first start."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd
import streamlit as st

from calc import demo, store
from calc.roles import Role
from calc.store import SCHEMA_VERSION
from ui.i18n import t

if TYPE_CHECKING:  # the loader (and openpyxl with it) is imported when a load runs
    from calc import geo, loaders

_first_load = threading.Lock()
FELL_BACK_KEY = "db_fell_back_from"  # session: a current version whose file could not be read
FOLLOWED_KEY = "db_followed"  # session: (store signature, search path, store.Followed)


def path() -> Path:
    """Where the store lives ($WEGBILANZ_DB or data/wegbilanz.duckdb)."""
    return store.default_db_path()


@st.cache_resource(show_spinner=False)
def _database() -> duckdb.DuckDBPyConnection:
    where = path()
    con = store.connect(where)
    with _first_load:
        if store.Store(where).current() is None:
            # First start on a fresh machine: the app must open on the demo data by itself
            # (the app loads it, for whoever comes first), as quickly as on any later start:
            # the demo ships loaded (calc.demo.load_prebuilt).
            if demo.has_prebuilt():
                demo.load_prebuilt(where, role=Role.STEWARD)
            else:
                load_demo(Role.STEWARD)
            store.follow(con, where)
    return con


def process_database() -> duckdb.DuckDBPyConnection:
    """The process's connection, for work outside a page run (e.g. a download built when
    clicked): take a cursor of it and close that when done."""
    return _database()


def _close(cursor: duckdb.DuckDBPyConnection) -> None:
    cursor.close()


@st.cache_resource(scope="session", on_release=_close, show_spinner=False)
def _session_cursor() -> duckdb.DuckDBPyConnection:
    return _database().cursor()


def cursor() -> duckdb.DuckDBPyConnection:
    """This session's cursor, reading the current data version: sessions never share a pending
    result or a transaction, and a load by another session or the command line is picked up on
    the next run. A database written by a newer Wegbilanz stops the page with a message."""
    try:
        session_cursor = _session_cursor()
    except store.SchemaError as error:
        st.error(
            t("db.newer_schema", path=error.where, found=error.found, supported=SCHEMA_VERSION),
            icon=":material/database:",
        )
        st.stop()
    # Following the store reads CURRENT, lists the versions and asks the cursor twice (a few
    # ms): pages ask for the cursor a dozen times a run, so it is followed again only when the
    # store changed or the cursor does not read what it was pointed at.
    signature = store.Store(path()).signature()
    search_path = session_cursor.execute("SELECT current_setting('search_path')").fetchall()
    last = st.session_state.get(FOLLOWED_KEY)
    if last is None or last[:2] != (signature, search_path[0][0]):
        followed = store.follow(session_cursor, path())
        search_path = session_cursor.execute("SELECT current_setting('search_path')").fetchall()
        st.session_state[FOLLOWED_KEY] = (signature, search_path[0][0], followed)
    else:
        followed = last[2]
    st.session_state[FELL_BACK_KEY] = followed.fell_back_from
    return session_cursor


def fell_back_from() -> str | None:
    """A current version this session could not read (it reads an older one instead)."""
    return st.session_state.get(FELL_BACK_KEY)


def has_data() -> bool:
    """Whether a readable data set is loaded (every page but Data needs one)."""
    return store.has_data(cursor())


def state_set_aside() -> str | None:
    """Where a damaged state file was moved to on this start (None if it was fine)."""
    return store.meta_value(cursor(), store.SET_ASIDE_KEY)


def forget_state_notice() -> None:
    store.clear_meta(cursor(), store.SET_ASIDE_KEY)


def dataset_version() -> str:
    return store.dataset_version(cursor())


def dataset_label() -> str:
    return store.dataset_value(cursor(), "dataset_label") or ""


def is_demo() -> bool:
    return dataset_label() == "demo"


def load_demo(role: Role | None) -> loaders.LoadReport:
    """Load the shipped demo data set as a new version (steward role)."""
    from calc import loaders

    with tempfile.TemporaryDirectory(prefix="wegbilanz-demo-") as folder:
        demo.generate(Path(folder))
        return loaders.load_version(path(), folder, label="demo", role=role)


def reset_to_demo(role: Role | None) -> loaders.LoadReport:
    report = load_demo(role)
    cursor()  # follow the new version now
    return report


def load_upload(
    files: dict[str, bytes],
    *,
    geocoder: geo.OnlineGeocoder | None,
    progress: loaders.Progress,
    geocoded: pd.DataFrame | None,
    role: Role | None,
) -> loaders.LoadReport:
    """A checked upload as the new data version, followed by this session at once."""
    from calc import loaders

    report = loaders.load_files_version(
        path(), files, geocoder=geocoder, progress=progress, geocoded=geocoded, role=role
    )
    cursor()
    return report


def versions() -> list[store.Version]:
    return store.Store(path()).versions()


def rollback(version: str, role: Role | None) -> None:
    """Make an earlier data version the current one again, for every session (steward)."""
    store.Store(path()).switch(version, role=role)
    cursor()
