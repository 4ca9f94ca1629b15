"""Reports worth handing out: the annual report and the workshop plan, as PDF, HTML or Excel.

A report is built once as a Document (sections of paragraphs, tables and charts, every text and
number already in the chosen language) and then written by one of three writers:

- PDF (fpdf2): A4 pages in Noto Sans (shipped by the pip package fontpkg-noto-sans; nothing is
  downloaded), charts as vector graphics: the Altair specs of calc.charts, the same builders the
  pages use, rendered to SVG by vl-convert with no network access;
- HTML: one self-contained, printable page, charts inline as SVG, system fonts, no links out;
- Excel (calc.xlsx): one sheet per table with number formats, text as text.

Empty is empty everywhere: no NaN, NaT or None reaches a file.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from calc import charts, comparison, indicators, locale, model, privacy, simulation, xlsx
from calc.factors import FactorSet
from calc.schema import STAFF_GROUP, Activity, Channel
from calc.units import KG_PER_T
from calc.workshop import STATUSES, Progress, plan_sheets

FORMATS = (".pdf", ".html", ".htm", ".xlsx")
Kind = xlsx.Kind


class UnsupportedFormatError(ValueError):
    """The requested report format cannot be written here."""


# -- the document ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A table with display headers; `kinds` says how each column's numbers are written."""

    title: str
    frame: pd.DataFrame
    kinds: Mapping[str, xlsx.Kind] = field(default_factory=dict)
    widths: Sequence[float] = ()  # relative column widths on paper; equal when empty


@dataclass(frozen=True)
class Chart:
    """A Vega-Lite spec (from a calc.charts builder) with a text alternative."""

    spec: dict[str, Any]
    alt: str
    width_mm: float = 170.0


@dataclass(frozen=True)
class Section:
    title: str
    blocks: Sequence[str | Table | Chart]
    landscape: bool = False  # on paper: starts a landscape page (wide tables)


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    lang: str
    sections: Sequence[Section]
    notice: str = ""  # shown boxed under the title (the demo notice)


def cell_text(value: object, kind: xlsx.Kind, lang: str) -> str:
    """A cell as written on paper: numbers in the language's format, empty for missing."""
    if xlsx.is_empty(value) or value == "":
        return ""
    if kind == Kind.TONNES:
        return locale.number(float(value), lang, 1)  # type: ignore[arg-type]
    if kind == Kind.PERCENT:
        return locale.percent(float(value), lang, 1)  # type: ignore[arg-type]
    if kind == Kind.INTEGER:
        return locale.number(float(value), lang, 0)  # type: ignore[arg-type]
    if kind == Kind.NUMBER:
        return locale.number(float(value), lang, 2)  # type: ignore[arg-type]
    if kind == Kind.DECIMAL:
        return significant(float(value), lang)  # type: ignore[arg-type]
    if kind == Kind.YEAR:
        return str(int(value))  # type: ignore[call-overload]
    if kind in (Kind.DATE, Kind.DATETIME):
        return locale.date(pd.Timestamp(value).date(), lang)
    return str(value)


def significant(value: float, lang: str, digits: int = 3) -> str:
    """A factor's value with `digits` significant digits (0.000412, 0.171, 1,234)."""
    if value == 0:
        return locale.number(0.0, lang, 0)
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    return locale.number(value, lang, min(decimals, 8))


# -- the annual report -----------------------------------------------------------------------


def annual_report(
    cube: model.Cube,
    factors: FactorSet,
    rows: pd.DataFrame,
    reference: int,
    current: int,
    lang: str,
    *,
    demo: bool = False,
    today: dt.date | None = None,
    min_people: int | None = None,
) -> Document:
    """The annual report of `rows` (model.compute of the cube): headline with its interval,
    the decomposition, per office and channel, staff and home office, the method in short and
    every factor with its source."""

    def tx(key: str, **values: object) -> str:
        return locale.text(key, lang, **values)

    today = today or dt.date.today()
    min_people = privacy.min_people_per_cell() if min_people is None else min_people
    result = comparison.compare(cube, factors, reference, current)
    names = dict(zip(cube.offices["office_id"], cube.offices["name"], strict=True))
    names[privacy.OTHER_OFFICES] = tx("report.offices.other")
    sections = [
        _headline(result, lang),
        _why(result, lang),
        _offices(cube, rows, current, names, min_people, lang),
        _staff(cube, rows, min_people, lang),
        _method(lang),
        _factors(cube, factors, reference, current, lang),
    ]
    return Document(
        title=tx("report.title", reference=reference, current=current),
        subtitle=tx("report.subtitle", date=locale.date(today, lang, "long")),
        lang=lang,
        sections=[s for s in sections if s.blocks],
        notice=tx("report.demo") if demo else "",
    )


