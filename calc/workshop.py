"""The climate team's cycle: diagnose → plan → act → anchor, kept in DuckDB per workspace.

Diagnose ranks the hotspots of the result rows. Plan and act keep actions (owner, deadline,
status and an estimated effect in t CO2e per year: from a saved scenario through the scenario
engine, or entered by hand with a note for measures outside mobility). Anchor holds yearly
targets against a base year and sets the measured years and the actions against them.
Several teams keep separate workspaces in the same database; the data set can be reloaded
without touching them. Exports: an Excel workbook and a printable HTML page.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd

from calc import locale, xlsx
from calc.roles import Role, require
from calc.schema import STAFF_GROUP, Channel
from calc.units import KG_PER_T

STATUSES: tuple[str, ...] = ("planned", "doing", "done")
# Set against the gap to a target: done actions already show in the measured years.
OPEN_STATUSES: tuple[str, ...] = ("planned", "doing")
STAGES: tuple[str, ...] = ("diagnose", "plan", "act", "anchor")
MAX_NAME_CHARS = 60

_DDL = (
    """CREATE TABLE IF NOT EXISTS workshop_spaces (
        space VARCHAR PRIMARY KEY,
        base_year INTEGER,
        created_at TIMESTAMP NOT NULL DEFAULT current_timestamp)""",
    "CREATE SEQUENCE IF NOT EXISTS workshop_action_ids",
    f"""CREATE TABLE IF NOT EXISTS workshop_actions (
        action_id INTEGER PRIMARY KEY DEFAULT nextval('workshop_action_ids'),
        space VARCHAR NOT NULL,
        title VARCHAR NOT NULL,
        description VARCHAR NOT NULL DEFAULT '',
        owner VARCHAR NOT NULL DEFAULT '',
        deadline DATE,
        status VARCHAR NOT NULL CHECK (status IN {STATUSES!r}),
        scenario VARCHAR,
        effect_t_per_year DOUBLE,
        effect_note VARCHAR NOT NULL DEFAULT '',
        updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
        row_version INTEGER NOT NULL DEFAULT 1)""",
    """CREATE TABLE IF NOT EXISTS workshop_targets (
        space VARCHAR NOT NULL,
        year INTEGER NOT NULL,
        reduction_share DOUBLE NOT NULL CHECK (reduction_share BETWEEN 0 AND 1),
        PRIMARY KEY (space, year))""",
    """CREATE TABLE IF NOT EXISTS workshop_notes (
        space VARCHAR NOT NULL,
        stage VARCHAR NOT NULL,
        note VARCHAR NOT NULL,
        updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
        PRIMARY KEY (space, stage))""",
)

ACTION_COLUMNS = [
    "action_id",
    "title",
    "description",
    "owner",
    "deadline",
    "status",
    "scenario",
    "effect_t_per_year",
    "effect_note",
    "updated_at",
    "row_version",
]
# What a person edits in an action: what a conflict message names when someone else changed it.
EDITABLE_FIELDS = (
    "title",
    "description",
    "owner",
    "deadline",
    "status",
    "scenario",
    "effect_t_per_year",
    "effect_note",
)


class WorkshopError(ValueError):
    """Input the workshop cannot keep: an empty title, an unknown status, an effect by hand
    without a note, a share outside 0–100 %. `code` names the problem for a translated text."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class ConflictError(WorkshopError):
    """Someone else saved the action since this edit began: nothing was written. `changes`
    holds what they changed (field -> its value now), `current` the action as stored."""

    def __init__(self, current: Action, changes: dict[str, object]) -> None:
        super().__init__(
            "conflict",
            f"action {current.action_id} was changed in the meantime: "
            + ", ".join(f"{name} is now {value!r}" for name, value in changes.items()),
        )
        self.current = current
        self.changes = changes


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the workshop tables if they are missing; safe to call on every page run."""
    for statement in _DDL:
        con.execute(statement)


# -- workspaces ------------------------------------------------------------------------------


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise WorkshopError("name_missing", "a workspace needs a name")
    if len(cleaned) > MAX_NAME_CHARS:
        raise WorkshopError(
            "name_too_long", f"a workspace name has at most {MAX_NAME_CHARS} characters"
        )
    return cleaned


def workspaces(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0] for r in con.execute("SELECT space FROM workshop_spaces ORDER BY space").fetchall()
    ]


def create_workspace(
    con: duckdb.DuckDBPyConnection, name: str, base_year: int, *, role: Role | None
) -> str:
    """A new, empty workspace (or the existing one of that name); returns its clean name."""
    require(role, Role.EDITOR)
    space = _clean_name(name)
    con.execute(
        "INSERT INTO workshop_spaces (space, base_year) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [space, base_year],
    )
    return space


def base_year(con: duckdb.DuckDBPyConnection, space: str) -> int | None:
    """The year the workspace's targets count against."""
    found = con.execute("SELECT base_year FROM workshop_spaces WHERE space = ?", [space]).fetchall()
    return found[0][0] if found else None


