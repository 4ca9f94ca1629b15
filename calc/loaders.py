"""Read, validate, normalise and load a data set into DuckDB, all or nothing.

A CSV file is read once by DuckDB's typed reader, which keeps only typed values, and checked
in one aggregate query. Only a file with something wrong in it (a cell the reader rejects, a check
that fails) is read again as text, like a workbook's sheets (openpyxl), so that every bad cell is
reported with its file, row, column and value instead of failing on the first one. Messages are
catalogue texts (calc/locales/loader.csv) said in the user's language. A load is one
transaction: if any error is found nothing changes.
"""

from __future__ import annotations

import codecs
import csv
import functools
import re
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd

from calc import dataset, geo, locale, pseudonyms, store
from calc.roles import Role, require
from calc.schema import (
    CONTACTS,
    MODE_ALIASES,
    TABLES,
    Channel,
    Column,
    Mode,
    TableSpec,
)

MAX_LISTED_PROBLEMS = 20
EARLIEST_YEAR = 1990
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Amount:
    """A number in a message, written in the reader's language (1,000 / 1.000)."""

    value: float
    decimals: int | None = 0  # None: as many as the value has


@dataclass(frozen=True)
class Message:
    """A text of the catalogues (key `loader.<code>` in calc/locales/loader.csv) with its
    values, so that the Data page can say it in the user's language and the command line in
    English."""

    code: str
    params: tuple[tuple[str, str | Amount | Message], ...] = ()

    def text(self, lang: str | None = None) -> str:
        return locale.text(
            f"loader.{self.code}",
            lang,
            **{name: _in_language(value, lang) for name, value in self.params},
        )


def _in_language(value: str | Amount | Message, lang: str | None) -> str:
    if isinstance(value, Message):
        return value.text(lang)
    if isinstance(value, Amount):
        if value.decimals is None:
            return locale.exact(value.value, lang)
        return locale.number(value.value, lang, value.decimals)
    return value


def say(code: str, **params: str | Amount | Message) -> Message:
    return Message(code, tuple(params.items()))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as possible: the file, its row
    and column, the value found (as written, or a message such as "2,400 MB") and what was
    expected."""

    file: str
    row: int | None
    column: str | None
    value: str | Message | None
    expectation: Message
    severity: Literal["error", "warning"] = "error"

    @property
    def expected(self) -> str:
        return self.expectation.text(locale.FALLBACK)

    def expected_in(self, lang: str | None) -> str:
        return self.expectation.text(lang)

    def value_in(self, lang: str | None) -> str:
        if isinstance(self.value, Message):
            return self.value.text(lang)
        return self.value or ""

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        got = "" if self.value is None else f"got '{self.value_in(locale.FALLBACK)}', "
        return f"{where}: {got}expected {self.expected}"


class LoadError(Exception):
    """The input was rejected; nothing was changed."""

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        self.problems = problems
        self.total = len(problems) if total is None else total
        super().__init__(self.summary())

    def summary(self) -> str:
        lines = [str(p) for p in self.problems[:MAX_LISTED_PROBLEMS]]
        hidden = self.total - len(lines)
        if hidden > 0:
            lines.append(f"… and {hidden} more problem(s)")
        return "\n".join(lines)


@dataclass
class LoadReport:
    rows: dict[str, int]
    warnings: list[Problem] = field(default_factory=list)
    distances_computed: int = 0
    dataset_version: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class _Source:
    table: str
    label: str  # how messages name it: a file name, or "book.xlsx, sheet clients"
    path: Path | None = None
    frame: pd.DataFrame | None = None


@functools.lru_cache(maxsize=16)
def _encoding(path: Path, _size: int, _modified_ns: int) -> str:
    """utf-8 if the whole file decodes as such, else Latin-1 (which decodes anything).

    Cached by path, size and modification time: a load reads a file's header and its rows in
    two statements, and decoding a large file in Python costs as much as DuckDB's scan of it."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return "latin-1"
    return "utf-8"


def _no_progress(_fraction: float, _message: str) -> None:
    return None


def load(
    con: duckdb.DuckDBPyConnection,
    source: str | Path,
    *,
    geocoder: geo.OnlineGeocoder | None = None,
    label: str | None = None,
    progress: Progress = _no_progress,
    salt: str | None = None,
) -> LoadReport:
    """Validate and load a folder of CSV files or one .xlsx into a connection's data tables,
    replacing what they held (an in-memory database, or a new version file: load_version).

    `salt` keys the pseudonyms (calc.pseudonyms); by default the database's own random salt.
    Raises LoadError (with every problem located) and leaves the database as it was.
    """
    started = time.perf_counter()
    sources, warnings = find_sources(Path(source))
    _check_limits(sources, store.Settings.load())
    loader = _Loader(con, sources, geocoder, progress, salt or store.dataset_value(con, "salt"))
    report = loader.run(label or Path(source).name)
    report.warnings = warnings + report.warnings
    report.seconds = time.perf_counter() - started
    return report


def load_files(
    con: duckdb.DuckDBPyConnection,
    files: Mapping[str, bytes],
    *,
    geocoder: geo.OnlineGeocoder | None = None,
    progress: Progress = _no_progress,
) -> LoadReport:
    """Load uploaded files given as {file name: content} into a connection (load)."""
    with tempfile.TemporaryDirectory(prefix="wegbilanz-upload-") as folder:
        for name, content in files.items():
            (Path(folder) / Path(name).name).write_bytes(content)
        return load(con, folder, geocoder=geocoder, label="upload", progress=progress)


def load_version(
    db_path: str | Path,
    source: str | Path,
    *,
    geocoder: geo.OnlineGeocoder | None = None,
    label: str | None = None,
    progress: Progress = _no_progress,
    geocoded: pd.DataFrame | None = None,
    role: Role | None,
) -> LoadReport:
    """Load into a new data version of the store at db_path and switch to it (calc.store).

    The version in use is never touched: the new one is written to a partial file, renamed
    when complete and only then made current; a rejected or killed load leaves the store as it
    was (a killed one leaves a partial file that the next load removes). The caches of the
    version in use are carried over, then cut to the points of the new data set. Pseudonyms are
    keyed with the secret key outside the store (calc.pseudonyms). `geocoded` (answers an
    upload check already got online, calc.dataset.geocoded_places) is not asked again.
    Needs the steward role (RoleError): a load replaces the data for everyone.
    """
    require(role, Role.STEWARD)
    where = store.Store(Path(db_path))
    where.data_dir.mkdir(parents=True, exist_ok=True)
    where.remove_leftovers()
    settings = store.Settings.load()
    salt = pseudonyms.salt(pseudonyms.load_or_create_key())
    partial = where.partial_path(uuid.uuid4().hex[:12])
    con = duckdb.connect(str(partial), config={"memory_limit": f"{settings.load_memory_mb:.0f}MB"})
    try:
        store.create_data_tables(con, gazetteer=False)
        geo.attach_gazetteer(con, where.data_dir / "gazetteer")
        _carry_caches(con, where)
        if geocoded is not None:
            dataset.remember_geocoded(con, geocoded)
        report = load(con, source, geocoder=geocoder, label=label, progress=progress, salt=salt)
        _cut_caches(con)
        loaded_at = store.dataset_value(con, "loaded_at") or ""
        con.execute("CHECKPOINT")
        con.close()
        version = report.dataset_version
        partial.replace(where.version_path(version))
        where.write_label(version, label or Path(source).name, loaded_at)
        where.switch(version, role=role)
        where.prune(settings.keep_versions)
    except BaseException:
        con.close()
        partial.unlink(missing_ok=True)
        Path(f"{partial}.wal").unlink(missing_ok=True)
        raise
    return report


