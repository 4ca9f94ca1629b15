"""What-if scenarios: arithmetic on the cube of one base year (no SQL, no files, no geocoding).

A scenario changes behaviour (channels, home office, modes) and fleet or grid parameters, then
the model's own row evaluation (`model.row_draws`) runs on the changed cells and factors.
Assumptions are stated where the cube has lost detail: moved contacts and days are taken evenly
across the distances of a cell, and moved car trips evenly across car trips.

Speed: what no lever changes (the base year's cells, the row layout, its factor tables and
emissions, and the simulation's factor draws) is prepared once per cube, factor set and base
year and memoised; a slider move then costs a few numpy passes over a few thousand rows times
the scenario's draws (data/simulation.csv), whatever the number of underlying clients.

Every evaluation carries the central estimate in column 0 and one column per draw after it,
so the interval of a saving is computed draw by draw (shared factors cancel, independent ones
add up). The rebound share reduces only the emissions of trips avoided (visits moved to remote
channels, commutes moved to home office); fleet, grid and mode levers avoid no trip.
"""

from __future__ import annotations

import functools
import json
import math
import numbers
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from calc import model, simulation
from calc.factors import FactorSet, rescaled
from calc.schema import Activity, Mode

GROUP_KEYS = ["year", "office_id", "group", "activity", "mode"]
VALUE_COLUMNS = ["count", "km", "kg_co2e", "kg_co2e_low", "kg_co2e_high"]
FACTOR_LEVERS = ("ev_share", "grid_kg_per_kwh", "detour_factor", "car_occupancy")
# A car trip moved to one of these modes keeps its km and takes that mode's factor.
SHIFT_MODES = (Mode.PT, Mode.BIKE)


class ScenarioError(ValueError):
    """A scenario that cannot exist (shares above 100 %, negative values, unknown fields)."""


