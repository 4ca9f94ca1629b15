"""Indicators read off the result rows of model.compute: shares and sums that pages show.

Each takes result rows (year, office_id, group, activity, mode, count, km, kg_co2e and its
range) and returns a new frame; none reads the database.
"""

from __future__ import annotations

import pandas as pd

from calc import units
from calc.schema import REMOTE_CHANNELS, STAFF_GROUP, Channel

CHANNELS = [channel.value for channel in Channel]
KG_COLUMNS = ["kg_co2e", "kg_co2e_low", "kg_co2e_high"]


def client_contacts(rows: pd.DataFrame) -> pd.DataFrame:
    """The result rows of client contacts (every channel, no staff activity)."""
    return rows[(rows["group"] != STAFF_GROUP) & rows["activity"].isin(CHANNELS)]


def digital_share(rows: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Share of phone, video and online contacts in all client contacts, per year (and `by`,
    e.g. office_id, when given): year, [by], contacts, digital_contacts, digital_share.

    Rows of other activities are ignored; years without any contact are left out."""
    keys = ["year", *([by] if by else [])]
    contacts = rows[rows["activity"].isin(CHANNELS)]
    remote = contacts["activity"].isin([c.value for c in REMOTE_CHANNELS])
    sums = (
        contacts.assign(digital_contacts=contacts["count"].where(remote, 0.0))
        .groupby(keys, as_index=False)[["count", "digital_contacts"]]
        .sum()  # a plain sum, not named aggregation: half the time (5 instead of 10 ms)
        .rename(columns={"count": "contacts"})
    )
    sums = sums[sums["contacts"] > 0]
    return sums.assign(digital_share=sums["digital_contacts"] / sums["contacts"]).reset_index(
        drop=True
    )


def per_office_and_channel(contacts: pd.DataFrame) -> pd.DataFrame:
    """Contacts and kg (with range) per office and channel: office_id, activity, count,
    kg_co2e, kg_co2e_low, kg_co2e_high; channels in the order of calc.schema.Channel."""
    cells = contacts.groupby(["office_id", "activity"], as_index=False)[
        ["count", *KG_COLUMNS]
    ].sum()
    order = cells["activity"].map(CHANNELS.index)
    return cells.assign(order=order).sort_values(["office_id", "order"]).drop(columns="order")


TABLE_T_DECIMALS = 2  # the per-office table's tonnes, to 10 kg


def per_office_table(contacts: pd.DataFrame) -> pd.DataFrame:
    """per_office_and_channel as a page shows it: office_id, activity, contacts (whole),
    t_co2e, t_co2e_low, t_co2e_high (t, rounded to TABLE_T_DECIMALS), so that the table, its
    charts and its download show the same numbers."""
    cells = per_office_and_channel(contacts)
    shown = units.with_tonnes(cells, TABLE_T_DECIMALS)
    return shown.assign(count=cells["count"].round().astype(int)).rename(
        columns={"count": "contacts"}
    )


def kg_per_office(rows: pd.DataFrame) -> pd.Series:
    """kg CO2e per office_id."""
    return rows.groupby("office_id")["kg_co2e"].sum()