def load_files_version(
    db_path: str | Path,
    files: Mapping[str, bytes],
    *,
    geocoder: geo.OnlineGeocoder | None = None,
    progress: Progress = _no_progress,
    geocoded: pd.DataFrame | None = None,
    role: Role | None,
) -> LoadReport:
    """load_version of uploaded files given as {file name: content} (steward role)."""
    require(role, Role.STEWARD)
    with tempfile.TemporaryDirectory(prefix="wegbilanz-upload-") as folder:
        for name, content in files.items():
            (Path(folder) / Path(name).name).write_bytes(content)
        return load_version(
            db_path,
            folder,
            geocoder=geocoder,
            label="upload",
            progress=progress,
            geocoded=geocoded,
            role=role,
        )


def _carry_caches(con: duckdb.DuckDBPyConnection, where: store.Store) -> None:
    """Copy the caches and the stored postcodes of the version in use into a new version file
    (a load without a postcodes table falls back on the stored ones)."""
    current = where.current()
    if current is None or not where.version_path(current).is_file():
        return
    try:
        con.execute(f"ATTACH {_sql_text(str(where.version_path(current)))} AS carried (READ_ONLY)")
    except duckdb.Error:
        return  # an unreadable version: the new one computes its distances afresh
    try:
        for table in ("distance_cache", "geocode_cache", "postcodes"):
            con.execute(f"INSERT OR IGNORE INTO {table} SELECT * FROM carried.{table}")
    except duckdb.Error:
        pass  # a version without caches (migrated from an old layout)
    finally:
        con.execute("DETACH carried")


def _cut_caches(con: duckdb.DuckDBPyConnection) -> None:
    """Keep no cached point that is not in the data set just loaded: a home point of an
    earlier data set must not outlive it."""
    points = """
        SELECT origin_lat AS lat, origin_lon AS lon FROM clients
        UNION SELECT origin_lat, origin_lon FROM staff
        UNION SELECT lat, lon FROM offices
        UNION SELECT dest_lat, dest_lon FROM trips
    """
    con.execute(
        f"""DELETE FROM distance_cache WHERE
            (from_lat, from_lon) NOT IN (SELECT (lat, lon) FROM ({points}))
            OR (to_lat, to_lon) NOT IN (SELECT (lat, lon) FROM ({points}))"""
    )
    digits = geo.COORD_DECIMALS
    con.execute(
        f"""DELETE FROM geocode_cache WHERE found AND (round(lat, {digits}), round(lon, {digits}))
            NOT IN (SELECT (lat, lon) FROM ({points}))"""
    )


def _check_limits(sources: list[_Source], settings: store.Settings) -> None:
    """Refuse files beyond the limits of data/store.csv before any heavy reading."""
    problems = []
    for src in sources:
        if src.path is None:
            continue
        size_mb = src.path.stat().st_size / 1e6
        if size_mb > settings.max_upload_mb:
            problems.append(
                Problem(
                    src.label,
                    None,
                    None,
                    say("value.megabytes", size=Amount(size_mb)),
                    say("file_size", limit=Amount(settings.max_upload_mb)),
                )
            )
    if problems:
        raise LoadError(problems)


def find_sources(source: Path) -> tuple[list[_Source], list[Problem]]:
    """The tables a folder or workbook provides, and warnings about what is ignored."""
    if not source.exists():
        raise LoadError([Problem(str(source), None, None, None, say("source"))])
    paths = [source] if source.is_file() else sorted(p for p in source.iterdir() if p.is_file())
    sources: list[_Source] = []
    warnings: list[Problem] = []
    for path in paths:
        suffix = path.suffix.lower()
        if suffix in {".xlsx", ".xlsm"}:
            sources += _workbook_sources(path, warnings)
        elif suffix in {".csv", ".txt"} and path.stem.lower() in TABLES:
            sources.append(_Source(path.stem.lower(), path.name, path=path))
        else:
            warnings.append(
                Problem(
                    path.name,
                    None,
                    None,
                    None,
                    say("file_name", names=_table_list()),
                    severity="warning",
                )
            )
    seen: dict[str, str] = {}
    errors = []
    for src in sources:
        if src.table in seen:
            errors.append(
                Problem(
                    src.label,
                    None,
                    None,
                    None,
                    say("one_source", table=src.table, other=seen[src.table]),
                )
            )
        seen[src.table] = src.label
    if "offices" not in seen:
        errors.append(Problem(str(source.name), None, None, None, say("offices_table")))
    if not {"clients", "contacts", "staff"} & seen.keys():
        errors.append(Problem(str(source.name), None, None, None, say("people_table")))
    if errors:
        raise LoadError(errors)
    return sources, warnings


def _table_list() -> str:
    return ", ".join(f"{name}.csv" for name in TABLES)


def _workbook_sources(path: Path, warnings: list[Problem]) -> list[_Source]:
    limits = store.Settings.load()
    try:
        with zipfile.ZipFile(path) as book:
            unpacked_mb = sum(entry.file_size for entry in book.infolist()) / 1e6
    except (zipfile.BadZipFile, OSError) as exc:
        raise LoadError([Problem(path.name, None, None, None, say("workbook"))]) from exc
    if unpacked_mb > limits.max_xlsx_uncompressed_mb:
        raise LoadError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    say("value.unpacked", size=Amount(unpacked_mb)),
                    say("workbook_size", limit=Amount(limits.max_xlsx_uncompressed_mb)),
                )
            ]
        )
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=str, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise LoadError(
            [Problem(path.name, None, None, None, say("workbook_unreadable", detail=str(exc)))]
        ) from exc
    sources = []
    for sheet, frame in sheets.items():
        table = str(sheet).strip().lower()
        label = f"{path.name}, sheet {sheet}"
        if table in TABLES:
            sources.append(_Source(table, label, frame=frame))
        else:
            warnings.append(Problem(label, None, None, None, say("sheet_name"), severity="warning"))
    return sources


