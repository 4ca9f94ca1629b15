"""The demo data set: reproducible, in the data contract's format, and calibrated so that its
2019 -> 2022 saving has the order of magnitude AMS Kärnten reported (449 t from clients)."""

from __future__ import annotations

import math
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from calc import demo, pseudonyms, store
from calc.geo import place_key
from calc.roles import Role, RoleError
from calc.schema import (
    CLIENTS,
    OFFICES,
    REMOTE_CHANNELS,
    STAFF,
    TRIPS,
    Channel,
    TableSpec,
    normalise_mode,
)
from tests.conftest import APP_FILE, APP_TIMEOUT_S

YEARS = list(range(2019, 2025))
SMALL_CLIENTS_PER_YEAR = 2_000  # enough rows to tell seeds apart, fast to write twice


def _read(paths: dict[str, Path]) -> dict[str, pd.DataFrame]:
    # As text, empty cells as "": the files are checked as a user's loader would see them.
    return {
        table: pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        for table, path in paths.items()
    }


@pytest.fixture(scope="module")
def default_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    started = time.perf_counter()
    paths = demo.generate(tmp_path_factory.mktemp("demo"))
    print(f"default demo set generated in {time.perf_counter() - started:.2f} s")
    return paths


@pytest.fixture(scope="module")
def tables(default_files: dict[str, Path]) -> dict[str, pd.DataFrame]:
    return _read(default_files)


