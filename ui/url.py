"""Widget values kept in the URL as ids (`?lang=de&groups=jobseeker&offices=KLU`), never as the
labels on screen.

Streamlit's `bind="query-params"` writes a widget's *formatted* option into the URL, so a
selectbox of language codes shown as "Deutsch" would store `lang=Deutsch`, and a group filter
would store its translated label (a link made in English would lose its filter in German).
Widgets whose labels differ from their ids use these two calls instead: `seed` before the
widget (the URL's ids become its state), `keep` after it (its state goes back to the URL).
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import streamlit as st

_WRITTEN = "_url_written_{}"  # what keep() last wrote, to tell a changed URL from our own


def _in_url(key: str, multi: bool) -> list[str] | str | None:
    if key not in st.query_params:
        return None
    return st.query_params.get_all(key) if multi else st.query_params.get(key)


def seed(
    key: str,
    valid: Collection[str],
    *,
    multi: bool = False,
    normalise: Callable[[str], str | None] = lambda value: value,
) -> None:
    """Set widget `key`'s ids before it is drawn: the URL's when the URL says something this
    session has not written itself (a link opened, a URL edited), else the widget's own, else
    what was last written. Unknown ids are dropped.

    Set on every run, because a selection widget identifies its value by its label on screen:
    after a change of language the old label would match no option and the selection would
    be lost.
    """
    found = _in_url(key, multi)
    ours = st.session_state.get(_WRITTEN.format(key))
    linked = found is not None and found != ours
    if multi:
        candidates = [found if linked else None, st.session_state.get(key), ours]
        for candidate in candidates:
            if isinstance(candidate, list | tuple):
                kept = [v for v in (normalise(str(item)) for item in candidate) if v in valid]
                # A link's unknown ids are dropped; a state with unknown ids is stale.
                if (candidate is found and kept) or len(kept) == len(candidate):
                    st.session_state[key] = list(dict.fromkeys(kept))
                    return
        st.session_state[key] = []
        return
    for candidate in (found if linked else None, st.session_state.get(key), ours):
        code = normalise(str(candidate)) if candidate is not None else None
        if code in valid:
            st.session_state[key] = code
            return


def keep(key: str, *, multi: bool = False, omit_empty: bool = True) -> None:
    """Write widget `key`'s current ids into the URL (an empty selection leaves it out)."""
    value = st.session_state.get(key)
    if multi:
        written: list[str] | str | None = [str(v) for v in value or []]
    else:
        written = None if value is None else str(value)
    if omit_empty and not written:
        written = None
    if _in_url(key, multi) != written:
        if written is None:
            del st.query_params[key]
        else:
            st.query_params[key] = written
    st.session_state[_WRITTEN.format(key)] = written
