"""Staff travel as the staff page shows it, against values worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from calc import staff_travel, store
from calc.factors import FactorSet
from calc.loaders import load
from calc.schema import STAFF_GROUP

ABS = 1e-9
COLUMNS = ["year", "office_id", "activity", "mode", "count", "km", "kg_co2e"]
OFFICES = pd.DataFrame(
    {"office_id": ["A", "B", "C"], "name": ["Office A", "Office B", "Office C"], "country": "AT"}
)


def staff_rows(*records: tuple) -> pd.DataFrame:
    return pd.DataFrame(records, columns=COLUMNS).assign(group=STAFF_GROUP)


# 2022: office A 80 car days (240 kg) and 20 pt days (10 kg), 30 home-office days; office B 50
# car days (20 kg), 20 home-office days; office C no office day. 2019: office A 100 car days.
ROWS = staff_rows(
    (2019, "A", "commute", "car", 100.0, 2000.0, 1000.0),
    (2022, "A", "commute", "car", 80.0, 1600.0, 240.0),
    (2022, "A", "commute", "pt", 20.0, 400.0, 10.0),
    (2022, "A", "homeoffice", "", 30.0, 0.0, 21.0),
    (2022, "B", "commute", "car", 50.0, 100.0, 20.0),
    (2022, "B", "homeoffice", "", 20.0, 0.0, 14.0),
    (2022, "C", "commute", "car", 0.0, 0.0, 0.0),
    (2022, "A", "business_trip", "rail", 4.0, 800.0, 12.0),
    (2022, "A", "business_trip", "plane", 1.0, 1000.0, 150.0),
    (2019, "B", "business_trip", "car", 2.0, 200.0, 40.0),
)


def test_home_office_balance_by_hand():
    # A home-office day: 2 kWh heating × 0.25 kg/kWh + 1 kWh electricity × 0.2 kg/kWh = 0.7 kg.
    factors = FactorSet.load().with_overrides(
        {
            "homeoffice_heating_kwh_per_day": 2.0,
            "ef_heating_kg_per_kwh": 0.25,
            "homeoffice_electricity_kwh_per_day": 1.0,
            "grid_kg_per_kwh": 0.2,
        }
    )
    balance = staff_travel.homeoffice_balance(ROWS, OFFICES, factors, 2022)
    # A: (240 + 10) kg / (80 + 20) days = 2.5 kg saved a day, net 2.5 − 0.7 = 1.8;
    # B: 20 kg / 50 days = 0.4 kg saved, net 0.4 − 0.7 = −0.3 (costs). C has no office day.
    # Largest net saving first. 2019's commute is another year.
    assert balance["office_id"].tolist() == ["A", "B"]
    assert balance["saved_kg"].tolist() == pytest.approx([2.5, 0.4], abs=ABS)
    assert balance["added_kg"].tolist() == pytest.approx([0.7, 0.7], abs=ABS)
    assert balance["net_kg"].tolist() == pytest.approx([1.8, -0.3], abs=ABS)


def test_office_and_home_office_days_and_share_by_hand():
    days = staff_travel.days_per_year(ROWS)
    by_kind = days.set_index(["activity", "year"])["count"].to_dict()
    # Office days 2022: 80 + 20 + 50 + 0 = 150; home-office days 30 + 20 = 50.
    assert by_kind == {
        ("commute", 2019): 100.0,
        ("commute", 2022): 150.0,
        ("homeoffice", 2022): 50.0,
    }
    assert staff_travel.homeoffice_share(ROWS, 2022) == pytest.approx(50 / 200, abs=ABS)
    assert staff_travel.homeoffice_share(ROWS, 2019) == 0.0  # no home-office day
    assert staff_travel.homeoffice_share(ROWS, 2030) == 0.0  # no working day at all


def test_commute_and_trips_by_mode_by_hand():
    commute = staff_travel.commute_by_mode(ROWS).set_index(["year", "mode"])
    # 2022 by car: A 80 + B 50 + C 0 = 130 days, 1600 + 100 = 1700 km, 240 + 20 = 260 kg.
    assert commute.loc[(2022, "car")].tolist() == pytest.approx([130.0, 1700.0, 260.0], abs=ABS)
    assert commute.loc[(2022, "pt")].tolist() == pytest.approx([20.0, 400.0, 10.0], abs=ABS)
    trips = staff_travel.trips_by_mode(ROWS).set_index(["year", "mode"])["kg_co2e"].to_dict()
    assert trips == pytest.approx(
        {(2019, "car"): 40.0, (2022, "plane"): 150.0, (2022, "rail"): 12.0}, abs=ABS
    )
    # 2022: 12 kg by rail + 150 kg by plane; 2019: 40 kg by car.
    assert staff_travel.trip_kg_per_year(ROWS) == pytest.approx({2019: 40.0, 2022: 162.0}, abs=ABS)


def test_trip_destinations_from_the_database(tmp_path: Path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "offices.csv").write_text(
        "office_id,name,country,lat,lon\nA,Office A,AT,46.62,14.31\nB,Office B,AT,46.61,13.85\n"
    )
    # A load needs people; one staff member is enough.
    (folder / "staff.csv").write_text(
        "year,staff_id,office_id,mode,office_days,distance_km\n2022,s1,A,car,200,10\n"
    )
    (folder / "trips.csv").write_text(
        "year,office_id,destination,mode,trips\n"
        "2022,A,B,car,3\n"
        "2022,A,B,car,1\n"
        "2022,A,B,rail,2\n"
        "2022,B,A,car,4\n"
        "2019,A,B,car,9\n"
    )
    con = store.connect(":memory:")
    load(con, folder)
    trips = staff_travel.load_trips(con)

    def destinations(offices: set[str]) -> dict[tuple[str, str], float]:
        table = staff_travel.trip_destinations(trips, 2022, offices)
        return table.set_index(["destination", "mode"])["trips"].to_dict()

    # From A in 2022: 3 + 1 car trips and 2 rail trips to B; 2019's 9 trips are another year.
    assert destinations({"A"}) == {("B", "car"): 4, ("B", "rail"): 2}
    assert destinations({"A", "B"}) == {("A", "car"): 4, ("B", "car"): 4, ("B", "rail"): 2}
