"""The DuckDB database that holds one loaded data set, its caches and the saved work.

The layout has a version, kept in the meta table as `schema_version`: written when a database is
created, checked each time one is opened. A database of an older version is brought up to date
by the steps in MIGRATIONS, in one transaction; one written by a newer Wegbilanz is refused with
a SchemaError (never half-read). The version covers every table in the file, those that
calc.saved and calc.workshop create included: changing any of them means SCHEMA_VERSION + 1 and
a step in MIGRATIONS, with a test that opens a database of the old layout (tests/test_store.py).
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Callable
from pathlib import Path

import duckdb

from calc import geo

REPO_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = REPO_DIR / "data" / "wegbilanz.duckdb"
DB_PATH_ENV = "WEGBILANZ_DB"

# 1: the layout before the version was recorded (a meta table without a schema_version row).
# 2: the same tables; the version is recorded.
SCHEMA_VERSION = 2
SCHEMA_VERSION_KEY = "schema_version"
UNVERSIONED_SCHEMA = 1

# The loaded data set. Raw client and staff ids never reach these tables: only salted hashes.
DATA_TABLES_DDL: dict[str, str] = {
    "offices": """
        office_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, country VARCHAR NOT NULL,
        lat DOUBLE NOT NULL, lon DOUBLE NOT NULL""",
    "clients": """
        year INTEGER NOT NULL, client_key VARCHAR NOT NULL, office_id VARCHAR NOT NULL,
        client_group VARCHAR NOT NULL, in_person INTEGER NOT NULL, phone INTEGER NOT NULL,
        video INTEGER NOT NULL, online INTEGER NOT NULL, mode VARCHAR,
        distance_km DOUBLE, origin_lat DOUBLE, origin_lon DOUBLE, geodesic_km DOUBLE""",
    "staff": """
        year INTEGER NOT NULL, staff_key VARCHAR NOT NULL, office_id VARCHAR NOT NULL,
        mode VARCHAR NOT NULL, office_days INTEGER NOT NULL, homeoffice_days INTEGER NOT NULL,
        distance_km DOUBLE, origin_lat DOUBLE, origin_lon DOUBLE, geodesic_km DOUBLE""",
    "trips": """
        year INTEGER NOT NULL, office_id VARCHAR NOT NULL, destination VARCHAR NOT NULL,
        mode VARCHAR NOT NULL, trips INTEGER NOT NULL, distance_km DOUBLE,
        dest_lat DOUBLE, dest_lon DOUBLE, geodesic_km DOUBLE""",
    "postcodes": """
        country VARCHAR NOT NULL, postcode VARCHAR NOT NULL, lat DOUBLE NOT NULL,
        lon DOUBLE NOT NULL, place VARCHAR""",
}


def default_db_path() -> Path:
    """Where the database lives: $WEGBILANZ_DB if set, else data/wegbilanz.duckdb."""
    return Path(os.environ.get(DB_PATH_ENV) or DEFAULT_DB_PATH)


class SchemaError(RuntimeError):
    """The database has a layout this version of Wegbilanz cannot read (a newer one)."""

    def __init__(self, found: str, where: str = "the database") -> None:
        self.found = found
        self.where = where
        super().__init__(
            f"{where} was written by a newer version of Wegbilanz (database schema version "
            f"{found}; this version reads up to {SCHEMA_VERSION}). Update Wegbilanz, or open "
            f"another database (--db PATH or ${DB_PATH_ENV})."
        )


def connect(db_path: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """Open (and if new, set up; if old, migrate) the database. SchemaError if it is newer."""
    path = Path(db_path) if db_path is not None else default_db_path()
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        ensure_schema(con, where=str(path))
    except BaseException:
        con.close()
        raise
    return con


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The layout version of the open database; None if Wegbilanz never set it up.

    SchemaError if the recorded version is not one that this code knows how to read.
    """
    has_meta = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'meta'"
        " AND schema_name = current_schema() AND database_name = current_database()"
    ).fetchall()[0][0]
    if not has_meta:
        return None
    recorded = meta_value(con, SCHEMA_VERSION_KEY)
    if recorded is None:
        return UNVERSIONED_SCHEMA
    try:
        version = int(recorded)
    except ValueError:
        raise SchemaError(repr(recorded)) from None
    if version > SCHEMA_VERSION:
        raise SchemaError(recorded)
    return version


def _migrate_1_to_2(con: duckdb.DuckDBPyConnection) -> None:
    """Version 1 had the same tables; it only lacked the version row, which migrate() writes.

    The data tables are created if missing (a version-1 file always has them; this keeps a
    damaged one usable), so the salt, the loaded data and the saved work all stay as they are.
    """
    for table, columns in DATA_TABLES_DDL.items():
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")


# MIGRATIONS[n] brings a database from version n to n + 1.
MIGRATIONS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {1: _migrate_1_to_2}


def migrate(con: duckdb.DuckDBPyConnection, found: int) -> None:
    """Bring a database of layout version `found` up to SCHEMA_VERSION, all steps or none."""
    con.execute("BEGIN TRANSACTION")
    try:
        for version in range(found, SCHEMA_VERSION):
            MIGRATIONS[version](con)
        set_meta(con, SCHEMA_VERSION_KEY, str(SCHEMA_VERSION))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def ensure_schema(con: duckdb.DuckDBPyConnection, where: str = "the database") -> None:
    """Set up a new database, migrate an older one; SchemaError (nothing changed) if newer."""
    try:
        found = schema_version(con)
    except SchemaError as error:
        raise SchemaError(error.found, where) from None
    if found is not None and found < SCHEMA_VERSION:
        migrate(con, found)
    con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    for table, columns in DATA_TABLES_DDL.items():
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
    geo.install(con)
    # A random salt per database: the same person keeps one pseudonym across years and loads,
    # but the pseudonym cannot be recomputed from an id without this database.
    con.execute(
        "INSERT INTO meta VALUES ('salt', ?) ON CONFLICT DO NOTHING", [secrets.token_hex(16)]
    )
    if found is None:
        set_meta(con, SCHEMA_VERSION_KEY, str(SCHEMA_VERSION))


def meta_value(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    # fetchall, not fetchone: DuckDB keeps a half-read result open and refuses register() then
    rows = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
    return rows[0][0] if rows else None


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute(
        "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )


def dataset_version(con: duckdb.DuckDBPyConnection) -> str:
    """An id that changes with every successful load: the key for everything cached on data."""
    return meta_value(con, "dataset_version") or "empty"


def new_dataset_version(con: duckdb.DuckDBPyConnection, label: str) -> str:
    version = uuid.uuid4().hex[:12]
    set_meta(con, "dataset_version", version)
    set_meta(con, "dataset_label", label)
    return version


def has_data(con: duckdb.DuckDBPyConnection) -> bool:
    return dataset_version(con) != "empty"


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per loaded table."""
    return {
        table: con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        for table in DATA_TABLES_DDL
    }
