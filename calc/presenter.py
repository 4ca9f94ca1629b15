"""The figures of the presenter slides, with the privacy rule of public slides applied.

A slide shown to the public never carries a figure that rests on fewer than
`min_people_per_cell` people (data/privacy.csv). Offices below the rule are shown together as
one "other offices" cell, grown by the next-smallest office until the cell itself passes the
rule (otherwise a small office could be recovered as total minus the offices shown); figures
of a selection below the rule are withheld. Every table says what it merged or withheld, so
the slide can tell the audience.

Who stands behind a figure: the clients of the offices, groups and years it sums, and the staff
of those offices and years. Clients and staff count separately, because a figure that adds a
small staff to many clients still moves with each of those few staff members.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import segno

from calc import indicators, scenario
from calc.comparison import Comparison
from calc.factors import Factor, FactorSet
from calc.privacy import CLIENTS, STAFF, SlideTable, merge_small_offices, people_behind, too_few
from calc.schema import STAFF_GROUP, Activity, Channel, Mode

# What the change equals in plain words: (name, factor key), the change in kg over the factor.
EQUIVALENT_FACTORS: tuple[tuple[str, str], ...] = (
    ("car_km", "ef_car_ice_kg_per_vkm"),
    ("trees", "tree_uptake_kg_per_year"),
    ("flights", "flight_vie_lhr_return_kg"),
)


# -- the slides --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slides:
    """Everything the presenter shows for one selection, reference year and current year.

    `comparison` is the overview's own comparison.compare of the same selection, so every
    headline number equals the overview's; it is None when the whole selection has too few
    people.
    """

    reference: int
    current: int
    min_people: int
    comparison: Comparison | None
    offices: SlideTable  # office_id, reference_kg, current_kg, difference_kg
    populations: SlideTable  # population, reference_kg, current_kg, difference_kg
    channels: SlideTable  # activity, reference_count, current_count, reference_kg, current_kg
    digital_share: SlideTable  # year, contacts, digital_contacts, digital_share
    story: Story | None  # None when the whole selection has too few people


@dataclass(frozen=True)
class ChannelSummary:
    """The channels slide in words: how visits changed, and what remote contacts emit now."""

    visits_change_share: float | None  # current / reference − 1; None without reference visits
    visits_reference_kg: float
    visits_current_kg: float
    remote_current_kg: float


def channel_summary(channels: pd.DataFrame) -> ChannelSummary:
    """From the channels slide's table (activity, reference/current count and kg)."""
    by_channel = channels.set_index("activity")
    visits = by_channel.loc[Activity.IN_PERSON.value]
    remote = by_channel.drop(index=Activity.IN_PERSON.value)
    reference_visits = float(visits["reference_count"])
    return ChannelSummary(
        visits_change_share=(
            float(visits["current_count"]) / reference_visits - 1 if reference_visits else None
        ),
        visits_reference_kg=float(visits["reference_kg"]),
        visits_current_kg=float(visits["current_kg"]),
        remote_current_kg=float(remote["current_kg"].sum()),
    )


@dataclass(frozen=True)
class Equivalent:
    name: str  # one of EQUIVALENT_FACTORS
    amount: float  # km, trees or flights
    factor: Factor  # what it was divided by, with its source


@dataclass(frozen=True)
class Story:
    """The change in plain words: what it equals, and what clients saved on the road.

    The same arithmetic as the overview: |current − reference| over each comparison factor of
    the main country in the current year; km of in-person visits, reference minus current, at
    the door-to-door speed, and car km at the official mileage allowance.
    """

    change_kg: float  # current − reference
    equivalents: tuple[Equivalent, ...]
    client_km_saved: float
    client_car_km_saved: float
    client_hours_saved: float
    client_money_saved_eur: float
    speed: Factor
    allowance: Factor


