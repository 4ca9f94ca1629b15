"""Excel workbooks that read well and cannot run anything: one writer for every .xlsx export.

- Every text cell is written as text (openpyxl data type 's'), and a text that begins with `=`,
  `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe, as OWASP recommends
  against formula (CSV) injection: an action titled `=HYPERLINK(...)` or an office id `=2+3`
  stays a harmless string in every spreadsheet program.
- Numbers carry number formats by kind (tonnes with one decimal, percent, whole numbers, dates),
  so Excel shows them in the reader's own separators; empty values (None, NaN, NaT) are empty
  cells, never the words.
- Headers are bold and frozen, columns as wide as their content (within bounds), long text
  wrapped.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

# OWASP "CSV Injection": cells starting with these are read as formulas by spreadsheets.
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
MAX_SHEET_TITLE = 31  # Excel's limit
MIN_WIDTH, MAX_WIDTH = 8, 60


class Kind(StrEnum):
    """How a column's cells are formatted."""

    TEXT = "text"
    INTEGER = "integer"  # counts: 1,234
    YEAR = "year"  # 2019, never 2,019
    TONNES = "tonnes"  # t CO2e with one decimal
    NUMBER = "number"  # two decimals
    DECIMAL = "decimal"  # as many digits as the value has (factors: 0.000412, 0.171)
    PERCENT = "percent"  # a share 0.61 shown as 61.0 %
    DATE = "date"
    DATETIME = "datetime"


NUMBER_FORMATS: dict[Kind, str] = {
    Kind.INTEGER: "#,##0",
    Kind.YEAR: "0",
    Kind.TONNES: "#,##0.0",
    Kind.NUMBER: "#,##0.00",
    Kind.PERCENT: "0.0%",
    Kind.DECIMAL: "General",
}
# Dates as the language writes them (Excel has no locale-neutral short date code).
DATE_FORMATS: dict[str, str] = {"de": "DD.MM.YYYY", "nl": "DD-MM-YYYY", "en": "YYYY-MM-DD"}


@dataclass(frozen=True)
class Sheet:
    """A table to write: `kinds` maps a column of `table` to its Kind (text if not named)."""

    title: str
    table: pd.DataFrame
    kinds: Mapping[str, Kind] = field(default_factory=dict)


def neutralise(text: str) -> str:
    """A text that no spreadsheet reads as a formula: a leading apostrophe before =, +, -, @,
    tab or carriage return (OWASP)."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def is_empty(value: object) -> bool:
    """None, NaN, NaT, pd.NA: what must be an empty cell (and never the word)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(pd.isna(value))  # numpy NaN/NaT scalars
    except (TypeError, ValueError):
        return False


def _value(value: object, kind: Kind) -> object:
    if is_empty(value):
        return None
    if kind in (Kind.DATE, Kind.DATETIME):
        stamp = pd.Timestamp(value)
        return stamp.date() if kind == Kind.DATE else stamp.to_pydatetime()
    if kind == Kind.TEXT:
        return str(value)
    if isinstance(value, (int, float)) or hasattr(value, "item"):
        number = value.item() if hasattr(value, "item") else value
        if isinstance(number, (int, float)) and not isinstance(number, bool):
            return int(number) if kind in (Kind.INTEGER, Kind.YEAR) else float(number)
    return str(value)  # a non-number in a number column stays readable, as text


def _write(cell: Cell, value: object, kind: Kind, lang: str) -> int:
    """Put one value into a cell with its format; returns its shown width in characters."""
    if value == "":
        value = None  # an empty text is an empty cell
    if isinstance(value, str):
        cell.value = neutralise(value)
        cell.data_type = "s"  # never a formula, whatever the text
        return max((len(line) for line in str(cell.value).splitlines()), default=0)
    cell.value = value
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        cell.number_format = DATE_FORMATS.get(lang, DATE_FORMATS["en"]) + " hh:mm"
        return 16
    if isinstance(value, dt.date):
        cell.number_format = DATE_FORMATS.get(lang, DATE_FORMATS["en"])
        return 10
    cell.number_format = NUMBER_FORMATS.get(kind, NUMBER_FORMATS[Kind.NUMBER])
    digits = len(f"{abs(float(value)):,.1f}") + 1  # type: ignore[arg-type]
    return digits + (2 if kind == Kind.PERCENT else 0)


def workbook(sheets: Sequence[Sheet], lang: str = "en") -> bytes:
    """The workbook as bytes: one sheet per table, headers bold and frozen."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for sheet_spec in sheets:
        title = _sheet_title(sheet_spec.title, used)
        sheet = book.create_sheet(title=title)
        table = sheet_spec.table
        columns = list(table.columns)
        widths = []
        for index, column in enumerate(columns, start=1):
            header = sheet.cell(row=1, column=index)
            _write(header, str(column), Kind.TEXT, lang)
            header.font = Font(bold=True)
            header.alignment = Alignment(vertical="top", wrap_text=True)
            widths.append(len(str(column)))
        for row_number, record in enumerate(table.itertuples(index=False), start=2):
            for index, (column, raw) in enumerate(zip(columns, record, strict=True), start=1):
                kind = sheet_spec.kinds.get(column, Kind.TEXT)
                cell = sheet.cell(row=row_number, column=index)
                shown = _write(cell, _value(raw, kind), kind, lang)
                widths[index - 1] = max(widths[index - 1], shown)
                if kind == Kind.TEXT:
                    cell.alignment = Alignment(
                        horizontal="left", vertical="top", wrap_text=shown > MAX_WIDTH
                    )
        sheet.freeze_panes = "A2"
        for index, width in enumerate(widths, start=1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str, used: set[str]) -> str:
    """A valid, unique sheet title: no []:*?/\\ and at most 31 characters."""
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip() or "Sheet"
    clean = clean[:MAX_SHEET_TITLE]
    candidate, number = clean, 2
    while candidate.lower() in used:
        suffix = f" ({number})"
        candidate = clean[: MAX_SHEET_TITLE - len(suffix)] + suffix
        number += 1
    used.add(candidate.lower())
    return candidate
