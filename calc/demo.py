"""A reproducible demo data set for Carinthia: the 8 offices of AMS Kärnten, their clients,
staff and business trips for 2019-2024, written as CSV files in the data contract's format.

Every rate and count comes from data/demo_parameters.csv (with its source); this module holds
only the mechanics. Client homes are places of the shipped gazetteer, so loading the demo
exercises the app's place resolution, and all distances are left for the app to compute.

The default set also ships pre-built (data/demo_prebuilt/, `python -m calc demo --prebuilt`):
the tables the loader makes of it, places resolved and distances computed, with the demo's own
ids where a load puts pseudonyms. `load_prebuilt` puts it in place as a new data version,
keying the pseudonyms with this installation's key, in a fraction of a second: the app's first
start on a fresh machine is then no slower than any other.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from calc import pseudonyms, store
from calc.geo import place_key
from calc.roles import Role
from calc.schema import Channel, Mode, normalise_mode

REPO_DIR = Path(__file__).resolve().parent.parent
DEMO_PARAMETERS_PATH = REPO_DIR / "data" / "demo_parameters.csv"
GAZETTEER_PATH = REPO_DIR / "data" / "gazetteer.csv"
PREBUILT_DIR = REPO_DIR / "data" / "demo_prebuilt"
DEMO_LABEL = "demo"

COUNTRY = "AT"
CARINTHIA_ADMIN1 = "02"  # GeoNames' admin1 code of Kärnten
HEAD_OFFICE_ID = "KLU"  # the regional head office (Landesgeschäftsstelle) is in Klagenfurt
VIENNA_PLACE = "Wien"  # an alternate name of GeoNames' 'Vienna': exercises alternate matching
EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
MODE_BANDS: tuple[str, ...] = ("near", "local", "regional", "far")


@dataclass(frozen=True)
class DemoOffice:
    office_id: str
    name: str
    place: str  # as the office would write it; resolved through the gazetteer's names/alternates


DEMO_OFFICES: tuple[DemoOffice, ...] = (
    DemoOffice("FEL", "AMS Feldkirchen", "Feldkirchen in Kärnten"),
    DemoOffice("HER", "AMS Hermagor", "Hermagor"),
    DemoOffice("KLU", "AMS Klagenfurt", "Klagenfurt am Wörthersee"),
    DemoOffice("SPI", "AMS Spittal an der Drau", "Spittal an der Drau"),
    DemoOffice("SVG", "AMS St. Veit an der Glan", "St. Veit an der Glan"),
    DemoOffice("VIL", "AMS Villach", "Villach"),
    DemoOffice("VKM", "AMS Völkermarkt", "Völkermarkt"),
    DemoOffice("WOL", "AMS Wolfsberg", "Wolfsberg"),
)


# --- parameters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoParameters:
    """The rows of demo_parameters.csv: value by (key, year); year None = every year."""

    values: Mapping[tuple[str, int | None], float]
    source: str = "demo_parameters.csv"

    def get(self, key: str, year: int | None = None) -> float:
        if year is not None and (key, year) in self.values:
            return self.values[(key, year)]
        if (key, None) in self.values:
            return self.values[(key, None)]
        when = f" for {year}" if year is not None else ""
        raise KeyError(f"{self.source}: no value for '{key}'{when}")

    def suffixes(self, prefix: str) -> list[str]:
        """What follows `prefix` in the keys that start with it, in file order, once each."""
        found = (key[len(prefix) :] for key, _ in self.values if key.startswith(prefix))
        return list(dict.fromkeys(found))

    def shares(self, prefix: str, names: Sequence[str]) -> np.ndarray:
        """Probabilities for `names` under `prefix`, checked to sum to 1."""
        shares = np.array([self.get(prefix + name) for name in names], dtype=float)
        if np.any(shares < 0) or not np.isclose(shares.sum(), 1.0, atol=1e-6):
            raise ValueError(f"{self.source}: shares '{prefix}*' must be >= 0 and sum to 1")
        return shares / shares.sum()


def load_parameters(path: Path = DEMO_PARAMETERS_PATH) -> DemoParameters:
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    values: dict[tuple[str, int | None], float] = {}
    for row_number, (key, value, year) in enumerate(
        zip(table["key"], table["value"], table["year"], strict=True), start=2
    ):
        slot = (key.strip(), int(year) if year.strip() else None)
        if slot in values:
            raise ValueError(f"{path.name}, row {row_number}: '{key}' {year} given twice")
        values[slot] = float(value)
    return DemoParameters(values, path.name)


# --- places -----------------------------------------------------------------------------------


def read_gazetteer(path: Path = GAZETTEER_PATH, country: str = COUNTRY) -> pd.DataFrame:
    """The gazetteer's places of one country, with the match key of their name."""
    # keep_default_na=False: 'NA' is Namibia's country code, not a missing value.
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    table = table[table["country"] == country].reset_index(drop=True)
    return pd.DataFrame(
        {
            "name": table["name"],
            "admin1": table["admin1"],
            "lat": table["lat"].astype(float),
            "lon": table["lon"].astype(float),
            "population": pd.to_numeric(table["population"], errors="coerce").fillna(0),
            "alternates": table["alternates"],
            "name_key": table["name"].map(place_key),
        }
    )