def _headline(result: comparison.Comparison, lang: str) -> Section:
    def tx(key: str, **values: object) -> str:
        return locale.text(key, lang, **values)

    reference, current = result.reference, result.current
    difference = result.difference_kg
    share = difference.kg / result.reference_kg.kg if result.reference_kg.kg else 0.0
    # Words carry the direction, numbers their size: "fell by 512.3 t (−20 %)".
    sentence = tx(
        "report.headline.down" if difference.kg < 0 else "report.headline.up",
        reference=reference,
        current=current,
        change=locale.tonnes(abs(difference.kg), lang),
        percent=locale.percent(share, lang),
        low=locale.tonnes(min(abs(difference.low_kg), abs(difference.high_kg)), lang)
        if difference.low_kg * difference.high_kg > 0
        else charts.signed_tonnes(difference.low_kg, lang),
        high=locale.tonnes(max(abs(difference.low_kg), abs(difference.high_kg)), lang)
        if difference.low_kg * difference.high_kg > 0
        else charts.signed_tonnes(difference.high_kg, lang),
    )
    avoided = result.avoided.net
    avoided_sentence = tx(
        "report.headline.avoided" if avoided.kg >= 0 else "report.headline.added",
        reference=reference,
        avoided=locale.tonnes(abs(avoided.kg), lang),
        low=locale.tonnes(avoided.low_kg if avoided.kg >= 0 else -avoided.high_kg, lang),
        high=locale.tonnes(avoided.high_kg if avoided.kg >= 0 else -avoided.low_kg, lang),
    )
    figures = [
        (tx("report.figure.total", year=reference), result.reference_kg),
        (tx("report.figure.total", year=current), result.current_kg),
        (tx("report.figure.difference", reference=reference, current=current), difference),
        (tx("report.figure.avoided"), avoided),
    ]
    t_col, low_col, high_col = tx("report.col.t"), tx("report.col.low"), tx("report.col.high")
    frame = pd.DataFrame(
        {
            tx("report.col.figure"): [name for name, _ in figures],
            t_col: [e.kg / KG_PER_T for _, e in figures],
            low_col: [e.low_kg / KG_PER_T for _, e in figures],
            high_col: [e.high_kg / KG_PER_T for _, e in figures],
        }
    )
    table = Table(
        tx("report.headline.title"),
        frame,
        {t_col: Kind.TONNES, low_col: Kind.TONNES, high_col: Kind.TONNES},
        widths=(4, 1.4, 1.4, 1.4),
    )
    return Section(tx("report.headline.title"), [sentence, avoided_sentence, table])


def _why(result: comparison.Comparison, lang: str) -> Section:
    def tx(key: str, **values: object) -> str:
        return locale.text(key, lang, **values)

    labels = {
        "reference": str(result.reference),
        "current": str(result.current),
        **{name: tx(f"effect.{name}") for name in result.decomposition},
    }
    frame = charts.waterfall_frame(result, labels, lang)
    chart = charts.waterfall(frame, value_title=tx("unit.t"), lang=lang)
    effects = frame[frame["kind"] != "total"]
    t_col, low_col, high_col = tx("report.col.t"), tx("report.col.low"), tx("report.col.high")
    table = pd.DataFrame(
        {
            tx("report.col.effect"): list(effects["label"]),
            t_col: [result.decomposition[s].kg / KG_PER_T for s in effects["step"]],
            low_col: [result.decomposition[s].low_kg / KG_PER_T for s in effects["step"]],
            high_col: [result.decomposition[s].high_kg / KG_PER_T for s in effects["step"]],
        }
    )
    spec = _spec(chart, width=640, height=300)
    _slant_x_labels(spec)
    return Section(
        tx("report.why.title"),
        [
            Chart(spec, tx("report.why.title")),
            tx("report.why.caption"),
            Table(
                tx("report.why.title"),
                table,
                {t_col: Kind.TONNES, low_col: Kind.TONNES, high_col: Kind.TONNES},
                widths=(4, 1.4, 1.4, 1.4),
            ),
        ],
    )


