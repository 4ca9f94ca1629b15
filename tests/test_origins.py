"""Client origins on the map: visit-km per rounded origin, and office kg shared out over them.

GIVEN small data sets, WHEN the origins are read and the kg shared out, THEN every figure equals
the arithmetic written out in the test, and no grid cell of fewer clients than the privacy rule
is shown.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from geopy.distance import geodesic

from calc import origins, privacy, store
from calc.factors import FactorSet
from calc.loaders import load

OFFICES = "office_id,name,country,lat,lon\nA,Office A,AT,46.62,14.31\nB,Office B,AT,46.61,13.85\n"
ORIGIN_COLUMNS = ["year", "office_id", "group", "lat", "lon", "clients", "visits"]
KM_COLUMNS = ["geo_km_visits", "given_km_visits"]
RESULT_COLUMNS = ["year", "office_id", "group", "activity", "mode", "count", "kg_co2e"]
ABS = 1e-9


def test_origins_are_rounded_and_split_into_geodesic_and_given_km(tmp_path: Path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "offices.csv").write_text(OFFICES)
    (folder / "clients.csv").write_text(
        "year,client_id,office_id,lat,lon,in_person,mode,distance_km\n"
        "2022,a,A,46.611,13.851,3,car,\n"  # both round to the grid cell (46.61, 13.85)
        "2022,b,A,46.612,13.849,2,car,\n"
        "2022,c,A,,,1,car,7\n"  # no home: stays in, without an origin
        "2022,d,A,46.7,14.0,2,pt,20\n"  # a given distance is taken as given
    )
    con = store.connect(":memory:")
    load(con, folder)
    table = origins.load_origins(con).sort_values(["lat", "lon"], na_position="last")

    cells = list(table[["lat", "lon", "clients", "visits"]].itertuples(index=False, name=None))
    assert cells[:2] == [(46.61, 13.85, 2, 5), (46.7, 14.0, 1, 2)]
    assert pd.isna(cells[2][0]) and cells[2][2:] == (1, 1)
    # (46.61, 13.85): 3 visits × km(a) + 2 visits × km(b), straight line to office A, no detour
    # (that is the model's to apply); (46.7, 14.0): 2 visits × 20 km given; no home: 1 × 7 km.
    office = (46.62, 14.31)
    straight = 3 * geodesic((46.611, 13.851), office).km + 2 * geodesic((46.612, 13.849), office).km
    assert table["geo_km_visits"].tolist() == pytest.approx([straight, 0.0, 0.0], rel=1e-4)
    assert table["given_km_visits"].tolist() == pytest.approx([0.0, 40.0, 7.0], abs=ABS)


# Office A: 11 jobseekers. 6 at P travel 100 geodesic km (× detour 1.5 = 150 km), 4 at Q travel
# 40 given km, 1 without a home travels 10 given km: 200 km in all. 5 employers at P travel 20
# geodesic km (30 km). Office B: 7 clients at R, but no visit rows.
P, Q, R = (46.6, 14.0), (46.7, 14.1), (46.5, 13.8)
ORIGINS = pd.DataFrame(
    [
        (2022, "A", "jobseeker", *P, 6, 12, 100.0, 0.0),
        (2022, "A", "jobseeker", *Q, 4, 8, 0.0, 40.0),
        (2022, "A", "jobseeker", None, None, 1, 2, 0.0, 10.0),
        (2022, "A", "employer", *P, 5, 5, 20.0, 0.0),
        (2022, "B", "jobseeker", *R, 7, 7, 10.0, 0.0),
    ],
    columns=ORIGIN_COLUMNS + KM_COLUMNS,
)
# In-person kg of office A: jobseekers 50 by car + 30 by pt = 80 kg, employers 10 kg.
VISIT_ROWS = pd.DataFrame(
    [
        (2022, "A", "jobseeker", "in_person", "car", 14.0, 50.0),
        (2022, "A", "jobseeker", "in_person", "pt", 8.0, 30.0),
        (2022, "A", "employer", "in_person", "car", 5.0, 10.0),
    ],
    columns=RESULT_COLUMNS,
)
DETOUR = {"A": 1.5, "B": 1.5}


def points_by_cell(points: pd.DataFrame) -> dict[tuple, tuple]:
    return {
        (p.office_id, p.lat, p.lon): (p.clients, p.visits, p.kg_co2e)
        for p in points.itertuples(index=False)
    }


def test_office_kg_is_shared_over_origins_by_km_by_hand():
    points = points_by_cell(origins.origin_emissions(ORIGINS, VISIT_ROWS, DETOUR, min_people=4))
    # Jobseekers' 80 kg: P 150/200 = 60 kg, Q 40/200 = 16 kg (the 4 kg of the 10 km without a
    # home are not placed). Employers' 10 kg all at P: P = 60 + 10 = 70 kg, 6 + 5 = 11 clients.
    # Office B has no visit rows: its cell carries 0 kg.
    assert points == pytest.approx(
        {
            ("A", *P): (11, 17, 70.0),
            ("A", *Q): (4, 8, 16.0),
            ("B", *R): (7, 7, 0.0),
        },
        abs=ABS,
    )


def test_no_cell_of_fewer_clients_than_the_rule():
    points = points_by_cell(origins.origin_emissions(ORIGINS, VISIT_ROWS, DETOUR, min_people=5))
    # Q has 4 clients: left out at 5, its kg not moved elsewhere.
    assert set(points) == {("A", *P), ("B", *R)}
    assert points[("A", *P)][2] == pytest.approx(70.0, abs=ABS)


def write_rule(path: Path, min_people: int) -> Path:
    path.write_text(
        "key,value,unit,source,reason\n"
        f"min_people_per_cell,{min_people},people,test,a stricter or laxer rule\n",
        encoding="utf-8",
    )
    return path


def test_the_map_follows_the_threshold_in_privacy_csv(tmp_path, monkeypatch):
    factors = FactorSet.load().with_overrides({"detour_factor": 1.5})
    offices = pd.DataFrame({"office_id": ["A", "B"], "country": ["AT", "AT"]})
    contacts = VISIT_ROWS.assign(kg_co2e_low=0.0, kg_co2e_high=0.0)

    def shown_cells() -> set[tuple]:
        return set(points_by_cell(origins.origin_points(ORIGINS, contacts, offices, factors, 2022)))

    # The shipped rule (5 people): Q's 4 clients are not shown. Office B has no client contact
    # in the rows, so it is not on the map at all.
    assert privacy.min_people_per_cell() == 5
    assert shown_cells() == {("A", *P)}

    monkeypatch.setattr(privacy, "PRIVACY_PATH", write_rule(tmp_path / "privacy.csv", 4))
    assert shown_cells() == {("A", *P), ("A", *Q)}

    monkeypatch.setattr(privacy, "PRIVACY_PATH", write_rule(tmp_path / "strict.csv", 12))
    assert shown_cells() == set()  # P has 11 clients


def test_office_points_carry_visit_kg_and_break_even_radius():
    # A car at 0.2 kg/km (no EVs, alone); video 0.1 kWh on a 0.2 kg/kWh grid = 0.02 kg a contact.
    factors = FactorSet.load().with_overrides(
        {
            "ef_car_ice_kg_per_vkm": 0.2,
            "ev_share": 0.0,
            "car_occupancy": 1.0,
            "energy_video_kwh_per_contact": 0.1,
            "grid_kg_per_kwh": 0.2,
        }
    )
    offices = pd.DataFrame({"office_id": ["A", "B"], "country": ["AT", "AT"]})
    contacts = VISIT_ROWS.assign(kg_co2e_low=0.0, kg_co2e_high=0.0)
    points = origins.office_points(contacts, offices, factors, 2022).set_index("office_id")
    assert list(points.index) == ["A"]  # B has no contact that year
    assert points.loc["A", "kg_co2e"] == pytest.approx(50.0 + 30.0 + 10.0, abs=ABS)
    # A round trip of d km emits 2 × d × 0.2 kg: equal to 0.02 kg at d = 0.02 / 0.4 = 0.05 km.
    assert points.loc["A", "radius_km"] == pytest.approx(0.05, abs=ABS)
    # An office too small to be shown alone keeps its place on the map, but not its kg.
    hidden = origins.office_points(contacts, offices, factors, 2022, hide_kg_of=("A",))
    assert hidden["kg_co2e"].isna().all()


# Three 1 km squares of office A's jobseekers: two in one 0.05° cell, one in another.
DENSITY_ORIGINS = pd.DataFrame(
    [
        (2022, "A", "jobseeker", 46.61, 14.01, 3, 6, 60.0, 0.0),
        (2022, "A", "jobseeker", 46.60, 14.04, 3, 3, 30.0, 0.0),
        (2022, "A", "jobseeker", 46.71, 14.11, 4, 4, 0.0, 45.0),
    ],
    columns=ORIGIN_COLUMNS + KM_COLUMNS,
)


def test_density_cells_sum_squares_before_the_rule():
    factors = FactorSet.load().with_overrides({"detour_factor": 1.5})
    offices = pd.DataFrame({"office_id": ["A"], "country": ["AT"]})
    contacts = VISIT_ROWS[VISIT_ROWS["group"] == "jobseeker"].assign(
        kg_co2e_low=0.0, kg_co2e_high=0.0
    )
    cells = origins.density_cells(DENSITY_ORIGINS, contacts, offices, factors, 2022, 5, 0.05)
    # km: 60 × 1.5 = 90, 30 × 1.5 = 45, 45 given: 180 km for the jobseekers' 80 kg.
    # (46.61, 14.01) and (46.60, 14.04) lie in the cell 46.60–46.65 × 14.00–14.05, centre
    # (46.625, 14.025): 3 + 3 = 6 clients (each square alone is below 5), 80 × 135 / 180 = 60 kg.
    # (46.71, 14.11): 4 clients, below the rule: left out.
    assert cells.to_dict("records") == [
        {"lat": 46.625, "lon": 14.025, "clients": 6, "visits": 9, "kg_co2e": pytest.approx(60.0)}
    ]
    laxer = origins.density_cells(DENSITY_ORIGINS, contacts, offices, factors, 2022, 4, 0.05)
    assert laxer["kg_co2e"].tolist() == pytest.approx([60.0, 80.0 * 45 / 180])


def test_break_even_distances_per_channel_and_mode():
    # Car 0.2 kg/km alone, no EVs; public transport 0.05 kg/pkm; a 0.2 kg/kWh grid.
    factors = FactorSet.load().with_overrides(
        {
            "ef_car_ice_kg_per_vkm": 0.2,
            "ev_share": 0.0,
            "car_occupancy": 1.0,
            "ef_pt_kg_per_pkm": 0.05,
            "grid_kg_per_kwh": 0.2,
            "energy_phone_kwh_per_contact": 0.05,
            "energy_video_kwh_per_contact": 0.1,
            "energy_online_kwh_per_contact": 0.01,
        }
    )
    table = origins.break_even_table(factors, {"AT"}, 2022).set_index("channel")
    # A round trip emits 2 × d × EF; a contact kWh × 0.2: equal at d = kWh × 0.2 / (2 × EF).
    assert table.loc["phone", "car_km"] == pytest.approx(0.05 * 0.2 / 0.4, abs=ABS)
    assert table.loc["video", "car_km"] == pytest.approx(0.1 * 0.2 / 0.4, abs=ABS)
    assert table.loc["online", "car_km"] == pytest.approx(0.01 * 0.2 / 0.4, abs=ABS)
    assert table.loc["video", "pt_km"] == pytest.approx(0.1 * 0.2 / 0.1, abs=ABS)
    assert list(table["country"]) == ["AT"] * 3
