"""The small-cell rule: read from data/privacy.csv, and small offices merged or withheld."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from calc import privacy


def test_threshold_lives_in_data_with_its_reason():
    with privacy.PRIVACY_PATH.open(encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(handle) if r["key"] == "min_people_per_cell")
    assert privacy.min_people_per_cell() == int(row["value"]) == 5
    assert row["source"].strip() and row["reason"].strip()


def test_merging_withholds_when_all_offices_together_are_too_few():
    table = pd.DataFrame({"office_id": ["A", "B"], "kg": [1.0, 2.0]})
    people = pd.DataFrame(
        {
            "year": [2022, 2022],
            "office_id": ["A", "B"],
            "group": ["jobseeker"] * 2,
            "population": [privacy.CLIENTS] * 2,
            "people": [1, 2],
        }
    )
    merged = privacy.merge_small_offices(table, people, 5)
    assert merged.table.empty and merged.withheld
    enough = privacy.merge_small_offices(table, replace_people(people, "B", 9), 5)
    assert list(enough.table["office_id"]) == [privacy.OTHER_OFFICES]
    assert enough.table["kg"].iloc[0] == pytest.approx(3.0)


def replace_people(people: pd.DataFrame, office: str, count: int) -> pd.DataFrame:
    return people.assign(people=people["people"].where(people["office_id"] != office, count))