def _offices(
    cube: model.Cube,
    rows: pd.DataFrame,
    year: int,
    names: Mapping[str, str],
    min_people: int,
    lang: str,
) -> Section:
    def tx(key: str, **values: object) -> str:
        return locale.text(key, lang, **values)

    title = tx("report.offices.title", year=year)
    contacts = indicators.client_contacts(rows)
    of_year = contacts[contacts["year"] == year]
    if of_year.empty:
        return Section(title, [])
    pooled = privacy.pool_small_offices(of_year, privacy.people_counts(cube), min_people)
    if pooled.withheld:
        return Section(title, [tx("report.offices.withheld", n=min_people)])
    cells = indicators.per_office_and_channel(pooled.table)
    office, count = tx("report.col.office"), tx("report.col.contacts")
    digital, total = tx("report.col.digital_share"), tx("report.col.total")
    channels = [c for c in indicators.CHANNELS if c in set(cells["activity"])]
    labels = {c: f"{tx(f'activity.{c}')} ({tx('report.col.t')})" for c in channels}
    kg = cells.pivot_table(
        index="office_id", columns="activity", values="kg_co2e", aggfunc="sum", fill_value=0.0
    ).reindex(columns=channels, fill_value=0.0)
    contacts_by = cells.pivot_table(
        index="office_id", columns="activity", values="count", aggfunc="sum", fill_value=0.0
    ).reindex(index=kg.index, columns=channels, fill_value=0.0)
    remote = [c for c in channels if c != Channel.IN_PERSON.value]
    all_contacts = contacts_by.sum(axis=1)
    frame = pd.DataFrame(
        {
            office: [names.get(o, o) for o in kg.index],
            count: all_contacts.to_numpy(),
            digital: (
                contacts_by[remote].sum(axis=1) / all_contacts.where(all_contacts > 0)
            ).to_numpy(),
            **{labels[c]: (kg[c] / KG_PER_T).to_numpy() for c in channels},
            total: (kg.sum(axis=1) / KG_PER_T).to_numpy(),
        }
    ).sort_values(total, ascending=False, kind="stable", ignore_index=True)
    kinds: dict[str, xlsx.Kind] = {count: Kind.INTEGER, digital: Kind.PERCENT, total: Kind.TONNES}
    kinds.update({labels[c]: Kind.TONNES for c in channels})
    long = cells.assign(
        office=cells["office_id"].map(lambda o: names.get(o, o)),
        channel=[tx(f"activity.{a}") for a in cells["activity"]],
        t_co2e=cells["kg_co2e"] / KG_PER_T,
    )
    chart = charts.stacked_bar(
        long,
        "office",
        "t_co2e",
        "channel",
        value_title=tx("unit.t"),
        stack_order=[tx(f"activity.{c}") for c in channels],
        category_order=list(frame[office]),
        value_format=",.1f",
        horizontal=True,
        lang=lang,
    )
    blocks: list[str | Table | Chart] = [
        tx("report.offices.caption", year=year),
        Chart(_spec(chart, width=520), title),
        Table(title, frame, kinds, widths=(2.6, 1.3, 1.2, *([1.2] * len(channels)), 1.1)),
    ]
    if pooled.merged:
        blocks.append(tx("report.offices.merged", n=min_people, other=names[privacy.OTHER_OFFICES]))
    return Section(title, blocks)


