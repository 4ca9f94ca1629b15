"""Offices & channels: where client contacts happen, on which channel, and what they emit."""

import math

import pandas as pd
import streamlit as st

from calc import model
from calc.schema import STAFF_GROUP, Channel
from ui import charts, compute, db, filters
from ui.i18n import language, number, t

YEAR_KEY = "offices_year"
BY_OFFICE_KEY = "offices_by_office"
# Client homes are personal data: the map shows them on a ~1 km grid, and only where at
# least this many clients share a grid cell.
ORIGIN_DECIMALS = 2
MIN_CLIENTS_PER_POINT = 5
CHANNELS = [channel.value for channel in Channel]

# Visits and visit-km per client origin; the km weight each origin's share of its office's
# in-person emissions. Rows without an origin stay in, so shares are of all clients' km.
ORIGINS_SQL = """
    SELECT year, office_id, client_group AS "group",
        round(origin_lat, ?) AS lat, round(origin_lon, ?) AS lon,
        count(*) AS clients, sum(in_person) AS visits,
        sum(in_person * CASE WHEN distance_km IS NULL THEN geodesic_km ELSE 0 END)
            AS geo_km_visits,
        sum(in_person * coalesce(distance_km, 0)) AS given_km_visits
    FROM clients
    GROUP BY ALL
"""


@st.cache_data(show_spinner=False, max_entries=4)
def load_origins(version: str) -> pd.DataFrame:
    del version  # cache key: the loaded data set
    return db.cursor().execute(ORIGINS_SQL, [ORIGIN_DECIMALS, ORIGIN_DECIMALS]).df()


def origin_emissions(
    origins: pd.DataFrame, visit_rows: pd.DataFrame, detour_by_office: dict[str, float]
) -> pd.DataFrame:
    """Each office's in-person kg shared out over its clients' origins by km travelled."""
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
    return points[points["clients"] >= MIN_CLIENTS_PER_POINT]


def to_csv(frame: pd.DataFrame) -> bytes:
    # German and Dutch spreadsheets expect semicolons and decimal commas.
    if language() in {"de", "nl"}:
        return frame.to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig")
    return frame.to_csv(index=False).encode("utf-8-sig")


@st.fragment
def digital_share_section(contacts: pd.DataFrame, names: dict[str, str]) -> None:
    # A fragment: the per-office toggle redraws this chart only, not the map below.
    st.subheader(t("offices.digital.title"))
    if st.toggle(t("offices.digital.by_office"), key=BY_OFFICE_KEY):
        shares = charts.digital_share_frame(contacts, by="office_id")
        shares = shares.assign(office=shares["office_id"].map(names))
        chart = charts.digital_share(shares, t("offices.digital.axis"), series="office")
    else:
        chart = charts.digital_share(
            charts.digital_share_frame(contacts), t("offices.digital.axis")
        )
    st.altair_chart(chart, alt=t("offices.digital.alt"))
    st.caption(t("offices.digital.caption"))


offices = compute.cube().offices
names = dict(zip(offices["office_id"], offices["name"], strict=True))
years = compute.years()
factors = compute.factors()
channel_labels = {channel: t(f"activity.{channel}") for channel in CHANNELS}

st.title(t("offices.title"))
st.caption(t("offices.intro"))

rows = filters.apply(compute.rows())
contacts = rows[(rows["group"] != STAFF_GROUP) & rows["activity"].isin(CHANNELS)]
if contacts.empty:
    st.info(t("offices.empty"), icon=":material/filter_alt_off:")
    st.stop()

# -- digital share over the years ------------------------------------------------------------
digital_share_section(contacts, names)

# -- one year: per office and channel, and the map --------------------------------------------
st.divider()
year = st.selectbox(
    t("offices.year"),
    years,
    index=years.index(filters.current_year()),
    key=YEAR_KEY,
    width=200,
)
of_year = contacts[contacts["year"] == year]
if of_year.empty:
    st.info(t("offices.no_year", year=year), icon=":material/event_busy:")
    st.stop()

