"""Workshop: a climate team's cycle diagnose → plan → act → anchor, one workspace per team.

Everything the team writes (actions, targets, notes) lives in DuckDB through calc.workshop,
so it survives a restart and a new data load.
"""

import datetime
from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from calc import locale, model, report, saved, scenario, units, workshop
from calc.roles import Role, RoleError
from calc.schema import Channel
from ui import access, charts, compute, db, filters, sliders
from ui import frame as _frame
from ui.backup import backup_and_restore
from ui.i18n import language, number, percent, t, tonnes
from ui.plain import plain
from ui.vote_panel import workshop_vote_export, workshop_votes

_frame.require()  # first request after a start: rerun through app.py

# Viewers read the workshop; editors write it. Every write below passes the role to calc,
# which refuses a lower one whatever the page shows (calc.roles).
may_edit = access.allows(Role.EDITOR)
needs_editor = None if may_edit else access.needs(Role.EDITOR)

SPACE_KEY = "team"  # the workspace, in the URL so a team can bookmark its own
STEP_KEY = "step"  # the stage of the cycle, kept while the session lasts
EDIT_KEY = "workshop_edit"  # the action open in the editor
NEW_NAME_KEY = "workshop_new_name"
MESSAGE_KEY = "workshop_message"  # (kind, text) shown once after a callback
CONFLICT_KEY = "workshop_conflict"  # the action as another session stored it, after a refusal
NEW_ACTION = 0  # the editor's choice for a new action: stored ids start at 1
EFFECT_SOURCES = ("scenario", "manual", "none")
HOTSPOTS_SHOWN = 12
STEP_ICONS = {
    "diagnose": ":material/troubleshoot:",
    "plan": ":material/edit_note:",
    "act": ":material/view_kanban:",
    "anchor": ":material/flag:",
}
STATUS_ICONS = {
    "planned": ":material/schedule:",
    "doing": ":material/autorenew:",
    "done": ":material/check_circle:",
}


def savings_of(names: list[str]) -> dict[str, workshop.Saving]:
    """The yearly saving of each saved scenario an action refers to; a scenario that cannot
    run on the loaded data (its base year is gone) is left out and shows as missing."""
    found = {}
    for name in names:
        try:
            result = compute.scenario_result(saved.load(con, name))
            found[name] = workshop.Saving(result.saved_kg, *result.saved_kg_range)
        except scenario.ScenarioError:
            continue
    return found


def error_text(error: workshop.WorkshopError) -> str:
    return t(f"workshop.error.{error.code}")


def say(kind: str, text: str) -> None:
    st.session_state[MESSAGE_KEY] = (kind, text)


# -- callbacks: they run before the page, so the page draws the state they leave ---------------


def create_space() -> None:
    try:
        space = workshop.create_workspace(
            con, st.session_state.get(NEW_NAME_KEY) or "", reference, role=access.role()
        )
    except workshop.WorkshopError as error:
        say("error", error_text(error))
        return
    except RoleError as error:
        say("error", access.refused(error))
        return
    st.session_state[SPACE_KEY] = space
    st.session_state[NEW_NAME_KEY] = ""
    say("success", t("workshop.space.created", space=plain(space)))


def field_key(name: str, action_id: int) -> str:
    return f"workshop_{name}_{action_id}"


FORM_FIELDS = ("title", "description", "owner", "deadline", "status", "effect", "note", "source")
# The stored field an editor's change conflict names, and the text of its column.
CONFLICT_LABELS = {
    "title": "workshop.col.title",
    "description": "workshop.col.description",
    "owner": "workshop.col.owner",
    "deadline": "workshop.col.deadline",
    "status": "workshop.col.status",
    "scenario": "workshop.col.scenario",
    "effect_t_per_year": "workshop.col.effect_t",
    "effect_note": "workshop.col.effect_note",
}


def base_key(action_id: int) -> str:
    """Session: the action as it was when its editor opened (the version a save starts from)."""
    return field_key("base", action_id)


