"""Scenarios against values worked out by hand, and invariants that hold for any lever setting.

GIVEN a tiny data set with given distances and modes and simple factor values, WHEN a scenario
is applied, THEN every kg equals the arithmetic written out in the test.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calc import model, store
from calc.factors import FactorSet
from calc.loaders import load
from calc.scenario import (
    ChannelShift,
    Scenario,
    ScenarioError,
    apply,
    base_cube,
    homeoffice_days_per_week,
)
from calc.simulation import Settings
from ui.scenario_state import capped_percents

ABS = 1e-9
# The model with as many draws as a scenario takes: the same seed then gives the same draws.
_SETTINGS = Settings.load()
SCENARIO_DRAWS = Settings(
    draws=_SETTINGS.scenario_draws,
    scenario_draws=_SETTINGS.scenario_draws,
    seed=_SETTINGS.seed,
    low_percentile=_SETTINGS.low_percentile,
    high_percentile=_SETTINGS.high_percentile,
)
YEAR = 2022

# car 0.2 kg/pkm (no EVs, one person per car), public transport 0.05, bike and walk 0;
# grid 0.2 kg/kWh; video 0.1, phone 0.01, online 0.001 kWh per contact;
# a home-office day 2 kWh heat × 0.25 + 1 kWh power × 0.2 = 0.7 kg; 220 days = 44 weeks of 5.
SIMPLE = {
    "ef_car_ice_kg_per_vkm": 0.2,
    "ev_share": 0.0,
    "car_occupancy": 1.0,
    "ev_energy_kwh_per_vkm": 0.2,
    "ef_pt_kg_per_pkm": 0.05,
    "ef_bike_kg_per_pkm": 0.0,
    "ef_walk_kg_per_pkm": 0.0,
    "grid_kg_per_kwh": 0.2,
    "energy_phone_kwh_per_contact": 0.01,
    "energy_video_kwh_per_contact": 0.1,
    "energy_online_kwh_per_contact": 0.001,
    "homeoffice_heating_kwh_per_day": 2.0,
    "ef_heating_kg_per_kwh": 0.25,
    "homeoffice_electricity_kwh_per_day": 1.0,
    "working_days_per_year": 220.0,
    "working_weeks_per_year": 44.0,
    "rebound_share": 0.0,
}
OFFICES = "office_id,name,country,lat,lon\nA,Office A,AT,46.62,14.31\nB,Office B,AT,46.61,13.85\n"
# A: 10 car visits at 10 km (40 kg) and 4 by public transport at 5 km (2 kg); B: 6 car visits
# at 20 km (48 kg). Car visit km: 10 × 20 + 6 × 40 = 440.
CLIENTS = (
    "year,client_id,office_id,in_person,phone,video,online,mode,distance_km\n"
    "2022,c1,A,10,0,0,0,car,10\n"
    "2022,c2,A,4,1,0,0,pt,5\n"
    "2022,c3,B,6,0,2,0,car,20\n"
)
# s1 drives 10 km on 200 office days (800 kg, 4000 car km); s2 takes public transport 30 km on
# 100 office days (300 kg) and works 100 days at home (70 kg).
STAFF = (
    "year,staff_id,office_id,mode,office_days,homeoffice_days,distance_km\n"
    "2022,s1,A,car,200,0,10\n"
    "2022,s2,B,pt,100,100,30\n"
)
CAR_KM = 440 + 4000


def simple_factors(**changes: float) -> FactorSet:
    return FactorSet.load().with_overrides({**SIMPLE, **changes})


@pytest.fixture(scope="module")
def cube(tmp_path_factory: pytest.TempPathFactory) -> model.Cube:
    folder = tmp_path_factory.mktemp("scenario") / "data"
    folder.mkdir()
    for name, text in {"offices": OFFICES, "clients": CLIENTS, "staff": STAFF}.items():
        (folder / f"{name}.csv").write_text(text)
    con = store.connect(":memory:")
    load(con, folder)
    return model.load_cube(con, FactorSet.load())


@pytest.fixture(scope="module")
def factors() -> FactorSet:
    return simple_factors()


def kg(rows, **where) -> float:
    mask = True
    for column, value in where.items():
        mask = mask & (rows[column] == value)
    return float(rows.loc[mask, "kg_co2e"].sum())


# -- by hand ---------------------------------------------------------------------------------


def test_half_of_one_office_to_video_by_hand(cube, factors):
    scenario = Scenario(YEAR, office_channels=(("A", ChannelShift(video=0.5)),))
    result = apply(cube, factors, scenario)
    # A's visits emitted 40 + 2 = 42 kg: half of them go. The 0.5 × 14 = 7 moved contacts
    # add 7 × 0.1 kWh × 0.2 kg/kWh = 0.14 kg of video.
    new = result.scenario_rows
    assert kg(new, office_id="A", activity="in_person") == pytest.approx(21.0, abs=ABS)
    assert kg(new, office_id="A", activity="video") == pytest.approx(0.14, abs=ABS)
    assert kg(new, office_id="B", activity="in_person") == pytest.approx(48.0, abs=ABS)
    assert result.saved_kg == pytest.approx(21.0 - 0.14, abs=ABS)
    assert result.visits_avoided == pytest.approx(7.0, abs=ABS)
    # km: A's 10 × 20 + 4 × 10 = 240 km of visits, half of it saved.
    assert result.client_km_saved == pytest.approx(120.0, abs=ABS)
    # money: the car half, 100 km, at the Austrian mileage allowance.
    allowance = factors.value("mileage_allowance_eur_per_km", "AT", YEAR)
    assert result.client_money_saved_eur == pytest.approx(100.0 * allowance, abs=ABS)


def test_office_shift_wins_over_group_and_overall(cube, factors):
    scenario = Scenario(
        YEAR,
        channels=ChannelShift(phone=1.0),
        office_channels=(("A", ChannelShift()),),
        group_channels=(("jobseeker", ChannelShift(video=0.5)),),
    )
    result = apply(cube, factors, scenario)
    # A keeps its visits (own shift: none); B's job seekers move half to video, not to phone.
    assert kg(result.scenario_rows, office_id="A", activity="in_person") == pytest.approx(42.0)
    assert kg(result.scenario_rows, office_id="B", activity="in_person") == pytest.approx(24.0)
    # B: 2 video contacts already, 3 moved: 5 × 0.1 × 0.2 = 0.1 kg.
    assert kg(result.scenario_rows, office_id="B", activity="video") == pytest.approx(0.1)


def test_home_office_net_effect_by_hand(cube, factors):
    result = apply(cube, factors, Scenario(YEAR, homeoffice_days_per_week=2.0))
    # 2 of 5 days at home for everyone, 200 days each: 120 office days, 80 home days.
    # Commute: s1 120 × 20 km × 0.2 = 480 (was 800), s2 120 × 60 × 0.05 = 360 (was 300).
    assert result.homeoffice_commute_saved_kg == pytest.approx(1100 - 840, abs=ABS)
    # Home: 160 days × 0.7 = 112 kg (was 70).
    assert result.homeoffice_energy_added_kg == pytest.approx(112 - 70, abs=ABS)
    assert result.homeoffice_net_kg == pytest.approx(260 - 42, abs=ABS)
    assert result.saved_kg == pytest.approx(218, abs=ABS)


def test_home_office_that_costs_more_than_it_saves_is_negative(cube):
    # A cold home: 100 kWh heat × 0.25 + 1 kWh × 0.2 = 25.2 kg a day, more than any commute.
    factors = simple_factors(homeoffice_heating_kwh_per_day=100.0)
    result = apply(cube, factors, Scenario(YEAR, homeoffice_days_per_week=2.0))
    # Commute saved as above (260); home days 160 instead of 100: 60 × 25.2 = 1512 kg.
    assert result.homeoffice_commute_saved_kg == pytest.approx(260, abs=ABS)
    assert result.homeoffice_energy_added_kg == pytest.approx(1512, abs=ABS)
    assert result.homeoffice_net_kg == pytest.approx(-1252, abs=ABS)
    assert result.homeoffice_net_kg < 0


def test_eligible_share_scales_the_home_office_days(cube, factors):
    result = apply(
        cube, factors, Scenario(YEAR, homeoffice_days_per_week=2.0, homeoffice_eligible_share=0.5)
    )
    # Home share 0.5 × 2/5 = 0.2: 160 office days and 40 home days each.
    # Commute: 160 × 20 × 0.2 + 160 × 60 × 0.05 = 640 + 480 = 1120 (was 1100).
    assert result.homeoffice_commute_saved_kg == pytest.approx(-20, abs=ABS)
    # Home: 80 × 0.7 = 56 (was 70).
    assert result.homeoffice_energy_added_kg == pytest.approx(-14, abs=ABS)


def test_other_levers_are_not_counted_as_home_office(cube, factors):
    # The lead's first version booked every commute change (mode shift, fleet) as home office.
    result = apply(cube, factors, Scenario(YEAR, car_to_pt_share=0.5, ev_share=0.5))
    assert result.homeoffice_commute_saved_kg == 0
    assert result.homeoffice_energy_added_kg == 0


def test_mode_shift_by_hand(cube, factors):
    result = apply(cube, factors, Scenario(YEAR, car_to_pt_share=0.5, car_to_bike_share=0.25))
    # Half of the 4440 car km go by public transport (0.2 → 0.05), a quarter by bike (0.2 → 0).
    assert result.saved_kg == pytest.approx(CAR_KM * 0.5 * 0.15 + CAR_KM * 0.25 * 0.2, abs=ABS)
    assert result.visits_avoided == pytest.approx(0, abs=ABS)
    assert result.client_km_saved == pytest.approx(0, abs=ABS)
    allowance = factors.value("mileage_allowance_eur_per_km", "AT", YEAR)
    assert result.client_money_saved_eur == pytest.approx(440 * 0.75 * allowance, abs=ABS)
    new = result.scenario_rows
    assert kg(new, activity="commute", mode="bike") == 0
    assert new.loc[(new["activity"] == "commute") & (new["mode"] == "bike"), "km"].sum() == (
        pytest.approx(4000 * 0.25, abs=ABS)
    )


@pytest.mark.parametrize("rebound", [0.0, 0.2])
def test_rebound_reduces_only_the_trips_avoided(cube, rebound):
    factors = simple_factors(rebound_share=rebound)
    both = Scenario(
        YEAR,
        office_channels=(("A", ChannelShift(video=0.5)),),
        homeoffice_days_per_week=2.0,
        ev_share=0.5,
    )
    result = apply(cube, factors, both)
    # Trips avoided, at the scenario's fleet (0.12 kg per car km, public transport unchanged):
    # half of A's visits, 100 car km × 0.12 + 20 km × 0.05 = 13 kg; and the commutes: s1
    # goes from 200 to 120 office days (80 × 20 km × 0.12 = 192 kg fewer), s2 from 100 to 120
    # (20 × 60 km × 0.05 = 60 kg more), 132 kg net.
    assert result.trips_avoided_kg == pytest.approx(13 + 192 - 60, abs=ABS)
    assert result.saved_net_of_rebound_kg == pytest.approx(
        result.saved_kg - rebound * (13 + 192 - 60), abs=ABS
    )
    fleet_only = apply(cube, factors, Scenario(YEAR, ev_share=0.5))
    # The fleet lever avoids no trip: rebound takes nothing from its saving.
    assert fleet_only.trips_avoided_kg == 0
    assert fleet_only.saved_net_of_rebound_kg == fleet_only.saved_kg


def test_central_figures_without_the_draws(cube):
    """apply(draws=False), which the Scenarios page shows while the draws run, gives the same
    figures as the full computation, and intervals that are the central value itself."""
    factors = simple_factors(rebound_share=0.2)
    every_kind = Scenario(
        YEAR,
        office_channels=(("A", ChannelShift(video=0.5)),),
        homeoffice_days_per_week=2.0,
        ev_share=0.5,
        car_to_pt_share=0.25,
    )
    central = apply(cube, factors, every_kind, draws=False)
    full = apply(cube, factors, every_kind)
    for figure in (
        "saved_kg",
        "saved_net_of_rebound_kg",
        "trips_avoided_kg",
        "visits_avoided",
        "client_km_saved",
        "client_hours_saved",
        "client_money_saved_eur",
        "homeoffice_commute_saved_kg",
        "homeoffice_energy_added_kg",
        "base_kg",
        "scenario_kg",
    ):
        assert getattr(central, figure) == pytest.approx(getattr(full, figure), rel=1e-12)
    # Half of A's 14 visits, as in test_half_of_one_office_to_video_by_hand.
    assert central.visits_avoided == pytest.approx(7.0, abs=ABS)
    assert central.saved_kg_range == (central.saved_kg, central.saved_kg)
    for rows in (central.base_rows, central.scenario_rows):
        assert (rows["kg_co2e_low"] == rows["kg_co2e"]).all()
        assert (rows["kg_co2e_high"] == rows["kg_co2e"]).all()
    assert full.saved_kg_range[0] < full.saved_kg < full.saved_kg_range[1]


def test_fleet_override_by_hand(cube, factors):
    result = apply(cube, factors, Scenario(YEAR, ev_share=0.5))
    # Half electric at 0.2 kWh/km on a 0.2 kg/kWh grid: 0.5 × 0.2 + 0.5 × 0.04 = 0.12 kg/km.
    assert result.saved_kg == pytest.approx(CAR_KM * (0.2 - 0.12), abs=ABS)


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"ev_share": 0.3}, id="ev"),
        pytest.param({"grid_kg_per_kwh": 0.4}, id="grid"),
        pytest.param({"detour_factor": 1.1, "car_occupancy": 1.5}, id="detour-occupancy"),
        pytest.param(
            {"ev_share": 0.9, "grid_kg_per_kwh": 0.05, "detour_factor": 1.6, "car_occupancy": 2},
            id="all",
        ),
    ],
)
def test_factor_levers_equal_the_model_with_overridden_factors(demo_cube, overrides):
    # The scenario changes factor tables in place of FactorSet.with_overrides (which rebuilds
    # and validates the whole set): both must give the same rows, bounds included.
    factors = FactorSet.load()
    result = apply(demo_cube, factors, Scenario(2022, **overrides))
    expected = model.compute(
        base_cube(demo_cube, 2022), factors.with_overrides(overrides), settings=SCENARIO_DRAWS
    )
    rows = result.scenario_rows[model.RESULT_COLUMNS].reset_index(drop=True)
    assert list(rows[["office_id", "group", "activity", "mode"]].itertuples(index=False)) == list(
        expected[["office_id", "group", "activity", "mode"]].itertuples(index=False)
    )
    for column in ("count", "km", "kg_co2e", "kg_co2e_low", "kg_co2e_high"):
        assert rows[column].to_numpy() == pytest.approx(expected[column].to_numpy(), rel=1e-9)


def test_neutral_scenario_rows_equal_the_model(demo_cube):
    factors = FactorSet.load()
    result = apply(demo_cube, factors, Scenario(2019))
    expected = model.compute(base_cube(demo_cube, 2019), factors, settings=SCENARIO_DRAWS)
    assert result.saved_kg == 0
    assert result.saved_kg_range == (0, 0)
    for column in ("kg_co2e", "kg_co2e_low", "kg_co2e_high"):
        assert result.base_rows[column].sum() == pytest.approx(expected[column].sum(), rel=1e-12)


def test_range_contains_the_central_saving(demo_cube):
    result = apply(
        demo_cube,
        FactorSet.load(),
        Scenario(2022, channels=ChannelShift(video=0.3), homeoffice_days_per_week=4),
    )
    low, high = result.saved_kg_range
    assert low <= result.saved_kg <= high


def test_base_homeoffice_days_per_week(cube, factors):
    # s1 0 of 200 days, s2 100 of 200 days at home: a quarter of all days, 1.25 of 5 a week.
    assert homeoffice_days_per_week(cube, factors, YEAR) == pytest.approx(1.25, abs=ABS)


def test_a_base_year_without_data_says_so(cube, factors):
    with pytest.raises(ScenarioError, match="no data for the base year 2019"):
        apply(cube, factors, Scenario(2019))


# -- the scenario as data --------------------------------------------------------------------

FULL = Scenario(
    2022,
    channels=ChannelShift(video=0.3, phone=0.1),
    office_channels=(("B", ChannelShift(online=0.5)), ("A", ChannelShift(video=1.0))),
    group_channels=(("youth", ChannelShift(phone=0.25)),),
    homeoffice_days_per_week=2.5,
    homeoffice_eligible_share=0.6,
    car_to_pt_share=0.2,
    car_to_bike_share=0.1,
    ev_share=0.4,
    grid_kg_per_kwh=0.15,
    detour_factor=1.25,
    car_occupancy=1.3,
)


def test_json_round_trip():
    assert Scenario.from_json(FULL.to_json()) == FULL
    assert Scenario.from_json(Scenario(2019).to_json()) == Scenario(2019)


def test_office_order_does_not_matter():
    a = Scenario(2022, office_channels=(("B", ChannelShift()), ("A", ChannelShift(video=1))))
    b = Scenario(2022, office_channels=(("A", ChannelShift(video=1)), ("B", ChannelShift())))
    assert a == b
    assert a.to_json() == b.to_json()


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: ChannelShift(video=0.7, phone=0.4), id="channels-over-100"),
        pytest.param(lambda: ChannelShift(video=-0.1), id="negative-share"),
        pytest.param(lambda: ChannelShift(video=math.nan), id="nan-share"),
        pytest.param(lambda: ChannelShift(video="0.3"), id="text-share"),
        pytest.param(
            lambda: Scenario(2022, car_to_pt_share=0.6, car_to_bike_share=0.5), id="modes"
        ),
        pytest.param(lambda: Scenario(2022, homeoffice_eligible_share=1.5), id="eligible"),
        pytest.param(lambda: Scenario(2022, homeoffice_days_per_week=-1), id="negative-days"),
        pytest.param(lambda: Scenario(2022, homeoffice_days_per_week=8), id="eight-days"),
        pytest.param(lambda: Scenario(2022, homeoffice_days_per_week=math.nan), id="nan-days"),
        pytest.param(lambda: Scenario(2022, ev_share=1.2), id="ev"),
        pytest.param(lambda: Scenario(2022, car_occupancy=0), id="empty-car"),
        pytest.param(lambda: Scenario(2022, detour_factor=0.5), id="short-cut"),
        pytest.param(lambda: Scenario(2022, grid_kg_per_kwh=math.inf), id="infinite-grid"),
        pytest.param(lambda: Scenario(2022.5), id="half-year"),
        pytest.param(
            lambda: Scenario(2022, office_channels=(("A", ChannelShift()), ("A", ChannelShift()))),
            id="office-twice",
        ),
        pytest.param(lambda: Scenario.from_dict({"channels": {}}), id="no-base-year"),
        pytest.param(lambda: Scenario.from_dict({"base_year": 2022, "x": 1}), id="unknown"),
        pytest.param(
            lambda: Scenario.from_dict({"base_year": 2022, "office_channels": [1]}), id="malformed"
        ),
        pytest.param(lambda: Scenario.from_json("{"), id="not-json"),
    ],
)
def test_impossible_scenarios_raise(make):
    with pytest.raises(ScenarioError):
        make()


# -- invariants ------------------------------------------------------------------------------

share = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@st.composite
def channel_shifts(draw) -> ChannelShift:
    video = draw(share)
    phone = draw(st.floats(min_value=0.0, max_value=1.0 - video))
    online = draw(st.floats(min_value=0.0, max_value=max(0.0, 1.0 - video - phone)))
    return ChannelShift(video=video, phone=phone, online=online)


@PROPERTY_SETTINGS
@given(
    grid=st.floats(min_value=0.0, max_value=1.0),
    heating=st.floats(min_value=0.0, max_value=50.0),
    explicit=st.booleans(),
)
def test_empty_scenario_equals_the_base(cube, grid, heating, explicit):
    factors = simple_factors(grid_kg_per_kwh=grid, homeoffice_heating_kwh_per_day=heating)
    # Levers left alone, or set explicitly to their neutral values.
    levers = {"channels": ChannelShift(), "car_to_pt_share": 0.0} if explicit else {}
    scenario = Scenario(YEAR, **levers)
    result = apply(cube, factors, scenario)
    assert result.saved_kg == 0
    assert result.saved_kg_range == (0, 0)
    assert result.visits_avoided == 0
    assert result.homeoffice_net_kg == 0
    assert result.scenario_kg == result.base_kg


@PROPERTY_SETTINGS
@given(
    percents=st.lists(st.integers(min_value=0, max_value=100), min_size=2, max_size=3),
    index=st.integers(min_value=0, max_value=2),
)
def test_slider_caps_keep_a_set_within_100_percent(percents, index):
    keys = [f"k{i}" for i in range(len(percents))]
    changed = keys[index % len(keys)]
    values = dict(zip(keys, percents, strict=True))
    capped = capped_percents(values, changed)
    assert sum(capped.values()) <= 100
    assert capped[changed] == values[changed]
    assert all(0 <= capped[key] <= values[key] for key in keys)


@pytest.fixture(scope="module")
def demo_cube(demo_db: Path) -> model.Cube:
    con = store.connect(demo_db)
    try:
        return model.load_cube(con, FactorSet.load())
    finally:
        con.close()


@PROPERTY_SETTINGS
@given(video=share, year=st.sampled_from([2019, 2022]))
def test_demo_savings_grow_with_video(demo_cube, video, year):
    factors = FactorSet.load()
    half = apply(demo_cube, factors, Scenario(year, channels=ChannelShift(video=video / 2)))
    full = apply(demo_cube, factors, Scenario(year, channels=ChannelShift(video=video)))
    assert full.saved_kg >= half.saved_kg >= 0
