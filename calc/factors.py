"""Factor sets: emission factors and method parameters, each with its unit and source.

A factor set is one long, tidy CSV in `data/factors/` (columns and rules in the README there).
This module loads and validates it, and answers lookups by (key, country, year) with the
fallback rules the model relies on. Every lookup returns a `Factor`, so a calculation can
report exactly which row (and source) it used.
"""

from __future__ import annotations

import csv
import difflib
import functools
import hashlib
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

Bound = Literal["central", "low", "high"]

FACTORS_DIR: Path = Path(__file__).resolve().parent.parent / "data" / "factors"

COLUMNS: tuple[str, ...] = (
    "key",
    "value",
    "low",
    "high",
    "unit",
    "country",
    "year",
    "scope",
    "status",
    "source",
    "note",
)
STATUSES: frozenset[str] = frozenset({"verified", "secondary", "derived", "estimate"})
MODES_IN_SPLIT: tuple[str, ...] = ("walk", "bike", "car", "pt")

# The unit of every key the model reads. The model multiplies these numbers without
# converting, so a factor file that changes a unit is rejected rather than silently misread.
KEY_UNITS: Mapping[str, str] = {
    "ef_car_ice_kg_per_vkm": "kg CO2e/vkm",
    "ev_energy_kwh_per_vkm": "kWh/vkm",
    "ev_share": "share",
    "car_occupancy": "persons/car",
    "ef_walk_kg_per_pkm": "kg CO2e/pkm",
    "ef_bike_kg_per_pkm": "kg CO2e/pkm",
    "ef_ebike_kg_per_pkm": "kg CO2e/pkm",
    "ef_motorbike_kg_per_pkm": "kg CO2e/pkm",
    "ef_bus_kg_per_pkm": "kg CO2e/pkm",
    "ef_rail_kg_per_pkm": "kg CO2e/pkm",
    "ef_tram_kg_per_pkm": "kg CO2e/pkm",
    "ef_pt_kg_per_pkm": "kg CO2e/pkm",
    "ef_plane_kg_per_pkm": "kg CO2e/pkm",
    "grid_kg_per_kwh": "kg CO2e/kWh",
    "energy_phone_kwh_per_contact": "kWh/contact",
    "energy_video_kwh_per_contact": "kWh/contact",
    "energy_online_kwh_per_contact": "kWh/contact",
    "homeoffice_electricity_kwh_per_day": "kWh/day",
    "homeoffice_heating_kwh_per_day": "kWh/day",
    "ef_heating_kg_per_kwh": "kg CO2e/kWh",
    "detour_factor": "factor",
    "plane_detour_km": "km",
    "working_days_per_year": "days/year",
    "working_weeks_per_year": "weeks/year",
    "rebound_share": "share",
    "substitution_phone_visits_per_contact": "visits/contact",
    "substitution_video_visits_per_contact": "visits/contact",
    "substitution_online_visits_per_contact": "visits/contact",
    "mileage_allowance_eur_per_km": "EUR/km",
    "door_to_door_speed_km_per_h": "km/h",
    "tree_uptake_kg_per_year": "kg CO2/tree/year",
    "flight_vie_lhr_return_kg": "kg CO2e",
    "budget_per_capita_kg_per_year": "kg CO2/person/year",
}
REQUIRED_KEYS: frozenset[str] = frozenset(KEY_UNITS)

MODE_SHARE_PREFIX = "mode_share_"
MODE_SHARE_UNIT = "share"
_MODE_SHARE_RE = re.compile(rf"^mode_share_({'|'.join(MODES_IN_SPLIT)})_(\d+)_(\d+)km$")
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_SHARE_SUM_TOLERANCE = 1e-9
_MAX_REPORTED_ERRORS = 20


class FactorError(ValueError):
    """A factor file or table is unusable; the message names file, row (line) and column."""


@dataclass(frozen=True, slots=True)
class Factor:
    """One row of a factor set: a number with its unit, bounds and provenance."""

    key: str
    value: float
    low: float
    high: float
    unit: str
    country: str
    year: int | None
    scope: str
    status: str
    source: str
    note: str

    def at(self, bound: Bound) -> float:
        """The central value or one of the bounds."""
        if bound == "central":
            return self.value
        if bound == "low":
            return self.low
        if bound == "high":
            return self.high
        raise ValueError(f"bound must be 'central', 'low' or 'high', not {bound!r}")


