"""The versioned store: loads never touch the version in use, readers never block a load, a
killed load leaves nothing behind that matters, damaged files fall back, bad input is refused
with its file, row and column — and the earlier data stays.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from calc import cli, demo, model, store
from calc.factors import FactorSet
from calc.loaders import LoadError, load_version
from calc.roles import Role
from tests.conftest import APP_FILE, APP_TIMEOUT_S, REPO_DIR
from tests.test_loaders import CLIENTS, OFFICES, write_dataset
from ui import db, filters

CLIENT_HEADER = CLIENTS.splitlines()[0]


def totals(path: Path) -> dict[int, float]:
    """kg CO2e per year of the store's current version, as the command line reads it."""
    con = store.connect(path, state=False)
    try:
        factors = FactorSet.load()
        return model.totals(model.compute(model.load_cube(con, factors), factors))
    finally:
        con.close()


def leftovers(path: Path) -> list[str]:
    return sorted(p.name for p in store.Store(path).data_dir.glob("*.partial*"))


def with_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str, value: str) -> None:
    """data/store.csv with one setting changed, for this test only."""
    lines = store.STORE_SETTINGS_PATH.read_text(encoding="utf-8").splitlines()
    changed = [
        ",".join([key, value, *line.split(",")[2:]]) if line.startswith(f"{key},") else line
        for line in lines
    ]
    limits = tmp_path / "store.csv"
    limits.write_text("\n".join(changed) + "\n", encoding="utf-8")
    monkeypatch.setattr(store, "STORE_SETTINGS_PATH", limits)


@pytest.fixture
def two_loads(tmp_path: Path) -> tuple[Path, str, str]:
    """A store with two loads: 2019 and 2022 clients, then 2019 only."""
    path = tmp_path / "store.duckdb"
    first = load_version(
        path, write_dataset(tmp_path / "first"), label="first", role=Role.STEWARD
    ).dataset_version
    only_2019 = "\n".join(line for line in CLIENTS.splitlines() if not line.startswith("2022"))
    second = load_version(
        path,
        write_dataset(tmp_path / "second", clients=only_2019 + "\n"),
        label="second",
        role=Role.STEWARD,
    ).dataset_version
    return path, first, second


def test_every_load_is_a_version_and_a_rollback_brings_one_back(two_loads):
    path, first, second = two_loads
    versions = store.Store(path).versions()
    assert [(v.version, v.label, v.is_current) for v in versions] == [
        (second, "second", True),
        (first, "first", False),
    ]
    assert set(totals(path)) == {2019}
    assert cli.main(["rollback", first, "--db", str(path)]) == 0
    assert set(totals(path)) == {2019, 2022}
    assert cli.main(["rollback", "no-such-version", "--db", str(path)]) == cli.EXIT_BAD_INPUT


def test_the_gazetteer_is_built_once_beside_the_versions_not_copied_into_each(two_loads):
    """Both loads resolved places (Villach, Klagenfurt) through one gazetteer file in the
    store's data folder; no version file carries a gazetteer table of its own."""
    path, first, second = two_loads
    where = store.Store(path)
    editions = list((where.data_dir / "gazetteer").glob("*.duckdb"))
    assert len(editions) == 1
    for version in (first, second):
        con = duckdb.connect(str(where.version_path(version)), read_only=True)
        try:
            tables = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
            located = con.execute("SELECT count(origin_lat) FROM clients").fetchall()[0][0]
        finally:
            con.close()
        assert "gazetteer" not in tables
        assert located > 0
    assert {v.version for v in where.versions()} == {first, second}  # the edition is no version


def test_a_reader_follows_a_switch_on_its_next_run(two_loads):
    path, first, second = two_loads
    reader = store.connect(path)
    assert store.dataset_version(reader) == second
    store.Store(path).switch(first, role=Role.STEWARD)
    # Until it follows, the reader keeps reading the version it attached ...
    assert store.dataset_version(reader) == second
    followed = store.follow(reader, path)
    assert followed.version == first and followed.fell_back_from is None
    assert store.dataset_version(reader) == first
    reader.close()


def test_only_the_last_versions_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with_setting(tmp_path, monkeypatch, "keep_versions", "2")
    path = tmp_path / "store.duckdb"
    loaded = [
        load_version(
            path, write_dataset(tmp_path / f"load{n}"), label=f"load {n}", role=Role.STEWARD
        ).dataset_version
        for n in range(4)
    ]
    assert [v.version for v in store.Store(path).versions()] == loaded[:1:-1]


