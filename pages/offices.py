"""Offices & channels: where client contacts happen, on which channel, and what they emit."""

import math

import pandas as pd
import streamlit as st

from calc import indicators, origins, privacy, units
from ui import charts, compute, filters, tables
from ui import frame as _frame
from ui.i18n import distance, language, number, t

_frame.require()  # first request after a start: rerun through app.py

YEAR_KEY = "offices_year"
BY_OFFICE_KEY = "offices_by_office"
CHANNELS = indicators.CHANNELS


def to_csv(frame: pd.DataFrame) -> bytes:
    # German and Dutch spreadsheets expect semicolons and decimal commas.
    if language() in {"de", "nl"}:
        return frame.to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig")
    return frame.to_csv(index=False).encode("utf-8-sig")


def chart_shares(shares: pd.DataFrame) -> pd.DataFrame:
    """indicators.digital_share as charts.digital_share reads it: year, [office_id], share."""
    return shares.drop(columns=["contacts", "digital_contacts"]).rename(
        columns={"digital_share": "share"}
    )


def privacy_note(pooled: privacy.SlideTable) -> None:
    """What the small-cell rule did to a per-office view (nothing to say if nothing)."""
    if pooled.withheld:
        st.info(t("offices.privacy.too_few", n=min_clients), icon=":material/shield_person:")
    elif pooled.merged:
        st.caption(t("offices.privacy.merged", n=min_clients))


@st.fragment
def digital_share_section(
    contacts: pd.DataFrame, pooled: privacy.SlideTable, names: dict[str, str]
) -> None:
    # A fragment: the per-office toggle redraws this chart only, not the map below.
    st.header(t("offices.digital.title"))
    if st.toggle(t("offices.digital.by_office"), key=BY_OFFICE_KEY):
        privacy_note(pooled)
        if pooled.withheld:
            return
        shares = chart_shares(indicators.digital_share(pooled.table, by="office_id"))
        shares = shares.assign(office=shares["office_id"].map(names))
        chart = charts.kept("digital_share", shares, t("offices.digital.axis"), series="office")
        labels = ["office", "year"]
    else:
        shares = chart_shares(indicators.digital_share(contacts))
        chart = charts.kept("digital_share", shares, t("offices.digital.axis"))
        labels = ["year"]
    charts.show(
        chart,
        shares,
        text=charts.summary(shares, labels, "share", what=t("offices.digital.alt"), unit="share"),
        columns={
            **({"office": t("chart.office")} if "office" in labels else {}),
            "year": t("chart.year"),
            "share": t("offices.digital.axis"),
        },
        percents={"share": 0},
        key="offices_digital_chart",
    )
    st.caption(t("offices.digital.caption"))


offices = compute.cube().offices
# No grid cell of the map and no office in a table rests on fewer clients (data/privacy.csv).
min_clients = privacy.min_people_per_cell()
names = dict(zip(offices["office_id"], offices["name"], strict=True))
names[privacy.OTHER_OFFICES] = t("offices.other_offices")
years = compute.years()
channel_labels = {channel: t(f"activity.{channel}") for channel in CHANNELS}

st.title(t("offices.title"))
st.caption(t("offices.intro"))

rows = filters.apply(compute.rows())
contacts = indicators.client_contacts(rows)
if contacts.empty:
    st.info(t("offices.empty"), icon=":material/filter_alt_off:")
    st.stop()

# -- digital share over the years ------------------------------------------------------------
# The privacy rule's pooling of the selection, cached per year (None: every year) and rule.
selection = tuple(filters.selected_offices()), tuple(filters.selected_groups())
digital_share_section(contacts, compute.pooled_contacts(None, *selection, min_clients), names)

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

pooled = compute.pooled_contacts(year, *selection, min_clients)
if pooled.withheld:
    privacy_note(pooled)
    st.stop()
