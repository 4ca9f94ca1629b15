"""Method & factors: the formulas in plain words with the values they use, and the factor set.

Every number shown comes from the active factor set (ui.compute.factors()) and calc's own
functions. Edits in the table are validated with FactorSet.from_frame and then stored in the
session, where ui.compute picks them up: every page recomputes with them at once.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import pandas as pd
import streamlit as st

from calc import locale, model, scenario
from calc.factors import STATUSES as STATUS_CODES
from calc.factors import FactorError, FactorSet, rescaled_bounds
from calc.schema import Mode
from ui import compute, filters
from ui import frame as _frame
from ui.i18n import language, number, percent, t

_frame.require()  # first request after a start: rerun through app.py

EDITABLE = ("value", "low", "high")
EDITOR_ROUND_KEY = "method_editor_round"  # session: a new value gives a fresh, unedited editor
REMOTE_CHANNELS: tuple[model.RemoteChannel, ...] = ("video", "phone", "online")
SIGNIFICANT_DIGITS = 4
STATUSES = sorted(STATUS_CODES)
SCOPES = ["WTW", "parameter", "comparison"]  # data/factors/README.md, column scope
GRAMS_PER_KG = 1000.0  # a remote contact emits grams: 2.8 g reads better than 0.0028 kg


def factor_number(value: float) -> str:
    """A factor with up to four significant digits and no trailing zeros, per language."""
    if value == 0 or not math.isfinite(value):
        return number(value, 0)
    decimals = max(0, SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(abs(value))))
    text = number(value, decimals)
    separator = number(0.5, 1)[1]  # "." or ","
    return text.rstrip("0").rstrip(separator) if separator in text else text


def mode_label(mode: str) -> str:
    return t(f"mode.{mode}")


def with_overridden_bounds(active: pd.DataFrame, edited: pd.DataFrame) -> pd.DataFrame:
    """The edited table, where a row whose value alone changed gets its bounds moved with it
    by calc.factors.rescaled_bounds (the rule of `--set`). Bounds the user edited are kept."""
    value_changed = edited["value"].ne(active["value"])
    bounds_kept = edited["low"].eq(active["low"]) & edited["high"].eq(active["high"])
    rescale = value_changed & bounds_kept & edited["value"].notna()
    low, high = rescaled_bounds(active["value"], edited["value"], active["low"], active["high"])

    def shown(bound: np.ndarray) -> pd.Series:
        # Rounded to 12 significant digits: 0.33, not 0.32999999999999996, in the table.
        return pd.Series(bound, index=edited.index).map(
            lambda x: float(f"{x:.12g}"), na_action="ignore"
        )

    return edited.assign(
        low=edited["low"].mask(rescale, shown(low)),
        high=edited["high"].mask(rescale, shown(high)),
    )


class NotANumberError(ValueError):
    """A cell of the factor editor whose text is no number in the session's language."""

    def __init__(self, row: object, column: str, text: str) -> None:
        super().__init__(f"row {row}, column {column!r}: {text!r}")
        self.row, self.column, self.text = row, column, text


def as_text(table: pd.DataFrame, columns: tuple[str, ...] = (*EDITABLE, "default")) -> pd.DataFrame:
    """The factor table with its numbers as text in the session's language ("0,005905" in
    German, every decimal kept), as the grid shows them and a person types them."""
    lang = language()
    return table.assign(
        **{
            column: table[column].map(lambda value: locale.exact(value, lang))
            for column in columns
            if column in table.columns
        }
    )


def from_text(table: pd.DataFrame, shown: pd.DataFrame, edited: pd.DataFrame) -> pd.DataFrame:
    """The edited grid as numbers: a cell whose text was changed is read in the session's
    language (NotANumberError if it is none); an untouched cell keeps its exact value."""
    lang = language()
    numbers = {}
    for column in EDITABLE:
        values = []
        for row, before, old, new in zip(
            table.index, table[column], shown[column], edited[column], strict=True
        ):
            if new == old:
                values.append(before)
                continue
            text = "" if new is None or pd.isna(new) else str(new)
            try:
                values.append(locale.parse_number(text, lang))
            except ValueError:
                raise NotANumberError(row, column, text) from None
        numbers[column] = pd.Series(values, index=table.index, dtype="float64")
    return edited.assign(**numbers)


def reset_factors() -> None:
    st.session_state.pop(compute.FACTORS_KEY, None)
    st.session_state[EDITOR_ROUND_KEY] = st.session_state.get(EDITOR_ROUND_KEY, 0) + 1


# -- the formulas --------------------------------------------------------------------------------


def place_factors(factors: FactorSet, country: str, year: int) -> pd.DataFrame:
    """The model's factor row (with the composite kg per pkm of every mode) for one place."""
    place = pd.DataFrame({"country": [country], "year": [year]})
    return model.factor_table(factors, place, "central")


