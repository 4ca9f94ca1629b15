"""Unit conversions, against values worked out by hand."""

from __future__ import annotations

import pandas as pd

from calc import origins, units
from calc.geo import geodesic_km


def test_with_tonnes_renames_and_converts_every_kg_column_in_place():
    frame = pd.DataFrame(
        {"name": ["A"], "kg_co2e": [1234.5], "visits": [3], "kg_co2e_low": [1000.0]}
    )
    exact = units.with_tonnes(frame)
    assert list(exact.columns) == ["name", "t_co2e", "visits", "t_co2e_low"]
    assert exact.iloc[0].tolist() == ["A", 1.2345, 3, 1.0]
    # 1234.5 kg is 1.2345 t: 1.23 to two decimals
    assert units.with_tonnes(frame, 2)["t_co2e"].tolist() == [1.23]
    assert list(frame.columns) == ["name", "kg_co2e", "visits", "kg_co2e_low"]  # untouched


def test_a_density_cell_is_as_tall_as_the_geodesic_says():
    """0.05° of latitude × 111.13 km = 5.5565 km; WGS-84's geodesic from 47.00° to 47.05° N
    (the offices' latitudes) is 5.559 km: the caption's one decimal (5.6) is the same."""
    assert origins.density_cell_km() == 0.05 * 111.13
    measured = float(geodesic_km([47.0], [14.0], [47.05], [14.0])[0])
    assert abs(measured - 5.559) < 0.001
    assert round(origins.density_cell_km(), 1) == round(measured, 1) == 5.6


def test_a_change_that_reads_as_zero_tonnes_is_no_change():
    """To one decimal of a tonne, 40 kg is 0.04 t, shown "0.0 t": no change; 60 kg is 0.06 t,
    shown "0.1 t": a change; the sign does not matter. To two decimals, 4 kg (0.004 t) still
    reads as zero and 6 kg (0.006 t, "0.01 t") does not."""
    assert units.shows_as_no_change(40.0) and units.shows_as_no_change(-40.0)
    assert not units.shows_as_no_change(60.0) and not units.shows_as_no_change(-60.0)
    assert units.shows_as_no_change(0.0)
    assert units.shows_as_no_change(4.0, decimals=2)
    assert not units.shows_as_no_change(6.0, decimals=2)
