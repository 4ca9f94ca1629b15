"""Workshop: workspaces, actions, targets and notes persisted in DuckDB; hotspots, progress
against targets, and the Excel and HTML exports."""

from __future__ import annotations

import csv
import io
import math
import threading
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from calc import model, report, scenario, store, workshop
from calc.factors import FactorSet
from calc.roles import Role


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(tmp_path / "workshop.duckdb"))
    workshop.ensure_tables(connection)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def demo(demo_db: Path) -> tuple[model.Cube, pd.DataFrame, FactorSet]:
    factors = FactorSet.load("default")
    connection = store.connect(demo_db)
    cube = model.load_cube(connection, factors)
    connection.close()
    return cube, model.compute(cube, factors), factors


def test_tables_are_created_idempotently(con):
    workshop.ensure_tables(con)
    workshop.create_workspace(con, "Team A", 2019, role=Role.STEWARD)
    workshop.ensure_tables(con)
    assert workshop.workspaces(con) == ["Team A"]


def test_workspace_names_are_cleaned_and_checked(con):
    assert (
        workshop.create_workspace(con, "  Team   North ", 2019, role=Role.STEWARD) == "Team North"
    )
    assert (
        workshop.create_workspace(con, "Team North", 2022, role=Role.STEWARD) == "Team North"
    )  # exists: kept
    assert workshop.base_year(con, "Team North") == 2019
    with pytest.raises(workshop.WorkshopError) as empty:
        workshop.create_workspace(con, "   ", 2019, role=Role.STEWARD)
    assert empty.value.code == "name_missing"
    with pytest.raises(workshop.WorkshopError) as long:
        workshop.create_workspace(con, "x" * (workshop.MAX_NAME_CHARS + 1), 2019, role=Role.STEWARD)
    assert long.value.code == "name_too_long"


def test_action_is_created_read_edited_moved_and_deleted(con):
    space = workshop.create_workspace(con, "Team A", 2019, role=Role.STEWARD)
    new = workshop.Action(
        "Video first for follow-ups",
        description="Second and later counselling sessions by video.",
        owner="Ana",
        deadline=date(2026, 6, 30),
        scenario="video 30 %",
    )
    action_id = workshop.save_action(con, space, new, role=Role.STEWARD)
    stored = workshop.action(con, space, action_id)
    assert stored == workshop.Action(**{**new.__dict__, "action_id": action_id})

    edited = workshop.Action(
        **{
            **stored.__dict__,
            "owner": "Ben",
            "scenario": None,
            "effect_t_per_year": 4.5,
            "effect_note": "half the visits of office KLU",
        }
    )
    assert workshop.save_action(con, space, edited, role=Role.STEWARD) == action_id
    workshop.set_status(con, space, action_id, "doing", role=Role.STEWARD)
    again = workshop.action(con, space, action_id)
    assert (again.owner, again.status, again.scenario, again.effect_t_per_year) == (
        "Ben",
        "doing",
        None,
        4.5,
    )

    workshop.delete_action(con, space, action_id, role=Role.STEWARD)
    assert workshop.actions(con, space).empty


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        pytest.param({"title": "  "}, "title_missing", id="empty title"),
        pytest.param({"title": "x", "status": "someday"}, "status_unknown", id="status"),
        pytest.param({"title": "x", "effect_t_per_year": 2.0}, "note_missing", id="no note"),
        pytest.param(
            {"title": "x", "scenario": "s", "effect_t_per_year": 2.0, "effect_note": "n"},
            "effect_both",
            id="both sources",
        ),
        pytest.param(
            {"title": "x", "effect_t_per_year": math.nan, "effect_note": "n"},
            "effect_not_number",
            id="not a number",
        ),
    ],
)
def test_actions_that_cannot_be_kept_are_refused(fields, code):
    with pytest.raises(workshop.WorkshopError) as error:
        workshop.Action(**fields)
    assert error.value.code == code


