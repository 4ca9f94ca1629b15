"""Presenter mode: full-screen slides for a projector or a booth. Big numbers, plain words,
no personal data; advanced by arrow keys, a clicker (page up/down) or a timer (?auto=10).

Every slide fits the screen from 1280×720 to 3840×2160 without scrolling: the slide's own
elements (title, statements, big number, charts, QR code) are sized by CSS clamp() against the
viewport in ui/presenter.css; the settings live in the sidebar, which starts closed.
"""

import html
import itertools
import time
from pathlib import Path

import pandas as pd
import streamlit as st

from calc import comparison as calc_comparison
from calc import presenter, privacy, saved, scenario, units
from calc.units import MINUS
from ui import charts, compute, db, filters
from ui import frame as _frame
from ui.i18n import language, number, percent, t, tonnes
from ui.plain import plain
from ui.vote_panel import presenter_controls, presenter_has_vote, presenter_slide

_frame.require()  # first request after a start: rerun through app.py

SLIDE_KEY = "slide"  # 1-based slide number, in the URL
AUTO_KEY = "auto"  # seconds per slide for a booth (0: by hand), in the URL
SCENARIO_KEY = "what_if"  # the saved scenario of the last slide, in the URL
SHOWN_AT_KEY = "presenter_shown_at"  # when the current slide appeared: the timer counts from it
MAX_AUTO_S = 600
# The slide's own sizes, scaled with the viewport (keyed containers: .st-key-<key>).
STYLE = Path(__file__).resolve().parent.parent / "ui" / "presenter.css"
SLIDE_AREA_KEY = "wb_slide"
NAV_KEY = "wb_nav"
DEMO_KEY = "wb_demo"
QR_KEY = "wb_qr"
BOX_PX = 396  # the chart box's height on a 1280×720 screen (55 vh): type sizes are set for it
AXIS_LABEL_PX, LEGEND_LABEL_PX = 180, 220  # label widths on a 1280×720 screen
SCALED_SIZES = {"fontSize", "labelFontSize", "titleFontSize", "labelLimit", "titleLimit"}
_chart_numbers = itertools.count(1)  # keys of the chart boxes, unique within a run


# -- building blocks ---------------------------------------------------------------------------


def big(text: str, in_column: bool = False) -> None:
    """The number a slide is about, large enough for the back of a room and never wider than
    its box (its size follows the viewport: ui/presenter.css)."""
    size = "wb-big wb-big-column" if in_column else "wb-big"
    st.html(f'<p class="{size}">{html.escape(text)}</p>')


def slide_chart(chart: charts.AltairChart, alt: str) -> None:
    """A chart that fills the height the slide leaves it (ui/presenter.css gives its box a
    height in viewport units; the chart stretches to it and is drawn at that size)."""
    # A fixed height makes the box one the chart can stretch into; the style sheet replaces
    # the 400 px by a share of the viewport.
    with st.container(key=f"wb_chart_{next(_chart_numbers)}", height=400, border=False):
        st.vega_lite_chart(scaled_type(chart), alt=alt, height="stretch")


def scaled_type(chart: charts.AltairChart) -> dict:
    """The chart's spec with every type size and label width as a share of its box's height
    (Vega's containerSize()), so that a 4K projector shows them as large as a 720p one does;
    never below the sizes set for a 1280×720 screen. The names of the waterfall's effects slant,
    so that none is dropped for want of room."""

    def scaled(node: object) -> object:
        if isinstance(node, dict):
            return {key: scaled_value(key, value) for key, value in node.items()}
        if isinstance(node, list):
            return [scaled(item) for item in node]
        return node

    def scaled_value(key: str, value: object) -> object:
        if key in SCALED_SIZES and isinstance(value, int | float) and value > 0:
            return {"expr": f"max({value}, containerSize()[1] * {value / BOX_PX:.5f})"}
        if key == "axis" and isinstance(value, dict) and "labelExpr" in value:
            # Named categories (the waterfall's effects) slant, so that every name fits.
            return scaled({**value, "labelAngle": -30, "labelAlign": "right", "labelLimit": 320})
        return scaled(value)

    spec = chart.to_dict()
    # Label widths too, which Streamlit's theme otherwise sets in px for a laptop screen.
    config = spec.setdefault("config", {})
    for part, limit in (("axis", AXIS_LABEL_PX), ("legend", LEGEND_LABEL_PX)):
        config.setdefault(part, {}).setdefault("labelLimit", limit)
    config.setdefault("axisX", {}).setdefault("labelOverlap", False)  # every category named
    return {key: (value if key == "datasets" else scaled(value)) for key, value in spec.items()}


