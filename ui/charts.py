"""The chart builders of calc.charts in the session's language, for the pages (presenter mode
reuses them with `large=True`).

calc.charts builds every chart without Streamlit, so that the reports draw the same charts; this
module only adds the language the session chose and the texts of the units. Nothing here loads
tiles or fonts, so every chart, the map included, works offline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.elements.vega_charts import _altair_globals_lock

from calc import charts as builders
from calc.charts import (
    AXIS_TEXT_COLOR,
    DECREASE_COLOR,
    GRID_COLOR,
    INCREASE_COLOR,
    MODE_COLORS,
    OFFICE_COLOR,
    TOTAL_COLOR,
    AltairChart,
)
from calc.comparison import Comparison
from ui import tables
from ui.i18n import language, t
from ui.plain import plain

__all__ = [
    "AXIS_TEXT_COLOR",
    "DECREASE_COLOR",
    "GRID_COLOR",
    "INCREASE_COLOR",
    "MODE_COLORS",
    "OFFICE_COLOR",
    "TOTAL_COLOR",
    "AltairChart",
]


def _sizes(large: bool) -> dict[str, int]:
    return builders.sizes(large)


def _finish(chart: AltairChart, large: bool) -> AltairChart:
    return builders.finish(chart, large, language())


def waterfall_frame(result: Comparison, labels: Mapping[str, str]) -> pd.DataFrame:
    """calc.comparison.waterfall in tonnes, with display texts in the session's language."""
    return builders.waterfall_frame(result, labels, language())


def signed_tonnes(kg: float, decimals: int = 1) -> str:
    """Tonnes with an explicit sign (+ or a true minus), for changes."""
    return builders.signed_tonnes(kg, language(), decimals)


def waterfall(frame: pd.DataFrame, large: bool = False) -> AltairChart:
    """Floating bars from the reference total through each effect to the current total."""
    return builders.waterfall(frame, value_title=t("unit.t"), lang=language(), large=large)


def digital_share(
    frame: pd.DataFrame, y_title: str, series: str | None = None, large: bool = False
) -> AltairChart:
    """Lines of the digital share per year; one line per value of `series` if given."""
    return builders.digital_share(frame, y_title, lang=language(), series=series, large=large)


def stacked_bar(
    frame: pd.DataFrame,
    category: str,
    value: str,
    stack: str,
    *,
    category_title: str | None = None,
    value_title: str | None = None,
    stack_order: Sequence[str] | None = None,
    stack_colors: Sequence[str] | None = None,
    category_order: Sequence[str] | None = None,
    value_format: str = ",.1f",
    horizontal: bool = False,
    large: bool = False,
) -> AltairChart:
    """Bars of `value` per `category`, stacked by `stack` (calc.charts.stacked_bar)."""
    return builders.stacked_bar(
        frame,
        category,
        value,
        stack,
        category_title=category_title,
        value_title=value_title,
        stack_order=stack_order,
        stack_colors=stack_colors,
        category_order=category_order,
        value_format=value_format,
        horizontal=horizontal,
        large=large,
        lang=language(),
    )


def heatmap(
    frame: pd.DataFrame,
    x: str,
    y: str,
    value: str,
    *,
    x_title: str | None = None,
    y_title: str | None = None,
    value_title: str,
    x_order: Sequence[str] | None = None,
    value_format: str = ",.0f",
    large: bool = False,
) -> AltairChart:
    """Cells coloured by `value`, with the number written in each cell."""
    return builders.heatmap(
        frame,
        x,
        y,
        value,
        x_title=x_title,
        y_title=y_title,
        value_title=value_title,
        x_order=x_order,
        value_format=value_format,
        large=large,
        lang=language(),
    )


def population_frame(
    split: pd.DataFrame, labels: Mapping[str, str], reference: int, current: int
) -> pd.DataFrame:
    """What population_bars draws (calc.charts.population_frame)."""
    return builders.population_frame(split, labels, reference, current)


def population_bars(
    split: pd.DataFrame, labels: Mapping[str, str], reference: int, current: int
) -> AltairChart:
    """Stacked bars of clients and staff in the two years (calc.presenter.population_split)."""
    return builders.population_bars(
        split, labels, reference, current, value_title=t("unit.t"), lang=language()
    )


# -- offline map -----------------------------------------------------------------------------


def office_map(
    offices: pd.DataFrame,
    cells: pd.DataFrame,
    *,
    cell_deg: float,
    titles: Mapping[str, str],
    large: bool = False,
) -> dict[str, Any]:
    """Offices over the clients' density grid and the offline base map (calc.charts), as the
    Vega-Lite spec that `show` draws."""
    return _office_map(offices, cells, cell_deg, dict(titles), language(), large)


