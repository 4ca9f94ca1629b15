"""Altair chart builders, without Streamlit: the pages (through ui.charts, which adds the
session's language) and the reports (calc.report, which renders them to vector images) draw every
chart from the same builder.

Each builder takes a tidy DataFrame whose label columns are already translated, and `lang` for
the numbers on axes and tooltips; `large` sizes text for a projector. Nothing here loads tiles or
fonts, so every chart works offline.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd

from calc import locale
from calc.basemap import features_near
from calc.comparison import Comparison
from calc.comparison import waterfall as comparison_waterfall
from calc.units import KG_PER_T, MINUS

# Okabe-Ito colours: distinct for colour-blind viewers and on a washed-out projector.
INCREASE_COLOR = "#D55E00"
DECREASE_COLOR = "#009E73"
TOTAL_COLOR = "#3B3B3B"
OFFICE_COLOR = "#000000"
GRID_COLOR = "#C8C8C8"
# Darker than the theme's faded axis text, which a projector washes out.
AXIS_TEXT_COLOR = "#333333"

# One colour per means of travel on every chart, whichever modes a chart happens to show.
MODE_COLORS = {
    "car": "#E69F00",
    "ev": "#F5C76B",
    "motorbike": "#8C6D1F",
    "pt": "#0072B2",
    "bus": "#3E8FC7",
    "rail": "#56B4E9",
    "tram": "#9AD0F0",
    "plane": "#D55E00",
    "bike": "#009E73",
    "ebike": "#66C2A5",
    "walk": "#CC79A7",
}

# What st.altair_chart accepts: every top-level chart that the builders here return.
AltairChart = (
    alt.Chart
    | alt.LayerChart
    | alt.HConcatChart
    | alt.VConcatChart
    | alt.ConcatChart
    | alt.FacetChart
    | alt.RepeatChart
)


def sizes(large: bool) -> dict[str, int]:
    return (
        {"label": 20, "title": 22, "text": 24, "height": 480}
        if large
        else {"label": 12, "title": 13, "text": 13, "height": 320}
    )


def finish(chart: AltairChart, large: bool, lang: str) -> AltairChart:
    """The shared look: text sizes, axis colours, legend below, and numbers and dates in the
    language's format (d3 locales from calc.locale, the same as the page text)."""
    size = sizes(large)
    return (
        chart.configure(
            locale={
                "number": locale.d3_number_locale(lang),
                "time": locale.d3_time_locale(lang),
            }
        )
        .configure_axis(
            labelFontSize=size["label"],
            titleFontSize=size["title"],
            labelColor=AXIS_TEXT_COLOR,
            titleColor=AXIS_TEXT_COLOR,
        )
        .configure_legend(
            labelFontSize=size["label"],
            titleFontSize=size["title"],
            labelColor=AXIS_TEXT_COLOR,
            titleColor=AXIS_TEXT_COLOR,
            orient="bottom",
        )
        .configure_text(fontSize=size["text"])
    )


# -- waterfall of the decomposition ----------------------------------------------------------


def waterfall_frame(result: Comparison, labels: Mapping[str, str], lang: str) -> pd.DataFrame:
    """calc.comparison.waterfall in tonnes, with display texts; `labels` maps `reference`,
    `current` and every effect name to its label."""
    steps = comparison_waterfall(result)
    text = [
        locale.tonnes(kg, lang) if kind == "total" else signed_tonnes(kg, lang)
        for kind, kg in zip(steps["kind"], steps["kg"], strict=True)
    ]
    return pd.DataFrame(
        {
            "step": steps["step"],
            "label": steps["step"].map(labels),
            "kind": steps["kind"],
            "t_co2e": steps["kg"] / KG_PER_T,
            "start_t_co2e": steps["start_kg"] / KG_PER_T,
            "end_t_co2e": steps["end_kg"] / KG_PER_T,
            "text": text,
        }
    )


def signed_tonnes(kg: float, lang: str, decimals: int = 1) -> str:
    """Tonnes with an explicit sign (+ or a true minus), for changes."""
    text = locale.tonnes(abs(kg), lang, decimals)
    if round(kg / KG_PER_T, decimals) == 0:
        return text
    return f"+{text}" if kg > 0 else f"{MINUS}{text}"