def _staff(cube: model.Cube, rows: pd.DataFrame, min_people: int, lang: str) -> Section:
    def tx(key: str, **values: object) -> str:
        return locale.text(key, lang, **values)

    staff = rows[rows["group"] == STAFF_GROUP]
    # The small-cell rule: a year whose staff figures rest on 1 to min_people − 1 people of
    # the offices shown is left out.
    counts = privacy.people_counts(cube)
    people = (
        counts[
            (counts["population"] == privacy.STAFF)
            & counts["office_id"].isin(set(staff["office_id"]))
        ]
        .groupby("year")["people"]
        .sum()
    )
    too_few = {int(y) for y, n in people.items() if 0 < n < min_people}
    withheld = sorted(too_few & set(staff["year"].astype(int)))
    staff = staff[~staff["year"].astype(int).isin(too_few)]
    if staff.empty:
        note = [tx("report.staff.withheld", n=min_people)] if withheld else []
        return Section(tx("report.staff.title"), note)
    activities = [Activity.COMMUTE.value, Activity.HOMEOFFICE.value, Activity.BUSINESS_TRIP.value]
    kg = staff.pivot_table(
        index="year", columns="activity", values="kg_co2e", aggfunc="sum", fill_value=0.0
    ).reindex(columns=activities, fill_value=0.0)
    days = staff.pivot_table(
        index="year", columns="activity", values="count", aggfunc="sum", fill_value=0.0
    )
    office_days = days.get(Activity.COMMUTE.value, pd.Series(0.0, index=days.index))
    home_days = days.get(Activity.HOMEOFFICE.value, pd.Series(0.0, index=days.index))
    working = office_days + home_days
    year_col, total_col = tx("report.col.year"), tx("report.col.total")
    share_col = tx("report.col.homeoffice_share")
    frame = pd.DataFrame({year_col: kg.index.astype(int)})
    kinds: dict[str, xlsx.Kind] = {year_col: Kind.YEAR}
    for activity in activities:
        label = tx(f"activity.{activity}")
        frame[label] = (kg[activity] / KG_PER_T).to_numpy()
        kinds[label] = Kind.TONNES
    frame[total_col] = (kg.sum(axis=1) / KG_PER_T).to_numpy()
    frame[share_col] = (home_days / working.where(working > 0)).reindex(kg.index).to_numpy()
    kinds.update({total_col: Kind.TONNES, share_col: Kind.PERCENT})
    blocks: list[str | Table | Chart] = [
        tx("report.staff.caption"),
        Table(tx("report.staff.title"), frame, kinds, widths=(1, 1.6, 1.6, 1.6, 1.4, 1.8)),
    ]
    if withheld:
        blocks.append(
            tx("report.staff.years_withheld", n=min_people, years=", ".join(map(str, withheld)))
        )
    return Section(tx("report.staff.title"), blocks)


def _method(lang: str) -> Section:
    parts = ["distance", "visit", "remote", "staff", "compare", "avoided", "range"]
    draws = locale.number(simulation.Settings.load().draws, lang)
    return Section(
        locale.text("report.method.title", lang),
        [locale.text(f"report.method.{part}", lang, draws=draws) for part in parts],
    )


def factor_table(
    cube: model.Cube, factors: FactorSet, years: Sequence[int], lang: str
) -> tuple[pd.DataFrame, dict[str, xlsx.Kind]]:
    """Every factor row the figures of `years` rest on (model.factors_used), once each: the
    same value from the same source for several countries or editions is one row that names
    where it applies ("AT 2019, 2022"). With display headers and the kind of each column."""
    used = model.factors_used(cube, factors)
    used = used[used["data_year"].isin(list(years))]

    def tx(key: str) -> str:
        return locale.text(key, lang)

    def text(value: object) -> str:
        return "" if xlsx.is_empty(value) else str(value)

    def status(code: object) -> str:
        key = f"method.status.{code}"
        return locale.text(key, lang).split(" (")[0] if locale.has(key) else text(code)

    def bounds(low: object, high: object) -> str:
        if xlsx.is_empty(low) or xlsx.is_empty(high):
            return ""
        return f"{significant(float(low), lang)} – {significant(float(high), lang)}"  # type: ignore[arg-type]

    records: dict[tuple, dict[str, list[str]]] = {}
    for row in used.itertuples(index=False):
        group: tuple = (row.key, row.value, text(row.low), text(row.high), row.unit)
        group = (*group, text(row.status), text(row.source))
        places = records.setdefault(group, {})
        country = text(row.factor_country) or tx("report.any_country")
        edition = "" if xlsx.is_empty(row.factor_year) else str(int(row.factor_year))
        editions = places.setdefault(country, [])
        if edition and edition not in editions:
            editions.append(edition)
    ordered = sorted(records.items(), key=lambda item: (item[0][0], item[0][1]))
    applies = [
        "; ".join(
            f"{country}: {', '.join(sorted(editions))}" if editions else country
            for country, editions in sorted(places.items())
        )
        for _, places in ordered
    ]
    frame = pd.DataFrame(
        {
            tx("report.col.key"): [g[0] for g, _ in ordered],
            tx("report.col.value"): [g[1] for g, _ in ordered],
            tx("report.col.bounds"): [bounds(g[2], g[3]) for g, _ in ordered],
            tx("report.col.unit"): [g[4] for g, _ in ordered],
            tx("report.col.applies"): applies,
            tx("report.col.status"): [status(g[5]) for g, _ in ordered],
            tx("report.col.source"): [g[6] for g, _ in ordered],
        }
    )
    return frame, {tx("report.col.value"): Kind.DECIMAL}


