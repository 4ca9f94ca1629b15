"""Loading: every validation rule, encodings and formats, and all-or-nothing behaviour."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from calc import geo, store
from calc.loaders import MAX_LISTED_PROBLEMS, LoadError, load, load_files
from tests.test_geo import FakeGeocoder

OFFICES = (
    "office_id,name,country,place\nKLU,AMS Klagenfurt,AT,Klagenfurt\nVIL,AMS Villach,AT,Villach\n"
)
CLIENTS = (
    "year,client_id,office_id,place,in_person,phone,video,online,mode,distance_km\n"
    "2019,anna-123,KLU,Villach,4,0,0,0,car,\n"
    "2019,ben-456,KLU,,2,1,0,0,,10\n"
    "2022,anna-123,KLU,Villach,1,2,1,0,car,\n"
)


def write_dataset(folder: Path, **tables: str) -> Path:
    """Write the given tables (name=csv text) plus default offices and clients."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {"offices": OFFICES, "clients": CLIENTS, **tables}
    for name, text in files.items():
        if text is not None:
            (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def con():
    connection = store.connect(":memory:")
    yield connection
    connection.close()


def problems_of(con, folder: Path) -> LoadError:
    with pytest.raises(LoadError) as caught:
        load(con, folder)
    return caught.value


def test_good_folder_loads_and_pseudonymises(con, tmp_path):
    report = load(con, write_dataset(tmp_path / "ok"))
    assert report.rows["offices"] == 2
    assert report.rows["clients"] == 3
    keys = con.execute("SELECT year, client_key FROM clients ORDER BY year, client_key").fetchall()
    # anna appears in 2019 and 2022 under one pseudonym; ben under another
    anna_keys = {k for y, k in keys}
    assert len(anna_keys) == 2
    dump = " ".join(str(v) for row in con.execute("SELECT * FROM clients").fetchall() for v in row)
    assert "anna" not in dump and "ben" not in dump


def test_same_client_keeps_its_pseudonym_across_years(con, tmp_path):
    load(con, write_dataset(tmp_path / "ok"))
    per_key = con.execute(
        "SELECT client_key, count(*) FROM clients GROUP BY ALL ORDER BY 2 DESC"
    ).fetchall()
    assert per_key[0][1] == 2  # anna, 2019 and 2022


def test_geodesic_distance_attached_and_given_distance_kept(con, tmp_path):
    load(con, write_dataset(tmp_path / "ok"))
    rows = con.execute(
        "SELECT distance_km, geodesic_km FROM clients WHERE year = 2019 ORDER BY distance_km"
    ).fetchall()
    given = [r for r in rows if r[0] is not None]
    computed = [r for r in rows if r[0] is None]
    assert given == [(10.0, None)]
    # Villach–Klagenfurt is about 34 km as the crow flies
    assert computed[0][1] == pytest.approx(34.4, abs=1.0)


def test_semicolon_latin1_decimal_comma(con, tmp_path):
    folder = tmp_path / "latin"
    folder.mkdir()
    (folder / "offices.csv").write_bytes(
        "office_id;name;country;place\nVKM;AMS Völkermarkt;AT;Völkermarkt\n".encode("latin-1")
    )
    (folder / "clients.csv").write_bytes(
        "year;client_id;office_id;place;in_person;distance_km\n"
        "2019;x1;VKM;;3;12,5\n2019;x2;VKM;Völkermarkt;1;\n".encode("latin-1")
    )
    report = load(con, folder)
    assert report.rows["clients"] == 2
    assert con.execute("SELECT name FROM offices").fetchone()[0] == "AMS Völkermarkt"
    assert con.execute("SELECT max(distance_km) FROM clients").fetchone()[0] == 12.5


def test_utf8_bom_header(con, tmp_path):
    folder = write_dataset(tmp_path / "bom")
    (folder / "offices.csv").write_bytes(b"\xef\xbb\xbf" + OFFICES.encode("utf-8"))
    assert load(con, folder).rows["offices"] == 2


def test_xlsx_with_sheets(con, tmp_path):
    book = tmp_path / "data.xlsx"
    with pd.ExcelWriter(book, engine="openpyxl") as writer:
        pd.DataFrame(
            {
                "office_id": ["KLU"],
                "name": ["AMS Klagenfurt"],
                "country": ["AT"],
                "place": ["Klagenfurt"],
            }
        ).to_excel(writer, sheet_name="offices", index=False)
        pd.DataFrame(
            {
                "year": [2019, 2022],
                "client_id": ["a", "a"],
                "office_id": ["KLU", "KLU"],
                "in_person": [3, "x"],
                "distance_km": [5, 5],
            }
        ).to_excel(writer, sheet_name="clients", index=False)
    error = problems_of(con, book)
    # the bad cell is in the third row of the sheet (header is row 1)
    assert [(p.file, p.row, p.column, p.value) for p in error.problems] == [
        ("data.xlsx, sheet clients", 3, "in_person", "x")
    ]


def test_xlsx_loads(con, tmp_path):
    book = tmp_path / "data.xlsx"
    with pd.ExcelWriter(book, engine="openpyxl") as writer:
        pd.DataFrame(
            {"office_id": ["KLU"], "name": ["K"], "country": ["AT"], "lat": [46.62], "lon": [14.31]}
        ).to_excel(writer, sheet_name="offices", index=False)
        pd.DataFrame(
            {
                "year": [2019],
                "client_id": ["a"],
                "office_id": ["KLU"],
                "in_person": [3],
                "distance_km": [5.5],
            }
        ).to_excel(writer, sheet_name="clients", index=False)
    assert load(con, book).rows["clients"] == 1


@pytest.mark.parametrize(
    ("clients", "row", "column", "value", "expected_part"),
    [
        pytest.param(
            "year,client_id,office_id,distance_km\n2019,a,KLU,3\n",
            1,
            "in_person",
            None,
            "header row",
            id="missing-required-column",
        ),
        pytest.param(
            "year,client_id,office_id,in_person,distance_km\n2019,a,KLU,drei,3\n",
            2,
            "in_person",
            "drei",
            "a number",
            id="not-a-number",
        ),
        pytest.param(
            "year,client_id,office_id,in_person,distance_km\n2019,a,KLU,-1,3\n",
            2,
            "in_person",
            "-1",
            "whole number",
            id="negative-count",
        ),
        pytest.param(
            "year,client_id,office_id,in_person,distance_km\n2019,a,KLU,1.5,3\n",
            2,
            "in_person",
            "1.5",
            "whole number",
            id="fractional-count",
        ),
        pytest.param(
            "year,client_id,office_id,in_person,distance_km\n1870,a,KLU,1,3\n",
            2,
            "year",
            "1870",
            "a year",
            id="implausible-year",
        ),
        pytest.param(
            "year,client_id,office_id,in_person,distance_km\n2019,a,XYZ,1,3\n",
            2,
            "office_id",
            "XYZ",
            "office_id from offices",
            id="unknown-office",
        ),
        pytest.param(
            "year,client_id,office_id,in_person,distance_km\n2019,,KLU,1,3\n",
            2,
            "client_id",
            None,
            "required",
            id="empty-required-value",
        ),
        pytest.param(
            "year,client_id,office_id,in_person,mode,distance_km\n2019,a,KLU,1,rocket,3\n",
            2,
            "mode",
            "rocket",
            "a mode",
            id="unknown-mode",
        ),
        pytest.param(
            "year,client_id,office_id,in_person,country,distance_km\n2019,a,KLU,1,AUT,3\n",
            2,
            "country",
            "AUT",
            "two-letter",
            id="bad-country",
        ),
        pytest.param(
            "year,client_id,office_id,in_person,distance_km\n2019,a,KLU,1,-4\n",
            2,
            "distance_km",
            "-4",
            "distance",
            id="negative-distance",
        ),
        pytest.param(
            "year,client_id,office_id,in_person,place\n2019,a,KLU,1,Atlantis\n",
            2,
            "place",
            "Atlantis",
            "location that can be found",
            id="unresolvable-place",
        ),
        pytest.param(
            "year,client_id,office_id,in_person,lat\n2019,a,KLU,1,46.6\n",
            2,
            "lon",
            None,
            "lat and lon together",
            id="lat-without-lon",
        ),
        pytest.param(
            "year,client_id,office_id,in_person,distance_km\n2019,a,KLU,1,3\n2019,a,KLU,2,3\n",
            2,
            "office_id",
            "2019 / a / KLU",
            "unique",
            id="duplicate-key",
        ),
    ],
)
def test_each_rule_names_file_row_column(con, tmp_path, clients, row, column, value, expected_part):
    error = problems_of(con, write_dataset(tmp_path / "bad", clients=clients))
    first = error.problems[0]
    assert (first.file, first.row, first.column, first.value) == ("clients.csv", row, column, value)
    assert expected_part in first.expected
    assert "clients.csv" in str(error)


def test_unresolvable_office_is_an_error(con, tmp_path):
    error = problems_of(
        con,
        write_dataset(
            tmp_path / "o",
            offices="office_id,name,country,place\nX,X,AT,Nowhere\n",
            clients="year,client_id,office_id,in_person,distance_km\n2019,a,X,1,2\n",
        ),
    )
    assert (error.problems[0].file, error.problems[0].row) == ("offices.csv", 2)


def test_only_first_twenty_problems_listed_with_count_of_rest(con, tmp_path):
    lines = "".join(f"2019,c{i},KLU,bad,3\n" for i in range(30))
    error = problems_of(
        con,
        write_dataset(
            tmp_path / "many", clients="year,client_id,office_id,in_person,distance_km\n" + lines
        ),
    )
    assert error.total == 30
    assert len(error.problems) == MAX_LISTED_PROBLEMS
    assert "… and 10 more problem(s)" in str(error)


def test_bad_load_leaves_previous_data_untouched(con, tmp_path):
    load(con, write_dataset(tmp_path / "good"))
    version = store.dataset_version(con)
    before = con.execute("SELECT * FROM clients ORDER BY ALL").fetchall()
    bad = "year,client_id,office_id,in_person,distance_km\n2019,a,KLU,1,3\n2019,b,NOPE,1,3\n"
    problems_of(con, write_dataset(tmp_path / "bad", clients=bad))
    assert store.dataset_version(con) == version
    assert con.execute("SELECT * FROM clients ORDER BY ALL").fetchall() == before


def test_malformed_csv_is_reported_not_raised_raw(con, tmp_path):
    bad = 'year,client_id,office_id,in_person\n2019,a,KLU,1\n2019,"b,KLU,1\n'
    error = problems_of(con, write_dataset(tmp_path / "broken", clients=bad))
    assert error.problems[0].file == "clients.csv"
    assert "well-formed CSV" in error.problems[0].expected


def test_contacts_event_log_becomes_client_years(con, tmp_path):
    contacts = (
        "date,client_id,office_id,channel,distance_km\n"
        "2019-02-01,a,KLU,in_person,8\n2019-03-01,a,KLU,in_person,8\n"
        "12.06.2019,a,KLU,phone,8\n2022-01-10,a,KLU,video,8\n"
    )
    load(con, write_dataset(tmp_path / "log", clients=None, contacts=contacts))
    rows = con.execute(
        "SELECT year, in_person, phone, video, online FROM clients ORDER BY year"
    ).fetchall()
    assert rows == [(2019, 2, 1, 0, 0), (2022, 0, 0, 1, 0)]


def test_unknown_channel_in_contacts(con, tmp_path):
    contacts = "year,client_id,office_id,channel,distance_km\n2019,a,KLU,fax,8\n"
    error = problems_of(con, write_dataset(tmp_path / "fax", clients=None, contacts=contacts))
    assert (error.problems[0].column, error.problems[0].value) == ("channel", "fax")


def test_postcodes_table_resolves_postcodes(con, tmp_path):
    folder = write_dataset(
        tmp_path / "pc",
        clients="year,client_id,office_id,postcode,in_person\n2019,a,KLU,9500,2\n",
        postcodes="country,postcode,lat,lon,place\nAT,9500,46.61,13.85,Villach\n",
    )
    load(con, folder)
    km = con.execute("SELECT geodesic_km FROM clients").fetchone()[0]
    assert km == pytest.approx(34.4, abs=1.0)


def test_staff_and_trips(con, tmp_path):
    folder = write_dataset(
        tmp_path / "st",
        staff="year,staff_id,office_id,place,mode,office_days,homeoffice_days\n"
        "2022,s1,VIL,Klagenfurt,car,120,80\n",
        trips="year,office_id,destination,mode,trips\n2019,KLU,VIL,car,10\n2022,KLU,Wien,rail,3\n",
    )
    report = load(con, folder)
    assert (report.rows["staff"], report.rows["trips"]) == (1, 2)
    wien = con.execute("SELECT geodesic_km FROM trips WHERE destination = 'Wien'").fetchone()[0]
    assert wien == pytest.approx(235, rel=0.02)  # Klagenfurt–Vienna as the crow flies


def test_missing_offices_table(con, tmp_path):
    folder = tmp_path / "nooffices"
    folder.mkdir()
    (folder / "clients.csv").write_text(CLIENTS)
    error = problems_of(con, folder)
    assert "offices" in error.problems[0].expected


def test_uploaded_files(con):
    report = load_files(con, {"offices.csv": OFFICES.encode(), "clients.csv": CLIENTS.encode()})
    assert report.rows["clients"] == 3


def test_unknown_file_and_column_are_warnings(con, tmp_path):
    offices = "office_id,name,country,place,colour\nKLU,AMS Klagenfurt,AT,Klagenfurt,blue\n"
    folder = write_dataset(
        tmp_path / "warn",
        offices=offices,
        clients="year,client_id,office_id,in_person,distance_km\n2019,a,KLU,1,3\n",
    )
    (folder / "notes.csv").write_text("a\n1\n")
    report = load(con, folder)
    texts = [str(w) for w in report.warnings]
    assert any("notes.csv" in t for t in texts)
    assert any("colour" in t for t in texts)


def test_a_misspelt_place_is_read_forgivingly_and_reported(con, tmp_path):
    # "Vilach" is one letter short of Villach: unambiguous, so it is taken, with a warning.
    clients = CLIENTS.replace("2022,anna-123,KLU,Villach", "2022,anna-123,KLU,Vilach")
    report = load(con, write_dataset(tmp_path / "typo", clients=clients))
    [warning] = [w for w in report.warnings if w.column == "place"]
    assert (warning.file, warning.row, warning.value) == ("clients.csv", 4, "Vilach")
    assert "Vilach → Villach" in warning.expected
    villach = con.execute(
        "SELECT DISTINCT origin_lat, origin_lon FROM clients WHERE year = 2019 AND mode = 'car'"
    ).fetchall()
    assert (
        con.execute("SELECT origin_lat, origin_lon FROM clients WHERE year = 2022").fetchall()
        == villach
    )


def test_online_answers_and_a_forgiven_typo_in_one_load(con, tmp_path):
    """The geocoder is asked only for what neither the gazetteer nor the forgiving match found,
    and a place read forgivingly keeps its point once the online answers are in."""
    clients = CLIENTS.replace("2022,anna-123,KLU,Villach", "2022,anna-123,KLU,Vilach")
    clients += "2022,cara-789,VIL,Nirgendwo-Dorf,2,0,0,0,car,\n"
    online = FakeGeocoder({"Nirgendwo-Dorf": (46.7012, 13.9049)})
    geocoder = geo.OnlineGeocoder(min_delay_seconds=0, geocoder=online)

    load(con, write_dataset(tmp_path / "both", clients=clients), geocoder=geocoder)

    assert [query for query, _ in online.calls] == ["Nirgendwo-Dorf"]
    [villach] = con.execute(
        "SELECT DISTINCT origin_lat, origin_lon FROM clients WHERE year = 2019 AND mode = 'car'"
    ).fetchall()
    # Client points are rounded to three decimals (about 100 m) as they are stored.
    assert con.execute(
        "SELECT in_person, origin_lat, origin_lon FROM clients WHERE year = 2022 ORDER BY 1"
    ).fetchall() == [(1, *villach), (2, 46.701, 13.905)]


def test_an_ambiguous_near_miss_is_an_error_with_its_candidates(con, tmp_path):
    clients = CLIENTS.replace("2022,anna-123,KLU,Villach", "2022,anna-123,KLU,Wolfsburg")
    problems = problems_of(con, write_dataset(tmp_path / "near", clients=clients))
    [problem] = problems.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "clients.csv",
        4,
        "place",
        "Wolfsburg",
    )
    assert "did you mean: Wolfsburg → Wolfsberg" in problem.expected


