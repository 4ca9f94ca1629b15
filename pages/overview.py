"""Overview: what a manager opens first. The two years, the change and why, in plain words."""

from collections.abc import Callable

import streamlit as st

from calc import comparison as calc_comparison
from calc import model, presenter, scenario, units
from ui import charts, compute, db, filters
from ui import frame as _frame
from ui.i18n import language, number, percent, t, tonnes

_frame.require()  # first request after a start: rerun through app.py

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def interval_caption(estimate: calc_comparison.Estimate, signed: bool = False) -> str:
    fmt = charts.signed_tonnes if signed else tonnes
    return t("overview.metric.range", low=fmt(estimate.low_kg), high=fmt(estimate.high_kg))


def effect_list(effects: list[tuple[str, float]]) -> str:
    return ", ".join(
        t("overview.reason", effect=t(f"effect.{name}"), amount=charts.signed_tonnes(kg))
        for name, kg in effects
    )


reference, current = filters.reference_year(), filters.current_year()
factors = compute.factors()
# The page shows no row's interval: the central rows, without the thousand draws of rows().
rows = filters.apply(compute.central_rows())
country = scenario.main_country(compute.cube())

st.title(t("overview.title"))
st.caption(t("overview.intro"))

if rows.empty:
    st.info(t("overview.empty"), icon=":material/filter_alt_off:")
    st.stop()

result = compute.comparison(
    reference, current, tuple(filters.selected_offices()), tuple(filters.selected_groups())
)
avoided = result.avoided
digital_added = avoided.net.kg < 0

# -- headline figures --------------------------------------------------------------------------
reference_col, current_col, difference_col, avoided_col = st.columns(4, border=True)
with reference_col:
    st.metric(
        t("overview.metric.reference", year=reference),
        tonnes(result.reference_kg.kg),
        help=t("overview.help.total", draws=number(result.draws)),
    )
    st.caption(interval_caption(result.reference_kg))
with current_col:
    st.metric(
        t("overview.metric.current", year=current),
        tonnes(result.current_kg.kg),
        help=t("overview.help.total", draws=number(result.draws)),
    )
    st.caption(interval_caption(result.current_kg))
with difference_col:
    st.metric(
        t("overview.metric.difference", reference=reference, current=current),
        charts.signed_tonnes(result.difference_kg.kg),
        help=t("overview.help.difference", percent=percent(result.change_share)),
    )
    st.caption(interval_caption(result.difference_kg, signed=True))
with avoided_col:
    # A negative "avoided" is said in words: the digital contacts added emissions.
    st.metric(
        t("overview.metric.added" if digital_added else "overview.metric.avoided"),
        tonnes(abs(avoided.net.kg)),
        help=t("overview.help.avoided", reference=reference, current=current),
    )
    st.caption(interval_caption(avoided.net, signed=True))

if units.shows_as_no_change(result.difference_kg.kg):
    summary_key = "overview.summary.same"
elif result.difference_kg.kg < 0:
    summary_key = "overview.summary.down"
else:
    summary_key = "overview.summary.up"
summary = [
    t(
        summary_key,
        reference=reference,
        current=current,
        change=tonnes(abs(result.difference_kg.kg)),
        percent=percent(abs(result.change_share)),
    ),
    t(
        "overview.digital.added" if digital_added else "overview.digital.avoided",
        reference=reference,
        amount=tonnes(abs(avoided.net.kg)),
        visits=number(avoided.visits_avoided),
        missing=number(max(avoided.visits_missing, 0.0)),
        replaceable=number(avoided.visits_replaceable),
    ),
]
if result.avoided_exceeds_reduction and result.effects_raising():
    reconcile_key = (
        "overview.reconcile.rise" if result.difference_kg.kg > 0 else "overview.reconcile.fall"
    )
    summary.append(t(reconcile_key, reasons=effect_list(result.effects_raising())))
st.markdown(" ".join(summary))

# -- why it changed, and who emits -------------------------------------------------------------
why_col, split_col = st.columns([3, 2], gap="large")
with why_col:
    st.header(t("overview.why.title"))
    labels = {
        "reference": str(reference),
        "current": str(current),
        **{name: t(f"effect.{name}") for name in calc_comparison.EFFECTS},
    }
    steps = charts.waterfall_frame(result, labels)
    charts.show(
        charts.kept("waterfall", steps, value_title=t("unit.t")),
        charts.waterfall_table(steps),
        text=charts.waterfall_summary(
            steps, t("overview.why.alt", reference=reference, current=current)
        ),
    )
    st.caption(t("overview.why.caption"))