cells = of_year.groupby(["office_id", "activity"], as_index=False)[
    ["count", "kg_co2e", "kg_co2e_low", "kg_co2e_high"]
].sum()
cells = cells.assign(
    name=cells["office_id"].map(names), order=cells["activity"].map(CHANNELS.index)
)
cells = cells.sort_values(["name", "order"])
# Rounded as displayed, so the table, the charts and the download show the same numbers.
per_office = pd.DataFrame(
    {
        "office": cells["name"],
        "channel": cells["activity"].map(channel_labels),
        "contacts": cells["count"].round().astype(int),
        "t_co2e": (cells["kg_co2e"] / 1000).round(2),
        "t_co2e_low": (cells["kg_co2e_low"] / 1000).round(2),
        "t_co2e_high": (cells["kg_co2e_high"] / 1000).round(2),
    }
)
headers = {column: t(f"offices.col.{column}") for column in per_office.columns}
channel_order = [channel_labels[c] for c in CHANNELS]
office_order = per_office.groupby("office")["t_co2e"].sum().sort_values(ascending=False).index

st.subheader(t("offices.per_office.title", year=year))
bars_col, heat_col = st.columns(2, gap="large")
with bars_col:
    st.markdown(t("offices.per_office.emissions"))
    st.altair_chart(
        charts.stacked_bar(
            per_office,
            "office",
            "t_co2e",
            "channel",
            value_title=t("unit.t"),
            stack_order=channel_order,
            category_order=list(office_order),
            value_format=",.2f",
            horizontal=True,
        ),
        alt=t("offices.per_office.emissions_alt", year=year),
    )
with heat_col:
    st.markdown(t("offices.per_office.contacts"))
    st.altair_chart(
        charts.heatmap(
            per_office,
            "channel",
            "office",
            "contacts",
            value_title=headers["contacts"],
            x_order=channel_order,
        ),
        alt=t("offices.per_office.contacts_alt", year=year),
    )
shown = per_office.rename(columns=headers)
st.dataframe(
    shown,
    hide_index=True,
    column_config={
        headers[column]: st.column_config.NumberColumn(format="localized")
        for column in ("contacts", "t_co2e", "t_co2e_low", "t_co2e_high")
    },
    alt=t("offices.table_alt", year=year),
)
st.download_button(
    t("offices.download"),
    to_csv(shown),
    file_name=f"wegbilanz_offices_channels_{year}.csv",
    mime="text/csv",
    icon=":material/download:",
)

# -- map -------------------------------------------------------------------------------------
st.subheader(t("offices.map.title", year=year))
visit_rows = of_year[of_year["activity"] == Channel.IN_PERSON.value]
shown_offices = offices[offices["office_id"].isin(set(of_year["office_id"]))]
detour = {
    office.office_id: factors.value("detour_factor", office.country, year)
    for office in shown_offices.itertuples()
}
origins = load_origins(db.dataset_version())
origins = origins[
    (origins["year"] == year)
    & origins["office_id"].isin(detour)
    & origins["group"].isin(set(visit_rows["group"]))
]
points = origin_emissions(origins, visit_rows, detour)
radius_by_country = {
    country: model.break_even_km(factors, country, year)["car"]
    for country in set(shown_offices["country"])
}
# A car that emitted nothing would never break even: no ring then.
office_points = shown_offices.assign(
    radius_km=shown_offices["country"].map(radius_by_country),
    t_co2e=shown_offices["office_id"].map(visit_rows.groupby("office_id")["kg_co2e"].sum() / 1000),
)
st.altair_chart(
    charts.office_map(
        office_points,
        points.assign(name=points["office_id"].map(names), t_co2e=points["kg_co2e"] / 1000),
        charts.circle_features(office_points[office_points["radius_km"] < math.inf]),
        titles={
            "t_co2e": t("unit.t"),
            "name": headers["office"],
            "visits": t("offices.map.visits"),
        },
    ),
    alt=t("offices.map.alt", year=year),
)
radius_km = max(radius_by_country.values(), default=0.0)
st.caption(
    t(
        "offices.map.caption",
        year=year,
        min_clients=MIN_CLIENTS_PER_POINT,
        distance=(
            f"{number(radius_km * 1000)} m" if radius_km < 1 else f"{number(radius_km, 1)} km"
        ),
    )
)
