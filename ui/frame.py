"""Every page runs inside app.py's frame (page config, language, filters, navigation).

With a `pages/` folder beside the entry script, Streamlit 1.67 starts a server as a legacy
multipage app: `PagesManager.uses_pages_directory` is set from the folder's existence, and the
script runner runs a requested page file on its own until some run of app.py has called
`st.navigation`, which clears the flag for the whole process. So a deep link that is the first
request after a start (a booth laptop's bookmark of /presenter) would show the page without
the frame. `require()` at the top of each page notices that case, clears the flag itself (what
`st.navigation` would have done), runs app.py in its place within the same run (its
navigation resolves the same URL path to this same page, which then runs inside the frame),
and stops the stand-alone run. Running app.py in place rather than asking for a rerun keeps
the run's button clicks: a rerun would reset them. AppTest resets the flag before each of its
runs, so an AppTest run of a page goes through app.py the same way a browser's does.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

APP_FILE = Path(__file__).resolve().parent.parent / "app.py"


def require() -> None:
    """Run app.py in place of this page if the page was started on its own (legacy mode)."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        runpy.run_path(str(APP_FILE), run_name="__main__")
        st.stop()