def mode_share_key(mode: str, band_lo_km: float, band_hi_km: float) -> str:
    """The key of a default mode share, e.g. mode_share_car_10_25km."""
    return f"{MODE_SHARE_PREFIX}{mode}_{band_lo_km:g}_{band_hi_km:g}km"


def rescaled(old_value: Any, new_value: Any, values: Any) -> np.ndarray:
    """Values tied to a factor (its bounds, or its simulation draws) when the factor changes
    from old to new: they keep their ratio to it, or collapse onto the new value when the old
    one is 0 (no ratio exists). Numbers, arrays and Series alike (elementwise, broadcast).

    Computed as new × (value / old), not value × (new / old): a tiny new value then cannot
    underflow a bound below itself."""
    old = np.asarray(old_value, dtype=float)
    new = np.asarray(new_value, dtype=float)
    is_zero = old == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio_to_old = np.asarray(values, dtype=float) / np.where(is_zero, 1.0, old)
    return np.where(is_zero, new, new * ratio_to_old)


def rescaled_bounds(old_value: Any, new_value: Any, low: Any, high: Any) -> tuple[Any, Any]:
    """The low and high bounds of a factor whose value changes from old to new (`rescaled`):
    the range keeps its width relative to the value."""
    return rescaled(old_value, new_value, low), rescaled(old_value, new_value, high)