def waterfall(
    frame: pd.DataFrame, *, value_title: str, lang: str, large: bool = False
) -> AltairChart:
    """Floating bars from the reference total through each effect to the current total."""
    size = sizes(large)
    top = frame.assign(top_t_co2e=frame[["start_t_co2e", "end_t_co2e"]].max(axis=1))
    # The x field is the step, not its label: with the same year twice, labels would merge.
    labels = json.dumps(dict(zip(frame["step"], frame["label"], strict=True)))
    axis = alt.Axis(labelAngle=0, labelLimit=240, labelExpr=f"{labels}[datum.value]")
    base = alt.Chart(top).encode(x=alt.X("step:N", sort=list(frame["step"]), title=None, axis=axis))
    bars = base.mark_bar(size=size["height"] // 6).encode(
        y=alt.Y("start_t_co2e:Q", title=value_title),
        y2="end_t_co2e:Q",
        color=alt.Color(
            "kind:N",
            scale=alt.Scale(
                domain=["total", "increase", "decrease"],
                range=[TOTAL_COLOR, INCREASE_COLOR, DECREASE_COLOR],
            ),
            legend=None,
        ),
        tooltip=[
            alt.Tooltip("label:N", title=" "),
            alt.Tooltip("text:N", title=value_title),
        ],
    )
    labels = base.mark_text(baseline="bottom", dy=-4, fontWeight="bold").encode(
        y="top_t_co2e:Q", text="text:N"
    )
    return finish((bars + labels).properties(height=size["height"]), large, lang)


# -- digital share over the years ------------------------------------------------------------


def digital_share(
    frame: pd.DataFrame, y_title: str, *, lang: str, series: str | None = None, large: bool = False
) -> AltairChart:
    """Lines of the digital share per year; one line per value of `series` if given."""
    size = sizes(large)
    encoding = {
        "x": alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
        "y": alt.Y(
            "share:Q",
            title=y_title,
            axis=alt.Axis(format=".0%"),
            scale=alt.Scale(domain=[0, 1]),
        ),
        "tooltip": [
            alt.Tooltip("year:O", title=" "),
            alt.Tooltip("share:Q", title=y_title, format=".1%"),
        ],
    }
    if series:
        encoding["color"] = alt.Color(f"{series}:N", title=None, legend=alt.Legend(columns=4))
        encoding["tooltip"] = [alt.Tooltip(f"{series}:N", title=" "), *encoding["tooltip"]]
    chart = (
        alt.Chart(frame)
        .mark_line(point=alt.OverlayMarkDef(size=12 * size["label"]), strokeWidth=4 if large else 2)
        .encode(**encoding)
        .properties(height=size["height"])
    )
    return finish(chart, large, lang)


