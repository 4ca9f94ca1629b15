"""Texts and number formats per language, without Streamlit.

The catalogues are the CSV files in calc/locales/ (header `key,en,de,nl`), one per area of the
app, merged on load. Pages reach them through ui.i18n, which adds the session's language; the
command line, reports and exports call this module with an explicit language.

Numbers follow Babel's (CLDR) rules for the language: 1,234.5 in English, 1.234,5 in German and
Dutch. Every number uses the true minus sign (U+2212), never a hyphen, and a value that rounds to
zero shows no sign. A missing value (None, NaN) is shown as an empty string: never "nan".
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import (
    NumberFormatError,
    NumberPattern,
    format_currency,
    format_decimal,
    format_percent,
    parse_decimal,
    parse_pattern,
)

from calc.units import KG_PER_T, M_PER_KM, MINUS, TONNES_DECIMALS

LANGUAGES = {"de": "Deutsch", "en": "English", "nl": "Nederlands"}
FALLBACK = "en"
LOCALES_DIR = Path(__file__).parent / "locales"


def normalise(lang: str | None) -> str | None:
    """A supported language code from "de", "de-AT", "de_AT", "DE" or the language's own name,
    else None."""
    if not lang:
        return None
    for name_code, name in LANGUAGES.items():
        if lang == name:
            return name_code
    code = lang.replace("_", "-").split("-")[0].strip().lower()
    return code if code in LANGUAGES else None


def _lang(lang: str | None) -> str:
    return normalise(lang) or FALLBACK


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """{key: {language: text}} from every catalogue file."""
    texts: dict[str, dict[str, str]] = {}
    for path in sorted(LOCALES_DIR.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                texts[row["key"]] = {code: row.get(code) or "" for code in LANGUAGES}
    return texts


def has(key: str) -> bool:
    return key in catalogue()


def text(key: str, lang: str | None, **values: object) -> str:
    """The text for key in lang (English, then the key itself, as fallback), with any
    `{name}` placeholders filled from values."""
    entry = catalogue().get(key, {})
    found = entry.get(_lang(lang)) or entry.get(FALLBACK) or key
    return found.format(**values) if values else found


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _signless_zero(value: float, decimals: int) -> float:
    return 0.0 if round(value, decimals) == 0 else value


def _with_decimals(pattern: str, decimals: int) -> str:
    """A CLDR pattern ("#,##0 %", "¤#,##0.00") with exactly `decimals` fraction digits."""
    fraction = "." + "0" * decimals if decimals > 0 else ""
    parts = []
    for part in pattern.split(";"):
        core = part.replace("#,##0.00", "#,##0").replace("#,##0.###", "#,##0")
        parts.append(core.replace("#,##0", "#,##0" + fraction, 1))
    return ";".join(parts)


@cache
def _locale(code: str) -> Locale:
    return Locale.parse(code)


@cache
def _pattern(pattern: str) -> NumberPattern:
    return parse_pattern(pattern)


def _formatted(value: float, pattern: str, lang: str | None) -> str:
    """value in a CLDR pattern as format_decimal and format_percent write it, with a true
    minus. The parsed locale and pattern are kept: parsing them again for every number took
    two thirds of the time of a page's tables (a few hundred numbers a run)."""
    return _pattern(pattern).apply(value, _locale(_lang(lang))).replace("-", MINUS)


def number(value: float | None, lang: str | None, decimals: int = 0) -> str:
    """A number with the language's separators and exactly `decimals` decimals."""
    if _missing(value):
        return ""
    assert value is not None
    shown = _signless_zero(float(value), decimals)
    return _formatted(shown, _with_decimals("#,##0", decimals), lang)


def exact(value: float | None, lang: str | None, max_decimals: int = 12) -> str:
    """A number with the language's separators and the decimals it has (up to max_decimals,
    no trailing zeros): "0,005905" and "1.400" in German, for a value a person reads back and
    edits (parse_number reads it again)."""
    if _missing(value):
        return ""
    assert value is not None
    shown = _signless_zero(float(value), max_decimals)
    return _formatted(shown, "#,##0." + "#" * max_decimals, lang)


def examples(lang: str | None) -> dict[str, str]:
    """Two numbers as lang writes them, for a hint or a message about a typed number:
    {"small": "0,25", "large": "1.234,5"} in German."""
    return {"small": exact(0.25, lang), "large": exact(1234.5, lang)}


def parse_number(text: str, lang: str | None) -> float:
    """A number as `number` writes it in lang, back to a float (NaN for an empty text)."""
    cleaned = str(text).strip().replace(MINUS, "-").removesuffix(" t")
    if not cleaned:
        return math.nan
    try:
        return float(parse_decimal(cleaned, locale=_lang(lang), strict=True))
    except NumberFormatError as error:
        raise ValueError(f"{text!r} is not a number as {_lang(lang)} writes it") from error


