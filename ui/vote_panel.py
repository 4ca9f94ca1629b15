"""The facilitator's side of a live vote (Presenter and Workshop pages), and the tally as bars,
which the voting page (pages/vote.py) draws too.

A page calls `controls(context, …)` where the facilitator works (the presenter's sidebar, the
workshop's vote section), `join_card(vote)` and `live(vote)` where the audience looks (the
vote slide), and `history(context)` for the votes closed so far. The live tally is a fragment
that reruns itself every REFRESH_S seconds, alone: the rest of the page does not run again.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import duckdb
import pandas as pd
import streamlit as st

from calc import presenter, privacy, saved, scenario, voting
from calc.roles import Role, RoleError
from calc.units import KG_PER_T
from ui import access, compute, db
from ui.i18n import date, language, number, percent, t, tonnes
from ui.plain import plain

REFRESH_S = 1.5  # the facilitator's and the slide's tally
STYLE = Path(__file__).resolve().parent / "vote.css"
NEW_VOTE_ICON = ":material/how_to_vote:"


@st.cache_resource(show_spinner=False)
def min_people() -> int:
    """The small-cell rule of data/privacy.csv (calc.privacy), read once per process."""
    return privacy.min_people_per_cell()


def cursor() -> duckdb.DuckDBPyConnection:
    """The session's DuckDB cursor, with the vote tables in place."""
    con = db.cursor()
    voting.ensure_tables(con)
    return con


# -- texts ---------------------------------------------------------------------------------------


def effect_line(option: voting.Option) -> str:
    """The option's effect in one line of plain words, in t CO2e a year."""
    if option.effect_kg is None:
        return t("vote.effect.none")
    direction = "adds" if option.effect_kg < 0 else "saves"
    low, high = option.effect_low_kg, option.effect_high_kg
    values = {"t": tonnes(abs(option.effect_kg))}
    if low is None or high is None or math.isclose(low, high):
        return t(f"vote.effect.{direction}", **values)
    # A saving of 8 to 15 t reads "8 to 15"; an addition (negative saving) as added tonnes.
    ends = sorted(abs(v) for v in (low, high)) if direction == "adds" else sorted((low, high))
    return t(f"vote.effect.{direction}_range", low=tonnes(ends[0]), high=tonnes(ends[1]), **values)


def count_text(vote: voting.Vote, count: int | None, share: float | None, floor: int) -> str:
    if count is None:
        return t("vote.fewer_than", n=number(floor))
    kind = "dots" if vote.kind == "dots" else "single"
    return t(f"vote.count.{kind}", count=number(count), share=percent(share or 0.0))


def voters_text(shown: voting.Shown) -> str:
    if shown.voters is None:
        return t("vote.voters", n=t("vote.fewer_than", n=number(shown.min_people)))
    return t("vote.voters", n=number(shown.voters))


def names(vote: voting.Vote, positions: Sequence[int]) -> str:
    return ", ".join(plain(vote.options[i].label) for i in positions)


def link(code: str) -> str:
    """The voting page's address for this vote, in this session's language: the app's root as
    the browser sees it (st.context.url names the page, whose last path part is dropped), with
    the code. The root, not a path of its own: a new session asks for the page of its path
    before app.py runs, and only the root is a page every session knows (ui/vote_link.py)."""
    page_url = st.context.url or ""
    parts = urlsplit(page_url)
    root_path = parts.path.rstrip("/").rsplit("/", 1)[0] if parts.path.strip("/") else ""
    query = urlencode({"vote": code, "lang": language()})
    return urlunsplit((parts.scheme, parts.netloc, f"{root_path}/", query, ""))


def short_link(full: str) -> str:
    """What people type: host, path and code, without the scheme or the language."""
    parts = urlsplit(full)
    code = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p).get("vote", "")
    return f"{parts.netloc}{parts.path}?vote={code}"


# -- the tally -----------------------------------------------------------------------------------


def results(vote: voting.Vote, *, key: str, large: bool = False) -> None:
    """The tally as bars with counts and shares, the winners and their combined effect; only
    the number of voters while the results are hidden."""
    con = db.cursor()
    counted = voting.tally(con, vote)
    floor = min_people()
    seen = voting.shown(vote, counted, floor)
    box = st.container(key=f"vote_tally_{key}" + ("_large" if large else ""))
    with box:
        state = "open" if vote.is_open else "closed"
        st.markdown(f"**{t(f'vote.status.{state}', code=vote.vote_id)}** · {voters_text(seen)}")
        if not vote.show_results:
            st.markdown(t("vote.results_hidden"))
            return
        if seen.all_withheld:
            return
        won = set(voting.winners(vote, counted))
        for position, option in enumerate(vote.options):
            count, share = seen.counts[position], seen.shares[position]
            star = ":material/emoji_events: " if position in won else ""
            st.markdown(
                f"{star}**{plain(option.label)}** — {count_text(vote, count, share, floor)}"
            )
            st.progress(min(max(share or 0.0, 0.0), 1.0))
        if seen.withheld:
            st.caption(t("vote.withheld_note", n=number(floor)))
        if won:
            st.markdown(t("vote.winners.title", names=names(vote, sorted(won))))
            combined_text(voting.combined_effect(vote.options, sorted(won)))