def test_workspaces_keep_their_own_actions_targets_and_notes(con):
    north = workshop.create_workspace(con, "North", 2019, role=Role.STEWARD)
    south = workshop.create_workspace(con, "South", 2019, role=Role.STEWARD)
    workshop.save_action(con, north, workshop.Action("Bike leasing"), role=Role.STEWARD)
    workshop.save_targets(
        con, north, pd.DataFrame({"year": [2030], "reduction_share": [0.5]}), role=Role.STEWARD
    )
    workshop.save_note(
        con, north, "diagnose", "Commuting is bigger than we thought.", role=Role.STEWARD
    )
    assert list(workshop.actions(con, north)["title"]) == ["Bike leasing"]
    assert workshop.actions(con, south).empty
    assert workshop.targets(con, south).empty
    assert workshop.note(con, south, "diagnose") == ""
    with pytest.raises(workshop.WorkshopError):
        workshop.set_status(con, north, 1, "someday", role=Role.STEWARD)
    with pytest.raises(workshop.WorkshopError) as missing:
        workshop.save_action(con, south, workshop.Action("x", action_id=999), role=Role.STEWARD)
    assert missing.value.code == "action_missing"


def test_everything_survives_closing_the_database(tmp_path):
    path = tmp_path / "restart.duckdb"
    first = duckdb.connect(str(path))
    workshop.ensure_tables(first)
    space = workshop.create_workspace(first, "Team A", 2019, role=Role.STEWARD)
    workshop.save_action(
        first,
        space,
        workshop.Action("LED lighting", effect_t_per_year=1.2, effect_note="supplier's estimate"),
        role=Role.STEWARD,
    )
    workshop.save_targets(
        first, space, pd.DataFrame({"year": [2030], "reduction_share": [0.5]}), role=Role.STEWARD
    )
    workshop.save_note(first, space, "plan", "first draft", role=Role.STEWARD)
    workshop.save_note(first, space, "plan", "second draft", role=Role.STEWARD)
    first.close()

    second = duckdb.connect(str(path))
    workshop.ensure_tables(second)
    assert workshop.workspaces(second) == ["Team A"]
    assert workshop.action(second, space, 1).effect_note == "supplier's estimate"
    assert workshop.targets(second, space).to_dict("list") == {
        "year": [2030],
        "reduction_share": [0.5],
    }
    assert workshop.note(second, space, "plan") == "second draft"
    second.close()


def test_targets_are_replaced_and_checked(con):
    space = workshop.create_workspace(con, "Team A", 2019, role=Role.STEWARD)
    workshop.save_targets(
        con,
        space,
        pd.DataFrame({"year": [2030, 2025], "reduction_share": [0.5, 0.3]}),
        role=Role.STEWARD,
    )
    workshop.save_targets(
        con, space, pd.DataFrame({"year": [2040], "reduction_share": [1.0]}), role=Role.STEWARD
    )
    assert workshop.targets(con, space)["year"].tolist() == [2040]
    for table, code in (
        (pd.DataFrame({"year": [2030, 2030], "reduction_share": [0.5, 0.6]}), "target_year_twice"),
        (pd.DataFrame({"year": [2030], "reduction_share": [1.5]}), "target_share_range"),
    ):
        with pytest.raises(workshop.WorkshopError) as error:
            workshop.save_targets(con, space, table, role=Role.STEWARD)
        assert error.value.code == code
    assert workshop.targets(con, space)["year"].tolist() == [2040]  # refused: nothing changed