cells = indicators.per_office_table(pooled.table)
cells = cells.assign(name=cells["office_id"].map(names)).sort_values("name", kind="stable")
per_office = pd.DataFrame(
    {
        "office": cells["name"],
        "channel": cells["activity"].map(channel_labels),
        **{c: cells[c] for c in ("contacts", "t_co2e", "t_co2e_low", "t_co2e_high")},
    }
)
headers = {column: t(f"offices.col.{column}") for column in per_office.columns}
channel_order = [channel_labels[c] for c in CHANNELS]
office_order = per_office.groupby("office")["t_co2e"].sum().sort_values(ascending=False).index

st.header(t("offices.per_office.title", year=year))
bars_col, heat_col = st.columns(2, gap="large")
with bars_col:
    st.markdown(t("offices.per_office.emissions"))
    charts.show(
        charts.kept(
            "stacked_bar",
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
        per_office,
        text=charts.summary(
            per_office,
            "office",
            "t_co2e",
            what=t("offices.per_office.emissions_alt", year=year),
            unit="t",
            decimals=2,
        ),
        table=False,  # the table of per_office follows the two charts
    )
with heat_col:
    st.markdown(t("offices.per_office.contacts"))
    charts.show(
        charts.kept(
            "heatmap",
            per_office,
            "channel",
            "office",
            "contacts",
            value_title=headers["contacts"],
            x_order=channel_order,
        ),
        per_office,
        text=charts.summary(
            per_office,
            ["office", "channel"],
            "contacts",
            what=t("offices.per_office.contacts_alt", year=year),
            unit="number",
        ),
        table=False,
    )
shown = per_office.rename(columns=headers)
tables.dataframe(
    shown,
    {headers["contacts"]: 0, **{headers[c]: 2 for c in ("t_co2e", "t_co2e_low", "t_co2e_high")}},
    hide_index=True,
    alt=t("offices.table_alt", year=year),
)
privacy_note(pooled)
st.download_button(
    t("offices.download"),
    to_csv(shown),
    file_name=f"wegbilanz_offices_channels_{year}.csv",
    mime="text/csv",
    icon=":material/download:",
)

# -- map -------------------------------------------------------------------------------------
st.header(t("offices.map.title", year=year))
# Density cells and office points of the selection and year, cached: a switch back to this
# page takes them from the cache.
cells, office_points = compute.office_map_frames(year, *selection, pooled.merged, min_clients)
office_points = units.with_tonnes(office_points)
charts.show(
    charts.office_map(
        office_points,
        units.with_tonnes(cells),
        cell_deg=origins.DENSITY_CELL_DEG,
        titles={
            "t_co2e": t("unit.t"),
            "name": headers["office"],
            "visits": t("offices.map.visits"),
            "clients": t("map.clients"),
        },
    ),
    office_points,
    text=charts.summary(
        office_points, "name", "t_co2e", what=t("offices.map.alt", year=year), unit="t"
    ),
    columns={"name": headers["office"], "t_co2e": t("unit.t")},
    decimals={"t_co2e": 1},
)
st.caption(
    t(
        "map.caption",
        year=year,
        min_clients=min_clients,
        km=number(origins.density_cell_km(), 1),
    )
)

# The distance above which a remote contact emits less than the trip it replaces.
breakeven = compute.break_even_table(set(office_points["country"]), year)


def km_text(km: float) -> str:
    if math.isinf(km):
        return t("map.breakeven.never")
    return distance(km)


st.markdown(t("map.breakeven.title"))
st.dataframe(
    pd.DataFrame(
        {
            t("map.breakeven.country"): breakeven["country"],
            t("map.breakeven.channel"): [t(f"activity.{c}") for c in breakeven["channel"]],
            t("map.breakeven.car"): [km_text(km) for km in breakeven["car_km"]],
            t("map.breakeven.pt"): [km_text(km) for km in breakeven["pt_km"]],
        }
    ),
    hide_index=True,
    width="content",
)
st.caption(t("map.breakeven.caption", year=year))