# -- generic bars and heatmap ----------------------------------------------------------------


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
    lang: str,
) -> AltairChart:
    """Bars of `value` per `category`, stacked by `stack`.

    `stack_order` fixes the stacking order and legend, `stack_colors` (same length) the
    colours; `horizontal` suits long category names.
    """
    size = sizes(large)
    color = alt.Color(f"{stack}:N", title=None)
    extra = {}
    if stack_order:
        palette = list(stack_colors) if stack_colors else alt.Undefined
        scale = alt.Scale(domain=list(stack_order), range=palette)
        color = alt.Color(f"{stack}:N", title=None, scale=scale)
        rank = {label: i for i, label in enumerate(stack_order)}
        frame = frame.assign(stack_rank=frame[stack].map(rank))
        extra["order"] = alt.Order("stack_rank:Q")
    sort = list(category_order) if category_order else None
    categories: alt.X | alt.Y
    values: alt.X | alt.Y
    height: alt.Step | int
    if horizontal:
        categories = alt.Y(
            f"{category}:N", sort=sort, title=category_title, axis=alt.Axis(labelLimit=260)
        )
        values = alt.X(f"{value}:Q", title=value_title, stack="zero")
        height = alt.Step(44 if large else 30)  # per bar, so few or many bars all read well
    else:
        categories = alt.X(
            f"{category}:N",
            sort=sort,
            title=category_title,
            axis=alt.Axis(labelAngle=0, labelLimit=200),
        )
        values = alt.Y(f"{value}:Q", title=value_title, stack="zero")
        height = size["height"]
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            categories,
            values,
            color=color,
            tooltip=[
                alt.Tooltip(f"{category}:N", title=category_title or " "),
                alt.Tooltip(f"{stack}:N", title=" "),
                alt.Tooltip(f"{value}:Q", title=value_title or " ", format=value_format),
            ],
            **extra,
        )
        .properties(height=height)
    )
    return finish(chart, large, lang)


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
    lang: str,
) -> AltairChart:
    """Cells coloured by `value`, with the number written in each cell."""
    size = sizes(large)
    # Dark text on light cells and light text on dark cells keeps every number readable.
    threshold = (float(frame[value].min()) + float(frame[value].max())) / 2 if len(frame) else 0.0
    base = alt.Chart(frame).encode(
        x=alt.X(
            f"{x}:N",
            sort=list(x_order) if x_order else None,
            title=x_title,
            axis=alt.Axis(labelAngle=0, orient="top", labelOverlap=False),
        ),
        y=alt.Y(f"{y}:N", title=y_title, sort=None, axis=alt.Axis(labelLimit=260)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(f"{value}:Q", title=value_title, legend=None),
        tooltip=[
            alt.Tooltip(f"{y}:N", title=y_title or " "),
            alt.Tooltip(f"{x}:N", title=x_title or " "),
            alt.Tooltip(f"{value}:Q", title=value_title, format=value_format),
        ],
    )
    numbers = base.mark_text(fontSize=size["label"]).encode(
        text=alt.Text(f"{value}:Q", format=value_format),
        color=alt.condition(
            alt.datum[value] > threshold, alt.value("#FFFFFF"), alt.value("#000000")
        ),
    )
    height = alt.Step(44 if large else 30)  # per row, so few or many rows all read well
    return finish((cells + numbers).properties(height=height, width="container"), large, lang)


def population_frame(
    split: pd.DataFrame, labels: Mapping[str, str], reference: int, current: int
) -> pd.DataFrame:
    """What population_bars draws: year, who (labels of split's populations) and t_co2e."""
    years = {"reference_kg": str(reference), "current_kg": str(current)}
    long = split.melt(id_vars="population", value_vars=list(years), value_name="kg")
    return pd.DataFrame(
        {
            "year": long["variable"].map(years),
            "who": long["population"].map(labels),
            "t_co2e": long["kg"] / KG_PER_T,
        }
    )


def population_bars(
    split: pd.DataFrame,
    labels: Mapping[str, str],
    reference: int,
    current: int,
    *,
    value_title: str,
    lang: str,
) -> AltairChart:
    """Stacked bars of clients and staff in the two years (calc.presenter.population_split)."""
    frame = population_frame(split, labels, reference, current)
    years = [str(reference), str(current)]
    return stacked_bar(
        frame,
        "year",
        "t_co2e",
        "who",
        value_title=value_title,
        category_order=years,
        stack_order=[labels[p] for p in split["population"]],
        lang=lang,
    )


# -- the offline map -------------------------------------------------------------------------

LAND_COLOR = "#F4F1EA"
BORDER_COLOR = "#8A8A8A"
REGION_BORDER_COLOR = "#B4B0A8"
WATER_COLOR = "#A9CCE3"
RIVER_COLOR = "#7FB3D5"


def _geojson(features: Sequence[dict]) -> alt.InlineData:
    return alt.InlineData(
        values={"type": "FeatureCollection", "features": list(features)},
        format=alt.DataFormat(property="features", type="json"),
    )


def map_extent(points: pd.DataFrame, margin_deg: float = 0.12) -> tuple[float, float, float, float]:
    """lon_min, lat_min, lon_max, lat_max around the points (lat, lon) with a margin."""
    return (
        float(points["lon"].min()) - margin_deg,
        float(points["lat"].min()) - margin_deg,
        float(points["lon"].max()) + margin_deg,
        float(points["lat"].max()) + margin_deg,
    )


def _cell_features(cells: pd.DataFrame, cell_deg: float) -> list[dict]:
    """Each density cell as a square polygon, its figures as properties. Rings run clockwise
    (d3-geo's outside-is-inside rule: the other way round a square would cover the globe)."""
    half = cell_deg / 2
    features = []
    for cell in cells.itertuples(index=False):
        west, east = cell.lon - half, cell.lon + half
        south, north = cell.lat - half, cell.lat + half
        ring = [[west, south], [west, north], [east, north], [east, south], [west, south]]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {
                    "clients": float(cell.clients),
                    "visits": float(cell.visits),
                    "t_co2e": float(cell.t_co2e),
                },
            }
        )
    return features