def _keys(gazetteer: pd.DataFrame) -> pd.DataFrame:
    """Every key a place answers to: one row per (place row, key), is_name for its own name."""
    alternates = gazetteer["alternates"].str.split("|").explode()
    alternates = alternates[alternates.fillna("") != ""]
    unique = alternates.unique()
    alternate_keys = pd.Series([place_key(a) for a in unique], index=unique)
    keys = pd.concat(
        [
            pd.DataFrame({"row": gazetteer.index, "key": gazetteer["name_key"], "is_name": True}),
            pd.DataFrame(
                {
                    "row": alternates.index,
                    "key": alternate_keys[alternates.to_numpy()].to_numpy(),
                    "is_name": False,
                }
            ),
        ],
        ignore_index=True,
    )
    # An alternate equal to the place's own name adds nothing.
    keys = keys.sort_values("is_name", ascending=False).drop_duplicates(["row", "key"])
    return keys.assign(population=gazetteer["population"].to_numpy()[keys["row"].to_numpy()])


def locate(gazetteer: pd.DataFrame, place: str, keys: pd.DataFrame | None = None) -> pd.Series:
    """The gazetteer row a place name most plausibly means: a name match before an alternate
    match, the larger place among equals."""
    keys = _keys(gazetteer) if keys is None else keys
    hits = keys[keys["key"] == place_key(place)]
    if hits.empty:
        raise KeyError(f"place '{place}' is not in the gazetteer")
    best = hits.sort_values(["is_name", "population"], ascending=False).iloc[0]
    return gazetteer.loc[best["row"]]


def home_places(gazetteer: pd.DataFrame) -> pd.DataFrame:
    """Carinthian places people can live in: populated, and unambiguous, i.e. the only place of
    the country with that name and larger than any place that has it as an alternate. Then any
    resolver finds the place the demo meant ('Sankt Martin' exists 13 times in Austria)."""
    keys = _keys(gazetteer)
    per_key = keys.groupby("key").agg(names=("is_name", "sum"), top=("population", "max"))
    at_top = keys[keys["population"] == keys["key"].map(per_key["top"])]
    top_count = at_top.groupby("key").size()
    name_key = gazetteer["name_key"]
    unambiguous = (
        (name_key.map(per_key["names"]) == 1)
        & (gazetteer["population"] == name_key.map(per_key["top"]))
        & (name_key.map(top_count) == 1)
    )
    carinthia = (gazetteer["admin1"] == CARINTHIA_ADMIN1) & (gazetteer["population"] > 0)
    chosen = gazetteer[carinthia & unambiguous].reset_index(drop=True)
    return chosen[["name", "lat", "lon", "population"]]


def haversine_km(
    lat1: np.ndarray | float,
    lon1: np.ndarray | float,
    lat2: np.ndarray | float,
    lon2: np.ndarray | float,
) -> np.ndarray:
    """Great-circle distance on a sphere, broadcasting; good enough to assign and to band."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi = phi2 - phi1
    dlambda = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


# --- drawing helpers --------------------------------------------------------------------------


def _modes(params: DemoParameters, prefix: str) -> list[Mode]:
    names = list(dict.fromkeys(s.split(".", 1)[1] for s in params.suffixes(prefix) if "." in s))
    modes = [mode for mode in map(normalise_mode, names) if mode is not None]
    if len(modes) != len(names):
        raise ValueError(f"{params.source}: unknown mode in '{prefix}*': {names}")
    return modes


def _band_mode_probabilities(
    params: DemoParameters, prefix: str, modes: Sequence[Mode]
) -> np.ndarray:
    return np.vstack(
        [params.shares(f"{prefix}{band}.", [m.value for m in modes]) for band in MODE_BANDS]
    )


def _band_of(params: DemoParameters, distance_km: np.ndarray) -> np.ndarray:
    upper_km = [params.get(f"mode_band.{band}.upper_km") for band in MODE_BANDS[:-1]]
    return np.searchsorted(np.array(upper_km), distance_km, side="right")


def _home_weight(params: DemoParameters, geo: _Geography) -> np.ndarray:
    """How likely each place is as a home: population damped by an exponent, because the
    gazetteer lists towns at their full size but leaves out the hamlets around the villages."""
    return geo.places["population"].to_numpy(dtype=float) ** params.get("home_population_exponent")


def _draw_rows(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One category per row of a (rows x categories) probability matrix."""
    cumulative = np.cumsum(probabilities, axis=1)
    u = rng.random(len(probabilities))[:, None]
    return np.minimum((u >= cumulative).sum(axis=1), probabilities.shape[1] - 1)


