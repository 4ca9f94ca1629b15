"""Places and distances: offline gazetteer, matching keys, cached geodesics, opt-in geocoding.

Everything here works on a DuckDB connection so that the loader can resolve a million rows in
SQL. Python only does what SQL cannot: the WGS-84 geodesic (pyproj, vectorised), and, when the
user opts in, asking an online geocoder about a place name or postcode (never a person's name
or street).
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

import duckdb
import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from calc import datafiles
from calc.units import M_PER_KM

GAZETTEER_PATH: Path = Path(__file__).resolve().parent.parent / "data" / "gazetteer.csv"
# Coordinates are rounded to ~100 m before pairing: fewer pairs to compute, coarser personal data.
COORD_DECIMALS: int = 3

# --- matching key -------------------------------------------------------------------------------
#
# place_key() and the SQL macro place_key(t) must give the same key for every input, or a place
# found in a test would be missed in a load. So both are built from steps that DuckDB and Python
# do identically, in the same order:
#   0. every character outside the Latin letter blocks and the basic combining accents becomes
#      a space. Python and DuckDB ship different Unicode versions (a mark added in Unicode 15
#      is stripped by DuckDB but unknown to Python 3.11): confining steps 1-2 to blocks that
#      have been stable for twenty years makes the two agree on every input. The gazetteer
#      holds Latin-script names only, so nothing matchable is lost.
#   1. lower case            (DuckDB lower() == str.lower() on these blocks; str.casefold()
#                            is not used because DuckDB has no equivalent, ß is step 3)
#   2. strip accents         (DuckDB strip_accents() == canonical decomposition minus marks)
#   3. spell out letters that have no decomposition: ß -> ss, ø -> o, æ -> ae, ...
#   4. any run of characters other than a-z 0-9 -> one space, trimmed.
#   5. the abbreviation and the language variants of "saint" -> 'sankt'.
# 'oe' is deliberately NOT folded into 'o' (nor 'ae', 'ue'): that would merge different places
# (Neuenkirchen/Neunkirchen, Coesfeld, Itzehoe). 'Voelkermarkt' finds Völkermarkt because the
# gazetteer carries the spelled-out form as an alternate name (see data/GAZETTEER.md).

# Lower-case letters that strip_accents leaves alone because Unicode gives them no decomposition.
_SPELLED_OUT: tuple[tuple[str, str], ...] = (
    ("ß", "ss"),
    ("æ", "ae"),
    ("œ", "oe"),
    ("ø", "o"),
    ("ł", "l"),
    ("đ", "d"),
    ("ð", "d"),
    ("þ", "th"),
    ("ı", "i"),
    ("ħ", "h"),
    ("ŧ", "t"),
    ("ĳ", "ij"),
)
# Basic Latin, Latin-1, Latin Extended-A and -B; Combining Diacritical Marks; Latin Extended
# Additional (Vietnamese, ẞ).
# NUL is left out: DuckDB's strip_accents() stops at it.
_LATIN_BLOCKS: tuple[tuple[int, int], ...] = ((0x0001, 0x024F), (0x0300, 0x036F), (0x1E00, 0x1EFF))
_NOT_LATIN_RE_PY = "[^" + "".join(f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in _LATIN_BLOCKS) + "]+"
_NOT_LATIN_RE_SQL = (
    "[^" + "".join(f"\\x{{{lo:04X}}}-\\x{{{hi:04X}}}" for lo, hi in _LATIN_BLOCKS) + "]+"
)
# Python's re and DuckDB's RE2 agree on these: the string is ASCII by the time they run.
_NON_ALNUM_RE = "[^a-z0-9]+"
_SANKT_RE = r"\b(st|saint|sint)\b"  # St. Veit, Saint-Nicolas, Sint-Niklaas
_SAINTE_RE = r"\b(ste)\b"  # Ste-Ode = Sainte-Ode

_NOT_LATIN = re.compile(_NOT_LATIN_RE_PY)
_NON_ALNUM = re.compile(_NON_ALNUM_RE)
_SANKT = re.compile(_SANKT_RE)
_SAINTE = re.compile(_SAINTE_RE)


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.category(ch).startswith("M"))


def place_key(text: str) -> str:
    """Key for matching a place name typed by a person against the gazetteer.

    'St. Veit an der Glan' and 'Sankt Veit an der Glan' -> 'sankt veit an der glan';
    'Völkermarkt' -> 'volkermarkt' (but 'Voelkermarkt' -> 'voelkermarkt', see above).
    """
    key = _strip_marks(_NOT_LATIN.sub(" ", text).lower())
    for letter, spelled in _SPELLED_OUT:
        key = key.replace(letter, spelled)
    key = _NON_ALNUM.sub(" ", key).strip(" ")
    key = _SANKT.sub("sankt", key)
    return _SAINTE.sub("sainte", key)


def _place_key_macro_sql() -> str:
    expr = f"strip_accents(lower(regexp_replace(t, '{_NOT_LATIN_RE_SQL}', ' ', 'g')))"
    for letter, spelled in _SPELLED_OUT:
        expr = f"replace({expr}, '{letter}', '{spelled}')"
    expr = f"trim(regexp_replace({expr}, '{_NON_ALNUM_RE}', ' ', 'g'))"
    expr = f"regexp_replace({expr}, '{_SANKT_RE}', 'sankt', 'g')"
    expr = f"regexp_replace({expr}, '{_SAINTE_RE}', 'sainte', 'g')"
    return f"CREATE OR REPLACE MACRO place_key(t) AS {expr}"


PLACE_KEY_MACRO_SQL: str = _place_key_macro_sql()

# --- tables -------------------------------------------------------------------------------------

_GAZETTEER_DDL = """
    CREATE OR REPLACE TABLE gazetteer (
        country VARCHAR NOT NULL, place_key VARCHAR NOT NULL, name VARCHAR NOT NULL,
        admin1 VARCHAR, lat DOUBLE NOT NULL, lon DOUBLE NOT NULL, population BIGINT NOT NULL,
        PRIMARY KEY (country, place_key))