class FactorSet:
    """A validated, immutable factor set with fast (key, country, year) lookups.

    Build it with `load` or `from_frame`; both validate. Immutability is what makes the
    per-instance lookup cache and `fingerprint` (a cache key for the app) safe.
    """

    __slots__ = ("_by_key", "_fingerprint", "_index", "_lookup", "_splits", "_table", "name")
    # Declared for the type checker; set once in __init__ through object.__setattr__.
    name: str
    _table: pd.DataFrame
    _fingerprint: str | None
    _index: dict[tuple[str, str], tuple[Factor, ...]]
    _by_key: dict[str, tuple[Factor, ...]]
    _splits: dict[str, pd.DataFrame]
    _lookup: Callable[[str, str, int | None], Factor]

    def __init__(self, table: pd.DataFrame, name: str) -> None:
        # Expects a table already normalised by _validate; use load() or from_frame().
        set_ = object.__setattr__
        set_(self, "name", name)
        set_(self, "_table", table)
        set_(self, "_fingerprint", None)
        factors = [_row_to_factor(row) for row in table.itertuples(index=False)]
        index: dict[tuple[str, str], list[Factor]] = {}
        by_key: dict[str, list[Factor]] = {}
        for factor in factors:
            index.setdefault((factor.key, factor.country), []).append(factor)
            by_key.setdefault(factor.key, []).append(factor)
        # Sorted by year once, so a lookup is a short scan; undated rows sort first.
        set_(
            self,
            "_index",
            {
                k: tuple(sorted(v, key=lambda f: -1 if f.year is None else f.year))
                for k, v in index.items()
            },
        )
        set_(self, "_by_key", {k: tuple(v) for k, v in by_key.items()})
        set_(self, "_splits", _build_splits(factors))
        # Per-instance cache (not a module-level one) so a discarded set frees its entries.
        set_(self, "_lookup", functools.lru_cache(maxsize=8192)(self._resolve))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("FactorSet is immutable; use with_overrides() for a changed copy")

    def __reduce__(self) -> tuple[type[FactorSet], tuple[pd.DataFrame, str]]:
        # The lookup cache cannot be pickled; rebuild it from the table instead.
        return (type(self), (self._table, self.name))

    def __repr__(self) -> str:
        return f"FactorSet({self.name!r}, {len(self._table)} rows)"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FactorSet):
            return NotImplemented
        return self.fingerprint() == other.fingerprint()

    def __hash__(self) -> int:
        return hash(self.fingerprint())

    # --- construction ---------------------------------------------------------------------

    @classmethod
    def load(cls, name_or_path: str | Path = "default") -> FactorSet:
        """Load and validate a factor set: a name means FACTORS_DIR/{name}.csv, else a path."""
        path = _resolve_path(name_or_path)
        header, records, lines = _read_csv(path)
        return cls(_validate(records, lines, origin=path.name, header=header), path.stem)

    @classmethod
    def from_frame(cls, table: pd.DataFrame, name: str = "custom") -> FactorSet:
        """Validate a table (e.g. the app's editable copy) into a factor set."""
        header = [str(c).strip() for c in table.columns]
        records = [dict(zip(header, row, strict=True)) for row in table.itertuples(index=False)]
        return cls(_validate(records, None, origin=f"table {name!r}", header=header), name)

    def with_overrides(self, overrides: Mapping[str, float]) -> FactorSet:
        """A copy with `value` of every row of each key replaced; bounds scale by the same ratio."""
        if not overrides:
            return self
        unknown = [key for key in overrides if key not in self._by_key]
        if unknown:
            raise FactorError("; ".join(_unknown_key_message(key, self._by_key) for key in unknown))
        table = self._table.copy()
        value = table["value"].to_numpy(dtype=float, copy=True)
        low = table["low"].to_numpy(dtype=float, copy=True)
        high = table["high"].to_numpy(dtype=float, copy=True)
        note = table["note"].astype(str).tolist()
        keys = table["key"].to_numpy()
        for key, new_value in overrides.items():
            new = float(new_value)
            if not math.isfinite(new):
                raise FactorError(f"override {key}={new_value!r}: not a finite number")
            for i in (keys == key).nonzero()[0]:
                old = value[i]
                low[i], high[i] = rescaled_bounds(old, new, low[i], high[i])
                value[i] = new
                note[i] = f"{note[i]} [override: value {new:g}, was {old:g}]".strip()
        table = table.assign(value=value, low=low, high=high, note=note)
        name = self.name if self.name.endswith(" (modified)") else f"{self.name} (modified)"
        return FactorSet.from_frame(table, name=name)

    # --- lookups --------------------------------------------------------------------------

    @property
    def table(self) -> pd.DataFrame:
        """The tidy table (year Int64 nullable, country '' for any). A copy: edits stay local."""
        return self._table.copy(deep=False)

    @property
    def keys(self) -> frozenset[str]:
        """Every key in the set, scalar and mode-share keys alike."""
        return frozenset(self._by_key)

    def factor(self, key: str, country: str = "", year: int | None = None) -> Factor:
        """The row that applies to (key, country, year); KeyError if there is none.

        Country: an exact match is preferred, else the any-country ('') rows. Year: the row
        for that year, else the latest earlier year, else an undated (any-year) row, else the
        earliest year. Without a year: the undated row, else the latest year.
        """
        country_code = (country or "").strip().upper()
        year_int = None if year is None or pd.isna(year) else int(year)
        return self._lookup(key, country_code, year_int)

    def value(
        self,
        key: str,
        country: str = "",
        year: int | None = None,
        bound: Bound = "central",
    ) -> float:
        """The number for (key, country, year), central or one of its bounds."""
        return self.factor(key, country, year).at(bound)

    def mode_split(self, country: str) -> pd.DataFrame:
        """Default mode shares by one-way distance band for a country (else the '' rows)."""
        country_code = (country or "").strip().upper()
        split = self._splits.get(country_code)
        if split is None:
            split = self._splits.get("")
        if split is None:
            raise KeyError(
                f"factor set {self.name!r} has no mode split for {country_code!r} "
                "and no any-country split"
            )
        return split.copy()

    def fingerprint(self) -> str:
        """A stable hash of the table contents (row order does not matter)."""
        if self._fingerprint is None:
            ordered = self._table.sort_values(
                ["key", "country", "year"], na_position="first", kind="stable"
            )
            digest = hashlib.sha256(_to_csv_bytes(ordered)).hexdigest()
            object.__setattr__(self, "_fingerprint", digest)
        return self._fingerprint  # type: ignore[return-value]

    def changes_from(self, other: FactorSet) -> pd.DataFrame:
        """Rows whose value or bounds differ from another set's (e.g. the shipped default):
        key, country, year, default (the other's value), value, low, high, unit."""
        keys = ["key", "country", "year"]
        numbers = ["value", "low", "high"]
        both = self._table.merge(
            other.table[[*keys, *numbers]], on=keys, how="left", suffixes=("", "_default")
        )
        differs = np.zeros(len(both), dtype=bool)
        for column in numbers:
            differs |= both[column].ne(both[f"{column}_default"]).to_numpy()
        changed = both[differs].rename(columns={"value_default": "default"})
        return changed[[*keys, "default", *numbers, "unit"]].reset_index(drop=True)

    def to_csv_bytes(self) -> bytes:
        """The table as a UTF-8 factor file that `load` reads back unchanged."""
        return _to_csv_bytes(self._table)

    def _resolve(self, key: str, country: str, year: int | None) -> Factor:
        rows = self._index.get((key, country))
        if rows is None and country:
            rows = self._index.get((key, ""))
        if rows is None:
            if key not in self._by_key:
                raise KeyError(_unknown_key_message(key, self._by_key))
            raise KeyError(
                f"factor {key!r} has no row for country {country!r} and no any-country row"
            )
        undated = rows[0] if rows[0].year is None else None
        dated = rows[1:] if undated is not None else rows
        if year is None:
            return undated if undated is not None else dated[-1]
        latest_earlier = None
        for factor in dated:
            if factor.year is not None and factor.year <= year:
                latest_earlier = factor
        if latest_earlier is not None:
            return latest_earlier
        if undated is not None:
            return undated
        return dated[0]


