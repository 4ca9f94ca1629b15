"""Named scenarios kept in the database, and scenario files to share them.

Saved scenarios live in the same DuckDB file as the data, in their own table, so they survive a
restart and a new data load (a scenario whose base year is no longer loaded still loads; applying
it then says so). A scenario file holds one or several named scenarios as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import duckdb

from calc.roles import Role, require
from calc.scenario import Scenario, ScenarioError

MAX_NAME_CHARS = 80
FILE_FORMAT = "wegbilanz-scenarios"
FILE_VERSION = 1

_TABLE_DDL = """
    CREATE TABLE IF NOT EXISTS scenarios (
        name VARCHAR PRIMARY KEY, scenario_json VARCHAR NOT NULL, saved_at TIMESTAMP NOT NULL
    )"""


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create the scenarios table if it is missing; safe to call any number of times."""
    con.execute(_TABLE_DDL)


def clean_name(name: str) -> str:
    """The name as stored: trimmed, inner whitespace collapsed; ScenarioError if unusable."""
    cleaned = " ".join(str(name).split())
    if not cleaned:
        raise ScenarioError("a scenario needs a name")
    if len(cleaned) > MAX_NAME_CHARS:
        raise ScenarioError(f"a scenario name has at most {MAX_NAME_CHARS} characters")
    return cleaned


def save(
    con: duckdb.DuckDBPyConnection, name: str, scenario: Scenario, *, role: Role | None
) -> str:
    """Store the scenario under name, replacing one of the same name. Returns the stored name.
    Needs the editor role (RoleError)."""
    require(role, Role.EDITOR)
    ensure_table(con)
    stored = clean_name(name)
    con.execute(
        """
        INSERT INTO scenarios VALUES (?, ?, current_localtimestamp())
        ON CONFLICT (name) DO UPDATE
            SET scenario_json = excluded.scenario_json, saved_at = excluded.saved_at
        """,
        [stored, scenario.to_json()],
    )
    return stored


def names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The saved scenarios' names, alphabetically (case-insensitive)."""
    ensure_table(con)
    rows = con.execute("SELECT name FROM scenarios ORDER BY lower(name), name").fetchall()
    return [name for (name,) in rows]


def load(con: duckdb.DuckDBPyConnection, name: str) -> Scenario:
    """The saved scenario; KeyError if there is none of that name."""
    ensure_table(con)
    rows = con.execute("SELECT scenario_json FROM scenarios WHERE name = ?", [name]).fetchall()
    if not rows:
        raise KeyError(f"no saved scenario named {name!r}")
    return Scenario.from_json(rows[0][0])


def delete(con: duckdb.DuckDBPyConnection, name: str, *, role: Role | None) -> None:
    """Remove the saved scenario of that name (nothing happens if there is none); editor role."""
    require(role, Role.EDITOR)
    ensure_table(con)
    con.execute("DELETE FROM scenarios WHERE name = ?", [name])


def export_json(scenarios: Mapping[str, Scenario]) -> str:
    """A scenario file: {"format", "version", "scenarios": [{"name", "scenario"}, ...]}."""
    entries = [
        {"name": clean_name(name), "scenario": scenario.to_dict()}
        for name, scenario in scenarios.items()
    ]
    document = {"format": FILE_FORMAT, "version": FILE_VERSION, "scenarios": entries}
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True)


def import_json(text: str | bytes, default_name: str = "imported") -> dict[str, Scenario]:
    """The named scenarios of a scenario file, in file order; ScenarioError if it is not one.

    Also reads a single scenario as Scenario.to_json writes it, named default_name.
    """
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"not a scenario file: {exc}") from exc
    if not isinstance(document, dict):
        raise ScenarioError("not a scenario file: expected a JSON object")
    if "scenarios" not in document:
        return {clean_name(default_name): Scenario.from_dict(document)}
    if document.get("format") != FILE_FORMAT:
        raise ScenarioError(f"not a scenario file: format is not {FILE_FORMAT!r}")
    if document.get("version") != FILE_VERSION:
        raise ScenarioError(f"scenario file version {document.get('version')!r} is not supported")
    entries = document["scenarios"]
    if not isinstance(entries, list):
        raise ScenarioError("not a scenario file: 'scenarios' must be a list")
    scenarios: dict[str, Scenario] = {}
    for number, entry in enumerate(entries, start=1):
        name, scenario = _entry(number, entry)
        if name in scenarios:
            raise ScenarioError(f"scenario {number}: the name {name!r} appears twice")
        scenarios[name] = scenario
    return scenarios


def _entry(number: int, entry: Any) -> tuple[str, Scenario]:
    if not isinstance(entry, dict) or set(entry) != {"name", "scenario"}:
        raise ScenarioError(f"scenario {number}: expected an object with name and scenario")
    try:
        return clean_name(entry["name"]), Scenario.from_dict(entry["scenario"])
    except ScenarioError as exc:
        raise ScenarioError(f"scenario {number}: {exc}") from exc