def story(rows: pd.DataFrame, comparison: Comparison, factors: FactorSet, country: str) -> Story:
    year = comparison.current
    change_kg = comparison.difference_kg.kg
    equivalents = []
    for name, key in EQUIVALENT_FACTORS:
        factor = factors.factor(key, country, year)
        equivalents.append(Equivalent(name, abs(change_kg) / factor.value, factor))
    visits = rows[rows["activity"] == Activity.IN_PERSON.value]
    km = visits.groupby("year")["km"].sum()
    car_km = visits[visits["mode"] == Mode.CAR.value].groupby("year")["km"].sum()
    km_saved = km.get(comparison.reference, 0.0) - km.get(year, 0.0)
    car_km_saved = car_km.get(comparison.reference, 0.0) - car_km.get(year, 0.0)
    speed = factors.factor("door_to_door_speed_km_per_h", country, year)
    allowance = factors.factor("mileage_allowance_eur_per_km", country, year)
    return Story(
        change_kg=change_kg,
        equivalents=tuple(equivalents),
        client_km_saved=float(km_saved),
        client_car_km_saved=float(car_km_saved),
        client_hours_saved=float(km_saved / speed.value),
        client_money_saved_eur=float(car_km_saved * allowance.value),
        speed=speed,
        allowance=allowance,
    )


def _two_years(rows: pd.DataFrame, key: str, reference: int, current: int) -> pd.DataFrame:
    """kg (and count) of the reference and the current year per value of `key`."""
    years = rows[rows["year"].isin([reference, current])]
    table = years.pivot_table(
        index=key, columns="year", values=["kg_co2e", "count"], aggfunc="sum", fill_value=0.0
    )
    result = pd.DataFrame(index=table.index)
    for name, year in (("reference", reference), ("current", current)):
        result[f"{name}_count"] = table.get(("count", year), 0.0)
        result[f"{name}_kg"] = table.get(("kg_co2e", year), 0.0)
    result["difference_kg"] = result["current_kg"] - result["reference_kg"]
    return result.reset_index()


def _population_of(group: pd.Series) -> pd.Series:
    return pd.Series(np.where(group == STAFF_GROUP, STAFF, CLIENTS), index=group.index)


def build(
    rows: pd.DataFrame,
    counts: pd.DataFrame,
    comparison: Comparison,
    factors: FactorSet,
    country: str,
    min_people: int,
) -> Slides:
    """The slide figures of the filtered result rows (ui.filters.apply(rows) on a page) and
    their comparison (comparison.compare of the same selection); `country` values the
    plain-words comparisons (scenario.main_country on a page)."""
    reference, current = comparison.reference, comparison.current
    people = people_behind(counts, rows)
    in_years = people[people["year"].isin([reference, current])]
    total_too_few = too_few(in_years, min_people)
    shown = None if total_too_few else comparison

    office_figures = _two_years(rows, "office_id", reference, current)[
        ["office_id", "reference_kg", "current_kg", "difference_kg"]
    ]
    offices = (
        SlideTable(office_figures.iloc[0:0], withheld=True)
        if total_too_few
        else merge_small_offices(office_figures, in_years, min_people)
    )
    return Slides(
        reference=reference,
        current=current,
        min_people=min_people,
        comparison=shown,
        offices=offices,
        populations=_populations(rows, in_years, reference, current, min_people),
        channels=_channels(rows, in_years, reference, current, min_people),
        digital_share=_digital_share(rows, people, min_people, reference, current),
        story=None if shown is None else story(rows, shown, factors, country),
    )


def population_split(rows: pd.DataFrame, reference: int, current: int) -> pd.DataFrame:
    """kg of clients and of staff in both years: population (clients, staff), reference_kg,
    current_kg, difference_kg; clients first."""
    table = _two_years(
        rows.assign(population=_population_of(rows["group"])), "population", reference, current
    )[["population", "reference_kg", "current_kg", "difference_kg"]]
    order = {CLIENTS: 0, STAFF: 1}
    return table.sort_values("population", key=lambda s: s.map(order), ignore_index=True)