"""
# Every name and alternate gives a key. Where keys collide within a country, a place's own name
# beats someone else's alternate ('Feldkirchen' the village over 'Feldkirchen' as short for
# Feldkirchen in Kärnten), then the bigger place wins; the rest only makes the order total.
_GAZETTEER_FILL = """
    INSERT INTO gazetteer
    WITH src AS (
        SELECT row_number() OVER () AS place_id, *
        FROM read_csv(?, header = true, auto_detect = false, delim = ',', quote = '"',
            columns = {'country': 'VARCHAR', 'name': 'VARCHAR', 'admin1': 'VARCHAR',
                       'lat': 'DOUBLE', 'lon': 'DOUBLE', 'population': 'BIGINT',
                       'alternates': 'VARCHAR'})
    ),
    names AS (
        SELECT place_id, name AS variant, true AS is_main FROM src
        UNION ALL
        SELECT place_id, unnest(string_split(alternates, '|')) AS variant, false AS is_main
        FROM src WHERE alternates <> ''
    ),
    keyed AS (
        SELECT place_id, is_main, place_key(variant) AS place_key FROM names
    )
    SELECT s.country, k.place_key, s.name, s.admin1, s.lat, s.lon, coalesce(s.population, 0)
    FROM keyed k JOIN src s USING (place_id)
    WHERE k.place_key <> ''
    QUALIFY row_number() OVER (
        PARTITION BY s.country, k.place_key
        ORDER BY k.is_main DESC, s.population DESC NULLS LAST, s.name, s.lat, s.lon) = 1
"""
_DISTANCE_CACHE_DDL = """
    CREATE TABLE IF NOT EXISTS distance_cache (
        from_lat DOUBLE, from_lon DOUBLE, to_lat DOUBLE, to_lon DOUBLE, geodesic_km DOUBLE,
        PRIMARY KEY (from_lat, from_lon, to_lat, to_lon))