def set_base_year(
    con: duckdb.DuckDBPyConnection, space: str, year: int, *, role: Role | None
) -> None:
    require(role, Role.EDITOR)
    con.execute("UPDATE workshop_spaces SET base_year = ? WHERE space = ?", [year, space])


# -- actions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One measure of the plan. Its effect comes from `scenario` (a saved scenario's name), or
    from `effect_t_per_year` entered by hand with `effect_note`, or is not estimated yet."""

    title: str
    description: str = ""
    owner: str = ""
    deadline: date | None = None
    status: str = "planned"
    scenario: str | None = None
    effect_t_per_year: float | None = None
    effect_note: str = ""
    action_id: int | None = None  # None: not stored yet
    # The stored version this copy was read at (0: not stored yet); not part of its content.
    row_version: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise WorkshopError("title_missing", "an action needs a title")
        if self.status not in STATUSES:
            raise WorkshopError("status_unknown", f"status must be one of {', '.join(STATUSES)}")
        if self.scenario and self.effect_t_per_year is not None:
            raise WorkshopError(
                "effect_both", "an effect comes from a scenario or by hand, not both"
            )
        if self.effect_t_per_year is not None:
            if not math.isfinite(self.effect_t_per_year):
                raise WorkshopError("effect_not_number", "the effect must be a number")
            if not self.effect_note.strip():
                raise WorkshopError(
                    "note_missing", "an effect entered by hand needs a note on how it was estimated"
                )


def actions(con: duckdb.DuckDBPyConnection, space: str) -> pd.DataFrame:
    """The workspace's actions, by deadline (undated last), then title."""
    return con.execute(
        f"""SELECT {", ".join(ACTION_COLUMNS)} FROM workshop_actions WHERE space = ?
            ORDER BY deadline NULLS LAST, title, action_id""",
        [space],
    ).df()


def action(con: duckdb.DuckDBPyConnection, space: str, action_id: int) -> Action:
    frame = actions(con, space)
    found = frame[frame["action_id"] == action_id]
    if found.empty:
        raise WorkshopError("action_missing", f"no action {action_id} in workspace {space!r}")
    row = found.iloc[0]
    deadline = row["deadline"]
    return Action(
        title=row["title"],
        description=row["description"],
        owner=row["owner"],
        deadline=None if pd.isna(deadline) else pd.Timestamp(deadline).date(),
        status=row["status"],
        scenario=None if pd.isna(row["scenario"]) else row["scenario"],
        effect_t_per_year=None
        if pd.isna(row["effect_t_per_year"])
        else float(row["effect_t_per_year"]),
        effect_note=row["effect_note"],
        action_id=int(row["action_id"]),
        row_version=int(row["row_version"]),
    )


def save_action(
    con: duckdb.DuckDBPyConnection,
    space: str,
    item: Action,
    base: Action | None = None,
    *,
    role: Role | None,
) -> int:
    """Insert a new action or update a stored one; returns its id.

    An update is written only if the stored action is still at `base.row_version` (`base`: the
    action as the edit began from it; default: item's own version): otherwise ConflictError
    names what the other save changed since `base` (without one: every field that now differs
    from item), and nothing is written. Concurrent saves never lose one another's changes.
    """
    require(role, Role.EDITOR)
    values = [
        item.title.strip(),
        item.description.strip(),
        item.owner.strip(),
        item.deadline,
        item.status,
        item.scenario or None,
        item.effect_t_per_year,
        item.effect_note.strip(),
    ]
    if item.action_id is None:
        return con.execute(
            """INSERT INTO workshop_actions (space, title, description, owner, deadline, status,
                   scenario, effect_t_per_year, effect_note)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING action_id""",
            [space, *values],
        ).fetchall()[0][0]
    started_from = base or item
    try:
        updated = con.execute(
            """UPDATE workshop_actions SET title = ?, description = ?, owner = ?, deadline = ?,
                   status = ?, scenario = ?, effect_t_per_year = ?, effect_note = ?,
                   updated_at = current_timestamp, row_version = row_version + 1
               WHERE space = ? AND action_id = ? AND row_version = ? RETURNING action_id""",
            [*values, space, item.action_id, started_from.row_version],
        ).fetchall()
    except duckdb.TransactionException:
        updated = []  # another session's write to the same row won the race: a conflict
    if not updated:
        current = action(con, space, item.action_id)  # WorkshopError if it was deleted
        raise ConflictError(current, _changes(started_from, current))
    return item.action_id


