"""Wegbilanz: entry point. Frames the app (page config, language, shared filters) and routes."""

import streamlit as st

from ui import db, filters
from ui.i18n import LANG_KEY, LANGUAGES, browser_language, t

st.set_page_config(page_title="Wegbilanz", page_icon=":material/eco:", layout="wide")

languages = list(LANGUAGES)
st.sidebar.selectbox(
    ":material/translate: Sprache · Language · Taal",
    languages,
    index=languages.index(browser_language()),
    format_func=LANGUAGES.__getitem__,
    key=LANG_KEY,
    bind="query-params",
)

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
if db.is_demo():
    st.info(t("app.demo_banner"), icon=":material/science:")
filters.draw_sidebar()
page.run()