def test_effect_of_an_action_comes_from_the_scenario_engine(con, demo):
    cube, _, factors = demo
    what_if = scenario.Scenario(2022, channels=scenario.ChannelShift(video=0.3))
    result = scenario.apply(cube, factors, what_if)
    space = workshop.create_workspace(con, "Team A", 2019, role=Role.STEWARD)
    workshop.save_action(
        con, space, workshop.Action("Video", scenario="video 30 %"), role=Role.STEWARD
    )
    workshop.save_action(
        con, space, workshop.Action("Gone", scenario="deleted scenario"), role=Role.STEWARD
    )
    workshop.save_action(
        con,
        space,
        workshop.Action("Paper", effect_t_per_year=0.8, effect_note="print less"),
        role=Role.STEWARD,
    )
    workshop.save_action(con, space, workshop.Action("Idea"), role=Role.STEWARD)
    savings = {"video 30 %": workshop.Saving(result.saved_kg, *result.saved_kg_range)}
    table = workshop.effects(workshop.actions(con, space), savings).set_index("title")
    assert table.loc["Video", "effect_source"] == "scenario"
    assert table.loc["Video", "effect_t"] == pytest.approx(result.saved_kg / 1000, rel=1e-12)
    assert table.loc["Video", "effect_low_t"] == pytest.approx(
        result.saved_kg_range[0] / 1000, rel=1e-12
    )
    assert table.loc["Paper", ["effect_source", "effect_t"]].tolist() == ["manual", 0.8]
    assert table.loc["Gone", "effect_source"] == "missing"
    assert math.isnan(table.loc["Gone", "effect_t"])
    assert table.loc["Idea", "effect_source"] == "none"


def test_hotspots_rank_every_view_with_its_share(demo):
    _, rows, _ = demo
    table = workshop.hotspots(rows, 2019, 2022)
    assert table["kg_co2e"].is_monotonic_decreasing
    total_kg = rows.loc[rows["year"] == 2022, "kg_co2e"].sum()
    by_kind = table.groupby("kind")["kg_co2e"].sum()
    assert by_kind["office"] == pytest.approx(total_kg, rel=1e-9)
    assert by_kind["group"] + by_kind["staff"] == pytest.approx(total_kg, rel=1e-9)
    office = table[(table["kind"] == "office") & (table["item"] == "KLU")].iloc[0]
    klu = rows[rows["office_id"] == "KLU"]
    klu_2019, klu_2022 = (klu.loc[klu["year"] == y, "kg_co2e"].sum() for y in (2019, 2022))
    assert office["share"] == pytest.approx(klu_2022 / total_kg, rel=1e-12)
    assert office["change_share"] == pytest.approx(klu_2022 / klu_2019 - 1, rel=1e-12)


def test_progress_sets_the_measured_years_and_actions_against_the_targets():
    totals = {2019: 1000.0e3, 2022: 800.0e3, 2023: 760.0e3}
    targets = pd.DataFrame({"year": [2025, 2030], "reduction_share": [0.3, 0.5]})
    actions = pd.DataFrame(
        {
            "status": ["planned", "doing", "done", "planned"],
            "effect_t": [40.0, 25.0, 10.0, math.nan],
        }
    )
    result = workshop.progress(totals, 2019, 2023, targets, actions)
    assert result.target_year == 2030
    assert result.target_kg == pytest.approx(1000.0e3 * (1 - 0.5))
    assert result.gap_kg == pytest.approx(760.0e3 - 500.0e3)
    assert result.actions_kg == pytest.approx({"planned": 40.0e3, "doing": 25.0e3, "done": 10.0e3})
    assert result.open_kg == pytest.approx(65.0e3)
    # 65 t of open actions against a gap of 260 t: a quarter of it covered.
    assert result.covered_share == pytest.approx(65.0e3 / 260.0e3)
    path = result.path.set_index("year")
    assert path.loc[2025, "target_kg"] == pytest.approx(700.0e3)
    assert path.loc[2019, "target_kg"] == pytest.approx(1000.0e3)  # the path starts at the base
    assert math.isnan(path.loc[2030, "measured_kg"])
    nearer = workshop.progress(totals, 2019, 2023, targets, actions, target_year=2025)
    assert nearer.gap_kg == pytest.approx(760.0e3 - 700.0e3)
    met = workshop.progress({**totals, 2023: 400.0e3}, 2019, 2023, targets, actions)
    assert met.gap_kg < 0 and met.covered_share == 1.0  # nothing left to cover


