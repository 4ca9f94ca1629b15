"""Wegbilanz: entry point. Frames the app (page config, language, shared filters) and routes."""

import logging
import os
import uuid
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from calc import locale
from ui import access, db, filters, url
from ui.i18n import LANG_KEY, LANGUAGES, browser_language, t
from ui.plain import plain
from ui.vote_link import is_voter, run_voter_page

# The tab icon is a file of the app: a Material icon here would be fetched from Google's servers.
ICON = Path(__file__).parent / "ui" / "icon.svg"
st.set_page_config(page_title="Wegbilanz", page_icon=ICON, layout="wide")
if is_voter():
    # A vote's link (…/?vote=CODE) opens the voting page alone: no menu, no filters, no
    # sign-in (voters are anonymous; ui/vote_link.py is the seam for a 'voter' role).
    run_voter_page()

# The URL holds the language's code (?lang=de), the selector shows its name.
url.seed(LANG_KEY, LANGUAGES, normalise=locale.normalise)
st.session_state.setdefault(LANG_KEY, browser_language())
st.sidebar.selectbox(
    ":material/translate: Sprache · Language · Taal",
    list(LANGUAGES),
    format_func=LANGUAGES.__getitem__,
    key=LANG_KEY,
)
url.keep(LANG_KEY)
access.gate()  # with an identity provider: nothing but the sign-in before it
access.draw_sidebar()

log = logging.getLogger("wegbilanz")
DEBUG_ENV = "WEGBILANZ_DEBUG"


def run_page(chosen: StreamlitPage) -> None:
    """Run the page; an unexpected error shows a short message with an id, and the server log
    carries the same id with the trace (client.showErrorDetails is off: no trace on screen)."""
    try:
        chosen.run()
    except Exception:
        if os.environ.get(DEBUG_ENV):
            raise  # developers and the test suite see the trace itself
        error_id = uuid.uuid4().hex[:8]
        log.exception("unexpected error %s on page %s", error_id, chosen.url_path)
        st.error(t("app.error", id=error_id), icon=":material/error:")


PAGES = [
    ("pages/overview.py", "overview", ":material/dashboard:"),
    ("pages/offices.py", "offices", ":material/apartment:"),
    ("pages/staff.py", "staff", ":material/badge:"),
    ("pages/scenarios.py", "scenarios", ":material/tune:"),
    ("pages/presenter.py", "presenter", ":material/co_present:"),
    ("pages/workshop.py", "workshop", ":material/groups:"),
    ("pages/data.py", "data", ":material/upload_file:"),
    ("pages/method.py", "method", ":material/functions:"),
]
page = st.navigation(
    [
        st.Page(
            path,
            title=t(f"nav.{slug}"),
            icon=icon,
            url_path=slug,
            default=index == 0,
            help=t(f"nav.{slug}.help"),
        )
        for index, (path, slug, icon) in enumerate(PAGES)
    ]
)

with st.spinner(t("app.preparing")):
    db.cursor()  # opens the database; loads the demo data on a fresh machine
if page.url_path == "presenter":
    # A projector shows the slides full screen: the sidebar starts closed. Its filters are
    # still drawn there, so that filters in a presenter link take effect and stay in the URL.
    st.set_page_config(initial_sidebar_state="collapsed")
if fell_back_from := db.fell_back_from():
    st.warning(t("data.fell_back", version=fell_back_from), icon=":material/report:")
if set_aside := db.state_set_aside():
    st.warning(t("data.state_set_aside", path=plain(set_aside)), icon=":material/report:")
    st.button(t("app.understood"), key="app_state_notice_seen", on_click=db.forget_state_notice)
if not db.has_data():
    # No readable data set (every version damaged): the Data page can still load or roll back.
    if page.url_path != "data":
        st.warning(t("app.no_data"), icon=":material/database_off:")
        st.page_link("pages/data.py", label=t("nav.data"), icon=":material/upload_file:")
        st.stop()
    run_page(page)
    st.stop()
if db.is_demo() and page.url_path != "presenter":
    # The presenter says it in one small line of its own, in a corner of the slide.
    st.info(t("app.demo_banner"), icon=":material/science:")
filters.draw_sidebar()
run_page(page)
