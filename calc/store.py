"""Where Wegbilanz keeps things: versioned data sets apart from the users' saved work.

A store at PATH (`--db PATH`, `$WEGBILANZ_DB`, default data/wegbilanz.duckdb) is

    PATH                           the state database: saved scenarios, workshops (the app writes)
    PATH.data/<version>.duckdb     one loaded data set per file, never changed once written
    PATH.data/CURRENT              the version in use, replaced atomically
    PATH.data/<version>.<pid>.partial   a load in progress; one whose process died is removed
                                        by the next load or start

A load writes a new version file and then switches CURRENT to it (calc.loaders.load_version), so
readers never block a load and a load never blocks readers; a reader notices a switch on its
next run (`follow`). The last versions stay (data/store.csv, keep_versions) for a rollback.
Readers attach the current version read-only: the command line can load and compute while the
app runs, and a killed load leaves the version in use untouched.

":memory:" keeps everything in one in-memory database (tests, `--data DIR`, upload checks).

Layout versions (`schema_version` in the state's meta table): 1 and 2 kept the data set in the
same file as the saved work; 3 moves it to a version file (MIGRATIONS). A database written by a
newer Wegbilanz is refused with a SchemaError, never half-read.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from calc import datafiles, geo
from calc.roles import Role, require

REPO_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = REPO_DIR / "data" / "wegbilanz.duckdb"
DB_PATH_ENV = "WEGBILANZ_DB"
NO_DATA_VERSION = "empty"  # the data version of a store with no data set loaded
STORE_SETTINGS_PATH = REPO_DIR / "data" / "store.csv"
MEMORY = ":memory:"

# 1: data and saved work in one file, no version row. 2: the same, version recorded.
# 3: the data set in versioned files of its own; this file keeps the saved work only.
# 4: workshop actions carry a row_version (optimistic concurrency: no lost update).
# New tables alone change no layout: their module creates them when missing (calc/voting.py:
# votes, vote_options, vote_ballots, as calc/workshop.py and calc/saved.py do for theirs).
SCHEMA_VERSION = 4
SCHEMA_VERSION_KEY = "schema_version"
SET_ASIDE_KEY = "state_set_aside"  # where a damaged state file was moved to
UNVERSIONED_SCHEMA = 1
LAYOUT_WITH_DATA_APART = 3
CURRENT_FILE = "CURRENT"
VERSION_SUFFIX = ".duckdb"
PARTIAL_SUFFIX = ".partial"
LABEL_SUFFIX = ".json"
DATA_ALIAS_PREFIX = "data_"

# The loaded data set. Raw client and staff ids never reach these tables: only keyed hashes.
DATA_TABLES_DDL: dict[str, str] = {
    "offices": """
        office_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, country VARCHAR NOT NULL,
        lat DOUBLE NOT NULL, lon DOUBLE NOT NULL""",
    "clients": """
        year INTEGER NOT NULL, client_key VARCHAR NOT NULL, office_id VARCHAR NOT NULL,
        client_group VARCHAR NOT NULL, in_person INTEGER NOT NULL, phone INTEGER NOT NULL,
        video INTEGER NOT NULL, online INTEGER NOT NULL, mode VARCHAR,
        distance_km DOUBLE, origin_lat DOUBLE, origin_lon DOUBLE, geodesic_km DOUBLE""",
    "staff": """
        year INTEGER NOT NULL, staff_key VARCHAR NOT NULL, office_id VARCHAR NOT NULL,
        mode VARCHAR NOT NULL, office_days INTEGER NOT NULL, homeoffice_days INTEGER NOT NULL,
        distance_km DOUBLE, origin_lat DOUBLE, origin_lon DOUBLE, geodesic_km DOUBLE""",
    "trips": """
        year INTEGER NOT NULL, office_id VARCHAR NOT NULL, destination VARCHAR NOT NULL,
        mode VARCHAR NOT NULL, trips INTEGER NOT NULL, distance_km DOUBLE,
        dest_lat DOUBLE, dest_lon DOUBLE, geodesic_km DOUBLE""",
    "postcodes": """
        country VARCHAR NOT NULL, postcode VARCHAR NOT NULL, lat DOUBLE NOT NULL,
        lon DOUBLE NOT NULL, place VARCHAR""",
}
DATASET_META_DDL = (
    "CREATE TABLE IF NOT EXISTS dataset_meta (key VARCHAR PRIMARY KEY, value VARCHAR)"
)
STATE_META_DDL = "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)"


def default_db_path() -> Path:
    """Where the store lives: $WEGBILANZ_DB if set, else data/wegbilanz.duckdb."""
    return Path(os.environ.get(DB_PATH_ENV) or DEFAULT_DB_PATH)


class SchemaError(RuntimeError):
    """The database has a layout this version of Wegbilanz cannot read (a newer one)."""

    def __init__(self, found: str, where: str = "the database") -> None:
        self.found = found
        self.where = where
        super().__init__(
            f"{where} was written by a newer version of Wegbilanz (database schema version "
            f"{found}; this version reads up to {SCHEMA_VERSION}). Update Wegbilanz, or open "
            f"another database (--db PATH or ${DB_PATH_ENV})."
        )


class StoreError(RuntimeError):
    """A data version that cannot be used: unknown, or its file unreadable."""


@dataclass(frozen=True)
class Settings:
    """How many data versions to keep and the limits of one load (data/store.csv)."""

    keep_versions: int
    max_upload_mb: float
    max_rows_per_table: int
    max_xlsx_uncompressed_mb: float
    load_memory_mb: float

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        values = datafiles.key_values(path or STORE_SETTINGS_PATH)
        return cls(
            keep_versions=int(values["keep_versions"]),
            max_upload_mb=float(values["max_upload_mb"]),
            max_rows_per_table=int(values["max_rows_per_table"]),
            max_xlsx_uncompressed_mb=float(values["max_xlsx_uncompressed_mb"]),
            load_memory_mb=float(values["load_memory_mb"]),
        )


@dataclass(frozen=True)
class Version:
    """One loaded data set in a store."""

    version: str
    label: str
    loaded_at: str
    is_current: bool
    path: Path


@dataclass(frozen=True)
class Store:
    """The files of a store at `path` (see the module's doc)."""

    path: Path

    @property
    def data_dir(self) -> Path:
        return Path(f"{self.path}.data")

    def version_path(self, version: str) -> Path:
        return self.data_dir / f"{version}{VERSION_SUFFIX}"

    def partial_path(self, version: str) -> Path:
        return self.data_dir / f"{version}.{os.getpid()}{PARTIAL_SUFFIX}"

    def current(self) -> str | None:
        """The version in use, or None before the first load."""
        try:
            text = (self.data_dir / CURRENT_FILE).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return text or None

    def signature(self) -> tuple[int, ...]:
        """Changes whenever CURRENT is switched or a version file comes or goes: a reader that
        followed the store at one signature need not follow it again until it changes."""
        marks: list[int] = []
        for path in (self.data_dir / CURRENT_FILE, self.data_dir):
            try:
                stat = path.stat()
            except FileNotFoundError:
                marks += [-1, -1]
            else:
                marks += [stat.st_ino, stat.st_mtime_ns]
        return tuple(marks)

    def switch(self, version: str, *, role: Role | None) -> None:
        """Make `version` the one in use: readers pick it up on their next run. Needs the
        steward role (RoleError)."""
        require(role, Role.STEWARD)
        if not self.version_path(version).is_file():
            raise StoreError(f"data version {version!r} is not in {self.data_dir}")
        pointer = self.data_dir / CURRENT_FILE
        staged = self.data_dir / f"{CURRENT_FILE}.{os.getpid()}.tmp"
        staged.write_text(version + "\n", encoding="utf-8")
        staged.replace(pointer)  # atomic: a reader sees the old or the new name, never half

    def label_path(self, version: str) -> Path:
        return self.data_dir / f"{version}{LABEL_SUFFIX}"

    def write_label(self, version: str, label: str, loaded_at: str) -> None:
        """The version's label and load time beside its file: listing versions opens no file."""
        self.label_path(version).write_text(
            json.dumps({"label": label, "loaded_at": loaded_at}), encoding="utf-8"
        )

    def versions(self) -> list[Version]:
        """Every complete version, newest first, with its label and load time."""
        if not self.data_dir.is_dir():
            return []
        current = self.current()
        found = []
        for file in self.data_dir.glob(f"*{VERSION_SUFFIX}"):
            version = file.name.removesuffix(VERSION_SUFFIX)
            try:
                labels = json.loads(self.label_path(version).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                labels = {}
            found.append(
                Version(
                    version,
                    str(labels.get("label", "")),
                    str(labels.get("loaded_at", "")),
                    version == current,
                    file,
                )
            )
        return sorted(found, key=lambda v: v.loaded_at, reverse=True)

    def remove_leftovers(self) -> list[Path]:
        """Delete partial files of loads whose process no longer runs; returns what went."""
        removed: list[Path] = []
        if not self.data_dir.is_dir():
            return removed
        for partial in self.data_dir.glob(f"*{PARTIAL_SUFFIX}*"):
            pid = partial.name.split(".")[1] if partial.name.count(".") >= 2 else ""
            if pid.isdigit() and _process_alive(int(pid)):
                continue
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
            removed.append(partial)
        for staged in self.data_dir.glob(f"{CURRENT_FILE}.*.tmp"):
            with contextlib.suppress(FileNotFoundError):
                staged.unlink()
        return removed

    def prune(self, keep: int) -> list[str]:
        """Delete all but the `keep` newest versions (never the current one)."""
        removed = []
        for old in self.versions()[keep:]:
            if old.is_current:
                continue
            for file in (old.path, Path(f"{old.path}.wal"), self.label_path(old.version)):
                file.unlink(missing_ok=True)
            removed.append(old.version)
        return removed


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# -- connecting ----------------------------------------------------------------------------------


def connect(db_path: str | Path | None = None, *, state: bool = True) -> duckdb.DuckDBPyConnection:
    """A connection that reads the current data set and (with `state`) keeps the saved work.

    Without `state` (the command line) the state file is not opened at all, so the command line
    runs beside an app that holds it. SchemaError if the state file is of a newer layout.
    """
    path = Path(db_path) if db_path is not None else default_db_path()
    if str(path) == MEMORY:
        con = duckdb.connect(MEMORY)
        _ensure_memory_schema(con)
        return con
    path.parent.mkdir(parents=True, exist_ok=True)
    where = Store(path)
    where.data_dir.mkdir(exist_ok=True)
    if not state and path.exists():
        _check_state_file(path, where)
    con = _open_state(path, where) if state else duckdb.connect(MEMORY)
    try:
        follow(con, path)
    except BaseException:
        con.close()
        raise
    return con


def _open_state(path: Path, where: Store) -> duckdb.DuckDBPyConnection:
    """The state file, checked; a damaged one is set aside (renamed, never deleted) and an
    empty one started, with SET_ASIDE_KEY in its meta for the app to say so."""
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise  # held by another process: not damage
        return _fresh_state(path, where)
    try:
        ensure_schema(con, where=str(path), store=where)
        for (table,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchall():
            con.execute(f"SELECT count(*) FROM {_qualified(con, table)}").fetchall()
    except SchemaError:
        con.close()
        raise
    except duckdb.Error:
        con.close()
        return _fresh_state(path, where)
    return con


def _fresh_state(path: Path, where: Store) -> duckdb.DuckDBPyConnection:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    moved = path.with_name(f"{path.name}.damaged-{stamp}")
    path.replace(moved)
    wal = Path(f"{path}.wal")
    if wal.exists():
        wal.replace(Path(f"{moved}.wal"))
    con = duckdb.connect(str(path))
    ensure_schema(con, where=str(path), store=where)
    set_meta(con, SET_ASIDE_KEY, str(moved))
    return con


def _check_state_file(path: Path, where: Store) -> None:
    """Without opening the state for good: refuse a newer layout, migrate an older one. A
    state file held by a running app is left alone (the app keeps it current)."""
    try:
        state_con = duckdb.connect(str(path))
    except duckdb.IOException:
        return
    try:
        ensure_schema(state_con, where=str(path), store=where)
    finally:
        state_con.close()


def _ensure_memory_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Data, caches and state in one in-memory database; a random salt of its own."""
    con.execute(STATE_META_DDL)
    create_data_tables(con)
    # Ephemeral data (tests, checks of an upload) gets a random salt: nothing outlives it.
    con.execute(
        "INSERT INTO dataset_meta VALUES ('salt', ?) ON CONFLICT DO NOTHING",
        [secrets.token_hex(16)],
    )


def create_data_tables(con: duckdb.DuckDBPyConnection, *, gazetteer: bool = True) -> None:
    """The tables of one data set, its meta and its caches (in a version file or in memory);
    gazetteer=False: without the gazetteer, which only a loader resolving places reads."""
    con.execute(DATASET_META_DDL)
    for table, columns in DATA_TABLES_DDL.items():
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
    geo.install(con, gazetteer=gazetteer)


def add_version(
    db_path: str | Path,
    label: str,
    fill: Callable[[duckdb.DuckDBPyConnection], None],
    *,
    role: Role | None,
) -> str:
    """A new data version of data tables that fill(con) writes (no loader, no gazetteer),
    made current when complete; returns its id. As in calc.loaders.load_version, the version
    in use is never touched: fill writes a partial file, which is renamed when complete and
    only then made current, and a failed fill leaves the store as it was. Steward role."""
    require(role, Role.STEWARD)
    where = Store(Path(db_path))
    where.data_dir.mkdir(parents=True, exist_ok=True)
    where.remove_leftovers()
    partial = where.partial_path(uuid.uuid4().hex[:12])
    con = duckdb.connect(str(partial))
    try:
        create_data_tables(con, gazetteer=False)
        con.execute("BEGIN TRANSACTION")
        fill(con)
        version = new_dataset_version(con, label)
        con.execute("COMMIT")
        loaded_at = dataset_value(con, "loaded_at") or ""
        con.execute("CHECKPOINT")
        con.close()
        partial.replace(where.version_path(version))
        where.write_label(version, label, loaded_at)
        where.switch(version, role=role)
        where.prune(Settings.load().keep_versions)
    except BaseException:
        con.close()
        partial.unlink(missing_ok=True)
        Path(f"{partial}.wal").unlink(missing_ok=True)
        raise
    return version


@dataclass(frozen=True)
class Followed:
    """What `follow` found: the version now read, and whether it had to fall back."""

    version: str | None
    fell_back_from: str | None = None  # a current version whose file could not be read


def follow(con: duckdb.DuckDBPyConnection, db_path: str | Path) -> Followed:
    """Point the connection (or cursor) at the store's current version, if it moved.

    The version is attached read-only under its own name, so other cursors reading an older one
    keep working; a current version whose file cannot be read falls back to the newest readable
    one (and says so in the result).
    """
    if str(db_path) == MEMORY:
        return Followed(dataset_version(con))
    where = Store(Path(db_path))
    wanted = where.current()
    tried = [wanted] if wanted else []
    tried += [v.version for v in where.versions() if v.version != wanted]
    base = con.execute("SELECT current_database()").fetchall()[0][0]
    attached = {
        name for (name,) in con.execute("SELECT database_name FROM duckdb_databases()").fetchall()
    }
    for version in tried:
        alias = DATA_ALIAS_PREFIX + version
        try:
            if alias not in attached:
                con.execute(
                    f"ATTACH IF NOT EXISTS '{where.version_path(version)}' AS {alias} (READ_ONLY)"
                )
                _read_through(con, alias)
        except duckdb.Error:
            with contextlib.suppress(duckdb.Error):
                con.execute(f"DETACH DATABASE IF EXISTS {alias}")
            continue
        con.execute(f"SET search_path = '{base}.main,{alias}.main'")
        return Followed(version, None if version == wanted else wanted)
    con.execute(f"SET search_path = '{base}.main'")
    return Followed(None, wanted)


def _read_through(con: duckdb.DuckDBPyConnection, alias: str) -> None:
    """Read every block of a version once, when it is first attached: a damaged file fails
    here (DuckDB checks each block) instead of on some page later."""
    for table in ("dataset_meta", *DATA_TABLES_DDL):
        con.execute(f"SELECT count(*), max(hash(t)) FROM {alias}.{table} t").fetchall()


# -- the state file ------------------------------------------------------------------------------


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The layout version of the open state file; None if Wegbilanz never set it up.

    SchemaError if the recorded version is not one that this code knows how to read.
    """
    has_meta = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'meta'"
        " AND schema_name = 'main' AND database_name = current_database()"
    ).fetchall()[0][0]
    if not has_meta:
        return None
    rows = con.execute(
        f"SELECT value FROM {_qualified(con, 'meta')} WHERE key = ?", [SCHEMA_VERSION_KEY]
    ).fetchall()
    if not rows:
        return UNVERSIONED_SCHEMA
    recorded = rows[0][0]
    try:
        version = int(recorded)
    except ValueError:
        raise SchemaError(repr(recorded)) from None
    if version > SCHEMA_VERSION:
        raise SchemaError(recorded)
    return version


def _qualified(con: duckdb.DuckDBPyConnection, table: str) -> str:
    base = con.execute("SELECT current_database()").fetchall()[0][0]
    return f'"{base}".main.{table}'


def _migrate_1_to_2(con: duckdb.DuckDBPyConnection, store: Store) -> None:
    """Version 1 had the same tables; it only lacked the version row, which migrate() writes."""
    del store  # nothing moves


def _export_data_set(con: duckdb.DuckDBPyConnection, store: Store) -> None:
    """Before the 2 → 3 step: copy the loaded data set of an old single file (tables, its
    meta, the caches) into a version file of its own and make it current. Outside the
    migration's transaction (DuckDB attaches files only outside one); running it twice writes
    the same version again, so a migration that failed later can simply be retried."""
    tables = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchall()
    }
    meta = _qualified(con, "meta")
    old_meta = dict(con.execute(f"SELECT key, value FROM {meta}").fetchall())
    version = old_meta.get("dataset_version")
    moved = [t for t in (*DATA_TABLES_DDL, "distance_cache", "geocode_cache") if t in tables]
    if version and "offices" in tables:
        store.data_dir.mkdir(exist_ok=True)
        partial = store.partial_path(version)
        alias = "migrating"
        con.execute(f"ATTACH '{partial}' AS {alias}")
        try:
            for table in moved:
                con.execute(
                    f"CREATE TABLE {alias}.{table} AS SELECT * FROM {_qualified(con, table)}"
                )
            con.execute(
                f"CREATE TABLE {alias}.dataset_meta (key VARCHAR PRIMARY KEY, value VARCHAR)"
            )
            con.execute(
                f"INSERT INTO {alias}.dataset_meta VALUES ('dataset_version', ?), "
                "('dataset_label', ?), ('loaded_at', ?)",
                [version, old_meta.get("dataset_label", ""), _now()],
            )
        finally:
            con.execute(f"DETACH {alias}")
        partial.replace(store.version_path(version))
        store.write_label(version, old_meta.get("dataset_label", ""), _now())
        store.switch(version, role=Role.STEWARD)  # the layout's own upgrade, on opening


def _migrate_2_to_3(con: duckdb.DuckDBPyConnection, store: Store) -> None:
    """Drop the data set (exported by _export_data_set) and the old salt from the state file:
    it keeps the saved work only, and no secret of the pseudonyms."""
    del store  # the export ran before the transaction
    tables = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchall()
    }
    data_tables = (*DATA_TABLES_DDL, "distance_cache", "geocode_cache", "gazetteer")
    for table in (t for t in data_tables if t in tables):
        con.execute(f"DROP TABLE IF EXISTS {_qualified(con, table)}")
    con.execute(
        f"DELETE FROM {_qualified(con, 'meta')} "
        "WHERE key IN ('salt', 'dataset_version', 'dataset_label')"
    )


