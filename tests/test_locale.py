"""calc.locale: catalogues and Babel's number, percent, money and date rules per language."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from calc import locale
from calc.units import MINUS


@pytest.mark.parametrize(
    ("lang", "value", "decimals", "shown"),
    [
        pytest.param("en", 1234567.891, 1, "1,234,567.9", id="en-groups"),
        pytest.param("de", 1234567.891, 1, "1.234.567,9", id="de-groups"),
        pytest.param("nl", 1234567.891, 1, "1.234.567,9", id="nl-groups"),
        pytest.param("de", 10813, 0, "10.813", id="de-ten-thousand"),
        pytest.param("en", -1234, 0, f"{MINUS}1,234", id="en-minus-sign"),
        pytest.param("de", -0.04, 1, "0,0", id="rounds-to-zero-has-no-sign"),
        pytest.param("en", math.nan, 1, "", id="nan-is-empty"),
        pytest.param("en", None, 1, "", id="none-is-empty"),
    ],
)
def test_number(lang, value, decimals, shown):
    assert locale.number(value, lang, decimals) == shown


def test_no_hyphen_in_any_negative_figure():
    for lang in locale.LANGUAGES:
        for shown in (
            locale.number(-5.5, lang, 1),
            locale.percent(-0.25, lang),
            locale.tonnes(-2500, lang),
            locale.money(-3.5, lang),
        ):
            assert "-" not in shown and MINUS in shown, shown


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        pytest.param("en", "25.3%", id="en"),
        pytest.param("de", "25,3\u00a0%", id="de-space-before-sign"),
        pytest.param("nl", "25,3%", id="nl"),
    ],
)
def test_percent_follows_cldr(lang, shown):
    # 0.2534 = 25.34 % → one decimal
    assert locale.percent(0.2534, lang, 1) == shown


def test_tonnes_money_and_dates():
    assert locale.tonnes(2_016_556, "de") == "2.016,6 t"  # 2,016,556 kg / 1000
    assert locale.money(1234.5, "de") == "1.234,50\u00a0€"
    assert locale.money(1234.5, "en") == "€1,234.50"
    assert locale.date(dt.date(2026, 3, 5), "de") == "05.03.2026"
    assert locale.date("2026-03-05", "nl") == "5 mrt 2026"
    assert locale.date(None, "en") == ""


def test_distances_in_metres_below_a_kilometre_else_km():
    assert locale.distance(0.85, "en") == "850 m"  # 0.85 km × 1000
    assert locale.distance(0.0004, "de") == "0 m"
    assert locale.distance(12.46, "en") == "12.5 km"
    assert locale.distance(12.46, "de") == "12,5 km"
    assert locale.distance(1234.5, "nl") == "1.234,5 km"
    assert locale.distance(float("nan"), "en") == locale.distance(None, "de") == ""


def test_text_falls_back_to_english_then_the_key():
    assert locale.text("nav.overview", "de") == locale.catalogue()["nav.overview"]["de"]
    assert locale.text("no.such.key", "de") == "no.such.key"
    assert locale.text("nav.overview", "fr") == locale.catalogue()["nav.overview"]["en"]


def test_every_catalogue_row_has_all_three_languages():
    for key, texts in locale.catalogue().items():
        assert all(texts[lang].strip() for lang in locale.LANGUAGES), key


@pytest.mark.parametrize(
    ("given", "code"),
    [("de-AT", "de"), ("nl_BE", "nl"), ("Deutsch", "de"), ("EN", "en"), ("fr", None), ("", None)],
)
def test_normalise(given, code):
    assert locale.normalise(given) == code


def test_d3_locale_matches_page_text():
    de = locale.d3_number_locale("de")
    assert (de["decimal"], de["thousands"], de["minus"]) == (",", ".", MINUS)
    assert locale.d3_time_locale("nl")["months"][2] == "maart"


@pytest.mark.parametrize("lang", ["de", "nl"])
def test_templates_speak_the_language_everywhere(lang):
    # GIVEN the templates' help with every text looked up in the catalogue
    from calc import templates

    missing: list[str] = []
    translate = templates.in_language(lang)

    def checked(key: str, english: str) -> str:
        shown = translate(key, english)
        if shown == english and english.strip():
            missing.append(key)
        return shown

    # WHEN the README, the workbook's cell comments and help sheet are written
    templates.template_zip(checked)
    templates.template_workbook(checked)
    # THEN no text stayed English
    assert sorted(set(missing)) == []


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [("1,234.5", "en", 1234.5), ("1.234,5", "de", 1234.5), ("−0,5", "nl", -0.5), ("", "de", None)],
)
def test_parse_number_reads_what_number_writes(text, lang, value):
    parsed = locale.parse_number(text, lang)
    assert math.isnan(parsed) if value is None else parsed == value


def test_parse_number_refuses_the_other_languages_separators():
    with pytest.raises(ValueError):
        locale.parse_number("1,234.5", "de")


@pytest.mark.parametrize(
    ("value", "lang", "shown"),
    [
        # Every decimal kept, none added; the group separator from a thousand on.
        (0.005905, "de", "0,005905"),
        (0.005905, "en", "0.005905"),
        (1400.0, "de", "1.400"),
        (1400.0, "nl", "1.400"),
        (1400.0, "en", "1,400"),
        (0.1 + 0.2, "de", "0,3"),  # 0.30000000000000004 to twelve decimals
        (-1.25, "de", f"{MINUS}1,25"),
        (None, "de", ""),
    ],
)
def test_exact_keeps_the_decimals_a_value_has(value, lang, shown):
    assert locale.exact(value, lang) == shown
    if value is not None:
        assert locale.parse_number(shown, lang) == pytest.approx(value, rel=1e-12)


def test_examples_show_both_separators():
    assert locale.examples("de") == {"small": "0,25", "large": "1.234,5"}
    assert locale.examples("en") == {"small": "0.25", "large": "1,234.5"}