def _changes(before: Action, now: Action) -> dict[str, object]:
    """The editable fields that differ between two copies of an action, with their new values."""
    return {
        name: getattr(now, name)
        for name in EDITABLE_FIELDS
        if getattr(now, name) != getattr(before, name)
    }


def set_status(
    con: duckdb.DuckDBPyConnection, space: str, action_id: int, status: str, *, role: Role | None
) -> None:
    """Move an action on the board (a change other editors are told about)."""
    require(role, Role.EDITOR)
    if status not in STATUSES:
        raise WorkshopError("status_unknown", f"status must be one of {', '.join(STATUSES)}")
    con.execute(
        """UPDATE workshop_actions
           SET status = ?, updated_at = current_timestamp, row_version = row_version + 1
           WHERE space = ? AND action_id = ?""",
        [status, space, action_id],
    )


def delete_action(
    con: duckdb.DuckDBPyConnection, space: str, action_id: int, *, role: Role | None
) -> None:
    require(role, Role.EDITOR)
    con.execute(
        "DELETE FROM workshop_actions WHERE space = ? AND action_id = ?", [space, action_id]
    )


@dataclass(frozen=True)
class Saving:
    """What a saved scenario saves per year, with the range from the factors' bounds."""

    kg: float
    low_kg: float
    high_kg: float


def effects(table: pd.DataFrame, savings: Mapping[str, Saving]) -> pd.DataFrame:
    """The actions with their effect in t CO2e per year (effect_t, effect_low_t, effect_high_t)
    and where it comes from (effect_source): scenario, manual, missing (the scenario was
    deleted) or none (not estimated yet)."""
    records = []
    for row in table.itertuples(index=False):
        name = None if pd.isna(row.scenario) else row.scenario
        if name:
            saving = savings.get(name)
            if saving is None:
                records.append(("missing", math.nan, math.nan, math.nan))
            else:
                records.append(
                    (
                        "scenario",
                        saving.kg / KG_PER_T,
                        saving.low_kg / KG_PER_T,
                        saving.high_kg / KG_PER_T,
                    )
                )
        elif not pd.isna(row.effect_t_per_year):
            value = float(row.effect_t_per_year)
            records.append(("manual", value, value, value))
        else:
            records.append(("none", math.nan, math.nan, math.nan))
    columns = ["effect_source", "effect_t", "effect_low_t", "effect_high_t"]
    extra = pd.DataFrame(records, columns=columns, index=table.index)
    return pd.concat([table, extra.astype({c: float for c in columns[1:]})], axis=1)


# -- notes and targets -----------------------------------------------------------------------


def note(con: duckdb.DuckDBPyConnection, space: str, stage: str) -> str:
    found = con.execute(
        "SELECT note FROM workshop_notes WHERE space = ? AND stage = ?", [space, stage]
    ).fetchall()
    return found[0][0] if found else ""


def save_note(
    con: duckdb.DuckDBPyConnection, space: str, stage: str, text: str, *, role: Role | None
) -> None:
    require(role, Role.EDITOR)
    if stage not in STAGES:
        raise WorkshopError("stage_unknown", f"stage must be one of {', '.join(STAGES)}")
    con.execute(
        """INSERT INTO workshop_notes (space, stage, note) VALUES (?, ?, ?)
           ON CONFLICT (space, stage) DO UPDATE
           SET note = excluded.note, updated_at = now()""",
        [space, stage, text],
    )


def notes(con: duckdb.DuckDBPyConnection, space: str) -> pd.DataFrame:
    """stage, note of the stages that have one, in the order of the cycle."""
    found = con.execute(
        "SELECT stage, note FROM workshop_notes WHERE space = ? AND note <> ''", [space]
    ).df()
    order = {stage: i for i, stage in enumerate(STAGES)}
    return found.sort_values("stage", key=lambda s: s.map(order), ignore_index=True)


def targets(con: duckdb.DuckDBPyConnection, space: str) -> pd.DataFrame:
    """year, reduction_share (0.5 = −50 % against the workspace's base year)."""
    return con.execute(
        "SELECT year, reduction_share FROM workshop_targets WHERE space = ? ORDER BY year",
        [space],
    ).df()


