"""Backups of the saved work: what goes out comes back, a bad file changes nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from calc import backup, cli, saved, store, voting, workshop
from calc.roles import Role
from calc.scenario import ChannelShift, Scenario
from tests.conftest import APP_FILE, APP_TIMEOUT_S


def fill(con) -> tuple[str, int]:
    saved.save(
        con, "Video 30 %", Scenario(2022, channels=ChannelShift(video=0.3)), role=Role.STEWARD
    )
    workshop.ensure_tables(con)
    space = workshop.create_workspace(con, "Team North", 2019, role=Role.STEWARD)
    action_id = workshop.save_action(
        con,
        space,
        workshop.Action(
            "Video desks",
            owner="Ana",
            deadline=date(2026, 6, 30),
            effect_t_per_year=12.5,
            effect_note="half the follow-ups",
        ),
        role=Role.STEWARD,
    )
    workshop.save_note(con, space, "plan", "first draft", role=Role.STEWARD)
    return space, action_id


def test_export_then_import_gives_back_every_saved_thing(tmp_path: Path):
    con = store.connect(tmp_path / "a.duckdb")
    space, action_id = fill(con)
    exported = backup.export_state(con)
    document = json.loads(exported)
    assert document["format"] == "wegbilanz-state"
    assert [r["title"] for r in document["tables"]["workshop_actions"]] == ["Video desks"]

    other = store.connect(tmp_path / "b.duckdb")
    restored = backup.import_state(other, exported, role=Role.STEWARD)
    assert restored == {
        "scenarios": 1,
        "workshop_spaces": 1,
        "workshop_actions": 1,
        "workshop_targets": 0,
        "workshop_notes": 1,
        "votes": 0,
        "vote_options": 0,
        "vote_ballots": 0,
    }
    assert saved.load(other, "Video 30 %") == saved.load(con, "Video 30 %")
    assert workshop.action(other, space, action_id) == workshop.action(con, space, action_id)
    assert workshop.note(other, space, "plan") == "first draft"
    # A new action continues after the restored ids.
    assert (
        workshop.save_action(other, space, workshop.Action("Next"), role=Role.STEWARD)
        == action_id + 1
    )
    con.close()
    other.close()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param(b"not json", "no JSON", id="not-json"),
        pytest.param(b'{"format": "other"}', "names no 'wegbilanz-state' format", id="format"),
        pytest.param(
            b'{"format": "wegbilanz-state", "schema_version": 99, "tables": {}}',
            "layout 99",
            id="newer",
        ),
        pytest.param(
            b'{"format": "wegbilanz-state", "schema_version": 4, "tables": {"x": []}}',
            "unknown tables: x",
            id="unknown-table",
        ),
        pytest.param(
            b'{"format": "wegbilanz-state", "schema_version": 4,'
            b' "tables": {"scenarios": [{"name; DROP TABLE meta": 1}]}}',
            "unknown columns",
            id="unknown-column",
        ),
    ],
)
def test_a_bad_file_is_refused_and_changes_nothing(tmp_path: Path, content: bytes, reason: str):
    con = store.connect(tmp_path / "a.duckdb")
    fill(con)
    before = backup.export_state(con)
    with pytest.raises(backup.BackupError, match=reason):
        backup.import_state(con, content, role=Role.STEWARD)
    after = json.loads(backup.export_state(con))
    assert after["tables"] == json.loads(before)["tables"]
    con.close()


def test_the_command_line_backs_up_and_restores(tmp_path: Path):
    path = tmp_path / "a.duckdb"
    con = store.connect(path)
    fill(con)
    con.close()
    file = tmp_path / "backup.json"
    assert cli.main(["state", "export", str(file), "--db", str(path)]) == 0
    target = tmp_path / "b.duckdb"
    assert cli.main(["state", "import", str(file), "--db", str(target)]) == 0
    con = store.connect(target)
    assert saved.names(con) == ["Video 30 %"]
    con.close()
    (tmp_path / "junk.json").write_text("{}")
    bad = cli.main(["state", "import", str(tmp_path / "junk.json"), "--db", str(target)])
    assert bad == cli.EXIT_BAD_INPUT


def test_the_workshop_page_restores_a_backup(app_db: Path, tmp_path: Path):
    source = store.connect(tmp_path / "other.duckdb")
    fill(source)
    exported = backup.export_state(source)
    source.close()
    at = AppTest.from_file(str(APP_FILE), default_timeout=APP_TIMEOUT_S)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("pages/workshop.py").run()
    assert not at.exception
    # AppTest has no file upload: the uploaded file is set as Streamlit keeps it.
    from streamlit.runtime.uploaded_file_manager import UploadedFile, UploadedFileRec

    at.session_state["backup_upload"] = UploadedFile(
        UploadedFileRec("b", "backup.json", "application/json", exported), None
    )
    at.button(key="workshop_backup_restore").click().run()
    assert not at.exception
    assert any("Restored: 1 scenarios, 1 workshops, 1 actions" in s.value for s in at.success)
    assert at.selectbox(key="team").options == ["Team North"]


def test_votes_and_their_ballots_come_back(tmp_path: Path):
    con = store.connect(tmp_path / "a.duckdb")
    code = voting.create(
        con,
        "presenter",
        "What first?",
        [voting.Option("More video"), voting.Option("More home office")],
        role=Role.EDITOR,
    )
    voting.cast(con, code, voting.new_token(), {0: 1})
    voting.cast(con, code, voting.new_token(), {1: 1})
    exported = backup.export_state(con)
    other = store.connect(tmp_path / "b.duckdb")
    backup.import_state(other, exported, role=Role.STEWARD)
    restored = voting.get(other, code)
    assert restored is not None and restored.question == "What first?"
    assert voting.tally(other, restored) == voting.tally(con, voting.get(con, code))
    con.close()
    other.close()


def test_the_download_reads_with_a_cursor_of_its_own_in_another_thread(tmp_path: Path):
    # Streamlit builds a deferred download outside the page's thread, possibly while a page
    # run uses the session's cursor: the export takes a cursor of its own from the database.
    import threading

    from ui.backup import _export

    database = store.connect(tmp_path / "a.duckdb")
    fill(database)
    session_cursor = database.cursor()
    session_cursor.execute("BEGIN TRANSACTION")  # a page run in the middle of its work
    built: list[bytes] = []
    thread = threading.Thread(target=lambda: built.append(_export(database)))
    thread.start()
    thread.join()
    session_cursor.execute("COMMIT")
    assert [r["name"] for r in json.loads(built[0])["tables"]["scenarios"]] == ["Video 30 %"]
    database.close()
