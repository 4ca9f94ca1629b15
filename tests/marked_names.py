"""Names that a browser would turn into a request if a page rendered them as Markdown.

Shared by the tests that names from data or users are shown as text (test_app_names_as_text,
browser/test_no_calls_home). The image points at TEST-NET-3 (RFC 5737), where nobody answers.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from calc import cli, demo

BEACON = "http://203.0.113.7/b.png"
# An image, an HTML tag and a Streamlit directive; short enough for a workspace name (60).
PAYLOAD = f"![seen]({BEACON}) <b>:red[x]</b>"


def store_with_marked_offices(folder: Path) -> Path:
    """A store with the demo data whose office names end in the payload, loaded as an office
    would load its own files (`python -m calc load`)."""
    files = folder / "marked-csv"
    demo.generate(files)
    offices = pd.read_csv(files / "offices.csv", dtype=str, keep_default_na=False)
    offices["name"] = offices["name"] + " " + PAYLOAD
    offices.to_csv(files / "offices.csv", index=False)
    path = folder / "marked.duckdb"
    assert cli.main(["load", str(files), "--db", str(path)]) == 0
    return path