def save_edited(action_id: int, overwrite: bool = False) -> None:
    def value(name: str) -> Any:
        return st.session_state.get(field_key(name, action_id))

    source = value("source")
    effect_t: float | None = None
    if source == "manual":
        # Typed as the page's language writes numbers ("12,5" in German); empty is none.
        typed = str(value("effect") or "").strip()
        try:
            effect_t = locale.parse_number(typed, language()) if typed else None
        except ValueError:
            say(
                "error",
                t(
                    "workshop.effect.not_a_number",
                    value=plain(typed),
                    **locale.examples(language()),
                ),
            )
            return
    base: workshop.Action | None = st.session_state.get(base_key(action_id))
    if overwrite:
        base = st.session_state.pop(CONFLICT_KEY, None)
    try:
        item = workshop.Action(
            title=value("title") or "",
            description=value("description") or "",
            owner=value("owner") or "",
            deadline=value("deadline"),
            status=value("status") or "planned",
            scenario=value("scenario") if source == "scenario" else None,
            effect_t_per_year=effect_t,
            effect_note=(value("note") or "") if source == "manual" else "",
            action_id=None if action_id == NEW_ACTION else action_id,
            row_version=base.row_version if base else 0,
        )
        saved_id = workshop.save_action(con, space, item, base=base, role=access.role())
    except RoleError as error:
        say("error", access.refused(error))
        return
    except workshop.ConflictError as conflict:
        st.session_state[CONFLICT_KEY] = conflict.current
        say("warning", t("workshop.conflict", changes=conflict_text(conflict.changes)))
        return
    except workshop.WorkshopError as error:
        say("error", error_text(error))
        return
    if action_id == NEW_ACTION:
        for name in ("title", "description", "owner", "deadline", "effect", "note"):
            st.session_state.pop(field_key(name, NEW_ACTION), None)
    st.session_state[EDIT_KEY] = saved_id
    st.session_state[base_key(saved_id)] = workshop.action(con, space, saved_id)
    say("success", t("workshop.plan.saved", title=plain(item.title)))


def conflict_text(changes: dict[str, object]) -> str:
    """What another person changed, in words: 'Owner: Ben; Status: doing'."""

    def shown(name: str, value: object) -> str:
        if name == "status":
            return t(f"workshop.status.{value}")
        if value is None or value == "":
            return "–"
        if isinstance(value, float):
            return number(value, 1)
        return plain(str(value))

    return "; ".join(
        f"{t(CONFLICT_LABELS[name])}: {shown(name, value)}" for name, value in changes.items()
    )


def reload_edited(action_id: int) -> None:
    """Drop this editor's unsaved input: it opens again on the action as stored now."""
    for name in (*FORM_FIELDS, "base"):
        st.session_state.pop(field_key(name, action_id), None)
    st.session_state.pop(CONFLICT_KEY, None)


def delete_edited(action_id: int) -> None:
    try:
        workshop.delete_action(con, space, action_id, role=access.role())
    except RoleError as error:
        say("error", access.refused(error))
        return
    st.session_state[EDIT_KEY] = NEW_ACTION
    say("success", t("workshop.plan.deleted"))


def open_in_editor(action_id: int) -> None:
    st.session_state[EDIT_KEY] = action_id
    st.session_state[STEP_KEY] = "plan"


def move(action_id: int) -> None:
    try:
        workshop.set_status(
            con,
            space,
            action_id,
            st.session_state[f"workshop_move_{action_id}"],
            role=access.role(),
        )
    except RoleError as error:
        say("error", access.refused(error))


def store_note(stage: str) -> None:
    try:
        workshop.save_note(
            con,
            space,
            stage,
            st.session_state[f"workshop_note_{space}_{stage}"],
            role=access.role(),
        )
    except RoleError as error:
        say("error", access.refused(error))


def store_base_year() -> None:
    try:
        workshop.set_base_year(
            con, space, st.session_state[f"workshop_base_{space}"], role=access.role()
        )
    except RoleError as error:
        say("error", access.refused(error))