def combined_text(combined: voting.Combined) -> None:
    parts = []
    if combined.estimated:
        direction = "adds" if combined.kg < 0 else "saves"
        low, high = sorted((combined.low_kg, combined.high_kg))
        if direction == "adds":
            low, high = sorted((abs(combined.low_kg), abs(combined.high_kg)))
        parts.append(
            t(
                f"vote.combined.{direction}",
                t=tonnes(abs(combined.kg)),
                low=tonnes(low),
                high=tonnes(high),
            )
        )
    if combined.unknown and combined.estimated:
        parts.append(t("vote.combined.unknown", n=number(combined.unknown)))
    if combined.overlap:
        parts.append(t("vote.combined.overlap"))
    if parts:
        st.markdown(" ".join(parts))


@st.fragment(run_every=REFRESH_S)
def _live(vote_id: str, key: str, large: bool) -> None:
    vote = voting.get(cursor(), vote_id)
    if vote is not None:
        results(vote, key=key, large=large)


def live(vote: voting.Vote, key: str, large: bool = False) -> None:
    """The tally of an open vote, read again every REFRESH_S seconds without rerunning the
    page; a closed one's once (it changes no more, and nobody's page keeps asking)."""
    if vote.is_open:
        _live(vote.vote_id, key, large)
    else:
        results(vote, key=key, large=large)


# -- where the audience joins --------------------------------------------------------------------


def join_card(vote: voting.Vote, *, key: str) -> None:
    """The QR code of the voting link, the short link to type, and the code."""
    full = link(vote.vote_id)
    with st.container(key=f"vote_qr_{key}", horizontal_alignment="center"):
        st.image(presenter.qr_svg(full), alt=t("vote.qr_alt"))
    st.markdown(t("vote.join", link=f"`{short_link(full)}`"), text_alignment="center")


def presenter_slide(slides: object = None) -> None:
    """The presenter's vote slide: the question, where to join, and the live tally."""
    del slides  # a slide of the deck takes the deck's figures; this one reads the vote
    st.html(STYLE)
    vote = voting.latest(cursor(), voting.PRESENTER)
    if vote is None:
        return
    st.markdown(f"# {plain(vote.question)}", text_alignment="center")
    join_col, tally_col = st.columns([2, 3], gap="large", vertical_alignment="center")
    with join_col:
        join_card(vote, key="slide")
    with tally_col:
        live(vote, "slide", large=True)


def presenter_has_vote() -> bool:
    """Whether the presenter's deck has a vote slide (a vote was opened from it)."""
    return voting.latest(cursor(), voting.PRESENTER) is not None


def presenter_controls(
    scenario_names: Sequence[str], slide_key: str, slide_number: int | None
) -> None:
    """The presenter's vote controls (in the sidebar), with a jump to the vote slide."""
    with st.expander(t("vote.panel.presenter"), icon=NEW_VOTE_ICON):
        st.caption(t("vote.panel.help"))
        controls(voting.PRESENTER, "presenter", scenario_names)
        if slide_number is not None:
            st.button(
                t("vote.show_slide"),
                key="vote_presenter_show",
                icon=":material/co_present:",
                on_click=st.session_state.__setitem__,
                args=(slide_key, slide_number),
            )


def workshop_votes(
    space: str,
    step: str,
    scenario_names: Sequence[str],
    actions: pd.DataFrame,
    *,
    may_edit: bool | None = None,
) -> None:
    """The workshop's vote section: the controls, where to join and the live tally; in the
    Anchor step also what the team decided by vote, with the CSV of its closed votes."""
    context = voting.workshop_context(space)
    st.html(STYLE)
    if step == "anchor":
        st.header(t("vote.history.title"))  # under the page title: level 2
        history(context, prefix="workshop", file_stem=f"wegbilanz-{space}".replace(" ", "-"))
    with st.expander(t("vote.panel.workshop"), icon=NEW_VOTE_ICON):
        st.caption(t("vote.panel.help"))
        current = controls(context, "workshop", scenario_names, actions, may_edit=may_edit)
        if current is not None:
            st.markdown(f"### {plain(current.question)}")
            join_col, tally_col = st.columns([2, 3], gap="large")
            with join_col:
                join_card(current, key="workshop")
            with tally_col:
                live(current, "workshop")


# -- the facilitator's controls ------------------------------------------------------------------


