"""The comparison against values worked out by hand: decomposition, avoided, simulation.

GIVEN small data sets with given distances and simple factor values (tests/test_model.py), WHEN
two years are compared, THEN every effect equals the arithmetic written out in the test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from calc import comparison, model, store
from calc.factors import FactorSet
from calc.simulation import Settings, triangular_quantile
from tests.test_model import ABS, CLIENTS, loaded, simple_factors

CLIENT_HEADER = "year,client_id,office_id,in_person,phone,video,online,mode,distance_km\n"


def clients(*rows: tuple[int, int, int, int, int, int, str, float]) -> str:
    """One CSV line per (year, count of identical clients, visits, phone, video, online, …)."""
    lines = [CLIENT_HEADER]
    for year, count, visits, phone, video, online, mode, km in rows:
        lines += [
            f"{year},{year}-{mode}-{i},A,{visits},{phone},{video},{online},{mode},{km}\n"
            for i in range(count)
        ]
    return "".join(lines)


@pytest.fixture
def clients_cube(tmp_path):
    return loaded(tmp_path, clients=CLIENTS)


def settings(draws: int = 400, seed: int = 7) -> Settings:
    return Settings(draws=draws, scenario_draws=50, seed=seed, low_percentile=5, high_percentile=95)


def certain(factors: FactorSet, **uncertain: tuple[float, float]) -> FactorSet:
    """The set with every bound collapsed onto its value, except the keys given (low, high)."""
    table = factors.table
    table = table.assign(low=table["value"], high=table["value"])
    for key, (low, high) in uncertain.items():
        rows = table["key"] == key
        table.loc[rows, "low"] = low
        table.loc[rows, "high"] = high
    return FactorSet.from_frame(table, "test")


def lmdi_by_hand(units: tuple[float, float], cells_0: dict, cells_t: dict) -> dict[str, float]:
    """Textbook additive LMDI-I over one client segment; cells = {channel: (count, kg)} > 0."""
    n_0, n_t = units
    a_0 = sum(count for count, _ in cells_0.values())
    a_t = sum(count for count, _ in cells_t.values())
    effects = dict.fromkeys(("clients", "contacts_per_client", "channel_mix", "kg"), 0.0)
    for channel, (c_t, e_t) in cells_t.items():
        c_0, e_0 = cells_0[channel]
        weight = (e_t - e_0) / (math.log(e_t) - math.log(e_0))
        effects["clients"] += weight * math.log(n_t / n_0)
        effects["contacts_per_client"] += weight * math.log((a_t / n_t) / (a_0 / n_0))
        effects["channel_mix"] += weight * math.log((c_t / a_t) / (c_0 / a_0))
        effects["kg"] += weight * math.log((e_t / c_t) / (e_0 / c_0))
    return effects


def effects_of(result: comparison.Comparison) -> dict[str, float]:
    return {name: e.kg for name, e in result.decomposition.items()}


# -- decomposition -----------------------------------------------------------------------------


def test_decomposition_matches_textbook_lmdi_and_sums_exactly(tmp_path):
    cube = loaded(
        tmp_path,
        clients=clients((2019, 2, 6, 1, 0, 0, "car", 10), (2022, 3, 3, 5, 0, 0, "car", 12)),
    )
    result = comparison.compare(cube, simple_factors(), 2019, 2022, settings=settings())
    # 2019: 2 clients, visits 12 × 2 × 10 × 0.2 = 48 kg, phone 2 × 0.01 × 0.2 = 0.004 kg.
    # 2022: 3 clients, visits 9 × 2 × 12 × 0.2 = 43.2 kg, phone 15 × 0.002 = 0.03 kg.
    expected = lmdi_by_hand(
        (2, 3),
        {"in_person": (12, 48.0), "phone": (2, 0.004)},
        {"in_person": (9, 43.2), "phone": (15, 0.03)},
    )
    effects = effects_of(result)
    for name in ("clients", "contacts_per_client", "channel_mix"):
        assert effects[name] == pytest.approx(expected[name], abs=ABS)
    # One factor edition (the overrides apply to every year): kg per contact is all travel.
    assert effects["travel"] == pytest.approx(expected["kg"], abs=ABS)
    assert effects["emission_factors"] == 0
    assert result.difference_kg.kg == pytest.approx(43.23 - 48.004, abs=ABS)
    assert sum(effects.values()) == pytest.approx(result.difference_kg.kg, abs=1e-12)


def test_a_pure_rise_in_clients_is_all_client_count(tmp_path):
    cube = loaded(
        tmp_path,
        clients=clients((2019, 2, 3, 1, 0, 1, "car", 10), (2022, 5, 3, 1, 0, 1, "car", 10)),
    )
    result = comparison.compare(cube, simple_factors(), 2019, 2022, settings=settings())
    effects = effects_of(result)
    # 2 → 5 identical clients: every cell grows by 5/2, so the change is 1.5 × the 2019 total.
    assert effects["clients"] == pytest.approx(1.5 * result.reference_kg.kg, abs=ABS)
    assert effects["clients"] == pytest.approx(result.difference_kg.kg, abs=ABS)
    others = [kg for name, kg in effects.items() if name != "clients"]
    assert others == pytest.approx([0.0] * len(others), abs=ABS)


def test_more_online_contacts_at_unchanged_visits_avoid_no_visit(tmp_path):
    cube = loaded(
        tmp_path,
        clients=clients((2019, 10, 4, 0, 0, 1, "car", 10), (2022, 10, 4, 0, 0, 7, "car", 10)),
    )
    factors = simple_factors()
    result = comparison.compare(cube, factors, 2019, 2022, settings=settings())
    effects = effects_of(result)
    # 60 more online contacts × 0.001 kWh × 0.2 kg/kWh = 0.012 kg more; visits unchanged.
    assert result.difference_kg.kg == pytest.approx(60 * 0.001 * 0.2, abs=ABS)
    # How clients got in touch: more contacts per client (and a mix that moves towards
    # online); nothing in client numbers, distances or factors.
    assert effects["contacts_per_client"] > 0
    assert effects["contacts_per_client"] + effects["channel_mix"] == pytest.approx(
        result.difference_kg.kg, abs=ABS
    )
    for name in ("clients", "travel", "emission_factors"):
        assert effects[name] == pytest.approx(0.0, abs=ABS)
    # No visit went missing, so none was avoided; the extra contacts' energy counts as added.
    assert result.avoided.visits_avoided == 0
    assert result.avoided.net.kg == pytest.approx(-60 * 0.001 * 0.2, abs=ABS)
    assert result.avoided.net.high_kg < 0  # in every draw: digital contacts added emissions


def test_a_factor_update_alone_is_all_emission_factors(tmp_path):
    cube = loaded(
        tmp_path, clients=clients((2019, 1, 0, 0, 10, 0, "", 0), (2022, 1, 0, 0, 10, 0, "", 0))
    )
    factors = FactorSet.load()
    grid_2019 = factors.value("grid_kg_per_kwh", "AT", 2019)
    grid_2022 = factors.value("grid_kg_per_kwh", "AT", 2022)
    kwh = factors.value("energy_video_kwh_per_contact", "AT", 2022)
    assert grid_2019 != grid_2022  # the shipped set has an edition per year
    result = comparison.compare(cube, factors, 2019, 2022, settings=settings())
    effects = effects_of(result)
    # 10 video contacts in both years: only the grid factor moved.
    assert effects["emission_factors"] == pytest.approx(10 * kwh * (grid_2022 - grid_2019), abs=ABS)
    others = [kg for name, kg in effects.items() if name != "emission_factors"]
    assert others == pytest.approx([0.0] * len(others), abs=ABS)
    pinned = comparison.compare(cube, factors, 2019, 2022, factor_year=2022, settings=settings())
    assert pinned.decomposition["emission_factors"].kg == 0
    assert pinned.difference_kg.kg == pytest.approx(0.0, abs=ABS)


def test_video_absent_in_the_reference_year_goes_to_channel_mix_and_sums(clients_cube):
    result = comparison.compare(clients_cube, simple_factors(), 2019, 2022, settings=settings())
    effects = effects_of(result)
    assert all(math.isfinite(kg) for kg in effects.values())
    assert sum(effects.values()) == pytest.approx(5.064 - 17.002, abs=1e-12)


def test_an_office_that_appears_is_all_client_count(tmp_path):
    cube = loaded(
        tmp_path,
        clients=(
            "year,client_id,office_id,in_person,mode,distance_km\n"
            "2019,c1,A,2,car,10\n"
            "2022,c1,A,2,car,10\n"
            "2022,c2,B,1,car,10\n"
        ),
    )
    result = comparison.compare(cube, simple_factors(), 2019, 2022, settings=settings())
    # office B is new: its 1 × 2 × 10 × 0.2 = 4 kg come from clients it did not have; A is as it was
    assert result.decomposition["clients"].kg == pytest.approx(4.0, abs=ABS)
    assert result.difference_kg.kg == pytest.approx(4.0, abs=ABS)


def test_staff_and_business_trips_effects(tmp_path):
    cube = loaded(
        tmp_path,
        staff=(
            "year,staff_id,office_id,mode,office_days,homeoffice_days,distance_km\n"
            "2019,s1,A,car,200,0,10\n"
            "2022,s1,A,car,100,100,10\n"
        ),
        trips=(
            "year,office_id,destination,mode,trips,distance_km\n"
            "2019,A,B,car,4,50\n"
            "2022,A,B,car,2,50\n"
        ),
    )
    result = comparison.compare(cube, simple_factors(), 2019, 2022, settings=settings())
    effects = effects_of(result)
    # Commute 200 → 100 days × 2 × 10 km × 0.2 = 800 → 400 kg; home office 0 → 100 days ×
    # (2 kWh × 0.25 + 1 kWh × 0.2) = 70 kg; same people, same days: all office/home mix.
    assert effects["homeoffice_mix"] == pytest.approx(400 + 70 - 800, abs=ABS)
    assert effects["days_per_person"] == pytest.approx(0.0, abs=ABS)
    # Trips 4 → 2 × 2 × 50 km × 0.2 = 80 → 40 kg: all in the number of trips.
    assert effects["business_trips"] == pytest.approx(40 - 80, abs=ABS)
    assert sum(effects.values()) == pytest.approx(result.difference_kg.kg, abs=1e-12)


# -- avoided by digital channels ---------------------------------------------------------------


def substitution_case(tmp_path, online_share: float, rebound: float = 0.0):
    # 100 clients, 4 car visits of 10 km each → 2 visits and 4 online contacts per client.
    cube = loaded(
        tmp_path,
        clients=clients((2019, 100, 4, 0, 0, 0, "car", 10), (2022, 100, 2, 0, 0, 4, "car", 10)),
    )
    factors = simple_factors(
        substitution_online_visits_per_contact=online_share, rebound_share=rebound
    )
    return comparison.compare(cube, factors, 2019, 2022, settings=settings())


def test_substitution_limits_what_online_contacts_avoided(tmp_path):
    result = substitution_case(tmp_path, online_share=0.25)
    # 200 visits fewer, but 400 online contacts × 0.25 replace only 100 of them: 1 per client.
    assert result.avoided.visits_missing == pytest.approx(200, abs=ABS)
    assert result.avoided.visits_replaceable == pytest.approx(100, abs=ABS)
    assert result.avoided.visits_avoided == pytest.approx(100, abs=ABS)
    visit_kg = 2 * 10 * 0.2
    online_kg = 400 * 0.001 * 0.2
    assert result.avoided.trips.kg == pytest.approx(100 * visit_kg, abs=ABS)
    assert result.avoided.net.kg == pytest.approx(100 * visit_kg - online_kg, abs=ABS)
    # The whole change is larger than what the contacts explain: 200 visits went missing.
    assert -result.difference_kg.kg == pytest.approx(200 * visit_kg - online_kg, abs=ABS)


def test_avoided_never_exceeds_the_visits_that_went_missing(tmp_path):
    result = substitution_case(tmp_path, online_share=1.0)
    # 400 contacts could replace 400 visits, but only 200 went missing.
    assert result.avoided.visits_avoided == pytest.approx(200, abs=ABS)


def test_rebound_reduces_only_the_avoided_trips(tmp_path):
    result = substitution_case(tmp_path, online_share=0.25, rebound=0.25)
    trips_kg = 100 * 2 * 10 * 0.2
    online_kg = 400 * 0.001 * 0.2
    assert result.avoided.rebound.kg == pytest.approx(0.25 * trips_kg, abs=ABS)
    assert result.avoided.net.kg == pytest.approx(0.75 * trips_kg - online_kg, abs=ABS)


def test_a_group_of_its_own_substitution_share(tmp_path):
    cube = loaded(
        tmp_path,
        clients=(
            "year,client_id,office_id,group,in_person,online,mode,distance_km\n"
            "2019,y1,A,youth,4,0,car,10\n"
            "2022,y1,A,youth,2,4,car,10\n"
        ),
    )
    table = simple_factors(substitution_online_visits_per_contact=0.25).table
    own = table[table["key"] == "substitution_online_visits_per_contact"].assign(
        key="substitution_online_visits_per_contact_youth", value=0.5, low=0.5, high=0.5
    )
    factors = FactorSet.from_frame(pd.concat([table, own], ignore_index=True), "youth")
    result = comparison.compare(cube, factors, 2019, 2022, settings=settings())
    # 4 online contacts × 0.5 (the youth group's own share) = 2 visits: all that went missing.
    assert result.avoided.visits_avoided == pytest.approx(2, abs=ABS)


# -- simulation --------------------------------------------------------------------------------


def test_triangular_quantiles_by_hand():
    u = np.array([0.0, 0.125, 0.5, 1.0])
    # low 0, mode 1, high 2: rising part x = sqrt(u × 2 × 1); at 0.5 the mode; at 1 the high.
    assert triangular_quantile(u, 0.0, 1.0, 2.0) == pytest.approx([0.0, 0.5, 1.0, 2.0])
    assert triangular_quantile(u, 3.0, 3.0, 3.0) == pytest.approx([3.0] * 4)


def test_a_shared_factor_cancels_in_the_difference(tmp_path):
    cube = loaded(
        tmp_path,
        clients=clients((2019, 3, 4, 0, 0, 0, "car", 10), (2022, 3, 4, 0, 0, 0, "car", 10)),
    )
    factors = certain(simple_factors(), ef_car_ice_kg_per_vkm=(0.1, 0.3))
    result = comparison.compare(cube, factors, 2019, 2022, settings=settings())
    # Each year is uncertain (12 visits × 20 km × 0.1 … 0.3 kg) ...
    assert result.reference_kg.low_kg < 40 < result.reference_kg.high_kg
    # ... but with unchanged activity the difference is certain: it is zero in every draw.
    assert result.difference_kg.low_kg == pytest.approx(0.0, abs=ABS)
    assert result.difference_kg.high_kg == pytest.approx(0.0, abs=ABS)


def test_independent_factors_add_by_the_square_root_rule(tmp_path):
    # 2019: car visits only; 2022: public-transport visits only, same kg in the centre
    # (0.2 kg/vkm vs 0.2 kg/pkm), each factor uncertain by ±50 % and independent of the other.
    cube = loaded(
        tmp_path,
        clients=clients((2019, 1, 5, 0, 0, 0, "car", 10), (2022, 1, 5, 0, 0, 0, "pt", 10)),
    )
    factors = certain(
        simple_factors(ef_pt_kg_per_pkm=0.2),
        ef_car_ice_kg_per_vkm=(0.1, 0.3),
        ef_pt_kg_per_pkm=(0.1, 0.3),
    )
    result = comparison.compare(cube, factors, 2019, 2022, settings=settings(draws=4000))

    def width(estimate: comparison.Estimate) -> float:
        return estimate.high_kg - estimate.low_kg

    expected = math.hypot(width(result.reference_kg), width(result.current_kg))
    # Within sampling error (and the small gap between a triangle's and a sum's tails).
    assert width(result.difference_kg) == pytest.approx(expected, rel=0.06)
    assert width(result.difference_kg) > 1.2 * width(result.reference_kg)


def test_the_same_seed_gives_the_same_interval(clients_cube):
    factors = FactorSet.load()
    first = comparison.compare(clients_cube, factors, 2019, 2022, settings=settings(seed=1))
    again = comparison.compare(clients_cube, factors, 2019, 2022, settings=settings(seed=1))
    other = comparison.compare(clients_cube, factors, 2019, 2022, settings=settings(seed=2))
    assert first.difference_kg == again.difference_kg
    assert other.difference_kg.kg == first.difference_kg.kg
    assert other.difference_kg.low_kg != first.difference_kg.low_kg


# -- the demo ----------------------------------------------------------------------------------


def test_demo_figures_reconcile(demo_db):
    con = store.connect(demo_db)
    factors = FactorSet.load()
    cube = model.load_cube(con, factors)
    for current in (2022, cube.years[-1]):
        result = comparison.compare(cube, factors, 2019, current)
        total = sum(e.kg for e in result.decomposition.values())
        assert total == pytest.approx(result.difference_kg.kg, rel=1e-12)
        d = result.difference_kg
        assert d.low_kg < d.kg < d.high_kg
        assert result.avoided.visits_avoided <= result.avoided.visits_replaceable + ABS
        # The headline a reader can reconcile: avoided is no larger than the reduction.
        assert 0 < result.avoided.net.kg < -result.difference_kg.kg


def test_waterfall_runs_from_total_to_total(clients_cube):
    result = comparison.compare(clients_cube, simple_factors(), 2019, 2022, settings=settings())
    steps = comparison.waterfall(result)
    assert steps["step"].iloc[0] == "reference"
    assert steps["step"].iloc[-1] == "current"
    effects = steps.iloc[1:-1]
    assert (effects["kg"] != 0).all()
    # Each bar starts where the one before ended, and the last one ends at the current total.
    assert effects["start_kg"].iloc[0] == pytest.approx(result.reference_kg.kg)
    assert effects["end_kg"].iloc[-1] == pytest.approx(result.current_kg.kg, abs=1e-9)
    assert (effects["start_kg"].to_numpy()[1:] == effects["end_kg"].to_numpy()[:-1]).all()


def test_summary_text_says_signs_in_words(tmp_path):
    cube = loaded(
        tmp_path,
        clients=clients((2019, 10, 4, 0, 0, 1, "car", 10), (2022, 10, 4, 0, 0, 7, "car", 10)),
    )
    result = comparison.compare(cube, simple_factors(), 2019, 2022, settings=settings())
    text = comparison.summary_text(result)
    assert "digital channels added" in text
    assert "avoided -" not in text and "avoided \N{MINUS SIGN}" not in text


def test_compare_json_keeps_bounds_beside_each_figure(clients_cube):
    payload = comparison.compare(
        clients_cube, simple_factors(), 2019, 2022, settings=settings()
    ).as_dict()
    for name in ("reference_kg", "current_kg", "difference_kg", "avoided_by_channels_kg"):
        assert payload[f"{name}_low"] <= payload[f"{name}_high"]
    assert set(payload["decomposition"]) == {f"{e}_kg" for e in comparison.EFFECTS}
    assert sum(payload["decomposition"].values()) == pytest.approx(
        payload["difference_kg"], abs=1e-12
    )
    assert set(payload["decomposition_low"]) == set(payload["decomposition"])
