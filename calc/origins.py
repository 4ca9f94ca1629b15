"""Where clients travel from: in-person emissions placed on a coarse grid of client homes.

Client homes are personal data, so origins are rounded to a grid (2 decimals of a degree, about
1 km) and a grid cell is shown only where at least `privacy.min_people_per_cell()` clients of an
office share it. Each office's in-person kg (from model.compute) is shared out over its clients'
origins in proportion to the visit-km travelled from each: given km as they are, geodesic km
times the office's detour factor, as in the model.
"""

from __future__ import annotations

from collections.abc import Collection

import duckdb
import numpy as np
import pandas as pd

from calc import model, privacy
from calc.factors import FactorSet
from calc.schema import Channel
from calc.units import KM_PER_DEGREE_LATITUDE

ORIGIN_DECIMALS = 2  # of a degree of latitude and longitude: a grid of about 1 km

# The one-way km of a row split as in model.build_cube: computed from coordinates (scaled by
# the detour factor later) when no distance was given, else given by the user.
GEO_KM_SQL = "CASE WHEN distance_km IS NULL THEN geodesic_km ELSE 0 END"
GIVEN_KM_SQL = "coalesce(distance_km, 0)"

# Visits and visit-km per client origin. Rows without an origin stay in (lat NULL), so the
# shares are of all clients' km.
ORIGINS_SQL = f"""
    SELECT year, office_id, client_group AS "group",
        round(origin_lat, $decimals) AS lat, round(origin_lon, $decimals) AS lon,
        count(*) AS clients, sum(in_person) AS visits,
        sum(in_person * {GEO_KM_SQL}) AS geo_km_visits,
        sum(in_person * {GIVEN_KM_SQL}) AS given_km_visits
    FROM clients
    GROUP BY ALL
"""


def load_origins(con: duckdb.DuckDBPyConnection, decimals: int = ORIGIN_DECIMALS) -> pd.DataFrame:
    """Clients, visits and visit-km per year, office, group and rounded origin: year,
    office_id, group, lat, lon, clients, visits, geo_km_visits, given_km_visits."""
    return con.execute(ORIGINS_SQL, {"decimals": decimals}).df()


def origin_emissions(
    origins: pd.DataFrame,
    visit_rows: pd.DataFrame,
    detour_by_office: dict[str, float],
    min_people: int,
) -> pd.DataFrame:
    """Each office's in-person kg shared out over its clients' origins by km travelled:
    office_id, lat, lon, clients, visits, kg_co2e, for grid cells of at least `min_people`
    clients.

    `origins` are load_origins rows of one year; `visit_rows` the in-person result rows of
    that year; segments (office and group) without visit rows get 0 kg."""
    km = (
        origins["geo_km_visits"] * origins["office_id"].map(detour_by_office)
        + origins["given_km_visits"]
    )
    keys = ["office_id", "group"]
    share = km / km.groupby([origins[k] for k in keys]).transform("sum")
    kg_by_segment = visit_rows.groupby(keys)["kg_co2e"].sum()
    segment_kg = pd.Series(
        kg_by_segment.reindex(pd.MultiIndex.from_frame(origins[keys])).to_numpy(),
        index=origins.index,
    )
    placed = origins.assign(kg_co2e=(share * segment_kg).fillna(0.0)).dropna(subset=["lat"])
    points = placed.groupby(["office_id", "lat", "lon"], as_index=False)[
        ["clients", "visits", "kg_co2e"]
    ].sum()
    return points[points["clients"] >= min_people]


def origin_points(
    origins: pd.DataFrame,
    contacts: pd.DataFrame,
    offices: pd.DataFrame,
    factors: FactorSet,
    year: int,
    min_people: int | None = None,
) -> pd.DataFrame:
    """The map's origin points of one year: origin_emissions of the offices and client groups
    in `contacts` (client contact result rows, filtered as the page shows them), with each
    office's detour factor. `min_people` defaults to the privacy rule (data/privacy.csv)."""
    if min_people is None:
        min_people = privacy.min_people_per_cell()
    of_year = contacts[contacts["year"] == year]
    visit_rows = of_year[of_year["activity"] == Channel.IN_PERSON.value]
    shown = offices[offices["office_id"].isin(set(of_year["office_id"]))]
    detour = {
        office.office_id: factors.value("detour_factor", office.country, year)
        for office in shown.itertuples()
    }
    origins = origins[
        (origins["year"] == year)
        & origins["office_id"].isin(detour)
        & origins["group"].isin(set(visit_rows["group"]))
    ]
    return origin_emissions(origins, visit_rows, detour, min_people)