"""
_GEOCODE_CACHE_DDL = """
    CREATE TABLE IF NOT EXISTS geocode_cache (
        country VARCHAR, query VARCHAR, lat DOUBLE, lon DOUBLE, found BOOLEAN,
        fetched_at TIMESTAMP, PRIMARY KEY (country, query))
"""


def _gazetteer_fingerprint(path: Path) -> str:
    # The table depends on the file and on how keys are made: a change of either reloads it.
    digest = hashlib.sha256(path.read_bytes())
    digest.update(PLACE_KEY_MACRO_SQL.encode())
    return "wegbilanz-gazetteer:" + digest.hexdigest()


def attach_gazetteer(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Give a connection the gazetteer from a database file of its own in `folder`, built once
    per gazetteer edition and key function, instead of a copy in every data version (about a
    second and 5 MB per load). The connection reads it as the temp view `gazetteer`."""
    fingerprint = _gazetteer_fingerprint(GAZETTEER_PATH).rsplit(":", 1)[-1][:16]
    path = folder / f"{fingerprint}.duckdb"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        # Built beside, then renamed: a load running at the same time never sees half a file.
        partial = folder / f"{fingerprint}.{os.getpid()}.{uuid.uuid4().hex[:8]}.partial"
        try:
            with duckdb.connect(str(partial)) as building:
                install(building)
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
            Path(f"{partial}.wal").unlink(missing_ok=True)
    quoted = str(path).replace("'", "''")
    con.execute(f"ATTACH '{quoted}' AS gazetteer_edition (READ_ONLY)")
    con.execute("CREATE OR REPLACE TEMP VIEW gazetteer AS FROM gazetteer_edition.gazetteer")


def install(con: duckdb.DuckDBPyConnection, *, gazetteer: bool = True) -> None:
    """Create the place_key macro, the gazetteer and the two caches. Safe to call again.

    The gazetteer is reloaded only when data/gazetteer.csv or the key function changed; the
    caches are never emptied. Call it outside an open transaction. gazetteer=False leaves the
    gazetteer out (about a second): a data version that no loader resolves places in.
    """
    con.execute(PLACE_KEY_MACRO_SQL)
    con.execute(_DISTANCE_CACHE_DDL)
    con.execute(_GEOCODE_CACHE_DDL)
    if not gazetteer:
        return
    if not GAZETTEER_PATH.is_file():
        raise FileNotFoundError(
            f"offline gazetteer {GAZETTEER_PATH} is missing; rebuild it with "
            "'python data/build_gazetteer.py' (see data/GAZETTEER.md)"
        )
    fingerprint = _gazetteer_fingerprint(GAZETTEER_PATH)
    loaded = con.execute(
        "SELECT comment FROM duckdb_tables() "
        "WHERE table_name = 'gazetteer' AND schema_name = current_schema()"
        " AND database_name = current_database()"
    ).fetchall()  # not fetchone(): that leaves the result open, and DuckDB then refuses register()
    if loaded and loaded[0][0] == fingerprint:
        return
    con.execute(_GAZETTEER_DDL)
    con.execute(_GAZETTEER_FILL, [str(GAZETTEER_PATH)])
    # COMMENT ON takes no parameters; the fingerprint is our own hex string.
    con.execute(f"COMMENT ON TABLE gazetteer IS '{fingerprint}'")


# --- distances ----------------------------------------------------------------------------------


@functools.cache
def _wgs84() -> Any:
    """Karney's algorithm on WGS-84, as geopy's geodesic, but vectorised: one call for every
    pair. Made on first use: pyproj takes a tenth of a second to import, and only a load
    computes distances (the app's first page does not)."""
    import pyproj

    return pyproj.Geod(ellps="WGS84")


def geodesic_km(
    from_lat: np.ndarray, from_lon: np.ndarray, to_lat: np.ndarray, to_lon: np.ndarray
) -> np.ndarray:
    """WGS-84 geodesic distances in km of many pairs at once."""
    _, _, metres = _wgs84().inv(from_lon, from_lat, to_lon, to_lat)
    return np.asarray(metres, dtype=float) / M_PER_KM