def _populations(
    rows: pd.DataFrame, people: pd.DataFrame, reference: int, current: int, min_people: int
) -> SlideTable:
    """Clients vs staff. If one is withheld the other goes too: with the total on the headline
    slide, the one shown would give away the one withheld."""
    table = population_split(rows, reference, current)
    small = [
        p for p in table["population"] if too_few(people[people["population"] == p], min_people)
    ]
    if small:
        return SlideTable(table.iloc[0:0], withheld=True)
    return SlideTable(table)


def _channels(
    rows: pd.DataFrame, people: pd.DataFrame, reference: int, current: int, min_people: int
) -> SlideTable:
    """Client contacts and their kg per channel, before and after."""
    channel_rows = rows[rows["activity"].isin([c.value for c in Channel])]
    table = _two_years(channel_rows, "activity", reference, current).drop(columns="difference_kg")
    if too_few(people[people["population"] == CLIENTS], min_people):
        return SlideTable(table.iloc[0:0], withheld=True)
    order = {c.value: i for i, c in enumerate(Channel)}
    return SlideTable(table.sort_values("activity", key=lambda s: s.map(order), ignore_index=True))


def _digital_share(
    rows: pd.DataFrame, people: pd.DataFrame, min_people: int, reference: int, current: int
) -> SlideTable:
    """Share of client contacts by phone, video or online, per year from the reference to the
    current year (the deck's years, never a later one); years with too few clients are left
    out."""
    first, last = min(reference, current), max(reference, current)
    table = indicators.digital_share(rows)
    table = table[table["year"].between(first, last)].reset_index(drop=True)
    clients = people[people["population"] == CLIENTS]
    allowed = [y for y in table["year"] if not too_few(clients[clients["year"] == y], min_people)]
    shown = table[table["year"].isin(allowed)]
    return SlideTable(shown.reset_index(drop=True), withheld=len(shown) < len(table))


# -- the saved scenario ----------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioSlide:
    """What a saved scenario would still save, per year, for the whole organisation."""

    result: scenario.ScenarioResult | None  # None when the base year has too few people
    offices: SlideTable  # office_id, base_kg, scenario_kg, saved_kg


def scenario_slide(
    result: scenario.ScenarioResult, counts: pd.DataFrame, min_people: int
) -> ScenarioSlide:
    people = counts[counts["year"] == result.scenario.base_year]
    if too_few(people, min_people):
        return ScenarioSlide(None, SlideTable(pd.DataFrame(), withheld=True))
    per_office = result.by("office_id")[["office_id", "base_kg", "scenario_kg", "saved_kg"]]
    return ScenarioSlide(result, merge_small_offices(per_office, people, min_people))


# -- the closing slide -------------------------------------------------------------------------

PRESENTER_PATH = "presenter"


def deck_link(
    app_url: str | None,
    lang: str,
    reference: int,
    current: int,
    offices: Sequence[str] = (),
    groups: Sequence[str] = (),
    what_if: str | None = None,
) -> str:
    """The link that opens this deck again: the presenter page of the app at `app_url` (its
    root or the presenter's own address, as the browser sees it; a relative link without it)
    with the language, the years, the offices and groups (by id) and the scenario of the last
    slide, from the first slide."""
    query: list[tuple[str, str | int]] = [("lang", lang), ("ref", reference), ("cur", current)]
    query += [("offices", office) for office in offices]
    query += [("groups", group) for group in groups]
    if what_if:
        query.append(("what_if", what_if))
    base = (app_url or "").rstrip("/").removesuffix(f"/{PRESENTER_PATH}")
    return f"{base}/{PRESENTER_PATH}?{urlencode(query)}"


def qr_svg(link: str, scale: int = 8) -> str:
    """The link as a QR code in SVG, black on white with the four-module quiet zone readers
    need; error correction M. `scale` px per module (the page may size it anew)."""
    code = segno.make(link, error="m", micro=False)
    return code.svg_inline(scale=scale, dark="#000000", light="#ffffff", border=4)
