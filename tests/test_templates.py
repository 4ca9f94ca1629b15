"""Templates: every contract column is in every template, and a filled-in template loads."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from calc import demo, loaders, store, templates
from calc.schema import TABLES

# One filled-in row per table, by column name; every other cell stays empty.
FILLED: dict[str, list[dict[str, str]]] = {
    "offices": [
        {"office_id": "KLU", "name": "AMS Klagenfurt", "country": "AT", "place": "Klagenfurt"},
        {
            "office_id": "VIL",
            "name": "AMS Villach",
            "country": "AT",
            "lat": "46.61",
            "lon": "13.85",
        },
    ],
    "clients": [
        {
            "year": "2022",
            "client_id": "anna",
            "office_id": "KLU",
            "place": "Villach",
            "in_person": "3",
            "video": "2",
        },
        {
            "year": "2022",
            "client_id": "ben",
            "office_id": "VIL",
            "in_person": "1",
            "mode": "Bahn",
            "distance_km": "12,5",
        },
    ],
    "staff": [
        {
            "year": "2022",
            "staff_id": "s1",
            "office_id": "KLU",
            "place": "Feldkirchen in Kärnten",
            "mode": "car",
            "office_days": "150",
            "homeoffice_days": "60",
        },
    ],
    "trips": [
        {"year": "2022", "office_id": "KLU", "destination": "VIL", "mode": "rail", "trips": "4"},
    ],
}
EXPECTED_ROWS = {"offices": 2, "clients": 2, "staff": 1, "trips": 1, "postcodes": 0}


def csv_header(content: bytes) -> list[str]:
    return next(csv.reader(io.StringIO(content.decode(templates.CSV_ENCODING))))


@pytest.fixture
def con():
    connection = store.connect(":memory:")
    yield connection
    connection.close()


@pytest.mark.parametrize("table", list(TABLES))
def test_csv_template_has_every_contract_column_and_no_rows(table):
    content = templates.template_csv(table)
    lines = content.decode(templates.CSV_ENCODING).splitlines()
    assert csv_header(content) == [c.name for c in TABLES[table].columns]
    assert len(lines) == 1


def test_template_zip_holds_one_csv_per_table_and_a_readme_naming_every_column():
    archive = zipfile.ZipFile(io.BytesIO(templates.template_zip()))
    assert sorted(archive.namelist()) == sorted(
        [f"{table}.csv" for table in TABLES] + [templates.README_NAME]
    )
    readme = archive.read(templates.README_NAME).decode("utf-8")
    for table, spec in TABLES.items():
        assert csv_header(archive.read(f"{table}.csv")) == [c.name for c in spec.columns]
        section = readme.split(f"{table}.csv:")[1].split("\n\n")[0]
        for column in spec.columns:
            assert f"  {column.name}" in section, (table, column.name)


def test_workbook_has_a_sheet_per_table_with_every_column_and_a_help_sheet():
    book = load_workbook(io.BytesIO(templates.template_workbook()))
    assert book.sheetnames == [*TABLES, templates.HELP_SHEET]
    for table, spec in TABLES.items():
        header = next(book[table].iter_rows(min_row=1, max_row=1))
        assert [cell.value for cell in header] == [c.name for c in spec.columns]
        assert all(cell.comment is not None for cell in header)  # help on every column
        assert book[table].max_row == 1  # empty: header only
    help_rows = list(book[templates.HELP_SHEET].iter_rows(min_row=2, values_only=True))
    listed = {(table, column) for table, column, *_ in help_rows if column}
    assert listed == {(t, c.name) for t, spec in TABLES.items() for c in spec.columns}


def test_column_help_marks_required_columns_and_defaults_as_the_schema_does():
    help_frame = templates.column_help()
    columns = help_frame[help_frame["column"] != ""]
    for row in columns.itertuples(index=False):
        column = TABLES[row.table].column(row.column)
        assert row.required == column.required
        assert row.default == (column.default or "")
        assert row.format == templates.FORMATS[column.kind]


def test_translate_hook_replaces_every_text_but_leaves_empty_help_empty():
    def shout(key: str, english: str) -> str:
        return f"<{key}>"

    help_frame = templates.column_help(shout)
    tables = help_frame[help_frame["column"] == ""]
    assert list(tables["help"]) == [f"<table.{t}>" for t in TABLES]
    year = help_frame[(help_frame["table"] == "clients") & (help_frame["column"] == "year")]
    assert year["help"].item() == ""  # no English help, nothing to translate
    assert year["format"].item() == "<format.year>"
    in_person = help_frame[
        (help_frame["table"] == "clients") & (help_frame["column"] == "in_person")
    ]
    assert in_person["help"].item() == "<column.clients.in_person>"


def fill_row(spec_columns: list[str], values: dict[str, str]) -> list[str]:
    assert set(values) <= set(spec_columns), "a filled cell must be a template column"
    return [values.get(name, "") for name in spec_columns]


def test_filled_csv_templates_load(con, tmp_path):
    archive = zipfile.ZipFile(io.BytesIO(templates.template_zip()))
    archive.extractall(tmp_path)
    for table, rows in FILLED.items():
        path = tmp_path / f"{table}.csv"
        header = csv_header(path.read_bytes())
        with path.open("a", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(fill_row(header, r) for r in rows)

    report = loaders.load(con, tmp_path)

    assert report.rows == EXPECTED_ROWS
    # The help file is ignored, and the untouched templates (contacts, postcodes) are left out
    # with a warning each: a table with only its header loads nothing.
    assert sorted(w.file for w in report.warnings) == sorted(
        [templates.README_NAME, "contacts.csv", "postcodes.csv"]
    )


def test_filled_workbook_loads(con, tmp_path):
    book = load_workbook(io.BytesIO(templates.template_workbook()))
    for table, rows in FILLED.items():
        header = [cell.value for cell in book[table][1]]
        for values in rows:
            book[table].append(fill_row(header, values))
    path = tmp_path / "wegbilanz.xlsx"
    book.save(path)

    report = loaders.load(con, path)

    assert report.rows == EXPECTED_ROWS
    assert sorted(w.file for w in report.warnings) == sorted(
        f"wegbilanz.xlsx, sheet {sheet}"
        for sheet in (templates.HELP_SHEET, "contacts", "postcodes")
    )


def test_demo_zip_holds_exactly_the_generated_demo_files(tmp_path):
    paths = demo.generate(tmp_path)
    archive = zipfile.ZipFile(io.BytesIO(templates.demo_zip()))
    assert sorted(archive.namelist()) == sorted(p.name for p in paths.values())
    for path in paths.values():
        assert archive.read(path.name) == Path(path).read_bytes()