def show_formulas(factors: FactorSet, fx: pd.DataFrame, country: str, year: int) -> None:
    row = fx.iloc[0]
    grid = row["grid_kg_per_kwh"]
    simulation = compute.simulation_settings()

    def value(key: str) -> str:
        return factor_number(factors.value(key, country, year))

    sections = [
        ("distance", {"detour": value("detour_factor")}),
        ("visit", {"country": country}),
        (
            "car",
            {
                "ev_share": value("ev_share"),
                "ice": value("ef_car_ice_kg_per_vkm"),
                "ev_kwh": value("ev_energy_kwh_per_vkm"),
                "grid": factor_number(grid),
                "occupancy": value("car_occupancy"),
                "ef_car": factor_number(row["ef_car"]),
            },
        ),
        (
            "remote",
            {"grid": factor_number(grid)}
            | {
                f"{channel}_{unit}": factor_number(value)
                for channel in REMOTE_CHANNELS
                for unit, value in (
                    ("kwh", row[f"energy_{channel}_kwh_per_contact"]),
                    ("g", model.remote_kg_per_contact(row, channel) * GRAMS_PER_KG),
                )
            },
        ),
        (
            "staff",
            {
                "heat_kwh": value("homeoffice_heating_kwh_per_day"),
                "heat_ef": value("ef_heating_kg_per_kwh"),
                "power_kwh": value("homeoffice_electricity_kwh_per_day"),
                "grid": factor_number(grid),
                "homeoffice_kg": factor_number(model.homeoffice_kg_per_day(fx).iloc[0]),
                "days": value("working_days_per_year"),
                "weeks": value("working_weeks_per_year"),
            },
        ),
        ("trips", {"plane_detour": value("plane_detour_km")}),
        (
            "compare",
            {"rebound": percent(factors.value("rebound_share", country, year))}
            | {
                channel: value(model.SUBSTITUTION_KEY.format(channel=channel))
                for channel in REMOTE_CHANNELS
            },
        ),
        (
            "plain",
            {
                "allowance": value("mileage_allowance_eur_per_km"),
                "speed": value("door_to_door_speed_km_per_h"),
                "tree": value("tree_uptake_kg_per_year"),
                "flight": value("flight_vie_lhr_return_kg"),
                "budget": value("budget_per_capita_kg_per_year"),
            },
        ),
        ("range", {"draws": number(simulation.draws), "seed": str(simulation.seed)}),
    ]
    for name, values in sections:
        with st.container(border=True):
            st.markdown(f"**{t(f'method.{name}.title')}**")
            st.markdown(t(f"method.{name}.body", **values))
            if name == "visit":
                show_mode_split(factors, country)


def show_mode_split(factors: FactorSet, country: str) -> None:
    split = factors.mode_split(country)
    split["band"] = [
        t("method.split.band", low=number(lo), high=number(hi))
        for lo, hi in zip(split["band_lo_km"], split["band_hi_km"], strict=True)
    ]
    wide = split.pivot_table(index="band", columns="mode", values="share", sort=False)
    shown = wide.map(percent).rename(columns=mode_label).rename_axis(t("method.split.distance"))
    st.dataframe(shown, alt=t("method.split.alt", country=country))


def show_break_even(factors: FactorSet, fx: pd.DataFrame, country: str, year: int) -> None:
    st.header(t("method.breakeven.title"))
    st.markdown(t("method.breakeven.body", country=country, year=year))
    by_channel = {c: model.break_even_km(factors, country, year, c) for c in REMOTE_CHANNELS}
    km_by_channel: dict[str, list[str]] = {
        channel: [
            factor_number(km) if math.isfinite(km) else t("method.breakeven.never")
            for km in (by_channel[channel][m.value] for m in Mode)
        ]
        for channel in REMOTE_CHANNELS
    }
    frame = pd.DataFrame(
        {
            "mode": [mode_label(m.value) for m in Mode],
            "kg_per_pkm": [factor_number(fx.iloc[0][f"ef_{m.value}"]) for m in Mode],
            **km_by_channel,
        }
    )
    right: Literal["right"] = "right"
    km_columns: dict[str, Any] = {
        channel: st.column_config.TextColumn(
            t("method.breakeven.km", channel=t(f"activity.{channel}")), alignment=right
        )
        for channel in REMOTE_CHANNELS
    }
    st.dataframe(
        frame,
        hide_index=True,
        column_config={
            "mode": st.column_config.TextColumn(t("method.breakeven.mode"), pinned=True),
            "kg_per_pkm": st.column_config.TextColumn(
                t("method.breakeven.kg_per_pkm"), alignment=right
            ),
            **km_columns,
        },
        alt=t("method.breakeven.alt"),
    )


# -- the factor table ----------------------------------------------------------------------------


def show_headline_sources(factors: FactorSet, year: int) -> None:
    """Every factor the figures of the current year rest on, with status and source."""
    st.header(t("method.headline.title"))
    st.markdown(t("method.headline.body", country=country, year=year))
    used = model.factors_used(model.of_years(compute.cube(), [year]), factors)
    st.dataframe(
        pd.DataFrame(
            {
                "key": used["key"],
                "value": used["value"].map(factor_number),
                "unit": used["unit"],
                "status": used["status"],  # codes, shown in words by factor_columns()
                "source": used["source"],
            }
        ),
        hide_index=True,
        column_config=factor_columns(),
    )