def _all_tables(con) -> dict[str, list[tuple]]:
    return {
        table: con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        for table in ("offices", "clients", "staff", "trips", "postcodes")
    }


def test_typed_scan_and_text_path_load_the_same_data_set(tmp_path):
    """A CSV folder takes the typed reader's one scan; the same tables in a workbook take the
    text path (every cell read as text). Both must give identical tables, row for row: the
    generated demo plus cells written the way people write them (spaces, an alias, a default
    left empty, a date in German order)."""
    from calc import demo

    folder = tmp_path / "csv"
    demo.generate(folder, clients_per_year=300)
    clients = pd.read_csv(folder / "clients.csv", dtype=str, keep_default_na=False)
    clients.loc[0, "place"] = f"  {clients.loc[0, 'place']} "
    clients.loc[1, "mode"] = "Bicycle"
    clients.loc[2, "phone"] = ""
    clients.loc[3, "distance_km"] = "12.5"
    clients.to_csv(folder / "clients.csv", index=False)
    book = tmp_path / "book.xlsx"
    with pd.ExcelWriter(book, engine="openpyxl") as writer:
        for path in sorted(folder.glob("*.csv")):
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            frame.to_excel(writer, sheet_name=path.stem, index=False)
    salt = "equal-salt"
    by_scan = store.connect(":memory:")
    by_text = store.connect(":memory:")
    load(by_scan, folder, salt=salt)
    load(by_text, book, salt=salt)
    scanned, texted = _all_tables(by_scan), _all_tables(by_text)
    assert len(scanned["clients"]) == len(clients)
    assert scanned == texted
    row = by_scan.execute(
        "SELECT mode, distance_km FROM clients WHERE distance_km = 12.5"
    ).fetchall()
    assert row and row[0][1] == 12.5


