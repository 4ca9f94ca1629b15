"""Tests for calc.factors: the shipped default set, lookup rules, overrides, bad files."""

from __future__ import annotations

import csv
import io
import pickle
from pathlib import Path

import pandas as pd
import pytest

from calc.factors import (
    COLUMNS,
    FACTORS_DIR,
    KEY_UNITS,
    MODES_IN_SPLIT,
    REQUIRED_KEYS,
    STATUSES,
    Factor,
    FactorError,
    FactorSet,
    mode_share_key,
    parse_overrides,
    rescaled_bounds,
)

BANDS_KM = ((0, 2), (2, 5), (5, 10), (10, 25), (25, 1000))


@pytest.fixture(scope="module")
def default() -> FactorSet:
    return FactorSet.load("default")


def required_rows(value: float = 1.0) -> list[dict[str, object]]:
    """One any-country row per required key, so a hand-made frame passes validation."""
    return [row(key, value, unit=unit) for key, unit in KEY_UNITS.items()]


def row(
    key: str,
    value: float,
    low: float | None = None,
    high: float | None = None,
    unit: str = "factor",
    country: str = "",
    year: int | None = None,
) -> dict[str, object]:
    return {
        "key": key,
        "value": value,
        "low": value if low is None else low,
        "high": value if high is None else high,
        "unit": unit,
        "country": country,
        "year": year,
        "scope": "parameter",
        "status": "estimate",
        "source": "test fixture",
        "note": "",
    }


def frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(COLUMNS))