def office_map(
    offices: pd.DataFrame,
    cells: pd.DataFrame,
    *,
    cell_deg: float,
    titles: Mapping[str, str],
    lang: str,
    large: bool = False,
) -> AltairChart:
    """Offices (squares sized by t CO2e, labelled) over a density grid of the clients' homes
    (cells of `cell_deg` degrees coloured by t CO2e: calc.origins.density_cells) and the
    offline base map around them (calc.basemap: borders, regional borders, lakes, rivers).
    `offices` needs lat, lon, name, t_co2e (empty where hidden); `cells` lat, lon, clients,
    visits, t_co2e. `titles` names t_co2e, name, visits and clients in legend and tooltips."""
    size = sizes(large)
    points = pd.concat([offices[["lat", "lon"]], cells[["lat", "lon"]]])
    west, south, east, north = map_extent(points)
    basemap = features_near((west, south, east, north))
    frame = {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [[west, south], [west, north], [east, north], [east, south], [west, south]]
            ],
        },
        "properties": {},
    }
    # The base map is background: out of the accessibility tree (aria=False), where Vega would
    # give each of its layers a role and no name (axe's svg-img-alt).
    layers: list[alt.Chart] = []
    if basemap.get("country"):
        layers.append(
            alt.Chart(_geojson(basemap["country"])).mark_geoshape(
                fill=LAND_COLOR, stroke=BORDER_COLOR, strokeWidth=1.2, clip=True, aria=False
            )
        )
    if basemap.get("admin1"):
        layers.append(
            alt.Chart(_geojson(basemap["admin1"])).mark_geoshape(
                filled=False,
                stroke=REGION_BORDER_COLOR,
                strokeWidth=0.8,
                strokeDash=[4, 2],
                clip=True,
                aria=False,
            )
        )
    if basemap.get("lake"):
        layers.append(
            alt.Chart(_geojson(basemap["lake"])).mark_geoshape(
                fill=WATER_COLOR, stroke=RIVER_COLOR, strokeWidth=0.5, clip=True, aria=False
            )
        )
    if basemap.get("river"):
        layers.append(
            alt.Chart(_geojson(basemap["river"])).mark_geoshape(
                filled=False, stroke=RIVER_COLOR, strokeWidth=1.6, clip=True, aria=False
            )
        )
    if not cells.empty:
        layers.append(
            alt.Chart(_geojson(_cell_features(cells, cell_deg)))
            .mark_geoshape(opacity=0.75, stroke=None, clip=True)
            .encode(
                color=alt.Color(
                    "properties.t_co2e:Q",
                    title=titles["t_co2e"],
                    scale=alt.Scale(scheme="orangered"),
                    legend=alt.Legend(orient="bottom", gradientLength=220, format=",.1f"),
                ),
                tooltip=[
                    alt.Tooltip("properties.clients:Q", title=titles["clients"], format=",.0f"),
                    alt.Tooltip("properties.visits:Q", title=titles["visits"], format=",.0f"),
                    alt.Tooltip("properties.t_co2e:Q", title=titles["t_co2e"], format=",.1f"),
                ],
            )
        )
    office_marks = alt.Chart(offices).encode(longitude="lon:Q", latitude="lat:Q")
    layers.append(
        office_marks.mark_square(color=OFFICE_COLOR, opacity=0.9, size=120 if large else 70).encode(
            tooltip=[
                alt.Tooltip("name:N", title=titles["name"]),
                alt.Tooltip("t_co2e:Q", title=titles["t_co2e"], format=",.1f"),
            ],
        )
    )
    # A white halo under each name keeps it readable over cells, borders and rivers.
    for halo in (True, False):
        layers.append(
            office_marks.mark_text(
                align="left",
                dx=9,
                dy=-7,
                fontWeight="bold",
                fontSize=size["label"],
                color=OFFICE_COLOR,
                stroke="#FFFFFF" if halo else alt.Undefined,
                strokeWidth=3 if halo else alt.Undefined,
                strokeJoin="round" if halo else alt.Undefined,
            ).encode(text="name:N")
        )
    chart = (
        alt.layer(*layers)
        .project(type="mercator", fit=frame)
        .properties(height=size["height"] * 1.6, width="container")
    )
    return finish(chart, large, lang)


