"""Overview: what a manager opens first. The two years, the change and why, in plain words."""

import pandas as pd
import streamlit as st

from calc import model, scenario
from calc.schema import STAFF_GROUP, Activity, Mode
from ui import charts, compute, db, filters
from ui.i18n import number, percent, t, tonnes


@st.cache_data(show_spinner=False, max_entries=64)
def load_comparison(
    version: str,
    factor_fingerprint: str,
    offices: tuple[str, ...],
    groups: tuple[str, ...],
    reference: int,
    current: int,
    rebound_share: float,
    _rows: pd.DataFrame,
) -> model.Comparison:
    # The decomposition takes about half a second: do it once per data, factors and filters.
    del version, factor_fingerprint, offices, groups  # cache keys: they decide _rows
    return model.compare(_rows, reference, current, rebound_share)


def range_caption(kg_range: tuple[float, float], signed: bool = False) -> str:
    fmt = charts.signed_tonnes if signed else tonnes
    return t("overview.metric.range", low=fmt(kg_range[0]), high=fmt(kg_range[1]))


reference, current = filters.reference_year(), filters.current_year()
factors = compute.factors()
rows = filters.apply(compute.rows())
country = scenario.main_country(compute.cube())
rebound_share = factors.value("rebound_share")

st.title(t("overview.title"))
st.caption(t("overview.intro"))

if rows.empty:
    st.info(t("overview.empty"), icon=":material/filter_alt_off:")
    st.stop()

comparison = load_comparison(
    db.dataset_version(),
    factors.fingerprint(),
    tuple(filters.selected_offices()),
    tuple(filters.selected_groups()),
    reference,
    current,
    rebound_share,
    rows,
)
change_share = (
    comparison.difference_kg / comparison.reference_kg if comparison.reference_kg else 0.0
)

# -- headline figures --------------------------------------------------------------------------
reference_col, current_col, difference_col, avoided_col = st.columns(4, border=True)
with reference_col:
    st.metric(
        t("overview.metric.reference", year=reference),
        tonnes(comparison.reference_kg),
        help=t("overview.help.total"),
    )
    st.caption(range_caption(comparison.reference_kg_range))
with current_col:
    st.metric(
        t("overview.metric.current", year=current),
        tonnes(comparison.current_kg),
        help=t("overview.help.total"),
    )
    st.caption(range_caption(comparison.current_kg_range))
with difference_col:
    st.metric(
        t("overview.metric.difference", reference=reference, current=current),
        charts.signed_tonnes(comparison.difference_kg),
        help=t("overview.help.difference", percent=percent(change_share)),
    )
    st.caption(range_caption(comparison.difference_kg_range, signed=True))
with avoided_col:
    st.metric(
        t("overview.metric.avoided"),
        tonnes(comparison.avoided_by_channels_kg),
        help=t(
            "overview.help.avoided",
            reference=reference,
            current=current,
            rebound=percent(rebound_share),
        ),
    )
    st.caption(range_caption(comparison.avoided_by_channels_kg_range))

if round(comparison.difference_kg / 1000, 1) == 0:
    summary_key = "overview.summary.same"
elif comparison.difference_kg < 0:
    summary_key = "overview.summary.down"
else:
    summary_key = "overview.summary.up"
st.markdown(
    t(
        summary_key,
        reference=reference,
        current=current,
        change=tonnes(abs(comparison.difference_kg)),
        percent=percent(abs(change_share)),
        avoided=tonnes(comparison.avoided_by_channels_kg),
    )
)

# -- why it changed, and who emits -------------------------------------------------------------
why_col, split_col = st.columns([3, 2], gap="large")
with why_col:
    st.subheader(t("overview.why.title"))
    steps = charts.waterfall_frame(
        comparison,
        {
            "reference": str(reference),
            "activity": t("overview.step.activity"),
            "channel_mix": t("overview.step.channel_mix"),
            "intensity": t("overview.step.intensity"),
            "current": str(current),
        },
    )
    st.altair_chart(
        charts.waterfall(steps),
        alt=t("overview.why.alt", reference=reference, current=current),
    )
    st.caption(t("overview.why.caption"))

