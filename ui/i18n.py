"""Interface text in German, English and Dutch, and numbers formatted per language.

Catalogues are CSV files in ui/locales/ (key,en,de,nl), one per area of the app, merged on
load, so each page keeps its own texts.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import streamlit as st

from calc.units import MINUS

LANGUAGES = {"de": "Deutsch", "en": "English", "nl": "Nederlands"}
FALLBACK = "en"
LANG_KEY = "lang"
LOCALES_DIR = Path(__file__).parent / "locales"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """{key: {language: text}} from every catalogue file."""
    texts: dict[str, dict[str, str]] = {}
    for path in sorted(LOCALES_DIR.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                texts[row["key"]] = {lang: row.get(lang) or "" for lang in LANGUAGES}
    return texts


def browser_language() -> str:
    """The first supported language of the browser's locale, else English."""
    locale = st.context.locale or ""
    code = locale.split("-")[0].lower()
    return code if code in LANGUAGES else FALLBACK


def language() -> str:
    chosen = st.session_state.get(LANG_KEY)
    return chosen if chosen in LANGUAGES else browser_language()


def t(key: str, **values: object) -> str:
    """The text for key in the active language (English, then the key itself, as fallback)."""
    entry = catalogue().get(key, {})
    text = entry.get(language()) or entry.get(FALLBACK) or key
    return text.format(**values) if values else text


def number(value: float, decimals: int = 0) -> str:
    """A number with the language's separators: 1,234.5 (en) or 1.234,5 (de, nl), and a true
    minus sign; a value that rounds to zero has none ("0", not "−0")."""
    if round(value, decimals) == 0:
        value = 0.0
    text = f"{value:,.{decimals}f}"
    if language() in {"de", "nl"}:
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text.replace("-", MINUS)


def tonnes(kg: float, decimals: int = 1) -> str:
    return f"{number(kg / 1000, decimals)} t"


def percent(share: float, decimals: int = 0) -> str:
    return f"{number(share * 100, decimals)} %"
