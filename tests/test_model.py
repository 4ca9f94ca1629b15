"""The model against values worked out by hand, and the comparison and its decomposition.

GIVEN small data sets with given distances and simple factor values, WHEN computed, THEN every
kg equals the arithmetic written out in the test.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from geopy.distance import geodesic

from calc import model, store
from calc.factors import FactorSet
from calc.loaders import load

OFFICES = "office_id,name,country,lat,lon\nA,Office A,AT,46.62,14.31\nB,Office B,AT,46.61,13.85\n"

# car 0.2 kg/pkm (no EVs, one person per car), public transport 0.05 kg/pkm,
# grid 0.2 kg/kWh, phone 0.01 kWh and video 0.1 kWh per contact
SIMPLE = {
    "ef_car_ice_kg_per_vkm": 0.2,
    "ev_share": 0.0,
    "car_occupancy": 1.0,
    "ef_pt_kg_per_pkm": 0.05,
    "ef_plane_kg_per_pkm": 0.15,
    "grid_kg_per_kwh": 0.2,
    "energy_phone_kwh_per_contact": 0.01,
    "energy_video_kwh_per_contact": 0.1,
    "energy_online_kwh_per_contact": 0.001,
    "homeoffice_heating_kwh_per_day": 2.0,
    "ef_heating_kg_per_kwh": 0.25,
    "homeoffice_electricity_kwh_per_day": 1.0,
    "detour_factor": 1.3,
    "plane_detour_km": 95.0,
}
ABS = 1e-9


def simple_factors(**changes: float) -> FactorSet:
    return FactorSet.load().with_overrides({**SIMPLE, **changes})


def loaded(tmp_path: Path, **tables: str) -> model.Cube:
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    for name, text in {"offices": OFFICES, **tables}.items():
        (folder / f"{name}.csv").write_text(text)
    con = store.connect(":memory:")
    load(con, folder)
    return model.load_cube(con, FactorSet.load())


CLIENTS = (
    "year,client_id,office_id,in_person,phone,video,mode,distance_km\n"
    "2019,c1,A,4,1,0,car,10\n"
    "2019,c2,A,2,0,0,pt,5\n"
    "2022,c1,A,1,2,3,car,10\n"
    "2022,c2,A,2,0,0,pt,5\n"
)


@pytest.fixture
def clients_cube(tmp_path):
    return loaded(tmp_path, clients=CLIENTS)


def kg(rows, **where) -> float:
    mask = True
    for column, value in where.items():
        mask = mask & (rows[column] == value)
    return float(rows.loc[mask, "kg_co2e"].sum())


def test_client_visits_and_remote_contacts_by_hand(clients_cube):
    rows = model.compute(clients_cube, simple_factors())
    # 2019: c1 4 visits × 2 × 10 km × 0.2 = 16; c2 2 × 2 × 5 km × 0.05 = 1; phone 1 × 0.01 × 0.2
    assert kg(rows, year=2019, activity="in_person", mode="car") == pytest.approx(16.0, abs=ABS)
    assert kg(rows, year=2019, activity="in_person", mode="pt") == pytest.approx(1.0, abs=ABS)
    assert kg(rows, year=2019, activity="phone") == pytest.approx(0.002, abs=ABS)
    # 2022: 1 × 2 × 10 × 0.2 = 4; pt 1; phone 2 × 0.002 = 0.004; video 3 × 0.1 × 0.2 = 0.06
    assert kg(rows, year=2022, activity="video") == pytest.approx(0.06, abs=ABS)
    assert model.totals(rows) == pytest.approx({2019: 17.002, 2022: 5.064}, abs=ABS)
    car_2019 = rows[(rows["year"] == 2019) & (rows["mode"] == "car")].iloc[0]
    assert (car_2019["count"], car_2019["km"]) == (4, 80)


def test_rows_without_the_interval(clients_cube):
    """compute(interval=False), the overview's rows: the same figures by hand, no draws."""
    central = model.compute(clients_cube, simple_factors(), interval=False)
    assert list(central.columns) == model.CENTRAL_COLUMNS
    assert "kg_co2e_low" not in central.columns
    # As in test_client_visits_and_remote_contacts_by_hand.
    assert model.totals(central) == pytest.approx({2019: 17.002, 2022: 5.064}, abs=ABS)
    full = model.compute(clients_cube, simple_factors())
    pd.testing.assert_frame_equal(central, full[model.CENTRAL_COLUMNS])


def test_car_factor_follows_the_fleet(clients_cube):
    # half the fleet electric at 0.2 kWh/km on a 0.2 kg/kWh grid, 1.25 persons per car:
    # (0.5 × 0.2 + 0.5 × 0.2 × 0.2) / 1.25 = 0.096 kg per passenger-km
    factors = simple_factors(ev_share=0.5, ev_energy_kwh_per_vkm=0.2, car_occupancy=1.25)
    rows = model.compute(clients_cube, factors)
    assert kg(rows, year=2019, mode="car") == pytest.approx(4 * 2 * 10 * 0.096, abs=ABS)


def test_detour_applies_to_computed_distances_only(tmp_path):
    cube = loaded(
        tmp_path,
        clients=(
            "year,client_id,office_id,lat,lon,in_person,mode,distance_km\n"
            "2019,a,A,46.61,13.85,3,car,\n"
            "2019,b,A,,,1,car,7\n"
        ),
    )
    rows = model.compute(cube, simple_factors())
    straight_km = geodesic((46.61, 13.85), (46.62, 14.31)).km
    expected = 3 * 2 * straight_km * 1.3 * 0.2 + 1 * 2 * 7 * 0.2
    assert kg(rows, year=2019) == pytest.approx(expected, rel=1e-4)  # coords rounded to 0.001°