def test_a_header_only_clients_file_is_refused_and_the_data_stays(two_loads, tmp_path):
    path, _, second = two_loads
    before = totals(path)
    folder = write_dataset(tmp_path / "empty", clients=CLIENT_HEADER + "\n")
    with pytest.raises(LoadError) as refused:
        load_version(path, folder, role=Role.STEWARD)
    assert "clients.csv: expected at least one data row" in str(refused.value)
    assert store.Store(path).current() == second
    assert totals(path) == before
    assert leftovers(path) == []


@pytest.mark.parametrize(
    ("cell", "column", "expected"),
    [
        pytest.param("inf", "distance_km", "a finite number", id="inf"),
        pytest.param("nan", "distance_km", "a finite number", id="nan"),
        pytest.param("1e308", "distance_km", "0 to 1,000 km", id="huge-distance"),
        pytest.param("3000000000", "in_person", "0 to 400 contacts", id="beyond-int32"),
        pytest.param("1e308", "in_person", "0 to 400 contacts", id="beyond-int64"),
    ],
)
def test_numbers_out_of_range_name_row_column_and_range(
    two_loads, tmp_path, cell, column, expected
):
    path, _, second = two_loads
    values = {"in_person": "4", "distance_km": "10", column: cell}
    row = f"2022,zoe-1,KLU,,{values['in_person']},0,0,0,car,{values['distance_km']}"
    folder = write_dataset(tmp_path / "bad", clients=f"{CLIENT_HEADER}\n{row}\n")
    with pytest.raises(LoadError) as refused:
        load_version(path, folder, role=Role.STEWARD)
    message = str(refused.value)
    assert f"clients.csv, row 2, column '{column}'" in message
    assert cell in message and expected in message
    assert store.Store(path).current() == second


def test_a_workbook_beyond_the_unpacked_limit_is_refused_before_reading(
    two_loads, tmp_path, monkeypatch: pytest.MonkeyPatch
):
    path, _, second = two_loads
    with_setting(tmp_path, monkeypatch, "max_xlsx_uncompressed_mb", "0.001")
    book = tmp_path / "book.xlsx"
    from calc import templates  # the shipped template is a real workbook

    book.write_bytes(templates.template_workbook())
    with pytest.raises(LoadError, match=r"book\.xlsx.*at most 0 MB unpacked"):
        load_version(path, book, role=Role.STEWARD)
    assert store.Store(path).current() == second


# -- processes -----------------------------------------------------------------------------------


def run_calc(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "calc", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO_DIR,
        check=False,
        timeout=600,
    )


def test_a_session_reads_a_switched_version_on_its_next_run(
    two_loads, monkeypatch: pytest.MonkeyPatch
):
    # ui.db remembers the data version a session's cursor reads (the cache key of every
    # engine call) and follows the store again only when it changed: a switch by another
    # process must still reach the session's next run, with the other data set's years.
    path, first, second = two_loads
    at = open_app(path, monkeypatch)
    assert at.session_state[db.FOLLOWED_KEY].dataset_version == second
    assert at.sidebar.selectbox(key=filters.CURRENT_KEY).options == ["2019"]
    at.run()  # nothing changed: the same version, the same years
    assert at.session_state[db.FOLLOWED_KEY].dataset_version == second
    store.Store(path).switch(first, role=Role.STEWARD)
    at.run()
    assert not at.exception
    assert at.session_state[db.FOLLOWED_KEY].dataset_version == first
    assert at.sidebar.selectbox(key=filters.CURRENT_KEY).options == ["2019", "2022"]


