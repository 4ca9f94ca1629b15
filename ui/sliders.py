"""Sliders whose values read the way the chosen language writes them, with plain numbers in
the URL.

st.slider writes its value with a printf pattern in the browser, so a slider with decimals
shows "2.5" on a German page. A slider whose value has decimals is therefore a
st.select_slider over its steps, labelled by calc.locale ("2,5"; "12,5 %"). Streamlit's own URL
binding of a select slider would put that label into the link ("home_days=2,5"), which a page in
another language cannot read back; so the value is bound to the URL here, as a plain number
("home_days=2.5"), the way bind="query-params" does it: read when the slider is drawn without a
value in the session, written while it differs from its default, removed when it is back at
it. Whole percents need no decimal separator: they stay st.slider, with the language's percent
pattern ("30 %" in German, "30%" in English and Dutch).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import streamlit as st

from calc import locale
from ui.i18n import language

DIGITS = 10  # steps are rounded to this many decimals: 0.3, not 0.30000000000000004
MORE_DECIMALS = 4  # a value between two steps is labelled with up to this many more decimals


def percent_pattern() -> str:
    """The printf pattern of a whole percent in the session's language, for the `format` of
    st.slider or a NumberColumn: "%d %%" in German (with a no-break space), "%d%%" in English
    and Dutch."""
    sample = locale.percent(0.42, language())
    return sample.replace("%", "%%").replace("42", "%d")


def steps(low: float, high: float, step: float) -> list[float]:
    """low, low + step, …, high (rounded, so that 0.3 is 0.3)."""
    count = round((high - low) / step)
    return [round(low + i * step, DIGITS) for i in range(count + 1)]


def from_url(text: str | None) -> float | None:
    """A number from a link ("2.5", "30.0"), or None for anything else."""
    try:
        value = float(text) if text is not None else math.nan
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def plain(value: float) -> str:
    """A number as a link holds it, in every language: "2.5", "30", "0.15"."""
    return f"{value:.{DIGITS}f}".rstrip("0").rstrip(".") or "0"


def _on_a_step(value: float, grid: Sequence[float]) -> float:
    """The step value is (within rounding), else value itself."""
    for option in grid:
        if math.isclose(option, value, rel_tol=1e-9, abs_tol=1e-12):
            return option
    return value


def labels(
    options: Sequence[float], text: Callable[[float, int], str], decimals: int
) -> dict[float, str]:
    """Each option's label with `decimals` decimals; a value between two steps gets more
    decimals where it would otherwise read like a step (the slider needs distinct labels)."""
    shown = {option: text(option, decimals) for option in options}
    counts: dict[str, int] = {}
    for label in shown.values():
        counts[label] = counts.get(label, 0) + 1
    for option, label in list(shown.items()):
        extra = 0
        while counts[label] > 1 and extra < MORE_DECIMALS:
            extra += 1
            counts[label] -= 1
            label = text(option, decimals + extra)
            counts[label] = counts.get(label, 0) + 1
        shown[option] = label
    return shown


def number_slider(
    label: str,
    *,
    key: str,
    low: float,
    high: float,
    step: float,
    default: float,
    decimals: int,
    as_percent: bool = False,
    help: str | None = None,
) -> float:
    """A slider from low to high in steps of step, its value written in the session's language
    with `decimals` decimals (a percent of 0..100 with `as_percent`), kept in session state
    under `key` as a plain float and bound to the URL parameter `key` as a plain number.

    The factor set's default or a loaded value between two steps is one more stop, so that it
    is shown (and kept) exactly.
    """
    lang = language()
    grid = steps(low, high, step)
    state = st.session_state
    if key not in state:
        linked = from_url(st.query_params.get(key))
        state[key] = linked if linked is not None and low <= linked <= high else default
    snapped = _on_a_step(float(state[key]), grid)
    if snapped != state[key]:
        state[key] = snapped
    extra = {_on_a_step(value, grid) for value in (default, state[key]) if low <= value <= high}
    options = sorted({*grid, *extra})

    def text(value: float, places: int) -> str:
        if as_percent:
            return locale.percent(value / 100, lang, places)
        return locale.number(value, lang, places)

    shown = labels(options, text, decimals)
    value = float(
        st.select_slider(
            label,
            options=options,
            format_func=lambda option: shown.get(option) or text(option, decimals),
            key=key,
            help=help,
        )
    )
    if math.isclose(value, default, rel_tol=1e-9, abs_tol=1e-12):
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != plain(value):
        st.query_params[key] = plain(value)
    return value