def _keys(prefix: str) -> dict[str, str]:
    fields = ("question", "kind", "dots", "winners", "scenarios", "actions", "text", "privacy")
    return {name: f"vote_{prefix}_{name}" for name in fields} | {"message": f"vote_{prefix}_msg"}


def _scenario_option(name: str) -> voting.Option:
    """A saved scenario as an option, with what it saves a year on the loaded data (none if it
    cannot run on them or rests on too few people to be shown)."""
    try:
        shown = compute.scenario_slide(saved.load(db.cursor(), name))
    except (KeyError, scenario.ScenarioError):
        return voting.Option(name[: voting.MAX_LABEL_CHARS], "scenario", name)
    if shown.result is None:
        return voting.Option(name[: voting.MAX_LABEL_CHARS], "scenario", name)
    low, high = shown.result.saved_kg_range
    return voting.Option(
        name[: voting.MAX_LABEL_CHARS],
        "scenario",
        name,
        shown.result.saved_kg,
        low,
        high,
        "scenario",
    )


def _action_option(row: pd.Series) -> voting.Option:
    """A workshop action (a row of calc.workshop.effects) as an option, with its effect."""

    def kg(column: str) -> float | None:
        value = row.get(column)
        return None if value is None or pd.isna(value) else float(value) * KG_PER_T

    source = row.get("effect_source")
    estimated = source in ("scenario", "manual")
    return voting.Option(
        str(row["title"])[: voting.MAX_LABEL_CHARS],
        "action",
        str(row["action_id"]),
        kg("effect_t") if estimated else None,
        kg("effect_low_t") if estimated else None,
        kg("effect_high_t") if estimated else None,
        str(source) if estimated else None,
    )


def _open_new(context: str, prefix: str, actions: pd.DataFrame | None) -> None:
    keys = _keys(prefix)
    state = st.session_state
    try:
        options = [_scenario_option(name) for name in state.get(keys["scenarios"]) or []]
        if actions is not None:
            chosen = set(state.get(keys["actions"]) or [])
            rows = actions[actions["action_id"].isin(chosen)]
            options += [_action_option(row) for _, row in rows.iterrows()]
        lines = str(state.get(keys["text"]) or "").splitlines()
        options += [voting.Option(line) for line in lines if line.strip()]
        code = voting.create(
            cursor(),
            context,
            state.get(keys["question"]) or "",
            options,
            kind="dots" if state.get(keys["kind"]) else "single",
            dots=int(state.get(keys["dots"]) or 3),
            winners=int(state.get(keys["winners"]) or 1),
            privacy=bool(state.get(keys["privacy"], True)),
            role=access.role(),
        )
    except voting.VoteError as error:
        state[keys["message"]] = ("error", t(f"vote.error.{error.code}"))
        return
    except RoleError as error:
        state[keys["message"]] = ("error", access.refused(error))
        return
    state[keys["message"]] = ("success", t("vote.opened", code=code))


def _write(prefix: str, write: Callable[..., None], *args: object) -> None:
    """A facilitator's write with this session's role; a refusal is said, never raised."""
    try:
        write(cursor(), *args, role=access.role())
    except RoleError as error:
        st.session_state[_keys(prefix)["message"]] = ("error", access.refused(error))


def controls(
    context: str,
    prefix: str,
    scenario_names: Sequence[str],
    actions: pd.DataFrame | None = None,
    *,
    may_edit: bool | None = None,
) -> voting.Vote | None:
    """Open, close, reset, show or hide the context's current vote, and open a new one.
    `actions`: the workshop's actions with their effects (calc.workshop.effects), offered as
    options. The controls are off below an editor (`may_edit`, by default the session's role);
    calc.voting refuses such writes anyway. Returns the current vote."""
    keys = _keys(prefix)
    con = cursor()
    if may_edit is None:
        may_edit = access.allows(Role.EDITOR)
    if not may_edit:
        st.caption(access.needs(Role.EDITOR))
    current = voting.latest(con, context)
    if message := st.session_state.pop(keys["message"], None):
        kind, text = message
        (st.error if kind == "error" else st.success)(text)
    if current is None:
        st.caption(t("vote.none_yet"))
    else:
        with st.container(horizontal=True, key=f"vote_{prefix}_buttons"):
            st.button(
                t("vote.close") if current.is_open else t("vote.reopen"),
                key=f"vote_{prefix}_toggle",
                icon=":material/lock:" if current.is_open else ":material/lock_open:",
                type="primary" if current.is_open else "secondary",
                on_click=_write,
                args=(prefix, voting.set_open, current.vote_id, not current.is_open),
                disabled=not may_edit,
            )
            st.button(
                t("vote.hide_results") if current.show_results else t("vote.show_results"),
                key=f"vote_{prefix}_results",
                icon=":material/visibility_off:"
                if current.show_results
                else ":material/visibility:",
                on_click=_write,
                args=(prefix, voting.set_show_results, current.vote_id, not current.show_results),
                disabled=not may_edit,
            )
            st.button(
                t("vote.reset"),
                key=f"vote_{prefix}_reset",
                icon=":material/restart_alt:",
                on_click=_write,
                args=(prefix, voting.reset, current.vote_id),
                disabled=not may_edit,
            )
            if not current.is_open:
                st.button(
                    t("vote.delete"),
                    key=f"vote_{prefix}_delete",
                    icon=":material/delete:",
                    on_click=_write,
                    args=(prefix, voting.delete, current.vote_id),
                    disabled=not may_edit,
                    help=t("vote.delete.help"),
                )
    st.markdown(f"**{t('vote.new')}**")
    new_vote_form(context, prefix, scenario_names, actions, may_edit=may_edit)
    return current