def _number(name: str, value: Any) -> float:
    """value as a finite float, or ScenarioError naming the field."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ScenarioError(f"{name} must be a number, not {value!r}")
    if not math.isfinite(value):
        raise ScenarioError(f"{name} must be a finite number")
    return float(value)


@dataclass(frozen=True)
class ChannelShift:
    """Shares of in-person contacts moved to each remote channel (together at most 1)."""

    video: float = 0.0
    phone: float = 0.0
    online: float = 0.0

    def __post_init__(self) -> None:
        for name in ("video", "phone", "online"):
            share = _number(name, getattr(self, name))
            if not 0.0 <= share <= 1.0:
                raise ScenarioError(f"{name} share must be between 0 and 1")
            object.__setattr__(self, name, share)
        if self.total > 1.0 + 1e-9:
            raise ScenarioError("shares moved away from in-person contacts add up to over 100 %")

    @property
    def total(self) -> float:
        return self.video + self.phone + self.online


@dataclass(frozen=True)
class Scenario:
    """Every lever of a what-if. None means 'as in the base year'.

    Channel shifts: an office's own shift wins over its client group's, which wins over the
    overall one. Home office: with days per week set, every staff member works that many days
    (times the eligible share) from home, replacing the base year's home-office days.
    """

    base_year: int
    channels: ChannelShift = field(default_factory=ChannelShift)
    office_channels: tuple[tuple[str, ChannelShift], ...] = ()
    group_channels: tuple[tuple[str, ChannelShift], ...] = ()
    homeoffice_days_per_week: float | None = None
    homeoffice_eligible_share: float = 1.0
    car_to_pt_share: float = 0.0
    car_to_bike_share: float = 0.0
    ev_share: float | None = None
    grid_kg_per_kwh: float | None = None
    detour_factor: float | None = None
    car_occupancy: float | None = None

    def __post_init__(self) -> None:
        year = _number("base_year", self.base_year)
        if not year.is_integer():
            raise ScenarioError(f"base_year must be a whole year, not {self.base_year!r}")
        object.__setattr__(self, "base_year", int(year))
        if not isinstance(self.channels, ChannelShift):
            raise ScenarioError("channels must be a ChannelShift")
        for name in ("office_channels", "group_channels"):
            object.__setattr__(self, name, _shift_table(name, getattr(self, name)))
        for name in ("homeoffice_eligible_share", "car_to_pt_share", "car_to_bike_share"):
            share = _number(name, getattr(self, name))
            if not 0.0 <= share <= 1.0:
                raise ScenarioError(f"{name} must be between 0 and 1")
            object.__setattr__(self, name, share)
        if self.car_to_pt_share + self.car_to_bike_share > 1.0 + 1e-9:
            raise ScenarioError("car trips moved to public transport and bike exceed 100 %")
        # Lowest sensible values: no share below 0, a car carries its driver, and a road is
        # never shorter than the straight line.
        lowest = {
            "homeoffice_days_per_week": 0.0,
            "ev_share": 0.0,
            "grid_kg_per_kwh": 0.0,
            "detour_factor": 1.0,
            "car_occupancy": 1.0,
        }
        for name, low in lowest.items():
            if getattr(self, name) is None:
                continue
            value = _number(name, getattr(self, name))
            if value < low:
                raise ScenarioError(f"{name} must be at least {low:g}")
            object.__setattr__(self, name, value)
        if self.ev_share is not None and self.ev_share > 1.0:
            raise ScenarioError("ev_share must be between 0 and 1")
        if self.homeoffice_days_per_week is not None and self.homeoffice_days_per_week > 7:
            raise ScenarioError("homeoffice_days_per_week must be at most 7")

    def factor_overrides(self) -> dict[str, float]:
        return {n: getattr(self, n) for n in FACTOR_LEVERS if getattr(self, n) is not None}

    def shift_for(self, office_id: str, group: str) -> ChannelShift:
        by_office = dict(self.office_channels)
        by_group = dict(self.group_channels)
        return by_office.get(office_id) or by_group.get(group) or self.channels

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["office_channels"] = {k: asdict(v) for k, v in self.office_channels}
        data["group_channels"] = {k: asdict(v) for k, v in self.group_channels}
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scenario:
        if not isinstance(data, dict):
            raise ScenarioError("a scenario is a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ScenarioError(f"unknown scenario fields: {', '.join(sorted(unknown))}")
        if "base_year" not in data:
            raise ScenarioError("a scenario needs a base_year")
        values = dict(data)
        try:
            values["channels"] = ChannelShift(**data.get("channels", {}))
            for name in ("office_channels", "group_channels"):
                table = data.get(name, {})
                if not isinstance(table, dict):
                    raise ScenarioError(f"{name} must map names to channel shifts")
                values[name] = tuple((str(k), ChannelShift(**v)) for k, v in table.items())
            return cls(**values)
        except TypeError as exc:
            raise ScenarioError(f"malformed scenario: {exc}") from exc

    @classmethod
    def from_json(cls, text: str) -> Scenario:
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as exc:
            raise ScenarioError(f"not a scenario file: {exc}") from exc


def _shift_table(name: str, table: Any) -> tuple[tuple[str, ChannelShift], ...]:
    """Sorted by name, so equal scenarios compare (and hash, and serialise) equal."""
    items = table.items() if isinstance(table, Mapping) else table
    try:
        pairs = sorted(((str(key), shift) for key, shift in items), key=lambda pair: pair[0])
    except (TypeError, ValueError) as exc:
        raise ScenarioError(f"{name} must be (name, ChannelShift) pairs") from exc
    if not all(isinstance(shift, ChannelShift) for _, shift in pairs):
        raise ScenarioError(f"{name} must be (name, ChannelShift) pairs")
    names = [key for key, _ in pairs]
    if len(set(names)) != len(names):
        raise ScenarioError(f"{name} names one office or group twice")
    return tuple(pairs)


@dataclass(frozen=True)
class ScenarioResult:
    """The base year as it was and under the scenario.

    base_rows and scenario_rows have the model's result columns (year, office_id, group,
    activity, mode, count, km, kg_co2e, kg_co2e_low, kg_co2e_high), count and km central.
    """

    scenario: Scenario
    base_rows: pd.DataFrame
    scenario_rows: pd.DataFrame
    saved_kg: float
    saved_kg_range: tuple[float, float]  # the simulation's interval (5 %-95 %)
    saved_net_of_rebound_kg: float  # saved_kg less the rebound share of trips_avoided_kg
    trips_avoided_kg: float  # the visits and commutes the scenario avoids, at its factors
    visits_avoided: float
    client_km_saved: float
    client_hours_saved: float
    client_money_saved_eur: float
    homeoffice_commute_saved_kg: float
    homeoffice_energy_added_kg: float

    @property
    def homeoffice_net_kg(self) -> float:
        """Commute emissions saved minus home energy added; negative means home office costs."""
        return self.homeoffice_commute_saved_kg - self.homeoffice_energy_added_kg

    @property
    def base_kg(self) -> float:
        return float(self.base_rows["kg_co2e"].sum())

    @property
    def scenario_kg(self) -> float:
        return float(self.scenario_rows["kg_co2e"].sum())

    def by(self, *keys: str) -> pd.DataFrame:
        """Base vs scenario kg grouped by the given result columns."""
        base = self.base_rows.groupby(list(keys))["kg_co2e"].sum().rename("base_kg")
        new = self.scenario_rows.groupby(list(keys))["kg_co2e"].sum().rename("scenario_kg")
        table = pd.concat([base, new], axis=1).fillna(0.0).reset_index()
        return table.assign(saved_kg=table["base_kg"] - table["scenario_kg"])


def base_cube(cube: model.Cube, year: int) -> model.Cube:
    """The cube restricted to one year: what every slider move works on."""
    return replace(
        cube,
        clients=cube.clients[cube.clients["year"] == year].reset_index(drop=True),
        staff=cube.staff[cube.staff["year"] == year].reset_index(drop=True),
        trips=cube.trips[cube.trips["year"] == year].reset_index(drop=True),
    )


# -- the prepared base year --------------------------------------------------------------------


@dataclass(frozen=True)
class _Flows:
    """count and central km per extended row, and kg CO2e per extended row and column
    (central, then the draws): the layout's rows, then a public-transport and a bike copy of
    every car row (zero unless a mode shift fills them)."""

    count: np.ndarray
    km: np.ndarray  # central km only: no result reads the km of a draw
    kg: np.ndarray
    present: np.ndarray  # which extended rows exist in this computation
    grouping: model.Grouping  # the rows by result group

    @functools.cached_property
    def group_kg(self) -> np.ndarray:
        """kg summed per result group: (groups, 1 + draws); only for flows that become rows."""
        return self.grouping.sums(self.kg)

    def central(self) -> _Flows:
        """The same flows without the draws."""
        return replace(self, kg=self.kg[:, :1])


def _interval(
    values: np.ndarray, settings: simulation.Settings, axis: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """The simulation's interval of values whose first entry along axis is the central value
    and the rest are draws; without draws, the central value itself."""
    if values.shape[axis] == 1:
        central = np.take(values, 0, axis=axis)
        return central, central
    draws = [slice(None)] * values.ndim
    draws[axis] = slice(1, None)
    return simulation.interval(values[tuple(draws)], settings, axis=axis)


@dataclass(frozen=True, eq=False)
class _Rows:
    """The model's row layout of the base year, extended by the rows a mode shift creates."""

    layout: model.RowLayout
    car: np.ndarray  # layout rows a mode shift moves: car visits and car commutes
    codes: np.ndarray  # result group of every extended row
    groups: pd.DataFrame  # the result groups' keys, sorted
    activity: np.ndarray  # of every extended row
    mode: np.ndarray  # of every extended row
    grouping: model.Grouping  # the extended rows by result group
    balanced_rows: tuple[np.ndarray, ...]  # the extended rows of each activity of _BALANCED

    @classmethod
    def of(cls, layout: model.RowLayout) -> _Rows:
        keys = layout.keys[GROUP_KEYS]
        is_car = (keys["mode"] == Mode.CAR.value) & keys["activity"].isin(
            [Activity.IN_PERSON.value, Activity.COMMUTE.value]
        )
        car = np.flatnonzero(is_car.to_numpy(dtype=bool))
        copies = (keys.iloc[car].assign(mode=m.value) for m in SHIFT_MODES)
        extended = pd.concat([keys, *copies], ignore_index=True)
        codes = extended.groupby(GROUP_KEYS, sort=True).ngroup().to_numpy()
        first = np.unique(codes, return_index=True)[1]
        return cls(
            layout=layout,
            car=car,
            codes=codes,
            groups=extended.iloc[first].reset_index(drop=True),
            activity=extended["activity"].to_numpy(dtype=object),
            mode=extended["mode"].to_numpy(dtype=object),
            grouping=model.Grouping.of(codes, len(first)),
            balanced_rows=tuple(
                np.flatnonzero((extended["activity"] == a.value).to_numpy(dtype=bool))
                for a in _BALANCED
            ),
        )

    def activity_kg(self, flows: _Flows) -> dict[Activity, np.ndarray]:
        """kg of each activity of _BALANCED, per column (central, then the draws)."""
        return {
            activity: flows.kg[rows].sum(axis=0)
            for activity, rows in zip(_BALANCED, self.balanced_rows, strict=True)
        }

    def evaluate(
        self,
        cells: model.Cells,
        fx: model.Columns,
        visit_share: np.ndarray,
        scenario: Scenario | None,
    ) -> _Flows:
        """The model's rows for (changed) cells and factors, then the scenario's mode shift."""
        count, km_draws, kg = model.row_draws(cells, self.layout, fx, visit_share)
        # row_draws returns new arrays (concatenated): kg is changed in place, not copied.
        km = km_draws[:, 0].copy()
        car = self.car
        shares = (0.0, 0.0) if scenario is None else _mode_shares(scenario)
        kept = 1.0 - (shares[0] + shares[1])
        car_count, car_km, car_km_draws = count[car], km[car], km_draws[car]
        parts_count, parts_km, parts_kg = [count], [km], [kg]
        for mode, share in zip(SHIFT_MODES, shares, strict=True):
            ef = np.asarray(fx[f"ef_{mode.value}"], dtype=float)[self.layout.place[car]]
            parts_count.append(car_count * share)
            parts_km.append(car_km * share)
            parts_kg.append(car_km_draws * share * ef)
        count[car] = car_count * kept
        km[car] = car_km * kept
        kg[car] *= kept
        present = np.concatenate(
            [np.ones(len(count), dtype=bool), *(np.full(len(car), s > 0) for s in shares)]
        )
        return _Flows(
            np.concatenate(parts_count),
            np.concatenate(parts_km),
            np.concatenate(parts_kg),
            present,
            self.grouping,
        )

    def grouped(self, flows: _Flows, settings: simulation.Settings) -> pd.DataFrame:
        """Result rows: the flows summed per result group (groups that exist only), kg with
        the draws' interval per group."""
        n_groups = len(self.groups)
        present = np.bincount(self.codes[flows.present], minlength=n_groups) > 0
        kg = flows.group_kg
        low, high = _interval(kg, settings, axis=1)
        # One float block joined to the keys: a column-by-column assign costs several times more.
        sums = np.column_stack(
            [
                np.bincount(self.codes, weights=flows.count, minlength=n_groups),
                np.bincount(self.codes, weights=flows.km, minlength=n_groups),
                kg[:, 0],
                low,
                high,
            ]
        )
        values = pd.DataFrame(sums, columns=VALUE_COLUMNS)
        return pd.concat([self.groups, values], axis=1)[present].reset_index(drop=True)


