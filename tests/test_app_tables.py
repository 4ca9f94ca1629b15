"""ui.tables in the real Streamlit runtime (AppTest): every whole number of a table gets the
chosen language's group separator, without the page listing the column; a year stays a label."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest


def _table_page() -> None:
    import pandas as pd

    from ui import tables

    frame = pd.DataFrame(
        {
            "office": ["Villach", "Spittal"],
            "year": [2024, 2023],
            "contacts": [10813, 950],
            "km": [1740349.4, 12.26],
            "rows": pd.array([1234567, None], dtype="Int64"),
        }
    )
    tables.dataframe(frame, {"km": 1}, hide_index=True)


@pytest.mark.parametrize(
    ("lang", "contacts", "km", "rows"),
    [
        # 10813 and 1,740,349.4 written by hand in each language's CLDR rules.
        ("de", ["10.813", "950"], ["1.740.349,4", "12,3"], ["1.234.567", ""]),
        ("nl", ["10.813", "950"], ["1.740.349,4", "12,3"], ["1.234.567", ""]),
        ("en", ["10,813", "950"], ["1,740,349.4", "12.3"], ["1,234,567", ""]),
    ],
)
def test_whole_numbers_get_the_languages_group_separator(lang, contacts, km, rows):
    at = AppTest.from_function(_table_page)
    at.query_params["lang"] = lang
    at.context = {"locale": "en-US" if lang != "en" else "de-DE"}  # the browser must not decide
    at.run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert shown["contacts"].tolist() == contacts
    assert shown["km"].tolist() == km
    assert shown["rows"].tolist() == rows
    assert shown["year"].tolist() == [2024, 2023]  # a year is no amount: never "2.024"