def save_targets(
    con: duckdb.DuckDBPyConnection, space: str, table: pd.DataFrame, *, role: Role | None
) -> None:
    """Replace the workspace's targets by the rows of `table` (year, reduction_share)."""
    require(role, Role.EDITOR)
    clean = table.dropna(subset=["year", "reduction_share"])
    if clean["year"].duplicated().any():
        raise WorkshopError("target_year_twice", "one target per year")
    if not clean["reduction_share"].between(0, 1).all():
        raise WorkshopError("target_share_range", "a target reduction lies between 0 % and 100 %")
    records = [
        [space, int(row.year), float(row.reduction_share)] for row in clean.itertuples(index=False)
    ]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM workshop_targets WHERE space = ?", [space])
        if records:
            con.executemany("INSERT INTO workshop_targets VALUES (?, ?, ?)", records)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


# -- diagnose --------------------------------------------------------------------------------


def hotspots(rows: pd.DataFrame, reference: int, current: int) -> pd.DataFrame:
    """Where the current year's emissions come from, largest first: kind (office, channel,
    group, staff), item (office id, channel, client group, or staff activity), kg_co2e,
    share of the current total, reference_kg and change_share against the reference year."""
    channels = [c.value for c in Channel]
    is_client = rows["group"] != STAFF_GROUP
    views = {
        "office": (rows, "office_id"),
        "channel": (rows[rows["activity"].isin(channels)], "activity"),
        "group": (rows[is_client], "group"),
        "staff": (rows[~is_client], "activity"),
    }
    total_kg = float(rows.loc[rows["year"] == current, "kg_co2e"].sum())
    parts = []
    for kind, (subset, key) in views.items():
        years = subset[subset["year"].isin([reference, current])]
        by_year = years.pivot_table(
            index=key, columns="year", values="kg_co2e", aggfunc="sum", fill_value=0.0
        )
        kg = by_year.get(current, pd.Series(0.0, index=by_year.index))
        reference_kg = by_year.get(reference, pd.Series(0.0, index=by_year.index))
        parts.append(
            pd.DataFrame(
                {
                    "kind": kind,
                    "item": by_year.index.astype(str),
                    "kg_co2e": kg.to_numpy(),
                    "reference_kg": reference_kg.to_numpy(),
                }
            )
        )
    table = pd.concat(parts, ignore_index=True)
    table = table[table["kg_co2e"] > 0]
    change = (table["kg_co2e"] - table["reference_kg"]) / table["reference_kg"].where(
        table["reference_kg"] > 0
    )
    table = table.assign(
        share=table["kg_co2e"] / total_kg if total_kg else math.nan, change_share=change
    )
    return table.sort_values("kg_co2e", ascending=False, ignore_index=True)[
        ["kind", "item", "kg_co2e", "share", "reference_kg", "change_share"]
    ]


# -- anchor ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """The measured years against the targets, and the actions against what is left to cut."""

    base_year: int
    base_kg: float
    path: pd.DataFrame  # year, measured_kg (NaN where not measured), target_kg (NaN: no target)
    current_year: int
    current_kg: float
    target_year: int | None
    target_kg: float
    gap_kg: float  # current − target: still to cut (≤ 0: the target is met already)
    actions_kg: dict[str, float]  # estimated effect per year, summed per status

    @property
    def open_kg(self) -> float:
        """What the actions not done yet add up to."""
        return sum(self.actions_kg[status] for status in OPEN_STATUSES)

    @property
    def covered_share(self) -> float:
        """How much of the gap the open actions cover (1 when there is no gap left)."""
        return self.open_kg / self.gap_kg if self.gap_kg > 0 else 1.0


def progress(
    totals_kg: Mapping[int, float],
    base: int,
    current: int,
    target_table: pd.DataFrame,
    action_effects: pd.DataFrame,
    target_year: int | None = None,
) -> Progress:
    """totals_kg: measured kg per year (model.totals of the rows the page shows); the gap is
    measured from the current year to target_year (by default the last target)."""
    base_kg = float(totals_kg.get(base, math.nan))
    years_targeted = target_table["year"].astype(int)
    shares = dict(zip(years_targeted, target_table["reduction_share"], strict=True))
    years = sorted(set(totals_kg) | set(shares) | {base})
    targets_kg = {year: base_kg * (1 - share) for year, share in shares.items()}
    targets_kg.setdefault(base, base_kg)  # the path starts at the base year
    path = pd.DataFrame(
        {
            "year": years,
            "measured_kg": [totals_kg.get(y, math.nan) for y in years],
            "target_kg": [targets_kg.get(y, math.nan) for y in years],
        }
    )
    if target_year is None and shares:
        target_year = max(shares)
    target_kg = targets_kg[target_year] if target_year in shares else math.nan
    current_kg = float(totals_kg.get(current, math.nan))
    by_status = action_effects.groupby("status")["effect_t"].sum()  # not estimated: 0
    return Progress(
        base_year=base,
        base_kg=base_kg,
        path=path,
        current_year=current,
        current_kg=current_kg,
        target_year=target_year,
        target_kg=target_kg,
        gap_kg=current_kg - target_kg,
        actions_kg={s: float(by_status.get(s, 0.0)) * KG_PER_T for s in STATUSES},
    )