def title(text: str) -> None:
    st.markdown(f"# {text}", text_alignment="center")


def statement(text: str) -> None:
    st.markdown(f"## {text}", text_alignment="center")


def signed_percent(share: float) -> str:
    if round(share * 100) == 0:
        return percent(0.0)
    return f"{'+' if share > 0 else MINUS}{percent(abs(share))}"


def privacy_note(table: presenter.SlideTable, min_people: int) -> None:
    """What the privacy rule did to this slide (or that it has nothing to show), in words the
    audience can read."""
    if table.withheld:
        st.info(t("presenter.privacy.withheld", n=min_people), icon=":material/shield_person:")
    elif table.merged:
        st.info(t("presenter.privacy.merged", n=min_people), icon=":material/shield_person:")
    elif table.table.empty:
        st.info(t("presenter.empty"), icon=":material/filter_alt_off:")


def too_few(min_people: int) -> None:
    st.info(t("presenter.privacy.too_few", n=min_people), icon=":material/shield_person:")


def office_names(frame: pd.DataFrame) -> pd.Series:
    names = dict(zip(cube.offices["office_id"], cube.offices["name"], strict=True))
    names[privacy.OTHER_OFFICES] = t("presenter.other_offices")
    return frame["office_id"].map(names)


def office_heatmap(frame: pd.DataFrame, columns: dict[str, str], description: str) -> None:
    """Offices down, the given kg columns across, t CO2e written in each cell."""
    long = frame.assign(office=office_names(frame)).melt(
        id_vars="office", value_vars=list(columns), var_name="column", value_name="kg"
    )
    long = long.assign(column=long["column"].map(columns), t_co2e=long["kg"] / units.KG_PER_T)
    slide_chart(
        charts.heatmap(
            long,
            "column",
            "office",
            "t_co2e",
            value_title=t("unit.t"),
            x_order=list(columns.values()),
            value_format=",.1f",
            large=True,
        ),
        alt=charts.summary(long, ["office", "column"], "t_co2e", what=description, unit="t"),
    )


def two_year_frame(
    table: pd.DataFrame, key: str, value: str, labels: dict[str, str]
) -> pd.DataFrame:
    """Long rows (year, label, value) of the reference_<value> and current_<value> columns."""
    year_of = {f"reference_{value}": str(reference), f"current_{value}": str(current)}
    frame = table.melt(id_vars=key, value_vars=list(year_of), value_name=value)
    return frame.assign(year=frame["variable"].map(year_of), label=frame[key].map(labels))


# -- the slides --------------------------------------------------------------------------------


def slide_headline(slides: presenter.Slides) -> None:
    comparison = slides.comparison
    title(t("presenter.headline.title", reference=slides.reference, current=slides.current))
    if comparison is None:
        too_few(slides.min_people)
        return
    big(charts.signed_tonnes(comparison.difference_kg.kg))
    statement(
        t(
            "presenter.headline.from_to",
            reference_t=tonnes(comparison.reference_kg.kg),
            current_t=tonnes(comparison.current_kg.kg),
            percent=signed_percent(comparison.change_share),
        )
    )
    net = comparison.avoided.net.kg
    # A negative saving is said in words, never as "avoided −x t".
    statement(
        t(
            "presenter.headline.added" if net < 0 else "presenter.headline.avoided",
            avoided=tonnes(abs(net)),
        )
    )
    st.caption(
        t(
            "presenter.headline.range",
            low=charts.signed_tonnes(comparison.difference_kg.low_kg),
            high=charts.signed_tonnes(comparison.difference_kg.high_kg),
        ),
        text_alignment="center",
    )