def fill_distance_cache(con: duckdb.DuckDBPyConnection, pairs_sql: str) -> int:
    """Compute and cache the geodesic of every distinct pair that is not cached yet.

    pairs_sql is SQL written by calc (never user text) selecting from_lat, from_lon, to_lat,
    to_lon, already rounded to COORD_DECIMALS. The columns are taken by position, so a UNION whose
    parts are unnamed works too. Pairs with a missing or impossible coordinate are skipped: they
    stay uncached and the caller's join leaves their distance NULL. Returns how many pairs were
    computed (0 when everything was cached: one query, no Python loop).
    """
    pairs_to_cache = con.execute(
        f"""
        SELECT DISTINCT CAST(p.from_lat AS DOUBLE) AS from_lat,
            CAST(p.from_lon AS DOUBLE) AS from_lon, CAST(p.to_lat AS DOUBLE) AS to_lat,
            CAST(p.to_lon AS DOUBLE) AS to_lon
        FROM ({pairs_sql}) AS p(from_lat, from_lon, to_lat, to_lon)
        ANTI JOIN distance_cache c
            ON c.from_lat = p.from_lat AND c.from_lon = p.from_lon
            AND c.to_lat = p.to_lat AND c.to_lon = p.to_lon
        WHERE p.from_lat BETWEEN -90 AND 90 AND p.to_lat BETWEEN -90 AND 90
            AND p.from_lon BETWEEN -180 AND 180 AND p.to_lon BETWEEN -180 AND 180
        """
    ).df()  # columnar: a few hundred thousand pairs as Python tuples cost half a second
    if pairs_to_cache.empty:
        return 0
    pairs_to_cache["geodesic_km"] = geodesic_km(
        pairs_to_cache["from_lat"].to_numpy(),
        pairs_to_cache["from_lon"].to_numpy(),
        pairs_to_cache["to_lat"].to_numpy(),
        pairs_to_cache["to_lon"].to_numpy(),
    )
    # DuckDB reads the local DataFrame by its name (replacement scan): unlike con.register()
    # this works inside the caller's open transaction and with an unfinished result pending.
    # OR IGNORE: another session may have cached some of the same pairs meanwhile.
    con.execute(
        "INSERT OR IGNORE INTO distance_cache "
        "SELECT from_lat, from_lon, to_lat, to_lon, geodesic_km FROM pairs_to_cache"
    )
    return len(pairs_to_cache)


# --- online geocoding (opt-in) ------------------------------------------------------------------


class Geocoder(Protocol):
    """What OnlineGeocoder needs from a geocoder: geopy's geocoders all fit."""

    def geocode(self, query: str, **kwargs: Any) -> Any: ...


# After this many failures in a row (no network, service down) the rest of a batch is not
# tried: each attempt waits for retries, and a thousand of them would hang a load for hours.
_MAX_CONSECUTIVE_ERRORS = 3