def parse_overrides(items: Iterable[str]) -> dict[str, float]:
    """Parse KEY=VALUE strings (from --set or a URL); a decimal comma is accepted."""
    if isinstance(items, str):
        items = [items]
    overrides: dict[str, float] = {}
    for item in items:
        key, sep, text = str(item).partition("=")
        key, text = key.strip(), text.strip()
        if not sep or not key or not text:
            raise FactorError(f"override {item!r}: expected KEY=VALUE, e.g. detour_factor=1.3")
        number = _parse_number(text, decimal_comma=True)
        if number is None:
            raise FactorError(f"override {item!r}: {text!r} is not a number")
        overrides[key] = number
    return overrides


# --- reading and validation ---------------------------------------------------------------


def _resolve_path(name_or_path: str | Path) -> Path:
    text = str(name_or_path)
    is_path = isinstance(name_or_path, Path) or text.endswith(".csv") or "/" in text or "\\" in text
    path = Path(text) if is_path else FACTORS_DIR / f"{text}.csv"
    if not path.is_file() and Path(text).name == text:
        # A bare file name such as "default.csv" also means a shipped set.
        path = FACTORS_DIR / (text if text.endswith(".csv") else f"{text}.csv")
    if not path.is_file():
        shipped = ", ".join(sorted(p.stem for p in FACTORS_DIR.glob("*.csv"))) or "none"
        raise FactorError(f"no factor set {text!r}: {path} does not exist (shipped: {shipped})")
    return path


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, Any]], list[int]]:
    # The csv module (not pandas) so each record keeps its real line number for messages.
    header: list[str] = []
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = [c.strip() for c in next(reader, [])]
            for fields in reader:
                if not fields or all(not f.strip() for f in fields):
                    continue
                if len(fields) != len(header):
                    raise FactorError(
                        f"{path.name}: line {reader.line_num}: {len(fields)} fields, the header "
                        f"has {len(header)} (a comma inside a text needs quotes)"
                    )
                records.append(dict(zip(header, fields, strict=True)))
                lines.append(reader.line_num)
    except UnicodeDecodeError as exc:
        raise FactorError(f"{path.name}: not UTF-8 text ({exc.reason})") from exc
    except csv.Error as exc:
        raise FactorError(f"{path.name}: not a readable CSV file ({exc})") from exc
    return header, records, lines


