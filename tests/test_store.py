"""calc.store: the schema version is written on create, checked on open, and migrated up."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from calc import cli, pseudonyms, store
from calc.loaders import load_version
from calc.roles import Role
from tests.conftest import APP_FILE, APP_TIMEOUT_S

# A database of schema version 1, the layout before the version was recorded: DDL copied from
# calc/store.py, calc/geo.py and calc/saved.py as they were at commit 6257359, and not imported,
# so that a later change to those files cannot move the fixture along with the code.
V1_DDL = (
    "CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    """CREATE TABLE offices (
        office_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, country VARCHAR NOT NULL,
        lat DOUBLE NOT NULL, lon DOUBLE NOT NULL)""",
    """CREATE TABLE clients (
        year INTEGER NOT NULL, client_key VARCHAR NOT NULL, office_id VARCHAR NOT NULL,
        client_group VARCHAR NOT NULL, in_person INTEGER NOT NULL, phone INTEGER NOT NULL,
        video INTEGER NOT NULL, online INTEGER NOT NULL, mode VARCHAR,
        distance_km DOUBLE, origin_lat DOUBLE, origin_lon DOUBLE, geodesic_km DOUBLE)""",
    """CREATE TABLE staff (
        year INTEGER NOT NULL, staff_key VARCHAR NOT NULL, office_id VARCHAR NOT NULL,
        mode VARCHAR NOT NULL, office_days INTEGER NOT NULL, homeoffice_days INTEGER NOT NULL,
        distance_km DOUBLE, origin_lat DOUBLE, origin_lon DOUBLE, geodesic_km DOUBLE)""",
    """CREATE TABLE trips (
        year INTEGER NOT NULL, office_id VARCHAR NOT NULL, destination VARCHAR NOT NULL,
        mode VARCHAR NOT NULL, trips INTEGER NOT NULL, distance_km DOUBLE,
        dest_lat DOUBLE, dest_lon DOUBLE, geodesic_km DOUBLE)""",
    """CREATE TABLE postcodes (
        country VARCHAR NOT NULL, postcode VARCHAR NOT NULL, lat DOUBLE NOT NULL,
        lon DOUBLE NOT NULL, place VARCHAR)""",
    """CREATE TABLE distance_cache (
        from_lat DOUBLE, from_lon DOUBLE, to_lat DOUBLE, to_lon DOUBLE, geodesic_km DOUBLE,
        PRIMARY KEY (from_lat, from_lon, to_lat, to_lon))""",
    """CREATE TABLE scenarios (
        name VARCHAR PRIMARY KEY, scenario_json VARCHAR NOT NULL, saved_at TIMESTAMP NOT NULL)""",
)
V1_SALT = "0123456789abcdef0123456789abcdef"
V1_ROWS = (
    f"INSERT INTO meta VALUES ('salt', '{V1_SALT}'), ('dataset_version', 'a1b2c3d4e5f6'),"
    " ('dataset_label', 'our 2019 files')",
    "INSERT INTO offices VALUES ('KLU', 'AMS Klagenfurt', 'AT', 46.62472, 14.30528)",
    "INSERT INTO clients VALUES (2019, 'k-anna', 'KLU', 'jobseeker', 4, 0, 0, 0, 'car',"
    " NULL, 46.61028, 13.85583, 34.5)",
    "INSERT INTO distance_cache VALUES (46.61028, 13.85583, 46.62472, 14.30528, 34.5)",
    "INSERT INTO scenarios VALUES ('half video', '{}', TIMESTAMP '2025-03-01 10:00:00')",
)

OFFICES_CSV = "office_id,name,country,place\nKLU,AMS Klagenfurt,AT,Klagenfurt\n"
CLIENTS_CSV = (
    "year,client_id,office_id,place,in_person,phone,video,online\n"
    "2022,anna-123,KLU,Villach,1,2,1,0\n"
)


def version_1_database(path: Path) -> Path:
    """A database as Wegbilanz wrote it before the schema version: loaded data, no version row."""
    with duckdb.connect(str(path)) as con:
        for statement in (*V1_DDL, *V1_ROWS):
            con.execute(statement)
    return path


def newer_database(path: Path) -> Path:
    """A database that says a later Wegbilanz wrote it."""
    con = store.connect(path)
    store.set_meta(con, store.SCHEMA_VERSION_KEY, str(store.SCHEMA_VERSION + 1))
    con.close()
    return path


def dataset_folder(folder: Path) -> Path:
    """A data set of one office and one client, as CSV files."""
    folder.mkdir(parents=True)
    (folder / "offices.csv").write_text(OFFICES_CSV, encoding="utf-8")
    (folder / "clients.csv").write_text(CLIENTS_CSV, encoding="utf-8")
    return folder


def recorded_version(path: Path) -> str | None:
    with duckdb.connect(str(path)) as con:
        rows = con.execute(
            "SELECT value FROM meta WHERE key = ?", [store.SCHEMA_VERSION_KEY]
        ).fetchall()
    return rows[0][0] if rows else None


def count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def test_a_new_database_records_the_current_version(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    con = store.connect(path)
    assert store.schema_version(con) == store.SCHEMA_VERSION
    # No secret of the pseudonyms in the file: the key lives outside (calc.pseudonyms).
    assert store.meta_value(con, "salt") is None
    assert not store.has_data(con)
    con.close()
    assert recorded_version(path) == str(store.SCHEMA_VERSION)
    # Opening it again changes nothing.
    con = store.connect(path)
    assert store.schema_version(con) == store.SCHEMA_VERSION
    con.close()


def test_a_version_1_database_opens_migrated_with_its_data(tmp_path: Path) -> None:
    # GIVEN a database written before the schema version existed.
    path = version_1_database(tmp_path / "v1.duckdb")
    assert recorded_version(path) is None

    # WHEN it is opened THEN it is at the current version ...
    con = store.connect(path)
    assert store.schema_version(con) == store.SCHEMA_VERSION
    # ... its data set moved to a data version of its own, with its caches; the saved
    # scenarios stay in the state file; the old salt is gone from it.
    assert [v.version for v in store.Store(path).versions()] == ["a1b2c3d4e5f6"]
    assert store.meta_value(con, "salt") is None
    assert store.dataset_version(con) == "a1b2c3d4e5f6"
    assert store.dataset_value(con, "dataset_label") == "our 2019 files"
    assert store.table_counts(con) == {
        "offices": 1,
        "clients": 1,
        "staff": 0,
        "trips": 0,
        "postcodes": 0,
    }
    assert count(con, "distance_cache") == 1
    assert count(con, "scenarios") == 1

    # AND it works: a new load becomes the next data version; its pseudonyms are keyed with
    # the key outside the store (left 16 hex digits of sha256(salt || id), the salt from
    # HMAC(key), see calc/pseudonyms.py); the old version stays for a rollback.
    load_version(path, dataset_folder(tmp_path / "csv"), label="2022", role=Role.STEWARD)
    store.follow(con, path)
    assert store.table_counts(con)["clients"] == 1
    salt = pseudonyms.salt(pseudonyms.load_or_create_key())
    expected_key = hashlib.sha256((salt + "anna-123").encode()).hexdigest()[:16]
    assert con.execute("SELECT client_key FROM clients").fetchall() == [(expected_key,)]
    assert store.dataset_version(con) != "a1b2c3d4e5f6"
    assert len(store.Store(path).versions()) == 2
    con.close()
    assert recorded_version(path) == str(store.SCHEMA_VERSION)


def test_a_failed_migration_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = version_1_database(tmp_path / "v1.duckdb")

    def broken_step(con: duckdb.DuckDBPyConnection, _where: store.Store) -> None:
        con.execute("DELETE FROM clients")
        raise RuntimeError("disk full")

    monkeypatch.setitem(store.MIGRATIONS, 1, broken_step)
    with pytest.raises(RuntimeError, match="disk full"):
        store.connect(path)
    # Still version 1, data intact: the next start (with a working step) tries again.
    assert recorded_version(path) is None
    with duckdb.connect(str(path)) as con:
        assert count(con, "clients") == 1


def test_every_older_version_has_a_migration_step() -> None:
    assert sorted(store.MIGRATIONS) == list(range(store.UNVERSIONED_SCHEMA, store.SCHEMA_VERSION))


def test_a_newer_database_is_refused_with_a_message(tmp_path: Path) -> None:
    path = newer_database(tmp_path / "newer.duckdb")
    with pytest.raises(store.SchemaError) as caught:
        store.connect(path)
    message = str(caught.value)
    assert str(path) in message
    assert "newer version of Wegbilanz" in message
    assert f"schema version {store.SCHEMA_VERSION + 1}" in message
    # Refused, not touched.
    assert recorded_version(path) == str(store.SCHEMA_VERSION + 1)


def test_the_command_line_says_so_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = newer_database(tmp_path / "newer.duckdb")
    assert cli.main(["compute", "--db", str(path)]) == cli.EXIT_ENVIRONMENT
    err = capsys.readouterr().err
    assert "newer version of Wegbilanz" in err
    assert "Traceback" not in err


def test_the_app_says_so_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = newer_database(tmp_path / "newer.duckdb")
    monkeypatch.setenv(store.DB_PATH_ENV, str(path))
    at = AppTest.from_file(str(APP_FILE), default_timeout=APP_TIMEOUT_S)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        f"The database {path} was written by a newer version of Wegbilanz (schema version "
        f"{store.SCHEMA_VERSION + 1}; this version reads up to {store.SCHEMA_VERSION}). "
        "Update Wegbilanz, or point WEGBILANZ_DB at another database."
    ]


def test_a_version_added_without_a_loader_is_current_and_a_failed_one_leaves_nothing(
    tmp_path: Path,
) -> None:
    db = tmp_path / "store.duckdb"

    def one_office(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("INSERT INTO offices VALUES ('KLU', 'Klagenfurt', 'AT', 46.62, 14.31)")

    # GIVEN a version written by a fill function
    version = store.add_version(db, "mine", one_office, role=Role.STEWARD)
    where = store.Store(db)
    assert where.current() == version
    assert [(v.label, v.is_current) for v in where.versions()] == [("mine", True)]

    def half_then_fail(con: duckdb.DuckDBPyConnection) -> None:
        one_office(con)
        raise OSError("disk full")

    # WHEN a second fill fails half-way
    with pytest.raises(OSError, match="disk full"):
        store.add_version(db, "broken", half_then_fail, role=Role.STEWARD)
    # THEN the first version is still the one in use, and no file of the failed one is left
    assert where.current() == version
    assert sorted(p.name for p in where.data_dir.iterdir()) == sorted(
        ["CURRENT", f"{version}.duckdb", f"{version}.json"]
    )
    con = store.connect(db, state=False)
    assert count(con, "offices") == 1


def test_the_store_signature_changes_with_a_switch_and_a_new_version(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    where = store.Store(db)
    before_any = where.signature()

    def one_office(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("INSERT INTO offices VALUES ('KLU', 'Klagenfurt', 'AT', 46.62, 14.31)")

    first = store.add_version(db, "first", one_office, role=Role.STEWARD)
    after_first = where.signature()
    assert after_first != before_any
    assert where.signature() == after_first  # reading the store changes nothing
    second = store.add_version(db, "second", one_office, role=Role.STEWARD)
    after_second = where.signature()
    assert after_second != after_first
    # Switching back to the first version rewrites CURRENT only: still a new signature.
    where.switch(first, role=Role.STEWARD)
    assert where.current() == first != second
    assert where.signature() != after_second