def test_a_fractional_count_in_a_clean_looking_file_is_not_rounded(con, tmp_path):
    """DuckDB's typed BIGINT reader rounds 1.5 to 2; the loader must refuse it instead."""
    clients = "year,client_id,office_id,in_person,distance_km\n2019,a,KLU,1.5,3\n"
    error = problems_of(con, write_dataset(tmp_path / "frac", clients=clients))
    assert (error.problems[0].row, error.problems[0].column) == (2, "in_person")


def test_a_problem_is_said_in_each_language_with_its_numbers_formatted(con, tmp_path):
    """The limit of rows per table is 20,000,000 (data/store.csv): 20.000.000 in German and
    Dutch. The English text is what the command line prints."""
    from calc.loaders import Amount, Problem, say

    problem = Problem(
        "clients.csv",
        None,
        None,
        say("value.rows", rows=Amount(20_000_001)),
        say("rows", limit=Amount(20_000_000)),
    )
    assert problem.expected == "at most 20,000,000 rows per table (data/store.csv)"
    assert problem.expected_in("de") == "höchstens 20.000.000 Zeilen je Tabelle (data/store.csv)"
    assert problem.value_in("nl") == "20.000.001 rijen"
    assert str(problem) == (
        "clients.csv: got '20,000,001 rows', expected at most 20,000,000 rows per table "
        "(data/store.csv)"
    )


