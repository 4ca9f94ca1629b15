"""Tables (st.dataframe) whose numbers read the way the chosen language writes them.

Streamlit formats a number column by the *browser's* locale ("localized") or by a printf
pattern with a decimal point, so a German page in an English browser would show "10,813" for
ten thousand eight hundred thirteen. Number columns are therefore shown as text formatted by
calc.locale, right-aligned; an empty value stays empty (never "nan" or "None").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from calc import locale
from ui.i18n import language


def localized(
    frame: pd.DataFrame,
    decimals: Mapping[str, int],
    percents: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """A copy of frame with the columns of `decimals` as text in the session's language, each
    with its number of decimals, and the shares (0.25) of `percents` as percents ("25 %")."""
    lang = language()
    return frame.assign(
        **{
            column: frame[column].map(lambda value, d=places: locale.number(value, lang, d))
            for column, places in decimals.items()
        },
        **{
            column: frame[column].map(lambda value, d=places: locale.percent(value, lang, d))
            for column, places in (percents or {}).items()
        },
    )


def number_columns(decimals: Mapping[str, int]) -> dict[str, Any]:
    """Column configs that right-align the formatted number columns, as numbers are."""
    return {column: st.column_config.TextColumn(alignment="right") for column in decimals}


def dataframe(
    frame: pd.DataFrame,
    decimals: Mapping[str, int],
    column_config: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> None:
    """st.dataframe of frame with its number columns formatted in the session's language."""
    st.dataframe(
        localized(frame, decimals),
        column_config={**number_columns(decimals), **(column_config or {})},
        **kwargs,
    )