def store_targets() -> None:
    edited = st.session_state[f"workshop_targets_{space}"]
    table = apply_edits(target_frame(), edited)
    try:
        workshop.save_targets(
            con,
            space,
            pd.DataFrame(
                {"year": table["year"], "reduction_share": table["reduction_percent"] / 100}
            ),
            role=access.role(),
        )
    except workshop.WorkshopError as error:
        say("error", error_text(error))
        return
    except RoleError as error:
        say("error", access.refused(error))
        return
    say("success", t("workshop.anchor.saved"))


def apply_edits(frame: pd.DataFrame, edits: dict) -> pd.DataFrame:
    """The table a st.data_editor shows after the edits in its session state."""
    table = frame.copy()
    for index, changes in edits.get("edited_rows", {}).items():
        for column, value in changes.items():
            table.loc[table.index[int(index)], column] = value
    table = table.drop(index=[table.index[int(i)] for i in edits.get("deleted_rows", [])])
    added = pd.DataFrame(edits.get("added_rows", []), columns=frame.columns)
    return pd.concat([table, added], ignore_index=True)


def target_frame() -> pd.DataFrame:
    stored = workshop.targets(con, space)
    return pd.DataFrame(
        {
            "year": stored["year"].astype("Int64"),
            "reduction_percent": stored["reduction_share"] * 100,
        }
    )


# -- labels ------------------------------------------------------------------------------------


def office_name(office_id: str) -> str:
    names = dict(
        zip(compute.cube().offices["office_id"], compute.cube().offices["name"], strict=True)
    )
    return names.get(office_id, office_id)


def hotspot_label(kind: str, item: str) -> str:
    if kind == "office":
        return office_name(item)
    if kind == "group":
        return filters.group_label(item)
    return t(f"activity.{item}")


def lever_key(kind: str, item: str) -> str:
    if kind == "channel":
        return "workshop.lever.in_person" if item == Channel.IN_PERSON else "workshop.lever.remote"
    if kind == "staff":
        return f"workshop.lever.{item}"
    return f"workshop.lever.{kind}"


def reading(row: Mapping[str, Any]) -> str:
    change = (
        t("workshop.reading.new")
        if pd.isna(row["change_share"])
        else t("workshop.reading.change", change=percent(row["change_share"]), reference=reference)
    )
    lever = t(lever_key(row["kind"], row["item"]))
    return t("workshop.reading", change=change, lever=lever)


# -- the page ----------------------------------------------------------------------------------

con = db.cursor()
workshop.ensure_tables(con)
factors = compute.factors()
reference, current = filters.reference_year(), filters.current_year()
rows = filters.apply(compute.rows())

st.title(t("workshop.title"))
st.caption(t("workshop.intro"))

spaces = workshop.workspaces(con)
with st.container(horizontal=True, vertical_alignment="bottom"):
    if spaces:
        st.selectbox(t("workshop.space"), spaces, key=SPACE_KEY, bind="query-params", width=320)
    # A first visit has nothing to choose: the form stands open instead of behind a button.
    creator = (
        st.popover(
            t("workshop.space.new"), icon=":material/add:", disabled=not may_edit, help=needs_editor
        )
        if spaces
        else st.container(border=True, width=420)
    )
    with creator:
        st.text_input(
            t("workshop.space.name"),
            key=NEW_NAME_KEY,
            max_chars=workshop.MAX_NAME_CHARS,
            disabled=not may_edit,
        )
        st.button(
            t("workshop.space.create"),
            key="workshop_create",
            type="primary",
            on_click=create_space,
            disabled=not may_edit,
            help=needs_editor,
        )
    export_slot = st.container(width="content")
    backup_and_restore("workshop")  # also on a first visit: a backup can bring the work back

if message := st.session_state.pop(MESSAGE_KEY, None):
    kind, text = message
    {"error": st.error, "warning": st.warning}.get(kind, st.success)(text)

chosen_space: str | None = st.session_state.get(SPACE_KEY) or (spaces[0] if spaces else None)
if chosen_space is None:
    st.info(t("workshop.space.none"), icon=":material/groups:")
    st.stop()
