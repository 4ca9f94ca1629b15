"""Indicators off the result rows, against values worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from calc import indicators
from calc.schema import STAFF_GROUP

COLUMNS = ["year", "office_id", "group", "activity", "mode", "count", "kg_co2e"]


def result_rows(*records: tuple) -> pd.DataFrame:
    rows = pd.DataFrame(records, columns=COLUMNS)
    return rows.assign(kg_co2e_low=rows["kg_co2e"] / 2, kg_co2e_high=rows["kg_co2e"] * 2)


# 2022: office A 6 visits, 3 phone, 1 video; office B 5 visits, 5 online.
# 2019: office A 4 visits by car and 4 by pt, 2 phone. Staff commuting is no client contact.
ROWS = result_rows(
    (2019, "A", "jobseeker", "in_person", "car", 4.0, 8.0),
    (2019, "A", "jobseeker", "in_person", "pt", 4.0, 1.0),
    (2019, "A", "jobseeker", "phone", "", 2.0, 0.01),
    (2022, "A", "jobseeker", "in_person", "car", 6.0, 12.0),
    (2022, "A", "jobseeker", "phone", "", 3.0, 0.015),
    (2022, "A", "jobseeker", "video", "", 1.0, 0.02),
    (2022, "B", "employer", "in_person", "car", 5.0, 10.0),
    (2022, "B", "employer", "online", "", 5.0, 0.001),
    (2022, "A", STAFF_GROUP, "commute", "car", 200.0, 400.0),
)


def test_digital_share_per_year_by_hand():
    shares = indicators.digital_share(ROWS).set_index("year")
    # 2019: 2 phone of 4 + 4 + 2 = 10 contacts; 2022: 3 + 1 + 5 = 9 remote of 6 + 3 + 1 + 5 + 5
    # = 20 contacts. The 200 commuting days count nowhere.
    assert shares["contacts"].to_dict() == {2019: 10.0, 2022: 20.0}
    assert shares["digital_contacts"].to_dict() == {2019: 2.0, 2022: 9.0}
    assert shares["digital_share"].to_dict() == pytest.approx({2019: 0.2, 2022: 0.45}, abs=1e-12)


def test_digital_share_per_office_by_hand():
    shares = indicators.digital_share(ROWS[ROWS["year"] == 2022], by="office_id")
    # A: 3 phone + 1 video of 10 contacts; B: 5 online of 10 contacts.
    assert shares.set_index("office_id")["digital_share"].to_dict() == pytest.approx(
        {"A": 0.4, "B": 0.5}, abs=1e-12
    )


def test_a_year_without_contacts_has_no_share():
    # Only staff rows: no client contact, so no year at all (not a 0/0 share).
    assert indicators.digital_share(ROWS[ROWS["group"] == STAFF_GROUP]).empty


def test_client_contacts_leave_staff_out():
    contacts = indicators.client_contacts(ROWS)
    assert len(contacts) == len(ROWS) - 1
    assert STAFF_GROUP not in set(contacts["group"])


def test_per_office_and_channel_sums_modes_and_groups():
    cells = indicators.per_office_and_channel(indicators.client_contacts(ROWS))
    # Office A's 2019 and 2022 visits are one cell: 4 + 4 + 6 = 14 visits, 8 + 1 + 12 = 21 kg;
    # low and high are half and twice each row's kg, so 10.5 and 42.
    visits_a = cells[(cells["office_id"] == "A") & (cells["activity"] == "in_person")].iloc[0]
    assert (visits_a["count"], visits_a["kg_co2e"]) == pytest.approx((14.0, 21.0), abs=1e-12)
    assert (visits_a["kg_co2e_low"], visits_a["kg_co2e_high"]) == pytest.approx(
        (10.5, 42.0), abs=1e-12
    )
    # Channels in the order of calc.schema.Channel within each office.
    assert list(zip(cells["office_id"], cells["activity"], strict=True)) == [
        ("A", "in_person"),
        ("A", "phone"),
        ("A", "video"),
        ("B", "in_person"),
        ("B", "online"),
    ]


def test_per_office_table_is_in_tonnes_rounded_as_shown():
    """The same cells in t to 10 kg: office A's visits 21 kg -> 0.02 t (low 10.5 -> 0.01,
    high 42 -> 0.04); office B's 5 online contacts 0.001 kg -> 0.0 t; counts whole."""
    table = indicators.per_office_table(indicators.client_contacts(ROWS))
    assert list(table.columns) == [
        "office_id",
        "activity",
        "contacts",
        "t_co2e",
        "t_co2e_low",
        "t_co2e_high",
    ]
    visits_a = table[(table["office_id"] == "A") & (table["activity"] == "in_person")].iloc[0]
    assert visits_a["contacts"] == 14
    assert (visits_a["t_co2e"], visits_a["t_co2e_low"], visits_a["t_co2e_high"]) == (
        0.02,
        0.01,
        0.04,
    )
    online_b = table[(table["office_id"] == "B") & (table["activity"] == "online")].iloc[0]
    assert (online_b["contacts"], online_b["t_co2e"]) == (5, 0.0)
    assert table["contacts"].dtype.kind == "i"
