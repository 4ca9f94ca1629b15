"""Staff travel as the staff page shows it: commuting by mode, office and home-office days, the
net balance of a home-office day per office, and business trips by mode and destination.

All but load_trips work on result rows of model.compute (the staff group's rows).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from calc import model
from calc.factors import FactorSet
from calc.schema import Activity

TRIPS_SQL = """
    SELECT year, office_id, destination, mode, sum(trips) AS trips
    FROM trips GROUP BY ALL
"""


def commute_by_mode(staff_rows: pd.DataFrame) -> pd.DataFrame:
    """Office days (count), km and kg of commuting per year and mode."""
    commute = staff_rows[staff_rows["activity"] == Activity.COMMUTE.value]
    return commute.groupby(["year", "mode"], as_index=False)[["count", "km", "kg_co2e"]].sum()


def days_per_year(staff_rows: pd.DataFrame) -> pd.DataFrame:
    """Office days (activity commute) and home-office days (activity homeoffice) per year:
    year, count, activity; the office days first."""
    parts = [
        staff_rows[staff_rows["activity"] == activity.value]
        .groupby("year", as_index=False)["count"]
        .sum()
        .assign(activity=activity.value)
        for activity in (Activity.COMMUTE, Activity.HOMEOFFICE)
    ]
    return pd.concat(parts)[["year", "count", "activity"]]


def homeoffice_share(staff_rows: pd.DataFrame, year: int) -> float:
    """Home-office days over all working days (office plus home office) of one year; 0 when
    the year has no working day."""
    days = days_per_year(staff_rows)
    of_year = days[days["year"] == year]
    total = of_year["count"].sum()
    home = of_year.loc[of_year["activity"] == Activity.HOMEOFFICE.value, "count"].sum()
    return float(home / total) if total > 0 else 0.0


def homeoffice_balance(
    staff_rows: pd.DataFrame, offices: pd.DataFrame, factors: FactorSet, year: int
) -> pd.DataFrame:
    """What one home-office day saves, costs and nets per office in one year: office_id,
    saved_kg (commute kg per office day), added_kg (home heating and electricity of a day,
    model.homeoffice_kg_per_day for the office's country), net_kg = saved − added; largest net
    saving first. Offices without an office day that year are left out."""
    commute = staff_rows[
        (staff_rows["activity"] == Activity.COMMUTE.value) & (staff_rows["year"] == year)
    ]
    per_office = commute.groupby("office_id")[["count", "kg_co2e"]].sum()
    per_office = per_office[per_office["count"] > 0]
    balance_offices = offices[offices["office_id"].isin(per_office.index)]
    fx = model.factor_table(
        factors, balance_offices.assign(year=year)[["country", "year"]], "central"
    )
    added_kg_by_country = dict(zip(fx["country"], model.homeoffice_kg_per_day(fx), strict=True))
    balance = pd.DataFrame(
        {
            "office_id": balance_offices["office_id"].to_numpy(),
            "saved_kg": (per_office["kg_co2e"] / per_office["count"])
            .reindex(balance_offices["office_id"])
            .to_numpy(),
            "added_kg": balance_offices["country"].map(added_kg_by_country).to_numpy(),
        }
    )
    balance = balance.assign(net_kg=balance["saved_kg"] - balance["added_kg"])
    return balance.sort_values("net_kg", ascending=False)


def trips_by_mode(staff_rows: pd.DataFrame) -> pd.DataFrame:
    """kg of business trips per year and mode."""
    trips = staff_rows[staff_rows["activity"] == Activity.BUSINESS_TRIP.value]
    return trips.groupby(["year", "mode"], as_index=False)["kg_co2e"].sum()


def trip_kg_per_year(staff_rows: pd.DataFrame) -> dict[int, float]:
    """kg of business trips per year."""
    return model.totals(staff_rows[staff_rows["activity"] == Activity.BUSINESS_TRIP.value])


def load_trips(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Business trips per year, office, destination and mode, as loaded: year, office_id,
    destination, mode, trips."""
    return con.execute(TRIPS_SQL).df()


def trip_destinations(trips: pd.DataFrame, year: int, office_ids: set[str]) -> pd.DataFrame:
    """Trips per destination and mode in one year from some offices (load_trips rows):
    destination, mode, trips."""
    chosen = trips[(trips["year"] == year) & trips["office_id"].isin(office_ids)]
    return chosen.groupby(["destination", "mode"], as_index=False)["trips"].sum()