# --- tables -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Geography:
    offices: pd.DataFrame  # office_id, name, place, lat, lon
    places: pd.DataFrame  # name, lat, lon, population
    distance_km: np.ndarray  # places x offices, straight line


def _geography(gazetteer: pd.DataFrame) -> _Geography:
    keys = _keys(gazetteer)
    located = [locate(gazetteer, office.place, keys) for office in DEMO_OFFICES]
    offices = pd.DataFrame(
        {
            "office_id": [o.office_id for o in DEMO_OFFICES],
            "name": [o.name for o in DEMO_OFFICES],
            "place": [o.place for o in DEMO_OFFICES],
            "lat": [row["lat"] for row in located],
            "lon": [row["lon"] for row in located],
        }
    )
    places = home_places(gazetteer)
    distance_km = haversine_km(
        places["lat"].to_numpy()[:, None],
        places["lon"].to_numpy()[:, None],
        offices["lat"].to_numpy()[None, :],
        offices["lon"].to_numpy()[None, :],
    )
    return _Geography(offices, places, distance_km)


def _clients(
    rng: np.random.Generator,
    params: DemoParameters,
    geo: _Geography,
    years: list[int],
    clients_per_year: int,
) -> pd.DataFrame:
    groups = params.suffixes("client_group_share.")
    group_p = params.shares("client_group_share.", groups)
    modes = _modes(params, "client_mode_share.")
    mode_p_by_band = _band_mode_probabilities(params, "client_mode_share.", modes)
    place_weight = _home_weight(params, geo)
    place_p = place_weight / place_weight.sum()
    # Clients go to their nearest office: a stand-in for the district an office serves.
    place_office = geo.distance_km.argmin(axis=1)
    place_band = _band_of(params, geo.distance_km.min(axis=1))

    volume = np.array([params.get("client_volume_index", y) for y in years])
    sizes = np.round(clients_per_year * volume / volume.mean()).astype(np.int64)
    capacity = int(sizes.sum())
    person_place = np.empty(capacity, dtype=np.int32)
    person_group = np.empty(capacity, dtype=np.int8)
    person_mode = np.empty(capacity, dtype=np.int8)  # -1 = not recorded
    n_persons = 0

    shape = params.get("client_contact_intensity_shape")
    given_share = params.get("client_mode_given_share")
    frames = []
    previous = np.empty(0, dtype=np.int64)
    for year, size in zip(years, sizes, strict=True):
        n_return = min(round(params.get("client_return_share", year) * size), len(previous))
        returning = rng.choice(previous, n_return, replace=False) if n_return else previous[:0]
        n_new = int(size) - n_return
        new = np.arange(n_persons, n_persons + n_new)
        places = rng.choice(len(place_p), n_new, p=place_p)
        person_place[new] = places
        person_group[new] = rng.choice(len(groups), n_new, p=group_p)
        drawn_mode = _draw_rows(rng, mode_p_by_band[place_band[places]])
        person_mode[new] = np.where(rng.random(n_new) < given_share, drawn_mode, -1)
        n_persons += n_new
        persons = np.sort(np.concatenate([returning, new]))

        group = person_group[persons]
        rates = np.array(
            [[params.get(f"contact_rate.{g}.{c.value}", year) for c in Channel] for g in groups]
        )
        # One intensity per client-year for all channels: a client who needs much help needs
        # it on every channel, which keeps the counts over-dispersed like real caseloads.
        intensity = rng.gamma(shape, 1.0 / shape, size=len(persons))
        counts = rng.poisson(rates[group] * intensity[:, None])
        frame = {
            "year": np.full(len(persons), year, dtype=np.int16),
            "client_num": persons + 1,
            "office": place_office[person_place[persons]],
            "place": person_place[persons],
            "group": group,
            **{c.value: counts[:, i].astype(np.int32) for i, c in enumerate(Channel)},
            "mode": person_mode[persons],
        }
        frames.append(pd.DataFrame(frame))
        previous = persons

    table = pd.concat(frames, ignore_index=True)
    return table.assign(
        office=pd.Categorical.from_codes(table["office"], categories=geo.offices["office_id"]),
        place=pd.Categorical.from_codes(table["place"], categories=geo.places["name"]),
        group=pd.Categorical.from_codes(table["group"], categories=groups),
        mode=pd.Categorical.from_codes(table["mode"], categories=[m.value for m in modes]),
    )


