"""Staff & home office: commuting, home-office days and their net balance, business trips."""

import altair as alt
import pandas as pd
import streamlit as st

from calc import model
from calc.schema import STAFF_GROUP, Activity, Mode
from ui import charts, compute, db, filters
from ui.i18n import number, percent, t, tonnes

KG_DECIMALS = 2

TRIPS_SQL = """
    SELECT year, office_id, destination, mode, sum(trips) AS trips
    FROM trips GROUP BY ALL
"""


@st.cache_data(show_spinner=False, max_entries=4)
def load_trips(version: str) -> pd.DataFrame:
    del version  # cache key: the loaded data set
    return db.cursor().execute(TRIPS_SQL).df()


def mode_label(mode: str) -> str:
    text = t(f"mode.{mode}")
    return mode if text == f"mode.{mode}" else text


def mode_bars(frame: pd.DataFrame, category: str, value: str, **options) -> alt.TopLevelMixin:
    """Stacked bars by means of travel, each mode in its own colour on every chart."""
    modes = [mode.value for mode in Mode if mode.value in set(frame["mode"])]
    return charts.stacked_bar(
        frame.assign(mode_label=frame["mode"].map(mode_label)),
        category,
        value,
        "mode_label",
        stack_order=[mode_label(mode) for mode in modes],
        stack_colors=[charts.MODE_COLORS[mode] for mode in modes],
        **options,
    )


reference, current = filters.reference_year(), filters.current_year()
offices = compute.cube().offices
names = dict(zip(offices["office_id"], offices["name"], strict=True))
rows = filters.apply(compute.rows())
staff = rows[rows["group"] == STAFF_GROUP]

st.title(t("staff.title"))
st.caption(t("staff.intro"))
if staff.empty:
    st.info(t("staff.empty"), icon=":material/filter_alt_off:")
    st.stop()

commute = staff[staff["activity"] == Activity.COMMUTE.value]
home = staff[staff["activity"] == Activity.HOMEOFFICE.value]
trips = staff[staff["activity"] == Activity.BUSINESS_TRIP.value]

# -- commuting by mode -----------------------------------------------------------------------
st.subheader(t("staff.commute.title"))
by_mode = commute.groupby(["year", "mode"], as_index=False)[["count", "km", "kg_co2e"]].sum()
by_mode = by_mode.assign(year_label=by_mode["year"].astype(str), t_co2e=by_mode["kg_co2e"] / 1000)
chart_col, table_col = st.columns(2, gap="large")
with chart_col:
    st.altair_chart(
        mode_bars(by_mode, "year_label", "t_co2e", value_title=t("unit.t")),
        alt=t("staff.commute.alt"),
    )
with table_col:
    two_years = by_mode[by_mode["year"].isin([reference, current])].sort_values(
        ["year", "kg_co2e"], ascending=[True, False]
    )
    st.dataframe(
        pd.DataFrame(
            {
                t("staff.col.year"): two_years["year_label"],
                t("staff.col.mode"): two_years["mode"].map(mode_label),
                t("staff.col.days"): two_years["count"].round().astype(int),
                t("staff.col.km"): two_years["km"].round().astype(int),
                t("staff.col.t_co2e"): two_years["t_co2e"].round(1),
            }
        ),
        hide_index=True,
        column_config={
            t(f"staff.col.{column}"): st.column_config.NumberColumn(format="localized")
            for column in ("days", "km", "t_co2e")
        },
        alt=t("staff.commute.table_alt", reference=reference, current=current),
    )
    st.caption(t("staff.commute.caption"))

# -- home-office days ------------------------------------------------------------------------
st.subheader(t("staff.days.title"))
office_days_label, home_days_label = t("staff.days.office"), t("activity.homeoffice")
days = pd.concat(
    [
        commute.groupby("year", as_index=False)["count"].sum().assign(kind=office_days_label),
        home.groupby("year", as_index=False)["count"].sum().assign(kind=home_days_label),
    ]
)
days = days.assign(year_label=days["year"].astype(str))
st.altair_chart(
    charts.stacked_bar(
        days,
        "year_label",
        "count",
        "kind",
        value_title=t("staff.days.axis"),
        stack_order=[office_days_label, home_days_label],
        value_format=",.0f",
    ),
    alt=t("staff.days.alt"),
)
total_days = days.groupby("year")["count"].sum()
home_days = days[days["kind"] == home_days_label].set_index("year")["count"]
st.caption(
    t(
        "staff.days.caption",
        reference=reference,
        current=current,
        share_reference=percent(home_days.get(reference, 0.0) / total_days.get(reference, 1.0)),
        share_current=percent(home_days.get(current, 0.0) / total_days.get(current, 1.0)),
    )
)

