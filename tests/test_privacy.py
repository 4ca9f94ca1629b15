"""The small-cell rule: read from data/privacy.csv, and small offices merged or withheld."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from calc import indicators, privacy


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


# Clients per office in 2022: A 40, B 3, C 4, D 20; in 2019 office A had only 2.
COUNTS = pd.DataFrame(
    {
        "year": [2022, 2022, 2022, 2022, 2019],
        "office_id": ["A", "B", "C", "D", "A"],
        "group": ["jobseeker"] * 5,
        "population": [privacy.CLIENTS] * 5,
        "people": [40, 3, 4, 20, 2],
    }
)
VISIT = "in_person"
# 2022 contacts: B 1 phone + 1 visit, C 3 online + 3 visits, A 10 visits, D 5 video + 5 visits.
ROWS_2022 = pd.DataFrame(
    {
        "year": 2022,
        "office_id": ["A", "B", "B", "C", "C", "D", "D"],
        "group": "jobseeker",
        "activity": [VISIT, "phone", VISIT, "online", VISIT, "video", VISIT],
        "count": [10.0, 1.0, 1.0, 3.0, 3.0, 5.0, 5.0],
    }
)


def test_small_offices_are_pooled_before_any_per_office_figure():
    pooled = privacy.pool_small_offices(ROWS_2022, COUNTS, 5)
    # B (3) and C (4) are each below 5; together 3 + 4 = 7 pass, so they are the pooled cell.
    # A's 2 clients of 2019 do not count: the rows are of 2022.
    assert pooled.merged == ("B", "C") and not pooled.withheld
    assert sorted(set(pooled.table["office_id"])) == ["A", "D", privacy.OTHER_OFFICES]
    # A share computed from the pooled rows is the pooled cell's: (1 + 3) remote contacts of
    # (1 + 1) + (3 + 3) = 8 contacts = 0.5, not the mean of B's 1/2 and C's 3/6.
    shares = indicators.digital_share(pooled.table, by="office_id").set_index("office_id")
    assert shares.loc[privacy.OTHER_OFFICES, "digital_share"] == pytest.approx(4 / 8, abs=1e-12)
    assert shares.loc["D", "digital_share"] == pytest.approx(5 / 10, abs=1e-12)
    assert privacy.offices_not_shown_alone(ROWS_2022, COUNTS, 5) == {"B", "C"}


def test_a_selection_of_one_small_office_is_withheld_and_a_laxer_rule_shows_it():
    only_b = ROWS_2022[ROWS_2022["office_id"] == "B"]
    pooled = privacy.pool_small_offices(only_b, COUNTS, 5)
    # B alone has 3 clients and no other office is selected to pool it with.
    assert pooled.withheld and pooled.table.empty
    assert privacy.offices_not_shown_alone(only_b, COUNTS, 5) == {"B"}
    # At a rule of 3 people, every office stands alone.
    assert privacy.pool_small_offices(ROWS_2022, COUNTS, 3).merged == ()
    assert privacy.offices_not_shown_alone(ROWS_2022, COUNTS, 3) == frozenset()


def test_min_people_per_cell_reads_the_file_it_is_given(tmp_path, monkeypatch):
    rule = tmp_path / "privacy.csv"
    rule.write_text(
        "key,value,unit,source,reason\nmin_people_per_cell,11,people,test,a stricter rule\n",
        encoding="utf-8",
    )
    assert privacy.min_people_per_cell(rule) == 11
    monkeypatch.setattr(privacy, "PRIVACY_PATH", rule)
    assert privacy.min_people_per_cell() == 11