def test_every_plausible_range_unit_and_loader_message_has_its_words_in_every_language():
    import re as regex

    from calc import locale
    from calc.loaders import plausible_ranges

    for _low, _high, unit in plausible_ranges().values():
        key = "loader.unit." + regex.sub(r"\W+", "_", unit).strip("_")
        assert locale.has(key), key
    entries = {k: v for k, v in locale.catalogue().items() if k.startswith("loader.")}
    assert len(entries) > 40
    for key, texts in entries.items():
        placeholders = {
            lang: set(regex.findall(r"\{(\w+)\}", text)) for lang, text in texts.items()
        }
        assert all(texts.values()), key
        assert placeholders["de"] == placeholders["en"] == placeholders["nl"], key


def test_the_first_contact_in_the_file_says_where_a_client_came_from_that_year(con, tmp_path):
    """Two contacts of one client in 2019 disagree on the distance and mode: the first row of
    the file stands for the year (8 km by car), whatever their dates; 2022 has its own."""
    contacts = (
        "date,client_id,office_id,channel,mode,distance_km\n"
        "2019-03-01,a,KLU,in_person,car,8\n"
        "2019-02-01,a,KLU,in_person,rail,20\n"
        "2019-04-01,a,KLU,phone,,\n"
        "2022-01-10,a,KLU,in_person,bike,3\n"
    )
    load(con, write_dataset(tmp_path / "first", clients=None, contacts=contacts))
    rows = con.execute(
        "SELECT year, in_person, phone, mode, distance_km FROM clients ORDER BY year"
    ).fetchall()
    assert rows == [(2019, 2, 1, "car", 8.0), (2022, 1, 0, "bike", 3.0)]