space: str = chosen_space
if rows.empty:
    st.info(t("workshop.empty"), icon=":material/filter_alt_off:")
    st.stop()

step = (
    st.segmented_control(
        t("workshop.step"),
        workshop.STAGES,
        format_func=lambda s: f"{STEP_ICONS[s]} {t(f'workshop.step.{s}')}",
        key=STEP_KEY,
        persist_state="session",
        required=True,
        label_visibility="collapsed",
    )
    or workshop.STAGES[0]
)
st.caption(t(f"workshop.step.{step}.help"))

scenario_names = saved.names(con)
stored = workshop.actions(con, space)
referenced = sorted(set(stored["scenario"].dropna()) & set(scenario_names))
plan = workshop.effects(stored, savings_of(referenced))
hotspots = workshop.hotspots(rows, reference, current)
base = workshop.base_year(con, space) or reference
progress = workshop.progress(model.totals(rows), base, current, workshop.targets(con, space), plan)


def effect_text(row: pd.Series) -> str:
    if row["effect_source"] == "missing":
        return t("workshop.effect.missing", scenario=row["scenario"])
    if row["effect_source"] == "none":
        return t("workshop.effect.none")
    return t("workshop.effect.per_year", effect=tonnes(row["effect_t"] * units.KG_PER_T))


# -- diagnose ----------------------------------------------------------------------------------
if step == "diagnose":
    st.header(t("workshop.diagnose.title", year=current))
    # One row per hotspot, so the reading is read in full rather than cut off in a table cell.
    for rank, row in enumerate(hotspots.head(HOTSPOTS_SHOWN).itertuples(index=False), start=1):
        with st.container(border=True, key=f"workshop_hotspot_{rank}"):
            what_col, share_col, reading_col = st.columns([3, 3, 6], vertical_alignment="center")
            what_col.markdown(f"**{rank}. {plain(hotspot_label(row.kind, row.item))}**")
            what_col.caption(t(f"workshop.kind.{row.kind}"))
            share_col.progress(
                min(max(row.share, 0.0), 1.0),
                text=f"{percent(row.share)} · {tonnes(row.kg_co2e)}",
            )
            reading_col.markdown(reading(row._asdict()))
    st.caption(t("workshop.diagnose.caption"))