class OnlineGeocoder:
    """Looks up (country, place or postcode) online, at most once per query ever.

    Opt-in only: the app and the CLI create one only when the user asks for online geocoding.
    Answers, found or not, are kept in geocode_cache; only queries not cached go to the network.
    A network or service error leaves the query unresolved (None) and uncached, so that a later
    run tries again; it never raises. The errors of the last resolve() are in `errors`.
    """

    def __init__(
        self,
        user_agent: str = "wegbilanz",
        min_delay_seconds: float = 1.0,
        geocoder: Geocoder | None = None,
    ) -> None:
        if geocoder is None:
            # Imported here: most runs never geocode online.
            from geopy.geocoders import Nominatim

            geocoder = Nominatim(user_agent=user_agent)
        from geopy.extra.rate_limiter import RateLimiter

        self.geocoder = geocoder
        # Nominatim's usage policy: at most one request per second.
        self._geocode = RateLimiter(
            geocoder.geocode,
            min_delay_seconds=min_delay_seconds,
            max_retries=2,
            error_wait_seconds=5 * min_delay_seconds,
            swallow_exceptions=False,  # an error must not be cached as "not found"
        )
        self.errors: list[str] = []

    def resolve(
        self, con: duckdb.DuckDBPyConnection, queries: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[float, float] | None]:
        """(lat, lon) for each (country, place-or-postcode); None when not found or not reached.

        Queries are cached exactly as given, so that SQL can join geocode_cache on the same
        (country, query) text.
        """
        wanted = list(dict.fromkeys((str(c), str(q)) for c, q in queries))
        self.errors = []
        results: dict[tuple[str, str], tuple[float, float] | None] = dict.fromkeys(wanted)
        if not wanted:
            return results

        cached = self._cached(con, wanted)
        results.update(cached)
        consecutive_errors = 0
        for country, query in wanted:
            if (country, query) in cached or not query.strip() or not country.strip():
                continue
            if consecutive_errors >= _MAX_CONSECUTIVE_ERRORS:
                self.errors.append(f"{country} {query!r}: skipped after repeated errors")
                continue
            try:
                location = self._geocode(query, exactly_one=True, country_codes=country.lower())
            except Exception as exc:  # network, quota, parse: all mean "not resolved this time"
                consecutive_errors += 1
                self.errors.append(f"{country} {query!r}: {type(exc).__name__}: {exc}")
                continue
            consecutive_errors = 0
            point = None if location is None else (location.latitude, location.longitude)
            # Written one by one: each answer cost a second of rate limit, keep it even if the
            # batch is interrupted.
            con.execute(
                "INSERT OR REPLACE INTO geocode_cache VALUES (?, ?, ?, ?, ?, ?)",
                [
                    country,
                    query,
                    None if point is None else point[0],
                    None if point is None else point[1],
                    point is not None,
                    datetime.now(UTC).replace(tzinfo=None),  # UTC
                ],
            )
            results[(country, query)] = point
        return results

    @staticmethod
    def _cached(
        con: duckdb.DuckDBPyConnection, wanted: list[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[float, float] | None]:
        asked_queries = pd.DataFrame(wanted, columns=["country", "query"])
        rows = con.execute(
            "SELECT g.country, g.query, g.found, g.lat, g.lon FROM geocode_cache g "
            "SEMI JOIN asked_queries q ON q.country = g.country AND q.query = g.query"
        ).fetchall()
        del asked_queries  # read by DuckDB above, by name (replacement scan)
        return {(c, q): ((lat, lon) if found else None) for c, q, found, lat, lon in rows}


# --- forgiving place matching -------------------------------------------------------------------
#
# A place that place_key() does not find is looked up once more, forgivingly: by a loose key
# (connecting words such as "am", "an der", "a. d." left out, spaces ignored, umlaut spellings
# ae/oe/ue folded) and then by similarity of the loose keys (rapidfuzz), so that "Krumpendorf am
# Wörthersee", "Spittal a. d. Drau" and "Vilach" find their places. A forgiving match is taken
# without asking only when it is unambiguous: one place behind the loose key, or a similarity of
# at least `accept_score` with no other place within `margin` points (data/place_matching.csv).
# Otherwise the best places are offered as suggestions for the user to confirm.

PLACE_MATCHING_PATH: Path = GAZETTEER_PATH.parent / "place_matching.csv"

# Words that join the parts of a place name and that people write in many ways or leave out:
# "Spittal an der Drau", "Spittal a. d. Drau", "Spittal/Drau"; Dutch "Alphen aan den Rijn".
_CONNECTORS: frozenset[str] = frozenset(
    {"am", "an", "a", "d", "der", "dem", "den", "die", "im", "in", "i", "bei", "b", "ob", "auf"}
    | {"aan", "de", "op", "bij"}
)
# The spelled-out umlauts, folded on both sides (place_key has already turned ä into a).
_UMLAUT_SPELLINGS: tuple[tuple[str, str], ...] = (("ae", "a"), ("oe", "o"), ("ue", "u"))


def loose_place_key(text: str) -> str:
    """place_key() without connecting words, umlaut spellings or spaces: 'Krumpendorf am
    Wörthersee' and 'Krumpendorf am Woerther See' -> 'krumpendorfworthersee'. Loose keys of
    different places can coincide (Neuenkirchen, Neunkirchen), so a loose key alone never
    decides between two places."""
    words = [w for w in place_key(text).split(" ") if w and w not in _CONNECTORS]
    key = "".join(words)
    for spelled, folded in _UMLAUT_SPELLINGS:
        key = key.replace(spelled, folded)
    return key


@dataclass(frozen=True)
class MatchRules:
    """How forgiving a place lookup is (data/place_matching.csv)."""

    accept_score: float
    margin: float
    suggest_score: float
    max_suggestions: int

    @classmethod
    def load(cls, path: Path | None = None) -> MatchRules:
        values = datafiles.key_values(path or PLACE_MATCHING_PATH)
        return cls(
            accept_score=float(values["accept_score"]),
            margin=float(values["margin"]),
            suggest_score=float(values["suggest_score"]),
            max_suggestions=int(values["max_suggestions"]),
        )


class MatchStatus(StrEnum):
    EXACT = "exact"  # place_key() found it, as in a load's SQL join
    LOOSE = "loose"  # one place behind the loose key: taken
    FUZZY = "fuzzy"  # similar to one place only, above accept_score: taken
    SUGGESTED = "suggested"  # not taken: the user confirms one of `suggestions`
    NOT_FOUND = "not_found"  # nothing similar enough to suggest


@dataclass(frozen=True)
class Place:
    """A place of the gazetteer."""

    country: str
    name: str
    admin1: str
    lat: float
    lon: float
    population: int


@dataclass(frozen=True)
class PlaceMatch:
    """What a forgiving lookup of `query` in `country` found. `place` is set when the match is
    taken (exact, loose, fuzzy); `suggestions` are the places to offer otherwise, best first,
    and `score` is the similarity of the best one (100 for exact and loose matches)."""

    query: str
    country: str
    status: MatchStatus
    place: Place | None = None
    score: float = 0.0
    suggestions: tuple[Place, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.place is not None

    @property
    def forgiven(self) -> bool:
        """Taken although not written as in the gazetteer: worth telling the user."""
        return self.status in (MatchStatus.LOOSE, MatchStatus.FUZZY)

    def hint(self) -> str:
        """The validation report's hint, the same in every language: 'Vilach → Villach?' when
        suggesting, 'Vilach → Villach' when taken without asking, '' otherwise."""
        if self.forgiven and self.place is not None:
            return f"{self.query} → {self.place.name}"
        if self.suggestions:
            return f"{self.query} → {' | '.join(p.name for p in self.suggestions)}?"
        return ""


class PlaceMatcher:
    """Forgiving lookups in the gazetteer; build it once per load, it indexes every name."""

    def __init__(self, gazetteer: pd.DataFrame, rules: MatchRules | None = None) -> None:
        """`gazetteer`: rows of country, place_key, name, admin1, lat, lon, population, one per
        key (the `gazetteer` table that install() fills, or gazetteer_keys())."""
        self.rules = rules or MatchRules.load()
        self._exact: dict[tuple[str, str], Place] = {}
        # per country: loose key -> the distinct places behind it
        self._loose: dict[str, dict[str, list[Place]]] = {}
        for row in gazetteer.itertuples(index=False):
            place = Place(
                country=str(row.country),
                name=str(row.name),
                admin1="" if pd.isna(row.admin1) else str(row.admin1),
                lat=float(row.lat),
                lon=float(row.lon),
                population=int(row.population),
            )
            self._exact[(place.country, str(row.place_key))] = place
            loose = loose_place_key(str(row.place_key))
            if not loose:
                continue
            behind = self._loose.setdefault(place.country, {}).setdefault(loose, [])
            if place not in behind:
                behind.append(place)
        self._choices = {country: list(keys) for country, keys in self._loose.items()}

    @classmethod
    def from_connection(
        cls, con: duckdb.DuckDBPyConnection, rules: MatchRules | None = None
    ) -> PlaceMatcher:
        """From the installed `gazetteer` table (call install() first)."""
        table = con.execute(
            "SELECT country, place_key, name, admin1, lat, lon, population FROM gazetteer"
        ).df()
        return cls(table, rules)

    def match(self, query: str, country: str) -> PlaceMatch:
        """Look `query` up among the places of `country` (ISO alpha-2)."""
        country = str(country).strip().upper()
        exact = self._exact.get((country, place_key(query)))
        if exact is not None:
            return PlaceMatch(query, country, MatchStatus.EXACT, exact, 100.0)
        loose = loose_place_key(query)
        keys = self._loose.get(country, {})
        if not loose or not keys:
            return PlaceMatch(query, country, MatchStatus.NOT_FOUND)
        behind = keys.get(loose, [])
        if len(behind) == 1:
            return PlaceMatch(query, country, MatchStatus.LOOSE, behind[0], 100.0)
        ranked = self._ranked(loose, country)
        rules = self.rules
        if (
            ranked
            and len(behind) == 0
            and ranked[0][1] >= rules.accept_score
            and (len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= rules.margin)
        ):
            place, score = ranked[0]
            return PlaceMatch(query, country, MatchStatus.FUZZY, place, score)
        offered = [(p, s) for p, s in ranked if s >= rules.suggest_score]
        offered = offered[: rules.max_suggestions]
        if not offered:
            return PlaceMatch(query, country, MatchStatus.NOT_FOUND)
        return PlaceMatch(
            query,
            country,
            MatchStatus.SUGGESTED,
            score=offered[0][1],
            suggestions=tuple(p for p, _ in offered),
        )

    def _ranked(self, loose: str, country: str) -> list[tuple[Place, float]]:
        """The distinct places of the country by similarity of their best loose key, best
        first; at equal scores the bigger place first."""
        found = process.extract(
            loose,
            self._choices[country],
            scorer=fuzz.ratio,
            limit=max(10, 3 * self.rules.max_suggestions),
            score_cutoff=min(self.rules.suggest_score, self.rules.accept_score - self.rules.margin),
        )
        best: dict[Place, float] = {}
        for key, score, _ in found:
            for place in self._loose[country][key]:
                best[place] = max(best.get(place, 0.0), float(score))
        return sorted(best.items(), key=lambda item: (-item[1], -item[0].population, item[0].name))

    def resolve_frame(self, pairs: pd.DataFrame) -> pd.DataFrame:
        """match() of each distinct (country, place) row of `pairs`, as a table a load can join:
        country, place (as given), status, name, lat, lon (set only when the match is taken),
        score and hint ('Vilach → Villach?'; empty for exact matches)."""
        records = []
        for country, place in pairs[["country", "place"]].drop_duplicates().itertuples(index=False):
            found = self.match(str(place), str(country))
            taken = found.place
            records.append(
                (
                    country,
                    place,
                    found.status.value,
                    taken.name if taken else None,
                    taken.lat if taken else None,
                    taken.lon if taken else None,
                    found.score,
                    found.hint(),
                )
            )
        columns = ["country", "place", "status", "name", "lat", "lon", "score", "hint"]
        return pd.DataFrame(records, columns=columns).astype(
            {"lat": "float64", "lon": "float64", "score": "float64"}
        )

    def match_many(self, queries: Iterable[tuple[str, str]]) -> dict[tuple[str, str], PlaceMatch]:
        """match() of every distinct (country, place) pair, keyed as given."""
        return {
            (country, query): self.match(query, country)
            for country, query in dict.fromkeys((str(c), str(q)) for c, q in queries)
        }


def gazetteer_keys(path: Path | None = None) -> pd.DataFrame:
    """The keyed gazetteer as install() builds it, from the CSV alone (no database needed)."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(PLACE_KEY_MACRO_SQL)
        con.execute(_GAZETTEER_DDL)
        con.execute(_GAZETTEER_FILL, [str(path or GAZETTEER_PATH)])
        return con.execute(
            "SELECT country, place_key, name, admin1, lat, lon, population FROM gazetteer"
        ).df()
    finally:
        con.close()
