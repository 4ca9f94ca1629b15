"""Empty input templates with column help, and the demo data set as a download.

Everything is generated from `calc.schema.TABLES`, so a column added to the data contract shows
up in the templates and their help without touching this module. Texts are English; a caller
that speaks another language passes `translate(key, english)` and gets its own words in the help
(calc itself never holds translated text). Keys: `table.<table>`, `column.<table>.<column>`,
`format.<kind>`, `heading.<name>` and `yes`.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from calc import demo, locale
from calc.schema import TABLES, Channel, Column, Mode, TableSpec

Translate = Callable[[str, str], str]

HELP_SHEET = "help"  # not a table name: the loader skips it (with a warning)
README_NAME = "README.txt"
CSV_ENCODING = "utf-8-sig"  # the BOM makes Excel read umlauts right; the loader strips it
HELP_COLUMNS: tuple[str, ...] = ("table", "column", "required", "default", "format", "help")

# What a cell of each kind must look like (the loader's rules in words).
FORMATS: dict[str, str] = {
    "text": "text",
    "int": "a whole number ≥ 0",
    "float": "a number (decimal point or comma)",
    "year": "a year, e.g. 2022",
    "date": "a date like 2022-03-31 or 31.03.2022",
    "country": "two letters, e.g. AT",
    "mode": "one of " + ", ".join(m.value for m in Mode),
    "channel": "one of " + ", ".join(c.value for c in Channel),
}

README_INTRO: tuple[tuple[str, str], ...] = (
    ("intro.needed", "Fill in offices and at least one of clients, contacts or staff."),
    (
        "intro.location",
        "A location is lat + lon, or a postcode (from postcodes.csv), or a place name (offline "
        "gazetteer); its country comes from the row or the office.",
    ),
    ("intro.legend", "* = required; (= x) = used when the cell is empty."),
)


def _english(_key: str, english: str) -> str:
    return english


def in_language(lang: str) -> Translate:
    """The help in `lang` from the catalogues (calc/locales/data.csv, keys `data.tpl.<key>`);
    a column without a text of its own takes the generic text of its name
    (`data.tpl.column.<column>`), and a text the catalogue lacks stays English."""

    def translate(key: str, english: str) -> str:
        keys = [f"data.tpl.{key}"]
        if key.startswith("column."):
            keys.append(f"data.tpl.column.{key.rsplit('.', 1)[1]}")
        for catalogue_key in keys:
            if locale.has(catalogue_key):
                return locale.text(catalogue_key, lang)
        return english

    return translate


def column_help(translate: Translate = _english) -> pd.DataFrame:
    """One row per table (its purpose; `column` empty) followed by one row per column of it.

    Columns: table, column, required (bool), default, format, help.
    """
    rows: list[dict[str, object]] = []
    for spec in TABLES.values():
        rows.append(
            {
                "table": spec.name,
                "column": "",
                "required": False,
                "default": "",
                "format": "",
                "help": translate(f"table.{spec.name}", spec.help),
            }
        )
        rows += [
            {
                "table": spec.name,
                "column": column.name,
                "required": column.required,
                "default": column.default or "",
                "format": translate(f"format.{column.kind}", FORMATS[column.kind]),
                "help": _column_text(spec, column, translate),
            }
            for column in spec.columns
        ]
    return pd.DataFrame(rows, columns=list(HELP_COLUMNS))


def _printable_help(translate: Translate) -> pd.DataFrame:
    """column_help for a file: headings in the reader's language, required as a word."""
    frame = column_help(translate)
    yes = translate("yes", "yes")
    frame["required"] = frame["required"].map({True: yes, False: ""})
    return frame.rename(columns={c: translate(f"heading.{c}", c) for c in HELP_COLUMNS})


def _column_text(spec: TableSpec, column: Column, translate: Translate) -> str:
    # An empty English help stays empty: the name and format say enough (e.g. year).
    if not column.help:
        return ""
    return translate(f"column.{spec.name}.{column.name}", column.help)


def template_csv(table: str) -> bytes:
    """The header row of one table: every column of the data contract, no data rows."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(c.name for c in TABLES[table].columns)
    return buffer.getvalue().encode(CSV_ENCODING)


def template_zip(translate: Translate = _english) -> bytes:
    """One empty CSV per table and a README.txt with the column help."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES:
            archive.writestr(f"{table}.csv", template_csv(table))
        archive.writestr(README_NAME, _readme(translate))
    return buffer.getvalue()


def _readme(translate: Translate) -> str:
    lines = [translate(key, english) for key, english in README_INTRO]
    for row in column_help(translate).itertuples(index=False):
        if not row.column:
            lines += ["", f"{row.table}.csv: {row.help}"]
            continue
        name = (
            row.column
            + (" *" if row.required else "")
            + (f" (= {row.default})" if row.default else "")
        )
        meaning = " — ".join(part for part in (row.help, row.format) if part)
        lines.append(f"  {name:<28} {meaning}")
    return "\n".join(lines) + "\n"


def template_workbook(translate: Translate = _english) -> bytes:
    """An .xlsx with an empty sheet per table (help as header comments) and a help sheet."""
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for spec in TABLES.values():
        sheet = book.create_sheet(spec.name)
        for index, column in enumerate(spec.columns, start=1):
            cell = sheet.cell(row=1, column=index, value=column.name)
            fmt = translate(f"format.{column.kind}", FORMATS[column.kind])
            note = "\n".join(part for part in (_column_text(spec, column, translate), fmt) if part)
            cell.comment = Comment(note, "Wegbilanz")
            if column.required:
                cell.font = bold  # required columns stand out
            sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column.name) + 4)
        sheet.freeze_panes = "A2"
    help_sheet = book.create_sheet(HELP_SHEET)
    help_frame = _printable_help(translate)
    help_sheet.append(list(help_frame.columns))
    for cell in help_sheet[1]:
        cell.font = bold
    for row in help_frame.itertuples(index=False):
        help_sheet.append(list(row))
        if not row[1]:  # a table's own row
            help_sheet.cell(row=help_sheet.max_row, column=1).font = bold
    for letter, width in zip("ABCDEF", (12, 18, 10, 10, 40, 70), strict=True):
        help_sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def demo_zip() -> bytes:
    """The demo data set (same seed, same files) as a zip of CSV files in the contract format."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="wegbilanz-demo-") as folder:
        paths = demo.generate(Path(folder))
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in paths.values():
                archive.write(path, path.name)
    return buffer.getvalue()
