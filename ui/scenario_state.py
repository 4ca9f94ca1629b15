"""The scenario page's widget state <-> calc.scenario.Scenario.

Every lever is a keyed widget bound to the URL, so its key is also the URL parameter name:
short, stable English words. Shares are whole percent on screen and in the URL. This module
turns that state into a Scenario, keeps shares that belong together within 100 % while the user
drags, and writes a saved scenario back into the widgets.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import streamlit as st

from calc.factors import FactorSet
from calc.scenario import ChannelShift, Scenario

BASE = "base"
CHANNELS = ("video", "phone", "online")  # the overall shares' keys are the channel names
OWN = "own"  # per office or client group: a toggle for own channel shares
HOME = "home"
HOME_DAYS = "home_days"
HOME_SHARE = "home_share"
TO_PT = "to_pt"
TO_BIKE = "to_bike"
FLEET = "fleet"


@dataclass(frozen=True)
class Assumption:
    """A fleet or grid slider: the factor it overrides and the slider's scale and range."""

    factor: str
    scale: float  # slider units per factor unit
    low: float
    high: float
    step: float
    decimals: int  # shown on the slider, in the session's language
    as_percent: bool = False  # a percent of 0..100


ASSUMPTIONS = {
    "ev": Assumption("ev_share", 100.0, 0.0, 100.0, 0.5, 1, as_percent=True),
    "grid": Assumption("grid_kg_per_kwh", 1.0, 0.0, 1.0, 0.005, 3),
    "detour": Assumption("detour_factor", 1.0, 1.0, 2.0, 0.05, 2),
    "occupancy": Assumption("car_occupancy", 1.0, 1.0, 3.0, 0.05, 2),
}
HOME_DAYS_DEFAULT = 2.0
HOME_DAYS_STEP = 0.5
HOME_SHARE_DEFAULT = 100
_DRAWN_DEFAULTS = "scenarios_drawn_defaults"  # session: assumption defaults last drawn


@dataclass(frozen=True)
class Context:
    """What the levers need to know about the data: its years, offices, groups and defaults."""

    years: tuple[int, ...]
    offices: tuple[str, ...]
    groups: tuple[str, ...]
    defaults: Mapping[str, float]  # assumption slider key -> the factor set's value, in its unit
    days_per_week: float  # working days: the home-office slider's end


def key_for(lever: str, office: str | None = None, group: str | None = None) -> str:
    """The key of a lever overall, for one office or for one client group, e.g. video.office.X.

    Ids, not display names: a link must work in every language the app speaks.
    """
    if office is not None:
        return f"{lever}.office.{office}"
    if group is not None:
        return f"{lever}.group.{group}"
    return lever


def assumption_defaults(factors: FactorSet, country: str, year: int) -> dict[str, float]:
    """The factor set's fleet and grid values for a country and year, in slider units."""
    return {
        key: factors.value(lever.factor, country, year) * lever.scale
        for key, lever in ASSUMPTIONS.items()
    }


def base_year(years: Sequence[int]) -> int:
    """The chosen base year (the latest loaded one until the user picks another)."""
    chosen = st.session_state.get(BASE)
    if chosen is not None and chosen in years:
        return int(chosen)
    return int(years[-1])


def remember_defaults(defaults: Mapping[str, float]) -> None:
    """Note the assumption defaults the sliders were drawn with (see base_year_changed)."""
    st.session_state[_DRAWN_DEFAULTS] = dict(defaults)


def base_year_changed() -> None:
    """Assumption sliders still at the old year's defaults follow the new year's defaults."""
    drawn = st.session_state.get(_DRAWN_DEFAULTS, {})
    for key, value in drawn.items():
        if key in st.session_state and math.isclose(st.session_state[key], value):
            del st.session_state[key]


def cap_shares(keys: Sequence[str], changed: str) -> None:
    """on_change of a share slider: shrink the set's other shares to keep it within 100 %."""
    values = {key: int(st.session_state.get(key, 0)) for key in keys}
    for key, value in capped_percents(values, changed).items():
        if value != values[key]:
            st.session_state[key] = value


def capped_percents(values: Mapping[str, int], changed: str) -> dict[str, int]:
    """Whole percents of one set with `changed` kept and the others scaled down to fit 100."""
    room = 100 - values[changed]
    rest = sum(value for key, value in values.items() if key != changed)
    if rest <= room:
        return dict(values)
    # Rounded down, so the set can never end up a rounding step above 100 %.
    return {
        key: value if key == changed else math.floor(value * room / rest)
        for key, value in values.items()
    }