# -- plan --------------------------------------------------------------------------------------
elif step == "plan":
    titles = dict(zip(plan["action_id"], plan["title"], strict=True))
    if st.session_state.get(EDIT_KEY) not in (NEW_ACTION, *titles):
        st.session_state[EDIT_KEY] = NEW_ACTION
    editing = st.selectbox(
        t("workshop.plan.choose"),
        [NEW_ACTION, *titles],
        format_func=lambda i: t("workshop.plan.new") if i == NEW_ACTION else titles[i],
        key=EDIT_KEY,
    )
    item = None if editing == NEW_ACTION else workshop.action(con, space, editing)
    if item is not None:
        st.session_state.setdefault(base_key(editing), item)
    with st.container(border=True):
        st.text_input(
            t("workshop.col.title"),
            value=item.title if item else "",
            key=field_key("title", editing),
        )
        st.text_area(
            t("workshop.col.description"),
            value=item.description if item else "",
            key=field_key("description", editing),
            height=90,
        )
        owner_col, deadline_col, status_col = st.columns(3, vertical_alignment="bottom")
        owner_col.text_input(
            t("workshop.col.owner"),
            value=item.owner if item else "",
            key=field_key("owner", editing),
        )
        deadline_col.date_input(
            t("workshop.col.deadline"),
            value=item.deadline if item else None,
            key=field_key("deadline", editing),
            min_value=datetime.date(2000, 1, 1),
        )
        status_col.selectbox(
            t("workshop.col.status"),
            workshop.STATUSES,
            index=workshop.STATUSES.index(item.status) if item else 0,
            format_func=lambda s: t(f"workshop.status.{s}"),
            key=field_key("status", editing),
        )
        initial_source = "none"
        if item and item.scenario:
            initial_source = "scenario"
        elif item and item.effect_t_per_year is not None:
            initial_source = "manual"
        source = st.radio(
            t("workshop.plan.source"),
            EFFECT_SOURCES,
            index=EFFECT_SOURCES.index(initial_source),
            format_func=lambda s: t(f"workshop.plan.source.{s}"),
            key=field_key("source", editing),
            horizontal=True,
        )
        if source == "scenario":
            if scenario_names:
                current_name = item.scenario if item and item.scenario in scenario_names else None
                st.selectbox(
                    t("workshop.col.scenario"),
                    scenario_names,
                    index=scenario_names.index(current_name) if current_name else 0,
                    key=field_key("scenario", editing),
                    help=t("workshop.plan.scenario.help"),
                )
            else:
                st.info(t("workshop.plan.no_scenarios"), icon=":material/tune:")
        elif source == "manual":
            effect_col, note_col = st.columns([1, 3])
            # Text in the session's language ("12,5" in German): a number input would write
            # and take a decimal point whatever the language.
            effect_col.text_input(
                t("workshop.col.effect_t"),
                value=locale.exact(
                    item.effect_t_per_year if item and item.effect_t_per_year is not None else 0.0,
                    language(),
                ),
                key=field_key("effect", editing),
                help=t("workshop.effect.help", **locale.examples(language())),
            )
            note_col.text_input(
                t("workshop.col.effect_note"),
                value=item.effect_note if item else "",
                key=field_key("note", editing),
                placeholder=t("workshop.plan.note.placeholder"),
            )
        with st.container(horizontal=True):
            st.button(
                t("workshop.plan.save"),
                key="workshop_save",
                type="primary",
                icon=":material/save:",
                on_click=save_edited,
                args=(editing,),
                disabled=not may_edit,
                help=needs_editor,
            )
            conflict = st.session_state.get(CONFLICT_KEY)
            if conflict is not None and conflict.action_id == editing:
                st.button(
                    t("workshop.conflict.reload"),
                    key="workshop_reload",
                    icon=":material/refresh:",
                    on_click=reload_edited,
                    args=(editing,),
                )
                st.button(
                    t("workshop.conflict.overwrite"),
                    key="workshop_overwrite",
                    icon=":material/save_as:",
                    on_click=save_edited,
                    args=(editing, True),
                    disabled=not may_edit,
                )
            if item:
                st.button(
                    t("workshop.plan.delete"),
                    key="workshop_delete",
                    icon=":material/delete:",
                    on_click=delete_edited,
                    args=(editing,),
                    disabled=not may_edit,
                    help=needs_editor,
                )

    if not plan.empty:
        st.header(t("workshop.plan.list"))
        st.dataframe(
            pd.DataFrame(
                {
                    "title": plan["title"],
                    "owner": plan["owner"],
                    "deadline": plan["deadline"],
                    "status": [t(f"workshop.status.{s}") for s in plan["status"]],
                    "effect": [effect_text(row) for _, row in plan.iterrows()],
                }
            ),
            hide_index=True,
            column_config={
                c: st.column_config.Column(t(f"workshop.col.{c}"))
                for c in ("title", "owner", "status")
            }
            | {
                "deadline": st.column_config.DateColumn(
                    t("workshop.col.deadline"), format=t("workshop.date.moment")
                )
            }
            | {"effect": st.column_config.Column(t("workshop.col.effect_t"))},
            alt=t("workshop.plan.list"),
        )