# -- net balance of a home-office day --------------------------------------------------------
st.subheader(t("staff.balance.title", year=current))
of_year = commute[commute["year"] == current].groupby("office_id")[["count", "kg_co2e"]].sum()
of_year = of_year[of_year["count"] > 0]
balance_offices = offices[offices["office_id"].isin(of_year.index)]
fx = model.factor_table(
    compute.factors(), balance_offices.assign(year=current)[["country", "year"]], "central"
)
added_kg_by_country = dict(zip(fx["country"], model.homeoffice_kg_per_day(fx), strict=True))
balance = pd.DataFrame(
    {
        "office": balance_offices["office_id"].map(names).to_numpy(),
        "saved_kg": (of_year["kg_co2e"] / of_year["count"])
        .reindex(balance_offices["office_id"])
        .to_numpy(),
        "added_kg": balance_offices["country"].map(added_kg_by_country).to_numpy(),
    }
)
balance = balance.assign(net_kg=balance["saved_kg"] - balance["added_kg"]).sort_values(
    "net_kg", ascending=False
)
balance = balance.round(KG_DECIMALS)
if balance.empty:
    st.info(t("staff.balance.none", year=current), icon=":material/event_busy:")
else:
    saves, costs = t("staff.balance.saves"), t("staff.balance.costs")
    chart_col, text_col = st.columns([3, 2], gap="large")
    with chart_col:
        st.altair_chart(
            charts.stacked_bar(
                balance.assign(effect=balance["net_kg"].ge(0).map({True: saves, False: costs})),
                "office",
                "net_kg",
                "effect",
                value_title=t("staff.balance.axis"),
                stack_order=[saves, costs],
                stack_colors=[charts.DECREASE_COLOR, charts.INCREASE_COLOR],
                category_order=balance["office"].tolist(),
                value_format=",.2f",
                horizontal=True,
            ),
            alt=t("staff.balance.alt", year=current),
        )
    with text_col:
        losing = balance[balance["net_kg"] < 0]
        if losing.empty:
            st.success(
                t("staff.balance.all_save", low=number(balance["net_kg"].min(), 1)),
                icon=":material/check_circle:",
            )
        for office in losing.itertuples():
            st.warning(
                t(
                    "staff.balance.office_costs",
                    office=office.office,
                    cost=number(-office.net_kg, 1),
                    added=number(office.added_kg, 1),
                    saved=number(office.saved_kg, 1),
                ),
                icon=":material/warning:",
            )
        st.caption(t("staff.balance.caption"))
    st.dataframe(
        balance.rename(
            columns={
                "office": t("staff.col.office"),
                "saved_kg": t("staff.col.saved_kg"),
                "added_kg": t("staff.col.added_kg"),
                "net_kg": t("staff.col.net_kg"),
            }
        ),
        hide_index=True,
        alt=t("staff.balance.table_alt", year=current),
    )

# -- business trips --------------------------------------------------------------------------
st.subheader(t("staff.trips.title"))
trip_modes = trips.groupby(["year", "mode"], as_index=False)["kg_co2e"].sum()
trip_modes = trip_modes.assign(
    year_label=trip_modes["year"].astype(str), t_co2e=trip_modes["kg_co2e"] / 1000
)
destinations = load_trips(db.dataset_version())
destinations = destinations[
    (destinations["year"] == current) & destinations["office_id"].isin(set(staff["office_id"]))
]
destinations = destinations.groupby(["destination", "mode"], as_index=False)["trips"].sum()
destinations = destinations.assign(
    place=destinations["destination"].map(lambda place: names.get(place, place))
)
modes_col, places_col = st.columns(2, gap="large")
with modes_col:
    st.markdown(t("staff.trips.by_mode"))
    st.altair_chart(
        mode_bars(trip_modes, "year_label", "t_co2e", value_title=t("unit.t")),
        alt=t("staff.trips.by_mode_alt"),
    )
with places_col:
    st.markdown(t("staff.trips.by_destination", year=current))
    place_order = (
        destinations.groupby("place")["trips"].sum().sort_values(ascending=False).index.tolist()
    )
    st.altair_chart(
        mode_bars(
            destinations,
            "place",
            "trips",
            value_title=t("staff.trips.axis"),
            category_order=place_order,
            value_format=",.0f",
            horizontal=True,
        ),
        alt=t("staff.trips.by_destination_alt", year=current),
    )
st.caption(
    t(
        "staff.trips.caption",
        reference=reference,
        current=current,
        t_reference=tonnes(trips.loc[trips["year"] == reference, "kg_co2e"].sum()),
        t_current=tonnes(trips.loc[trips["year"] == current, "kg_co2e"].sum()),
    )
)
