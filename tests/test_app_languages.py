"""Every page in German and in Dutch shows no English text.

Each page is rendered by AppTest in English, German and Dutch on the demo data, and every text a
person can see is collected: headings, Markdown, captions, alerts, labels, help texts, options,
button texts, metric labels and values, table headers and cells, and the titles, labels and data
strings of every chart. A German or Dutch text that is also a text of the English rendering is
English that reached the page, unless it is data (office names, scenario names, factor keys,
units and sources), a number, or a text the catalogue itself writes the same in both languages
("Video", "Online").
"""

from __future__ import annotations

import base64
import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from calc import locale, model, store
from calc.factors import FactorSet
from calc.schema import DEFAULT_CLIENT_GROUP, TABLES
from tests.conftest import APP_FILE, APP_TIMEOUT_S
from ui import tables

# Every page app.py registers (a page added later is checked too).
PAGES = tuple(re.findall(r'\("pages/(\w+)\.py", "\w+"', APP_FILE.read_text(encoding="utf-8")))
PRESENTER_SLIDES = 8
GAZETTEER = Path(__file__).resolve().parent.parent / "data" / "gazetteer.csv"
# Proto fields that hold identifiers, not text a person reads.
NOT_TEXT = {
    *("id", "form_id", "key", "query_param_key", "icon", "type", "url", "src", "mimetype"),
    *("theme", "shortcut", "columns", "editing_mode"),
}
# Encoding channels that draw no text: stacking order, grouping, links, offsets.
UNSEEN_CHANNELS = {"order", "detail", "key", "href", "xOffset", "yOffset", "x2", "y2"}
ICON = re.compile(r":material/[a-z_]+:")
TAG = re.compile(r"<style>.*?</style>|<[^>]+>", re.DOTALL)
WORD = re.compile(r"[A-Za-zÄÖÜäöüß]{3,}")
ENUM = re.compile(r"[A-Z][A-Z0-9_]*")  # proto enum values (ALIGN_CENTER), not text
# The language selector speaks every language on purpose.
EVERY_LANGUAGE = {":material/translate: Sprache · Language · Taal", *locale.LANGUAGES.values()}


def _strings(value: object, field: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for name, inner in value.items():
            if name in NOT_TEXT or name.endswith("_id"):
                continue
            if name == "spec" and isinstance(inner, str):
                yield from _chart_strings(json.loads(inner))
            elif name == "datasets" or (name == "data" and "spec" in value):
                continue  # a chart's data: read with its encoded fields in shown_texts
            elif name in {"data", "arrow_data"}:
                yield from _arrow_strings(inner, value.get("columns"))
            elif name == "body":
                yield TAG.sub(" ", str(inner))  # st.html: its text, not its markup
            else:
                yield from _strings(inner, name)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner, field)
    elif isinstance(value, str):
        yield value


def _arrow_strings(data: object, columns: object = None) -> Iterator[str]:
    """A table's headers (the label its column config gives, else the column's name) and its
    text cells; the index and hidden columns are not shown."""
    raw = data.get("data") if isinstance(data, dict) else data
    if not isinstance(raw, str):
        return
    try:
        table = pa.ipc.open_stream(base64.b64decode(raw)).read_all()
    except (pa.ArrowInvalid, ValueError):
        return
    config = json.loads(columns) if isinstance(columns, str) and columns else {}
    for name in table.column_names:
        column = config.get(name, {}) if isinstance(config, dict) else {}
        if name.startswith("__index_level") or column.get("hidden"):
            continue
        yield str(column.get("label") or name)
        # A selectbox column shows its options' labels (format_func), not the codes it holds.
        options = (column.get("type_config") or {}).get("options") or []
        labels = {o["value"]: o["label"] for o in options if isinstance(o, dict) and "label" in o}
        yield from (labels.get(v, v) for v in table[name].to_pylist() if isinstance(v, str))