def slide_why(slides: presenter.Slides) -> None:
    title(t("presenter.why.title", reference=slides.reference, current=slides.current))
    comparison = slides.comparison
    if comparison is None:
        too_few(slides.min_people)
        return
    labels = {
        "reference": str(slides.reference),
        "current": str(slides.current),
        **{name: t(f"effect.{name}") for name in calc_comparison.EFFECTS},
    }
    steps = charts.waterfall_frame(comparison, labels)
    slide_chart(
        charts.waterfall(steps, large=True),
        alt=charts.waterfall_summary(
            steps, t("overview.why.alt", reference=slides.reference, current=slides.current)
        ),
    )


def slide_split(slides: presenter.Slides) -> None:
    title(t("presenter.split.title"))
    table = slides.populations
    if table.withheld:
        privacy_note(table, slides.min_people)
        return
    labels = {presenter.CLIENTS: t("presenter.split.clients"), presenter.STAFF: t("group.staff")}
    numbers_col, chart_col = st.columns([2, 3], gap="large", vertical_alignment="center")
    with numbers_col:
        for row in table.table.itertuples(index=False):
            statement(labels[row.population])
            big(charts.signed_tonnes(row.difference_kg), in_column=True)
            statement(f"{tonnes(row.reference_kg)} → {tonnes(row.current_kg)}")
    frame = two_year_frame(table.table, "population", "kg", labels)
    frame = frame.assign(t_co2e=frame["kg"] / units.KG_PER_T)
    with chart_col:
        slide_chart(
            charts.stacked_bar(
                frame,
                "year",
                "t_co2e",
                "label",
                value_title=t("unit.t"),
                category_order=[str(slides.reference), str(slides.current)],
                stack_order=list(labels.values()),
                large=True,
            ),
            alt=charts.summary(
                frame, ["year", "label"], "t_co2e", what=t("presenter.split.title"), unit="t"
            ),
        )


def slide_story(slides: presenter.Slides) -> None:
    story = slides.story
    if story is None:
        too_few(slides.min_people)
        return
    direction = "down" if story.change_kg < 0 else "up"
    title(t(f"presenter.story.{direction}", change=tonnes(abs(story.change_kg))))
    columns = st.columns(len(story.equivalents), gap="large")
    for column, equivalent in zip(columns, story.equivalents, strict=True):
        with column, st.container(border=True, height="stretch"):
            big(number(equivalent.amount), in_column=True)
            statement(t(f"presenter.story.{equivalent.name}"))
            st.caption(t("presenter.source", source=equivalent.factor.source))
    less = story.client_km_saved >= 0
    statement(
        t(
            f"presenter.story.clients_{'less' if less else 'more'}",
            km=number(abs(story.client_km_saved)),
            hours=number(abs(story.client_hours_saved)),
            money=number(abs(story.client_money_saved_eur)),
        )
    )


def slide_channels(slides: presenter.Slides) -> None:
    title(t("presenter.channels.title", reference=slides.reference, current=slides.current))
    table = slides.channels
    if table.table.empty:
        privacy_note(table, slides.min_people)
        return
    summary = presenter.channel_summary(table.table)
    numbers_col, chart_col = st.columns([2, 3], gap="large", vertical_alignment="center")
    with numbers_col:
        statement(t("presenter.channels.visits"))
        if summary.visits_change_share is not None:
            big(signed_percent(summary.visits_change_share), in_column=True)
        statement(
            t(
                "presenter.channels.kg",
                reference=slides.reference,
                current=slides.current,
                visits_reference=tonnes(summary.visits_reference_kg),
                visits_current=tonnes(summary.visits_current_kg),
                remote_current=tonnes(summary.remote_current_kg),
            )
        )
    labels = {a: t(f"activity.{a}") for a in table.table["activity"]}
    counts = two_year_frame(table.table, "activity", "count", labels)
    with chart_col:
        slide_chart(
            charts.stacked_bar(
                counts,
                "year",
                "count",
                "label",
                value_title=t("presenter.channels.contacts"),
                category_order=[str(slides.reference), str(slides.current)],
                stack_order=list(labels.values()),
                value_format=",.0f",
                large=True,
            ),
            alt=charts.summary(
                counts,
                ["year", "label"],
                "count",
                what=t(
                    "presenter.channels.alt", reference=slides.reference, current=slides.current
                ),
                unit="number",
            ),
        )