@st.cache_resource(show_spinner=False, max_entries=16)
def _office_map(
    offices: pd.DataFrame,
    cells: pd.DataFrame,
    cell_deg: float,
    titles: dict[str, str],
    lang: str,
    large: bool,
) -> dict[str, Any]:
    # The base map's shapes make this the costliest chart to build and to turn into a spec: a
    # page switch back to a map already drawn (same figures, language and size) takes the
    # spec from here. `show` draws a copy of it (Streamlit moves data out of the spec it gets).
    return vega_lite_spec(
        builders.office_map(
            offices, cells, cell_deg=cell_deg, titles=titles, lang=lang, large=large
        )
    )


# -- a built chart, kept -------------------------------------------------------------------


def kept(builder: str, frame: pd.DataFrame, *args: Any, **options: Any) -> dict[str, Any]:
    """calc.charts.<builder>(frame, *args, **options) in the session's language, as the
    Vega-Lite spec that `show` draws, kept for the next run with the same frame, arguments and
    language: a page switch back does not build the same chart again (Altair's layering and
    copying took some 40 ms a chart)."""
    return _kept(builder, frame, args, tuple(sorted(options.items())), language())


@st.cache_resource(show_spinner=False, max_entries=64)
def _kept(
    builder: str,
    frame: pd.DataFrame,
    args: tuple[Any, ...],
    options: tuple[tuple[str, Any], ...],
    lang: str,
) -> dict[str, Any]:
    return vega_lite_spec(getattr(builders, builder)(frame, *args, **dict(options), lang=lang))


# -- a chart with its text alternative ------------------------------------------------------


def vega_lite_spec(chart: AltairChart) -> dict[str, Any]:
    """The chart's Vega-Lite spec, as st.altair_chart makes it but without Altair's JSON-schema
    validation: that walk over the spec took a quarter of a page run (the offices page's four
    charts), on every run, for charts that calc.charts builds the same way each time. Under
    Streamlit's lock for Altair's global settings, with its theme "none" (no default sizes)."""
    theme = alt.theme.enable("none") if alt.theme.active == "default" else nullcontext()
    with (
        _altair_globals_lock,
        theme,
        alt.data_transformers.enable("default", max_rows=None),
    ):
        return chart.to_dict(validate=False)


def summary(
    frame: pd.DataFrame,
    label: str | Sequence[str],
    value: str,
    *,
    what: str,
    unit: str,
    decimals: int | None = None,
) -> str:
    """calc.charts.summary in the session's language: what the chart shows, its largest and
    smallest value."""
    return builders.summary(
        frame, label, value, what=what, unit=unit, lang=language(), decimals=decimals
    )


def waterfall_summary(frame: pd.DataFrame, what: str) -> str:
    """calc.charts.waterfall_summary in the session's language."""
    return builders.waterfall_summary(frame, what=what, lang=language())


def waterfall_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The waterfall's bars as rows: the step, up or down in words and a shape (not only in
    colour), and the change or total as the bar's label writes it."""
    return pd.DataFrame(
        {
            t("chart.step"): frame["label"],
            t("chart.direction"): frame["kind"].map(lambda kind: t(f"chart.direction.{kind}")),
            t("unit.t"): frame["text"],
        }
    )


def show(
    chart: AltairChart | dict[str, Any],
    frame: pd.DataFrame,
    *,
    text: str,
    columns: Mapping[str, str] | None = None,
    decimals: Mapping[str, int] | None = None,
    percents: Mapping[str, int] | None = None,
    key: str | None = None,
    table: bool = True,
    **options: Any,
) -> None:
    """Draw the chart with its text alternative: `text` (from `summary` of the same frame) as
    the chart's accessible name and as a caption under it, and the frame as a table one click
    away. `columns` maps the frame's columns to the table's headers (all columns if None),
    `decimals` the number columns (by frame column) to their decimals, `percents` the share
    columns to theirs (shown as percents). `table=False` where the
    page shows the same frame as a table right beside the chart."""
    # st.vega_lite_chart moves data out of the spec it gets: a cached spec is drawn as a copy.
    spec = dict(chart) if isinstance(chart, dict) else vega_lite_spec(chart)
    if isinstance(spec.get("data"), dict):
        spec["data"] = dict(spec["data"])
    st.vega_lite_chart(spec, alt=text, key=key, **options)
    st.caption(plain(text))
    if not table:
        return
    with st.expander(t("chart.table"), icon=":material/table:"):
        shown = tables.localized(frame, decimals or {}, percents)
        names = dict(columns) if columns else {column: column for column in frame.columns}
        shown = shown[list(names)].rename(columns=names)
        numbers = [*(decimals or {}), *(percents or {}), *tables.whole_number_columns(frame)]
        st.dataframe(
            shown,
            hide_index=True,
            column_config=tables.number_columns([names[c] for c in numbers if c in names]),
        )