def _chart_strings(spec: object, key: str = "") -> Iterator[str]:
    """The texts of a Vega-Lite spec a person reads: titles and text values."""
    if isinstance(spec, dict):
        for name, inner in spec.items():
            if name in {"datasets", "config"}:
                continue  # data is read with its encoded fields; config holds no text
            yield from _chart_strings(inner, name)
    elif isinstance(spec, list):
        for inner in spec:
            yield from _chart_strings(inner, key)
    elif isinstance(spec, str) and key in {"title", "text", "subtitle", "description"}:
        yield spec


def _encoded_fields(spec: object) -> set[str]:
    """The data fields a chart shows: those its encodings name (axes, colours, texts, tips)."""
    fields: set[str] = set()
    if isinstance(spec, dict):
        encoding = spec.get("encoding")
        if isinstance(encoding, dict):
            for name, channel in encoding.items():
                if name in UNSEEN_CHANNELS:
                    continue
                for item in channel if isinstance(channel, list) else [channel]:
                    axis = item.get("axis") if isinstance(item, dict) else None
                    hidden = isinstance(item, dict) and (
                        ("legend" in item and item["legend"] is None)
                        or ("axis" in item and axis is None)
                        or (isinstance(axis, dict) and "labelExpr" in axis)  # labels of its own
                    )
                    if isinstance(item, dict) and isinstance(item.get("field"), str) and not hidden:
                        fields.add(item["field"].split(":")[0])
        for inner in spec.values():
            fields |= _encoded_fields(inner)
    elif isinstance(spec, list):
        for inner in spec:
            fields |= _encoded_fields(inner)
    return fields


def shown_texts(at: AppTest) -> set[str]:
    """Every text of the rendered app (main area and sidebar), one string per text."""
    texts: set[str] = set()

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "DESCRIPTOR"):
            as_dict = MessageToDict(proto, preserving_proto_field_name=True)
            texts.update(s.strip() for s in _strings(as_dict) if s.strip())
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    for chart in at.get("vega_lite_chart"):
        shown = _encoded_fields(json.loads(chart.proto.spec))
        datasets = [dataset.data.data for dataset in chart.proto.datasets]
        for data in [chart.proto.data.data, *datasets]:
            if not data:
                continue
            table = pa.ipc.open_stream(data).read_all()
            for name in set(table.column_names) & shown:
                texts.update(v for v in table[name].to_pylist() if isinstance(v, str))
    return texts


