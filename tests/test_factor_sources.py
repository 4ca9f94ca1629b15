"""Every verified factor on the AT/DE headline path, next to the table it was read from.

A row may carry status `verified` only if its number was read in the primary source itself.
Each such row appears here with the table or page, the value as printed, and the conversion as
arithmetic, so a reviewer can check the number against the source without re-deriving it. A test
also makes sure that no other AT/DE row claims `verified` without being listed here, and that the
rows the Carinthia/Germany results rest on have real bounds (low < high).
"""

from __future__ import annotations

import pytest

from calc.factors import KEY_UNITS, FactorSet

# UBA DE, Climate Change 13/2025 "Entwicklung der spezifischen Treibhausgas-Emissionen des
# deutschen Strommix in den Jahren 1990 - 2024" (Icha, Lauf; März 2025), Tabelle 2 "Gerundete
# Ausgangsgrößen und Berechnungsergebnis", pp. 11-13, read in the PDF (ArnoClaude/STRIDE
# data/grid_co2/sources/uba_strommix_emissionen_1990_2024.pdf, commit aa5218c). Printed g/kWh:
# year: (THG-Emissionsfaktor mit Vorketten, THG ohne Vorketten, CO2 Strommix, CO2 Strominlands-
# verbrauch). 2023 is marked "*" (vorläufig), 2024 "**" (geschätzt).
UBA_DE_STROMMIX_TAB2 = {
    2019: (479, 417, 409, 435),
    2020: (435, 373, 365, 379),
    2021: (477, 414, 406, 421),
    2022: (503, 441, 433, 457),
    2023: (449, 394, 386, 378),
    2024: (427, 372, 363, 343),
}

# Every (key, country, year) on the AT/DE path that may claim `verified`: each is tested below.
VERIFIED_AT_DE = {("grid_kg_per_kwh", "DE", year) for year in UBA_DE_STROMMIX_TAB2}

# Method rows without a range by nature: legal rates, conventions, zero-by-scope factors and the
# comparison figures used only to explain results.
NO_RANGE_BY_NATURE = {
    "mileage_allowance_eur_per_km",  # legal rate (Kilometergeld, BRKG)
    "plane_detour_km",  # convention (EN 16258)
    "ef_walk_kg_per_pkm",  # zero by the set's WTW scope
    "tree_uptake_kg_per_year",  # comparison only
    "flight_vie_lhr_return_kg",  # comparison only
    "budget_per_capita_kg_per_year",  # comparison only
}
HEADLINE_YEARS = (2019, 2020, 2021, 2022)


@pytest.fixture(scope="module")
def default() -> FactorSet:
    return FactorSet.load("default")


# --- grid, DE: UBA Strommix Tabelle 2 ------------------------------------------------------------


def test_de_grid_2019_is_uba_tabelle_2_mit_vorketten(default: FactorSet) -> None:
    f = default.factor("grid_kg_per_kwh", "DE", 2019)
    # UBA CC 13/2025 Tabelle 2, 2019: THG mit Vorketten 479 g CO2-Äq/kWh -> / 1000
    assert f.value == pytest.approx(479 / 1000, rel=1e-9)
    # low: THG ohne Vorketten 417 g (direct CO2e only)
    assert f.low == pytest.approx(417 / 1000, rel=1e-9)
    # high: territorial basis, 479 x Strominlandsverbrauch 435 / Strommix 409 (export surplus)
    assert f.high == pytest.approx(479 * 435 / 409 / 1000, rel=1e-5)


def test_de_grid_2020_is_uba_tabelle_2_mit_vorketten(default: FactorSet) -> None:
    f = default.factor("grid_kg_per_kwh", "DE", 2020)
    # UBA CC 13/2025 Tabelle 2, 2020: THG mit Vorketten 435, ohne 373, CO2 Inland 379 / Mix 365
    assert f.value == pytest.approx(435 / 1000, rel=1e-9)
    assert f.low == pytest.approx(373 / 1000, rel=1e-9)
    assert f.high == pytest.approx(435 * 379 / 365 / 1000, rel=1e-5)


def test_de_grid_2021_is_uba_tabelle_2_mit_vorketten(default: FactorSet) -> None:
    f = default.factor("grid_kg_per_kwh", "DE", 2021)
    # UBA CC 13/2025 Tabelle 2, 2021: THG mit Vorketten 477, ohne 414, CO2 Inland 421 / Mix 406
    assert f.value == pytest.approx(477 / 1000, rel=1e-9)
    assert f.low == pytest.approx(414 / 1000, rel=1e-9)
    assert f.high == pytest.approx(477 * 421 / 406 / 1000, rel=1e-5)


