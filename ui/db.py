"""The store of this process: the state database, a cursor per browser session that follows the
current data version, and the demo data on first start."""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from calc import demo, store
from calc.roles import Role
from calc.store import SCHEMA_VERSION
from ui.i18n import t

if TYPE_CHECKING:  # the loader (and openpyxl with it) is imported when a load runs
    from calc import geo, loaders

_first_load = threading.Lock()
FELL_BACK_KEY = "db_fell_back_from"  # session: a current version whose file could not be read
FOLLOWED_KEY = "db_followed"  # session: the _Following of this session's cursor


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


@dataclass(frozen=True)
class _Following:
    """What a session's cursor was last pointed at, and the data set it reads there."""

    cursor: duckdb.DuckDBPyConnection
    signature: tuple[int, ...]  # store.Store.signature when it was followed
    followed: store.Followed
    dataset_version: str
    dataset_label: str


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
    # Following the store reads CURRENT, lists the versions and asks the cursor (a few ms);
    # pages ask for the cursor and cached calls for its data version some forty times a run.
    # So the cursor follows again only when the store changed (its signature: two stat calls)
    # or the session has a new cursor (only store.follow points a cursor elsewhere), and the
    # data version and label are read once per follow.
    signature = store.Store(path()).signature()
    last = st.session_state.get(FOLLOWED_KEY)
    if last is None or last.cursor is not session_cursor or last.signature != signature:
        followed = store.follow(session_cursor, path())
        last = _Following(
            session_cursor,
            signature,
            followed,
            store.dataset_version(session_cursor),
            store.dataset_value(session_cursor, "dataset_label") or "",
        )
        st.session_state[FOLLOWED_KEY] = last
    st.session_state[FELL_BACK_KEY] = last.followed.fell_back_from
    return session_cursor


def version_of(con: duckdb.DuckDBPyConnection) -> str:
    """The data version a cursor reads (a cache key): this session's cursor's as read when it
    last followed the store (ui.db.cursor), any other's from its database."""
    # A download built when clicked runs outside the script run: no session state there.
    last = st.session_state.get(FOLLOWED_KEY) if get_script_run_ctx() else None
    if last is not None and last.cursor is con:
        return str(last.dataset_version)
    return store.dataset_version(con)


def fell_back_from() -> str | None:
    """A current version this session could not read (it reads an older one instead)."""
    return st.session_state.get(FELL_BACK_KEY)


def has_data() -> bool:
    """Whether a readable data set is loaded (every page but Data needs one)."""
    return dataset_version() != store.NO_DATA_VERSION


def state_set_aside() -> str | None:
    """Where a damaged state file was moved to on this start (None if it was fine)."""
    return store.meta_value(cursor(), store.SET_ASIDE_KEY)


def forget_state_notice() -> None:
    store.clear_meta(cursor(), store.SET_ASIDE_KEY)


def dataset_version() -> str:
    return version_of(cursor())


def dataset_label() -> str:
    cursor()
    return str(st.session_state[FOLLOWED_KEY].dataset_label)


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