def open_page(slug: str, lang: str, slide: int | None = None) -> AppTest:
    at = AppTest.from_file(str(APP_FILE), default_timeout=APP_TIMEOUT_S)
    at.query_params["lang"] = lang
    if slide is not None:
        at.query_params["slide"] = str(slide)
    at.run()
    at.switch_page(f"pages/{slug}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def data_texts(demo_db: Path) -> set[str]:
    """Texts that are data, the same in every language: office names, trip destinations, place
    names, factor keys, units, sources, notes and countries of the factor set, and the names of
    the data files and their columns."""
    con = store.connect(demo_db)
    factors = FactorSet.load("default")
    cube = model.load_cube(con, factors)
    # Business-trip destinations are places as the data names them ("Wien").
    destinations = {
        row[0] for row in con.execute("SELECT DISTINCT destination FROM trips").fetchall()
    }
    con.close()
    table = factors.table
    names = set(cube.offices["name"]) | set(cube.offices["office_id"]) | destinations
    # The file and column names of the data format: what a file must be called and carry.
    names |= set(TABLES) | {column.name for spec in TABLES.values() for column in spec.columns}
    names.add(DEFAULT_CLIENT_GROUP)
    # Place names of the shipped gazetteer: the map labels towns by their own names.
    with GAZETTEER.open(encoding="utf-8", newline="") as handle:
        names |= {
            row["name"] for row in csv.DictReader(handle)
        }  # the group a client row without one belongs to: a code
    for column in ("key", "unit", "source", "note", "country"):
        names |= {str(v) for v in table[column].dropna()}
    return names


def same_in_catalogue(lang: str) -> set[str]:
    """Texts the catalogue writes the same in English and in `lang` (with their placeholders
    as a pattern would be too loose: only whole texts without placeholders)."""
    return {
        entry["en"]
        for entry in locale.catalogue().values()
        if entry["en"] == entry[lang] and "{" not in entry["en"]
    }


def english_leaks(english: set[str], other: set[str], allowed: set[str]) -> list[str]:
    return sorted(
        text
        for text in other & english
        if WORD.search(ICON.sub("", text))
        and not ENUM.fullmatch(text)
        and text not in allowed | EVERY_LANGUAGE
        and not _only_data(text, allowed)
    )


def _only_data(text: str, allowed: set[str]) -> bool:
    """A text made of allowed data texts and numbers only ("AMS Villach (VIL)")."""
    rest = ICON.sub(" ", text.replace("\\", ""))  # Markdown escapes of a name are the name
    for data in sorted(allowed, key=len, reverse=True):
        if len(data) > 2 and data in rest:
            rest = rest.replace(data, " ")
    return WORD.search(rest) is None


def renderings(slug: str, lang: str) -> set[str]:
    if slug != "presenter":
        return shown_texts(open_page(slug, lang))
    texts: set[str] = set()
    for slide in range(1, PRESENTER_SLIDES + 1):
        texts |= shown_texts(open_page(slug, lang, slide))
    return texts


@pytest.mark.parametrize("slug", PAGES)
def test_no_english_on_a_german_or_dutch_page(app_db: Path, data_texts: set[str], slug: str):
    english = renderings(slug, "en")
    leaks = {}
    for lang in ("de", "nl"):
        allowed = data_texts | same_in_catalogue(lang)
        leaks[lang] = english_leaks(english, renderings(slug, lang), allowed)
    assert leaks == {"de": [], "nl": []}


def raw_decimals(at: AppTest) -> list[str]:
    """Tables (and editors) whose decimal numbers reach the browser as numbers: Streamlit writes
    them by the browser's locale (or with a decimal point), not by the chosen language."""
    found = []
    for frame in at.dataframe:  # an editor too: it shows what a person types over
        shown = frame.value
        for name in shown.columns:
            if pd.api.types.is_float_dtype(shown[name]) and shown[name].notna().any():
                found.append(str(name))
    return found


# A number as a cell writes it: digits with separators, maybe a sign and a unit ("1.234,5 t").
NUMBER_CELL = re.compile(r"[−+-]?\d[\d.,]*(?: ?(?:%|t|km|m|kg|€|g))?")
# A point that is no German group separator: followed by other than exactly three digits.
DECIMAL_POINT = re.compile(r"\d\.(?:\d{1,2}|\d{4,})(?!\d)")
YEARS = {*tables.YEAR_COLUMNS, locale.text("chart.year", "de")}


def raw_counts(at: AppTest) -> list[str]:
    """Tables whose whole numbers of four digits or more reach the browser as numbers:
    Streamlit writes them without a group separator ("10813", not "10.813")."""
    found = []
    for frame in at.dataframe:
        shown = frame.value
        for name in shown.columns:
            column = shown[name]
            if (
                pd.api.types.is_integer_dtype(column)
                and not pd.api.types.is_bool_dtype(column)
                and str(name) not in YEARS
                and column.abs().max() >= 1000
            ):
                found.append(str(name))
    return found


def decimal_points(at: AppTest) -> list[str]:
    """Number cells of the tables (editable ones too) written with a decimal point, in German
    where a comma is expected ("2.5" instead of "2,5")."""
    found = []
    for frame in at.dataframe:  # st.data_editor too
        shown = frame.value
        for name in shown.columns:
            if not pd.api.types.is_object_dtype(shown[name]) and not pd.api.types.is_string_dtype(
                shown[name]
            ):
                continue
            found += [
                f"{name}: {cell}"
                for cell in shown[name].dropna().astype(str)
                if NUMBER_CELL.fullmatch(cell) and DECIMAL_POINT.search(cell)
            ]
    return found


@pytest.mark.parametrize("slug", PAGES)
def test_tables_write_decimals_in_the_chosen_language(app_db: Path, slug: str):
    at = open_page(slug, "de")
    assert raw_decimals(at) == []
    assert raw_counts(at) == []
    assert decimal_points(at) == []