# -- act ---------------------------------------------------------------------------------------
elif step == "act":
    if plan.empty:
        st.info(t("workshop.act.empty"), icon=":material/edit_note:")
    for status, column in zip(workshop.STATUSES, st.columns(3, gap="medium"), strict=True):
        cards = plan[plan["status"] == status]
        with column:
            st.header(f"{STATUS_ICONS[status]} {t(f'workshop.status.{status}')} · {len(cards)}")
            st.caption(t("workshop.effect.sum", effect=tonnes(progress.actions_kg[status])))
            for _, card in cards.iterrows():
                action_id = int(card["action_id"])
                with st.container(border=True, key=f"workshop_card_{action_id}"):
                    st.markdown(f"**{plain(card['title'])}**")
                    facts = [card["owner"] or t("workshop.act.no_owner")]
                    if not pd.isna(card["deadline"]):
                        facts.append(pd.Timestamp(card["deadline"]).strftime(t("workshop.date.py")))
                    facts.append(effect_text(card))
                    st.caption(" · ".join(map(plain, facts)))
                    with st.container(horizontal=True, vertical_alignment="center"):
                        st.segmented_control(
                            t("workshop.col.status"),
                            workshop.STATUSES,
                            default=status,
                            # Icon and word: the status is never told by an icon alone.
                            format_func=lambda s: f"{STATUS_ICONS[s]} {t(f'workshop.status.{s}')}",
                            key=f"workshop_move_{action_id}",
                            required=True,
                            label_visibility="collapsed",
                            on_change=move,
                            args=(action_id,),
                            help=t("workshop.act.move"),
                            disabled=not may_edit,
                        )
                        st.button(
                            t("workshop.act.edit"),
                            key=f"workshop_open_{action_id}",
                            type="tertiary",
                            icon=":material/edit:",
                            on_click=open_in_editor,
                            args=(action_id,),
                        )

# -- anchor ------------------------------------------------------------------------------------
else:
    years = compute.years()
    setup_col, chart_col = st.columns([1, 2], gap="large")
    with setup_col:
        st.selectbox(
            t("workshop.anchor.base"),
            years,
            index=years.index(base) if base in years else 0,
            key=f"workshop_base_{space}",
            on_change=store_base_year,
            disabled=not may_edit,
        )
        st.data_editor(
            target_frame(),
            disabled=not may_edit,
            num_rows="dynamic" if may_edit else "fixed",
            hide_index=True,
            key=f"workshop_targets_{space}",
            column_config={
                "year": st.column_config.NumberColumn(
                    t("workshop.col.year"),
                    min_value=2000,
                    max_value=2100,
                    step=1,
                    format="%d",
                    required=True,
                ),
                "reduction_percent": st.column_config.NumberColumn(
                    t("workshop.anchor.reduction"),
                    min_value=0,
                    max_value=100,
                    step=1,
                    format=sliders.percent_pattern(),  # "30 %" in German, "30%" in English
                    required=True,
                ),
            },
            alt=t("workshop.anchor.targets"),
        )
        st.button(
            t("workshop.anchor.save"),
            key="workshop_save_targets",
            type="primary",
            icon=":material/save:",
            on_click=store_targets,
            disabled=not may_edit,
            help=needs_editor,
        )
        st.caption(t("workshop.anchor.hint", base=base))
    with chart_col:
        path = progress.path.assign(
            measured_t=progress.path["measured_kg"] / units.KG_PER_T,
            target_t=progress.path["target_kg"] / units.KG_PER_T,
        )
        measured = (
            alt.Chart(path.dropna(subset=["measured_t"]))
            .mark_bar(color=charts.TOTAL_COLOR)
            .encode(
                x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
                y=alt.Y("measured_t:Q", title=t("unit.t")),
                tooltip=[alt.Tooltip("year:O"), alt.Tooltip("measured_t:Q", format=",.1f")],
            )
        )
        target_line = (
            alt.Chart(path.dropna(subset=["target_t"]))
            .mark_line(
                color=charts.DECREASE_COLOR,
                strokeDash=[6, 4],
                strokeWidth=3,
                point=alt.OverlayMarkDef(color=charts.DECREASE_COLOR, size=90),
            )
            .encode(
                x="year:O",
                y="target_t:Q",
                tooltip=[alt.Tooltip("year:O"), alt.Tooltip("target_t:Q", format=",.1f")],
            )
        )
        charts.show(
            (measured + target_line).properties(height=340),
            path,
            text=charts.summary(
                path, "year", "measured_t", what=t("workshop.anchor.chart", base=base), unit="t"
            ),
            columns={
                "year": t("chart.year"),
                "measured_t": t("chart.measured"),
                "target_t": t("chart.target"),
            },
            decimals={"measured_t": 1, "target_t": 1},
        )
        st.caption(t("workshop.anchor.legend"))

    if progress.target_year is None:
        st.info(t("workshop.anchor.no_targets"), icon=":material/flag:")
    else:
        gap_col, actions_col, covered_col = st.columns(3, border=True)
        gap_col.metric(
            t("workshop.anchor.gap", year=progress.target_year, current=current),
            tonnes(max(progress.gap_kg, 0.0)),
            help=t(
                "workshop.anchor.gap.help",
                target=tonnes(progress.target_kg),
                measured=tonnes(progress.current_kg),
            ),
        )
        actions_col.metric(
            t("workshop.anchor.open"), tonnes(progress.open_kg), help=t("workshop.anchor.open.help")
        )
        covered_col.metric(t("workshop.anchor.covered"), percent(min(progress.covered_share, 9.99)))
        bars = pd.DataFrame(
            [
                {
                    "bar": t("workshop.anchor.bar.gap"),
                    "part": t("workshop.anchor.bar.gap"),
                    "t_co2e": units.tonnes(max(progress.gap_kg, 0.0)),
                },
                *(
                    {
                        "bar": t("workshop.anchor.bar.actions"),
                        "part": t(f"workshop.status.{status}"),
                        "t_co2e": units.tonnes(progress.actions_kg[status]),
                    }
                    for status in workshop.OPEN_STATUSES
                ),
            ]
        )
        charts.show(
            charts.stacked_bar(
                bars,
                "bar",
                "t_co2e",
                "part",
                value_title=t("unit.t"),
                stack_order=[
                    t("workshop.anchor.bar.gap"),
                    *(t(f"workshop.status.{s}") for s in workshop.OPEN_STATUSES),
                ],
            ),
            bars,
            text=charts.summary(
                bars, ["bar", "part"], "t_co2e", what=t("workshop.anchor.bar.alt"), unit="t"
            ),
            columns={"bar": t("chart.bar"), "part": t("chart.part"), "t_co2e": t("unit.t")},
            decimals={"t_co2e": 1},
        )