def tonnes(kg: float | None, lang: str | None, decimals: int = TONNES_DECIMALS) -> str:
    """kg shown as tonnes: "1,234.5 t" (en), "1.234,5 t" (de, nl)."""
    if _missing(kg):
        return ""
    assert kg is not None
    return f"{number(float(kg) / KG_PER_T, lang, decimals)} t"


def distance(km: float | None, lang: str | None) -> str:
    """A distance as people say it: whole metres below a kilometre ("850 m"), else km with
    one decimal ("12.5 km" en, "12,5 km" de, nl)."""
    if _missing(km):
        return ""
    assert km is not None
    if abs(km) < 1:
        return f"{number(km * M_PER_KM, lang)} m"
    return f"{number(km, lang, 1)} km"


def percent(share: float | None, lang: str | None, decimals: int = 0) -> str:
    """A share (0.25) as a percent in the language's pattern: "25%" (en, nl), "25 %" (de)."""
    if _missing(share):
        return ""
    assert share is not None
    code = _lang(lang)
    shown = _signless_zero(float(share) * 100, decimals) / 100
    pattern = _with_decimals(_locale(code).percent_formats[None].pattern, decimals)
    return _formatted(shown, pattern, code)


def money(amount: float | None, lang: str | None, currency: str = "EUR", decimals: int = 2) -> str:
    """An amount of money: "€1,234.50" (en), "1.234,50 €" (de), "€ 1.234,50" (nl)."""
    if _missing(amount):
        return ""
    assert amount is not None
    code = _lang(lang)
    shown = _signless_zero(float(amount), decimals)
    pattern = _with_decimals(Locale.parse(code).currency_formats["standard"].pattern, decimals)
    formatted = format_currency(shown, currency, format=pattern, locale=code, currency_digits=False)
    return formatted.replace("-", MINUS)


def date(value: dt.date | dt.datetime | str | None, lang: str | None, style: str = "medium") -> str:
    """A date in the language's style ("Nov 28, 2026", "28.11.2026", "28 nov 2026" as medium);
    an ISO string is accepted; anything empty or unreadable is empty."""
    if value is None or _missing(value) or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value, format=style, locale=_lang(lang))


def datetime(value: dt.datetime | None, lang: str | None, style: str = "medium") -> str:
    """A date and time in the language's style; empty when missing."""
    if value is None or _missing(value):
        return ""
    return format_datetime(value, format=style, locale=_lang(lang))


def symbols(lang: str | None) -> dict[str, str]:
    """The language's decimal and group separators: {"decimal": ",", "group": "."}."""
    code = _lang(lang)
    return {
        "decimal": format_decimal(1.5, format="0.0", locale=code)[1],
        "group": format_decimal(1000, format="#,##0", locale=code)[1],
    }


def d3_number_locale(lang: str | None) -> dict[str, Any]:
    """A d3-format locale (Vega-Lite's `config.locale.number`) with the language's separators,
    currency placement, percent sign and minus sign, so chart axes and tooltips read like the
    page text."""
    code = _lang(lang)
    marks = symbols(code)
    euro = format_currency(1, "EUR", locale=code)
    one = format_decimal(1.0, format="0.00", locale=code)
    prefix, _, suffix = euro.partition(one)
    percent_sign = format_percent(0.01, locale=code).removeprefix("1")
    return {
        "decimal": marks["decimal"],
        "thousands": marks["group"],
        "grouping": [3],
        "currency": [prefix, suffix],
        "percent": percent_sign,
        "minus": MINUS,
        "nan": "",
    }


def d3_time_locale(lang: str | None) -> dict[str, Any]:
    """A d3-time-format locale (Vega-Lite's `config.locale.time`) with month and day names."""
    code = _lang(lang)
    locale = Locale.parse(code)
    days = locale.days["format"]
    months = locale.months["format"]
    # CLDR counts days from Monday (0); d3 lists them from Sunday.
    order = [6, 0, 1, 2, 3, 4, 5]
    return {
        "dateTime": "%x, %X",
        "date": {"de": "%d.%m.%Y", "nl": "%d-%m-%Y"}.get(code, "%m/%d/%Y"),
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": [days["wide"][i] for i in order],
        "shortDays": [days["abbreviated"][i] for i in order],
        "months": [months["wide"][i] for i in range(1, 13)],
        "shortMonths": [months["abbreviated"][i] for i in range(1, 13)],
    }