def test_default_mode_split_by_distance_band(tmp_path):
    cube = loaded(
        tmp_path, clients="year,client_id,office_id,in_person,distance_km\n2019,a,A,5,3\n"
    )
    factors = simple_factors()
    rows = model.compute(cube, factors)
    split = factors.mode_split("AT")
    band = split[(split["band_lo_km"] <= 3) & (split["band_hi_km"] > 3)]
    ef = {
        "car": 0.2,
        "pt": 0.05,
        "walk": factors.value("ef_walk_kg_per_pkm", "AT", 2019),
        "bike": factors.value("ef_bike_kg_per_pkm", "AT", 2019),
    }
    expected = sum(
        5 * 2 * 3 * share * ef[mode]
        for mode, share in zip(band["mode"], band["share"], strict=True)
    )
    assert kg(rows, year=2019) == pytest.approx(expected, abs=ABS)
    assert rows["count"].sum() == pytest.approx(5, abs=ABS)  # the visits are split, not multiplied


def test_staff_commute_and_home_office_balance(tmp_path):
    cube = loaded(
        tmp_path,
        staff=(
            "year,staff_id,office_id,mode,office_days,homeoffice_days,distance_km\n"
            "2019,s1,A,car,200,0,10\n"
            "2022,s1,A,car,120,80,10\n"
        ),
    )
    rows = model.compute(cube, simple_factors())
    # commute: 200 days × 2 × 10 km × 0.2 = 800; 2022: 120 × 2 × 10 × 0.2 = 480
    assert kg(rows, year=2019, activity="commute") == pytest.approx(800, abs=ABS)
    assert kg(rows, year=2022, activity="commute") == pytest.approx(480, abs=ABS)
    # home office day: 2 kWh heat × 0.25 + 1 kWh electricity × 0.2 = 0.7 kg; 80 days = 56 kg
    assert kg(rows, year=2022, activity="homeoffice") == pytest.approx(56, abs=ABS)
    assert set(rows["group"]) == {"staff"}


def test_business_trips_with_plane_detour(tmp_path):
    cube = loaded(
        tmp_path,
        trips=(
            "year,office_id,destination,mode,trips,distance_km\n"
            "2019,A,B,car,3,50\n"
            "2019,A,Wien,plane,1,\n"
        ),
        clients="year,client_id,office_id,in_person,distance_km\n2019,a,A,0,1\n",
    )
    rows = model.compute(cube, simple_factors())
    assert kg(rows, activity="business_trip", mode="car") == pytest.approx(3 * 2 * 50 * 0.2)
    office = (46.62, 14.31)
    wien = geodesic(office, (48.20849, 16.37208)).km  # the gazetteer's Wien
    assert kg(rows, activity="business_trip", mode="plane") == pytest.approx(
        1 * 2 * (wien + 95) * 0.15, rel=1e-3
    )


def test_year_totals_carry_the_simulated_interval(tmp_path):
    cube = loaded(tmp_path, clients=CLIENTS)
    factors = FactorSet.load()
    rows = model.compute(cube, factors)
    totals = model.year_totals(cube, factors)
    assert totals.kg == pytest.approx(model.totals(rows), abs=ABS)
    for year, central in totals.kg.items():
        # Car and public-transport factors are uncertain: a real interval around the total.
        assert totals.low_kg[year] < central < totals.high_kg[year]
    assert (rows["kg_co2e_low"] <= rows["kg_co2e_high"]).all()
    payload = totals.as_json()
    assert set(payload) == {"totals", "totals_low", "totals_high"}
    assert payload["totals"]["2019"] == totals.kg[2019]


def test_one_factor_edition_for_all_years(clients_cube):
    factors = FactorSet.load()
    own = model.compute(clients_cube, factors)
    pinned = model.compute(clients_cube, factors, factor_year=2019)
    assert kg(pinned, year=2019) == pytest.approx(kg(own, year=2019), abs=ABS)
    grid_2019 = factors.value("grid_kg_per_kwh", "AT", 2019)
    video_2022 = 3 * factors.value("energy_video_kwh_per_contact", "AT", 2022) * grid_2019
    assert kg(pinned, year=2022, activity="video") == pytest.approx(video_2022, abs=ABS)


def test_break_even_distance():
    # a video contact: 0.1 kWh × 0.2 kg/kWh = 0.02 kg; a car visit: 2 × d × 0.2 → d = 0.05 km
    distances = model.break_even_km(simple_factors(), "AT", 2022)
    assert distances["car"] == pytest.approx(0.05, abs=ABS)
    assert distances["pt"] == pytest.approx(0.02 / (2 * 0.05), abs=ABS)
    assert distances["walk"] == math.inf


def test_grouping_sums_rows_per_group_and_keeps_absent_groups_at_zero():
    # Rows of groups 2, 0, 2 (group 1 has none); two draws each. By hand: group 0 is the
    # second row (3, 4); group 2 the first and third, (1 + 5, 2 + 6) = (6, 8); group 1 (0, 0).
    values = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    grouping = model.Grouping.of(np.array([2, 0, 2]), n_groups=3)
    assert grouping.sums(values).tolist() == [[3.0, 4.0], [0.0, 0.0], [6.0, 8.0]]
    # The sort is made once and serves any array laid out as those rows.
    assert grouping.sums(values * 10).tolist() == [[30.0, 40.0], [0.0, 0.0], [60.0, 80.0]]
    no_rows = model.Grouping.of(np.array([], dtype=int), n_groups=2)
    assert no_rows.sums(np.zeros((0, 3))).tolist() == [[0.0] * 3, [0.0] * 3]