def test_de_grid_2022_is_uba_tabelle_2_mit_vorketten(default: FactorSet) -> None:
    f = default.factor("grid_kg_per_kwh", "DE", 2022)
    # UBA CC 13/2025 Tabelle 2, 2022: THG mit Vorketten 503, ohne 441, CO2 Inland 457 / Mix 433
    assert f.value == pytest.approx(503 / 1000, rel=1e-9)
    assert f.low == pytest.approx(441 / 1000, rel=1e-9)
    assert f.high == pytest.approx(503 * 457 / 433 / 1000, rel=1e-5)


def test_de_grid_2023_is_uba_tabelle_2_mit_vorketten(default: FactorSet) -> None:
    f = default.factor("grid_kg_per_kwh", "DE", 2023)
    # UBA CC 13/2025 Tabelle 2, 2023* (vorläufig): THG mit Vorketten 449, ohne 394
    assert f.value == pytest.approx(449 / 1000, rel=1e-9)
    assert f.low == pytest.approx(394 / 1000, rel=1e-9)
    # import surplus (Inland 378 < Mix 386), so high = 449 x 1.05 for the preliminary status
    assert f.high == pytest.approx(449 * 1.05 / 1000, rel=1e-5)


def test_de_grid_2024_is_uba_tabelle_2_mit_vorketten(default: FactorSet) -> None:
    f = default.factor("grid_kg_per_kwh", "DE", 2024)
    # UBA CC 13/2025 Tabelle 2, 2024** (geschätzt): THG mit Vorketten 427, ohne 372
    assert f.value == pytest.approx(427 / 1000, rel=1e-9)
    assert f.low == pytest.approx(372 / 1000, rel=1e-9)
    # import surplus (Inland 343 < Mix 363), so high = 427 x 1.05 for the estimated status
    assert f.high == pytest.approx(427 * 1.05 / 1000, rel=1e-5)


def test_de_grid_rows_are_verified_and_name_table_2(default: FactorSet) -> None:
    for year, (mit, ohne, _mix, _inland) in UBA_DE_STROMMIX_TAB2.items():
        f = default.factor("grid_kg_per_kwh", "DE", year)
        assert (f.country, f.year, f.status) == ("DE", year, "verified")
        assert "Climate Change 13/2025" in f.source
        assert "Tabelle 2" in f.source
        assert f"{mit} g" in f.note and f"{ohne}" in f.note, year


def test_de_grid_upstream_share_stays_inside_the_table(default: FactorSet) -> None:
    # Tabelle 1 prints the upstream part separately (THG aus den Vorketten, 2022: 62 g); the
    # verified 2022 row is exactly direct CO2e + upstream: 441 + 62 = 503.
    f = default.factor("grid_kg_per_kwh", "DE", 2022)
    assert f.value == pytest.approx((441 + 62) / 1000, rel=1e-9)


# --- the status claim itself ---------------------------------------------------------------------


def test_only_the_listed_at_de_rows_claim_verified(default: FactorSet) -> None:
    table = default.table
    at_de = table[table["country"].isin(["AT", "DE"]) & (table["status"] == "verified")]
    claimed = {
        (key, country, None if year != year else int(year))
        for key, country, year in zip(at_de["key"], at_de["country"], at_de["year"], strict=True)
    }
    assert claimed == VERIFIED_AT_DE


# --- real bounds on the headline path ------------------------------------------------------------


def headline_keys() -> list[str]:
    return sorted(k for k in KEY_UNITS if k not in NO_RANGE_BY_NATURE)


@pytest.mark.parametrize("country", ["AT", "DE"])
@pytest.mark.parametrize("key", headline_keys())
def test_headline_rows_have_real_bounds(default: FactorSet, key: str, country: str) -> None:
    for year in HEADLINE_YEARS:
        f = default.factor(key, country, year)
        assert f.low < f.high, (key, country, year, f.low, f.value, f.high)


@pytest.mark.parametrize("country", ["AT", "DE"])
def test_mode_shares_have_real_bounds_and_central_shares_sum_to_one(
    default: FactorSet, country: str
) -> None:
    table = default.table
    rows = table[table["key"].str.startswith("mode_share_") & (table["country"] == country)]
    assert len(rows) == 20
    assert (rows["low"] < rows["high"]).all(), rows.loc[rows["low"] >= rows["high"], "key"]
    assert ((rows["low"] <= rows["value"]) & (rows["value"] <= rows["high"])).all()
    sums = default.mode_split(country).groupby(["band_lo_km", "band_hi_km"])["share"].sum()
    assert sums.to_numpy() == pytest.approx([1.0] * 5, abs=1e-9)
