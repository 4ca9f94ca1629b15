"""The loaded data set: its row counts, and the scratch database that checks an upload.

GIVEN small data sets loaded into real DuckDB databases, WHEN counted, copied for a check or
handed the check's geocoding, THEN the counts are the rows written in the test, and the scratch
database resolves places as the real one without touching it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from calc import dataset, store
from calc.loaders import LoadError, load

OFFICES = "office_id,name,country,lat,lon\nA,Office A,AT,46.62,14.31\nB,Office B,AT,46.61,13.85\n"
# Clients found through a postcode of the uploaded postcodes table.
CLIENTS = (
    "year,client_id,office_id,postcode,in_person\n"
    "2019,c1,A,9999,4\n"
    "2019,c2,B,9999,2\n"
    "2022,c1,A,9999,1\n"
)
STAFF = "year,staff_id,office_id,mode,office_days,distance_km\n2022,s1,A,car,200,10\n"
POSTCODES = "country,postcode,lat,lon,place\nAT,9999,46.70,14.00,Testdorf\n"


def write(folder: Path, **tables: str) -> Path:
    folder.mkdir()
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text)
    return folder


@pytest.fixture
def real(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """A database with offices, clients, staff and the uploaded postcodes loaded."""
    con = store.connect(store.MEMORY)
    folder = write(
        tmp_path / "first", offices=OFFICES, clients=CLIENTS, staff=STAFF, postcodes=POSTCODES
    )
    load(con, folder)
    yield con
    con.close()


def cache_row(query: str, found: bool) -> tuple:
    return ("AT", query, 46.8 if found else None, 13.5 if found else None, found, datetime.now())


def add_to_cache(con: duckdb.DuckDBPyConnection, *rows: tuple) -> None:
    con.executemany("INSERT INTO geocode_cache VALUES (?, ?, ?, ?, ?, ?)", list(rows))


def test_table_counts_by_hand(real):
    counts = dataset.table_counts(real).set_index("table_name")
    # clients: 2 rows in 2019 + 1 in 2022 = 3; staff: 1 row in 2022, none in 2019; offices and
    # postcodes have no years; trips has no rows at all.
    assert counts.loc["clients", ["total", "2019", "2022"]].tolist() == [3, 2, 1]
    assert counts.loc["staff", ["total", "2019", "2022"]].tolist() == [1, 0, 1]
    assert counts.loc["offices", "total"] == 2
    assert counts.loc["postcodes", "total"] == 1
    assert counts.loc["trips", "total"] == 0
    assert counts.loc[["offices", "postcodes", "trips"], ["2019", "2022"]].isna().all().all()


def test_scratch_copy_resolves_stored_postcodes_without_touching_the_real_data(real, tmp_path):
    # A second upload without a postcodes table: its clients' postcode is only in the stored one.
    upload = write(tmp_path / "upload", offices=OFFICES, clients=CLIENTS.replace("2019", "2020"))
    with pytest.raises(LoadError):  # an empty database cannot find postcode 9999
        load(store.connect(":memory:"), upload)

    scratch = dataset.scratch_copy(real)
    try:
        report = load(scratch, upload)
        assert report.rows["clients"] == 3
        assert scratch.execute("SELECT DISTINCT year FROM clients ORDER BY year").fetchall() == [
            (2020,),
            (2022,),
        ]
    finally:
        scratch.close()
    # The real data set is still the first one: 2019 and 2022.
    assert real.execute("SELECT DISTINCT year FROM clients ORDER BY year").fetchall() == [
        (2019,),
        (2022,),
    ]


def test_the_check_hands_its_geocoding_to_the_real_database(real):
    add_to_cache(real, cache_row("Hermagor", found=False))
    scratch = dataset.scratch_copy(real)
    try:
        # The scratch database starts with the real cache, then "asks online" two more places,
        # one of which the real database answered differently before.
        assert dataset.geocoded_places(scratch)["query"].tolist() == ["Hermagor"]
        scratch.execute("DELETE FROM geocode_cache")
        add_to_cache(scratch, cache_row("Hermagor", found=True), cache_row("Spittal", found=True))
        checked = dataset.geocoded_places(scratch)
    finally:
        scratch.close()

    dataset.remember_geocoded(real, checked)
    dataset.remember_geocoded(real, pd.DataFrame(columns=checked.columns))  # nothing to add
    cache = dataset.geocoded_places(real).set_index("query")
    # Spittal is new; Hermagor keeps the real database's own answer; no row twice.
    assert sorted(cache.index) == ["Hermagor", "Spittal"]
    assert not cache.loc["Hermagor", "found"]
    assert cache.loc["Spittal", "found"]
