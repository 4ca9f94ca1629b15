"""Staff & home office: commuting, home-office days and their net balance, business trips."""

import pandas as pd
import streamlit as st

from calc import privacy, staff_travel, units
from calc.schema import STAFF_GROUP, Activity, Mode
from ui import cached_views, charts, compute, db, filters, tables
from ui import frame as _frame
from ui.i18n import number, percent, t, tonnes

_frame.require()  # first request after a start: rerun through app.py

KG_DECIMALS = 2


def mode_label(mode: str) -> str:
    text = t(f"mode.{mode}")
    return mode if text == f"mode.{mode}" else text


def mode_bars(frame: pd.DataFrame, category: str, value: str, **options) -> charts.AltairChart:
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

# -- commuting by mode -----------------------------------------------------------------------
st.header(t("staff.commute.title"))
by_mode = staff_travel.commute_by_mode(staff)
by_mode = by_mode.assign(
    year_label=by_mode["year"].astype(str), t_co2e=by_mode["kg_co2e"] / units.KG_PER_T
)
chart_col, table_col = st.columns(2, gap="large")
with chart_col:
    commute = by_mode.assign(mode_label=by_mode["mode"].map(mode_label))
    charts.show(
        mode_bars(by_mode, "year_label", "t_co2e", value_title=t("unit.t")),
        commute,
        text=charts.summary(commute, "year_label", "t_co2e", what=t("staff.commute.alt"), unit="t"),
        columns={
            "year_label": t("staff.col.year"),
            "mode_label": t("staff.col.mode"),
            "t_co2e": t("staff.col.t_co2e"),
        },
        decimals={"t_co2e": 1},
    )
with table_col:
    two_years = by_mode[by_mode["year"].isin([reference, current])].sort_values(
        ["year", "kg_co2e"], ascending=[True, False]
    )
    tables.dataframe(
        pd.DataFrame(
            {
                t("staff.col.year"): two_years["year_label"],
                t("staff.col.mode"): two_years["mode"].map(mode_label),
                t("staff.col.days"): two_years["count"],
                t("staff.col.km"): two_years["km"],
                t("staff.col.t_co2e"): two_years["t_co2e"],
            }
        ),
        {t("staff.col.days"): 0, t("staff.col.km"): 0, t("staff.col.t_co2e"): 1},
        hide_index=True,
        alt=t("staff.commute.table_alt", reference=reference, current=current),
    )
    st.caption(t("staff.commute.caption"))

# -- home-office days ------------------------------------------------------------------------
st.header(t("staff.days.title"))
office_days_label, home_days_label = t("staff.days.office"), t("activity.homeoffice")
days = staff_travel.days_per_year(staff)
kinds = {Activity.COMMUTE.value: office_days_label, Activity.HOMEOFFICE.value: home_days_label}
days = days.assign(kind=days["activity"].map(kinds)).drop(columns="activity")
days = days.assign(year_label=days["year"].astype(str))
charts.show(
    charts.stacked_bar(
        days,
        "year_label",
        "count",
        "kind",
        value_title=t("staff.days.axis"),
        stack_order=[office_days_label, home_days_label],
        value_format=",.0f",
    ),
    days,
    text=charts.summary(
        days, ["year_label", "kind"], "count", what=t("staff.days.alt"), unit="number"
    ),
    columns={
        "year_label": t("staff.col.year"),
        "kind": t("chart.day_kind"),
        "count": t("staff.days.axis"),
    },
    decimals={"count": 0},
)
st.caption(
    t(
        "staff.days.caption",
        reference=reference,
        current=current,
        share_reference=percent(staff_travel.homeoffice_share(staff, reference)),
        share_current=percent(staff_travel.homeoffice_share(staff, current)),
    )
)

