"""What-if scenarios: arithmetic on the cube of one base year (no SQL, no files, no geocoding).

A scenario changes behaviour (channels, home office, modes) and fleet or grid parameters, then
the same emission functions as the model run on the changed cube. Assumptions are stated where
the cube has lost detail: moved contacts and days are taken evenly across the distances of a
cell, and moved car trips evenly across car trips.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from calc import model
from calc.factors import FactorSet
from calc.schema import Activity, Mode


class ScenarioError(ValueError):
    """A scenario that cannot exist (shares above 100 %, negative values, unknown fields)."""


@dataclass(frozen=True)
class ChannelShift:
    """Shares of in-person contacts moved to each remote channel (together at most 1)."""

    video: float = 0.0
    phone: float = 0.0
    online: float = 0.0

    def __post_init__(self) -> None:
        for name in ("video", "phone", "online"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ScenarioError(f"{name} share must be between 0 and 1")
        if self.total > 1.0 + 1e-9:
            raise ScenarioError("shares moved away from in-person contacts add up to over 100 %")

    @property
    def total(self) -> float:
        return self.video + self.phone + self.online

    def capped(self, **changes: float) -> ChannelShift:
        """A copy with some shares changed, the others reduced so the total stays ≤ 1."""
        values = {**asdict(self), **changes}
        fixed = sum(changes.values())
        free = [k for k in values if k not in changes]
        room = max(0.0, 1.0 - fixed)
        rest = sum(values[k] for k in free)
        if rest > room:
            for key in free:
                values[key] = values[key] * room / rest if rest else 0.0
        return ChannelShift(**values)


@dataclass(frozen=True)
class Scenario:
    """Every lever of a what-if. None means 'as in the base year'."""

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
        for name in ("homeoffice_eligible_share", "car_to_pt_share", "car_to_bike_share"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ScenarioError(f"{name} must be between 0 and 1")
        if self.car_to_pt_share + self.car_to_bike_share > 1.0 + 1e-9:
            raise ScenarioError("car trips moved to public transport and bike exceed 100 %")
        if self.ev_share is not None and not 0.0 <= self.ev_share <= 1.0:
            raise ScenarioError("ev_share must be between 0 and 1")
        for name in (
            "homeoffice_days_per_week",
            "grid_kg_per_kwh",
            "detour_factor",
            "car_occupancy",
        ):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ScenarioError(f"{name} must not be negative")

    def factor_overrides(self) -> dict[str, float]:
        names = ("ev_share", "grid_kg_per_kwh", "detour_factor", "car_occupancy")
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}

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
                values[name] = tuple(
                    (str(k), ChannelShift(**v)) for k, v in sorted(data.get(name, {}).items())
                )
            return cls(**values)
        except TypeError as exc:
            raise ScenarioError(f"malformed scenario: {exc}") from exc

    @classmethod
    def from_json(cls, text: str) -> Scenario:
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as exc:
            raise ScenarioError(f"not a scenario file: {exc}") from exc

    def is_neutral(self) -> bool:
        return self == Scenario(self.base_year)


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    base_rows: pd.DataFrame
    scenario_rows: pd.DataFrame
    saved_kg: float
    saved_kg_range: tuple[float, float]
    saved_net_of_rebound_kg: float
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


def _shift_channels(clients: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    if not (scenario.channels.total or scenario.office_channels or scenario.group_channels):
        return clients
    shifts = [
        scenario.shift_for(o, g)
        for o, g in zip(clients["office_id"], clients["group"], strict=True)
    ]
    moved = {c: np.array([getattr(s, c) for s in shifts]) for c in ("video", "phone", "online")}
    kept = 1.0 - (moved["video"] + moved["phone"] + moved["online"])
    visits = clients["in_person"].to_numpy(dtype=float)
    return clients.assign(
        in_person=visits * kept,
        video=clients["video"] + visits * moved["video"],
        phone=clients["phone"] + visits * moved["phone"],
        online=clients["online"] + visits * moved["online"],
        geo_km_visits=clients["geo_km_visits"] * kept,
        given_km_visits=clients["given_km_visits"] * kept,
    )


def _shift_homeoffice(
    staff: pd.DataFrame, scenario: Scenario, days_per_week: float
) -> pd.DataFrame:
    if scenario.homeoffice_days_per_week is None or staff.empty:
        return staff
    home_share = scenario.homeoffice_eligible_share * min(
        scenario.homeoffice_days_per_week / days_per_week, 1.0
    )
    all_days = staff["office_days"] + staff["homeoffice_days"]
    office_share = np.where(all_days > 0, 1.0 - home_share, 0.0)
    return staff.assign(
        office_days=all_days * office_share,
        homeoffice_days=all_days * (1.0 - office_share) * (all_days > 0),
        geo_km_office_days=staff["geo_km_all_days"] * office_share,
        given_km_office_days=staff["given_km_all_days"] * office_share,
    )


def _shift_modes(rows: pd.DataFrame, scenario: Scenario, fx: pd.DataFrame) -> pd.DataFrame:
    """Move a share of car km (client visits and commutes) to public transport and bike."""
    moves = {Mode.PT: scenario.car_to_pt_share, Mode.BIKE: scenario.car_to_bike_share}
    if not any(moves.values()):
        return rows
    is_car = (rows["mode"] == Mode.CAR.value) & rows["activity"].isin(
        [Activity.IN_PERSON.value, Activity.COMMUTE.value]
    )
    car = rows[is_car]
    kept = 1.0 - sum(moves.values())
    parts = [
        rows[~is_car],
        car.assign(count=car["count"] * kept, km=car["km"] * kept, kg_co2e=car["kg_co2e"] * kept),
    ]
    factors_by_place = car[["country", "year"]].merge(fx, on=["country", "year"], how="left")
    for mode, share in moves.items():
        if share:
            ef = factors_by_place[f"ef_{mode.value}"].to_numpy()
            parts.append(
                car.assign(
                    mode=mode.value,
                    count=car["count"] * share,
                    km=car["km"] * share,
                    kg_co2e=car["km"].to_numpy() * share * ef,
                )
            )
    return pd.concat(parts, ignore_index=True)


def _rows_for(
    cube: model.Cube, factors: FactorSet, scenario: Scenario | None, bound: str
) -> pd.DataFrame:
    """Ungrouped emission rows (with country) for one bound, scenario applied if given."""
    places = pd.concat(
        [
            cube.clients[["country", "year"]],
            cube.staff[["country", "year"]],
            cube.trips[["country", "year"]],
        ]
    )
    fx = model.factor_table(factors, places, bound)
    rows = model.emission_rows(cube, factors, bound, with_country=True)
    if scenario is not None:
        rows = _shift_modes(rows, scenario, fx)
    return rows


def apply(cube: model.Cube, factors: FactorSet, scenario: Scenario) -> ScenarioResult:
    """Base year as it was vs base year under the scenario."""
    base = base_cube(cube, scenario.base_year)
    changed_factors = factors.with_overrides(scenario.factor_overrides())
    days_per_week = factors.value("working_days_per_year") / factors.value("working_weeks_per_year")
    changed = replace(
        base,
        clients=_shift_channels(base.clients, scenario),
        staff=_shift_homeoffice(base.staff, scenario, days_per_week),
    )
    keys = ["year", "office_id", "group", "activity", "mode"]

    def grouped(c: model.Cube, f: FactorSet, s: Scenario | None, bound: str) -> pd.DataFrame:
        return (
            _rows_for(c, f, s, bound)
            .groupby(keys, as_index=False)[["count", "km", "kg_co2e"]]
            .sum()
        )

    base_rows = grouped(base, factors, None, "central")
    new_rows = grouped(changed, changed_factors, scenario, "central")
    saved = {"central": base_rows["kg_co2e"].sum() - new_rows["kg_co2e"].sum()}
    for bound in ("low", "high"):
        saved[bound] = (
            grouped(base, factors, None, bound)["kg_co2e"].sum()
            - grouped(changed, changed_factors, scenario, bound)["kg_co2e"].sum()
        )
    return _summarise(scenario, factors, base_rows, new_rows, saved, main_country(cube))


def _summarise(
    scenario: Scenario,
    factors: FactorSet,
    base_rows: pd.DataFrame,
    new_rows: pd.DataFrame,
    saved: dict[str, float],
    country: str,
) -> ScenarioResult:
    def total(rows: pd.DataFrame, column: str, activity: str, mode: str | None = None) -> float:
        mask = rows["activity"] == activity
        if mode is not None:
            mask &= rows["mode"] == mode
        return float(rows.loc[mask, column].sum())

    visits = Activity.IN_PERSON.value
    km_saved = total(base_rows, "km", visits) - total(new_rows, "km", visits)
    car_km_saved = total(base_rows, "km", visits, Mode.CAR.value) - total(
        new_rows, "km", visits, Mode.CAR.value
    )
    year = scenario.base_year
    commute = Activity.COMMUTE.value
    home = Activity.HOMEOFFICE.value
    rebound = factors.value("rebound_share")
    return ScenarioResult(
        scenario=scenario,
        base_rows=base_rows,
        scenario_rows=new_rows,
        saved_kg=saved["central"],
        saved_kg_range=(min(saved["low"], saved["high"]), max(saved["low"], saved["high"])),
        saved_net_of_rebound_kg=saved["central"] * (1 - rebound),
        visits_avoided=total(base_rows, "count", visits) - total(new_rows, "count", visits),
        client_km_saved=km_saved,
        client_hours_saved=km_saved / factors.value("door_to_door_speed_km_per_h", country, year),
        client_money_saved_eur=car_km_saved
        * factors.value("mileage_allowance_eur_per_km", country, year),
        homeoffice_commute_saved_kg=total(base_rows, "kg_co2e", commute)
        - total(new_rows, "kg_co2e", commute),
        homeoffice_energy_added_kg=total(new_rows, "kg_co2e", home)
        - total(base_rows, "kg_co2e", home),
    )


def main_country(cube: model.Cube) -> str:
    """The country most offices are in: its allowance and speed value the clients' savings."""
    countries = cube.offices["country"]
    return str(countries.mode().iloc[0]) if len(countries) else ""