# The activities whose change apply() accounts for: trips avoided and home energy added.
_BALANCED = (Activity.COMMUTE, Activity.HOMEOFFICE, Activity.IN_PERSON)


def _mode_shares(scenario: Scenario) -> tuple[float, float]:
    return (scenario.car_to_pt_share, scenario.car_to_bike_share)


@dataclass(frozen=True, eq=False)
class _Base:
    """Everything about one base year that no lever changes."""

    cells: model.Cells  # the base year's
    rows: _Rows
    fx: dict[str, np.ndarray]  # (places, 1 + draws): central, then the draws
    visit_share: np.ndarray  # (visit rows, 1 + draws)
    rebound_share: np.ndarray  # (1 + draws,)
    pair_code: np.ndarray  # each client cell's (office, group) pair
    pairs: list[tuple[str, str]]
    flows: _Flows
    result_rows: pd.DataFrame
    country: str  # main_country of the cube
    settings: simulation.Settings


@functools.lru_cache(maxsize=8)
def _prepare(cube: model.Cube, factors: FactorSet, year: int) -> _Base:
    base = base_cube(cube, year)
    if base.clients.empty and base.staff.empty and base.trips.empty:
        loaded = ", ".join(str(y) for y in cube.years) or "none"
        raise ScenarioError(f"no data for the base year {year} (loaded years: {loaded})")
    settings = simulation.Settings.load()
    rows = _Rows.of(model.row_layout(base, factors))
    layout = rows.layout
    draws = simulation.Draws(factors, settings.scenario_draws, settings.seed)
    central = model.factor_columns(factors, layout.places, "central")
    drawn = model.factor_columns(factors, layout.places, "central", value_of=draws.value)
    fx = {key: np.column_stack([central[key], drawn[key]]) for key in central}
    visit_share = np.column_stack(
        [layout.visit_share, model.visit_share_draws(layout, factors, draws)]
    )
    country = main_country(cube)
    rebound = np.concatenate(
        [
            [factors.value("rebound_share", country, year)],
            draws.value("rebound_share", country, year),
        ]
    )
    cells = model.Cells.of(base)
    flows = rows.evaluate(cells, fx, visit_share, None)
    pair_code, pairs = pd.MultiIndex.from_frame(base.clients[["office_id", "group"]]).factorize()
    return _Base(
        cells,
        rows,
        fx,
        visit_share,
        rebound,
        pair_code,
        list(pairs),
        flows,
        rows.grouped(flows, settings),
        country,
        settings,
    )