# -- net balance of a home-office day --------------------------------------------------------
st.header(t("staff.balance.title", year=current))
balance = staff_travel.homeoffice_balance(staff, offices, compute.factors(), current)
# A day's balance of one office rests on its staff alone: small offices are left out.
min_staff = privacy.min_people_per_cell()
hidden = privacy.offices_not_shown_alone(
    staff[staff["year"] == current], compute.people_counts(), min_staff
)
left_out = bool(hidden & set(balance["office_id"]))
balance = balance[~balance["office_id"].isin(hidden)]
balance = balance.assign(office=balance["office_id"].map(names))
balance = balance[["office", "saved_kg", "added_kg", "net_kg"]]
balance = balance.round(KG_DECIMALS)
if balance.empty and left_out:
    st.info(t("staff.privacy.left_out", n=min_staff), icon=":material/shield_person:")
elif balance.empty:
    st.info(t("staff.balance.none", year=current), icon=":material/event_busy:")
else:
    saves, costs = t("staff.balance.saves"), t("staff.balance.costs")
    chart_col, text_col = st.columns([3, 2], gap="large")
    with chart_col:
        charts.show(
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
            balance,
            text=charts.summary(
                balance,
                "office",
                "net_kg",
                what=t("staff.balance.alt", year=current),
                unit="kg",
                decimals=KG_DECIMALS,
            ),
            table=False,  # the table of the balance follows
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
    kg_columns = {t(f"staff.col.{c}"): KG_DECIMALS for c in ("saved_kg", "added_kg", "net_kg")}
    tables.dataframe(
        balance.rename(
            columns={
                "office": t("staff.col.office"),
                "saved_kg": t("staff.col.saved_kg"),
                "added_kg": t("staff.col.added_kg"),
                "net_kg": t("staff.col.net_kg"),
            }
        ),
        kg_columns,
        hide_index=True,
        alt=t("staff.balance.table_alt", year=current),
    )
    if left_out:
        st.caption(t("staff.privacy.left_out", n=min_staff))

# -- business trips --------------------------------------------------------------------------
st.header(t("staff.trips.title"))
trip_modes = staff_travel.trips_by_mode(staff)
trip_modes = trip_modes.assign(
    year_label=trip_modes["year"].astype(str), t_co2e=trip_modes["kg_co2e"] / units.KG_PER_T
)
destinations = staff_travel.trip_destinations(
    cached_views.trips(db.cursor()), current, set(staff["office_id"])
)
destinations = destinations.assign(
    place=destinations["destination"].map(lambda place: names.get(place, place))
)
modes_col, places_col = st.columns(2, gap="large")
with modes_col:
    st.markdown(t("staff.trips.by_mode"))
    trips = trip_modes.assign(mode_label=trip_modes["mode"].map(mode_label))
    charts.show(
        mode_bars(trip_modes, "year_label", "t_co2e", value_title=t("unit.t")),
        trips,
        text=charts.summary(
            trips, "year_label", "t_co2e", what=t("staff.trips.by_mode_alt"), unit="t"
        ),
        columns={
            "year_label": t("staff.col.year"),
            "mode_label": t("staff.col.mode"),
            "t_co2e": t("staff.col.t_co2e"),
        },
        decimals={"t_co2e": 1},
    )
with places_col:
    st.markdown(t("staff.trips.by_destination", year=current))
    place_order = (
        destinations.groupby("place")["trips"].sum().sort_values(ascending=False).index.tolist()
    )
    places = destinations.assign(mode_label=destinations["mode"].map(mode_label))
    charts.show(
        mode_bars(
            destinations,
            "place",
            "trips",
            value_title=t("staff.trips.axis"),
            category_order=place_order,
            value_format=",.0f",
            horizontal=True,
        ),
        places,
        text=charts.summary(
            places,
            "place",
            "trips",
            what=t("staff.trips.by_destination_alt", year=current),
            unit="number",
        ),
        columns={
            "place": t("chart.destination"),
            "mode_label": t("staff.col.mode"),
            "trips": t("staff.trips.axis"),
        },
        decimals={"trips": 0},
    )
trip_kg = staff_travel.trip_kg_per_year(staff)
st.caption(
    t(
        "staff.trips.caption",
        reference=reference,
        current=current,
        t_reference=tonnes(trip_kg.get(reference, 0.0)),
        t_current=tonnes(trip_kg.get(current, 0.0)),
    )
)