def _plan(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    space = workshop.create_workspace(con, "Team A", 2019, role=Role.STEWARD)
    workshop.save_action(
        con,
        space,
        workshop.Action(
            "Heat pump <office KLU>",
            owner="Facility",
            deadline=date(2027, 3, 31),
            status="doing",
            effect_t_per_year=12.5,
            effect_note="energy audit 2024",
        ),
        role=Role.STEWARD,
    )
    workshop.save_targets(
        con, space, pd.DataFrame({"year": [2030], "reduction_share": [0.5]}), role=Role.STEWARD
    )
    workshop.save_note(con, space, "diagnose", "In-person visits dominate.", role=Role.STEWARD)
    plan = workshop.effects(workshop.actions(con, space), {})
    result = workshop.progress(model.totals(rows), 2019, 2022, workshop.targets(con, space), plan)
    return workshop.plan_tables(
        plan, result, workshop.hotspots(rows, 2019, 2022), workshop.notes(con, space)
    )


def test_the_plan_exports_to_excel(con, demo):
    _, rows, _ = demo
    tables = _plan(con, rows)
    book = openpyxl.load_workbook(io.BytesIO(workshop.plan_xlsx(tables, "en")))
    assert book.sheetnames == ["Actions", "Targets", "Hotspots", "Notes"]
    actions = book["Actions"]
    header = [cell.value for cell in actions[1]]
    cells = dict(zip(header, actions[2], strict=True))
    assert cells["Title"].value == "Heat pump <office KLU>"
    assert cells["Status"].value == "Doing"  # the status in words, not its code
    assert cells["Effect (t CO2e per year)"].value == pytest.approx(12.5)
    assert cells["Effect (t CO2e per year)"].number_format == "#,##0.0"
    assert cells["Deadline"].value.date() == date(2027, 3, 31)
    assert cells["Deadline"].is_date
    assert cells["Saved scenario"].value is None  # empty, never "None" or "nan"
    assert actions.freeze_panes == "A2"
    targets = {row[0]: row[1:] for row in book["Targets"].iter_rows(min_row=2, values_only=True)}
    base_t = model.totals(rows)[2019] / 1000
    assert targets[2030][1] == pytest.approx(base_t * 0.5, rel=1e-12)
    assert targets[2022][0] == pytest.approx(model.totals(rows)[2022] / 1000, rel=1e-12)
    assert targets[2030][0] is None  # not measured yet: empty
    share = book["Hotspots"]["D2"]
    assert share.number_format == "0.0%" and 0 < share.value <= 1
    notes = list(book["Notes"].iter_rows(min_row=2, values_only=True))
    assert notes == [("Diagnose", "In-person visits dominate.")]


def test_the_plan_exports_to_excel_in_german(con, demo):
    _, rows, _ = demo
    book = openpyxl.load_workbook(io.BytesIO(workshop.plan_xlsx(_plan(con, rows), "de")))
    assert book.sheetnames == ["Maßnahmen", "Ziele", "Hotspots", "Notizen"]
    actions = book["Maßnahmen"]
    header = [cell.value for cell in actions[1]]
    cells = dict(zip(header, actions[2], strict=True))
    assert cells["Status"].value == "In Arbeit"
    assert cells["Frist"].number_format == "DD.MM.YYYY"
    assert [c.value for c in book["Notizen"][2]] == ["Analysieren", "In-person visits dominate."]


def test_the_plan_exports_to_a_printable_page_without_network(con, demo):
    _, rows, _ = demo
    page = report.to_html(report.plan_report("Team A", _plan(con, rows), "en"))
    assert "Heat pump &lt;office KLU&gt;" in page  # shown as typed, never as markup
    assert "energy audit 2024" in page
    assert "<script" not in page and "<link" not in page and " src=" not in page


def test_every_code_the_page_shows_has_a_text_in_every_language(con, demo):
    """The page looks its texts up by code (status, stage, kind, sheet, column): each needs an
    English, German and Dutch text in calc/locales/workshop.csv."""
    path = Path(__file__).resolve().parent.parent / "calc" / "locales" / "workshop.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        texts = {row["key"]: row for row in csv.DictReader(handle)}
    _, rows, _ = demo
    tables = _plan(con, rows)
    keys = [f"workshop.status.{s}" for s in workshop.STATUSES]
    keys += [f"workshop.step.{s}" for s in workshop.STAGES]
    keys += [f"workshop.step.{s}.help" for s in workshop.STAGES]
    keys += [f"workshop.kind.{k}" for k in workshop.hotspots(rows, 2019, 2022)["kind"].unique()]
    keys += [f"workshop.source.{s}" for s in ("scenario", "manual", "missing", "none")]
    keys += [f"workshop.sheet.{name}" for name in tables]
    keys += [f"workshop.col.{c}" for table in tables.values() for c in table.columns]
    missing = [
        k for k in keys if k not in texts or not all(texts[k][lang] for lang in ["en", "de", "nl"])
    ]
    assert missing == []


# -- no lost updates ---------------------------------------------------------------------------


def test_a_save_from_a_stale_form_is_refused_and_names_the_change(con):
    space = workshop.create_workspace(con, "Team C", 2019, role=Role.STEWARD)
    action_id = workshop.save_action(
        con, space, workshop.Action("Video desks", owner="Ana"), role=Role.STEWARD
    )
    opened_by_a = workshop.action(con, space, action_id)
    opened_by_b = workshop.action(con, space, action_id)
    # A changes the owner and saves first.
    workshop.save_action(con, space, replace(opened_by_a, owner="Ben"), role=Role.STEWARD)
    # B, with the old form still open, saves a new description: refused, nothing written.
    with pytest.raises(workshop.ConflictError) as conflict:
        workshop.save_action(
            con,
            space,
            replace(opened_by_b, description="ten desks"),
            base=opened_by_b,
            role=Role.STEWARD,
        )
    assert conflict.value.code == "conflict"
    assert conflict.value.changes == {"owner": "Ben"}
    stored = workshop.action(con, space, action_id)
    assert (stored.owner, stored.description) == ("Ben", "")
    # B reloads and edits the version now stored: both changes stay.
    reloaded = conflict.value.current
    workshop.save_action(
        con, space, replace(reloaded, description="ten desks"), base=reloaded, role=Role.STEWARD
    )
    stored = workshop.action(con, space, action_id)
    assert (stored.owner, stored.description) == ("Ben", "ten desks")
    # Overwriting on purpose (from the version stored) writes B's whole form.
    workshop.save_action(
        con, space, replace(opened_by_b, owner="Ana"), base=stored, role=Role.STEWARD
    )
    assert workshop.action(con, space, action_id).owner == "Ana"


def test_a_board_move_counts_as_a_change(con):
    space = workshop.create_workspace(con, "Team D", 2019, role=Role.STEWARD)
    action_id = workshop.save_action(con, space, workshop.Action("LED"), role=Role.STEWARD)
    form = workshop.action(con, space, action_id)
    workshop.set_status(con, space, action_id, "doing", role=Role.STEWARD)
    with pytest.raises(workshop.ConflictError) as conflict:
        workshop.save_action(con, space, replace(form, owner="Eva"), base=form, role=Role.STEWARD)
    assert conflict.value.changes == {"status": "doing"}


def test_concurrent_saves_raise_nothing_uncaught_and_lose_nothing(tmp_path):
    path = tmp_path / "state.duckdb"
    con = store.connect(path)
    workshop.ensure_tables(con)
    space = workshop.create_workspace(con, "Team E", 2019, role=Role.STEWARD)
    action_id = workshop.save_action(
        con, space, workshop.Action("Shared action"), role=Role.STEWARD
    )
    form = workshop.action(con, space, action_id)
    saved: list[str] = []
    refused: list[str] = []
    unexpected: list[BaseException] = []

    def save(owner: str) -> None:
        cursor = con.cursor()  # one session each, as the app gives every browser its cursor
        try:
            workshop.save_action(cursor, space, replace(form, owner=owner), role=Role.STEWARD)
            saved.append(owner)
        except workshop.ConflictError:
            refused.append(owner)
        except BaseException as error:
            unexpected.append(error)
        finally:
            cursor.close()

    threads = [threading.Thread(target=save, args=(f"owner {n}",)) for n in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert unexpected == []
    # Every save started from the same version: exactly one is written, the others are told.
    assert len(saved) == 1 and len(saved) + len(refused) == 100
    stored = workshop.action(con, space, action_id)
    assert stored.owner == saved[0]
    assert stored.row_version == form.row_version + 1
    con.close()