# -- the levers ----------------------------------------------------------------------------------


def _shift_channels(base: _Base, scenario: Scenario) -> model.Columns:
    clients = base.cells.clients
    if not (scenario.channels.total or scenario.office_channels or scenario.group_channels):
        return clients
    per_pair = np.array(
        [[s.video, s.phone, s.online] for s in (scenario.shift_for(o, g) for o, g in base.pairs)]
    ).reshape(-1, 3)
    moved = per_pair[base.pair_code]
    kept = 1.0 - (moved[:, 0] + moved[:, 1] + moved[:, 2])
    visits = clients["in_person"]
    return {
        **clients,
        "in_person": visits * kept,
        "video": clients["video"] + visits * moved[:, 0],
        "phone": clients["phone"] + visits * moved[:, 1],
        "online": clients["online"] + visits * moved[:, 2],
        "geo_km_visits": clients["geo_km_visits"] * kept,
        "given_km_visits": clients["given_km_visits"] * kept,
    }


def _shift_homeoffice(
    staff: model.Columns, scenario: Scenario, days_per_week: float
) -> model.Columns:
    if scenario.homeoffice_days_per_week is None:
        return staff
    home_share = scenario.homeoffice_eligible_share * min(
        scenario.homeoffice_days_per_week / days_per_week, 1.0
    )
    all_days = staff["office_days"] + staff["homeoffice_days"]
    office_share = np.where(all_days > 0, 1.0 - home_share, 0.0)
    return {
        **staff,
        "office_days": all_days * office_share,
        "homeoffice_days": all_days * (1.0 - office_share) * (all_days > 0),
        "geo_km_office_days": staff["geo_km_all_days"] * office_share,
        "given_km_office_days": staff["given_km_all_days"] * office_share,
    }