def show_factor_table(active: FactorSet, default: FactorSet) -> None:
    st.header(t("method.factors.title"))
    st.markdown(t("method.factors.body"))
    table = active.table
    # Numbered from 1, as the validation messages count rows.
    table.index = pd.RangeIndex(1, len(table) + 1)
    changes = active.changes_from(default)
    if changes.empty:
        st.caption(t("method.factors.active_default"))
    else:
        st.info(t("method.factors.active_edited", count=len(changes)), icon=":material/edit:")
        st.dataframe(
            as_text(changes),
            hide_index=True,
            column_config=factor_columns()
            | {"default": st.column_config.TextColumn(t("method.col.default"), alignment="right")},
            placeholder=t("method.col.any"),
            alt=t("method.factors.changes_alt"),
        )
    editor_round = st.session_state.get(EDITOR_ROUND_KEY, 0)
    # Value and bounds as text in the session's language: a German grid reads and takes
    # "0,005905" (Streamlit's number columns follow the browser's locale instead).
    shown = as_text(table)
    edited = st.data_editor(
        shown,
        key=f"method_factors_{editor_round}",
        disabled=[c for c in table.columns if c not in EDITABLE],
        column_config=factor_columns(),
        num_rows="fixed",
        placeholder=t("method.col.any"),
        alt=t("method.factors.alt"),
    )
    with st.container(horizontal=True):
        st.download_button(
            t("method.factors.download"),
            data=active.to_csv_bytes(),
            file_name="wegbilanz-factors.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
        )
        st.button(
            t("method.factors.reset"),
            icon=":material/restart_alt:",
            on_click=reset_factors,
            disabled=changes.empty,
            key="method_reset",
        )
    apply_edit(table, shown, edited, active)


def apply_edit(
    table: pd.DataFrame, shown: pd.DataFrame, edited_text: pd.DataFrame, active: FactorSet
) -> None:
    """Validate an edit; if it holds, make it the session's factor set and rerun every figure.
    `shown` is the grid as drawn (as_text of table), `edited_text` as the user left it."""
    if edited_text[list(EDITABLE)].equals(shown[list(EDITABLE)]):
        return
    try:
        edited = from_text(table, shown, edited_text)
    except NotANumberError as error:
        st.error(
            t(
                "method.factors.invalid_body",
                message=t(
                    "method.factors.not_a_number",
                    row=error.row,
                    column=t(f"method.col.{error.column}"),
                    value=error.text,
                    **locale.examples(language()),
                ),
            ),
            title=t("method.factors.invalid_title"),
            icon=":material/error:",
        )
        return
    candidate = with_overridden_bounds(table, edited).reset_index(drop=True)
    try:
        checked = FactorSet.from_frame(candidate, "edited")
    except FactorError as error:
        st.error(
            t("method.factors.invalid_body", message=error),
            title=t("method.factors.invalid_title"),
            icon=":material/error:",
        )
        return
    if checked.fingerprint() != active.fingerprint():
        st.session_state[compute.FACTORS_KEY] = checked.table
        st.rerun()  # the formulas above were drawn with the factors before this edit


def coded_text(area: str, code: object) -> str:
    """The words for a code of the factor table (the code itself if the catalogue has none)."""
    key = f"{area}.{code}"
    return t(key) if locale.has(key) else str(code)


def factor_columns() -> dict[str, Any]:
    text = st.column_config.TextColumn
    return {
        "key": text(t("method.col.key"), pinned=True),
        # Numbers as text in the session's language (as_text), right-aligned as numbers are.
        **{column: text(t(f"method.col.{column}"), alignment="right") for column in EDITABLE},
        "unit": text(t("method.col.unit")),
        "country": text(t("method.col.country"), help=t("method.col.country_help")),
        "year": st.column_config.NumberColumn(
            t("method.col.year"), format="%d", help=t("method.col.year_help")
        ),
        # Codes in the data, words on screen (the editor keeps the codes it returns).
        "scope": st.column_config.SelectboxColumn(
            t("method.col.scope"),
            options=SCOPES,
            format_func=lambda code: coded_text("method.scope", code),
            disabled=True,
        ),
        "status": st.column_config.SelectboxColumn(
            t("method.col.status"),
            help=t("method.col.status_help"),
            options=STATUSES,
            format_func=lambda code: coded_text("method.status", code),
            disabled=True,
        ),
        "source": text(t("method.col.source"), width="large"),
        "note": text(t("method.col.note"), width="large"),
    }


# -- the page ------------------------------------------------------------------------------------

factors = compute.factors()
country = scenario.main_country(compute.cube())
year = filters.current_year()

st.title(t("method.title"))
st.markdown(t("method.intro", country=country, year=year))
fx = place_factors(factors, country, year)
show_formulas(factors, fx, country, year)
show_break_even(factors, fx, country, year)
# The cached shipped set: a page switch must not re-read the factor file.
show_headline_sources(factors, year)
show_factor_table(factors, compute.default_factors())