def _staff(
    rng: np.random.Generator, params: DemoParameters, geo: _Geography, years: list[int]
) -> pd.DataFrame:
    office_ids = list(geo.offices["office_id"])
    headcount = np.array([int(params.get(f"staff.{o}")) for o in office_ids])
    slot_office = np.repeat(np.arange(len(office_ids)), headcount)
    n_slots = len(slot_office)

    # A slot is a post; when its holder leaves, a new person (new id, new home) takes it over.
    turnover = params.get("staff_turnover_share")
    holder = np.empty((n_slots, len(years)), dtype=np.int64)
    holder[:, 0] = np.arange(n_slots)
    n_persons = n_slots
    for t in range(1, len(years)):
        leaves = rng.random(n_slots) < turnover
        holder[:, t] = holder[:, t - 1]
        holder[leaves, t] = np.arange(n_persons, n_persons + leaves.sum())
        n_persons += int(leaves.sum())
    person_office = np.empty(n_persons, dtype=np.int64)
    person_office[holder.ravel()] = np.repeat(slot_office, len(years))

    # People live near where they work: population weight x exponential distance decay.
    decay_km = params.get("staff_home_decay_km")
    population = _home_weight(params, geo)
    person_place = np.empty(n_persons, dtype=np.int64)
    for office in range(len(office_ids)):
        members = np.flatnonzero(person_office == office)
        weight = population * np.exp(-geo.distance_km[:, office] / decay_km)
        person_place[members] = rng.choice(len(weight), len(members), p=weight / weight.sum())
    home_km = geo.distance_km[person_place, person_office]
    modes = _modes(params, "staff_mode_share.")
    mode_p_by_band = _band_mode_probabilities(params, "staff_mode_share.", modes)
    person_mode = _draw_rows(rng, mode_p_by_band[_band_of(params, home_km)])
    person_part_time = rng.random(n_persons) < params.get("staff_part_time_share")
    # Eligibility is a property of the job, so the same people work from home every year.
    person_homeoffice_rank = rng.random(n_persons)

    full_days = params.get("staff_work_days_full_time")
    person_work_days = np.round(
        np.where(
            person_part_time, full_days * params.get("staff_part_time_days_fraction"), full_days
        )
    ).astype(np.int64)
    frames = []
    for t, year in enumerate(years):
        persons = holder[:, t]
        work_days = person_work_days[persons]
        eligible = person_homeoffice_rank[persons] < params.get(
            "staff_homeoffice_eligible_share", year
        )
        day_share = params.get("staff_homeoffice_days_per_week", year) / params.get(
            "work_days_per_week"
        )
        homeoffice_days = np.where(eligible, rng.binomial(work_days, min(day_share, 1.0)), 0)
        frames.append(
            pd.DataFrame(
                {
                    "year": np.full(n_slots, year, dtype=np.int16),
                    "staff_num": persons + 1,
                    "office": person_office[persons],
                    "place": person_place[persons],
                    "mode": person_mode[persons],
                    "office_days": work_days - homeoffice_days,
                    "homeoffice_days": homeoffice_days,
                }
            )
        )
    table = pd.concat(frames, ignore_index=True).sort_values(["year", "staff_num"])
    return table.assign(
        office=pd.Categorical.from_codes(table["office"], categories=office_ids),
        place=pd.Categorical.from_codes(table["place"], categories=geo.places["name"]),
        mode=pd.Categorical.from_codes(table["mode"], categories=[m.value for m in modes]),
    )


