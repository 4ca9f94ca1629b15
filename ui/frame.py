"""Every page runs inside app.py's frame (page config, language, filters, navigation).

With a `pages/` folder beside the entry script, Streamlit 1.67 starts a server as a legacy
multipage app: `PagesManager.uses_pages_directory` is set from the folder's existence, and the
script runner runs a requested page file on its own until some run of app.py has called
`st.navigation`, which clears the flag for the whole process. So a deep link that is the first
request after a start (a booth laptop's bookmark of /presenter) would show the page without
the frame. `require()` at the top of each page notices that case, clears the flag itself (what
`st.navigation` would have done) and reruns: the rerun goes through app.py, whose navigation
resolves the same URL path to the same page. AppTest resets the flag before each run, so an
AppTest run of a page goes through app.py the same way.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def require() -> None:
    """Rerun through app.py if this page was started on its own (legacy multipage mode)."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