def test_cells_are_trimmed_exactly_as_duckdbs_trim_would():
    """The loader calls trim() only on a cell with a space at an end or a non-ASCII
    character (calc.loaders._trim). Whatever DuckDB's trim removes — every code point is
    tried, which finds the space and the other Unicode space separators — is put before,
    after and inside ASCII and non-ASCII text; the guarded trim must give what trim gives."""
    import duckdb

    from calc.loaders import _trim

    con = duckdb.connect()
    trimmed_away = [
        code
        for (code,) in con.execute(
            "SELECT i FROM range(1, 1114112) t(i) WHERE (i < 55296 OR i > 57343) "
            "AND trim(chr(i::INTEGER) || 'x') <> chr(i::INTEGER) || 'x'"
        ).fetchall()
    ]
    assert 32 in trimmed_away and 0xA0 in trimmed_away  # the space and the no-break space
    cells = ["", " ", "  ", "\t x", "x\t", "a\r\n", "KLU", "Wörthersee", " Wörthersee ", "ü "]
    for code in trimmed_away:
        space = chr(code)
        cells += [
            f"{space}KLU",
            f"KLU{space}",
            f"{space}Wörth{space}",
            f"Sankt{space}Veit",
            space * 3,
            f"ö{space}",
        ]
    con.execute("CREATE TABLE cells (cell VARCHAR)")
    con.executemany("INSERT INTO cells VALUES (?)", [[c] for c in cells])
    differing = con.execute(
        f"SELECT cell FROM cells WHERE {_trim('cell')} IS DISTINCT FROM trim(cell)"
    ).fetchall()
    assert differing == []
