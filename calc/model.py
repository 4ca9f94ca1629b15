"""Emissions from the loaded data: the cube, the result rows, and the year-on-year comparison.

The database is read once per data set into a small cube (one SQL aggregation per input table);
everything after that is arithmetic on the cube, so factors and scenarios can change freely.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import duckdb
import numpy as np
import pandas as pd

from calc import simulation
from calc.factors import Bound, FactorSet, mode_share_key
from calc.schema import REMOTE_CHANNELS, STAFF_GROUP, Activity, Mode

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
CENTRAL_COLUMNS = RESULT_COLUMNS[:-2]  # compute(interval=False): no interval columns


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


# What a comparison reads besides the emission factors: visits replaced per remote contact
# (a group may have its own, SUBSTITUTION_KEY + "_" + group) and the rebound share.
SUBSTITUTION_KEY = "substitution_{channel}_visits_per_contact"
COMPARISON_KEYS = [
    *(SUBSTITUTION_KEY.format(channel=c.value) for c in REMOTE_CHANNELS),
    "rebound_share",
]

# How one factor is looked up: (key, country, year, bound) -> a number, or one per draw.
ValueOf = Callable[[str, str, int | None, Bound], Any]
FACTOR_TABLE_COLUMNS = [*_YEARLESS_KEYS, *_YEAR_KEYS, *_EF_COLUMNS]


def factor_columns(
    factors: FactorSet,
    places: pd.DataFrame,
    bound: Bound,
    factor_year: int | None = None,
    value_of: ValueOf | None = None,
) -> dict[str, np.ndarray]:
    """Every factor the model needs per (country, year) of `places`, as columns in places'
    order: one number per place, or with `value_of` giving one per draw, a (places, draws)
    array. factor_year pins one factor edition for every year."""
    if value_of is None:
        value_of = factors.value
    columns: dict[str, list[Any]] = {key: [] for key in (*_YEARLESS_KEYS, *_YEAR_KEYS)}
    columns.update({f"ef_{m.value}": [] for m in _PKM_MODES})
    for country, year in places[["country", "year"]].itertuples(index=False):
        lookup_year = int(factor_year if factor_year is not None else year)
        for key in (*_YEARLESS_KEYS, *_YEAR_KEYS):
            columns[key].append(value_of(key, country, lookup_year, _bound_for(key, bound)))
        for mode in _PKM_MODES:
            key = f"ef_{mode.value}_kg_per_pkm"
            columns[f"ef_{mode.value}"].append(value_of(key, country, lookup_year, bound))
    table = {key: np.asarray(values, dtype=float) for key, values in columns.items()}
    table.update(car_factor_columns(table))
    return {key: table[key] for key in FACTOR_TABLE_COLUMNS}


def factor_table(
    factors: FactorSet, places: pd.DataFrame, bound: Bound, factor_year: int | None = None
) -> pd.DataFrame:
    """One row per (country, year) with every factor the model needs and the kg per pkm of
    every mode. `places` has columns country and year; factor_year pins one factor edition."""
    unique = places[["country", "year"]].drop_duplicates().reset_index(drop=True)
    unique = unique.assign(year=unique["year"].astype(int))
    return unique.assign(**factor_columns(factors, unique, bound, factor_year))


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
        key = [
            mode_share_key(m, lo, hi)
            for m, lo, hi in split[["mode", "band_lo_km", "band_hi_km"]].itertuples(index=False)
        ]
        frames.append(
            split.assign(country=country, band=band, key=key)[
                ["country", "band", "mode", "share", "key"]
            ]
        )
    return pd.concat(frames, ignore_index=True)


# -- result rows -----------------------------------------------------------------------------
# Plain numpy on the cube's cells: pandas merges and assigns cost a millisecond each, which a
# scenario (six evaluations per slider move) cannot afford.

_MODES = pd.Index([m.value for m in Mode])
_KEY_COLUMNS = ["year", "office_id", "group", "activity", "mode", "country"]


def _mode_index(modes: np.ndarray | pd.Series) -> np.ndarray:
    """Each mode's position in Mode; -1 (no mode, or unknown) selects row_draws' NaN factor."""
    return _MODES.get_indexer(modes)


@dataclass(frozen=True)
class RowLayout:
    """Where every result row comes from: its cube cell, its share of the cell, mode and place.

    It depends only on which cells the cube has and on the mode split, so a scenario that
    changes the cells' numbers or the factors evaluates the same layout again (row_draws).
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
    visit_share_key: np.ndarray  # the mode-share factor behind it ('' for a mode of the data)


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
        cells = pd.DataFrame({"cell": default, "mode": [], "share": [], "key": []})
    visit_cell = np.concatenate([cells["cell"].to_numpy(dtype=np.intp), given])
    visit_share = np.concatenate([cells["share"].to_numpy(dtype=float), np.ones(len(given))])
    visit_share_key = np.concatenate(
        [cells["key"].to_numpy(dtype=object), np.full(len(given), "", dtype=object)]
    )
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
        visit_share_key=visit_share_key,
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
    """A cube's cells as plain column arrays: what row_draws reads (a scenario changes some)."""

    clients: Columns
    staff: Columns
    trips: Columns

    @classmethod
    def of(cls, cube: Cube) -> Cells:
        return cls(*(columns(t) for t in (cube.clients, cube.staff, cube.trips)))


def columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    return {str(name): frame[name].to_numpy() for name in frame.columns}


def row_draws(
    cells: Cells, layout: RowLayout, fx: Columns, visit_share: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """count, km and kg CO2e of every layout row, for cells laid out as the layout's (their
    numbers may differ) and factor columns over layout.places of one value per place or one per
    (place, draw): count per row, km and kg as (rows, draws) arrays. `visit_share` (visit rows,
    draws) replaces the layout's mode shares (drawn ones); counts stay at the layout's shares."""
    count, km_parts, kg = _row_parts(cells, layout, fx, visit_share)
    return count, np.concatenate(km_parts), kg


def row_kg(
    cells: Cells, layout: RowLayout, fx: Columns, visit_share: np.ndarray | None = None
) -> np.ndarray:
    """kg CO2e of every layout row as row_draws gives it, without writing out the km of every
    draw (a (rows, draws) array no sum of kg needs)."""
    return _row_parts(cells, layout, fx, visit_share)[2]


def _row_parts(
    cells: Cells, layout: RowLayout, fx: Columns, visit_share: np.ndarray | None
) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """row_draws' count and kg, and its km as (rows, draws) parts (mostly broadcast views)."""

    def factor(key: str) -> np.ndarray:
        values = np.asarray(fx[key], dtype=float)
        return values.reshape(len(values), -1)

    def number(table: Columns, column: str) -> np.ndarray:
        return np.asarray(table[column], dtype=float)

    places = len(layout.places)
    ef_by_mode = [factor(c) for c in _EF_COLUMNS]
    draws = max(f.shape[1] for f in ef_by_mode)
    # One slice per Mode plus a NaN slice, which _mode_index -1 selects: (places, modes, draws).
    ef = np.stack(
        [
            *(np.broadcast_to(f, (places, draws)) for f in ef_by_mode),
            np.full((places, draws), np.nan),
        ],
        axis=1,
    )
    detour = factor("detour_factor")
    n_visits = len(layout.visit_cell)
    n_clients, n_staff, n_trips = (
        len(p) for p in (layout.client_place, layout.staff_place, layout.trip_place)
    )
    counts: list[np.ndarray] = []
    kms: list[np.ndarray] = []
    kgs: list[np.ndarray] = []
    if n_clients:
        clients, at = cells.clients, layout.client_place
        one_way_km = (
            number(clients, "geo_km_visits")[:, None] * detour[at]
            + number(clients, "given_km_visits")[:, None]
        )
        cell = layout.visit_cell
        share = layout.visit_share[:, None] if visit_share is None else visit_share
        visit_km = 2 * one_way_km[cell] * share
        counts.append(number(clients, "in_person")[cell] * layout.visit_share)
        kms.append(np.broadcast_to(visit_km, (n_visits, draws)))
        kgs.append(visit_km * ef[at[cell], layout.mode[:n_visits]])
        for channel in REMOTE_CHANNELS:
            contacts = number(clients, channel.value)
            per_contact = np.asarray(remote_kg_per_contact(fx, channel.value), dtype=float)
            counts.append(contacts)
            kms.append(np.broadcast_to(0.0, (n_clients, draws)))
            kgs.append(
                np.broadcast_to(
                    contacts[:, None] * per_contact.reshape(places, -1)[at], (n_clients, draws)
                )
            )
    if n_staff:
        staff, at = cells.staff, layout.staff_place
        commute_km = 2 * (
            number(staff, "geo_km_office_days")[:, None] * detour[at]
            + number(staff, "given_km_office_days")[:, None]
        )
        home_days = number(staff, "homeoffice_days")
        start = n_visits + len(REMOTE_CHANNELS) * n_clients
        per_home_day = np.asarray(homeoffice_kg_per_day(fx), dtype=float)
        counts += [number(staff, "office_days"), home_days]
        kms += [
            np.broadcast_to(commute_km, (n_staff, draws)),
            np.broadcast_to(0.0, (n_staff, draws)),
        ]
        kgs += [
            commute_km * ef[at, layout.mode[start : start + n_staff]],
            np.broadcast_to(
                home_days[:, None] * per_home_day.reshape(places, -1)[at], (n_staff, draws)
            ),
        ]
    if n_trips:
        trips, at = cells.trips, layout.trip_place
        geo_km = number(trips, "geo_km_trips")[:, None]
        trip_count = number(trips, "trips")
        trip_mode = layout.mode[len(layout.mode) - n_trips :]
        computed_km = np.where(
            (trip_mode == _MODES.get_loc(Mode.PLANE.value))[:, None],
            geo_km + trip_count[:, None] * factor("plane_detour_km")[at],
            geo_km * detour[at],
        )
        # The plane's extra km apply only to computed distances, not to distances users give.
        computed_km = np.where(geo_km > 0, computed_km, 0.0)
        km = 2 * (computed_km + number(trips, "given_km_trips")[:, None])
        counts.append(trip_count)
        kms.append(np.broadcast_to(km, (n_trips, draws)))
        kgs.append(km * ef[at, trip_mode])
    if not counts:
        return np.zeros(0), [np.zeros((0, draws))], np.zeros((0, draws))
    return np.concatenate(counts), kms, np.concatenate(kgs)


def remote_kg_per_contact(fx: Columns, channel: str) -> Any:
    """kg CO2e of one phone, video or online contact: its kWh times the grid factor."""
    return fx[f"energy_{channel}_kwh_per_contact"] * fx["grid_kg_per_kwh"]


def homeoffice_kg_per_day(fx: Columns) -> Any:
    """Extra home heating and electricity of one home-office day."""
    return (
        fx["homeoffice_heating_kwh_per_day"] * fx["ef_heating_kg_per_kwh"]
        + fx["homeoffice_electricity_kwh_per_day"] * fx["grid_kg_per_kwh"]
    )


@dataclass(frozen=True, eq=False)
class Grouping:
    """Rows' group codes sorted once, to sum many (rows, draws) arrays per group."""

    order: np.ndarray  # the rows in group order
    starts: np.ndarray  # where each group's run begins in that order
    present: np.ndarray  # the group code of each run
    n_groups: int

    @classmethod
    def of(cls, codes: np.ndarray, n_groups: int) -> Grouping:
        order = np.argsort(codes, kind="stable")
        sorted_codes = codes[order]
        starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
        starts = starts[: len(order)]  # no run at all without rows
        return cls(order, starts, sorted_codes[starts], n_groups)

    def sums(self, values: np.ndarray) -> np.ndarray:
        """Rows of a (rows, draws) array summed per group code: (n_groups, draws)."""
        sums = np.zeros((self.n_groups, values.shape[1]))
        if len(self.order):
            sums[self.present] = np.add.reduceat(values[self.order], self.starts, axis=0)
        return sums


def group_sums(values: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Rows of a (rows, draws) array summed per group code: (n_groups, draws)."""
    return Grouping.of(codes, n_groups).sums(values)


def visit_share_draws(layout: RowLayout, factors: FactorSet, draws: simulation.Draws) -> np.ndarray:
    """Every visit row's mode share in every draw (1 where the data gives the mode)."""
    if not len(layout.visit_cell):
        return np.ones((0, draws.draws))
    split = mode_split_table(factors, sorted(set(layout.places["country"])))
    shares = draws.mode_shares(split)
    visit_country = layout.places["country"].to_numpy(dtype=object)[
        layout.client_place[layout.visit_cell]
    ]
    split_row = pd.MultiIndex.from_frame(split[["country", "key"]]).get_indexer(
        pd.MultiIndex.from_arrays([visit_country, layout.visit_share_key])
    )
    return np.where((split_row >= 0)[:, None], shares[split_row], 1.0)


def simulated_kg(
    cells: Cells,
    layout: RowLayout,
    factors: FactorSet,
    draws: simulation.Draws,
    codes: np.ndarray,
    n_groups: int,
    factor_year: int | None = None,
    visit_share: np.ndarray | None = None,
) -> np.ndarray:
    """kg CO2e per group (codes: every layout row's group) in every draw: (n_groups, draws).

    `visit_share`: visit_share_draws of these draws, for a caller that evaluates the layout at
    several factor years (the mode shares do not depend on the year). Evaluated in chunks of
    draws so that memory stays at a few (rows × chunk) arrays."""
    fx = factor_columns(factors, layout.places, "central", factor_year, value_of=draws.value)
    if visit_share is None:
        visit_share = visit_share_draws(layout, factors, draws)
    grouping = Grouping.of(codes, n_groups)
    result = np.zeros((n_groups, draws.draws))
    for lo in range(0, draws.draws, _DRAW_CHUNK):
        hi = min(lo + _DRAW_CHUNK, draws.draws)
        chunk = {key: values[:, lo:hi] for key, values in fx.items()}
        result[:, lo:hi] = grouping.sums(row_kg(cells, layout, chunk, visit_share[:, lo:hi]))
    return result


_DRAW_CHUNK = 250


def compute(
    cube: Cube,
    factors: FactorSet,
    factor_year: int | None = None,
    settings: simulation.Settings | None = None,
    *,
    interval: bool = True,
) -> pd.DataFrame:
    """Result rows: year, office_id, group, activity, mode, count, km, kg_co2e, and the
    simulation's interval of kg_co2e (kg_co2e_low, kg_co2e_high; 5 % and 95 %).

    interval=False: the same rows without the interval's columns, and without the draws they
    need (most of the work), for a page that shows no row's interval."""
    columns = RESULT_COLUMNS if interval else CENTRAL_COLUMNS
    keys = ["year", "office_id", "group", "activity", "mode"]
    layout = row_layout(cube, factors)
    if layout.keys.empty:
        return pd.DataFrame(columns=columns)
    cells = Cells.of(cube)
    fx = factor_columns(factors, layout.places, "central", factor_year)
    count, km, kg = row_draws(cells, layout, fx)
    codes, groups = pd.MultiIndex.from_frame(layout.keys[keys]).factorize()
    n_groups = len(groups)
    central = group_sums(np.column_stack([count, km[:, 0], kg[:, 0]]), codes, n_groups)
    rows = groups.to_frame(index=False, name=keys).assign(
        count=central[:, 0], km=central[:, 1], kg_co2e=central[:, 2]
    )
    if interval:
        settings = settings or simulation.Settings.load()
        draws = simulation.Draws(factors, settings.draws, settings.seed)
        rows["kg_co2e_low"], rows["kg_co2e_high"] = simulation.interval(
            simulated_kg(cells, layout, factors, draws, codes, n_groups, factor_year), settings
        )
    rows["year"] = rows["year"].astype(int)
    return rows[columns].sort_values(keys, ignore_index=True)


def totals(rows: pd.DataFrame, column: str = "kg_co2e") -> dict[int, float]:
    """kg CO2e per year."""
    by_year = rows.groupby("year")[column].sum()
    return {int(year): float(kg) for year, kg in by_year.items()}


@dataclass(frozen=True)
class YearTotals:
    """kg CO2e per year with the simulation's interval."""

    kg: dict[int, float]
    low_kg: dict[int, float]
    high_kg: dict[int, float]

    def as_json(self) -> dict[str, dict[str, float]]:
        """compute --json: totals, and their bounds beside them."""
        return {
            name: {str(year): kg for year, kg in values.items()}
            for name, values in (
                ("totals", self.kg),
                ("totals_low", self.low_kg),
                ("totals_high", self.high_kg),
            )
        }


def year_totals(
    cube: Cube,
    factors: FactorSet,
    factor_year: int | None = None,
    settings: simulation.Settings | None = None,
) -> YearTotals:
    """Every year's total, drawn as a whole (a sum of row intervals would be too wide)."""
    settings = settings or simulation.Settings.load()
    layout = row_layout(cube, factors)
    cells = Cells.of(cube)
    codes, years = pd.factorize(layout.keys["year"], sort=True)
    fx = factor_columns(factors, layout.places, "central", factor_year)
    central = group_sums(row_kg(cells, layout, fx), codes, len(years))[:, 0]
    draws = simulation.Draws(factors, settings.draws, settings.seed)
    drawn = simulated_kg(cells, layout, factors, draws, codes, len(years), factor_year)
    low, high = simulation.interval(drawn, settings)
    as_dict = functools.partial(_by_year, [int(y) for y in years])
    return YearTotals(as_dict(central), as_dict(low), as_dict(high))


def _by_year(years: list[int], values: np.ndarray) -> dict[int, float]:
    return {year: float(value) for year, value in zip(years, values, strict=True)}


def select(cube: Cube, offices: Sequence[str] = (), groups: Sequence[str] = ()) -> Cube:
    """The cube of some offices and groups (empty = all); staff and business trips belong to
    the group `staff`, as in the result rows."""

    def keep(table: pd.DataFrame, group: pd.Series | str) -> pd.DataFrame:
        mask = np.ones(len(table), dtype=bool)
        if offices:
            mask &= table["office_id"].isin(list(offices)).to_numpy()
        if groups:
            in_groups = (
                group.isin(list(groups)).to_numpy()
                if isinstance(group, pd.Series)
                else np.full(len(table), group in groups)
            )
            mask &= in_groups
        return table[mask].reset_index(drop=True)

    return replace(
        cube,
        clients=keep(cube.clients, cube.clients["group"]),
        staff=keep(cube.staff, STAFF_GROUP),
        trips=keep(cube.trips, STAFF_GROUP),
    )


def select_rows(
    rows: pd.DataFrame, offices: Sequence[str] = (), groups: Sequence[str] = ()
) -> pd.DataFrame:
    """Result rows of some offices and groups (empty = all): the rows of select(cube, …)."""
    mask = np.ones(len(rows), dtype=bool)
    if offices:
        mask &= rows["office_id"].isin(list(offices)).to_numpy()
    if groups:
        mask &= rows["group"].isin(list(groups)).to_numpy()
    return rows[mask]


def of_years(cube: Cube, years: Sequence[int]) -> Cube:
    """The cube restricted to some years."""
    wanted = [int(y) for y in years]
    return replace(
        cube,
        clients=cube.clients[cube.clients["year"].isin(wanted)].reset_index(drop=True),
        staff=cube.staff[cube.staff["year"].isin(wanted)].reset_index(drop=True),
        trips=cube.trips[cube.trips["year"].isin(wanted)].reset_index(drop=True),
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
    keys = [
        *_YEARLESS_KEYS,
        *_YEAR_KEYS,
        *(f"ef_{m.value}_kg_per_pkm" for m in _PKM_MODES),
        *COMPARISON_KEYS,
    ]
    records = []
    for country, year in places.itertuples(index=False):
        lookup_year = int(factor_year if factor_year is not None else year)
        mode_shares = list(mode_split_table(factors, [country])["key"])
        for key in [*keys, *mode_shares]:
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