# -- votes with the team (the decisions so far in the Anchor step) ---------------------------------
workshop_votes(space, step, scenario_names, plan)

# -- notes of this stage, and the export -------------------------------------------------------
st.text_area(
    t("workshop.note", stage=t(f"workshop.step.{step}")),
    value=workshop.note(con, space, step),
    key=f"workshop_note_{space}_{step}",
    on_change=store_note,
    args=(step,),
    disabled=not may_edit,
    placeholder=t(f"workshop.note.placeholder.{step}"),
)

office_names = dict(
    zip(compute.cube().offices["office_id"], compute.cube().offices["name"], strict=True)
)
plan_tables = workshop.plan_tables(plan, progress, hotspots, workshop.notes(con, space))
plan_document = report.plan_report(
    space,
    plan_tables,
    language(),
    target_progress=progress,
    office_names=office_names,
    demo=db.is_demo(),
)
file_stem = f"wegbilanz-{space}".replace(" ", "-")
with export_slot, st.popover(t("workshop.export"), icon=":material/download:"):
    st.download_button(
        t("workshop.export.xlsx"),
        workshop.plan_xlsx(plan_tables, language(), office_names),
        file_name=f"{file_stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="workshop_xlsx",
        icon=":material/table:",
        on_click="ignore",
    )
    st.download_button(
        t("report.download.plan_pdf"),
        lambda: report.to_pdf(plan_document),  # built when clicked
        file_name=f"{file_stem}.pdf",
        mime="application/pdf",
        key="workshop_pdf",
        icon=":material/picture_as_pdf:",
        on_click="ignore",
    )
    st.download_button(
        t("workshop.export.html"),
        report.to_html(plan_document),
        file_name=f"{file_stem}.html",
        mime="text/html",
        key="workshop_html",
        icon=":material/print:",
        on_click="ignore",
    )
    workshop_vote_export(space, file_stem)
    st.caption(t("workshop.export.help"))