def _validate(
    records: Sequence[Mapping[str, Any]],
    lines: Sequence[int] | None,
    origin: str,
    header: Sequence[str],
) -> pd.DataFrame:
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        header_at = "line 1 (header)" if lines is not None else "header"
        raise FactorError(
            f"{origin}: {header_at}: missing column(s) {', '.join(repr(c) for c in missing)}; "
            f"a factor table needs {', '.join(COLUMNS)}"
        )

    def where(i: int) -> str:
        return f"row {i + 1} (line {lines[i]})" if lines is not None else f"row {i + 1}"

    errors: list[str] = []
    clean: list[dict[str, Any]] = []
    for i, record in enumerate(records):
        row, row_errors = _clean_row(record)
        errors.extend(f"{origin}: {where(i)}, column {col!r}: {msg}" for col, msg in row_errors)
        clean.append(row)
    if errors:
        raise _errors(errors)

    seen: dict[tuple[str, str, int | None], int] = {}
    unit_of: dict[str, tuple[str, int]] = {}
    for i, row in enumerate(clean):
        ident = (row["key"], row["country"], row["year"])
        if ident in seen:
            errors.append(
                f"{origin}: {where(i)}, column 'key': duplicate of {where(seen[ident])} "
                f"(same key, country and year)"
            )
        seen.setdefault(ident, i)
        expected = KEY_UNITS.get(row["key"])
        if row["key"].startswith(MODE_SHARE_PREFIX):
            expected = MODE_SHARE_UNIT
        if expected is not None and row["unit"] != expected:
            errors.append(
                f"{origin}: {where(i)}, column 'unit': {row['key']} must be in {expected!r}, "
                f"not {row['unit']!r}"
            )
        first = unit_of.setdefault(row["key"], (row["unit"], i))
        if expected is None and first[0] != row["unit"]:
            errors.append(
                f"{origin}: {where(i)}, column 'unit': {row['unit']!r} differs from "
                f"{first[0]!r} in {where(first[1])}; one unit per key"
            )
    errors.extend(_check_mode_shares(clean, origin, where))
    if errors:
        raise _errors(errors)

    missing_keys = sorted(REQUIRED_KEYS - {row["key"] for row in clean})
    if missing_keys:
        raise FactorError(f"{origin}: missing required key(s): {', '.join(missing_keys)}")

    return pd.DataFrame(
        {
            "key": [r["key"] for r in clean],
            "value": pd.array([r["value"] for r in clean], dtype="float64"),
            "low": pd.array([r["low"] for r in clean], dtype="float64"),
            "high": pd.array([r["high"] for r in clean], dtype="float64"),
            "unit": [r["unit"] for r in clean],
            "country": [r["country"] for r in clean],
            "year": pd.array([r["year"] for r in clean], dtype="Int64"),
            "scope": [r["scope"] for r in clean],
            "status": [r["status"] for r in clean],
            "source": [r["source"] for r in clean],
            "note": [r["note"] for r in clean],
        },
        columns=list(COLUMNS),
    )