def _factors(
    cube: model.Cube, factors: FactorSet, reference: int, current: int, lang: str
) -> Section:
    years = sorted({reference, current})
    frame, kinds = factor_table(cube, factors, years, lang)
    title = locale.text("report.factors.title", lang)
    return Section(
        title,
        [
            locale.text("report.factors.caption", lang, years=" & ".join(map(str, years))),
            Table(title, frame, kinds, widths=(3.6, 1.2, 1.9, 1.9, 1.9, 1.4, 8.5)),
        ],
        landscape=True,
    )


# -- the workshop plan -----------------------------------------------------------------------


def plan_report(
    space: str,
    tables: Mapping[str, pd.DataFrame],
    lang: str,
    *,
    target_progress: Progress | None = None,
    office_names: Mapping[str, str] | None = None,
    demo: bool = False,
    today: dt.date | None = None,
) -> Document:
    """The workshop plan (workshop.plan_tables): actions, board status, targets against the
    measured years, hotspots and notes."""

    def tx(key: str, **values: object) -> str:
        return locale.text(key, lang, **values)

    today = today or dt.date.today()
    sheets = {s.title: s for s in plan_sheets(tables, lang, office_names)}

    def sheet(name: str) -> xlsx.Sheet:
        return sheets[locale.text(f"workshop.sheet.{name}", lang)]

    sections = []
    actions = tables["actions"]
    shown = ["title", "owner", "deadline", "status", "effect_t", "effect_source", "effect_note"]
    if actions.empty:
        sections.append(Section(tx("report.plan.actions"), [tx("report.plan.empty")]))
    else:
        plan = sheet("actions")
        headers = [locale.text(f"workshop.col.{c}", lang) for c in shown]
        sections.append(
            Section(
                tx("report.plan.actions"),
                [
                    Table(
                        plan.title,
                        plan.table[headers],
                        {h: plan.kinds[h] for h in headers if h in plan.kinds},
                        widths=(3, 1.9, 1.4, 1.2, 1.3, 1.6, 3),
                    )
                ],
            )
        )
        status_col, count_col = tx("workshop.col.status"), tx("report.col.actions")
        effect_col = tx("workshop.col.effect_t")
        board = pd.DataFrame(
            {
                status_col: [tx(f"workshop.status.{s}") for s in STATUSES],
                count_col: [int((actions["status"] == s).sum()) for s in STATUSES],
                effect_col: [
                    float(actions.loc[actions["status"] == s, "effect_t"].sum()) for s in STATUSES
                ],
            }
        )
        sections.append(
            Section(
                tx("report.plan.board"),
                [
                    Table(
                        tx("report.plan.board"),
                        board,
                        {count_col: Kind.INTEGER, effect_col: Kind.TONNES},
                        widths=(2, 1, 2),
                    )
                ],
            )
        )
    if "targets" in tables:
        targets = sheet("targets")
        blocks: list[str | Table | Chart] = []
        if target_progress is not None:
            blocks.append(tx("report.plan.targets.caption", base=target_progress.base_year))
        blocks.append(Table(targets.title, targets.table, targets.kinds))
        sections.append(Section(tx("report.plan.targets"), blocks))
    hotspots = sheet("hotspots")
    if not hotspots.table.empty:
        sections.append(
            Section(
                tx("report.plan.hotspots"),
                [
                    Table(
                        hotspots.title,
                        hotspots.table.head(12),
                        hotspots.kinds,
                        widths=(1.4, 2.6, 1, 1, 1.6),
                    )
                ],
            )
        )
    notes = sheet("notes")
    if not notes.table.empty:
        sections.append(
            Section(tx("report.plan.notes"), [Table(notes.title, notes.table, {}, widths=(1, 5))])
        )
    return Document(
        title=tx("report.plan.title", space=space),
        subtitle=tx("report.plan.subtitle", date=locale.date(today, lang, "long")),
        lang=lang,
        sections=sections,
        notice=tx("report.demo") if demo else "",
    )


