"""What-if scenarios: move the levers and see at once what changes; save, compare and share.

The levers and their results sit in one fragment: a slider move reruns only that fragment and
costs at most one calc.scenario.apply on the cube cached for this data set (no SQL, no file, no
geocoding; ui.compute keeps each scenario's result, so a lever moved back costs nothing).
Saved scenarios (DuckDB) are read below the fragment, on full runs only. Every lever is bound
to the URL, so a copied link reproduces the scenario.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.scriptrunner import get_script_run_ctx

from calc import locale, saved
from calc.factors import FactorSet
from calc.model import Cube
from calc.roles import Role, RoleError
from calc.scenario import (
    Scenario,
    ScenarioError,
    ScenarioResult,
    homeoffice_days_per_week,
    main_country,
    working_days_per_week,
)
from calc.units import KG_PER_T
from ui import access, charts, compute, db, sliders, tables
from ui import frame as _frame
from ui import scenario_state as state
from ui.backup import backup_and_restore
from ui.filters import group_label
from ui.i18n import language, number, percent, t, tonnes
from ui.plain import plain

_frame.require()  # first request after a start: rerun through app.py

NAME_KEY = "scenario_name"
PICK_KEY = "scenario_pick"
COMPARE_KEY = "scenario_compare"
UPLOAD_KEY = "scenario_upload"
FLASH_KEY = "scenarios_flash"  # session: (kind, text) a callback leaves for the next run
MAX_COMPARED = 4
SERIES_COLORS = ["#8A9590", "#0B6E4F"]  # base year grey, scenario the theme's green


def context(cube: Cube, factors: FactorSet, year: int | None = None) -> state.Context:
    years = tuple(cube.years)
    chosen = state.base_year(years) if year is None else year
    return state.Context(
        years=years,
        offices=tuple(cube.offices["office_id"]),
        groups=tuple(sorted(cube.clients["group"].unique())),
        defaults=state.assumption_defaults(factors, main_country(cube), chosen),
        days_per_week=working_days_per_week(factors),
    )


def office_names(cube: Cube) -> dict[str, str]:
    return dict(zip(cube.offices["office_id"], cube.offices["name"], strict=True))


# -- levers ----------------------------------------------------------------------------------


def share_sliders(
    keys: list[str], labels: list[str], helps: list[str] | None = None, side_by_side: bool = False
) -> None:
    """Percent sliders of one set whose shares may not add up past 100 %."""
    places = st.columns(len(keys)) if side_by_side else [st.container() for _ in keys]
    help_texts: list[str | None] = [*helps] if helps else [None] * len(keys)
    for place, key, label, help_text in zip(places, keys, labels, help_texts, strict=True):
        place.slider(
            label,
            min_value=0,
            max_value=100,
            value=0,
            step=1,
            format=sliders.percent_pattern(),
            key=key,
            help=help_text,
            on_change=state.cap_shares,
            args=(keys, key),
            bind="query-params",
        )


def channel_levers(cube: Cube, ctx: state.Context) -> None:
    labels = [t(f"scenarios.channel.{c}") for c in state.CHANNELS]
    with st.container(border=True):
        st.markdown(f"**:material/devices: {t('scenarios.channels')}**")
        st.caption(t("scenarios.channels.help"))
        helps = [t("scenarios.channel.help", channel=t(f"activity.{c}")) for c in state.CHANNELS]
        share_sliders(list(state.CHANNELS), labels, helps)
        names = office_names(cube)
        own: dict[str, tuple[Sequence[str], Callable[[str], str]]] = {
            "office": (ctx.offices, lambda office: names.get(office, office)),
            "group": (ctx.groups, group_label),
        }
        with_own = []
        for kind, (ids, label) in own.items():
            with st.expander(t(f"scenarios.per_{kind}"), icon=":material/tune:"):
                st.caption(t(f"scenarios.per_{kind}.help"))
                for name in ids:
                    where = {kind: name}
                    if st.toggle(
                        plain(label(name)),
                        key=state.key_for(state.OWN, **where),
                        bind="query-params",
                    ):
                        with_own.append(plain(label(name)))
                        keys = [state.key_for(c, **where) for c in state.CHANNELS]
                        share_sliders(keys, labels, side_by_side=True)
        if with_own:
            # The expanders stay closed when a link opens the page: say what is inside.
            st.caption(t("scenarios.per.on", names=", ".join(with_own)))


def staff_levers(cube: Cube, factors: FactorSet, ctx: state.Context, year: int) -> None:
    with st.container(border=True):
        st.markdown(f"**:material/home_work: {t('scenarios.staff')}**")
        st.caption(t("scenarios.staff.help"))
        if not st.toggle(
            t("scenarios.home.change"),
            key=state.HOME,
            bind="query-params",
            help=t("scenarios.home.change.help"),
        ):
            days = homeoffice_days_per_week(cube, factors, year)
            st.caption(t("scenarios.home.as_base", year=year, days=number(days, 1)))
            return
        # Half days: "2,5" in German, so a slider of the language's numbers (ui.sliders).
        sliders.number_slider(
            t("scenarios.home.days"),
            key=state.HOME_DAYS,
            low=0.0,
            high=ctx.days_per_week,
            step=state.HOME_DAYS_STEP,
            default=state.HOME_DAYS_DEFAULT,
            decimals=1,
            help=t("scenarios.home.days.help"),
        )
        st.slider(
            t("scenarios.home.share"),
            min_value=0,
            max_value=100,
            value=state.HOME_SHARE_DEFAULT,
            step=5,
            format=sliders.percent_pattern(),
            key=state.HOME_SHARE,
            help=t("scenarios.home.share.help"),
            bind="query-params",
        )


def mobility_levers(cube: Cube, ctx: state.Context, year: int) -> None:
    with st.container(border=True):
        st.markdown(f"**:material/directions_bus: {t('scenarios.mobility')}**")
        st.caption(t("scenarios.mobility.help"))
        modes = [state.TO_PT, state.TO_BIKE]
        share_sliders(
            modes,
            [t(f"scenarios.{key}") for key in modes],
            [t(f"scenarios.{key}.help") for key in modes],
        )
        state.remember_defaults(ctx.defaults)
        defaults = ctx.defaults
        if not st.toggle(
            t("scenarios.fleet.change"),
            key=state.FLEET,
            bind="query-params",
            help=t("scenarios.fleet.change.help"),
        ):
            st.caption(
                t(
                    "scenarios.fleet.as_factors",
                    country=main_country(cube),
                    year=year,
                    ev=percent(defaults["ev"] / 100, 1),
                    grid=number(defaults["grid"], 3),
                    detour=number(defaults["detour"], 2),
                    occupancy=number(defaults["occupancy"], 2),
                )
            )
            return
        for key, lever in state.ASSUMPTIONS.items():
            sliders.number_slider(
                t(f"scenarios.{key}"),
                key=key,
                low=lever.low,
                high=lever.high,
                step=lever.step,
                default=min(max(defaults[key], lever.low), lever.high),
                decimals=lever.decimals,
                as_percent=lever.as_percent,
                help=t(f"scenarios.{key}.help", value=number(defaults[key], 3)),
            )


# -- results ---------------------------------------------------------------------------------


def metrics(result: ScenarioResult, year: int) -> DeltaGenerator:
    """The scenario's central figures; returns the place for the interval under the first
    row (drawn when the simulation's draws are done: interval)."""
    base_kg, scenario_kg = result.base_kg, result.scenario_kg
    with st.container(horizontal=True):
        # A negative saving is said in words: the scenario adds emissions.
        st.metric(
            t("scenarios.metric.saved" if result.saved_kg >= 0 else "scenarios.metric.added"),
            tonnes(abs(result.saved_kg)),
            delta=t(
                "scenarios.metric.saved.delta", share=percent(share_of(result.saved_kg, base_kg))
            ),
            delta_arrow="off" if round(result.saved_kg) == 0 else "auto",
            delta_color="normal" if result.saved_kg >= 0 else "inverse",
            help=t("scenarios.metric.saved.help"),
            border=True,
        )
        st.metric(
            t("scenarios.metric.total"),
            tonnes(scenario_kg),
            help=t("scenarios.metric.total.help", year=year, base=tonnes(base_kg)),
            border=True,
        )
    interval_place = st.container()
    if result.saved_net_of_rebound_kg != result.saved_kg:
        st.caption(t("scenarios.rebound", value=tonnes(result.saved_net_of_rebound_kg)))
    with st.container(horizontal=True):
        st.metric(t("scenarios.metric.visits"), number(result.visits_avoided), border=True)
        st.metric(t("scenarios.metric.km"), number(result.client_km_saved), border=True)
        st.metric(t("scenarios.metric.hours"), number(result.client_hours_saved), border=True)
        st.metric(
            t("scenarios.metric.money"),
            number(result.client_money_saved_eur),
            help=t("scenarios.metric.money.help"),
            border=True,
        )
    return interval_place


def interval(result: ScenarioResult) -> None:
    low_kg, high_kg = result.saved_kg_range
    st.caption(t("scenarios.range", low=tonnes(low_kg), high=tonnes(high_kg)))


def share_of(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def homeoffice_note(result: ScenarioResult) -> None:
    if result.scenario.homeoffice_days_per_week is None:
        st.caption(t("scenarios.home.none"))
        return
    texts = {
        "commute": tonnes(abs(result.homeoffice_commute_saved_kg)),
        "energy": tonnes(abs(result.homeoffice_energy_added_kg)),
        "net": tonnes(abs(result.homeoffice_net_kg)),
    }
    if result.homeoffice_net_kg >= 0:
        st.success(t("scenarios.home.net_saving", **texts), icon=":material/home_work:")
    else:
        st.warning(t("scenarios.home.net_cost", **texts), icon=":material/warning:")


def comparison_table(result: ScenarioResult, key: str, label) -> pd.DataFrame:
    """Base, scenario and saved t CO2e per value of one result column, largest base first."""
    table = result.by(key).sort_values("base_kg", ascending=False)
    return pd.DataFrame(
        {
            t(f"scenarios.col.{key}"): [label(value) for value in table[key]],
            t("scenarios.col.base"): table["base_kg"].to_numpy() / KG_PER_T,
            t("scenarios.col.scenario"): table["scenario_kg"].to_numpy() / KG_PER_T,
            t("scenarios.col.saved"): table["saved_kg"].to_numpy() / KG_PER_T,
        }
    )


def breakdown(cube: Cube, result: ScenarioResult) -> None:
    names = office_names(cube)
    per_office = comparison_table(result, "office_id", lambda o: names.get(o, o))
    st.markdown(f"**{t('scenarios.chart.title')}**")
    office_chart(per_office)
    views = {
        "office": per_office,
        "channel": comparison_table(result, "activity", lambda a: t(f"activity.{a}")),
    }
    tabs = st.tabs([t(f"scenarios.table.{kind}") for kind in views])
    for tab, table in zip(tabs, views.values(), strict=True):
        with tab:
            tables.dataframe(
                table,
                dict.fromkeys(table.columns[1:], 1),
                hide_index=True,
                alt=t("scenarios.table.alt"),
            )


def office_chart(per_office: pd.DataFrame) -> None:
    """Grouped bars, base year and scenario, per office (largest first).

    A plain Vega-Lite spec: building it through Altair (as st.bar_chart does) costs the
    fragment tens of milliseconds of schema validation on every slider move.
    """
    office = t("scenarios.col.office_id")
    series = {t("scenarios.col.base"): t("scenarios.chart.base")}
    series[t("scenarios.col.scenario")] = t("scenarios.chart.scenario")
    bars = per_office.melt(id_vars=office, value_vars=list(series), var_name="series")
    bars = bars.assign(series=bars["series"].map(series))
    unit = t("unit.t")
    spec = {
        "mark": {"type": "bar"},
        "encoding": {
            "y": {
                "field": office,
                "type": "nominal",
                "sort": None,
                "title": None,
                "axis": {"labelLimit": 220},
            },
            "yOffset": {"field": "series", "sort": list(series.values())},
            "x": {"field": "value", "type": "quantitative", "title": unit},
            "color": {
                "field": "series",
                "title": None,
                "scale": {"domain": list(series.values()), "range": SERIES_COLORS},
                "legend": {"orient": "bottom"},
            },
            "tooltip": [
                {"field": office, "type": "nominal"},
                {"field": "series", "type": "nominal", "title": " "},
                {"field": "value", "type": "quantitative", "title": unit, "format": ",.1f"},
            ],
        },
        # Tooltips and axis in the session's language (1.234,5 in German).
        "config": {"locale": {"number": locale.d3_number_locale(language())}},
    }
    # Its text alternative: the summary sentence (the table of the same numbers follows).
    text = charts.summary(
        bars, [office, "series"], "value", what=t("scenarios.chart.alt"), unit="t"
    )
    st.vega_lite_chart(bars, spec, alt=text)
    st.caption(plain(text))


RESULTS_FIRST_KEY = "scenarios_results_first"  # session: the scenario drawn before its levers


def fragment_rerun() -> bool:
    """Whether this run is the workbench fragment's own (a lever moved), not a full run."""
    ctx = get_script_run_ctx()
    return bool(ctx and ctx.fragment_ids_this_run)


def results(cube: Cube, factors: FactorSet, years: list[int]) -> tuple[int, Scenario] | None:
    """Metrics, note and breakdown of the scenario the levers' state holds; the year and the
    scenario drawn (None when the levers ask for an impossible one)."""
    year = state.base_year(years)
    try:
        current, scaled = state.scenario(context(cube, factors, year))
        # The central figures first, about a hundredth of the work: they are shown while
        # the simulation's draws for the interval and the tables run. Both are cached per
        # data set, factor set and scenario (ui.compute): a lever moved back to a value it
        # had costs no recompute.
        figures = compute.scenario_central(current)
    except ScenarioError as exc:
        st.error(t("scenarios.invalid", error=plain(exc)), icon=":material/error:")
        return None
    if scaled:
        st.warning(t("scenarios.capped"), icon=":material/percent:")
    interval_place = metrics(figures, year)
    result = compute.scenario_result(current)
    with interval_place:
        interval(result)
    homeoffice_note(result)
    breakdown(cube, result)
    return year, current


@st.fragment
def workbench(cube: Cube, factors: FactorSet) -> None:
    """The levers and what they change; reruns alone on every lever move.

    On a lever's rerun the results are drawn before the levers: the browser shows the new
    figures without first redrawing some forty levers (slider -> figure 0.42 -> 0.27 s in
    bench_browser). Their state is complete then, the levers having been drawn in the run
    before; should drawing them change it (a new base year resets the assumptions to its
    defaults), the fragment runs once more. A full run draws the levers first: a link's
    values reach the state only as its widgets are drawn.
    """
    years = list(cube.years)
    levers, results_column = st.columns([2, 3], gap="large")
    drawn = None
    first = fragment_rerun() and not st.session_state.pop(RESULTS_FIRST_KEY, False)
    if first:
        with results_column:
            drawn = results(cube, factors, years)
    with levers:
        st.selectbox(
            t("scenarios.base_year"),
            years,
            index=len(years) - 1,
            key=state.BASE,
            bind="query-params",
            on_change=state.base_year_changed,
            help=t("scenarios.base_year.help"),
        )
        year = state.base_year(years)
        ctx = context(cube, factors, year)
        channel_levers(cube, ctx)
        staff_levers(cube, factors, ctx, year)
        mobility_levers(cube, ctx, year)
    if not first:
        with results_column:
            results(cube, factors, years)
        return
    try:
        now = (year, state.scenario(ctx)[0])
    except ScenarioError:
        now = None
    if now != drawn:
        # Once only: the next run draws the levers first, so it cannot loop.
        st.session_state[RESULTS_FIRST_KEY] = True
        st.rerun(scope="fragment")


# -- saved scenarios -------------------------------------------------------------------------


def flash(kind: str, text: str) -> None:
    st.session_state[FLASH_KEY] = (kind, text)


def show_flash() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        kind, text = message
        {"success": st.success, "warning": st.warning, "error": st.error}[kind](text)


def on_save(cube: Cube, factors: FactorSet) -> None:
    try:
        current, _ = state.scenario(context(cube, factors))
        name = saved.save(
            db.cursor(), st.session_state.get(NAME_KEY, ""), current, role=access.role()
        )
    except ScenarioError as exc:
        flash("error", t("scenarios.save.failed", error=plain(exc)))
        return
    except RoleError as error:
        flash("error", access.refused(error))
        return
    st.session_state[PICK_KEY] = name
    flash("success", t("scenarios.save.done", name=plain(name)))


def on_load(cube: Cube, factors: FactorSet) -> None:
    name = st.session_state.get(PICK_KEY)
    if name is None:  # the button is disabled then
        return
    try:
        loaded = saved.load(db.cursor(), name)
    except (KeyError, ScenarioError) as exc:
        flash("error", t("scenarios.load.failed", error=plain(exc)))
        return
    if loaded.base_year not in cube.years:
        flash("error", t("scenarios.load.missing_year", name=plain(name), year=loaded.base_year))
        return
    clamped = state.show(loaded, context(cube, factors, loaded.base_year))
    if clamped:
        flash("warning", t("scenarios.load.clamped", name=plain(name)))
    else:
        flash("success", t("scenarios.load.done", name=plain(name)))


def on_delete() -> None:
    name = st.session_state.get(PICK_KEY)
    if name is None:  # the button is disabled then
        return
    try:
        saved.delete(db.cursor(), name, role=access.role())
    except RoleError as error:
        flash("error", access.refused(error))
        return
    st.session_state[PICK_KEY] = None
    st.session_state[COMPARE_KEY] = [
        n for n in st.session_state.get(COMPARE_KEY) or [] if n != name
    ]
    flash("success", t("scenarios.delete.done", name=plain(name)))


def on_import() -> None:
    upload = st.session_state.get(UPLOAD_KEY)
    if upload is None:
        flash("error", t("scenarios.import.none"))
        return
    try:
        scenarios = saved.import_json(upload.getvalue(), default_name=Path(upload.name).stem)
    except ScenarioError as exc:
        flash("error", t("scenarios.import.failed", error=plain(exc)))
        return
    con = db.cursor()
    try:
        for name, scenario in scenarios.items():
            saved.save(con, name, scenario, role=access.role())
    except RoleError as error:
        flash("error", access.refused(error))
        return
    flash("success", t("scenarios.import.done", names=", ".join(map(plain, scenarios))))


def comparison(cube: Cube, factors: FactorSet, chosen: list[str]) -> pd.DataFrame:
    """One column per saved scenario, one row per headline figure."""
    rows = [
        "base_year",
        "saved",
        "range",
        "total",
        "visits",
        "km",
        "hours",
        "money",
        "home",
    ]
    columns = {}
    for name in chosen:
        try:
            result = compute.scenario_result(saved.load(db.cursor(), name))
        except (KeyError, ScenarioError) as exc:
            columns[name] = [str(exc)] + [""] * (len(rows) - 1)
            continue
        low_kg, high_kg = result.saved_kg_range
        columns[name] = [
            str(result.scenario.base_year),
            tonnes(result.saved_kg),
            f"{tonnes(low_kg)} – {tonnes(high_kg)}",
            tonnes(result.scenario_kg),
            number(result.visits_avoided),
            number(result.client_km_saved),
            number(result.client_hours_saved),
            number(result.client_money_saved_eur),
            "–"
            if result.scenario.homeoffice_days_per_week is None
            else tonnes(result.homeoffice_net_kg),
        ]
    return pd.DataFrame(columns, index=[t(f"scenarios.row.{row}") for row in rows])


def library(cube: Cube, factors: FactorSet) -> None:
    con = db.cursor()
    st.header(t("scenarios.library"))
    st.caption(t("scenarios.library.help"))
    show_flash()
    names = saved.names(con)
    may_edit = access.allows(Role.EDITOR)  # a viewer loads and compares, never saves
    needs_editor = None if may_edit else access.needs(Role.EDITOR)
    save_box, load_box = st.columns(2)
    with save_box.container(border=True):
        st.text_input(
            t("scenarios.save.name"),
            key=NAME_KEY,
            max_chars=saved.MAX_NAME_CHARS,
            placeholder=t("scenarios.save.placeholder"),
        )
        st.button(
            t("scenarios.save"),
            key="scenario_save",
            icon=":material/save:",
            type="primary",
            on_click=on_save,
            args=(cube, factors),
            disabled=not may_edit,
            help=needs_editor,
        )
    with load_box.container(border=True):
        if st.session_state.get(PICK_KEY) not in names:
            st.session_state[PICK_KEY] = None
        pick = st.selectbox(
            t("scenarios.pick"),
            names,
            index=None,
            key=PICK_KEY,
            placeholder=t("scenarios.pick.placeholder" if names else "scenarios.empty"),
        )
        with st.container(horizontal=True):
            st.button(
                t("scenarios.load"),
                key="scenario_load",
                icon=":material/upload:",
                disabled=pick is None,
                on_click=on_load,
                args=(cube, factors),
            )
            with st.popover(
                t("scenarios.delete"),
                icon=":material/delete:",
                disabled=pick is None or not may_edit,
                help=needs_editor,
            ):
                st.button(
                    t("scenarios.delete.confirm", name=plain(pick or "")),
                    key="scenario_delete",
                    on_click=on_delete,
                    disabled=not may_edit,
                )
    chosen = st.multiselect(
        t("scenarios.compare"),
        names,
        key=COMPARE_KEY,
        max_selections=MAX_COMPARED,
        placeholder=t("scenarios.compare.placeholder"),
    )
    if chosen:
        # st.table reads Markdown in its headers and cells: scenario names are escaped.
        st.table(comparison(cube, factors, chosen).rename(columns=plain).map(plain))
    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.download_button(
            t("scenarios.export"),
            data=saved.export_json({name: saved.load(con, name) for name in names}),
            file_name="wegbilanz-scenarios.json",
            mime="application/json",
            icon=":material/download:",
            disabled=not names,
            on_click="ignore",
        )
    st.file_uploader(t("scenarios.import"), type=["json"], key=UPLOAD_KEY, disabled=not may_edit)
    st.button(
        t("scenarios.import.button"),
        key="scenario_import",
        icon=":material/publish:",
        on_click=on_import,
        disabled=not may_edit,
        help=needs_editor,
    )
    backup_and_restore("scenarios")


st.title(t("scenarios.title"))
st.caption(t("scenarios.intro"))
active_cube = compute.cube()
active_factors = compute.factors()
workbench(active_cube, active_factors)
st.divider()
library(active_cube, active_factors)
