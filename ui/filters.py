"""Filters shared by every page, drawn once by app.py, kept in the URL so a link shares them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from calc import model
from calc.schema import STAFF_GROUP
from ui import compute, url
from ui.i18n import t

REFERENCE_KEY = "ref"
CURRENT_KEY = "cur"
OFFICES_KEY = "offices"
GROUPS_KEY = "groups"


def draw_sidebar() -> None:
    years = compute.years()
    offices = compute.cube().offices
    groups = [*sorted(set(compute.cube().clients["group"])), STAFF_GROUP]
    st.sidebar.selectbox(
        t("filters.reference"),
        years,
        index=0,  # by default the earliest year against the latest
        key=REFERENCE_KEY,
        bind="query-params",
    )
    st.sidebar.selectbox(
        t("filters.current"),
        years,
        index=len(years) - 1,
        key=CURRENT_KEY,
        bind="query-params",
    )
    names = dict(zip(offices["office_id"], offices["name"], strict=True))
    # Offices and groups are shown by name but kept in the URL by id (?offices=KLU&groups=staff),
    # so that a link made in one language keeps its filters in another.
    url.seed(OFFICES_KEY, names, multi=True)
    st.sidebar.multiselect(
        t("filters.offices"),
        list(names),
        format_func=names.__getitem__,
        key=OFFICES_KEY,
        placeholder=t("filters.all_offices"),
    )
    url.keep(OFFICES_KEY, multi=True)
    url.seed(GROUPS_KEY, groups, multi=True)
    st.sidebar.multiselect(
        t("filters.groups"),
        groups,
        format_func=group_label,
        key=GROUPS_KEY,
        placeholder=t("filters.all_groups"),
    )
    url.keep(GROUPS_KEY, multi=True)


def group_label(group: str) -> str:
    text = t(f"group.{group}")
    return group if text == f"group.{group}" else text


def reference_year() -> int:
    return int(st.session_state.get(REFERENCE_KEY) or compute.years()[0])


def current_year() -> int:
    return int(st.session_state.get(CURRENT_KEY) or compute.years()[-1])


def selected_offices() -> list[str]:
    return list(st.session_state.get(OFFICES_KEY) or [])


def selected_groups() -> list[str]:
    return list(st.session_state.get(GROUPS_KEY) or [])


def apply(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows of the selected offices and groups (an empty selection means all)."""
    return model.select_rows(rows, selected_offices(), selected_groups())