def _sql_text(value: str) -> str:
    """A SQL string literal for one of our own constants (never for user input)."""
    return "'" + value.replace("'", "''") + "'"


_MODE_CASE = (
    "CASE lower({c}) "
    + " ".join(f"WHEN {_sql_text(m.value)} THEN {_sql_text(m.value)}" for m in Mode)
    + " "
    + " ".join(f"WHEN {_sql_text(a)} THEN {_sql_text(m.value)}" for a, m in MODE_ALIASES.items())
    + " END"
)
_CHANNELS = ", ".join(_sql_text(c.value) for c in Channel)


NUMERIC_KINDS = frozenset({"int", "year", "float"})
# Numbers are read as DOUBLE, whole-number columns too: DuckDB's BIGINT reader would round
# 1.5 to 2 silently, where the checks must see it (and say "a whole number").
_READER_TYPES = {"int": "DOUBLE", "year": "DOUBLE", "float": "DOUBLE"}
_TYPED = {"int": "BIGINT", "year": "BIGINT", "float": "DOUBLE"}


_CONSTANT_KINDS = NUMERIC_KINDS | {"text"}


def _constant_columns(column: Column) -> str:
    """SQL for a column a file does not have: its default (or NULL) as typed, with the text
    (r_) and number (n_) the checks read, as the typed scan's view shows them."""
    name = column.name
    value = "NULL" if column.default is None else _sql_text(column.default)
    typed = _TYPED.get(column.kind, "DATE" if column.kind == "date" else "VARCHAR")
    parts = [f'CAST({value} AS {typed}) AS "{name}"']
    if column.kind in NUMERIC_KINDS:
        parts += [
            f'CAST({value} AS DOUBLE) AS "r_{name}"',
            f'CAST({value} AS DOUBLE) AS "n_{name}"',
        ]
    elif column.kind != "text":
        parts.append(f'CAST({value} AS VARCHAR) AS "r_{name}"')
    return ", ".join(parts)


def _trim(text: str) -> str:
    """SQL for DuckDB's trim(text), which removes the Unicode space separators (Zs) at either
    end, called only where it can change something: on a cell with a space at an end or with
    any non-ASCII character (every Zs but the space is one). trim() costs about a tenth of a
    microsecond a cell, most of a large load's staging; the guard a fraction of that."""
    return (
        f"CASE WHEN strlen({text}) <> length({text}) OR starts_with({text}, ' ') "
        f"OR ends_with({text}, ' ') THEN trim({text}) ELSE {text} END"
    )


def _trimmed_text(column: Column, original: str | None) -> str:
    """SQL for a column's cell text, trimmed, empty as NULL, its default filled in."""
    default = "NULL" if column.default is None else _sql_text(column.default)
    if original is None:
        return f'CAST({default} AS VARCHAR) AS "{column.name}"'
    cell = _trim(f'"{original}"')
    return f"COALESCE(NULLIF({cell}, ''), {default}) AS \"{column.name}\""


def _number_of(column: Column) -> str:
    """SQL for a trimmed cell's text (_trimmed_text) read as a number (NULL if empty or not a
    number)."""
    return f"TRY_CAST(replace(\"{column.name}\", ',', '.') AS DOUBLE)"


def _parse_expression(column: Column) -> str:
    """SQL that turns the trimmed text of a column (_trimmed_text) into its typed value (NULL
    if empty or bad)."""
    raw = f'"{column.name}"'
    number = _number_of(column)
    match column.kind:
        case "int" | "year":
            return f"TRY_CAST({number} AS BIGINT)"
        case "float":
            return number
        case "country":
            return f"upper({raw})"
        case "mode":
            return _MODE_CASE.format(c=raw)
        case "channel":
            return f"CASE WHEN lower({raw}) IN ({_CHANNELS}) THEN lower({raw}) END"
        case "date":
            return (
                f"COALESCE(TRY_CAST({raw} AS DATE), CAST(TRY_STRPTIME({raw}, '%d.%m.%Y') AS DATE))"
            )
        case _:
            return raw


def _text_of(column: Column) -> str:
    """The column holding a cell's text as written: parsed columns keep it as r_<name>."""
    return f'"{column.name}"' if column.kind == "text" else f'"r_{column.name}"'


# A near miss of the gazetteer names its candidates in the error ("Wolfsburg → Wolfsberg?").
_HINT_JOIN = " LEFT JOIN place_hints h ON h.place = t.place AND h.country = t.loc_country"


# Columns 4 and 5 of a place check: which expectation (0: the hint, 1: the check's own) and
# the hint (_report_rows).
_WITH_HINT = "CASE WHEN h.hint IS NOT NULL THEN 0 ELSE 1 END, h.hint"
_PLACE_HINT = say("place_hint")


PLAUSIBLE_RANGES_PATH = Path(__file__).resolve().parent.parent / "data" / "plausible_ranges.csv"


@functools.cache
def plausible_ranges() -> dict[tuple[str, str], tuple[float, float, str]]:
    """(table, column) -> (min, max, unit) from data/plausible_ranges.csv."""
    with PLAUSIBLE_RANGES_PATH.open(encoding="utf-8", newline="") as handle:
        return {
            (row["table"], row["column"]): (float(row["min"]), float(row["max"]), row["unit"])
            for row in csv.DictReader(handle)
        }