def test_the_command_line_loads_and_computes_while_the_app_holds_the_store(two_loads, tmp_path):
    path, _, second = two_loads
    # Another process opens the store as the app does (state file and current version) ...
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from calc import store; con = store.connect(sys.argv[1]);"
            " print('open', flush=True); sys.stdin.readline();"
            " print(store.follow(con, sys.argv[1]).version, flush=True)",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_DIR,
    )
    try:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "open"
        # ... and the command line still loads and computes beside it.
        loaded = run_calc("load", write_dataset(tmp_path / "third"), "--db", path)
        assert loaded.returncode == 0, loaded.stderr
        computed = run_calc("compute", "--db", path, "--json")
        assert computed.returncode == 0, computed.stderr
        new_version = store.Store(path).current()
        assert new_version != second
        # The holder picks the new version up on its next run.
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == new_version
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("partial_mb", [0.0, 1.0])
def test_a_killed_load_leaves_the_data_in_use_and_its_leftovers_go(two_loads, tmp_path, partial_mb):
    path, _, second = two_loads
    before = totals(path)
    folder = tmp_path / "big"
    demo.generate(folder, clients_per_year=20_000)
    load = subprocess.Popen(
        [sys.executable, "-m", "calc", "load", str(folder), "--db", str(path)],
        cwd=REPO_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    data_dir = store.Store(path).data_dir
    try:
        # Kill it at a point of the load: once its partial file exists (and has grown).
        while load.poll() is None:
            partials = list(data_dir.glob("*.partial"))
            if partials and partials[0].stat().st_size >= partial_mb * 1e6:
                break
            time.sleep(0.01)
        os.kill(load.pid, signal.SIGKILL)
    finally:
        load.wait()
    assert store.Store(path).current() == second
    assert totals(path) == before
    # The next load removes what the dead one left.
    load_version(path, write_dataset(tmp_path / "after"), role=Role.STEWARD)
    assert leftovers(path) == []


# -- damaged files -------------------------------------------------------------------------------


def truncate(file: Path) -> None:
    with file.open("r+b") as handle:
        handle.truncate(file.stat().st_size // 3)


def test_a_damaged_data_version_falls_back_to_the_one_before(two_loads):
    path, first, second = two_loads
    truncate(store.Store(path).version_path(second))
    con = store.connect(path)
    followed = store.follow(con, path)
    assert followed.version == first and followed.fell_back_from == second
    assert store.dataset_version(con) == first
    con.close()


def open_app(path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv(store.DB_PATH_ENV, str(path))
    at = AppTest.from_file(str(APP_FILE), default_timeout=APP_TIMEOUT_S)
    at.query_params["lang"] = "en"
    return at.run()


def test_the_app_says_it_fell_back_and_every_page_still_renders(
    two_loads, monkeypatch: pytest.MonkeyPatch
):
    path, _, second = two_loads
    truncate(store.Store(path).version_path(second))
    at = open_app(path, monkeypatch)
    assert not at.exception
    assert any(second in w.value and "cannot be read" in w.value for w in at.warning)
    for page in ("pages/offices.py", "pages/data.py", "pages/workshop.py"):
        at.switch_page(page).run()
        assert not at.exception


def test_a_damaged_state_file_is_set_aside_and_the_app_starts_empty(
    two_loads, monkeypatch: pytest.MonkeyPatch
):
    path, _, _ = two_loads
    con = store.connect(path)
    con.execute("CREATE TABLE scenarios AS SELECT range AS n FROM range(200000)")
    con.close()
    truncate(path)
    at = open_app(path, monkeypatch)
    assert not at.exception
    [moved] = list(path.parent.glob(f"{path.name}.damaged-*"))
    assert any("set aside" in w.value for w in at.warning)
    assert moved.stat().st_size > 0  # kept, not deleted
    at.switch_page("pages/scenarios.py").run()
    assert not at.exception


def test_without_any_readable_data_only_the_data_page_opens(
    two_loads, monkeypatch: pytest.MonkeyPatch
):
    path, first, second = two_loads
    for version in (first, second):
        truncate(store.Store(path).version_path(version))
    at = open_app(path, monkeypatch)
    assert not at.exception
    assert any("No data set can be read" in w.value for w in at.warning)
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert any("No data set is loaded or readable" in i.value for i in at.info)


# -- fuzzing the data contract ---------------------------------------------------------------------

CELLS = st.one_of(
    st.sampled_from(
        ["", "inf", "-inf", "nan", "1e308", "-5", "3000000000", "4.5", "x", '"', '""', "\x00", ";"]
    ),
    st.text(max_size=6),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rows=st.lists(st.lists(CELLS, min_size=10, max_size=10), min_size=0, max_size=3))
def test_malformed_clients_never_crash_and_never_lose_the_data(two_loads, tmp_path, rows):
    path, _, second = two_loads
    lines = [CLIENT_HEADER, *(",".join(cells) for cells in rows)]
    folder = tmp_path / "fuzz"
    folder.mkdir(exist_ok=True)
    (folder / "offices.csv").write_text(OFFICES, encoding="utf-8")
    (folder / "clients.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    current = store.Store(path).current()
    try:
        load_version(path, folder, role=Role.STEWARD)
    except LoadError as refused:
        assert "clients.csv" in str(refused) or "offices.csv" in str(refused)
        assert store.Store(path).current() == current  # the earlier version stays in use
    else:
        store.Store(path).switch(
            second, role=Role.STEWARD
        )  # a valid example: back to the fixture's version
    assert leftovers(path) == []
