"""Reports of a computation: an Excel workbook or a self-contained, printable HTML page."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from calc import comparison, model
from calc.factors import FactorSet
from calc.units import KG_PER_T


class UnsupportedFormatError(ValueError):
    """The requested report format cannot be written here."""


def summary_tables(
    cube: model.Cube, factors: FactorSet, rows: pd.DataFrame, reference: int, current: int
) -> dict[str, pd.DataFrame]:
    """The tables every report shows, keyed by a sheet-friendly title."""
    result = comparison.compare(cube, factors, reference, current)

    def figure(name: str, estimate: comparison.Estimate) -> list[tuple[str, float, str]]:
        return [
            (name, estimate.kg / KG_PER_T, "t CO2e"),
            (f"  {name}, low (5 %)", estimate.low_kg / KG_PER_T, "t CO2e"),
            (f"  {name}, high (95 %)", estimate.high_kg / KG_PER_T, "t CO2e"),
        ]

    summary = pd.DataFrame(
        [
            ("reference year", reference, ""),
            ("current year", current, ""),
            *figure(f"total {reference}", result.reference_kg),
            *figure(f"total {current}", result.current_kg),
            *figure("difference (current − reference)", result.difference_kg),
            *(
                (f"  effect: {comparison.EFFECT_WORDS[name]}", e.kg / KG_PER_T, "t CO2e")
                for name, e in result.decomposition.items()
            ),
            *figure("avoided by digital channels (net)", result.avoided.net),
        ],
        columns=["figure", "value", "unit"],
    )
    by_year = (
        rows.pivot_table(
            index="year", columns="activity", values="kg_co2e", aggfunc="sum", fill_value=0.0
        )
        / 1000
    )
    by_office = (
        rows[rows["year"].isin([reference, current])].pivot_table(
            index="office_id", columns="year", values="kg_co2e", aggfunc="sum", fill_value=0.0
        )
        / 1000
    )
    return {
        "Summary": summary,
        "By year (t)": by_year.reset_index(),
        "By office (t)": by_office.reset_index(),
        "Result rows": rows,
        "Factors used": model.factors_used(cube, factors),
    }


def write(
    path: Path,
    cube: model.Cube,
    factors: FactorSet,
    rows: pd.DataFrame,
    reference: int,
    current: int,
) -> Path:
    """Write the report in the format the file's suffix asks for."""
    tables = summary_tables(cube, factors, rows, reference, current)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        write_xlsx(path, tables)
    elif suffix in {".html", ".htm"}:
        path.write_text(render_html(f"Wegbilanz {reference} → {current}", tables), encoding="utf-8")
    else:
        raise UnsupportedFormatError(
            f"cannot write '{suffix}' reports: use .xlsx or .html (print the HTML page to PDF "
            "from a browser)"
        )
    return path


def write_xlsx(path: Path, tables: dict[str, pd.DataFrame]) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for title, table in tables.items():
            table.to_excel(writer, sheet_name=title[:31], index=False)


def render_html(title: str, tables: dict[str, pd.DataFrame]) -> str:
    """A printable page with system fonts only (no network)."""
    sections = "\n".join(
        f"<h2>{html.escape(name)}</h2>\n"
        + table.to_html(index=False, float_format=lambda v: f"{v:,.2f}", border=0)
        for name, table in tables.items()
    )
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #1b1b1b; }}
table {{ border-collapse: collapse; margin-bottom: 1.5rem; font-size: 0.9rem; }}
th, td {{ padding: 0.25rem 0.6rem; border-bottom: 1px solid #ccc; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
@media print {{ h2 {{ page-break-before: auto; }} }}
</style></head>
<body><h1>{html.escape(title)}</h1>
{sections}
</body></html>
"""
