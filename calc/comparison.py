"""A reference year against a current year: the change, why it happened, and what the digital
channels avoided, each with the simulation's interval.

Decomposition (additive LMDI-I, sums exactly to the difference). Every cell is one channel or
activity of one segment in one year, and its emissions are a product of four factors:

    clients:        clients × contacts per client × channel mix × kg per contact
    staff:          people  × working days per person × office/home-office mix × kg per day
    business trips: trips   × kg per trip

The effect of a factor is Σ_cells L(E_t, E_0) · ln(X_t / X_0), L the logarithmic mean. The kg
per unit splits into "distances and means of travel" (the current year's activity at the
reference year's factor edition against the reference year) and "emission factors" (the current
year's factor edition against the reference one for the same activity); under one factor
edition the second is zero. A cell that is zero in one year takes the limit of the formula: its
whole change goes to the first factor that is zero there.

Avoided by digital channels, per office and client group: the current year's clients at the
reference year's visits per client, less the visits made — but never more than the remote
contacts added since the reference year could replace (substitution share: visits replaced per
phone, video or online contact) — times the kg of a visit, less the rebound share of those
trips, less the footprint of the added remote contacts. Negative means the digital contacts
added emissions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from calc import model, simulation, units
from calc.factors import FactorSet
from calc.schema import REMOTE_CHANNELS, STAFF_GROUP, Activity, Channel
from calc.units import MINUS

# The effects of the decomposition in the order they are told: who, how often, how, how far.
EFFECTS: tuple[str, ...] = (
    "clients",
    "contacts_per_client",
    "channel_mix",
    "staff",
    "days_per_person",
    "homeoffice_mix",
    "business_trips",
    "travel",
    "emission_factors",
)
CONTACTS, STAFF_DAYS, TRIPS = "contacts", "staff_days", "trips"
# Per family: the effects of (units, units per unit, mix); intensity effects are shared.
_FAMILY_EFFECTS: Mapping[str, tuple[str, str | None, str | None]] = {
    CONTACTS: ("clients", "contacts_per_client", "channel_mix"),
    STAFF_DAYS: ("staff", "days_per_person", "homeoffice_mix"),
    TRIPS: ("business_trips", None, None),
}


@dataclass(frozen=True)
class Estimate:
    """A figure: its central value and the simulation's interval (5 %-95 % by default)."""

    kg: float
    low_kg: float
    high_kg: float

    @classmethod
    def of(cls, values: np.ndarray, settings: simulation.Settings) -> Estimate:
        """values[0] is the central estimate, values[1:] the draws."""
        low, high = simulation.interval(np.asarray(values[1:], dtype=float), settings)
        return cls(float(values[0]), float(low), float(high))


@dataclass(frozen=True)
class Avoided:
    """What the digital channels avoided, and the parts it is made of (central visits)."""

    net: Estimate  # trips avoided, less rebound, less the added remote contacts' footprint
    trips: Estimate  # kg of the in-person trips avoided, before rebound
    rebound: Estimate  # kg of those trips that reappear elsewhere
    remote: Estimate  # kg of the remote contacts added since the reference year
    visits_missing: float  # visits fewer than at the reference year's visits per client
    visits_replaceable: float  # visits the added remote contacts could replace
    visits_avoided: float  # the smaller of the two (never below zero)


