"""Voting from a phone: the page a vote's QR code and link open (`/?vote=CODE&lang=de`).

For a session that came through such a link it is the only page (ui/vote_link.py): no sidebar,
no menu, no data. Large touch targets and black on white for sunlight (ui/vote.css). A voter is
anonymous: a random token kept for the browser session (in the session's state, and in the
address as `?voter=` so that reloading the page keeps it: a reload adds no second vote); a new
choice replaces the earlier one. The page reads only the vote's own tables: each option's effect
was computed when the vote was opened.
"""

import re

import streamlit as st

from calc import locale, voting
from ui import frame as _frame
from ui import url, vote_panel
from ui.i18n import LANG_KEY, LANGUAGES, language, number, t
from ui.plain import plain
from ui.vote_link import CODE_PARAM

_frame.require()  # first request after a start: rerun through app.py

TOKEN_KEY = "vote_token"  # session: this voter's random token
TOKEN_PARAM = "voter"  # the same token in the address, so that a reload keeps it
MESSAGE_KEY = "vote_phone_message"  # a refused ballot's message, shown once
PHONE_REFRESH_S = 5  # how soon a phone sees the vote close (200 phones: 40 short runs a second)
_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def voter_token() -> str:
    """This browser session's token: kept in state, else the address's, else a new one."""
    found = st.session_state.get(TOKEN_KEY) or st.query_params.get(TOKEN_PARAM) or ""
    token = found if _TOKEN_PATTERN.fullmatch(found) else voting.new_token()
    st.session_state[TOKEN_KEY] = token
    if st.query_params.get(TOKEN_PARAM) != token:
        st.query_params[TOKEN_PARAM] = token
    return token


def give(vote_id: str, choices: dict[int, int]) -> None:
    try:
        voting.cast(vote_panel.cursor(), vote_id, voter_token(), choices)
    except voting.VoteError as error:
        st.session_state[MESSAGE_KEY] = t(f"vote.error.{error.code}")


def give_dot(vote_id: str, position: int, step: int) -> None:
    """One dot more or less on an option, on top of the ballot as stored."""
    mine = voting.ballot(vote_panel.cursor(), vote_id, voter_token())
    mine[position] = max(0, mine.get(position, 0) + step)
    give(vote_id, mine)


url.seed(LANG_KEY, LANGUAGES, normalise=locale.normalise)
st.session_state.setdefault(LANG_KEY, language())
st.html(vote_panel.STYLE)
code = voting.normalise_code(st.query_params.get(CODE_PARAM))
token = voter_token()


@st.fragment(run_every=PHONE_REFRESH_S)
def ballot_area() -> None:
    con = vote_panel.cursor()
    vote = voting.get(con, code) if code else None
    if vote is None:
        st.error(t("vote.phone.unknown"), icon=":material/search_off:")
        return
    mine = voting.ballot(con, vote.vote_id, token)
    st.markdown(f"# {plain(vote.question)}")
    if message := st.session_state.pop(MESSAGE_KEY, None):
        st.error(message, icon=":material/block:")
    if not vote.is_open:
        st.info(t("vote.phone.closed"), icon=":material/lock:")
    elif vote.kind == "single":
        st.markdown(t("vote.phone.single"))
    else:
        st.markdown(t("vote.phone.dots", n=number(vote.dots)))
    left = vote.dots_per_voter - sum(mine.values())
    for position, option in enumerate(vote.options):
        given = mine.get(position, 0)
        with st.container(border=True, key=f"vote_option_{position}"):
            st.markdown(f"### {plain(option.label)}")
            st.markdown(vote_panel.effect_line(option))
            if vote.kind == "single":
                st.button(
                    t("vote.phone.chosen") if given else t("vote.phone.choose"),
                    key=f"vote_choose_{position}",
                    type="primary" if given else "secondary",
                    icon=":material/check_circle:" if given else None,
                    width="stretch",
                    on_click=give,
                    args=(vote.vote_id, {position: 1}),
                    disabled=not vote.is_open,
                )
                continue
            with st.container(horizontal=True, vertical_alignment="center"):
                st.button(
                    "−",
                    key=f"vote_less_{position}",
                    help=t("vote.phone.less"),
                    on_click=give_dot,
                    args=(vote.vote_id, position, -1),
                    disabled=not vote.is_open or given == 0,
                    width="stretch",
                )
                st.markdown(t("vote.phone.your_dots", n=number(given)), width="stretch")
                st.button(
                    "+",
                    key=f"vote_more_{position}",
                    help=t("vote.phone.more"),
                    type="primary",
                    on_click=give_dot,
                    args=(vote.vote_id, position, +1),
                    disabled=not vote.is_open or left <= 0,
                    width="stretch",
                )
    if mine:
        st.success(t("vote.phone.counted"), icon=":material/check:")
    elif vote.is_open:
        st.markdown(t("vote.phone.not_yet"))
    if vote.kind == "dots" and vote.is_open:
        st.markdown(t("vote.phone.dots_left", n=number(left)))
    vote_panel.results(vote, key="phone")  # only how many voted while results are hidden


with st.container(key="vote_phone"):
    ballot_area()
    st.caption(t("vote.phone.anonymous"))
    st.segmented_control(
        t("vote.phone.language"),
        list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key=LANG_KEY,
        required=True,
    )
url.keep(LANG_KEY)