def _trips(
    rng: np.random.Generator, params: DemoParameters, geo: _Geography, years: list[int]
) -> pd.DataFrame:
    office_ids = list(geo.offices["office_id"])
    headcount = np.array([params.get(f"staff.{o}") for o in office_ids])
    # Trips from each office go to the others in proportion to their staff (meetings are
    # where the people are; the regional head office makes Klagenfurt the biggest).
    to_others = np.where(np.eye(len(office_ids), dtype=bool), 0.0, headcount[None, :])
    destination_p = to_others / to_others.sum(axis=1, keepdims=True)
    # Vienna meetings are mostly the head office's; the other offices share the rest by size.
    is_head = np.array([o == HEAD_OFFICE_ID for o in office_ids])
    head_share = params.get("trips_vienna_klu_share")
    vienna_p = np.where(
        is_head, head_share, (1 - head_share) * headcount / headcount[~is_head].sum()
    )
    inter_modes = _modes_of_shares(params, "trips_interoffice_mode_share.")
    vienna_modes = _modes_of_shares(params, "trips_vienna_mode_share.")

    rows = []
    for year in years:
        expected = (
            params.get("trips_interoffice_per_staff", year) * headcount[:, None] * destination_p
        )
        origin, destination = np.nonzero(expected > 0)
        for mode, share in inter_modes:
            trips = rng.poisson(expected[origin, destination] * share)
            rows.append(
                pd.DataFrame(
                    {
                        "year": year,
                        "office_id": np.array(office_ids)[origin],
                        "destination": np.array(office_ids)[destination],
                        "country": None,
                        "mode": mode.value,
                        "trips": trips,
                    }
                )
            )
        vienna_expected = params.get("trips_vienna_per_year", year) * vienna_p
        for mode, share in vienna_modes:
            rows.append(
                pd.DataFrame(
                    {
                        "year": year,
                        "office_id": office_ids,
                        "destination": VIENNA_PLACE,
                        "country": COUNTRY,
                        "mode": mode.value,
                        "trips": rng.poisson(vienna_expected * share),
                    }
                )
            )
    table = pd.concat(rows, ignore_index=True)
    table = table[table["trips"] > 0]
    return table.sort_values(["year", "office_id", "destination", "mode"], ignore_index=True)


def _modes_of_shares(params: DemoParameters, prefix: str) -> list[tuple[Mode, float]]:
    names = params.suffixes(prefix)
    shares = params.shares(prefix, names)
    modes = [mode for mode in map(normalise_mode, names) if mode is not None]
    if len(modes) != len(names):
        raise ValueError(f"{params.source}: unknown mode in '{prefix}*': {names}")
    return [(mode, float(share)) for mode, share in zip(modes, shares, strict=True)]


# --- writing ----------------------------------------------------------------------------------

# DuckDB writes the CSVs: ten times faster than pandas, quotes only where needed, keeps row order.
_SELECTS: dict[str, str] = {
    "offices": "SELECT office_id, name, country, place FROM frame",
    "clients": (
        "SELECT year, printf('C%07d', client_num) AS client_id, office AS office_id, place, "
        '"group", in_person, phone, video, online, mode, CAST(NULL AS DOUBLE) AS distance_km '
        "FROM frame"
    ),
    "staff": (
        "SELECT year, printf('S%04d', staff_num) AS staff_id, office AS office_id, place, mode, "
        "office_days, homeoffice_days, CAST(NULL AS DOUBLE) AS distance_km FROM frame"
    ),
    "trips": (
        "SELECT year, office_id, destination, country, mode, trips, "
        "CAST(NULL AS DOUBLE) AS distance_km FROM frame"
    ),
}


def _write_csv(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, path: Path) -> None:
    con.register("frame", frame)
    try:
        target = str(path).replace("'", "''")
        con.execute(f"COPY ({_SELECTS[table]}) TO '{target}' (HEADER, DELIMITER ',')")
    finally:
        con.unregister("frame")


def generate(
    out_dir: Path, clients_per_year: int | None = None, seed: int = 2019
) -> dict[str, Path]:
    """Write offices.csv, clients.csv, staff.csv and trips.csv into out_dir.

    clients_per_year is the average over the years (each year is scaled by the parameter file's
    client_volume_index); None takes the parameter file's value. Same seed, same files.
    """
    params = load_parameters()
    years = list(range(int(params.get("year_first")), int(params.get("year_last")) + 1))
    if clients_per_year is None:
        clients_per_year = int(params.get("clients_per_year"))
    if clients_per_year < 1:
        raise ValueError("clients_per_year must be at least 1")

    geo = _geography(read_gazetteer())
    # One generator per table, spawned from the seed: each table is reproducible on its own,
    # so changing the client count does not reshuffle staff and trips.
    client_rng, staff_rng, trip_rng = np.random.default_rng(seed).spawn(3)
    tables = {
        "offices": geo.offices.assign(country=COUNTRY),
        "clients": _clients(client_rng, params, geo, years, clients_per_year),
        "staff": _staff(staff_rng, params, geo, years),
        "trips": _trips(trip_rng, params, geo, years),
    }

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {table: out_dir / f"{table}.csv" for table in tables}
    with duckdb.connect(":memory:") as con:
        for table, frame in tables.items():
            _write_csv(con, table, frame, paths[table])
    return paths