# -- charts as vector images -----------------------------------------------------------------

FONT_FAMILY = "Noto Sans"
_SVG_NS = "http://www.w3.org/2000/svg"


@cache
def _font_files() -> dict[str, Path]:
    import fontpkg_noto_sans  # the font ships as a pip package: nothing is fetched

    folder = Path(fontpkg_noto_sans.ROOT) / "files"
    return {"": folder / "NotoSans[wdth,wght].ttf", "I": folder / "NotoSans-Italic[wdth,wght].ttf"}


@cache
def _vl_convert() -> Any:
    import vl_convert

    vl_convert.register_font_directory(str(_font_files()[""].parent))
    return vl_convert


def _spec(chart: charts.AltairChart, width: int | None = None, height: int | None = None) -> dict:
    """The chart's Vega-Lite spec, sized for paper and set in the report's font."""
    spec = chart.to_dict()
    if width is not None:
        spec["width"] = width
    if height is not None:
        spec["height"] = height
    config = spec.setdefault("config", {})
    config["font"] = FONT_FAMILY
    config.setdefault("view", {})["stroke"] = None
    return spec


def _slant_x_labels(spec: dict) -> None:
    """Long category labels under narrow bars: slanted on paper, where there is no tooltip."""

    def walk(node: object) -> None:
        if isinstance(node, dict):
            x = (
                node.get("encoding", {}).get("x")
                if isinstance(node.get("encoding"), dict)
                else None
            )
            if isinstance(x, dict) and isinstance(x.get("axis"), dict):
                x["axis"].update(labelAngle=-35, labelAlign="right", labelLimit=200)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)


def chart_svg(chart: Chart) -> str:
    """The chart as SVG, rendered offline (no URL may be fetched while rendering)."""
    return str(_vl_convert().vegalite_to_svg(chart.spec, allowed_base_urls=[]))


def _svg_for_fpdf(svg: str) -> bytes:
    """vl-convert's SVG in the subset fpdf2 draws: <line> without coordinates gets the SVG
    defaults (0), empty paths go."""
    ET.register_namespace("", _SVG_NS)
    root = ET.fromstring(svg)
    for line in root.iter(f"{{{_SVG_NS}}}line"):
        for name in ("x1", "y1", "x2", "y2"):
            line.attrib.setdefault(name, "0")
    parents = {child: parent for parent in root.iter() for child in parent}
    for path in list(root.iter(f"{{{_SVG_NS}}}path")):
        if not path.get("d", "").strip():
            parents[path].remove(path)
    return ET.tostring(root, encoding="utf-8")


# -- writers ---------------------------------------------------------------------------------


