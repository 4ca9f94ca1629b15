"""Text alternatives of the charts (calc.charts.summary, waterfall_summary): the sentence a
screen reader reads instead of the chart, from the same frame the chart is drawn from."""

from __future__ import annotations

import pandas as pd
import pytest

from calc import charts

# A stacked bar: two offices, each with car and bus tonnes.
STACKED = pd.DataFrame(
    {
        "office": ["Villach", "Villach", "Spittal", "Spittal", "Wolfsberg"],
        "mode": ["car", "bus", "car", "bus", "car"],
        "t_co2e": [100.0, 23.4, 40.0, 2.5, 50.0],
    }
)


def test_extremes_sum_each_bar_and_sort_largest_first() -> None:
    # GIVEN bars stacked by mode WHEN summed per office
    totals = charts.extremes(STACKED, "office", "t_co2e")
    # THEN Villach 100 + 23.4 = 123.4, Wolfsberg 50, Spittal 40 + 2.5 = 42.5
    assert list(totals.index) == ["Villach", "Wolfsberg", "Spittal"]
    assert totals.tolist() == pytest.approx([123.4, 50.0, 42.5], rel=1e-12)


def test_extremes_join_several_label_columns_and_skip_missing_values() -> None:
    frame = STACKED.assign(t_co2e=[100.0, None, 40.0, 2.5, 50.0])
    totals = charts.extremes(frame, ["office", "mode"], "t_co2e")
    # Villach · bus has no value: four bars are left, car at Villach the largest
    assert list(totals.index) == [
        "Villach · car",
        "Wolfsberg · car",
        "Spittal · car",
        "Spittal · bus",
    ]
    assert totals.iloc[-1] == pytest.approx(2.5, rel=1e-12)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        pytest.param(
            "en",
            "Emissions per office: largest Villach (123.4 t), smallest Spittal (42.5 t).",
            id="en",
        ),
        pytest.param(
            "de",
            "Emissionen: am höchsten Villach (123,4 t), am niedrigsten Spittal (42,5 t).",
            id="de",
        ),
        pytest.param(
            "nl",
            "Uitstoot: hoogste Villach (123,4 t), laagste Spittal (42,5 t).",
            id="nl",
        ),
    ],
)
def test_summary_names_the_largest_and_smallest_bar_in_the_language(
    lang: str, expected: str
) -> None:
    what = {"en": "Emissions per office.", "de": "Emissionen", "nl": "Uitstoot"}[lang]
    # WHEN the stacked bars are summarised (123.4 t and 42.5 t worked out above)
    text = charts.summary(STACKED, "office", "t_co2e", what=what, unit="t", lang=lang)
    # THEN one sentence, the numbers written as the language writes them
    assert text == expected


def test_summary_of_shares_one_value_and_no_value() -> None:
    shares = pd.DataFrame({"year": [2019, 2022], "share": [0.125, 0.4]})
    # 0.4 → 40.0 %, 0.125 → 12.5 % (one decimal for shares; German puts a no-break space)
    assert charts.summary(shares, "year", "share", what="Digital", unit="share", lang="de") == (
        "Digital: am höchsten 2022 (40,0\u00a0%), am niedrigsten 2019 (12,5\u00a0%)."
    )
    assert charts.summary(
        shares.head(1), "year", "share", what="Digital", unit="share", lang="en"
    ) == ("Digital: 2019 (12.5%).")
    assert charts.summary(
        shares.head(0), "year", "share", what="Digital", unit="share", lang="en"
    ) == ("Digital: no values.")


def test_summary_of_counts_in_whole_numbers() -> None:
    days = pd.DataFrame({"year": ["2019", "2022"], "days": [12_345.0, 9_876.4]})
    assert charts.summary(days, "year", "days", what="Days", unit="number", lang="en") == (
        "Days: largest 2019 (12,345), smallest 2022 (9,876)."
    )
    with pytest.raises(ValueError, match="unknown unit"):
        charts.summary(days, "year", "days", what="Days", unit="km", lang="en")


def test_summary_in_kilograms_keeps_the_sign() -> None:
    # A home-office day saves 1.234 kg at one office and costs 0.5 kg at another
    net = pd.DataFrame({"office": ["A", "B"], "net_kg": [1.234, -0.5]})
    assert charts.summary(
        net, "office", "net_kg", what="Net", unit="kg", lang="de", decimals=2
    ) == ("Net: am höchsten A (1,23 kg), am niedrigsten B (\u22120,50 kg).")


def test_waterfall_summary_names_both_totals_and_the_largest_changes() -> None:
    # GIVEN a waterfall from 1,000 t in 2019 to 600 t in 2022: clients −450 t, staff +80 t,
    # channel mix −30 t (1,000 − 450 + 80 − 30 = 600)
    frame = pd.DataFrame(
        {
            "label": ["2019", "Clients", "Staff", "Channel mix", "2022"],
            "kind": ["total", "decrease", "increase", "decrease", "total"],
            "t_co2e": [1000.0, -450.0, 80.0, -30.0, 600.0],
        }
    )
    # WHEN it is summarised
    text = charts.waterfall_summary(frame, what="Why it changed.", lang="en")
    # THEN the largest decrease is clients, the only increase staff; minus is a true minus
    assert text == (
        "Why it changed: from 1,000.0 t in 2019 to 600.0 t in 2022; "
        "largest increase Staff (+80.0 t); largest decrease Clients (\u2212450.0 t)."
    )


def test_waterfall_summary_without_changes_names_the_totals_only() -> None:
    frame = pd.DataFrame(
        {"label": ["2019", "2022"], "kind": ["total", "total"], "t_co2e": [5.0, 5.0]}
    )
    assert charts.waterfall_summary(frame, what="Change", lang="nl") == (
        "Change: van 5,0 t in 2019 naar 5,0 t in 2022."
    )