def _percent(share: float) -> int:
    return math.floor(share * 100 + 1e-6)


def _shares(keys: Sequence[str]) -> tuple[list[float], bool]:
    """The shares (0..1) of a set of percent sliders, scaled down if a URL asked for > 100 %."""
    percents = [float(st.session_state.get(key, 0)) for key in keys]
    total = sum(percents)
    scale = 100 / total if total > 100 else 1.0
    return [p * scale / 100 for p in percents], total > 100


def scenario(context: Context) -> tuple[Scenario, bool]:
    """The scenario the widgets show, and whether shares had to be scaled down to 100 %."""
    state = st.session_state
    year = base_year(context.years)
    scaled = False

    def shift(keys: Sequence[str]) -> ChannelShift:
        nonlocal scaled
        shares, over = _shares(keys)
        scaled = scaled or over
        return ChannelShift(*shares)

    office_channels = tuple(
        (office, shift([key_for(c, office=office) for c in CHANNELS]))
        for office in context.offices
        if state.get(key_for(OWN, office=office))
    )
    group_channels = tuple(
        (group, shift([key_for(c, group=group) for c in CHANNELS]))
        for group in context.groups
        if state.get(key_for(OWN, group=group))
    )
    (to_pt, to_bike), over = _shares([TO_PT, TO_BIKE])
    home = bool(state.get(HOME))
    overrides = {}
    if state.get(FLEET):
        for key, lever in ASSUMPTIONS.items():
            value = float(state.get(key, context.defaults[key]))
            # A slider left at the factor set's value changes nothing (and so keeps each
            # country's and year's own value where the data has several).
            if not math.isclose(value, context.defaults[key], rel_tol=1e-9):
                overrides[lever.factor] = value / lever.scale
    built = Scenario(
        base_year=year,
        channels=shift(list(CHANNELS)),
        office_channels=office_channels,
        group_channels=group_channels,
        homeoffice_days_per_week=float(state.get(HOME_DAYS, HOME_DAYS_DEFAULT)) if home else None,
        homeoffice_eligible_share=(
            float(state.get(HOME_SHARE, HOME_SHARE_DEFAULT)) / 100 if home else 1.0
        ),
        car_to_pt_share=to_pt,
        car_to_bike_share=to_bike,
        **overrides,
    )
    return built, scaled or over


def show(loaded: Scenario, context: Context) -> list[str]:
    """Put a scenario into the widgets (call from a callback, before they are drawn).

    context.defaults must be those of the scenario's base year. Shares are shown in whole
    percent, so a file with finer shares loads rounded down. Returns the keys of levers whose
    value lay outside its slider and was set to the slider's nearest end.
    """
    state = st.session_state
    state[BASE] = loaded.base_year
    for channel in CHANNELS:
        state[channel] = _percent(getattr(loaded.channels, channel))
    own = {
        "office": (dict(loaded.office_channels), context.offices),
        "group": (dict(loaded.group_channels), context.groups),
    }
    for kind, (table, known) in own.items():
        for name in known:
            where = {kind: name}
            state[key_for(OWN, **where)] = name in table
            for channel in CHANNELS:
                share = getattr(table[name], channel) if name in table else 0.0
                state[key_for(channel, **where)] = _percent(share)
    state[HOME] = loaded.homeoffice_days_per_week is not None
    clamped = []

    def within(key: str, value: float, low: float, high: float) -> float:
        if not low <= value <= high:
            clamped.append(key)
        return min(max(value, low), high)

    days = loaded.homeoffice_days_per_week
    state[HOME_DAYS] = (
        HOME_DAYS_DEFAULT if days is None else within(HOME_DAYS, days, 0.0, context.days_per_week)
    )
    state[HOME_SHARE] = _percent(loaded.homeoffice_eligible_share)
    state[TO_PT] = _percent(loaded.car_to_pt_share)
    state[TO_BIKE] = _percent(loaded.car_to_bike_share)
    overrides = loaded.factor_overrides()
    state[FLEET] = bool(overrides)
    for key, lever in ASSUMPTIONS.items():
        if lever.factor in overrides:
            value = overrides[lever.factor] * lever.scale
            state[key] = within(key, value, lever.low, lever.high)
        else:
            state[key] = context.defaults[key]
    remember_defaults(context.defaults)
    return clamped