def slide_digital(slides: presenter.Slides) -> None:
    table = slides.digital_share
    title(t("presenter.digital.title"))
    if table.table.empty:
        privacy_note(table, slides.min_people)
        return
    latest = table.table.iloc[-1]
    numbers_col, chart_col = st.columns([2, 3], gap="large", vertical_alignment="center")
    with numbers_col:
        statement(t("presenter.digital.share", year=int(latest["year"])))
        big(percent(latest["digital_share"]), in_column=True)
    with chart_col:
        shares = table.table.rename(columns={"digital_share": "share"})
        slide_chart(
            charts.digital_share(shares, t("presenter.digital.axis"), large=True),
            alt=charts.summary(
                shares, "year", "share", what=t("presenter.digital.title"), unit="share"
            ),
        )
    privacy_note(table, slides.min_people)


def slide_offices(slides: presenter.Slides) -> None:
    title(t("presenter.offices.title"))
    table = slides.offices
    if table.table.empty:
        privacy_note(table, slides.min_people)
        return
    office_heatmap(
        table.table.sort_values("difference_kg"),
        {
            "reference_kg": str(slides.reference),
            "current_kg": str(slides.current),
            "difference_kg": t("presenter.offices.change"),
        },
        t("presenter.offices.title"),
    )
    privacy_note(table, slides.min_people)


def slide_scenario(slides: presenter.Slides) -> None:
    name = st.session_state.get(SCENARIO_KEY) or scenario_names[0]
    what_if = saved.load(db.cursor(), name)
    title(t("presenter.scenario.title", name=plain(name)))
    try:
        shown = compute.scenario_slide(what_if)
    except scenario.ScenarioError:
        statement(t("presenter.scenario.unavailable", year=what_if.base_year))
        return
    result = shown.result
    if result is None:
        too_few(slides.min_people)
        return
    numbers_col, offices_col = st.columns([2, 3], gap="large", vertical_alignment="center")
    with numbers_col:
        adds = result.saved_kg < 0  # said in words, never "saves −x t"
        statement(
            t(
                "presenter.scenario.added" if adds else "presenter.scenario.saved",
                year=what_if.base_year,
            )
        )
        big(tonnes(abs(result.saved_kg)), in_column=True)
        statement(
            t(
                "presenter.scenario.range",
                low=tonnes(result.saved_kg_range[0]),
                high=tonnes(result.saved_kg_range[1]),
            )
        )
    with offices_col:
        if not shown.offices.table.empty:
            office_heatmap(
                shown.offices.table.sort_values("saved_kg", ascending=False),
                {
                    "base_kg": str(what_if.base_year),
                    "scenario_kg": t("presenter.scenario.column"),
                    "saved_kg": t("presenter.scenario.saved_column"),
                },
                t("presenter.scenario.title", name=name),
            )
        privacy_note(shown.offices, slides.min_people)
    st.caption(t("presenter.scenario.scope"), text_alignment="center")


def slide_closing(slides: presenter.Slides) -> None:
    """The link that reproduces this deck, as a QR code the audience can scan."""
    title(t("presenter.closing.title"))
    link = presenter.deck_link(
        st.context.url,
        language(),
        slides.reference,
        slides.current,
        filters.selected_offices(),
        filters.selected_groups(),
        st.session_state.get(SCENARIO_KEY) if scenario_names else None,
    )
    with st.container(key=QR_KEY, horizontal_alignment="center"):
        st.image(presenter.qr_svg(link), caption=None)
    statement(t("presenter.closing.scan"))
    st.caption(plain(link), text_alignment="center")


# -- navigation --------------------------------------------------------------------------------


def go(step: int) -> None:
    current_slide = st.session_state.get(SLIDE_KEY) or 1
    st.session_state[SLIDE_KEY] = (current_slide - 1 + step) % len(deck) + 1
    st.session_state[SHOWN_AT_KEY] = time.monotonic()


def restart_timer() -> None:
    st.session_state[SHOWN_AT_KEY] = time.monotonic()