def to_pdf(document: Document) -> bytes:
    """The document on A4 pages, charts as vector graphics, Noto Sans embedded."""
    from fpdf import FPDF, FontFace

    lang = document.lang
    footer_text = locale.text("report.footer", lang, page="{page}", pages="{nb}")

    class Pages(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(FONT_FAMILY, size=8)
            self.set_text_color(90, 90, 90)
            # fpdf2 replaces "{nb}" with the page count when the file is written
            self.cell(0, 6, footer_text.replace("{page}", str(self.page_no())), align="C")

    pdf = Pages(format="A4", unit="mm")
    pdf.set_title(document.title)
    pdf.set_creator("Wegbilanz")
    pdf.set_lang(lang)
    fonts = _font_files()
    pdf.add_font(FONT_FAMILY, "", str(fonts[""]))
    pdf.add_font(FONT_FAMILY, "B", str(fonts[""]), variations={"wght": 700.0})
    pdf.add_font(FONT_FAMILY, "I", str(fonts["I"]))
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    pdf.set_font(FONT_FAMILY, "B", 18)
    pdf.multi_cell(width, 8, document.title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font(FONT_FAMILY, "", 10)
    pdf.set_text_color(70, 70, 70)
    pdf.multi_cell(width, 5, document.subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    if document.notice:
        pdf.ln(3)
        pdf.set_fill_color(255, 243, 205)
        pdf.set_font(FONT_FAMILY, "I", 9.5)
        pdf.multi_cell(width, 5, document.notice, fill=True, padding=2, new_x="LMARGIN")
        pdf.set_y(pdf.get_y() + 1)
    pdf.set_fill_color(246, 246, 246)  # the tables' every other row
    heading = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
    for section in document.sections:
        if section.landscape:
            pdf.add_page(orientation="L")
            width = pdf.w - pdf.l_margin - pdf.r_margin
        elif pdf.get_y() > pdf.h - 60:
            pdf.add_page()
        pdf.ln(6)
        pdf.set_font(FONT_FAMILY, "B", 13)
        pdf.multi_cell(width, 7, section.title, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        for block in section.blocks:
            if isinstance(block, str):
                pdf.set_font(FONT_FAMILY, "", 10)
                pdf.multi_cell(width, 5, block, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2)
            elif isinstance(block, Chart):
                _pdf_chart(pdf, block, min(block.width_mm, width))
                pdf.ln(2)
            else:
                _pdf_table(pdf, block, lang, heading)
                pdf.ln(3)
    return bytes(pdf.output())


def _pdf_chart(pdf: Any, chart: Chart, width_mm: float) -> None:
    """The chart as vector graphics; should fpdf2's SVG reader ever meet an element it cannot
    draw, as a sharp raster image instead of no report at all."""
    svg = _svg_for_fpdf(chart_svg(chart))
    try:
        pdf.image(io.BytesIO(svg), w=width_mm, alt_text=chart.alt)
    except (ValueError, KeyError, TypeError, NotImplementedError):
        png = _vl_convert().vegalite_to_png(chart.spec, scale=3, allowed_base_urls=[])
        pdf.image(io.BytesIO(png), w=width_mm, alt_text=chart.alt)


def _pdf_table(pdf: Any, table: Table, lang: str, heading: Any) -> None:
    columns = list(table.frame.columns)
    numeric = [table.kinds.get(c, Kind.TEXT) != Kind.TEXT for c in columns]
    many = len(columns) > 6
    pdf.set_font(FONT_FAMILY, "", 7.5 if many else 9)
    widths = tuple(table.widths) if len(table.widths) == len(columns) else None
    with pdf.table(
        col_widths=widths,
        text_align=tuple("RIGHT" if n else "LEFT" for n in numeric),
        headings_style=heading,
        line_height=pdf.font_size * 1.5,
        borders_layout="HORIZONTAL_LINES",
        cell_fill_color=(246, 246, 246),
        cell_fill_mode="ROWS",
        padding=(0.8, 1.2),
        first_row_as_headings=True,
        repeat_headings=1,
    ) as grid:
        grid.row([str(c) for c in columns])
        for record in table.frame.itertuples(index=False):
            grid.row(
                [
                    cell_text(value, table.kinds.get(column, Kind.TEXT), lang)
                    for column, value in zip(columns, record, strict=True)
                ]
            )


def to_html(document: Document) -> str:
    """One printable page: charts inline as SVG, system fonts, nothing loaded from anywhere."""
    lang = document.lang
    parts = [
        f"<h1>{html.escape(document.title)}</h1>",
        f"<p class=sub>{html.escape(document.subtitle)}</p>",
    ]
    if document.notice:
        parts.append(f'<p class="notice">{html.escape(document.notice)}</p>')
    for section in document.sections:
        parts.append(f"<section><h2>{html.escape(section.title)}</h2>")
        for block in section.blocks:
            if isinstance(block, str):
                parts.append(f"<p>{html.escape(block)}</p>")
            elif isinstance(block, Chart):
                parts.append(
                    f'<figure role="img" aria-label="{html.escape(block.alt)}">'
                    f"{chart_svg(block)}</figure>"
                )
            else:
                parts.append(_html_table(block, lang))
        parts.append("</section>")
    body = "\n".join(parts)
    return f"""<!doctype html>
<html lang="{html.escape(lang)}"><head><meta charset="utf-8">
<title>{html.escape(document.title)}</title>
<style>
body {{ font-family: system-ui, "Noto Sans", sans-serif; margin: 2rem auto; max-width: 60rem;
  color: #1b1b1b; line-height: 1.45; padding: 0 1rem; }}
h1 {{ font-size: 1.7rem; margin-bottom: 0.2rem; }}
.sub {{ color: #555; margin-top: 0; }}
.notice {{ background: #fff3cd; padding: 0.5rem 0.8rem; font-style: italic; }}
table {{ border-collapse: collapse; margin: 0.6rem 0 1.2rem; font-size: 0.9rem; width: 100%; }}
th, td {{ padding: 0.25rem 0.5rem; border-bottom: 1px solid #ccc; vertical-align: top; }}
th {{ background: #ebebeb; text-align: left; }}
td.n {{ text-align: right; white-space: nowrap; }}
th.n {{ text-align: right; }}
figure {{ margin: 0.5rem 0; }} figure svg {{ max-width: 100%; height: auto; }}
/* the charts were laid out in Noto Sans; these are as wide or narrower, so no label is cut */
figure svg text {{ font-family: "Noto Sans", Arial, Helvetica, "Liberation Sans", sans-serif; }}
@media print {{ section {{ break-inside: auto; }} h2 {{ break-after: avoid; }} }}
</style></head>
<body>
{body}
</body></html>
"""


def _html_table(table: Table, lang: str) -> str:
    columns = list(table.frame.columns)
    kinds = [table.kinds.get(c, Kind.TEXT) for c in columns]

    def attr(kind: xlsx.Kind) -> str:
        return "" if kind == Kind.TEXT else ' class="n"'

    head = "".join(
        f"<th{attr(k)}>{html.escape(str(c))}</th>" for c, k in zip(columns, kinds, strict=True)
    )
    rows = [
        "<tr>"
        + "".join(
            f"<td{attr(k)}>{html.escape(cell_text(v, k, lang))}</td>"
            for v, k in zip(record, kinds, strict=True)
        )
        + "</tr>"
        for record in table.frame.itertuples(index=False)
    ]
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def to_xlsx(document: Document) -> bytes:
    """A first sheet with the document's words (title, notice, every section's sentences),
    then every table of the document as a sheet of its own."""
    lines = [document.title, document.subtitle, document.notice]
    for section in document.sections:
        words = [block for block in section.blocks if isinstance(block, str)]
        if words:
            lines.extend(["", section.title, *words])
    about = pd.DataFrame({"Wegbilanz": [line for line in lines if line is not None]})
    sheets = [xlsx.Sheet(locale.text("report.sheet.about", document.lang), about)]
    for section in document.sections:
        for block in section.blocks:
            if isinstance(block, Table):
                sheets.append(xlsx.Sheet(section.title, block.frame, block.kinds))
    return xlsx.workbook(sheets, document.lang)


def write_document(path: Path, document: Document) -> Path:
    """Write the document in the format the file's suffix asks for."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        path.write_bytes(to_pdf(document))
    elif suffix in {".html", ".htm"}:
        path.write_text(to_html(document), encoding="utf-8")
    elif suffix == ".xlsx":
        path.write_bytes(to_xlsx(document))
    else:
        raise UnsupportedFormatError(f"cannot write '{suffix}' reports: use .pdf, .html or .xlsx")
    return path


def write(
    path: Path,
    cube: model.Cube,
    factors: FactorSet,
    rows: pd.DataFrame,
    reference: int,
    current: int,
    lang: str = "en",
    *,
    demo: bool = False,
) -> Path:
    """The annual report as `path` (.pdf, .html or .xlsx)."""
    if path.suffix.lower() not in FORMATS:
        raise UnsupportedFormatError(
            f"cannot write '{path.suffix}' reports: use .pdf, .html or .xlsx"
        )
    document = annual_report(cube, factors, rows, reference, current, lang, demo=demo)
    return write_document(path, document)