# --- pre-built --------------------------------------------------------------------------------

# The loaded tables as Parquet, in store.DATA_TABLES_DDL's columns, except that clients and
# staff carry their raw demo id (client_id, staff_id) where a load stores the keyed pseudonym.
PREBUILT_TABLES: tuple[str, ...] = ("offices", "clients", "staff", "trips", "distance_cache")
_RAW_IDS: dict[str, tuple[str, str]] = {  # table: (raw id column, pseudonym column)
    "clients": ("client_id", "client_key"),
    "staff": ("staff_id", "staff_key"),
}


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def build_prebuilt(out_dir: Path = PREBUILT_DIR) -> dict[str, Path]:
    """Generate the default demo, load it as the app would (calc.loaders.load_version into a
    throwaway store), and write the loaded tables into out_dir as Parquet, each pseudonym turned
    back into the demo id it was made from: no keyed value is shipped."""
    from calc import loaders  # not for the app, which only puts the pre-built demo in place

    salt = pseudonyms.salt(pseudonyms.load_or_create_key())  # the one load_version keys with
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wegbilanz-demo-") as folder:
        csv = generate(Path(folder) / "csv")
        where = store.Store(Path(folder) / "demo.duckdb")
        loaders.load_version(where.path, Path(folder) / "csv", label=DEMO_LABEL, role=Role.STEWARD)
        con = duckdb.connect(str(where.version_path(where.current() or "")), read_only=True)
        try:
            for table, (raw, key) in _RAW_IDS.items():
                # Every demo id beside its pseudonym, made as the loader makes it.
                con.execute(
                    f"CREATE TEMP TABLE ids_{table} AS SELECT DISTINCT {raw}, "
                    f"{pseudonyms.sql(raw)} AS {key} FROM read_csv({_sql_path(csv[table])})",
                    [salt],
                )
            paths = {}
            for table in PREBUILT_TABLES:
                if table in _RAW_IDS:
                    raw, key = _RAW_IDS[table]
                    query = (
                        f"SELECT i.{raw}, t.* EXCLUDE ({key}) FROM {table} t "
                        f"JOIN temp.ids_{table} i USING ({key}) ORDER BY t.year, i.{raw}"
                    )
                else:
                    query = f"SELECT * FROM {table} ORDER BY ALL"
                paths[table] = out_dir / f"{table}.parquet"
                con.execute(
                    f"COPY ({query}) TO {_sql_path(paths[table])} "
                    "(FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 19)"
                )
                loaded = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
                written = con.execute(
                    f"SELECT count(*) FROM read_parquet({_sql_path(paths[table])})"
                ).fetchall()[0][0]
                if written != loaded:  # a pseudonym without its id: never ship a partial table
                    raise RuntimeError(f"{table}: {written} of {loaded} rows written")
        finally:
            con.close()
    return paths


def has_prebuilt(source: Path = PREBUILT_DIR) -> bool:
    return all((Path(source) / f"{table}.parquet").is_file() for table in PREBUILT_TABLES)


def load_prebuilt(db_path: Path, *, role: Role | None, source: Path = PREBUILT_DIR) -> str:
    """Put the pre-built demo in place as a new data version of the store at db_path and make
    it current (steward role); pseudonyms keyed as a load keys them (calc.pseudonyms).
    Returns the new version's id."""
    salt = pseudonyms.salt(pseudonyms.load_or_create_key())

    def fill(con: duckdb.DuckDBPyConnection) -> None:
        for table in PREBUILT_TABLES:
            parquet = f"read_parquet({_sql_path(Path(source) / f'{table}.parquet')})"
            if table in _RAW_IDS:
                raw, key = _RAW_IDS[table]
                con.execute(
                    f"INSERT INTO {table} BY NAME SELECT * EXCLUDE ({raw}), "
                    f"{pseudonyms.sql(raw)} AS {key} FROM {parquet}",
                    [salt],
                )
            else:
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {parquet}")

    return store.add_version(db_path, DEMO_LABEL, fill, role=role)