@dataclass(frozen=True)
class Comparison:
    reference: int
    current: int
    reference_kg: Estimate
    current_kg: Estimate
    difference_kg: Estimate  # current − reference; negative is a reduction
    decomposition: dict[str, Estimate]  # EFFECTS; the central values sum to the difference
    avoided: Avoided
    draws: int
    seed: int

    @property
    def change_share(self) -> float:
        """The difference as a share of the reference year (0 without a reference)."""
        reference = self.reference_kg.kg
        return self.difference_kg.kg / reference if reference else 0.0

    def effects_raising(self) -> list[tuple[str, float]]:
        """Effects that pushed emissions up (kg > 0), largest first: why a reduction can be
        smaller than what the digital channels avoided."""
        rising = [(name, e.kg) for name, e in self.decomposition.items() if e.kg > 0]
        return sorted(rising, key=lambda pair: -pair[1])

    @property
    def avoided_exceeds_reduction(self) -> bool:
        return self.avoided.net.kg > -self.difference_kg.kg

    def as_dict(self) -> dict:
        """compare --json: each figure with `<name>_low` / `<name>_high` beside it."""

        def figure(name: str, estimate: Estimate) -> dict[str, float]:
            return {
                name: estimate.kg,
                f"{name}_low": estimate.low_kg,
                f"{name}_high": estimate.high_kg,
            }

        return {
            "reference": self.reference,
            "current": self.current,
            **figure("reference_kg", self.reference_kg),
            **figure("current_kg", self.current_kg),
            **figure("difference_kg", self.difference_kg),
            **figure("avoided_by_channels_kg", self.avoided.net),
            "avoided": {
                **figure("trips_kg", self.avoided.trips),
                **figure("rebound_kg", self.avoided.rebound),
                **figure("remote_contacts_kg", self.avoided.remote),
                "visits_missing": self.avoided.visits_missing,
                "visits_replaceable": self.avoided.visits_replaceable,
                "visits_avoided": self.avoided.visits_avoided,
            },
            "decomposition": {f"{n}_kg": e.kg for n, e in self.decomposition.items()},
            "decomposition_low": {f"{n}_kg": e.low_kg for n, e in self.decomposition.items()},
            "decomposition_high": {f"{n}_kg": e.high_kg for n, e in self.decomposition.items()},
            "simulation": {"draws": self.draws, "seed": self.seed},
        }


def family_of(activity: pd.Series) -> np.ndarray:
    """Which activity measure a row counts in: client contacts, staff days or business trips."""
    return np.select(
        [
            activity.isin([c.value for c in Channel]),
            activity == Activity.BUSINESS_TRIP.value,
        ],
        [CONTACTS, TRIPS],
        default=STAFF_DAYS,
    )


def compare(
    cube: model.Cube,
    factors: FactorSet,
    reference: int,
    current: int,
    factor_year: int | None = None,
    settings: simulation.Settings | None = None,
) -> Comparison:
    """Reference vs current year of a (selected) cube: totals, difference, decomposition and
    avoided by digital channels, each central and per draw."""
    settings = settings or simulation.Settings.load()
    two = model.of_years(cube, sorted({reference, current}))
    layout = model.row_layout(two, factors)
    cells = model.Cells.of(two)
    keys = layout.keys.assign(family=family_of(layout.keys["activity"]))
    cell_keys = ["year", "office_id", "group", "family", "activity"]
    codes, uniques = pd.MultiIndex.from_frame(keys[cell_keys]).factorize()
    table = uniques.to_frame(index=False, name=cell_keys)
    n_cells = len(table)

    # kg per cell: column 0 central, then one column per draw; at the data's factor editions
    # and at the reference year's edition (which tells behaviour from factor updates).
    edition = factor_year if factor_year is not None else reference
    draws = simulation.Draws(factors, settings.draws, settings.seed)

    visit_share = model.visit_share_draws(layout, factors, draws)
    grouping = model.Grouping.of(codes, n_cells)

    def cell_kg(year: int | None) -> tuple[np.ndarray, np.ndarray]:
        fx = model.factor_columns(factors, layout.places, "central", year)
        count, _, kg = model.row_draws(cells, layout, fx)
        simulated = model.simulated_kg(
            cells, layout, factors, draws, codes, n_cells, year, visit_share
        )
        central = grouping.sums(np.column_stack([count, kg[:, 0]]))
        return central[:, 0], np.column_stack([central[:, 1], simulated])

    count, kg = cell_kg(factor_year)
    kg_at_edition = kg if edition == factor_year else cell_kg(edition)[1]
    cells_frame = table.assign(count=count, row=np.arange(n_cells))
    units = _units(two, cells_frame)

    is_reference = (cells_frame["year"] == reference).to_numpy()
    is_current = (cells_frame["year"] == current).to_numpy()
    reference_kg = kg[is_reference].sum(axis=0)
    current_kg = kg[is_current].sum(axis=0)

    paired = _pair(cells_frame.assign(units=units), reference, current)
    row_0, row_t = paired["row_0"].to_numpy(), paired["row_t"].to_numpy()
    decomposition = _decompose(
        paired, _take(kg, row_0), _take(kg, row_t), _take(kg_at_edition, row_t)
    )
    country_of = dict(zip(two.offices["office_id"], two.offices["country"], strict=True))
    avoided = _avoided(paired, kg, factors, draws, country_of)
    return Comparison(
        reference=reference,
        current=current,
        reference_kg=Estimate.of(reference_kg, settings),
        current_kg=Estimate.of(current_kg, settings),
        difference_kg=Estimate.of(current_kg - reference_kg, settings),
        decomposition={
            name: Estimate.of(values, settings) for name, values in decomposition.items()
        },
        avoided=Avoided(
            net=Estimate.of(avoided["net"], settings),
            trips=Estimate.of(avoided["trips"], settings),
            rebound=Estimate.of(avoided["rebound"], settings),
            remote=Estimate.of(avoided["remote"], settings),
            visits_missing=float(avoided["visits_missing"][0]),
            visits_replaceable=float(avoided["visits_replaceable"][0]),
            visits_avoided=float(avoided["visits_avoided"][0]),
        ),
        draws=settings.draws,
        seed=settings.seed,
    )