def _cell_checks(table: str, column: Column) -> list[tuple[str, Message]]:
    """(bad-row condition, what was expected) for one column, over raw `r_` and typed values."""
    name = column.name
    # Staging trimmed the text (empty is NULL) and parsed numbers once (n_<name>).
    raw = _text_of(column)
    typed = f'"{name}"'
    checks: list[tuple[str, Message]] = []
    if column.required:
        checks.append((f"{raw} IS NULL", say("required")))
    number = f'"n_{name}"'
    if column.kind in {"int", "year", "float"}:
        checks.append((f"{raw} IS NOT NULL AND {number} IS NULL", say("number")))
        checks.append((f"{number} IS NOT NULL AND NOT isfinite({number})", say("finite")))
    if column.kind == "int":
        checks.append(
            (
                f"{number} IS NOT NULL AND ({number} < 0 OR {number} <> floor({number}))",
                say("whole_number"),
            )
        )
    if column.kind == "year":
        last_year = date.today().year + 1
        checks.append(
            (
                f"{number} IS NOT NULL AND NOT ({number} BETWEEN {EARLIEST_YEAR} AND {last_year} "
                f"AND {number} = floor({number}))",
                say("year", first=str(EARLIEST_YEAR), last=str(last_year)),
            )
        )
    if name == "distance_km":
        checks.append((f"{typed} < 0", say("distance")))
    if name == "lat":
        checks.append((f"{typed} NOT BETWEEN -90 AND 90", say("latitude")))
    if name == "lon":
        checks.append((f"{typed} NOT BETWEEN -180 AND 180", say("longitude")))
    if column.kind == "country":
        checks.append(
            (
                f"{raw} IS NOT NULL AND NOT regexp_full_match({typed}, '[A-Z]{{2}}')",
                say("country"),
            )
        )
    if column.kind in {"mode", "channel", "date"}:
        expected = {
            "mode": say("mode", modes=", ".join(m.value for m in Mode)),
            "channel": say("channel", channels=", ".join(c.value for c in Channel)),
            "date": say("date"),
        }[column.kind]
        checks.append((f"{raw} IS NOT NULL AND {typed} IS NULL", expected))
    if (table, name) in plausible_ranges():
        low, high, unit = plausible_ranges()[(table, name)]
        # Only for values that pass the column's own checks: one problem per cell.
        passes = "".join(f" AND NOT coalesce(({condition}), false)" for condition, _ in checks)
        checks.append(
            (
                f"isfinite({number}){passes} AND {number} NOT BETWEEN {low!r} AND {high!r}",
                say(
                    "plausible",
                    low=Amount(low, decimals=None),
                    high=Amount(high, decimals=None),
                    unit=say("unit." + re.sub(r"\W+", "_", unit).strip("_")),
                ),
            )
        )
    return checks


def _row_checks(table: str, spec: TableSpec) -> list[tuple[str, str, Message, str]]:
    """(column, value as text, what was expected, bad-row condition) for every check of a
    table's rows, over the staged columns (typed, r_ text and n_ number)."""
    checks = [
        (
            f"{_sql_text(column.name)}",
            f"CAST({_text_of(column)} AS VARCHAR)",
            expected,
            condition,
        )
        for column in spec.columns
        for condition, expected in _cell_checks(table, column)
    ]
    if spec is CONTACTS:
        checks.append(
            (
                "'date'",
                "NULL",
                say("date_or_year"),
                "date IS NULL AND year IS NULL AND r_date IS NULL AND r_year IS NULL",
            )
        )
    if "lat" in {c.name for c in spec.columns}:
        checks.append(
            (
                "CASE WHEN lat IS NULL THEN 'lat' ELSE 'lon' END",
                "NULL",
                say("lat_and_lon"),
                "(lat IS NULL) <> (lon IS NULL)",
            )
        )
    return checks


