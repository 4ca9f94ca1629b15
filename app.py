"""Wegbilanz: entry point. Frames the app (page config, language, shared filters) and routes."""

from pathlib import Path

import streamlit as st

from calc import locale
from ui import db, filters, url
from ui.i18n import LANG_KEY, LANGUAGES, browser_language, t

# The tab icon is a file of the app: a Material icon here would be fetched from Google's servers.
ICON = Path(__file__).parent / "ui" / "icon.svg"
st.set_page_config(page_title="Wegbilanz", page_icon=ICON, layout="wide")

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
if db.is_demo() and page.url_path != "presenter":
    # The presenter says it in one small line of its own, in a corner of the slide.
    st.info(t("app.demo_banner"), icon=":material/science:")
filters.draw_sidebar()
page.run()
