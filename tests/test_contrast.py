"""Contrast of the theme (.streamlit/config.toml) and the chart colours against WCAG 2.1 AA:
4.5:1 for text (1.4.3), 3:1 for the parts of a chart that carry meaning (1.4.11).

The ratio is WCAG's: (L1 + 0.05) / (L2 + 0.05) of the relative luminances of the two colours.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from calc import charts

CONFIG = Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml"
THEME = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["theme"]
TEXT_RATIO = 4.5
GRAPHICS_RATIO = 3.0
# Streamlit writes captions and other secondary text in the text colour at 60 % opacity
# (its fadedText60).
CAPTION_OPACITY = 0.6


def rgb(hex_colour: str) -> tuple[float, float, float]:
    code = hex_colour.lstrip("#")
    return tuple(int(code[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def luminance(hex_colour: str) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def blend(hex_colour: str, opacity: float, background: str) -> str:
    mixed = (
        round((opacity * a + (1 - opacity) * b) * 255)
        for a, b in zip(rgb(hex_colour), rgb(background), strict=True)
    )
    return "#" + "".join(f"{c:02X}" for c in mixed)


def test_ratio_is_wcags() -> None:
    # Black on white is 21:1 ((1 + 0.05) / (0 + 0.05)); a colour on itself 1:1
    assert ratio("#000000", "#FFFFFF") == pytest.approx(21.0, rel=1e-9)
    assert ratio("#0B6E4F", "#0B6E4F") == pytest.approx(1.0, rel=1e-9)
    # #767676 on white is the well-known lightest grey that passes 4.5:1 (4.54)
    assert ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)


BACKGROUNDS = {"page": THEME["backgroundColor"], "sidebar": THEME["secondaryBackgroundColor"]}


@pytest.mark.parametrize("where", list(BACKGROUNDS))
@pytest.mark.parametrize(
    "what",
    [
        pytest.param(THEME["textColor"], id="text"),
        pytest.param("caption", id="caption"),
        pytest.param(THEME["linkColor"], id="link"),
        pytest.param(THEME["primaryColor"], id="primary as text"),
        pytest.param(charts.AXIS_TEXT_COLOR, id="chart axis text"),
    ],
)
def test_text_of_the_theme_reads_on_its_backgrounds(what: str, where: str) -> None:
    background = BACKGROUNDS[where]
    colour = blend(THEME["textColor"], CAPTION_OPACITY, background) if what == "caption" else what
    assert ratio(colour, background) >= TEXT_RATIO


def test_white_text_on_a_primary_button() -> None:
    assert ratio("#FFFFFF", THEME["primaryColor"]) >= TEXT_RATIO


@pytest.mark.parametrize(
    "colour",
    [
        pytest.param(charts.INCREASE_COLOR, id="increase"),
        pytest.param(charts.DECREASE_COLOR, id="decrease"),
        pytest.param(charts.TOTAL_COLOR, id="total"),
        pytest.param(charts.OFFICE_COLOR, id="office"),
        pytest.param(THEME["borderColor"], id="widget border"),
    ],
)
def test_meaningful_chart_marks_and_borders_stand_out_from_the_page(colour: str) -> None:
    assert ratio(colour, THEME["backgroundColor"]) >= GRAPHICS_RATIO