def _clean_row(record: Mapping[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    errors: list[tuple[str, str]] = []
    row: dict[str, Any] = {c: _text(record.get(c)) for c in COLUMNS}

    if not _KEY_RE.match(row["key"]):
        errors.append(("key", f"{row['key']!r} is not a key (lower-case letters, digits, _)"))
    for column in ("value", "low", "high"):
        raw = record.get(column)
        number = _parse_number(raw)
        if number is None and not (column != "value" and _text(raw) == ""):
            shown = _text(raw)
            errors.append(
                (column, f"{shown!r} is not a number (use a decimal point)" if shown else "empty")
            )
        row[column] = number
    if row["value"] is not None:
        # Empty bounds mean "no range known": the value itself.
        row["low"] = row["value"] if row["low"] is None else row["low"]
        row["high"] = row["value"] if row["high"] is None else row["high"]
        if row["low"] is not None and row["low"] > row["value"]:
            errors.append(("low", f"low {row['low']:g} is above value {row['value']:g}"))
        if row["high"] is not None and row["high"] < row["value"]:
            errors.append(("high", f"high {row['high']:g} is below value {row['value']:g}"))

    row["country"] = row["country"].upper()
    if row["country"] and not _COUNTRY_RE.match(row["country"]):
        errors.append(("country", f"{row['country']!r} is not an ISO alpha-2 code or empty"))
    year, year_error = _parse_year(record.get("year"))
    row["year"] = year
    if year_error:
        errors.append(("year", year_error))
    row["status"] = row["status"].lower()
    if row["status"] not in STATUSES:
        errors.append(("status", f"{row['status']!r} is not one of {', '.join(sorted(STATUSES))}"))
    for column in ("unit", "scope", "source"):
        if not row[column]:
            errors.append((column, "empty; every row needs one"))
    return row, errors


def _check_mode_shares(
    clean: Sequence[Mapping[str, Any]], origin: str, where: Callable[[int], str]
) -> list[str]:
    errors: list[str] = []
    sums: dict[tuple[str, int, int], tuple[float, int]] = {}
    for i, row in enumerate(clean):
        if not row["key"].startswith(MODE_SHARE_PREFIX):
            continue
        match = _MODE_SHARE_RE.match(row["key"])
        if match is None:
            errors.append(
                f"{origin}: {where(i)}, column 'key': {row['key']!r} is not "
                f"mode_share_{{mode}}_{{lo}}_{{hi}}km with mode in {', '.join(MODES_IN_SPLIT)}"
            )
            continue
        lo, hi = int(match.group(2)), int(match.group(3))
        if lo >= hi:
            errors.append(f"{origin}: {where(i)}, column 'key': band {lo}-{hi} km is empty")
        if row["year"] is not None:
            errors.append(f"{origin}: {where(i)}, column 'year': mode shares have no year")
        if not 0 <= row["value"] <= 1:
            errors.append(f"{origin}: {where(i)}, column 'value': a share must be within 0..1")
        total, first = sums.get((row["country"], lo, hi), (0.0, i))
        sums[(row["country"], lo, hi)] = (total + row["value"], first)
    for (country, lo, hi), (total, first) in sums.items():
        if abs(total - 1) > _SHARE_SUM_TOLERANCE:
            errors.append(
                f"{origin}: {where(first)}, column 'value': mode shares for country "
                f"{country or '(any)'!r}, band {lo}-{hi} km sum to {total:.6g}, not 1"
            )
    return errors


def _build_splits(factors: Sequence[Factor]) -> dict[str, pd.DataFrame]:
    order = {mode: n for n, mode in enumerate(MODES_IN_SPLIT)}
    rows: dict[str, list[tuple[float, float, str, float]]] = {}
    for factor in factors:
        match = _MODE_SHARE_RE.match(factor.key)
        if match:
            mode, lo, hi = match.group(1), float(match.group(2)), float(match.group(3))
            rows.setdefault(factor.country, []).append((lo, hi, mode, factor.value))
    splits = {}
    for country, entries in rows.items():
        entries.sort(key=lambda e: (e[0], order[e[2]]))
        splits[country] = pd.DataFrame(
            {
                "band_lo_km": pd.array([e[0] for e in entries], dtype="float64"),
                "band_hi_km": pd.array([e[1] for e in entries], dtype="float64"),
                "mode": [e[2] for e in entries],
                "share": pd.array([e[3] for e in entries], dtype="float64"),
            }
        )
    return splits


def _row_to_factor(row: Any) -> Factor:
    return Factor(
        key=row.key,
        value=float(row.value),
        low=float(row.low),
        high=float(row.high),
        unit=row.unit,
        country=row.country,
        year=None if pd.isna(row.year) else int(row.year),
        scope=row.scope,
        status=row.status,
        source=row.source,
        note=row.note,
    )


def _to_csv_bytes(table: pd.DataFrame) -> bytes:
    return table.to_csv(index=False, columns=list(COLUMNS), lineterminator="\n").encode("utf-8")


def _text(raw: object) -> str:
    if raw is None or (not isinstance(raw, str) and pd.isna(raw)):
        return ""
    return str(raw).strip()


def _parse_number(raw: object, decimal_comma: bool = False) -> float | None:
    """A finite float, or None when the cell is empty or not a number."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        number = float(raw)
        return number if math.isfinite(number) else None
    text = _text(raw)
    if not text:
        return None
    if decimal_comma and text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _parse_year(raw: object) -> tuple[int | None, str | None]:
    text = _text(raw)
    if not text:
        return None, None
    number = _parse_number(raw)
    if number is None or not number.is_integer():
        return None, f"{text!r} is not a year (a whole number, or empty for any year)"
    if not 1900 <= number <= 2100:
        return None, f"{text} is outside 1900..2100"
    return int(number), None


def _unknown_key_message(key: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return f"unknown factor key {key!r}{hint}"


def _errors(errors: Sequence[str]) -> FactorError:
    shown = list(errors[:_MAX_REPORTED_ERRORS])
    if len(errors) > len(shown):
        shown.append(f"... and {len(errors) - len(shown)} more")
    return FactorError("\n".join(shown))