def new_vote_form(
    context: str,
    prefix: str,
    scenario_names: Sequence[str],
    actions: pd.DataFrame | None,
    *,
    may_edit: bool = True,
) -> None:
    keys = _keys(prefix)
    floor = min_people()
    with st.form(key=f"vote_{prefix}_form", border=False):
        st.text_input(
            t("vote.question"),
            key=keys["question"],
            max_chars=voting.MAX_QUESTION_CHARS,
            placeholder=t("vote.question.placeholder"),
        )
        # A checkbox, not a radio with a translated format_func: AppTest formats options
        # outside the run, where the session's language is not known.
        st.checkbox(t("vote.kind.dots"), key=keys["kind"], help=t("vote.kind.help"))
        dots_col, winners_col = st.columns(2)
        dots_col.number_input(
            t("vote.dots"), min_value=1, max_value=voting.MAX_DOTS, value=3, key=keys["dots"]
        )
        winners_col.number_input(
            t("vote.winners"),
            min_value=1,
            max_value=voting.MAX_OPTIONS - 1,
            value=1,
            key=keys["winners"],
        )
        if scenario_names:
            st.multiselect(
                t("vote.options.scenarios"),
                list(scenario_names),
                key=keys["scenarios"],
                max_selections=voting.MAX_OPTIONS,
            )
        if actions is not None and not actions.empty:
            titles = dict(zip(actions["action_id"], actions["title"], strict=True))
            st.multiselect(
                t("vote.options.actions"),
                list(titles),
                format_func=lambda action_id: str(titles[action_id]),
                key=keys["actions"],
                max_selections=voting.MAX_OPTIONS,
            )
        st.text_area(t("vote.options.text"), key=keys["text"], help=t("vote.options.help"))
        st.checkbox(
            t("vote.privacy", n=number(floor)),
            value=True,
            key=keys["privacy"],
            help=t("vote.privacy.help"),
        )
        st.form_submit_button(
            t("vote.open_new"),
            type="primary",
            icon=NEW_VOTE_ICON,
            on_click=_open_new,
            args=(context, prefix, actions),
            disabled=not may_edit,
        )


# -- closed votes --------------------------------------------------------------------------------


def history(context: str, *, prefix: str, file_stem: str) -> None:
    """The context's closed votes in a sentence each ("the team chose … on …"), newest first,
    and their results as CSV."""
    con = cursor()
    floor = min_people()
    closed = [vote for vote in voting.in_context(con, context) if not vote.is_open]
    if not closed:
        st.caption(t("vote.history.none"))
        return
    for vote in closed:
        counted = voting.tally(con, vote)
        seen = voting.shown(vote, counted, floor)
        when = date(vote.closed_at or vote.created_at)
        question = plain(vote.question)
        if counted.voters == 0:
            line = t("vote.history.nobody", date=when, question=question)
        elif seen.all_withheld:
            line = t("vote.history.withheld", date=when, n=number(floor), question=question)
        else:
            chosen = names(vote, voting.winners(vote, counted))
            line = t("vote.history.chose", date=when, names=chosen, question=question)
        st.markdown(f"- {line}")
    export_button(context, file_stem, key=f"vote_{prefix}_csv")


def export_button(context: str, file_stem: str, *, key: str) -> None:
    """The context's closed votes as CSV (counts as the privacy setting lets them be shown)."""
    rows = voting.results(cursor(), context, min_people())
    st.download_button(
        t("vote.export"),
        voting.results_csv(rows),
        file_name=f"{file_stem}-votes.csv",
        mime="text/csv",
        key=key,
        icon=":material/how_to_vote:",
        on_click="ignore",
        disabled=not rows,
    )


def workshop_vote_export(space: str, file_stem: str) -> None:
    """In the workshop's export: what the team decided by vote, as CSV."""
    export_button(voting.workshop_context(space), file_stem, key="workshop_votes_csv")
