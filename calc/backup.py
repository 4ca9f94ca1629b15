"""Backups of the saved work: scenarios, workshops (actions, targets, notes) and votes (with
their options and anonymous ballots) in one JSON file.

An export reads the state tables as they are; an import replaces the saved work with a backup's
in one transaction (all or nothing), so a restore never mixes two states. The file names its
format and the layout version it was written at; a backup of a newer layout is refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import Any

import duckdb

from calc import saved, store, voting, workshop
from calc.roles import Role, require

FILE_FORMAT = "wegbilanz-state"
# The state tables in the order a restore fills them (actions after their workspaces).
TABLES = (
    "scenarios",
    "workshop_spaces",
    "workshop_actions",
    "workshop_targets",
    "workshop_notes",
    "votes",
    "vote_options",
    "vote_ballots",
)


class BackupError(ValueError):
    """A file that is not a usable backup; the message says why."""


def _ensure(con: duckdb.DuckDBPyConnection) -> None:
    saved.ensure_table(con)
    workshop.ensure_tables(con)
    voting.ensure_tables(con)


def export_state(con: duckdb.DuckDBPyConnection) -> bytes:
    """Every saved scenario and workshop as one JSON document (UTF-8)."""
    _ensure(con)
    tables = {}
    for table in TABLES:  # our own table names, no user input
        result = con.execute(f"SELECT * FROM {table} ORDER BY ALL")
        columns = [column[0] for column in result.description]
        tables[table] = [
            dict(zip(columns, map(_plain, row), strict=True)) for row in result.fetchall()
        ]
    document = {
        "format": FILE_FORMAT,
        "schema_version": store.SCHEMA_VERSION,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "tables": tables,
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def _plain(value: Any) -> Any:
    """A cell as JSON can hold it: dates as ISO text, no NaN."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def import_state(
    con: duckdb.DuckDBPyConnection, data: bytes | str, *, role: Role | None
) -> dict[str, int]:
    """Replace the saved work with a backup's; returns the rows restored per table. Needs the
    steward role (RoleError): a restore replaces everyone's work."""
    require(role, Role.STEWARD)
    document = _read(data)
    _ensure(con)
    tables: Mapping[str, list[dict[str, Any]]] = document["tables"]
    con.execute("BEGIN TRANSACTION")
    try:
        for table in reversed(TABLES):
            con.execute(f"DELETE FROM {table}")
        for table in TABLES:
            rows = tables.get(table, [])
            known = {
                name
                for (name,) in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE table_name = ?"
                    " AND database_name = current_database()",
                    [table],
                ).fetchall()
            }
            for row in rows:
                columns = list(row)
                if not set(columns) <= known:
                    raise BackupError(
                        f"not a Wegbilanz backup ({table} has unknown columns: "
                        f"{', '.join(sorted(set(columns) - known))})"
                    )
                placeholders = ", ".join("?" for _ in columns)
                quoted = ", ".join(f'"{c}"' for c in columns)
                con.execute(
                    f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})",
                    [row[c] for c in columns],
                )
        if tables.get("workshop_actions"):
            # Later actions continue after the restored ids: the sequence is moved past them
            # (a sequence cannot be reset while the table's default uses it).
            top = max(int(r["action_id"]) for r in tables["workshop_actions"])
            con.execute(
                "SELECT max(nextval('workshop_action_ids')) FROM range(?)", [top]
            ).fetchall()
        con.execute("COMMIT")
    except duckdb.Error as error:
        _rollback(con)
        raise BackupError(f"the backup does not fit this database: {error}") from error
    except BaseException:
        _rollback(con)
        raise
    return {table: len(tables.get(table, [])) for table in TABLES}


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.TransactionException):  # a failed COMMIT ended it already
        con.execute("ROLLBACK")


def _read(data: bytes | str) -> dict[str, Any]:
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"not a Wegbilanz backup (no JSON: {error})") from None
    if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
        raise BackupError("not a Wegbilanz backup (the file names no 'wegbilanz-state' format)")
    version = document.get("schema_version")
    if not isinstance(version, int) or version > store.SCHEMA_VERSION:
        raise BackupError(
            f"a backup of layout {version!r}: this version of Wegbilanz reads up to "
            f"{store.SCHEMA_VERSION}"
        )
    tables = document.get("tables")
    if not isinstance(tables, dict) or not all(
        isinstance(rows, list) and all(isinstance(r, dict) for r in rows)
        for rows in tables.values()
    ):
        raise BackupError("not a Wegbilanz backup (no tables of rows)")
    unknown = set(tables) - set(TABLES)
    if unknown:
        raise BackupError(f"not a Wegbilanz backup (unknown tables: {', '.join(sorted(unknown))})")
    return document