def _take(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """values[rows], with zeros where a cell is missing in that year (row −1)."""
    taken = values[np.maximum(rows, 0)]
    return np.where((rows >= 0)[:, None], taken, 0.0)


def _units(cube: model.Cube, cells: pd.DataFrame) -> np.ndarray:
    """Clients, staff or trips of each cell's segment (year, office, group, family)."""
    clients = cube.clients.groupby(["year", "office_id", "group"], as_index=False)["clients"].sum()
    staff = cube.staff.groupby(["year", "office_id"], as_index=False)["staff"].sum()
    trips = cube.trips.groupby(["year", "office_id"], as_index=False)["trips"].sum()
    frames = [
        clients.rename(columns={"clients": "units"}).assign(family=CONTACTS),
        staff.rename(columns={"staff": "units"}).assign(group=STAFF_GROUP, family=STAFF_DAYS),
        trips.rename(columns={"trips": "units"}).assign(group=STAFF_GROUP, family=TRIPS),
    ]
    segment = ["year", "office_id", "group", "family"]
    per_segment = pd.concat(frames, ignore_index=True)[[*segment, "units"]]
    merged = cells[segment].merge(per_segment, on=segment, how="left")
    return merged["units"].fillna(0.0).to_numpy(dtype=float)


def _pair(cells: pd.DataFrame, reference: int, current: int) -> pd.DataFrame:
    """One row per (office, group, family, activity) with its reference and current cell:
    count, units, activity total of the segment, and the cell's row (−1 where missing)."""
    segment = ["office_id", "group", "family"]
    cell = [*segment, "activity"]
    cells = cells.assign(total=cells.groupby(["year", *segment])["count"].transform("sum"))
    columns = [*cell, "count", "units", "total", "row"]
    both = cells[cells["year"] == reference][columns].merge(
        cells[cells["year"] == current][columns], on=cell, how="outer", suffixes=("_0", "_t")
    )
    both[["row_0", "row_t"]] = both[["row_0", "row_t"]].fillna(-1)
    numbers = ["count_0", "count_t", "units_0", "units_t", "total_0", "total_t"]
    both[numbers] = both[numbers].fillna(0.0)
    return both.astype({"row_0": int, "row_t": int}).reset_index(drop=True)


def _log_mean(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = (a - b) / (np.log(a) - np.log(b))
    return np.where(np.isclose(a, b, rtol=1e-12, atol=0), a, mean)


def _decompose(
    paired: pd.DataFrame, e0: np.ndarray, et: np.ndarray, et_at_edition: np.ndarray
) -> dict[str, np.ndarray]:
    """The LMDI effects per column (central, then draws), each summed over cells."""
    n0, nt = paired["count_0"].to_numpy()[:, None], paired["count_t"].to_numpy()[:, None]
    u0, ut = paired["units_0"].to_numpy()[:, None], paired["units_t"].to_numpy()[:, None]
    a0, at = paired["total_0"].to_numpy()[:, None], paired["total_t"].to_numpy()[:, None]
    regular = (e0 > 0) & (et > 0)
    weight = np.where(regular, _log_mean(np.where(regular, et, 1), np.where(regular, e0, 1)), 0.0)

    def effect(ratio_t: np.ndarray, ratio_0: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(regular, weight * np.log(ratio_t / ratio_0), 0.0)

    with np.errstate(divide="ignore", invalid="ignore"):
        units = effect(ut, u0)
        per_unit = effect(at / ut, a0 / u0)
        mix = effect(nt / at, n0 / a0)
        has_edition = et_at_edition > 0
        travel = np.where(
            has_edition, effect(et_at_edition / nt, e0 / n0), effect(et / nt, e0 / n0)
        )
        factors = np.where(has_edition, effect(et, et_at_edition), 0.0)

    # Limits: a cell that appears (or vanishes) gives its whole change to the first factor
    # that is zero in the year it is missing from.
    # The factor edition explains a cell that appears at a non-zero count if the current
    # activity emits nothing at the reference edition, and one that vanishes if it would emit.
    for missing_e, present_e, sign, u, a, n, by_edition in (
        (e0, et, 1.0, u0, a0, n0, et_at_edition == 0),
        (et, e0, -1.0, ut, at, nt, et_at_edition > 0),
    ):
        changed = (missing_e == 0) & (present_e > 0)
        change = sign * present_e
        no_units = u == 0
        no_activity = ~no_units & (a == 0)
        no_cell = ~no_units & ~no_activity & (n == 0)
        intensity = ~no_units & ~no_activity & ~no_cell
        units = units + np.where(changed & no_units, change, 0.0)
        per_unit = per_unit + np.where(changed & no_activity, change, 0.0)
        mix = mix + np.where(changed & no_cell, change, 0.0)
        travel = travel + np.where(changed & intensity & ~by_edition, change, 0.0)
        factors = factors + np.where(changed & intensity & by_edition, change, 0.0)

    family = paired["family"].to_numpy()
    effects = {name: np.zeros(e0.shape[1]) for name in EFFECTS}
    for name, values in (("travel", travel), ("emission_factors", factors)):
        effects[name] += values.sum(axis=0)
    for fam, (units_name, per_unit_name, mix_name) in _FAMILY_EFFECTS.items():
        rows = family == fam
        effects[units_name] += units[rows].sum(axis=0)
        for effect_name, values in ((per_unit_name, per_unit), (mix_name, mix)):
            if effect_name is None:
                # Trips are their own unit: a per-unit or mix term cannot arise (ratios of 1).
                continue
            effects[effect_name] += values[rows].sum(axis=0)
    return effects


def substitution_share(
    value_of: model.ValueOf, factors: FactorSet, channel: str, group: str, country: str
) -> np.ndarray:
    """Visits one remote contact replaces: the group's own factor if the set has one
    (`substitution_video_visits_per_contact_youth`), else the channel's."""
    key = model.SUBSTITUTION_KEY.format(channel=channel)
    own = f"{key}_{group}"
    return np.atleast_1d(value_of(own if own in factors.keys else key, country, None, "central"))


def _avoided(
    paired: pd.DataFrame,
    kg: np.ndarray,
    factors: FactorSet,
    draws: simulation.Draws,
    country_of: Mapping[str, str],
) -> dict[str, np.ndarray]:
    """Avoided by digital channels per column (central, then draws), summed over segments."""
    contacts = paired[paired["family"] == CONTACTS]
    columns = kg.shape[1]
    total = {
        name: np.zeros(columns)
        for name in (
            "net",
            "trips",
            "rebound",
            "remote",
            "visits_missing",
            "visits_replaceable",
            "visits_avoided",
        )
    }
    if contacts.empty:
        return total
    # Plain arrays: a segment's few cells are looked up by activity many times.
    activities = contacts["activity"].to_numpy()
    rows = {year: contacts[f"row_{year}"].to_numpy() for year in ("0", "t")}
    counts = {year: contacts[f"count_{year}"].to_numpy(dtype=float) for year in ("0", "t")}
    units_0 = contacts["units_0"].to_numpy(dtype=float)
    units_t = contacts["units_t"].to_numpy(dtype=float)
    segments = contacts.groupby(["office_id", "group"], sort=False).indices
    for (office, group), positions in segments.items():
        clients_0 = float(units_0[positions].max())
        clients_t = float(units_t[positions].max())
        if clients_0 == 0 or clients_t == 0:
            continue  # no reference year (or no current one) to compare with
        scale = clients_t / clients_0
        position_of = dict(zip(activities[positions], positions, strict=True))

        def cell(
            activity: str, year: str, at: dict[str, int] = position_of
        ) -> tuple[float, np.ndarray]:
            """count and kg (per column) of one channel in the reference ('0') or current year."""
            if activity not in at:
                return 0.0, np.zeros(columns)
            row = int(rows[year][at[activity]])
            return float(counts[year][at[activity]]), (kg[row] if row >= 0 else np.zeros(columns))

        visits_0, visit_kg_0 = cell(Activity.IN_PERSON.value, "0")
        visits_t, visit_kg_t = cell(Activity.IN_PERSON.value, "t")
        missing = visits_0 * scale - visits_t
        replaceable = np.zeros(columns)
        remote_kg = np.zeros(columns)
        country = country_of.get(office, "")
        for channel in REMOTE_CHANNELS:
            before, _ = cell(channel.value, "0")
            now, now_kg = cell(channel.value, "t")
            added = max(0.0, now - before * scale)
            if added == 0:
                continue
            central = substitution_share(factors.value, factors, channel.value, group, country)
            drawn = substitution_share(draws.value, factors, channel.value, group, country)
            replaceable += added * np.concatenate([central, drawn])
            remote_kg += now_kg * (added / now)
        avoided_visits = np.clip(missing, 0.0, replaceable)
        per_visit = visit_kg_t / visits_t if visits_t > 0 else visit_kg_0 / max(visits_0, 1e-300)
        trips = avoided_visits * per_visit
        rebound = trips * np.concatenate(
            [
                np.atleast_1d(factors.value("rebound_share", country)),
                draws.value("rebound_share", country),
            ]
        )
        total["trips"] += trips
        total["rebound"] += rebound
        total["remote"] += remote_kg
        total["net"] += trips - rebound - remote_kg
        total["visits_missing"] += missing
        total["visits_replaceable"] += replaceable
        total["visits_avoided"] += avoided_visits
    return total


EFFECT_WORDS: Mapping[str, str] = {
    "clients": "number of clients",
    "contacts_per_client": "contacts per client",
    "channel_mix": "channel mix (visits, phone, video, online)",
    "staff": "number of staff",
    "days_per_person": "working days per person",
    "homeoffice_mix": "office and home-office days",
    "business_trips": "number of business trips",
    "travel": "distances and means of travel",
    "emission_factors": "emission factors",
}


def summary_text(result: Comparison) -> str:
    """The comparison in plain English for the command line (the app says it in its languages)."""

    def tonnes(kg: float) -> str:
        return f"{units.tonnes(abs(kg)):,.{units.TONNES_DECIMALS}f} t"

    def signed(kg: float) -> str:
        return ("+" if kg >= 0 else MINUS) + tonnes(kg)

    def interval(estimate: Estimate) -> str:
        return f"(90 % interval {signed(estimate.low_kg)} to {signed(estimate.high_kg)})"

    lines = [
        f"{result.reference}: {tonnes(result.reference_kg.kg)} CO2e",
        f"{result.current}: {tonnes(result.current_kg.kg)} CO2e",
        f"difference: {signed(result.difference_kg.kg)} {interval(result.difference_kg)}",
    ]
    lines += [
        f"  {EFFECT_WORDS[name]}: {signed(e.kg)}"
        for name, e in result.decomposition.items()
        if not units.shows_as_no_change(e.kg)
    ]
    net = result.avoided.net
    verb = "avoided" if net.kg >= 0 else "added"
    lines.append(f"digital channels {verb} {tonnes(net.kg)} {interval(net)}")
    return "\n".join(lines)


def waterfall(result: Comparison) -> pd.DataFrame:
    """The waterfall's bars: the reference total, every effect that is not exactly zero, the
    current total. Columns: step (`reference`, an EFFECTS name, `current`), kind (total,
    increase, decrease), kg, start_kg, end_kg."""
    records = [("reference", "total", result.reference_kg.kg, 0.0, result.reference_kg.kg)]
    running_kg = result.reference_kg.kg
    for name, effect in result.decomposition.items():
        if effect.kg == 0:
            continue
        kind = "increase" if effect.kg > 0 else "decrease"
        records.append((name, kind, effect.kg, running_kg, running_kg + effect.kg))
        running_kg += effect.kg
    records.append(("current", "total", result.current_kg.kg, 0.0, result.current_kg.kg))
    return pd.DataFrame(records, columns=["step", "kind", "kg", "start_kg", "end_kg"])