def _migrate_3_to_4(con: duckdb.DuckDBPyConnection, store: Store) -> None:
    """Workshop actions get their row version (1 for every stored action)."""
    del store
    has_actions = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'workshop_actions'"
        " AND database_name = current_database()"
    ).fetchall()[0][0]
    if has_actions:
        con.execute(
            f"ALTER TABLE {_qualified(con, 'workshop_actions')} "
            "ADD COLUMN IF NOT EXISTS row_version INTEGER DEFAULT 1"
        )


# MIGRATIONS[n] brings a state file from version n to n + 1.
MIGRATIONS: dict[int, Callable[[duckdb.DuckDBPyConnection, Store], None]] = {
    1: _migrate_1_to_2,
    2: _migrate_2_to_3,
    3: _migrate_3_to_4,
}


def migrate(con: duckdb.DuckDBPyConnection, found: int, store: Store) -> None:
    """Bring a state file of layout version `found` up to SCHEMA_VERSION, all steps or none."""
    if found < LAYOUT_WITH_DATA_APART:
        _export_data_set(con, store)
    con.execute("BEGIN TRANSACTION")
    try:
        for version in range(found, SCHEMA_VERSION):
            MIGRATIONS[version](con, store)
        set_meta(con, SCHEMA_VERSION_KEY, str(SCHEMA_VERSION))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def ensure_schema(
    con: duckdb.DuckDBPyConnection, where: str = "the database", store: Store | None = None
) -> None:
    """Set up a new state file, migrate an older one; SchemaError (nothing changed) if newer."""
    try:
        found = schema_version(con)
    except SchemaError as error:
        raise SchemaError(error.found, where) from None
    if found is not None and found < SCHEMA_VERSION:
        migrate(con, found, store or Store(Path(where)))
    con.execute(STATE_META_DDL)
    if found is None:
        set_meta(con, SCHEMA_VERSION_KEY, str(SCHEMA_VERSION))


