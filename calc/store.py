"""The DuckDB database that holds one loaded data set, its caches and the saved work."""

from __future__ import annotations

import os
import secrets
import uuid
from pathlib import Path

import duckdb

from calc import geo

REPO_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = REPO_DIR / "data" / "wegbilanz.duckdb"
DB_PATH_ENV = "WEGBILANZ_DB"

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


def connect(db_path: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """Open (and if new, set up) the database."""
    path = Path(db_path) if db_path is not None else default_db_path()
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    ensure_schema(con)
    return con


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    for table, columns in DATA_TABLES_DDL.items():
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
    geo.install(con)
    # A random salt per database: the same person keeps one pseudonym across years and loads,
    # but the pseudonym cannot be recomputed from an id without this database.
    con.execute(
        "INSERT INTO meta VALUES ('salt', ?) ON CONFLICT DO NOTHING", [secrets.token_hex(16)]
    )


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