def office_points(
    contacts: pd.DataFrame,
    offices: pd.DataFrame,
    factors: FactorSet,
    year: int,
    hide_kg_of: Collection[str] = (),
) -> pd.DataFrame:
    """The offices on the map of one year: the offices rows of the offices in `contacts`,
    with kg_co2e of their in-person visits and radius_km, the one-way distance above which a
    video contact emits less than a car trip (model.break_even_km; inf when a car emits
    nothing). Offices in `hide_kg_of` (too few clients: privacy.pool_small_offices) are placed
    without their kg."""
    of_year = contacts[contacts["year"] == year]
    visit_rows = of_year[of_year["activity"] == Channel.IN_PERSON.value]
    shown = offices[offices["office_id"].isin(set(of_year["office_id"]))]
    radius_by_country = {
        country: model.break_even_km(factors, country, year)["car"]
        for country in set(shown["country"])
    }
    kg = shown["office_id"].map(visit_rows.groupby("office_id")["kg_co2e"].sum())
    return shown.assign(
        radius_km=shown["country"].map(radius_by_country),
        kg_co2e=kg.where(~shown["office_id"].isin(list(hide_kg_of))),
    )


DENSITY_CELL_DEG = 0.05  # of a degree: cells of about 5.6 km × 3.8 km at 47° north


def density_cell_km(cell_deg: float = DENSITY_CELL_DEG) -> float:
    """How tall a density cell is, north to south, in km (a map's caption says it)."""
    return cell_deg * KM_PER_DEGREE_LATITUDE


def density_cells(
    origins: pd.DataFrame,
    contacts: pd.DataFrame,
    offices: pd.DataFrame,
    factors: FactorSet,
    year: int,
    min_people: int | None = None,
    cell_deg: float = DENSITY_CELL_DEG,
) -> pd.DataFrame:
    """Where the clients of one year live, for a density layer: lat, lon (the cell's centre),
    clients, visits and kg_co2e (their in-person kg, shared out as in origin_points) per cell of
    `cell_deg` degrees, all offices together, for cells of at least `min_people` clients
    (the privacy rule by default). Cells are formed before the rule is applied, so a coarse
    cell keeps clients whose 1 km squares would each be too small to show."""
    if min_people is None:
        min_people = privacy.min_people_per_cell()
    fine = origin_points(origins, contacts, offices, factors, year, min_people=0)
    snapped = fine.assign(
        lat=_cell_centre(fine["lat"], cell_deg), lon=_cell_centre(fine["lon"], cell_deg)
    )
    cells = snapped.groupby(["lat", "lon"], as_index=False)[["clients", "visits", "kg_co2e"]].sum()
    return cells[cells["clients"] >= min_people].reset_index(drop=True)


def _cell_centre(degrees: pd.Series, cell_deg: float) -> pd.Series:
    # Rounded before the floor: 46.60 / 0.05 is 931.9999… in binary, and belongs to cell 932.
    index = np.floor(np.round(degrees / cell_deg, 6))
    return np.round(index * cell_deg + cell_deg / 2, 6)


def break_even_table(factors: FactorSet, countries: Collection[str], year: int) -> pd.DataFrame:
    """The one-way distance (km) above which a remote contact emits less than a trip by car or
    by public transport, per country and channel: country, channel, car_km, pt_km (inf: that
    mode emits nothing, so a remote contact never beats it). model.break_even_km."""
    channels: tuple[model.RemoteChannel, ...] = ("phone", "video", "online")
    records = []
    for country in sorted(countries):
        for channel in channels:
            km = model.break_even_km(factors, country, year, channel)
            records.append((country, channel, km["car"], km["pt"]))
    return pd.DataFrame(records, columns=["country", "channel", "car_km", "pt_km"])