def _overridden(fx: dict[str, np.ndarray], overrides: dict[str, float]) -> dict[str, np.ndarray]:
    """The factor columns with some values replaced; the draws follow by the rule that moves
    a factor's bounds (factors.rescaled), as FactorSet.with_overrides would."""
    if not overrides:
        return fx
    changed = dict(fx)
    for key, new in overrides.items():
        changed[key] = rescaled(fx[key][:, :1], new, fx[key])
    changed.update(model.car_factor_columns(changed))
    return changed


# -- apply -------------------------------------------------------------------------------------


def apply(
    cube: model.Cube, factors: FactorSet, scenario: Scenario, *, draws: bool = True
) -> ScenarioResult:
    """Base year as it was vs base year under the scenario.

    draws=False: the central values alone, about a hundredth of the work, for figures shown
    before the simulation is done; every interval is then the central value itself."""
    base = _prepare(cube, factors, scenario.base_year)
    columns = slice(None) if draws else slice(0, 1)
    days_per_week = working_days_per_week(factors)
    changed = replace(
        base.cells,
        clients=_shift_channels(base, scenario),
        staff=_shift_homeoffice(base.cells.staff, scenario, days_per_week),
    )
    overrides = scenario.factor_overrides()
    fx = {key: values[:, columns] for key, values in _overridden(base.fx, overrides).items()}
    visit_share = base.visit_share[:, columns]
    before = base.flows if draws else base.flows.central()
    now = base.rows.evaluate(changed, fx, visit_share, scenario)
    # The same factors and mode shift without the behaviour levers: what the trips avoided
    # by channels and home office would have emitted (the base year itself when the levers
    # change neither factors nor modes).
    if not overrides and _mode_shares(scenario) == (0.0, 0.0):
        unchanged = before
    elif changed.clients is base.cells.clients and changed.staff is base.cells.staff:
        unchanged = now  # no behaviour lever moved: the same cells, factors and modes
    else:
        unchanged = base.rows.evaluate(base.cells, fx, visit_share, scenario)
    saved = before.kg.sum(axis=0) - now.kg.sum(axis=0)
    was, is_now = base.rows.activity_kg(unchanged), base.rows.activity_kg(now)
    commute_saved = was[Activity.COMMUTE] - is_now[Activity.COMMUTE]
    energy_added = is_now[Activity.HOMEOFFICE] - was[Activity.HOMEOFFICE]
    trips_avoided = commute_saved + was[Activity.IN_PERSON] - is_now[Activity.IN_PERSON]
    net_of_rebound = saved - base.rebound_share[columns] * trips_avoided

    activity, mode = base.rows.activity, base.rows.mode
    visit = activity == Activity.IN_PERSON.value
    car_visit = visit & (mode == Mode.CAR.value)
    after = now
    km_saved = float(before.km[visit].sum() - after.km[visit].sum())
    car_km_saved = float(before.km[car_visit].sum() - after.km[car_visit].sum())
    country, year = base.country, scenario.base_year
    low, high = _interval(saved, base.settings)
    return ScenarioResult(
        scenario=scenario,
        # The cached frame stays as it is.
        base_rows=(
            base.result_rows.copy(deep=False) if draws else base.rows.grouped(before, base.settings)
        ),
        scenario_rows=base.rows.grouped(now, base.settings),
        saved_kg=float(saved[0]),
        saved_kg_range=(float(low), float(high)),
        saved_net_of_rebound_kg=float(net_of_rebound[0]),
        trips_avoided_kg=float(trips_avoided[0]),
        visits_avoided=float(before.count[visit].sum() - after.count[visit].sum()),
        client_km_saved=km_saved,
        client_hours_saved=km_saved / factors.value("door_to_door_speed_km_per_h", country, year),
        client_money_saved_eur=car_km_saved
        * factors.value("mileage_allowance_eur_per_km", country, year),
        homeoffice_commute_saved_kg=float(commute_saved[0]),
        homeoffice_energy_added_kg=float(energy_added[0]),
    )


def working_days_per_week(factors: FactorSet) -> float:
    return factors.value("working_days_per_year") / factors.value("working_weeks_per_year")


def homeoffice_days_per_week(cube: model.Cube, factors: FactorSet, year: int) -> float:
    """The base year's home-office days per week, averaged over all staff working days."""
    staff = _prepare(cube, factors, year).cells.staff
    home_days = float(np.sum(staff["homeoffice_days"]))
    all_days = home_days + float(np.sum(staff["office_days"]))
    return home_days / all_days * working_days_per_week(factors) if all_days else 0.0


def main_country(cube: model.Cube) -> str:
    """The country most offices are in: its allowance and speed value the clients' savings."""
    countries = cube.offices["country"]
    return str(countries.mode().iloc[0]) if len(countries) else ""
