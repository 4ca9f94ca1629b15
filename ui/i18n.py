"""Interface text in German, English and Dutch, and numbers formatted per language, for the
session's chosen language.

The catalogues and the formatting rules live in calc.locale (no Streamlit, so the command line,
reports and exports share them); this module only adds the language the session chose: the
sidebar's selector (bound to `?lang=de|en|nl`), else the browser's locale, else English.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from calc import locale
from calc.locale import FALLBACK, LANGUAGES, LOCALES_DIR, catalogue
from calc.units import MINUS, TONNES_DECIMALS

__all__ = [
    "FALLBACK",
    "LANGUAGES",
    "LANG_KEY",
    "LOCALES_DIR",
    "MINUS",
    "browser_language",
    "catalogue",
    "date",
    "distance",
    "language",
    "money",
    "number",
    "percent",
    "t",
    "tonnes",
]

LANG_KEY = "lang"


def browser_language() -> str:
    """The first supported language of the browser's locale, else English."""
    return locale.normalise(st.context.locale) or FALLBACK


def language() -> str:
    """The session's language: the one chosen in the app (or in `?lang=`), else the browser's."""
    chosen = locale.normalise(st.session_state.get(LANG_KEY))
    if chosen:
        return chosen
    from_url = locale.normalise(st.query_params.get(LANG_KEY))
    return from_url or browser_language()


def t(key: str, **values: object) -> str:
    """The text for key in the active language (English, then the key itself, as fallback)."""
    return locale.text(key, language(), **values)


def number(value: float | None, decimals: int = 0) -> str:
    """A number with the language's separators: 1,234.5 (en) or 1.234,5 (de, nl), and a true
    minus sign; a value that rounds to zero has none ("0", not "−0")."""
    return locale.number(value, language(), decimals)


def tonnes(kg: float | None, decimals: int = TONNES_DECIMALS) -> str:
    return locale.tonnes(kg, language(), decimals)


def distance(km: float | None) -> str:
    return locale.distance(km, language())


def percent(share: float | None, decimals: int = 0) -> str:
    return locale.percent(share, language(), decimals)


def money(amount: float | None, currency: str = "EUR", decimals: int = 2) -> str:
    return locale.money(amount, language(), currency, decimals)


def date(value: dt.date | dt.datetime | str | None, style: str = "medium") -> str:
    return locale.date(value, language(), style)