reference, current = filters.reference_year(), filters.current_year()
factors = compute.factors()
cube = compute.cube()
rows = filters.apply(compute.rows())
scenario_names = saved.names(db.cursor())

deck = [
    slide_headline,
    slide_why,
    slide_split,
    slide_story,
    slide_channels,
    slide_digital,
    slide_offices,
    *([slide_scenario] if scenario_names else []),
    *([presenter_slide] if presenter_has_vote() else []),
    slide_closing,
]
st.html(STYLE)  # the slide's sizes; a style sheet alone takes no room on the page
if db.is_demo():
    with st.container(key=DEMO_KEY):
        st.caption(t("presenter.demo"))
# In the sidebar (closed on a projector), outside the fragment: a new timer reruns the page, and
# the fragment takes the new interval.
with st.sidebar:
    st.subheader(t("presenter.settings"))
    auto_s = st.number_input(
        t("presenter.auto"),
        min_value=0,
        max_value=MAX_AUTO_S,
        step=5,
        key=AUTO_KEY,
        bind="query-params",
        help=t("presenter.auto.help"),
    )
    if scenario_names:
        st.selectbox(
            t("presenter.scenario.choose"), scenario_names, key=SCENARIO_KEY, bind="query-params"
        )
    st.caption(t("presenter.keys"))
    presenter_controls(
        scenario_names,
        SLIDE_KEY,
        deck.index(presenter_slide) + 1 if presenter_slide in deck else None,
    )


@st.fragment(run_every=auto_s or None)
def show() -> None:
    if (st.session_state.get(SLIDE_KEY) or 1) > len(deck):
        st.session_state[SLIDE_KEY] = 1  # the URL asked for a slide this deck does not have
    st.session_state.setdefault(SHOWN_AT_KEY, time.monotonic())
    # The timer reruns this fragment every auto_s seconds; clicks rerun it too, but they have
    # just restarted the clock, so only the timer's own runs move on.
    if auto_s and time.monotonic() - st.session_state[SHOWN_AT_KEY] >= auto_s * 0.95:
        go(+1)
    if rows.empty:
        st.info(t("presenter.empty"), icon=":material/filter_alt_off:")
        return
    slides = compute.slides(
        reference,
        current,
        tuple(filters.selected_offices()),
        tuple(filters.selected_groups()),
    )
    # The slide sits above the buttons but is drawn after them: on a first visit the slide
    # number in the URL reaches the session only when its widget is drawn.
    if SLIDE_KEY not in st.query_params and st.session_state.get(SLIDE_KEY) is None:
        st.session_state[SLIDE_KEY] = 1  # the picker shows the first slide as the one shown
    slide_area = st.container(key=SLIDE_AREA_KEY)
    with st.container(
        key=NAV_KEY, horizontal=True, horizontal_alignment="center", vertical_alignment="center"
    ):
        # Presentation clickers send page up and page down; keyboards use the arrows.
        st.button(
            ":material/keyboard_double_arrow_left:",
            key="clicker_back",
            type="tertiary",
            help=t("presenter.clicker_back"),
            on_click=go,
            args=(-1,),
            shortcut="PageUp",
        )
        st.button(
            t("presenter.back"),
            icon=":material/arrow_back:",
            key="back",
            on_click=go,
            args=(-1,),
            shortcut="Left",
        )
        st.segmented_control(
            t("presenter.slide"),
            list(range(1, len(deck) + 1)),
            key=SLIDE_KEY,
            bind="query-params",
            required=True,
            label_visibility="collapsed",
            on_change=restart_timer,
        )
        st.button(
            t("presenter.next"),
            icon=":material/arrow_forward:",
            icon_position="right",
            key="next",
            type="primary",
            on_click=go,
            args=(+1,),
            shortcut="Right",
        )
        st.button(
            ":material/keyboard_double_arrow_right:",
            key="clicker_next",
            type="tertiary",
            help=t("presenter.clicker_next"),
            on_click=go,
            args=(+1,),
            shortcut="PageDown",
        )
    with slide_area:
        deck[(st.session_state.get(SLIDE_KEY) or 1) - 1](slides)


show()