def meta_value(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    """A value of the state's meta table."""
    # fetchall, not fetchone: DuckDB keeps a half-read result open and refuses register() then
    rows = con.execute(
        f"SELECT value FROM {_qualified(con, 'meta')} WHERE key = ?", [key]
    ).fetchall()
    return rows[0][0] if rows else None


def clear_meta(con: duckdb.DuckDBPyConnection, key: str) -> None:
    con.execute(f"DELETE FROM {_qualified(con, 'meta')} WHERE key = ?", [key])


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute(
        f"INSERT INTO {_qualified(con, 'meta')} VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )


# -- the data set's own meta ---------------------------------------------------------------------


def dataset_value(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    """A value of the current data set's meta (version, label, load time); None if none."""
    try:
        rows = con.execute("SELECT value FROM dataset_meta WHERE key = ?", [key]).fetchall()
    except duckdb.CatalogException:
        return None  # no data set loaded yet
    return rows[0][0] if rows else None


def dataset_version(con: duckdb.DuckDBPyConnection) -> str:
    """An id that changes with every successful load: the key for everything cached on data."""
    return dataset_value(con, "dataset_version") or NO_DATA_VERSION


def new_dataset_version(con: duckdb.DuckDBPyConnection, label: str) -> str:
    """Record a new data set's id, label and load time in its own meta (inside the load)."""
    version = uuid.uuid4().hex[:12]
    for key, value in (
        ("dataset_version", version),
        ("dataset_label", label),
        ("loaded_at", _now()),
    ):
        con.execute(
            "INSERT INTO dataset_meta VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )
    return version


def _now() -> str:
    # Microseconds and a monotonic tiebreak: two loads in one second still sort in order.
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + f"-{time.monotonic_ns():020d}"


def has_data(con: duckdb.DuckDBPyConnection) -> bool:
    return dataset_version(con) != NO_DATA_VERSION


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per loaded table (0 for every table before the first load)."""
    counts = {}
    for table in DATA_TABLES_DDL:  # the schema's own names, no user input
        try:
            counts[table] = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        except duckdb.CatalogException:
            counts[table] = 0  # no data version attached yet
    return counts