with split_col:
    st.subheader(t("overview.split.title"))
    clients_label, staff_label = t("overview.split.clients"), t("group.staff")
    two_years = rows[rows["year"].isin([reference, current])]
    is_staff = two_years["group"] == STAFF_GROUP
    split = (
        two_years.assign(who=is_staff.map({True: staff_label, False: clients_label}))
        .groupby(["year", "who"], as_index=False)["kg_co2e"]
        .sum()
    )
    split = split.assign(year=split["year"].astype(str), t_co2e=split["kg_co2e"] / 1000)
    st.altair_chart(
        charts.stacked_bar(
            split,
            "year",
            "t_co2e",
            "who",
            value_title=t("unit.t"),
            category_order=[str(reference), str(current)],
            stack_order=[clients_label, staff_label],
        ),
        alt=t("overview.split.alt", reference=reference, current=current),
    )
    kg_of = split.set_index(["year", "who"])["kg_co2e"]
    st.caption(
        t(
            "overview.split.caption",
            reference=reference,
            current=current,
            clients_reference=tonnes(kg_of.get((str(reference), clients_label), 0.0)),
            clients_current=tonnes(kg_of.get((str(current), clients_label), 0.0)),
            staff_reference=tonnes(kg_of.get((str(reference), staff_label), 0.0)),
            staff_current=tonnes(kg_of.get((str(current), staff_label), 0.0)),
        )
    )

# -- in plain words ----------------------------------------------------------------------------
equivalents_col, saved_col = st.columns(2, gap="large")
with equivalents_col:
    st.subheader(t("overview.equivalents.title"))
    change_kg = abs(comparison.difference_kg)
    if round(change_kg / 1000, 1) == 0:
        st.markdown(t("overview.equivalents.none"))
    else:
        direction = "reduction" if comparison.difference_kg < 0 else "increase"
        st.markdown(t(f"overview.equivalents.{direction}", change=tonnes(change_kg)))
        for text_key, factor_key in (
            ("car", "ef_car_ice_kg_per_vkm"),
            ("trees", "tree_uptake_kg_per_year"),
            ("flights", "flight_vie_lhr_return_kg"),
        ):
            factor = factors.factor(factor_key, country, current)
            with st.container(border=True):
                st.markdown(
                    t(f"overview.equivalents.{text_key}", amount=number(change_kg / factor.value))
                )
                st.caption(t("overview.equivalents.source", source=factor.source))

with saved_col:
    st.subheader(t("overview.saved.title"))
    visits = rows[
        (rows["activity"] == Activity.IN_PERSON.value) & rows["year"].isin([reference, current])
    ]
    km_by_year = visits.groupby("year")["km"].sum()
    car_km_by_year = visits[visits["mode"] == Mode.CAR.value].groupby("year")["km"].sum()
    km_saved = km_by_year.get(reference, 0.0) - km_by_year.get(current, 0.0)
    car_km_saved = car_km_by_year.get(reference, 0.0) - car_km_by_year.get(current, 0.0)
    speed = factors.factor("door_to_door_speed_km_per_h", country, current)
    allowance = factors.factor("mileage_allowance_eur_per_km", country, current)
    st.markdown(
        t(
            "overview.saved.less" if km_saved >= 0 else "overview.saved.more",
            km=number(abs(km_saved)),
            reference=reference,
            current=current,
        )
    )
    hours_col, money_col = st.columns(2)
    hours_col.metric(
        t("overview.saved.hours"), t("overview.hours", hours=number(km_saved / speed.value))
    )
    money_col.metric(
        t("overview.saved.money"),
        t("overview.money", amount=number(car_km_saved * allowance.value)),
    )
    st.caption(
        t(
            "overview.saved.caption",
            speed=number(speed.value, 1),
            car_km=number(car_km_saved),
            allowance=t("overview.money", amount=number(allowance.value, 2)),
            speed_source=speed.source,
            allowance_source=allowance.source,
        )
    )