def shipped_records() -> tuple[list[str], list[list[str]]]:
    with (FACTORS_DIR / "default.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return header, list(reader)


def write_csv(path: Path, header: list[str], records: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(records)
    return path


# --- the shipped default set ---------------------------------------------------------------


def test_shipped_default_loads_by_name_and_by_path(default: FactorSet) -> None:
    by_path = FactorSet.load(FACTORS_DIR / "default.csv")

    assert default.name == "default"
    assert len(default.table) > 100
    assert by_path.fingerprint() == default.fingerprint()


def test_every_required_key_is_present(default: FactorSet) -> None:
    assert default.keys >= REQUIRED_KEYS


def test_every_row_has_a_source_and_a_known_status(default: FactorSet) -> None:
    table = default.table

    assert (table["source"].str.strip() != "").all()
    assert set(table["status"]) <= STATUSES


def test_one_unit_per_key_and_the_unit_the_model_expects(default: FactorSet) -> None:
    units = default.table.groupby("key")["unit"].unique()

    assert (units.map(len) == 1).all(), units[units.map(len) > 1]
    for key, unit in KEY_UNITS.items():
        assert units[key][0] == unit, key


def test_bounds_enclose_the_value(default: FactorSet) -> None:
    table = default.table

    assert (table["low"] <= table["value"]).all()
    assert (table["value"] <= table["high"]).all()


def test_emission_factors_share_one_scope(default: FactorSet) -> None:
    table = default.table
    emission_rows = table[table["unit"].str.contains("CO2e/", regex=False)]

    assert set(table["scope"]) <= {"WTW", "parameter", "comparison"}
    assert set(emission_rows["scope"]) == {"WTW"}


@pytest.mark.parametrize("country", ["AT", "DE", "NL"])
def test_mode_shares_cover_every_band_and_sum_to_one(default: FactorSet, country: str) -> None:
    split = default.mode_split(country)
    sums = split.groupby(["band_lo_km", "band_hi_km"])["share"].sum()

    assert list(split.columns) == ["band_lo_km", "band_hi_km", "mode", "share"]
    assert sorted(sums.index) == [(float(lo), float(hi)) for lo, hi in BANDS_KM]
    assert sums.to_numpy() == pytest.approx([1.0] * len(BANDS_KM), abs=1e-9)
    assert set(split["mode"]) == set(MODES_IN_SPLIT)


def test_mode_shares_exist_for_at_and_de_without_year(default: FactorSet) -> None:
    table = default.table
    for country in ("AT", "DE"):
        for lo, hi in BANDS_KM:
            for mode in MODES_IN_SPLIT:
                rows = table[
                    (table["key"] == mode_share_key(mode, lo, hi)) & (table["country"] == country)
                ]
                assert len(rows) == 1, (country, mode, lo, hi)
                assert rows["year"].isna().all()


def test_country_or_year_dependent_keys_give_at_and_de_for_2019_and_2022(
    default: FactorSet,
) -> None:
    table = default.table
    scalar = table[table["key"].isin(REQUIRED_KEYS)]
    by_country = set(scalar.loc[scalar["country"] != "", "key"])
    by_year_only = set(scalar.loc[scalar["year"].notna(), "key"]) - by_country

    assert {"grid_kg_per_kwh", "ef_car_ice_kg_per_vkm", "ev_share"} <= by_country
    for key in sorted(by_country):
        for country in ("AT", "DE"):
            for year in (2019, 2022):
                found = default.factor(key, country, year)
                assert (found.country, found.year) == (country, year), (key, country, year)
    for key in sorted(by_year_only):
        for year in (2019, 2022):
            assert default.factor(key, "AT", year).year == year, (key, year)


@pytest.mark.parametrize(
    ("key", "country", "year", "expected"),
    [
        pytest.param("grid_kg_per_kwh", "AT", 2022, 0.209, id="uba-at-stromaufbringung-2022"),
        pytest.param("grid_kg_per_kwh", "NO", 2022, 0.019, id="nve-2022"),
        pytest.param(
            # UBA Climate Change 13/2025, Tabelle 2, THG mit Vorketten 2022: 503 g/kWh.
            "grid_kg_per_kwh",
            "DE",
            2022,
            503 / 1000,
            id="uba-de-strommix-2022-mit-vorketten",
        ),
        pytest.param("ef_car_ice_kg_per_vkm", "DE", 2022, 0.164 * 1.4, id="uba-de-pkw-per-vkm"),
        pytest.param(
            "ef_car_ice_kg_per_vkm", "AT", 2022, 0.17067 + 0.04366, id="desnz-car-ttw-plus-wtt"
        ),
        pytest.param("ev_share", "DE", 2022, 1_013_009 / 48.8e6, id="kba-bev-stock-1-1-2023"),
        pytest.param("ef_heating_kg_per_kwh", "NL", 2022, 0.249, id="rep-0948-gas-fallback"),
        pytest.param("mileage_allowance_eur_per_km", "AT", 2019, 0.42, id="kilometergeld-old"),
        pytest.param("mileage_allowance_eur_per_km", "AT", 2025, 0.50, id="kilometergeld-2025"),
        pytest.param("plane_detour_km", "", None, 95.0, id="en-16258-detour"),
        pytest.param("door_to_door_speed_km_per_h", "", None, 16.0 / (28.6 / 60), id="mid-2017"),
        pytest.param("budget_per_capita_kg_per_year", "", None, 1400.0, id="ipcc-1p5"),
    ],
)
def test_anchor_values_match_their_sources(
    default: FactorSet, key: str, country: str, year: int | None, expected: float
) -> None:
    assert default.value(key, country, year) == pytest.approx(expected, rel=2e-3)


def test_remote_contacts_use_the_worked_video_example(default: FactorSet) -> None:
    # GIVEN 0.15-0.35 kWh per video session-hour and an assumed 30-minute session
    video_kwh = default.value("energy_video_kwh_per_contact")

    # THEN the central value is the mid-point of that range for half an hour
    assert video_kwh == pytest.approx((0.15 + 0.35) / 2 * 30 / 60, rel=1e-9)
    assert (
        default.value("energy_online_kwh_per_contact")
        < default.value("energy_phone_kwh_per_contact")
        < video_kwh
    )


# --- lookup rules on a hand-made frame -------------------------------------------------------


@pytest.fixture(scope="module")
def small() -> FactorSet:
    rows = [
        *required_rows(),
        row("k", 1.0, country="AT", year=2019),
        row("k", 2.0, country="AT", year=2022),
        row("k", 3.0, country="DE", year=2020),
        row("k", 9.0),
        row("j", 5.0, country="AT"),
        row("j", 6.0, country="AT", year=2021),
        row("only_at", 7.0, country="AT", year=2019),
    ]
    return FactorSet.from_frame(frame(rows), name="small")


@pytest.mark.parametrize(
    ("key", "country", "year", "expected"),
    [
        pytest.param("k", "AT", 2022, 2.0, id="exact-year"),
        pytest.param("k", "AT", 2021, 1.0, id="latest-earlier-year"),
        pytest.param("k", "AT", 2030, 2.0, id="after-the-last-year"),
        pytest.param("k", "AT", 2010, 1.0, id="before-all-years-takes-earliest"),
        pytest.param("k", "DE", 2010, 3.0, id="earliest-of-a-single-row"),
        pytest.param("k", "NL", 2022, 9.0, id="any-country-fallback"),
        pytest.param("k", "at", 2022, 2.0, id="country-case-insensitive"),
        pytest.param("k", "AT", None, 2.0, id="no-year-takes-latest"),
        pytest.param("j", "AT", 2015, 5.0, id="undated-row-before-earliest-dated"),
        pytest.param("j", "AT", 2023, 6.0, id="dated-row-beats-undated"),
        pytest.param("j", "AT", None, 5.0, id="no-year-takes-undated"),
    ],
)
def test_lookup_rules(
    small: FactorSet, key: str, country: str, year: int | None, expected: float
) -> None:
    assert small.value(key, country, year) == expected


def test_lookup_returns_the_row_used(small: FactorSet) -> None:
    found = small.factor("k", "AT", 2021)

    assert isinstance(found, Factor)
    assert (found.country, found.year, found.source) == ("AT", 2019, "test fixture")


def test_lookup_without_a_matching_row_raises_key_error(small: FactorSet) -> None:
    with pytest.raises(KeyError, match="no row for country 'NL'"):
        small.factor("only_at", "NL", 2022)
    with pytest.raises(KeyError, match="did you mean"):
        small.factor("kk", "AT", 2022)


def test_bounds_are_returned_by_name() -> None:
    rows = [*required_rows(), row("k", 2.0, low=1.0, high=4.0)]
    factors = FactorSet.from_frame(frame(rows))

    assert [factors.value("k", bound=b) for b in ("low", "central", "high")] == [1.0, 2.0, 4.0]
    with pytest.raises(ValueError, match="bound"):
        factors.factor("k").at("middle")  # type: ignore[arg-type]


def test_mode_split_falls_back_to_any_country_rows() -> None:
    rows = [*required_rows()]
    for country, car in (("AT", 0.75), ("", 0.5)):
        for mode, share in zip(MODES_IN_SPLIT, (0.1, 0.1, car, 0.8 - car), strict=True):
            rows.append(row(mode_share_key(mode, 0, 2), share, unit="share", country=country))
    factors = FactorSet.from_frame(frame(rows))

    at_split = factors.mode_split("AT")
    nl_split = factors.mode_split("NL")

    assert at_split.loc[at_split["mode"] == "car", "share"].item() == 0.75
    assert nl_split.loc[nl_split["mode"] == "car", "share"].item() == 0.5
    assert list(at_split["mode"]) == list(MODES_IN_SPLIT)
    assert at_split["band_hi_km"].dtype == "float64"


def test_mode_split_without_rows_raises_key_error(small: FactorSet) -> None:
    with pytest.raises(KeyError, match="no mode split"):
        small.mode_split("AT")


# --- overrides -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scalable() -> FactorSet:
    rows = [
        *required_rows(),
        row("k", 2.0, low=1.0, high=4.0, country="AT", year=2019),
        row("k", 4.0, low=2.0, high=5.0, country="AT", year=2022),
        row("zero", 0.0, low=0.0, high=0.2),
    ]
    return FactorSet.from_frame(frame(rows), name="scalable")


def test_override_sets_every_row_and_scales_bounds(scalable: FactorSet) -> None:
    changed = scalable.with_overrides({"k": 3.0})

    # 2019 row: ratio 3 / 2 = 1.5, so bounds 1 * 1.5 and 4 * 1.5
    first = changed.factor("k", "AT", 2019)
    assert (first.low, first.value, first.high) == pytest.approx((1.5, 3.0, 6.0), rel=1e-12)
    # 2022 row: ratio 3 / 4 = 0.75, so bounds 2 * 0.75 and 5 * 0.75
    second = changed.factor("k", "AT", 2022)
    assert (second.low, second.value, second.high) == pytest.approx((1.5, 3.0, 3.75), rel=1e-12)
    assert "override" in second.note


def test_override_of_a_zero_value_collapses_the_range(scalable: FactorSet) -> None:
    changed = scalable.with_overrides({"zero": 0.1})

    assert [changed.value("zero", bound=b) for b in ("low", "central", "high")] == [0.1] * 3


def test_rescaled_bounds_by_hand() -> None:
    # 2 → 3 is a ratio of 1.5: bounds 1 and 4 become 1.5 and 6. 4 → 3 is 0.75: 2 and 5 become
    # 1.5 and 3.75. From 0 no ratio exists: the range 0..0.2 collapses onto the new 0.1.
    low, high = rescaled_bounds(
        pd.Series([2.0, 4.0, 0.0]), pd.Series([3.0, 3.0, 0.1]), [1.0, 2.0, 0.0], [4.0, 5.0, 0.2]
    )
    assert list(low) == pytest.approx([1.5, 1.5, 0.1], rel=1e-12)
    assert list(high) == pytest.approx([6.0, 3.75, 0.1], rel=1e-12)
    # One number at a time, as with_overrides uses it.
    assert tuple(map(float, rescaled_bounds(2.0, 3.0, 1.0, 4.0))) == pytest.approx((1.5, 6.0))


def test_override_leaves_the_original_untouched(scalable: FactorSet) -> None:
    changed = scalable.with_overrides({"k": 3.0})

    assert scalable.value("k", "AT", 2022) == 4.0
    assert changed.fingerprint() != scalable.fingerprint()
    assert scalable.with_overrides({}) is scalable


def test_override_of_an_unknown_key_names_close_matches(default: FactorSet) -> None:
    with pytest.raises(FactorError, match="detour_facter") as error:
        default.with_overrides({"detour_facter": 1.0})

    assert "detour_factor" in str(error.value)


def test_override_of_the_default_set_via_parse_overrides(default: FactorSet) -> None:
    changed = default.with_overrides(parse_overrides(["detour_factor=1.0"]))

    assert changed.value("detour_factor") == 1.0
    assert changed.value("detour_factor", bound="low") == pytest.approx(1.2 / 1.3, rel=1e-12)


def test_parse_overrides_accepts_decimal_comma_and_spaces() -> None:
    parsed = parse_overrides(["detour_factor=1.0", "ev_share=0,3", " car_occupancy = 1.2 "])

    assert parsed == {"detour_factor": 1.0, "ev_share": 0.3, "car_occupancy": 1.2}


@pytest.mark.parametrize(
    "item",
    [
        pytest.param("detour_factor", id="no-equals"),
        pytest.param("=1.0", id="no-key"),
        pytest.param("detour_factor=", id="no-value"),
        pytest.param("detour_factor=abc", id="not-a-number"),
        pytest.param("detour_factor=1,000.5", id="comma-and-point"),
        pytest.param("detour_factor=nan", id="not-finite"),
    ],
)
def test_parse_overrides_rejects_malformed_input(item: str) -> None:
    with pytest.raises(FactorError, match="override"):
        parse_overrides([item])


# --- bad files and tables --------------------------------------------------------------------


def test_missing_column_is_named_with_the_header_line(tmp_path: Path) -> None:
    header, records = shipped_records()
    drop = header.index("source")
    path = write_csv(
        tmp_path / "bad.csv",
        [c for n, c in enumerate(header) if n != drop],
        [[v for n, v in enumerate(r) if n != drop] for r in records],
    )

    with pytest.raises(FactorError, match=r"bad\.csv: line 1 \(header\): missing column.*'source'"):
        FactorSet.load(path)


@pytest.mark.parametrize(
    ("column", "bad", "message"),
    [
        pytest.param("value", "abc", "'abc' is not a number", id="non-numeric-value"),
        pytest.param("value", "", "empty", id="empty-value"),
        pytest.param("source", "", "every row needs one", id="missing-source"),
        pytest.param("status", "guessed", "not one of", id="unknown-status"),
        pytest.param("low", "99", "above value", id="low-above-value"),
        pytest.param("year", "2019.5", "not a year", id="fractional-year"),
        pytest.param("country", "AUT", "ISO alpha-2", id="three-letter-country"),
        pytest.param("unit", "g CO2e/vkm", "must be in 'kg CO2e/vkm'", id="wrong-unit"),
    ],
)
def test_bad_cell_names_file_row_line_and_column(
    tmp_path: Path, column: str, bad: str, message: str
) -> None:
    header, records = shipped_records()
    records[1][header.index(column)] = bad  # the second data row is on line 3
    path = write_csv(tmp_path / "bad.csv", header, records)

    with pytest.raises(FactorError) as error:
        FactorSet.load(path)

    text = str(error.value)
    assert f"bad.csv: row 2 (line 3), column '{column}'" in text
    assert message in text


def test_mode_shares_that_do_not_sum_to_one_are_rejected(tmp_path: Path) -> None:
    header, records = shipped_records()
    key, country = header.index("key"), header.index("country")
    target = next(r for r in records if r[key] == "mode_share_car_10_25km" and r[country] == "AT")
    target[header.index("value")] = target[header.index("low")] = "0.95"
    target[header.index("high")] = "0.95"

    with pytest.raises(FactorError, match=r"'AT', band 10-25 km sum to 1\.05"):
        FactorSet.load(write_csv(tmp_path / "bad.csv", header, records))


def test_missing_required_key_is_named(tmp_path: Path) -> None:
    header, records = shipped_records()
    kept = [r for r in records if r[header.index("key")] != "rebound_share"]

    with pytest.raises(FactorError, match=r"missing required key.*rebound_share"):
        FactorSet.load(write_csv(tmp_path / "bad.csv", header, kept))


def test_duplicate_rows_are_rejected(tmp_path: Path) -> None:
    header, records = shipped_records()

    with pytest.raises(FactorError, match=r"duplicate of row 1 \(line 2\)"):
        FactorSet.load(write_csv(tmp_path / "bad.csv", header, [*records, records[0]]))


def test_inconsistent_units_of_an_extra_key_are_rejected() -> None:
    rows = [*required_rows(), row("extra", 1.0, unit="km"), row("extra", 2.0, unit="m", year=2020)]

    # The second extra row is the last one; rows are numbered from 1.
    with pytest.raises(FactorError, match=rf"row {len(rows)}, column 'unit'.*one unit per key"):
        FactorSet.from_frame(frame(rows))


def test_bad_frame_names_row_and_column() -> None:
    rows = [*required_rows(), row("extra", 1.0)]
    rows[-1]["value"] = "n/a"

    with pytest.raises(FactorError, match=rf"table 'custom': row {len(rows)}, column 'value'"):
        FactorSet.from_frame(frame(rows))


def test_unknown_set_name_lists_shipped_sets() -> None:
    with pytest.raises(FactorError, match=r"shipped: .*default"):
        FactorSet.load("no_such_set")


# --- identity, round trip, immutability ------------------------------------------------------


def test_csv_bytes_round_trip(default: FactorSet, tmp_path: Path) -> None:
    path = tmp_path / "copy.csv"
    path.write_bytes(default.to_csv_bytes())

    reloaded = FactorSet.load(path)

    assert reloaded.fingerprint() == default.fingerprint()
    pd.testing.assert_frame_equal(reloaded.table, default.table)


def test_fingerprint_ignores_row_order(default: FactorSet) -> None:
    shuffled = default.table.sample(frac=1.0, random_state=7).reset_index(drop=True)

    assert FactorSet.from_frame(shuffled).fingerprint() == default.fingerprint()


def test_table_has_normalised_types(default: FactorSet) -> None:
    table = default.table

    assert list(table.columns) == list(COLUMNS)
    assert table["year"].dtype == "Int64"
    assert table["value"].dtype == "float64"
    assert not table["country"].isna().any()


def test_factor_set_is_immutable(default: FactorSet) -> None:
    copy = default.table
    copy.loc[0, "value"] = -1.0

    assert default.table.loc[0, "value"] != -1.0
    with pytest.raises(AttributeError):
        default.name = "other"  # type: ignore[misc]


def test_factor_set_pickles(default: FactorSet) -> None:
    restored = pickle.loads(pickle.dumps(default))

    assert restored == default
    assert restored.value("grid_kg_per_kwh", "AT", 2022) == 0.209


def test_shipped_csv_is_plain_utf8_with_the_documented_columns() -> None:
    text = (FACTORS_DIR / "default.csv").read_text(encoding="utf-8")

    assert not text.startswith("\ufeff")
    assert next(csv.reader(io.StringIO(text))) == list(COLUMNS)


def test_changes_from_lists_only_the_edited_rows(default: FactorSet) -> None:
    edited = default.with_overrides({"detour_factor": 1.5})
    changes = edited.changes_from(default)
    assert list(changes["key"]) == ["detour_factor"]
    # The shipped 1.3 becomes 1.5; its bounds move by the same ratio, 1.5 / 1.3.
    row = changes.iloc[0]
    shipped = default.factor("detour_factor")
    assert (row["default"], row["value"]) == (shipped.value, 1.5)
    assert row["high"] == pytest.approx(shipped.high * 1.5 / 1.3, rel=1e-12)
    assert default.changes_from(default).empty
