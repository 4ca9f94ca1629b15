"""The small-cell rule: no figure shown rests on fewer than `min_people_per_cell` people.

The rule lives in data/privacy.csv. Every view that shows people (the presenter slides, the map
of client origins, tables of small offices) reads it from here, so changing the file changes all
of them.

Offices below the rule are shown together as one "other offices" cell, grown by the
next-smallest office until the cell itself passes the rule (otherwise a small office could be
recovered as total minus the offices shown); figures of a selection below the rule are withheld.
Every table says what it merged or withheld, so the view can tell its audience.

Who stands behind a figure: the clients of the offices, groups and years it sums, and the staff
of those offices and years. Clients and staff count separately, because a figure that adds a
small staff to many clients still moves with each of those few staff members.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from calc import datafiles, model
from calc.schema import STAFF_GROUP

PRIVACY_PATH = Path(__file__).resolve().parent.parent / "data" / "privacy.csv"
OTHER_OFFICES = "__other__"  # office_id of the merged cell; no loaded office can be called so

CLIENTS = "clients"
STAFF = "staff"


def min_people_per_cell(path: Path | None = None) -> int:
    """The smallest number of people a figure shown may rest on (data/privacy.csv unless
    `path` names another file). PRIVACY_PATH is read at call time, so a test can point it
    elsewhere."""
    values = datafiles.key_values(path or PRIVACY_PATH)
    return int(values["min_people_per_cell"])


def people_counts(cube: model.Cube) -> pd.DataFrame:
    """People per year, office and group (client groups, and `staff`): year, office_id, group,
    population (clients or staff), people."""
    clients = (
        cube.clients.groupby(["year", "office_id", "group"], as_index=False)["clients"]
        .sum()
        .rename(columns={"clients": "people"})
        .assign(population=CLIENTS)
    )
    staff = (
        cube.staff.groupby(["year", "office_id"], as_index=False)["staff"]
        .sum()
        .rename(columns={"staff": "people"})
        .assign(group=STAFF_GROUP, population=STAFF)
    )
    counts = pd.concat([clients, staff], ignore_index=True)
    return counts.astype({"year": int, "people": int})[
        ["year", "office_id", "group", "population", "people"]
    ]


def people_behind(counts: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """The people counts of the offices and groups that the (filtered) result rows cover."""
    covered = rows[["office_id", "group"]].drop_duplicates()
    return counts.merge(covered, on=["office_id", "group"])


def too_few(people: pd.DataFrame, min_people: int) -> bool:
    """Whether a figure over these people rests, in some year, on a population of 1 to
    min_people − 1 (a population with nobody in it contributes nothing to the figure)."""
    per_population = people.groupby(["year", "population"])["people"].sum()
    return bool(((per_population > 0) & (per_population < min_people)).any())


@dataclass(frozen=True)
class SlideTable:
    """Figures a view may show, and what the privacy rule did to get there."""

    table: pd.DataFrame
    merged: tuple[str, ...] = ()  # offices shown together as OTHER_OFFICES
    withheld: bool = False  # figures left out because too few people stand behind them


def offices_to_merge(
    people: pd.DataFrame, office_ids: Iterable[str], min_people: int
) -> tuple[tuple[str, ...], bool]:
    """Which of these offices to show together as OTHER_OFFICES, and whether even all of them
    together are too few (then nothing per office may be shown).

    The offices below the rule, grown by the next-smallest office until the merged cell itself
    passes the rule: otherwise a small office could be recovered as total minus the others.
    `people` are people counts (people_counts rows) of the offices, groups and years shown."""
    office_ids = list(office_ids)
    people = people[people["office_id"].isin(office_ids)]
    small = [o for o in office_ids if too_few(people[people["office_id"] == o], min_people)]
    if not small:
        return (), False
    by_size = people.groupby("office_id")["people"].sum().sort_values(kind="stable")
    merged = list(small)
    for office in by_size.index:
        if not too_few(people[people["office_id"].isin(merged)], min_people):
            break
        if office not in merged:
            merged.append(office)
    if too_few(people[people["office_id"].isin(merged)], min_people):
        return (), True
    return tuple(merged), False


def merge_small_offices(table: pd.DataFrame, people: pd.DataFrame, min_people: int) -> SlideTable:
    """Per-office figures (office_id plus numeric columns) with the small offices summed into
    one OTHER_OFFICES row; withheld entirely if even all offices together are too few."""
    merged, withheld = offices_to_merge(people, table["office_id"], min_people)
    if withheld:
        return SlideTable(table.iloc[0:0], merged=(), withheld=True)
    if not merged:
        return SlideTable(table.reset_index(drop=True))
    is_merged = table["office_id"].isin(merged)
    other = table[is_merged].drop(columns="office_id").sum(numeric_only=True).to_frame().T
    combined = pd.concat(
        [table[~is_merged], other.assign(office_id=OTHER_OFFICES)], ignore_index=True
    )
    return SlideTable(combined[table.columns], merged=tuple(sorted(merged)))


def pool_small_offices(rows: pd.DataFrame, counts: pd.DataFrame, min_people: int) -> SlideTable:
    """Result rows whose small offices are pooled: their office_id becomes OTHER_OFFICES, so
    every per-office figure computed from the rows (sums and shares alike) rests on enough
    people. No rows (withheld) if even all offices together are too few.

    `counts` are people_counts; the people are those of the offices, groups and years that the
    rows cover, so a table of one year is judged by that year's people."""
    people = people_behind(counts, rows)
    people = people[people["year"].isin(set(rows["year"]))]
    merged, withheld = offices_to_merge(people, rows["office_id"].unique(), min_people)
    if withheld:
        return SlideTable(rows.iloc[0:0], withheld=True)
    if not merged:
        return SlideTable(rows)
    pooled = rows["office_id"].where(~rows["office_id"].isin(merged), OTHER_OFFICES)
    return SlideTable(rows.assign(office_id=pooled), merged=tuple(sorted(merged)))


def offices_not_shown_alone(
    rows: pd.DataFrame, counts: pd.DataFrame, min_people: int
) -> frozenset[str]:
    """The offices of the rows whose own figures may not be shown on their own: those that
    pool_small_offices merges, or all of them when it withholds (for per-office figures that
    cannot be pooled, such as a ratio that needs each office's country)."""
    pooled = pool_small_offices(rows, counts, min_people)
    return frozenset(rows["office_id"]) if pooled.withheld else frozenset(pooled.merged)