# -- export ----------------------------------------------------------------------------------


def plan_tables(
    action_effects: pd.DataFrame,
    target_progress: Progress | None,
    hotspot_table: pd.DataFrame,
    note_table: pd.DataFrame,
) -> dict[str, pd.DataFrame]:
    """The plan as tables keyed by sheet name, in stable English column names (a page may
    relabel them in its language before writing)."""
    plan = action_effects[
        [
            "title",
            "description",
            "owner",
            "deadline",
            "status",
            "effect_t",
            "effect_low_t",
            "effect_high_t",
            "effect_source",
            "scenario",
            "effect_note",
        ]
    ]
    tables = {"actions": plan.reset_index(drop=True)}
    if target_progress is not None:
        path = target_progress.path
        tables["targets"] = pd.DataFrame(
            {
                "year": path["year"],
                "measured_t": path["measured_kg"] / KG_PER_T,
                "target_t": path["target_kg"] / KG_PER_T,
            }
        )
    tables["hotspots"] = hotspot_table.assign(t_co2e=hotspot_table["kg_co2e"] / KG_PER_T)[
        ["kind", "item", "t_co2e", "share", "change_share"]
    ]
    tables["notes"] = note_table.reset_index(drop=True)
    return tables


# How each column of plan_tables is formatted in a workbook.
PLAN_KINDS: dict[str, xlsx.Kind] = {
    "deadline": xlsx.Kind.DATE,
    "effect_t": xlsx.Kind.TONNES,
    "effect_low_t": xlsx.Kind.TONNES,
    "effect_high_t": xlsx.Kind.TONNES,
    "year": xlsx.Kind.YEAR,
    "measured_t": xlsx.Kind.TONNES,
    "target_t": xlsx.Kind.TONNES,
    "t_co2e": xlsx.Kind.TONNES,
    "share": xlsx.Kind.PERCENT,
    "change_share": xlsx.Kind.PERCENT,
}
# Coded columns and the catalogue prefix of their values' texts.
_PLAN_CODES: dict[str, str] = {
    "status": "workshop.status",
    "effect_source": "workshop.source",
    "kind": "workshop.kind",
    "stage": "workshop.step",
}


def item_label(kind: str, item: str, lang: str, office_names: Mapping[str, str]) -> str:
    """A hotspot's item in words: the office's name, the client group or the activity."""
    if kind == "office":
        return office_names.get(item, item)
    key = f"group.{item}" if kind == "group" else f"activity.{item}"
    return locale.text(key, lang) if locale.has(key) else item


def plan_sheets(
    tables: Mapping[str, pd.DataFrame], lang: str, office_names: Mapping[str, str] | None = None
) -> list[xlsx.Sheet]:
    """plan_tables in the language `lang`: sheet names, headers, statuses, kinds and hotspot
    items in words, each column with its format."""
    names = office_names or {}
    sheets = []
    for name, table in tables.items():
        frame = table
        if name == "hotspots":
            frame = frame.assign(
                item=[
                    item_label(k, i, lang, names)
                    for k, i in zip(frame["kind"], frame["item"], strict=True)
                ]
            )
        for column, prefix in _PLAN_CODES.items():
            if column in frame:
                frame = frame.assign(
                    **{
                        column: [
                            "" if xlsx.is_empty(v) else locale.text(f"{prefix}.{v}", lang)
                            for v in frame[column]
                        ]
                    }
                )
        headers = {c: locale.text(f"workshop.col.{c}", lang) for c in frame.columns}
        sheets.append(
            xlsx.Sheet(
                title=locale.text(f"workshop.sheet.{name}", lang),
                table=frame.rename(columns=headers),
                kinds={headers[c]: PLAN_KINDS[c] for c in frame.columns if c in PLAN_KINDS},
            )
        )
    return sheets


def plan_xlsx(
    tables: Mapping[str, pd.DataFrame],
    lang: str = "en",
    office_names: Mapping[str, str] | None = None,
) -> bytes:
    """The plan (plan_tables) as an Excel workbook in `lang`: one sheet per table, headers
    bold and frozen, tonnes with one decimal, shares as percent, deadlines as dates, every text
    as text (formula-like input neutralised, calc.xlsx)."""
    return xlsx.workbook(plan_sheets(tables, lang, office_names), lang)
