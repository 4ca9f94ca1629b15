"""Names from the data or from users shown as typed, never as Markdown or HTML.

Office, place and group names come from uploaded files; scenario and workspace names, action
titles, owners and notes are typed by whoever uses the app. Streamlit reads Markdown in
st.markdown, st.caption, alerts, headings, st.table cells and every widget, tab and expander
label, so an office called `![x](https://host/x.png)` would make each viewer's browser fetch
that image (and tell its owner who looked, and when). Where a name stands alone a page may use
st.text, a st.dataframe cell or a selectbox option (none of them read Markdown; chart labels and
tooltips neither); where it sits in a sentence, a label or st.table, it goes through `plain()`.
"""

from __future__ import annotations

import re

# CommonMark lets a backslash escape any ASCII punctuation mark, which then stands for itself.
# Escaping them all covers Markdown and GitHub's extensions (emphasis, links, images, tables,
# autolinks), raw HTML (`<`), LaTeX (`$`) and Streamlit's own directives (`:red[…]`,
# `:material/…:`), whatever a future release adds with punctuation.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# A line break in a name would start a new block (a heading, a list, a quote).
_LINE_BREAKS = re.compile(r"\s*[\r\n\v\f\u0085\u2028\u2029]+\s*")


def plain(text: object) -> str:
    """text as Markdown that shows exactly its characters, on one line."""
    return _PUNCTUATION.sub(r"\\\1", _LINE_BREAKS.sub(" ", str(text)))
