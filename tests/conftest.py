"""Shared fixtures: a demo database built once per test run, and a fresh copy per app test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from calc import demo, loaders, pseudonyms, store
from calc.roles import Role

REPO_DIR = Path(__file__).resolve().parent.parent
APP_FILE = REPO_DIR / "app.py"
APP_TIMEOUT_S = 60


@pytest.fixture(scope="session", autouse=True)
def _page_errors_raise() -> Iterator[None]:
    """A page that fails raises in the test (AppTest's at.exception) instead of showing the
    short message with an error id that users see (app.py run_page)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WEGBILANZ_DEBUG", "1")
        # ... and in full: users see no trace (client.showErrorDetails), the tests do.
        patch.setenv("STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", "full")
        yield


@pytest.fixture(scope="session", autouse=True)
def _pseudonym_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A pseudonym key of the test run's own, never the user's (~/.config/wegbilanz)."""
    path = tmp_path_factory.mktemp("key") / "pseudonym.key"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(pseudonyms.KEY_FILE_ENV, str(path))
        patch.delenv(pseudonyms.KEY_ENV, raising=False)
        yield path


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the full default demo data set loaded, built once per test run."""
    folder = tmp_path_factory.mktemp("demo")
    demo.generate(folder / "csv")
    path = folder / "demo.duckdb"
    loaders.load_version(path, folder / "csv", label="demo", role=Role.STEWARD)
    return path


def copy_store(source: Path, target: Path) -> Path:
    """A private copy of a store: its state file (if any) and its data versions."""
    if source.exists():
        shutil.copy(source, target)
    shutil.copytree(store.Store(source).data_dir, store.Store(target).data_dir)
    return target


@pytest.fixture
def app_db(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo store that the app under test opens."""
    path = copy_store(demo_db, tmp_path / "app.duckdb")
    monkeypatch.setenv(store.DB_PATH_ENV, str(path))
    return path


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    """Each app test starts cold: cached connections must not leak between databases."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def app(app_db: Path) -> AppTest:
    """The real app on the demo data, in English, run once (the overview page)."""
    at = AppTest.from_file(str(APP_FILE), default_timeout=APP_TIMEOUT_S)
    at.query_params["lang"] = "en"
    return at.run()