# -- text alternatives -----------------------------------------------------------------------
# Every chart on a page has a one-sentence summary (what it shows, its largest and smallest
# values) and its table beside it, both from the frame the chart is drawn from (ui.charts.show).

# How a chart's values read in words: tonnes, a share, or a plain number.
SUMMARY_UNITS = ("t", "kg", "share", "number")


def extremes(frame: pd.DataFrame, label: str | Sequence[str], value: str) -> pd.Series:
    """`value` summed per label (a column, or several joined with " · "), largest first; the
    labels in the order of the frame where values tie. Rows without a value are left out."""
    columns = [label] if isinstance(label, str) else list(label)
    shown = frame.dropna(subset=[value])
    if shown.empty:
        return pd.Series(dtype=float)
    # Column-wise joins: a row-wise agg(" · ".join) took 40 ms for a 600-row frame.
    texts = [shown[column].astype(str) for column in columns]
    names = texts[0].str.cat(texts[1:], sep=" · ") if len(texts) > 1 else texts[0]
    totals = shown[value].groupby(names.rename(None), sort=False).sum()
    return totals.sort_values(ascending=False, kind="stable")


def format_value(value: float, unit: str, lang: str, decimals: int | None = None) -> str:
    """A chart value in words: tonnes ("1,234.5 t"), kilograms, a share ("25%") or a number."""
    if unit == "t":
        return locale.tonnes(value * KG_PER_T, lang, 1 if decimals is None else decimals)
    if unit == "kg":
        return f"{locale.number(value, lang, 1 if decimals is None else decimals)} kg"
    if unit == "share":
        return locale.percent(value, lang, 1 if decimals is None else decimals)
    if unit == "number":
        return locale.number(value, lang, 0 if decimals is None else decimals)
    raise ValueError(f"unknown unit {unit!r}; one of {SUMMARY_UNITS}")


def summary(
    frame: pd.DataFrame,
    label: str | Sequence[str],
    value: str,
    *,
    what: str,
    unit: str,
    lang: str,
    decimals: int | None = None,
) -> str:
    """One sentence: what the chart shows, its largest and its smallest value (of `value` summed
    per label, as a stacked bar shows it), in the language lang."""
    totals = extremes(frame, label, value)
    what = what.rstrip(". ")
    if totals.empty:
        return locale.text("chart.summary.empty", lang, what=what)
    if len(totals) == 1 or totals.iloc[0] == totals.iloc[-1]:
        return locale.text(
            "chart.summary.one",
            lang,
            what=what,
            label=totals.index[0],
            value=format_value(float(totals.iloc[0]), unit, lang, decimals),
        )
    return locale.text(
        "chart.summary",
        lang,
        what=what,
        largest=totals.index[0],
        largest_value=format_value(float(totals.iloc[0]), unit, lang, decimals),
        smallest=totals.index[-1],
        smallest_value=format_value(float(totals.iloc[-1]), unit, lang, decimals),
    )


def waterfall_summary(frame: pd.DataFrame, *, what: str, lang: str) -> str:
    """The waterfall in one sentence: from the first total to the last, the largest increase
    and the largest decrease (of waterfall_frame, in tonnes)."""
    totals = frame[frame["kind"] == "total"]
    effects = frame[frame["kind"] != "total"].sort_values("t_co2e", kind="stable")
    sentence = locale.text(
        "chart.waterfall.summary",
        lang,
        what=what.rstrip(". "),
        first=totals["label"].iloc[0],
        first_value=format_value(float(totals["t_co2e"].iloc[0]), "t", lang),
        last=totals["label"].iloc[-1],
        last_value=format_value(float(totals["t_co2e"].iloc[-1]), "t", lang),
    )
    parts = [sentence]
    rises = effects[effects["t_co2e"] > 0]
    falls = effects[effects["t_co2e"] < 0]
    if not rises.empty:
        parts.append(
            locale.text(
                "chart.waterfall.increase",
                lang,
                label=rises["label"].iloc[-1],
                value=signed_tonnes(float(rises["t_co2e"].iloc[-1]) * KG_PER_T, lang),
            )
        )
    if not falls.empty:
        parts.append(
            locale.text(
                "chart.waterfall.decrease",
                lang,
                label=falls["label"].iloc[0],
                value=signed_tonnes(float(falls["t_co2e"].iloc[0]) * KG_PER_T, lang),
            )
        )
    return "; ".join(parts) + "."
