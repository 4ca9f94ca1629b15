"""Unit conversions, named once (codecarbon's habit: no bare `/ 1000` scattered through pages)."""

from __future__ import annotations

import pandas as pd

KG_PER_T = 1000.0
M_PER_KM = 1000.0
# One degree of latitude on WGS-84 at 45° (110.57 km at the equator, 111.69 at the poles):
# enough for how large a map's cell is said to be, to a tenth of a km in Central Europe.
KM_PER_DEGREE_LATITUDE = 111.13


def tonnes(kg: float) -> float:
    """kg to t."""
    return kg / KG_PER_T


TONNES_DECIMALS = 1  # how many decimals of a tonne a figure shows (calc.locale.tonnes)


def shows_as_no_change(kg: float, decimals: int = TONNES_DECIMALS) -> bool:
    """Whether kg, written in t to `decimals`, reads as zero (0.04 t is "0.0 t"): then a text
    says "no change" instead of naming a direction that the figure does not show."""
    return round(tonnes(kg), decimals) == 0


MINUS = "\N{MINUS SIGN}"  # one minus sign in every number shown, never the hyphen


def with_tonnes(frame: pd.DataFrame, decimals: int | None = None) -> pd.DataFrame:
    """The frame with each kg column (kg_co2e, kg_co2e_low, …) as t (t_co2e, t_co2e_low, …)
    in its place, rounded to `decimals` if given: a table, its chart and its download then
    show the same numbers."""
    renamed = {c: "t" + c.removeprefix("kg") for c in frame.columns if c.startswith("kg_co2e")}
    tonnes_of = frame[list(renamed)] / KG_PER_T
    if decimals is not None:
        tonnes_of = tonnes_of.round(decimals)
    return frame.assign(**tonnes_of).rename(columns=renamed)
