"""A session that came through a vote's link sees the voting page and nothing else.

The link a vote's QR code carries is `…/?vote=CODE&lang=de`. app.py asks `is_voter()`
before it draws anything (no language selector, no filters, no sign-in, no menu); then
`run_voter_page()` makes the voting page the only page of the session's navigation, so the
link reaches no other page and shows no sidebar. The mark stays for the browser session.

Seam for roles: this is the *voter* notion. A role `voter` (calc.roles) can take its place:
`is_voter()` is the one test app.py makes, and the voting page needs no role to write a ballot
(calc.voting.cast takes an anonymous token, never a person).
"""

from __future__ import annotations

import streamlit as st

from ui.i18n import t

VOTER_KEY = "vote_voter"  # session: came through a vote link
CODE_PARAM = "vote"  # the vote's code in the link
PAGE = "pages/vote.py"
URL_PATH = "vote"


def is_voter() -> bool:
    """Whether this session is a voter's: its link named a vote (now or earlier)."""
    if st.query_params.get(CODE_PARAM):
        st.session_state[VOTER_KEY] = True
    return bool(st.session_state.get(VOTER_KEY))


def run_voter_page() -> None:
    """The voting page as the session's only page: any path of the app opens it."""
    st.set_page_config(layout="centered", initial_sidebar_state="collapsed")
    page = st.navigation(
        [
            st.Page(
                PAGE,
                title=t("nav.vote"),
                icon=":material/how_to_vote:",
                url_path=URL_PATH,
                default=True,
            )
        ],
        position="hidden",
    )
    page.run()
    st.stop()
