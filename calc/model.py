"""Emissions from the loaded data: the cube, the result rows, and the year-on-year comparison.

The database is read once per data set into a small cube (one SQL aggregation per input table);
everything after that is arithmetic on the cube, so factors and scenarios can change freely.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import duckdb
import numpy as np
import pandas as pd

from calc.factors import Bound, FactorSet
from calc.schema import REMOTE_CHANNELS, STAFF_GROUP, Activity, Channel, Mode

# A table as named columns: a DataFrame's, or numpy arrays (what the scenario's hot path uses).
Columns = Mapping[str, Any]

# Keys where a larger value means fewer emissions: their low bound gives the high estimate.
EMISSION_FALLS_AS_VALUE_RISES = frozenset({"ev_share", "car_occupancy"})

RESULT_COLUMNS = [
    "year",
    "office_id",
    "group",
    "activity",
    "mode",
    "count",
    "km",
    "kg_co2e",
    "kg_co2e_low",
    "kg_co2e_high",
]
SEGMENT_COLUMNS = ["office_id", "group", "family"]


@dataclass(frozen=True, eq=False)
class Cube:
    """The loaded data aggregated to cells small enough for instant arithmetic.

    Distances are kept as sums of (contacts or days or trips) × one-way km, split into the part
    computed from coordinates (scaled by the detour factor later) and the part given by the user.
    Compared and hashed by identity (its frames cannot be), so work on it can be memoised.
    """

    clients: pd.DataFrame
    staff: pd.DataFrame
    trips: pd.DataFrame
    offices: pd.DataFrame
    band_edges_km: tuple[float, ...]

    @property
    def years(self) -> list[int]:
        years = set(self.clients["year"]) | set(self.staff["year"]) | set(self.trips["year"])
        return sorted(int(y) for y in years)


def band_edges(factors: FactorSet, country: str = "") -> tuple[float, ...]:
    """The distance-band edges (km) of the default mode split, from the factor set."""
    split = factors.mode_split(country)
    return tuple(sorted(set(split["band_lo_km"]) | set(split["band_hi_km"])))


def build_cube(
    con: duckdb.DuckDBPyConnection, band_edges_km: tuple[float, ...], banding_detour: float
) -> Cube:
    """Aggregate the loaded tables. Bands use road distance: given km, else geodesic × detour."""
    inner_edges = list(band_edges_km[1:-1])
    clients = con.execute(
        """
        WITH c AS (
            SELECT c.*, o.country,
                coalesce(c.distance_km, c.geodesic_km * ?) AS road_km
            FROM clients c JOIN offices o USING (office_id)
        )
        SELECT year, office_id, country, client_group AS "group", coalesce(mode, '') AS mode,
            coalesce(len(list_filter(?, lambda e: e <= road_km)), 0) AS band,
            count(*) AS clients,
            sum(in_person) AS in_person, sum(phone) AS phone, sum(video) AS video,
            sum(online) AS online,
            sum(in_person * CASE WHEN distance_km IS NULL THEN geodesic_km ELSE 0 END)
                AS geo_km_visits,
            sum(in_person * coalesce(distance_km, 0)) AS given_km_visits
        FROM c GROUP BY ALL ORDER BY ALL
        """,
        [banding_detour, inner_edges],
    ).df()
    staff = con.execute(
        """
        SELECT s.year, s.office_id, o.country, s.mode, count(*) AS staff,
            sum(office_days) AS office_days, sum(homeoffice_days) AS homeoffice_days,
            sum(office_days * CASE WHEN distance_km IS NULL THEN geodesic_km ELSE 0 END)
                AS geo_km_office_days,
            sum(office_days * coalesce(distance_km, 0)) AS given_km_office_days,
            sum((office_days + homeoffice_days)
                * CASE WHEN distance_km IS NULL THEN geodesic_km ELSE 0 END) AS geo_km_all_days,
            sum((office_days + homeoffice_days) * coalesce(distance_km, 0)) AS given_km_all_days
        FROM staff s JOIN offices o USING (office_id) GROUP BY ALL ORDER BY ALL
        """
    ).df()
    trips = con.execute(
        """
        SELECT t.year, t.office_id, o.country, t.mode, sum(trips) AS trips,
            sum(trips * CASE WHEN distance_km IS NULL THEN geodesic_km ELSE 0 END) AS geo_km_trips,
            sum(trips * coalesce(distance_km, 0)) AS given_km_trips
        FROM trips t JOIN offices o USING (office_id) GROUP BY ALL ORDER BY ALL
        """
    ).df()
    offices = con.execute("SELECT * FROM offices ORDER BY office_id").df()
    for frame in (clients, staff, trips):
        numeric = frame.select_dtypes("number").columns
        frame[numeric] = frame[numeric].fillna(0)
    return Cube(clients, staff, trips, offices, tuple(band_edges_km))


def load_cube(con: duckdb.DuckDBPyConnection, factors: FactorSet) -> Cube:
    """The cube with the bands and banding detour the factor set defines."""
    return build_cube(con, band_edges(factors), factors.value("detour_factor"))


# -- factors as columns ----------------------------------------------------------------------

_PKM_MODES = [m for m in Mode if m not in (Mode.CAR, Mode.EV)]
_YEARLESS_KEYS = [
    "detour_factor",
    "plane_detour_km",
    "car_occupancy",
    "ev_energy_kwh_per_vkm",
    "energy_phone_kwh_per_contact",
    "energy_video_kwh_per_contact",
    "energy_online_kwh_per_contact",
    "homeoffice_heating_kwh_per_day",
    "homeoffice_electricity_kwh_per_day",
]
_YEAR_KEYS = ["ef_car_ice_kg_per_vkm", "ev_share", "grid_kg_per_kwh", "ef_heating_kg_per_kwh"]
_EF_COLUMNS = [f"ef_{m.value}" for m in Mode]


def _bound_for(key: str, bound: Bound) -> Bound:
    if bound != "central" and key in EMISSION_FALLS_AS_VALUE_RISES:
        return "high" if bound == "low" else "low"
    return bound


def factor_table(
    factors: FactorSet, places: pd.DataFrame, bound: Bound, factor_year: int | None = None
) -> pd.DataFrame:
    """One row per (country, year) with every factor the model needs and the kg per pkm of
    every mode. `places` has columns country and year; factor_year pins one factor edition."""
    rows = []
    for country, year in places[["country", "year"]].drop_duplicates().itertuples(index=False):
        lookup_year = int(factor_year if factor_year is not None else year)
        values: dict[str, float | str | int] = {"country": country, "year": int(year)}
        for key in [*_YEARLESS_KEYS, *_YEAR_KEYS]:
            values[key] = factors.value(key, country, lookup_year, _bound_for(key, bound))
        for mode in _PKM_MODES:
            key = f"ef_{mode.value}_kg_per_pkm"
            values[f"ef_{mode.value}"] = factors.value(key, country, lookup_year, bound)
        rows.append(values)
    looked_up = [*_YEARLESS_KEYS, *_YEAR_KEYS, *(f"ef_{m.value}" for m in _PKM_MODES)]
    table = pd.DataFrame(rows, columns=["country", "year", *looked_up])
    table = table.assign(**car_factor_columns(table))
    return table[["country", "year", *_YEARLESS_KEYS, *_YEAR_KEYS, *_EF_COLUMNS]]


def car_factor_columns(fx: Columns) -> dict[str, Any]:
    """ef_ev and ef_car (kg per pkm) from a factor table's fleet, grid and occupancy columns;
    apart from the lookups so that a scenario can change those columns and derive them anew."""
    ev_kg_per_vkm = fx["ev_energy_kwh_per_vkm"] * fx["grid_kg_per_kwh"]
    share = fx["ev_share"]
    occupancy = fx["car_occupancy"]
    return {
        "ef_ev": ev_kg_per_vkm / occupancy,
        "ef_car": ((1 - share) * fx["ef_car_ice_kg_per_vkm"] + share * ev_kg_per_vkm) / occupancy,
    }


def mode_split_table(factors: FactorSet, countries: list[str]) -> pd.DataFrame:
    """Default mode shares per (country, band index), with the band index the cube uses."""
    frames = []
    for country in countries:
        split = factors.mode_split(country)
        edges = sorted(set(split["band_lo_km"]) | set(split["band_hi_km"]))
        band = split["band_lo_km"].map(lambda lo, e=edges: e.index(lo))
        frames.append(
            split.assign(country=country, band=band)[["country", "band", "mode", "share"]]
        )
    return pd.concat(frames, ignore_index=True)


# -- result rows -----------------------------------------------------------------------------
# Plain numpy on the cube's cells: pandas merges and assigns cost a millisecond each, which a
# scenario (six evaluations per slider move) cannot afford.

_MODES = pd.Index([m.value for m in Mode])
_KEY_COLUMNS = ["year", "office_id", "group", "activity", "mode", "country"]


def _mode_index(modes: np.ndarray | pd.Series) -> np.ndarray:
    """Each mode's position in Mode; -1 (no mode, or unknown) selects row_values' NaN factor."""
    return _MODES.get_indexer(modes)


@dataclass(frozen=True)
class RowLayout:
    """Where every result row comes from: its cube cell, its share of the cell, mode and place.

    It depends only on which cells the cube has and on the mode split, so a scenario that
    changes the cells' numbers or the factors evaluates the same layout again (row_values).
    Rows: visits, phone, video, online (clients); commute, home office (staff); business trips.
    """

    keys: pd.DataFrame  # year, office_id, group, activity, mode, country of every row
    places: pd.DataFrame  # the (country, year) pairs: the rows of a factor table, in order
    place: np.ndarray  # every row's index into places
    mode: np.ndarray  # every row's _mode_index
    client_place: np.ndarray
    staff_place: np.ndarray
    trip_place: np.ndarray
    visit_cell: np.ndarray  # the client cell of each visit row (the first rows)
    visit_share: np.ndarray  # the share of that cell's visits made in the row's mode


def row_layout(cube: Cube, factors: FactorSet) -> RowLayout:
    """The rows the cube's cells give, visits split by the factor set's default mode shares."""
    clients, staff, trips = cube.clients, cube.staff, cube.trips
    where = pd.concat([t[["country", "year"]] for t in (clients, staff, trips)], ignore_index=True)
    place, uniques = pd.MultiIndex.from_frame(where).factorize()
    places = uniques.to_frame(index=False, name=["country", "year"])
    n_clients, n_staff = len(clients), len(staff)
    client_place = place[:n_clients]
    staff_place = place[n_clients : n_clients + n_staff]
    trip_place = place[n_clients + n_staff :]

    is_default = (clients["mode"] == "").to_numpy(dtype=bool)
    default = np.flatnonzero(is_default)
    given = np.flatnonzero(~is_default)
    if n_clients:
        split = mode_split_table(factors, sorted(set(clients["country"])))
        cells = pd.DataFrame(
            {
                "cell": default,
                "country": clients["country"].to_numpy()[default],
                "band": clients["band"].to_numpy()[default],
            }
        ).merge(split, on=["country", "band"])
    else:
        cells = pd.DataFrame({"cell": default, "mode": [], "share": []})
    visit_cell = np.concatenate([cells["cell"].to_numpy(dtype=np.intp), given])
    visit_share = np.concatenate([cells["share"].to_numpy(dtype=float), np.ones(len(given))])
    visit_mode = np.concatenate(
        [cells["mode"].to_numpy(dtype=object), clients["mode"].to_numpy(dtype=object)[given]]
    )

    all_clients = np.arange(n_clients)
    all_staff = np.arange(n_staff)
    staff_modes = staff["mode"].to_numpy(dtype=object)
    parts = [
        _key_part(clients, visit_cell, Activity.IN_PERSON, visit_mode),
        *(_key_part(clients, all_clients, channel) for channel in REMOTE_CHANNELS),
        _key_part(staff, all_staff, Activity.COMMUTE, staff_modes, STAFF_GROUP),
        _key_part(staff, all_staff, Activity.HOMEOFFICE, group=STAFF_GROUP),
        _key_part(
            trips,
            np.arange(len(trips)),
            Activity.BUSINESS_TRIP,
            trips["mode"].to_numpy(dtype=object),
            STAFF_GROUP,
        ),
    ]
    keys = pd.DataFrame({c: np.concatenate([p[c] for p in parts]) for c in _KEY_COLUMNS})
    remote = np.tile(client_place, len(REMOTE_CHANNELS))
    return RowLayout(
        keys=keys,
        places=places,
        place=np.concatenate(
            [client_place[visit_cell], remote, staff_place, staff_place, trip_place]
        ),
        mode=_mode_index(keys["mode"]),
        client_place=client_place,
        staff_place=staff_place,
        trip_place=trip_place,
        visit_cell=visit_cell,
        visit_share=visit_share,
    )


def _key_part(
    table: pd.DataFrame,
    cells: np.ndarray,
    activity: str,
    modes: np.ndarray | None = None,
    group: str | None = None,
) -> dict[str, np.ndarray]:
    """The key columns of rows taken from the given cells of a cube table."""

    def repeat(text: str) -> np.ndarray:
        return np.full(len(cells), text, dtype=object)

    return {
        "year": table["year"].to_numpy()[cells],
        "office_id": table["office_id"].to_numpy(dtype=object)[cells],
        "group": table["group"].to_numpy(dtype=object)[cells] if group is None else repeat(group),
        "activity": repeat(str(activity)),
        "mode": repeat("") if modes is None else modes,
        "country": table["country"].to_numpy(dtype=object)[cells],
    }


@dataclass(frozen=True)
class Cells:
    """A cube's cells as plain column arrays: what row_values reads (a scenario changes some)."""

    clients: Columns
    staff: Columns
    trips: Columns

    @classmethod
    def of(cls, cube: Cube) -> Cells:
        return cls(*(columns(t) for t in (cube.clients, cube.staff, cube.trips)))


def columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    return {str(name): frame[name].to_numpy() for name in frame.columns}


def row_values(
    cells: Cells, layout: RowLayout, fx: Columns
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """count, km and kg CO2e of every layout row, for cells laid out as the layout's (their
    numbers may differ) and a factor table over layout.places (any bound, any overrides)."""

    def factor(key: str) -> np.ndarray:
        return np.asarray(fx[key], dtype=float)

    def number(table: Columns, column: str) -> np.ndarray:
        return np.asarray(table[column], dtype=float)

    # One column per Mode plus a NaN column, which _mode_index -1 selects.
    places = len(layout.places)
    ef = np.column_stack([*(factor(c) for c in _EF_COLUMNS), np.full(places, np.nan)])
    detour, grid = factor("detour_factor"), factor("grid_kg_per_kwh")
    n_visits = len(layout.visit_cell)
    n_clients, n_staff, n_trips = (
        len(p) for p in (layout.client_place, layout.staff_place, layout.trip_place)
    )
    counts, kms, kgs = [], [], []
    if n_clients:
        clients, at = cells.clients, layout.client_place
        one_way_km = number(clients, "geo_km_visits") * detour[at] + number(
            clients, "given_km_visits"
        )
        cell, share = layout.visit_cell, layout.visit_share
        visit_km = 2 * one_way_km[cell] * share
        counts.append(number(clients, "in_person")[cell] * share)
        kms.append(visit_km)
        kgs.append(visit_km * ef[at[cell], layout.mode[:n_visits]])
        for channel in REMOTE_CHANNELS:
            contacts = number(clients, channel.value)
            kwh = factor(f"energy_{channel.value}_kwh_per_contact")[at]
            counts.append(contacts)
            kms.append(np.zeros(n_clients))
            kgs.append(contacts * kwh * grid[at])
    if n_staff:
        staff, at = cells.staff, layout.staff_place
        commute_km = 2 * (
            number(staff, "geo_km_office_days") * detour[at] + number(staff, "given_km_office_days")
        )
        home_days = number(staff, "homeoffice_days")
        start = n_visits + len(REMOTE_CHANNELS) * n_clients
        counts += [number(staff, "office_days"), home_days]
        kms += [commute_km, np.zeros(n_staff)]
        kgs += [
            commute_km * ef[at, layout.mode[start : start + n_staff]],
            home_days * np.asarray(homeoffice_kg_per_day(fx), dtype=float)[at],
        ]
    if n_trips:
        trips, at = cells.trips, layout.trip_place
        geo_km, trip_count = number(trips, "geo_km_trips"), number(trips, "trips")
        trip_mode = layout.mode[len(layout.mode) - n_trips :]
        computed_km = np.where(
            trip_mode == _MODES.get_loc(Mode.PLANE.value),
            geo_km + trip_count * factor("plane_detour_km")[at],
            geo_km * detour[at],
        )
        # The plane's extra km apply only to computed distances, not to distances users give.
        computed_km = np.where(geo_km > 0, computed_km, 0.0)
        km = 2 * (computed_km + number(trips, "given_km_trips"))
        counts.append(trip_count)
        kms.append(km)
        kgs.append(km * ef[at, trip_mode])
    empty = [np.zeros(0)]
    return (
        np.concatenate(counts or empty),
        np.concatenate(kms or empty),
        np.concatenate(kgs or empty),
    )


def homeoffice_kg_per_day(fx: Columns) -> Any:
    """Extra home heating and electricity of one home-office day."""
    return (
        fx["homeoffice_heating_kwh_per_day"] * fx["ef_heating_kg_per_kwh"]
        + fx["homeoffice_electricity_kwh_per_day"] * fx["grid_kg_per_kwh"]
    )


def emission_rows(
    cube: Cube,
    factors: FactorSet,
    bound: Bound = "central",
    factor_year: int | None = None,
    with_country: bool = False,
) -> pd.DataFrame:
    """Result rows for one bound, before grouping: one row per cube cell and activity (and mode)."""
    keep = ["year", "office_id", "group", "activity", "mode", "count", "km", "kg_co2e"]
    if with_country:
        keep.append("country")
    layout = row_layout(cube, factors)
    if layout.keys.empty:
        return pd.DataFrame(columns=keep)
    fx = factor_table(factors, layout.places, bound, factor_year)
    count, km, kg = row_values(Cells.of(cube), layout, columns(fx))
    return layout.keys.assign(count=count, km=km, kg_co2e=kg)[keep]


def compute(cube: Cube, factors: FactorSet, factor_year: int | None = None) -> pd.DataFrame:
    """Result rows: year, office_id, group, activity, mode, count, km, kg_co2e and its range."""
    keys = ["year", "office_id", "group", "activity", "mode"]
    central, low, high = (
        emission_rows(cube, factors, bound, factor_year)
        .groupby(keys, as_index=False)[["count", "km", "kg_co2e"]]
        .sum()
        for bound in ("central", "low", "high")
    )
    rows = central.assign(
        kg_co2e_low=low["kg_co2e"].to_numpy(), kg_co2e_high=high["kg_co2e"].to_numpy()
    )
    rows["year"] = rows["year"].astype(int)
    return rows[RESULT_COLUMNS].sort_values(keys, ignore_index=True)


def totals(rows: pd.DataFrame, column: str = "kg_co2e") -> dict[int, float]:
    """kg CO2e per year."""
    by_year = rows.groupby("year")[column].sum()
    return {int(year): float(kg) for year, kg in by_year.items()}


# -- comparison ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decomposition:
    """Additive LMDI-I effects; they sum to the difference."""

    activity_kg: float
    channel_mix_kg: float
    intensity_kg: float

    @property
    def total_kg(self) -> float:
        return self.activity_kg + self.channel_mix_kg + self.intensity_kg


@dataclass(frozen=True)
class Comparison:
    reference: int
    current: int
    reference_kg: float
    current_kg: float
    difference_kg: float
    avoided_by_channels_kg: float
    avoided_by_channels_gross_kg: float
    decomposition: Decomposition
    reference_kg_range: tuple[float, float]
    current_kg_range: tuple[float, float]
    difference_kg_range: tuple[float, float]
    avoided_by_channels_kg_range: tuple[float, float]

    def as_dict(self) -> dict:
        return {
            "reference": self.reference,
            "current": self.current,
            "reference_kg": self.reference_kg,
            "current_kg": self.current_kg,
            "difference_kg": self.difference_kg,
            "avoided_by_channels_kg": self.avoided_by_channels_kg,
            "decomposition": {
                "activity_kg": self.decomposition.activity_kg,
                "channel_mix_kg": self.decomposition.channel_mix_kg,
                "intensity_kg": self.decomposition.intensity_kg,
            },
            "range": {
                "reference_kg": list(self.reference_kg_range),
                "current_kg": list(self.current_kg_range),
                "difference_kg": list(self.difference_kg_range),
                "avoided_by_channels_kg": list(self.avoided_by_channels_kg_range),
            },
        }


def _family(rows: pd.DataFrame) -> pd.Series:
    """Which activity measure a row counts in: client contacts, staff days or business trips."""
    return pd.Series(
        np.select(
            [
                rows["activity"].isin([c.value for c in Channel]),
                rows["activity"] == Activity.BUSINESS_TRIP.value,
            ],
            ["contacts", "trips"],
            default="staff_days",
        ),
        index=rows.index,
    )


def channel_cells(rows: pd.DataFrame, year: int, column: str = "kg_co2e") -> pd.DataFrame:
    """count and kg per (segment, channel) of one year; modes are summed into their channel."""
    one_year = rows[rows["year"] == year]
    cells = (
        one_year.assign(family=_family(one_year))
        .groupby([*SEGMENT_COLUMNS, "activity"], as_index=False)[["count", column]]
        .sum()
    )
    return cells.rename(columns={column: "kg"})


def _log_mean(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = (a - b) / (np.log(a) - np.log(b))
    return np.where(np.isclose(a, b, rtol=1e-12, atol=0), a, mean)


def decompose(
    rows: pd.DataFrame, reference: int, current: int, column: str = "kg_co2e"
) -> Decomposition:
    """Additive LMDI-I of current − reference into activity, channel mix and intensity.

    E = Σ A·S_c·I_c per segment (office, group, family): A = contacts (or days, trips), S_c =
    the channel's share of A, I_c = kg per contact. Cells that are zero in one year (video in
    2019) take the limit of the LMDI formula as the zero value tends to 0, which assigns the
    whole change of that cell to the factor that is zero, so the effects still sum exactly.
    """
    keys = [*SEGMENT_COLUMNS, "activity"]
    both = (
        channel_cells(rows, reference, column)
        .merge(channel_cells(rows, current, column), on=keys, how="outer", suffixes=("_0", "_t"))
        .fillna(0.0)
    )
    activity_0 = both.groupby(SEGMENT_COLUMNS)["count_0"].transform("sum").to_numpy()
    activity_t = both.groupby(SEGMENT_COLUMNS)["count_t"].transform("sum").to_numpy()
    n0, nt = both["count_0"].to_numpy(), both["count_t"].to_numpy()
    e0, et = both["kg_0"].to_numpy(), both["kg_t"].to_numpy()

    regular = (e0 > 0) & (et > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(regular, _log_mean(et, e0), 0.0)
        act = np.where(regular, weight * np.log(activity_t / activity_0), 0.0)
        mix = np.where(regular, weight * np.log((nt / activity_t) / (n0 / activity_0)), 0.0)
        inten = np.where(regular, weight * np.log((et / nt) / (e0 / n0)), 0.0)

    appeared = (e0 == 0) & (et > 0)
    vanished = (e0 > 0) & (et == 0)
    # Limits: the change goes to whatever was zero — the whole segment (activity), the
    # channel within it (mix), or its intensity.
    act += np.where(appeared & (activity_0 == 0), et, 0.0)
    mix += np.where(appeared & (activity_0 > 0) & (n0 == 0), et, 0.0)
    inten += np.where(appeared & (n0 > 0), et, 0.0)
    act -= np.where(vanished & (activity_t == 0), e0, 0.0)
    mix -= np.where(vanished & (activity_t > 0) & (nt == 0), e0, 0.0)
    inten -= np.where(vanished & (nt > 0), e0, 0.0)
    return Decomposition(float(act.sum()), float(mix.sum()), float(inten.sum()))


def avoided_by_channels(
    rows: pd.DataFrame, reference: int, current: int, column: str = "kg_co2e"
) -> float:
    """The current year's client contacts at the reference year's channel mix, minus actual.

    Per (office, client group): counterfactual = Σ_c A_t · S_c,ref · I_c, with I_c the current
    kg per contact (the reference one where the channel is unused now). Positive = avoided.
    """
    keys = [*SEGMENT_COLUMNS, "activity"]
    both = (
        channel_cells(rows, reference, column)
        .merge(channel_cells(rows, current, column), on=keys, how="outer", suffixes=("_0", "_t"))
        .fillna(0.0)
    )
    both = both[both["family"] == "contacts"]
    activity_0 = both.groupby(SEGMENT_COLUMNS)["count_0"].transform("sum")
    activity_t = both.groupby(SEGMENT_COLUMNS)["count_t"].transform("sum")
    with np.errstate(divide="ignore", invalid="ignore"):
        intensity = np.where(
            both["count_t"] > 0, both["kg_t"] / both["count_t"], both["kg_0"] / both["count_0"]
        )
        share_0 = both["count_0"] / activity_0
    counterfactual = np.where(
        activity_0 > 0, activity_t * share_0 * np.nan_to_num(intensity), both["kg_t"]
    )
    return float(np.sum(counterfactual) - both["kg_t"].sum())


def compare(
    rows: pd.DataFrame, reference: int, current: int, rebound_share: float = 0.0
) -> Comparison:
    """Reference vs current year: totals, difference, its decomposition, avoided by channels."""
    total = {col: totals(rows, col) for col in ("kg_co2e", "kg_co2e_low", "kg_co2e_high")}

    def year_kg(col: str, year: int) -> float:
        return total[col].get(year, 0.0)

    def spread(values: list[float]) -> tuple[float, float]:
        return (min(values), max(values))

    avoided = {
        col: avoided_by_channels(rows, reference, current, col) * (1 - rebound_share)
        for col in total
    }
    gross = avoided_by_channels(rows, reference, current)
    return Comparison(
        reference=reference,
        current=current,
        reference_kg=year_kg("kg_co2e", reference),
        current_kg=year_kg("kg_co2e", current),
        difference_kg=year_kg("kg_co2e", current) - year_kg("kg_co2e", reference),
        avoided_by_channels_kg=avoided["kg_co2e"],
        avoided_by_channels_gross_kg=gross,
        decomposition=decompose(rows, reference, current),
        reference_kg_range=spread([year_kg(c, reference) for c in total]),
        current_kg_range=spread([year_kg(c, current) for c in total]),
        difference_kg_range=spread([year_kg(c, current) - year_kg(c, reference) for c in total]),
        avoided_by_channels_kg_range=spread(list(avoided.values())),
    )


# -- break-even ------------------------------------------------------------------------------

RemoteChannel = Literal["phone", "video", "online"]


def break_even_km(
    factors: FactorSet, country: str, year: int, channel: RemoteChannel = "video"
) -> dict[str, float]:
    """Per mode, the one-way distance above which a remote contact emits less than a visit.

    A visit emits 2·d·EF(mode); a remote contact emits kWh·grid. Equal at d = kWh·grid/(2·EF).
    Modes that emit nothing per km never break even (infinite distance).
    """
    fx = factor_table(factors, pd.DataFrame({"country": [country], "year": [year]}), "central")
    row = fx.iloc[0]
    remote_kg = row[f"energy_{channel}_kwh_per_contact"] * row["grid_kg_per_kwh"]
    return {
        mode.value: (
            remote_kg / (2 * row[f"ef_{mode.value}"]) if row[f"ef_{mode.value}"] > 0 else math.inf
        )
        for mode in Mode
    }


def factors_used(cube: Cube, factors: FactorSet, factor_year: int | None = None) -> pd.DataFrame:
    """The audit trail: every factor row the computation looked up, with unit and source."""
    places = pd.concat(
        [
            cube.clients[["country", "year"]],
            cube.staff[["country", "year"]],
            cube.trips[["country", "year"]],
        ]
    ).drop_duplicates()
    keys = [*_YEARLESS_KEYS, *_YEAR_KEYS, *(f"ef_{m.value}_kg_per_pkm" for m in _PKM_MODES)]
    records = []
    for country, year in places.itertuples(index=False):
        lookup_year = int(factor_year if factor_year is not None else year)
        for key in keys:
            f = factors.factor(key, country, lookup_year)
            records.append(
                {
                    "data_year": int(year),
                    "country": country,
                    "key": key,
                    "value": f.value,
                    "low": f.low,
                    "high": f.high,
                    "unit": f.unit,
                    "factor_year": f.year,
                    "factor_country": f.country,
                    "status": f.status,
                    "source": f.source,
                }
            )
    return pd.DataFrame(records).sort_values(["data_year", "country", "key"], ignore_index=True)
