"""The loaded data set as a whole: what it holds, and checking an upload before it replaces it.

An upload is first loaded into a scratch in-memory database that resolves places as the real
one would (the stored postcodes and the places geocoded before are copied into it), so its
report is what the real load will do. What the check geocoded online is then handed to the real
database, so a confirmed load does not ask the same places again.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from calc import store

YEARLESS_TABLES = ("offices", "postcodes")
# Tables the scratch database copies from the real one: where places are looked up.
PLACE_TABLES = ("postcodes", "geocode_cache")


def table_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Rows per loaded table: table_name, total, and one column per year (as text, e.g.
    "2022") for the tables that have years (missing for the others)."""
    per_year = con.execute(
        " UNION ALL ".join(
            f"SELECT '{table}' AS table_name, year, count(*) AS n FROM {table} GROUP BY year"
            for table in store.DATA_TABLES_DDL  # the schema's own names, no user input
            if table not in YEARLESS_TABLES
        )
    ).df()
    wide = per_year.pivot_table(index="table_name", columns="year", values="n", fill_value=0)
    wide.columns = [str(int(year)) for year in wide.columns]
    totals = pd.Series(store.table_counts(con), name="total")
    return pd.concat([totals, wide], axis=1).rename_axis("table_name").reset_index()


def scratch_copy(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """An empty in-memory database that resolves places as `con` does: the stored postcodes
    (the real load falls back on them when none are uploaded) and the geocode cache are
    copied. Close it when done."""
    scratch = store.connect(":memory:")
    for table in PLACE_TABLES:
        rows = con.execute(f"SELECT * FROM {table}").df()  # a name of PLACE_TABLES
        if len(rows):
            scratch.register("copied_rows", rows)
            scratch.execute(f"INSERT INTO {table} SELECT * FROM copied_rows")
            scratch.unregister("copied_rows")
    return scratch


def geocoded_places(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The geocode cache of a database: every answer (found or not) asked online."""
    return con.execute("SELECT * FROM geocode_cache").df()


def remember_geocoded(con: duckdb.DuckDBPyConnection, places: pd.DataFrame) -> None:
    """Add geocode answers (geocoded_places of a scratch database) to `con`'s cache; answers
    it has already are kept as they are."""
    if not len(places):
        return
    con.register("checked_places", places)
    try:
        con.execute("INSERT OR IGNORE INTO geocode_cache SELECT * FROM checked_places")
    finally:
        con.unregister("checked_places")
