"""The chart builders of calc.charts in the session's language, for the pages (presenter mode
reuses them with `large=True`).

calc.charts builds every chart without Streamlit, so that the reports draw the same charts; this
module only adds the language the session chose and the texts of the units. Nothing here loads
tiles or fonts, so every chart, the map included, works offline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd
from geopy.distance import geodesic

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
from ui.i18n import language, t

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

_CIRCLE_POINTS = 72


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


def population_bars(
    split: pd.DataFrame, labels: Mapping[str, str], reference: int, current: int
) -> AltairChart:
    """Stacked bars of clients and staff in the two years (calc.presenter.population_split)."""
    return builders.population_bars(
        split, labels, reference, current, value_title=t("unit.t"), lang=language()
    )


# -- offline map -----------------------------------------------------------------------------


def circle_features(centres: pd.DataFrame) -> list[dict]:
    """GeoJSON rings of `radius_km` around each (lat, lon), as lines: a ring drawn as a
    polygon would need one winding order, and the wrong one fills the rest of the globe."""
    features = []
    for centre in centres.itertuples(index=False):
        ring = [
            geodesic(kilometers=centre.radius_km).destination((centre.lat, centre.lon), bearing)
            for bearing in range(0, 361, 360 // _CIRCLE_POINTS)
        ]
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[point.longitude, point.latitude] for point in ring],
                },
                "properties": {"name": centre.name},
            }
        )
    return features


def office_map(
    offices: pd.DataFrame,
    origins: pd.DataFrame,
    rings: list[dict],
    *,
    titles: Mapping[str, str],
    large: bool = False,
) -> AltairChart:
    """Offices (squares, named) and client origins (circles), sized by t CO2e, on a plain
    graticule. Both frames need lat, lon, name, t_co2e; origins also `visits`.
    `titles` names the fields in legend and tooltips: t_co2e, name and visits."""
    size = _sizes(large)
    points = pd.concat([offices[["lat", "lon"]], origins[["lat", "lon"]]])
    margin = 0.1
    extent = [
        [float(points["lon"].min()) - margin, float(points["lat"].min()) - margin],
        [float(points["lon"].max()) + margin, float(points["lat"].max()) + margin],
    ]
    size_scale = alt.Scale(range=[15, 1600 if large else 900], zero=True)
    grid = alt.Chart(alt.graticule(extent=extent, step=[0.25, 0.25])).mark_geoshape(
        stroke=GRID_COLOR, strokeWidth=0.5, filled=False
    )
    layers = [grid]
    if rings:
        layers.append(
            alt.Chart(
                alt.InlineData(
                    values={"type": "FeatureCollection", "features": rings},
                    format=alt.DataFormat(property="features", type="json"),
                )
            ).mark_geoshape(filled=False, stroke=OFFICE_COLOR, strokeDash=[4, 3], strokeWidth=1.5)
        )
    layers.append(
        alt.Chart(origins)
        .mark_circle(opacity=0.55, stroke="#FFFFFF", strokeWidth=0.5)
        .encode(
            longitude="lon:Q",
            latitude="lat:Q",
            size=alt.Size("t_co2e:Q", title=titles["t_co2e"], scale=size_scale),
            color=alt.Color("name:N", title=None, legend=None),
            tooltip=[
                alt.Tooltip("name:N", title=titles["name"]),
                alt.Tooltip("visits:Q", title=titles["visits"], format=",.0f"),
                alt.Tooltip("t_co2e:Q", title=titles["t_co2e"], format=",.1f"),
            ],
        )
    )
    office_marks = alt.Chart(offices).encode(longitude="lon:Q", latitude="lat:Q")
    layers.append(
        office_marks.mark_square(color=OFFICE_COLOR, opacity=0.9).encode(
            size=alt.Size("t_co2e:Q", title=titles["t_co2e"], scale=size_scale),
            tooltip=[
                alt.Tooltip("name:N", title=titles["name"]),
                alt.Tooltip("t_co2e:Q", title=titles["t_co2e"], format=",.1f"),
            ],
        )
    )
    layers.append(
        office_marks.mark_text(
            align="left", dx=12, fontWeight="bold", fontSize=size["label"]
        ).encode(text="name:N")
    )
    chart = alt.layer(*layers).project(type="mercator").properties(height=size["height"] * 1.6)
    return _finish(chart, large)
