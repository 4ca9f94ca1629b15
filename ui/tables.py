"""Tables (st.dataframe) whose numbers read the way the chosen language writes them.

Streamlit formats a number column by the *browser's* locale ("localized") or by a printf
pattern with a decimal point and no thousands separator, so a German page in an English browser
would show "10,813" or "10813" for ten thousand eight hundred thirteen. Number columns are
therefore shown as text formatted by calc.locale, right-aligned; an empty value stays empty
(never "nan" or "None"). Whole-number columns (counts) get the language's group separator
without being listed; a year is a label, not an amount, and stays "2024".
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from calc import locale
from ui.i18n import language, t

# Frame columns that hold years. A table whose headers are already translated names its year
# column by the catalogue's word for it (chart.year).
YEAR_COLUMNS = frozenset({"year", "base_year", "cur_year", "ref_year"})


def year_columns(frame: pd.DataFrame) -> set[str]:
    """The columns of frame that hold years: by name, in code or in the session's language."""
    names = YEAR_COLUMNS | {t("chart.year")}
    return {column for column in frame.columns if str(column) in names}


def whole_number_columns(
    frame: pd.DataFrame, years: Collection[str] | None = None
) -> dict[str, int]:
    """Integer columns of frame other than years, each with 0 decimals (counts)."""
    skip = year_columns(frame) if years is None else set(years)
    return {
        column: 0
        for column in frame.columns
        if pd.api.types.is_integer_dtype(frame[column]) and column not in skip
    }


def localized(
    frame: pd.DataFrame,
    decimals: Mapping[str, int],
    percents: Mapping[str, int] | None = None,
    years: Collection[str] | None = None,
) -> pd.DataFrame:
    """A copy of frame with the columns of `decimals` as text in the session's language, each
    with its number of decimals, the shares (0.25) of `percents` as percents ("25 %"), and every
    other whole-number column as a count with group separators ("10.813" in German), except
    the year columns (`years`, else those named year)."""
    lang = language()
    listed = set(decimals) | set(percents or {})
    counts = {
        column: places
        for column, places in whole_number_columns(frame, years).items()
        if column not in listed
    }

    def text(value: Any, places: int, as_percent: bool = False) -> str:
        if pd.isna(value):
            return ""
        if as_percent:
            return locale.percent(value, lang, places)
        return locale.number(value, lang, places)

    return frame.assign(
        **{
            column: frame[column].map(lambda value, d=places: text(value, d))
            for column, places in {**counts, **decimals}.items()
        },
        **{
            column: frame[column].map(lambda value, d=places: text(value, d, as_percent=True))
            for column, places in (percents or {}).items()
        },
    )


def number_columns(decimals: Collection[str]) -> dict[str, Any]:
    """Column configs that right-align the formatted number columns, as numbers are."""
    return {column: st.column_config.TextColumn(alignment="right") for column in decimals}


def dataframe(
    frame: pd.DataFrame,
    decimals: Mapping[str, int],
    column_config: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> None:
    """st.dataframe of frame with its number columns formatted in the session's language (the
    whole-number columns without being listed, see localized)."""
    numbers = {*decimals, *whole_number_columns(frame)}
    st.dataframe(
        localized(frame, decimals),
        column_config={**number_columns(numbers), **(column_config or {})},
        **kwargs,
    )