@pytest.fixture(scope="module")
def clients(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    counts = {c.value: tables["clients"][c.value].astype(int) for c in Channel}
    return tables["clients"].assign(year=tables["clients"]["year"].astype(int), **counts)


@pytest.fixture(scope="module")
def gazetteer_keys() -> pd.DataFrame:
    """Every (key, place) pair of Austria's gazetteer, so a test can resolve a place like the
    loader does: a place's own name before someone's alternate, then the bigger place."""
    raw = pd.read_csv(demo.GAZETTEER_PATH, dtype=str, keep_default_na=False)
    at = raw[raw["country"] == "AT"]
    rows = []
    for name, alternates, lat, lon, population in zip(
        at["name"], at["alternates"], at["lat"], at["lon"], at["population"], strict=True
    ):
        variants = [(name, True)] + [(a, False) for a in alternates.split("|") if a]
        for variant, is_name in variants:
            rows.append((place_key(variant), is_name, int(population or 0), float(lat), float(lon)))
    keys = pd.DataFrame(rows, columns=["key", "is_name", "population", "lat", "lon"])
    keys = keys.sort_values(["key", "is_name", "population"], ascending=[True, False, False])
    return keys.drop_duplicates("key").set_index("key")


def _coordinates(places: pd.Series, keys: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    unique = places.drop_duplicates()
    key_of = pd.Series(unique.map(place_key).to_numpy(), index=unique.to_numpy())
    found = keys.loc[key_of[places.to_numpy()].to_numpy()]
    return found["lat"].to_numpy(), found["lon"].to_numpy()


def _haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray):
    # Straight line on a sphere of the Earth's mean radius: the "before detour" distance.
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    a = (
        np.sin((phi2 - phi1) / 2) ** 2
        + np.cos(phi1) * np.cos(phi2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * np.arcsin(np.sqrt(a))


# --- reproducibility ------------------------------------------------------------------------------


def test_same_seed_gives_identical_files_and_another_seed_different_ones(tmp_path: Path) -> None:
    first = demo.generate(tmp_path / "a", clients_per_year=SMALL_CLIENTS_PER_YEAR, seed=7)
    again = demo.generate(tmp_path / "b", clients_per_year=SMALL_CLIENTS_PER_YEAR, seed=7)
    other = demo.generate(tmp_path / "c", clients_per_year=SMALL_CLIENTS_PER_YEAR, seed=8)

    assert set(first) == {"offices", "clients", "staff", "trips"}
    for table in first:
        assert first[table].read_bytes() == again[table].read_bytes(), table
    for table in ("clients", "staff", "trips"):
        assert first[table].read_bytes() != other[table].read_bytes(), table
    # The offices are facts, not draws.
    assert first["offices"].read_bytes() == other["offices"].read_bytes()


def test_out_dir_is_created(tmp_path: Path) -> None:
    paths = demo.generate(tmp_path / "new" / "folder", clients_per_year=10)
    assert all(
        path.is_file() and path.parent == tmp_path / "new" / "folder" for path in paths.values()
    )


# --- the data contract ----------------------------------------------------------------------------


@pytest.mark.parametrize("spec", [OFFICES, CLIENTS, STAFF, TRIPS], ids=lambda s: s.name)
def test_every_file_has_the_contract_columns(
    tables: dict[str, pd.DataFrame], spec: TableSpec
) -> None:
    columns = list(tables[spec.name].columns)
    assert set(spec.required) <= set(columns)
    assert set(columns) <= {c.name for c in spec.columns}, "only columns the contract knows"
    assert len(columns) == len(set(columns))


def test_offices_are_the_eight_carinthian_offices(tables: dict[str, pd.DataFrame]) -> None:
    offices = tables["offices"]
    assert sorted(offices["office_id"]) == ["FEL", "HER", "KLU", "SPI", "SVG", "VIL", "VKM", "WOL"]
    assert set(offices["country"]) == {"AT"}
    assert offices["place"].str.len().gt(0).all()


def test_counts_years_and_keys_are_valid(tables: dict[str, pd.DataFrame]) -> None:
    count_columns = {
        "clients": [c.value for c in Channel],
        "staff": ["office_days", "homeoffice_days"],
        "trips": ["trips"],
    }
    for table, columns in count_columns.items():
        frame = tables[table]
        for column in columns:
            assert frame[column].str.fullmatch(r"\d+").all(), f"{table}.{column}: ints >= 0"
        assert set(frame["year"].astype(int)) == set(YEARS), table
        # Left empty on purpose: the app computes distances.
        assert (frame["distance_km"] == "").all(), table
    assert not tables["clients"].duplicated(["year", "client_id", "office_id"]).any()
    assert not tables["staff"].duplicated(["year", "staff_id"]).any()
    assert (tables["trips"]["trips"].astype(int) > 0).all()


def test_office_ids_are_known(tables: dict[str, pd.DataFrame]) -> None:
    known = set(tables["offices"]["office_id"])
    for table in ("clients", "staff", "trips"):
        assert set(tables[table]["office_id"]) <= known, table
    trips = tables["trips"]
    to_office = trips[trips["destination"].isin(known)]
    assert (to_office["destination"] != to_office["office_id"]).all()
    assert (to_office["country"] == "").all()
    to_place = trips[~trips["destination"].isin(known)]
    assert set(to_place["destination"]) == {"Wien"}
    assert set(to_place["country"]) == {"AT"}
    assert set(to_place["mode"]) == {"rail", "car"}


def test_modes_are_valid(tables: dict[str, pd.DataFrame]) -> None:
    client_modes = tables["clients"]["mode"]
    given = client_modes[client_modes != ""]
    assert given.map(normalise_mode).notna().all()
    # About 15 % of clients say how they travel; the rest get the default split.
    assert len(given) / len(client_modes) == pytest.approx(0.15, abs=0.01)
    for table in ("staff", "trips"):
        modes = tables[table]["mode"]
        assert modes.map(normalise_mode).notna().all(), table
    assert tables["staff"]["mode"].value_counts().idxmax() == "car"


def test_places_are_in_the_gazetteer(
    tables: dict[str, pd.DataFrame], gazetteer_keys: pd.DataFrame
) -> None:
    places = pd.concat(
        [
            tables["offices"]["place"],
            tables["clients"]["place"],
            tables["staff"]["place"],
            tables["trips"].loc[tables["trips"]["country"] == "AT", "destination"],
        ]
    ).drop_duplicates()
    missing = places[~places.map(place_key).isin(gazetteer_keys.index)]
    assert missing.empty, list(missing)


def test_client_homes_are_in_carinthia(tables: dict[str, pd.DataFrame]) -> None:
    raw = pd.read_csv(demo.GAZETTEER_PATH, dtype=str, keep_default_na=False)
    carinthia = set(raw.loc[(raw["country"] == "AT") & (raw["admin1"] == "02"), "name"])
    assert set(tables["clients"]["place"]) <= carinthia
    assert set(tables["staff"]["place"]) <= carinthia


# --- what changes between years ------------------------------------------------------------------


def test_no_video_in_2019(clients: pd.DataFrame) -> None:
    assert clients.loc[clients["year"] == 2019, "video"].sum() == 0
    assert clients.loc[clients["year"] >= 2020, "video"].sum() > 0


def test_in_person_falls_and_remote_rises_from_2019_to_2022(clients: pd.DataFrame) -> None:
    per_client = clients.groupby("year")[[c.value for c in Channel]].mean()
    assert per_client.loc[2022, "in_person"] < 0.6 * per_client.loc[2019, "in_person"]
    assert per_client.loc[2020, "in_person"] < per_client.loc[2022, "in_person"], "2020 collapse"
    for channel in REMOTE_CHANNELS:
        assert per_client.loc[2022, channel.value] > per_client.loc[2019, channel.value], channel


def test_groups_and_returning_clients(clients: pd.DataFrame) -> None:
    shares = clients["group"].value_counts(normalize=True)
    assert shares.idxmax() == "jobseeker"
    assert set(shares.index) == {"jobseeker", "youth", "employer"}
    ids = {year: set(frame["client_id"]) for year, frame in clients.groupby("year")}
    for year in YEARS[1:]:
        returning = len(ids[year] & ids[year - 1]) / len(ids[year])
        assert returning == pytest.approx(0.40, abs=0.01), year


def test_staff_work_from_home_from_2020_on(tables: dict[str, pd.DataFrame]) -> None:
    staff = tables["staff"].assign(
        year=lambda t: t["year"].astype(int),
        office_days=lambda t: t["office_days"].astype(int),
        homeoffice_days=lambda t: t["homeoffice_days"].astype(int),
    )
    per_year = staff.groupby("year")
    assert per_year.size().between(430, 470).all(), "about 450 staff"
    homeoffice = per_year["homeoffice_days"].sum()
    assert homeoffice[2019] == 0
    assert (homeoffice[homeoffice.index >= 2020] > 0).all()
    # At most 5 days a week over about 46 working weeks.
    assert (staff["office_days"] + staff["homeoffice_days"]).between(100, 230).all()


# --- calibration ----------------------------------------------------------------------------------


def test_back_of_envelope_client_saving_2019_to_2022_is_near_the_reported_449_t(
    tables: dict[str, pd.DataFrame], clients: pd.DataFrame, gazetteer_keys: pd.DataFrame
) -> None:
    detour_factor = 1.3  # road km per straight-line km, rural Carinthia (factors-reference 5.1)
    round_trip = 2  # every visit is there and back
    car_share = 0.7  # Kärnten: 66-76 % of trips by car; the other modes counted as ~0 here
    car_kg_per_pkm = 0.2  # average Austrian car incl. upstream, 0.217 (VAO) / 0.2165 (VCÖ)
    kg_per_straight_km_of_visit = detour_factor * round_trip * car_share * car_kg_per_pkm

    offices = tables["offices"].set_index("office_id")
    office_lat, office_lon = _coordinates(offices["place"], gazetteer_keys)
    office_at = pd.DataFrame({"lat": office_lat, "lon": office_lon}, index=offices.index)
    home_lat, home_lon = _coordinates(clients["place"], gazetteer_keys)
    straight_km = _haversine_km(
        home_lat,
        home_lon,
        office_at.loc[clients["office_id"], "lat"].to_numpy(),
        office_at.loc[clients["office_id"], "lon"].to_numpy(),
    )
    visit_km = (clients["in_person"] * straight_km).groupby(clients["year"]).sum()
    tonnes = visit_km * kg_per_straight_km_of_visit / 1000
    saving_t = tonnes[2019] - tonnes[2022]
    print(
        f"clients' in-person visits: 2019 {tonnes[2019]:.0f} t, 2022 {tonnes[2022]:.0f} t, "
        f"saving {saving_t:.0f} t (reported: 449 t)"
    )
    assert 300 < saving_t < 700


def test_a_million_client_rows_are_generated(tmp_path: Path) -> None:
    clients_per_year = math.ceil(1_000_000 / len(YEARS))
    started = time.perf_counter()
    paths = demo.generate(tmp_path, clients_per_year=clients_per_year)
    seconds = time.perf_counter() - started
    with paths["clients"].open("rb") as f:
        rows = sum(1 for _ in f) - 1
    # The time is printed, not asserted: speed lives in bench/ (a busy machine is slower).
    print(f"{rows:,} client rows generated and written in {seconds:.2f} s")
    assert rows >= 1_000_000


# --- the parameter file ---------------------------------------------------------------------------


def test_every_parameter_has_a_unit_and_a_source() -> None:
    parameters = pd.read_csv(demo.DEMO_PARAMETERS_PATH, dtype=str, keep_default_na=False)
    assert list(parameters.columns) == ["key", "value", "unit", "year", "source", "note"]
    assert (parameters["unit"] != "").all()
    assert (parameters["source"] != "").all()
    assert parameters["value"].map(float).notna().all()
    years = parameters.loc[parameters["year"] != "", "year"].astype(int)
    assert years.between(2019, 2024).all()
    # Year-specific rates exist for every demo year.
    yearly = parameters[parameters["key"].str.startswith("contact_rate.")]
    assert (yearly.groupby("key")["year"].nunique() == len(YEARS)).all()


# --- the pre-built demo (data/demo_prebuilt/) -----------------------------------------------------

# What the app's first start puts in place: the tables a load of the default demo makes.
PREBUILT_COMPARED = ("offices", "clients", "staff", "trips", "postcodes", "distance_cache")
REBUILD = "rebuild it with `python -m calc demo --prebuilt`"
PREBUILT_MAX_BYTES = 3 * 1024 * 1024  # 1.6 MB when written; a repository file, kept small


def _version_file(db: Path) -> Path:
    where = store.Store(db)
    current = where.current()
    assert current is not None
    return where.version_path(current)


def _only_in(con: duckdb.DuckDBPyConnection, table: str, this: str, other: str) -> int:
    query = f"SELECT * FROM {this}.{table} EXCEPT ALL SELECT * FROM {other}.{table}"
    return con.execute(f"SELECT count(*) FROM ({query})").fetchall()[0][0]


@pytest.fixture
def prebuilt_db(tmp_path: Path) -> Path:
    """A fresh store with the shipped demo put in place, as on the app's first start."""
    path = tmp_path / "prebuilt.duckdb"
    demo.load_prebuilt(path, role=Role.STEWARD)
    return path


def test_the_shipped_demo_is_what_the_generator_and_the_loader_make(
    demo_db: Path, prebuilt_db: Path
) -> None:
    # GIVEN the demo generated and loaded from its CSV files (demo_db) and the shipped one,
    # both keyed with the test run's pseudonym key
    con = duckdb.connect()
    con.execute(f"ATTACH '{_version_file(demo_db)}' AS loaded (READ_ONLY)")
    con.execute(f"ATTACH '{_version_file(prebuilt_db)}' AS shipped (READ_ONLY)")
    # THEN every table holds the same rows, pseudonyms and distances included
    differences = {
        table: (
            _only_in(con, table, "loaded", "shipped"),
            _only_in(con, table, "shipped", "loaded"),
        )
        for table in PREBUILT_COMPARED
    }
    assert differences == dict.fromkeys(PREBUILT_COMPARED, (0, 0)), REBUILD
    # ... and so the same totals (rows and contacts, as the generator wrote them)
    totals = "SELECT count(*), sum(in_person), sum(phone + video + online) FROM {}.clients"
    assert (
        con.execute(totals.format("shipped")).fetchall()
        == con.execute(totals.format("loaded")).fetchall()
    )
    assert store.dataset_value(store.connect(prebuilt_db, state=False), "dataset_label") == "demo"


def test_a_rebuild_writes_what_is_shipped(tmp_path: Path) -> None:
    # WHEN the pre-built demo is built afresh (generate, load, pseudonyms back to demo ids)
    rebuilt = demo.build_prebuilt(tmp_path)
    # THEN it holds the rows of the shipped files, no more and no fewer
    con = duckdb.connect()
    for table, path in rebuilt.items():
        shipped = demo.PREBUILT_DIR / f"{table}.parquet"
        assert _only_in_files(con, path, shipped) == _only_in_files(con, shipped, path) == 0, (
            f"{table}: {REBUILD}"
        )


def _only_in_files(con: duckdb.DuckDBPyConnection, this: Path, other: Path) -> int:
    query = f"SELECT * FROM '{this}' EXCEPT ALL SELECT * FROM '{other}'"
    return con.execute(f"SELECT count(*) FROM ({query})").fetchall()[0][0]


def test_the_shipped_files_hold_the_demo_ids_and_no_pseudonym(
    default_files: dict[str, Path],
) -> None:
    con = duckdb.connect()
    for table, raw, keyed in (
        ("clients", "client_id", "client_key"),
        ("staff", "staff_id", "staff_key"),
    ):
        shipped = demo.PREBUILT_DIR / f"{table}.parquet"
        columns = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM '{shipped}'").fetchall()]
        assert raw in columns and keyed not in columns
        # The generator's ids, each one, and nothing else.
        ids = f"SELECT DISTINCT {raw} FROM "
        only_shipped = con.execute(
            f"{ids}'{shipped}' EXCEPT {ids}read_csv('{default_files[table]}')"
        ).fetchall()
        only_generated = con.execute(
            f"{ids}read_csv('{default_files[table]}') EXCEPT {ids}'{shipped}'"
        ).fetchall()
        assert (only_shipped, only_generated) == ([], []), REBUILD


def test_pseudonyms_of_the_shipped_demo_are_keyed_per_installation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = []
    for number in (1, 2):
        # GIVEN an installation with a key of its own
        monkeypatch.setenv(pseudonyms.KEY_ENV, f"{number:02d}" * pseudonyms.KEY_BYTES)
        db = tmp_path / f"installation-{number}.duckdb"
        # WHEN the shipped demo is put in place
        demo.load_prebuilt(db, role=Role.STEWARD)
        con = store.connect(db, state=False)
        keys.append({row[0] for row in con.execute("SELECT client_key FROM clients").fetchall()})
        con.close()
    # THEN the two installations share no pseudonym
    assert keys[0] and keys[1] and not keys[0] & keys[1]


def test_the_shipped_demo_is_small() -> None:
    files = [demo.PREBUILT_DIR / f"{table}.parquet" for table in demo.PREBUILT_TABLES]
    assert sum(path.stat().st_size for path in files) < PREBUILT_MAX_BYTES


def test_putting_the_shipped_demo_in_place_needs_the_steward(tmp_path: Path) -> None:
    with pytest.raises(RoleError):
        demo.load_prebuilt(tmp_path / "store.duckdb", role=Role.EDITOR)
    assert store.Store(tmp_path / "store.duckdb").current() is None


def test_the_app_starts_a_fresh_store_on_the_shipped_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a machine without any data (an empty store)
    db = tmp_path / "fresh.duckdb"
    monkeypatch.setenv(store.DB_PATH_ENV, str(db))
    # WHEN the app is opened
    at = AppTest.from_file(str(APP_FILE), default_timeout=APP_TIMEOUT_S)
    at.query_params["lang"] = "en"
    at.run()
    # THEN it shows the demo, put in place as one data version
    assert not at.exception
    assert [(v.label, v.is_current) for v in store.Store(db).versions()] == [("demo", True)]
    assert at.metric, "the overview shows its figures"