class _Loader:
    """One load: stages every source in temp tables, checks, resolves, then swaps in one go."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        sources: list[_Source],
        geocoder: geo.OnlineGeocoder | None,
        progress: Progress,
        salt: str | None,
    ) -> None:
        if not salt:
            raise ValueError("a load needs a pseudonym salt (calc.pseudonyms)")
        self.salt = salt
        self.con = con
        self.sources = {src.table: src for src in sources}
        self.geocoder = geocoder
        self.progress = progress
        self.problems: list[Problem] = []
        self.problem_total = 0
        self.empty: list[str] = []  # tables given with a header and no data row
        self.clean: set[str] = set()  # tables whose cells all passed in the typed scan
        self.matcher: geo.PlaceMatcher | None = None  # built only when a place is missed
        self.warnings: list[Problem] = []

    # -- the steps ---------------------------------------------------------------------------

    def run(self, label: str) -> LoadReport:
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            report = self._stage_check_and_swap(label)
        except BaseException:
            con.execute("ROLLBACK")
            raise
        else:
            con.execute("COMMIT")
        finally:
            self._drop_staging()
        return report

    def _drop_staging(self) -> None:
        """Temp tables outlive the transaction on a long-lived (app) connection: drop them."""
        views = self.con.execute(
            "SELECT view_name FROM duckdb_views() WHERE temporary "
            "AND (starts_with(view_name, 'typed_') OR starts_with(view_name, 'located_'))"
        ).fetchall()
        for (view,) in views:
            self.con.execute(f"DROP VIEW IF EXISTS temp.{view}")
        staged = self.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE temporary AND ("
            "starts_with(table_name, 'typed_') OR starts_with(table_name, 'located_') OR "
            "starts_with(table_name, 'spots_') OR "
            "starts_with(table_name, 'clean_') OR starts_with(table_name, 'rejects_') OR "
            "starts_with(table_name, 'merged_') OR starts_with(table_name, 'sheet_') OR "
            "table_name IN ('load_postcodes', 'place_hints'))"
        ).fetchall()
        for (table,) in staged:
            self.con.execute(f"DROP TABLE IF EXISTS temp.{table}")

    def _stage_check_and_swap(self, label: str) -> LoadReport:
        for index, (table, src) in enumerate(self.sources.items()):
            self.progress(0.05 + 0.35 * index / len(self.sources), f"reading {src.label}")
            self._stage(table, src)
        self._set_aside_empty_tables()
        self._raise_if_problems()
        self.progress(0.45, "checking references")
        self._check_references()
        self._raise_if_problems()
        self.progress(0.55, "finding places")
        self._resolve_locations()
        self._raise_if_problems()
        self.progress(0.7, "computing distances")
        distances = self._attach_distances()
        self.progress(0.85, "saving")
        rows = self._swap_in()
        version = store.new_dataset_version(self.con, label)
        self.progress(1.0, "done")
        return LoadReport(
            rows=rows, warnings=self.warnings, distances_computed=distances, dataset_version=version
        )

    def _set_aside_empty_tables(self) -> None:
        """A table with only its header: an error for offices, and for the people tables when
        none of them has a row (the data set would be empty); otherwise it is left out, with
        a warning, as if its file were not there."""
        people = {"clients", "contacts", "staff"}
        has_people = any(t in self.sources and t not in self.empty for t in people)
        for table in self.empty:
            src = self.sources.pop(table)
            if table == "offices" or (table in people and not has_people):
                needed = "offices" if table == "offices" else "people"
                self._add([Problem(src.label, None, None, None, say(f"header_only.{needed}"))], 1)
            else:
                self.warnings.append(
                    Problem(
                        src.label,
                        None,
                        None,
                        None,
                        say("header_only.left_out"),
                        severity="warning",
                    )
                )

    def _add(self, problems: Iterable[Problem], total: int) -> None:
        for problem in problems:
            if len(self.problems) < MAX_LISTED_PROBLEMS:
                self.problems.append(problem)
        self.problem_total += total

    def _raise_if_problems(self) -> None:
        if self.problem_total:
            raise LoadError(self.problems, self.problem_total)

    # -- staging -----------------------------------------------------------------------------

    def _stage(self, table: str, src: _Source) -> None:
        """typed_<table>: the typed values with the file's row number (_row) and label (_file).

        A CSV file is first read by DuckDB's typed reader and checked in the same scan; only
        when that finds anything wrong (a cell the reader rejects, a check that fails) is the
        file read again as text, to say exactly which row, column and value.
        """
        spec = TABLES[table]
        source = self._source_sql(table, src)
        try:
            headers = self._headers(source)
            columns = self._map_headers(headers, spec, src)
            if columns is None:
                return
            if src.path is None or not self._stage_typed(table, spec, src, headers, columns):
                self._stage_text(table, spec, src, source, columns)
        except duckdb.Error as exc:
            message = str(exc)
            line = re.search(r"Line: (\d+)", message)
            detail = message.split("\n")[0].removeprefix("Invalid Input Error: ")
            raise LoadError(
                [
                    Problem(
                        src.label,
                        int(line.group(1)) if line else None,
                        None,
                        None,
                        say("csv", detail=detail),
                    )
                ]
            ) from exc
        rows = self.con.execute(f"SELECT count(*) FROM typed_{table}").fetchall()[0][0]
        limit = store.Settings.load().max_rows_per_table
        if rows == 0:
            self.empty.append(table)
            return
        if rows > limit:
            self._add(
                [
                    Problem(
                        src.label,
                        None,
                        None,
                        say("value.rows", rows=Amount(rows)),
                        say("rows", limit=Amount(limit)),
                    )
                ],
                1,
            )
            return
        if table not in self.clean:
            self._check_cells(table, spec, src.label)
        self._check_duplicates(table, spec, src.label)

    def _stage_typed(
        self,
        table: str,
        spec: TableSpec,
        src: _Source,
        headers: list[str],
        columns: Mapping[str, str],
    ) -> bool:
        """The fast path: one scan by DuckDB's typed reader keeps typed values only (no text
        copies of numbers, no row-number window: a row is known by its rowid, which keeps the
        file's order), then the cell checks run over them in one aggregate query. False, with
        nothing staged, when the reader rejected a row or any check fails."""
        assert src.path is not None
        by_header = {original: name for name, original in columns.items()}
        kinds = {c.name: c.kind for c in spec.columns}
        types = {
            header: _READER_TYPES.get(kinds.get(by_header.get(header, ""), "text"), "VARCHAR")
            for header in headers
        }
        rejects = f"rejects_{table}"
        source = self._source_sql(table, src, types=types, rejects=rejects)
        values, kept, shown = [], [], []
        for column in spec.columns:
            name, original = column.name, columns.get(column.name)
            if original is None and (column.default is None or column.kind in _CONSTANT_KINDS):
                # Not in the file: a constant in the view, nothing stored per row.
                shown.append(_constant_columns(column))
                continue
            if column.kind in NUMERIC_KINDS:
                cast = _READER_TYPES[column.kind]
                value = "NULL" if original is None else f'"{original}"'
                default = (
                    "NULL"
                    if column.default is None
                    else f"CAST({_sql_text(column.default)} AS {cast})"
                )
                values.append(f'CAST(COALESCE({value}, {default}) AS {cast}) AS "{name}"')
                kept.append(f'"{name}"')
                # What the checks read as the cell's text and number (_cell_checks).
                shown.append(
                    f'TRY_CAST("{name}" AS {_TYPED[column.kind]}) AS "{name}", '
                    f'"{name}" AS "r_{name}", "{name}" AS "n_{name}"'
                )
            else:
                values.append(_trimmed_text(column, original))
                kept.append(
                    f'"{name}"'
                    if column.kind == "text"
                    else f'{_parse_expression(column)} AS "{name}"'
                )
                shown.append(f'"{name}"')
                if column.kind != "text":
                    kept.append(f'"{name}" AS "r_{name}"')
                    shown.append(f'"r_{name}"')
        checks = " OR ".join(f"({condition})" for *_, condition in _row_checks(table, spec))
        try:
            self.con.execute(
                f"CREATE OR REPLACE TEMP TABLE clean_{table} AS "
                f"SELECT {', '.join(kept)} FROM (SELECT {', '.join(values)} FROM {source})"
            )
            # Rows get consecutive rowids in file order, counted from an offset inside a
            # transaction: the first data row is the file's row 2.
            first_rowid = self.con.execute(f"SELECT min(rowid) FROM clean_{table}").fetchall()
            offset = 2 - (first_rowid[0][0] or 0)
            self.con.execute(
                f"CREATE OR REPLACE TEMP VIEW typed_{table} AS SELECT rowid + {offset} AS _row, "
                f"{_sql_text(src.label)} AS _file, {', '.join(shown)} FROM clean_{table}"
            )
            bad, rejected = self.con.execute(
                f"SELECT (SELECT count(*) FROM typed_{table} WHERE {checks}), "
                f"(SELECT count(*) FROM {rejects})"
            ).fetchall()[0]
        except duckdb.Error:
            bad, rejected = 1, 0  # whatever the typed reader stumbled on, the text path names
        if bad or rejected:
            self.con.execute(f"DROP VIEW IF EXISTS typed_{table}")
            self.con.execute(f"DROP TABLE IF EXISTS clean_{table}")
            return False
        self.clean.add(table)
        return True

    def _stage_text(
        self,
        table: str,
        spec: TableSpec,
        src: _Source,
        source: str,
        columns: Mapping[str, str],
    ) -> None:
        """typed_<table> from the cells as text: parsed values, their text (r_*), the parsed
        number of numeric cells (n_*) and the file's row number, in a single statement."""
        texts = ["row_number() OVER () + 1 AS _row"]
        for column in spec.columns:
            texts.append(_trimmed_text(column, columns.get(column.name)))
        parsed = ", ".join(
            f'{_parse_expression(c)} AS "{c.name}"'
            + ("" if c.kind == "text" else f', "{c.name}" AS "r_{c.name}"')
            + (f', {_number_of(c)} AS "n_{c.name}"' if c.kind in NUMERIC_KINDS else "")
            for c in spec.columns
        )
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE typed_{table} AS "
            f"SELECT _row, {_sql_text(src.label)} AS _file, {parsed} "
            f"FROM (SELECT {', '.join(texts)} FROM {source})"
        )

    def _source_sql(
        self,
        table: str,
        src: _Source,
        *,
        types: Mapping[str, str] | None = None,
        rejects: str | None = None,
    ) -> str:
        """A FROM clause that yields the source's cells as text, in file order; or, given
        `types` (file header -> DuckDB type), typed, with the rows the reader cannot read
        recorded in the temp table `rejects` instead of failing."""
        if src.frame is not None:
            # Excel rows: header is row 1, so data row i is row i + 2, as for CSV.
            frame = src.frame.reset_index(drop=True)
            frame.columns = [str(c) for c in frame.columns]
            self.con.register("sheet_frame", frame)
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE sheet_{table} AS FROM sheet_frame")
            self.con.unregister("sheet_frame")
            return f"sheet_{table}"
        assert src.path is not None
        stat = src.path.stat()
        with src.path.open("rb") as handle:
            first_line = handle.readline()
        delimiter = ";" if first_line.count(b";") > first_line.count(b",") else ","
        # The path is ours (a temp folder) or the operator's own; quoted, never interpolated raw.
        if types is None:
            typing = "all_varchar = true"
        else:
            assert rejects is not None
            listed = ", ".join(f"{_sql_text(h)}: {_sql_text(t)}" for h, t in types.items())
            typing = (
                f"types = {{{listed}}}, store_rejects = true, rejects_limit = 1, "
                f"rejects_table = {_sql_text(rejects)}, "
                f"rejects_scan = {_sql_text(rejects + '_scan')}"
            )
        return (
            f"read_csv({_sql_text(str(src.path))}, header = true, {typing}, "
            f"delim = {_sql_text(delimiter)}, quote = '\"', "
            f"encoding = {_sql_text(_encoding(src.path, stat.st_size, stat.st_mtime_ns))})"
        )

    def _headers(self, source: str) -> list[str]:
        return [row[0] for row in self.con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]

    def _map_headers(
        self, headers: list[str], spec: TableSpec, src: _Source
    ) -> dict[str, str] | None:
        """Contract column -> the file's header, matched ignoring case, spaces and a BOM."""
        by_key = {h.strip().lstrip("\ufeff").lower().replace(" ", "_"): h for h in headers}
        known = {c.name for c in spec.columns}
        for key, header in by_key.items():
            if key not in known:
                self.warnings.append(
                    Problem(
                        src.label,
                        1,
                        header,
                        None,
                        say("unknown_column"),
                        severity="warning",
                    )
                )
        missing = [name for name in spec.required if name not in by_key]
        if missing:
            self._add(
                [Problem(src.label, 1, name, None, say("required_column")) for name in missing],
                len(missing),
            )
            return None
        return {name: by_key[name] for name in known if name in by_key}

    def _report_rows(
        self, query: str, label: str, expectations: Sequence[Message], hint: bool = False
    ) -> None:
        """Run a query yielding (_row, column, value, index into expectations) for bad rows
        and record them; with `hint`, a fifth column is the place hint of the expectation."""
        count = self.con.execute(f"SELECT count(*) FROM ({query})").fetchall()[0][0]
        if not count:
            return
        rows = self.con.execute(
            f"SELECT * FROM ({query}) ORDER BY 1 LIMIT {MAX_LISTED_PROBLEMS}"
        ).fetchall()
        problems = []
        for row in rows:
            expected = expectations[row[3]]
            if hint and row[4] is not None:
                expected = say(expected.code, hint=row[4])
            problems.append(Problem(label, row[0], row[1], row[2], expected))
        self._add(problems, count)

    def _check_cells(self, table: str, spec: TableSpec, label: str) -> None:
        checks = _row_checks(table, spec)
        # One scan answers "anything wrong?"; the detailed query runs only when something is.
        any_bad = " OR ".join(f"({condition})" for *_, condition in checks)
        bad_rows = self.con.execute(
            f"SELECT count(*) FROM typed_{table} WHERE {any_bad}"
        ).fetchall()[0][0]
        if not bad_rows:
            return
        self._report_rows(
            " UNION ALL ".join(
                f"SELECT _row, {column} AS col, {value} AS value, {index} AS exp "
                f"FROM typed_{table} WHERE {condition}"
                for index, (column, value, _, condition) in enumerate(checks)
            ),
            label,
            [expected for _, _, expected, _ in checks],
        )

    def _check_duplicates(self, table: str, spec: TableSpec, label: str) -> None:
        if not spec.key:
            return
        key = ", ".join(f'"{k}"' for k in spec.key)
        duplicated = self.con.execute(
            f"SELECT count(*) FROM (SELECT {key} FROM typed_{table} GROUP BY ALL "
            "HAVING count(*) > 1)"
        ).fetchall()[0][0]
        if not duplicated:
            return
        shown = " || ' / ' || ".join(f"coalesce(CAST(\"{k}\" AS VARCHAR), '')" for k in spec.key)
        self._report_rows(
            f"SELECT _row, {_sql_text(spec.key[-1])}, {shown}, 0"
            f" FROM (SELECT *, count(*) OVER (PARTITION BY {key}) AS n FROM typed_{table}) "
            "WHERE n > 1",
            label,
            [say("unique", columns=", ".join(spec.key))],
        )

    # -- references and locations ------------------------------------------------------------

    def _check_references(self) -> None:
        office_ids = [
            r[0] for r in self.con.execute("SELECT office_id FROM typed_offices").fetchall()
        ]
        expected = say(
            "office_id", ids=", ".join(office_ids[:8]) + (", …" if len(office_ids) > 8 else "")
        )
        for table in ("clients", "contacts", "staff", "trips"):
            if table not in self.sources:
                continue
            self._report_rows(
                f"SELECT _row, 'office_id', office_id, 0 FROM typed_{table} "
                "WHERE office_id NOT IN (SELECT office_id FROM typed_offices)",
                self.sources[table].label,
                [expected],
            )
        if "contacts" in self.sources:
            self._aggregate_contacts()

    def _aggregate_contacts(self) -> None:
        """Contacts become client-year rows, the same shape as the clients table.

        Where a client's contacts in a year disagree on where they came from, the first
        contact's location, mode and distance stand for the year.
        """
        where_from = ("lat", "lon", "postcode", "place", "country", "mode", "distance_km")
        # One arg_min of them all (about 15 % less work than one per column over 10 M events).
        first_contact = ", ".join(f'"{c}": "{c}"' for c in where_from)
        counts = ", ".join(
            f"count(*) FILTER (WHERE channel = {_sql_text(c.value)}) AS {c.value}" for c in Channel
        )
        channels = ", ".join(c.value for c in Channel)
        aggregated = (
            f'SELECT _row, _file, year, client_id, office_id, "group", unnest(first), {channels} '
            "FROM (SELECT min(_row) AS _row, any_value(_file) AS _file, "
            "CAST(COALESCE(year, year(date)) AS BIGINT) AS year, client_id, office_id, "
            f'"group", arg_min({{{first_contact}}}, _row) AS first, {counts} '
            "FROM typed_contacts GROUP BY ALL)"
        )
        if "clients" in self.sources:
            # typed_clients may be a view of the typed scan: the union becomes the new table.
            self.con.execute(
                "CREATE TEMP TABLE merged_clients AS "
                f"SELECT * FROM typed_clients UNION ALL BY NAME ({aggregated})"
            )
            kind = "VIEW" if "clients" in self.clean else "TABLE"
            self.con.execute(f"DROP {kind} typed_clients")
            self.con.execute("CREATE TEMP VIEW typed_clients AS FROM merged_clients")
            self._check_duplicates("clients", TABLES["clients"], "clients and contacts")
            self._raise_if_problems()
        else:
            self.con.execute(f"CREATE TEMP TABLE typed_clients AS {aggregated}")
            self.sources["clients"] = self.sources["contacts"]

    def _resolve_locations(self) -> None:
        """Give every office, client and staff row coordinates (or a given distance)."""
        self._create_postcode_table()
        self._resolve("offices", "NULL", "country", "TRUE")
        self._report_unplaced(
            "offices",
            "SELECT _row, 'place', coalesce(t.place, postcode), "
            + _WITH_HINT
            + " FROM located_offices t"
            + _HINT_JOIN
            + " WHERE loc_lat IS NULL",
            [_PLACE_HINT, say("office_location")],
        )
        self._raise_if_problems()
        for table in ("clients", "staff"):
            if table not in self.sources:
                continue
            needs_place = "distance_km IS NULL"
            if table == "clients":
                needs_place += " AND in_person > 0"
            self._resolve(table, "distance_km", "coalesce(t.country, o.country)", needs_place)
            self._report_unplaced(
                table,
                "SELECT _row, CASE WHEN t.place IS NOT NULL THEN 'place' "
                "WHEN postcode IS NOT NULL THEN 'postcode' ELSE 'place' END, "
                "coalesce(t.place, postcode), "
                + _WITH_HINT
                + f" FROM located_{table} t"
                + _HINT_JOIN
                + f" WHERE {needs_place} AND loc_lat IS NULL",
                [_PLACE_HINT, say("home_location")],
            )
        if "trips" in self.sources:
            self._resolve_trip_destinations()

    def _report_unplaced(self, table: str, query: str, expectations: Sequence[Message]) -> None:
        """Report the rows that needed a place and got none; the rows are read only when a
        spot (a distinct place of them) stayed without a point."""
        unplaced = self.con.execute(
            f"SELECT count(*) FROM spots_{table} WHERE lat IS NULL AND needs_place"
        ).fetchall()[0][0]
        if unplaced:
            self._report_rows(query, self.sources[table].label, expectations, hint=True)

    def _create_postcode_table(self) -> None:
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE place_hints "
            "(country VARCHAR, place VARCHAR, hint VARCHAR)"
        )
        if "postcodes" in self.sources:
            source = "SELECT country, postcode, lat, lon FROM typed_postcodes"
        else:
            source = "SELECT country, postcode, lat, lon FROM postcodes"
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE load_postcodes AS {source}")

    def _resolve(self, table: str, distance: str, country: str, needs_place: str) -> None:
        """spots_<table>: each distinct (country, postcode, place) of the rows without their
        own lat/lon, with the point found for it (postcode table, gazetteer, geocode cache,
        a forgiving match); located_<table>: a view of the rows with loc_country, loc_lat and
        loc_lon. Every lookup runs once per spot, and the rows are not copied.

        Client and staff coordinates are rounded (about 100 m): fewer distinct pairs to
        compute, and no exact home address is kept.
        """
        is_office = table == "offices"
        join_office = "" if is_office else "LEFT JOIN typed_offices o USING (office_id)"
        if is_office:
            country = "t.country"
        self.con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE spots_{table} AS
            WITH wanted AS (
                SELECT {country} AS country, t.postcode, t.place, min(t._row) AS first_row,
                    coalesce(bool_or({distance} IS NULL), FALSE) AS unmeasured,
                    coalesce(bool_or({needs_place}), FALSE) AS needs_place
                FROM typed_{table} t {join_office}
                WHERE t.lat IS NULL
                GROUP BY ALL
            )
            SELECT w.*, coalesce(pc.lat, g.lat, gc.lat) AS lat,
                coalesce(pc.lon, g.lon, gc.lon) AS lon
            FROM wanted w
            LEFT JOIN load_postcodes pc ON pc.country = w.country AND pc.postcode = w.postcode
            LEFT JOIN gazetteer g ON g.country = w.country AND g.place_key = place_key(w.place)
            LEFT JOIN geocode_cache gc
                ON gc.found AND gc.country = w.country AND gc.query = coalesce(w.postcode, w.place)
            """
        )
        columns = ", ".join(
            ["t._row", "t._file"] + [f't."{c.name}"' for c in TABLES[table].columns]
        )

        def coordinate(axis: str) -> str:
            value = f"coalesce(t.{axis}, s.{axis})"
            return value if is_office else f"round({value}, {geo.COORD_DECIMALS})"

        self.con.execute(
            f"""
            CREATE OR REPLACE TEMP VIEW located_{table} AS
            SELECT {columns}, {country} AS loc_country,
                {coordinate("lat")} AS loc_lat, {coordinate("lon")} AS loc_lon
            FROM typed_{table} t {join_office}
            LEFT JOIN spots_{table} s ON s.country IS NOT DISTINCT FROM {country}
                AND s.postcode IS NOT DISTINCT FROM t.postcode
                AND s.place IS NOT DISTINCT FROM t.place
            """
        )
        self._forgive_places(table)
        if self.geocoder is None:
            return
        wanted = self.con.execute(
            f"SELECT DISTINCT country, coalesce(postcode, place) FROM spots_{table} "
            "WHERE lat IS NULL AND unmeasured "
            "AND coalesce(postcode, place) IS NOT NULL AND country IS NOT NULL"
        ).fetchall()
        if wanted:
            self.geocoder.resolve(self.con, [(c, q) for c, q in wanted])
            self.con.execute(
                f"""UPDATE spots_{table} s SET lat = gc.lat, lon = gc.lon
                    FROM geocode_cache gc
                    WHERE s.lat IS NULL AND gc.found AND gc.country = s.country
                        AND gc.query = coalesce(s.postcode, s.place)"""
            )

    def _forgive_places(self, table: str) -> None:
        """Places the exact lookup missed, matched forgivingly (calc.geo.PlaceMatcher): an
        unambiguous match ("Vilach → Villach") is taken and reported as a warning; a near miss
        with several candidates becomes a hint in the error ("Wolfsburg → Wolfsberg | …?")."""
        missed = self.con.execute(
            f"SELECT DISTINCT country, place FROM spots_{table} "
            "WHERE lat IS NULL AND place IS NOT NULL AND country IS NOT NULL AND unmeasured"
        ).df()
        if missed.empty:
            return
        if self.matcher is None:
            self.matcher = geo.PlaceMatcher.from_connection(self.con)
        matches = self.matcher.resolve_frame(missed)
        taken = matches[matches["status"].isin(["loose", "fuzzy"])]
        if len(taken):
            self.con.register("taken_places", taken[["country", "place", "lat", "lon", "hint"]])
            try:
                self.con.execute(
                    f"""UPDATE spots_{table} s SET lat = m.lat, lon = m.lon
                        FROM taken_places m
                        WHERE s.lat IS NULL AND s.place = m.place AND s.country = m.country"""
                )
                first_rows = self.con.execute(
                    f"""SELECT min(s.first_row), m.place, m.hint FROM spots_{table} s
                        JOIN taken_places m ON s.place = m.place AND s.country = m.country
                        GROUP BY ALL ORDER BY 1"""
                ).fetchall()
            finally:
                self.con.unregister("taken_places")
            label = self.sources[table].label
            self.warnings += [
                Problem(
                    label,
                    row,
                    "place",
                    place,
                    say("place_read_as", place=hint.split(" → ", 1)[-1], hint=hint),
                    severity="warning",
                )
                for row, place, hint in first_rows
            ]
        hints = matches[matches["status"] == "suggested"][["country", "place", "hint"]]
        if len(hints):
            self.con.register("new_hints", hints)
            try:
                self.con.execute("INSERT INTO place_hints SELECT * FROM new_hints")
            finally:
                self.con.unregister("new_hints")

    def _resolve_trip_destinations(self) -> None:
        self.con.execute(
            """
            CREATE OR REPLACE TEMP TABLE located_trips AS
            SELECT t.*, o.loc_lat AS from_lat, o.loc_lon AS from_lon,
                coalesce(d.loc_lat, gz.lat) AS loc_lat, coalesce(d.loc_lon, gz.lon) AS loc_lon
            FROM typed_trips t
            JOIN located_offices o USING (office_id)
            LEFT JOIN located_offices d ON d.office_id = t.destination
            LEFT JOIN gazetteer gz ON gz.country = coalesce(t.country, o.country)
                AND gz.place_key = place_key(t.destination)
            """
        )
        self._report_rows(
            "SELECT _row, 'destination', destination, 0 FROM located_trips "
            "WHERE loc_lat IS NULL AND distance_km IS NULL",
            self.sources["trips"].label,
            [say("destination")],
        )

    def _attach_distances(self) -> int:
        """Geodesic km for every distinct (origin, destination) pair, computed once and cached."""
        digits = geo.COORD_DECIMALS
        pair_queries = []
        for table in ("clients", "staff"):
            if table in self.sources:
                pair_queries.append(
                    f"SELECT round(t.loc_lat, {digits}) AS from_lat, "
                    f"round(t.loc_lon, {digits}) AS from_lon, "
                    f"round(o.loc_lat, {digits}) AS to_lat, round(o.loc_lon, {digits}) AS to_lon "
                    f"FROM located_{table} t JOIN located_offices o USING (office_id) "
                    "WHERE t.distance_km IS NULL AND t.loc_lat IS NOT NULL"
                )
        if "trips" in self.sources:
            pair_queries.append(
                f"SELECT round(from_lat, {digits}), round(from_lon, {digits}), "
                f"round(loc_lat, {digits}), round(loc_lon, {digits}) FROM located_trips "
                "WHERE distance_km IS NULL AND loc_lat IS NOT NULL"
            )
        if not pair_queries:
            return 0
        return geo.fill_distance_cache(self.con, " UNION ".join(pair_queries))

    def _swap_in(self) -> dict[str, int]:
        """Replace the loaded data set with the staged one (inside the open transaction)."""
        con = self.con
        # The data tables' row order carries no meaning (every reader groups or sorts): let
        # DuckDB write them in parallel, which also spares the version file a second pass.
        con.execute("SET preserve_insertion_order = false")
        try:
            return self._insert_staged()
        finally:
            con.execute("RESET preserve_insertion_order")

    def _insert_staged(self) -> dict[str, int]:
        con = self.con
        digits = geo.COORD_DECIMALS
        salt = self.salt
        for table in store.DATA_TABLES_DDL:
            con.execute(f"DELETE FROM {table}")
        con.execute(
            "INSERT INTO offices SELECT office_id, name, country, loc_lat, loc_lon "
            "FROM located_offices"
        )

        def distance_join(alias: str, from_sql: str, to_sql: str) -> str:
            return (
                f"LEFT JOIN distance_cache {alias} ON {alias}.from_lat = round({from_sql}_lat, "
                f"{digits}) AND {alias}.from_lon = round({from_sql}_lon, {digits}) "
                f"AND {alias}.to_lat = round({to_sql}_lat, {digits}) "
                f"AND {alias}.to_lon = round({to_sql}_lon, {digits})"
            )

        if "clients" in self.sources:
            con.execute(
                f"""
                INSERT INTO clients
                SELECT t.year, {pseudonyms.sql("t.client_id")}, t.office_id, t."group",
                    t.in_person, t.phone, t.video, t.online, t.mode, t.distance_km,
                    round(t.loc_lat, {digits}), round(t.loc_lon, {digits}), dc.geodesic_km
                FROM located_clients t JOIN located_offices o USING (office_id)
                {distance_join("dc", "t.loc", "o.loc")}
                """,
                [salt],
            )
        if "staff" in self.sources:
            con.execute(
                f"""
                INSERT INTO staff
                SELECT t.year, {pseudonyms.sql("t.staff_id")}, t.office_id, t.mode,
                    t.office_days, t.homeoffice_days, t.distance_km,
                    round(t.loc_lat, {digits}), round(t.loc_lon, {digits}), dc.geodesic_km
                FROM located_staff t JOIN located_offices o USING (office_id)
                {distance_join("dc", "t.loc", "o.loc")}
                """,
                [salt],
            )
        if "trips" in self.sources:
            con.execute(
                f"""
                INSERT INTO trips
                SELECT t.year, t.office_id, t.destination, t.mode, t.trips, t.distance_km,
                    t.loc_lat, t.loc_lon, dc.geodesic_km
                FROM located_trips t {distance_join("dc", "t.from", "t.loc")}
                """
            )
        if "postcodes" in self.sources:
            con.execute(
                "INSERT INTO postcodes SELECT country, postcode, lat, lon, place "
                "FROM typed_postcodes"
            )
        return store.table_counts(con)
