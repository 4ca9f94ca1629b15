"""Every page runs inside app.py's frame, even when a link opens it first on a fresh server."""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def require_app_frame() -> None:
    """Rerun through app.py if Streamlit ran this page on its own.

    The design keeps pages in `pages/`, which Streamlit also reads as an old-style multipage
    folder until `st.navigation` has run once in the process: a deep link that is the first
    request after a start would run the page without language, filters or navigation.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