with split_col:
    st.header(t("overview.split.title"))
    split = presenter.population_split(rows, reference, current)
    population_label = {
        presenter.CLIENTS: t("overview.split.clients"),
        presenter.STAFF: t("group.staff"),
    }
    bars = charts.population_frame(split, population_label, reference, current)
    charts.show(
        charts.kept(
            "population_bars", split, population_label, reference, current, value_title=t("unit.t")
        ),
        bars,
        text=charts.summary(
            bars,
            ["year", "who"],
            "t_co2e",
            what=t("overview.split.alt", reference=reference, current=current),
            unit="t",
        ),
        columns={"year": t("chart.year"), "who": t("chart.who"), "t_co2e": t("unit.t")},
        decimals={"t_co2e": 1},
    )
    kg_of = split.set_index("population")
    st.caption(
        t(
            "overview.split.caption",
            reference=reference,
            current=current,
            clients_reference=tonnes(kg_of["reference_kg"].get(presenter.CLIENTS, 0.0)),
            clients_current=tonnes(kg_of["current_kg"].get(presenter.CLIENTS, 0.0)),
            staff_reference=tonnes(kg_of["reference_kg"].get(presenter.STAFF, 0.0)),
            staff_current=tonnes(kg_of["current_kg"].get(presenter.STAFF, 0.0)),
        )
    )

# -- in plain words ----------------------------------------------------------------------------
story = presenter.story(rows, result, factors, country)
equivalents_col, saved_col = st.columns(2, gap="large")
with equivalents_col:
    st.header(t("overview.equivalents.title"))
    change_kg = abs(story.change_kg)
    if units.shows_as_no_change(change_kg):
        st.markdown(t("overview.equivalents.none"))
    else:
        direction = "reduction" if story.change_kg < 0 else "increase"
        st.markdown(t(f"overview.equivalents.{direction}", change=tonnes(change_kg)))
        for equivalent in story.equivalents:
            with st.container(border=True):
                st.markdown(
                    t(f"overview.equivalents.{equivalent.name}", amount=number(equivalent.amount))
                )
                st.caption(t("overview.equivalents.source", source=equivalent.factor.source))

with saved_col:
    st.header(t("overview.saved.title"))
    st.markdown(
        t(
            "overview.saved.less" if story.client_km_saved >= 0 else "overview.saved.more",
            km=number(abs(story.client_km_saved)),
            reference=reference,
            current=current,
        )
    )
    hours_col, money_col = st.columns(2)
    hours_col.metric(
        t("overview.saved.hours"), t("overview.hours", hours=number(story.client_hours_saved))
    )
    money_col.metric(
        t("overview.saved.money"),
        t("overview.money", amount=number(story.client_money_saved_eur)),
    )
    st.caption(
        t(
            "overview.saved.caption",
            speed=number(story.speed.value, 1),
            car_km=number(story.client_car_km_saved),
            allowance=t("overview.money", amount=number(story.allowance.value, 2)),
            speed_source=story.speed.source,
            allowance_source=story.allowance.source,
        )
    )

# -- the report to hand out --------------------------------------------------------------------
# Built only when a button is clicked (Streamlit calls the function then, outside the script
# run: no cache there), from the selection the page shows, in the page's language.
lang = language()
whole_cube = compute.cube()
selection = tuple(filters.selected_offices()), tuple(filters.selected_groups())
selected_cube = model.select(whole_cube, *selection)
demo_data = db.is_demo()


def built_by(writer: str) -> Callable[[], bytes | str]:
    """The file that calc.report's `writer` (to_pdf, to_html, to_xlsx) makes, built on click.
    calc.report (with openpyxl, fpdf and vl-convert) is imported then, not on every run."""

    def build() -> bytes | str:
        from calc import report

        # The report gives each row's interval: the rows with the simulation's draws (what
        # compute.rows() caches for the other pages), computed here, on the click.
        report_rows = model.select_rows(model.compute(whole_cube, factors), *selection)
        document = report.annual_report(
            selected_cube, factors, report_rows, reference, current, lang, demo=demo_data
        )
        return getattr(report, writer)(document)

    return build


st.divider()
file_stem = f"wegbilanz-{reference}-{current}-{lang}"
with st.container(horizontal=True, vertical_alignment="center"):
    st.markdown(t("report.download.title"))
    for suffix, mime, icon in (
        ("pdf", "application/pdf", ":material/picture_as_pdf:"),
        ("html", "text/html", ":material/print:"),
        ("xlsx", XLSX_MIME, ":material/table:"),
    ):
        st.download_button(
            t(f"report.download.{suffix}"),
            built_by(f"to_{suffix}"),
            file_name=f"{file_stem}.{suffix}",
            mime=mime,
            key=f"overview_report_{suffix}",
            icon=icon,
            on_click="ignore",
        )
st.caption(t("report.download.help"))
