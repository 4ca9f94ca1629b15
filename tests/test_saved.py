"""Saved scenarios in DuckDB, and scenario files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from calc import saved, store
from calc.roles import Role
from calc.scenario import ChannelShift, Scenario, ScenarioError

VIDEO = Scenario(2022, channels=ChannelShift(video=0.3), homeoffice_days_per_week=2.0)
FLEET = Scenario(
    2019,
    office_channels=(("KLU", ChannelShift(phone=0.5)),),
    group_channels=(("youth", ChannelShift(online=0.2)),),
    car_to_pt_share=0.1,
    ev_share=0.5,
    grid_kg_per_kwh=0.1,
)


@pytest.fixture
def con():
    connection = store.connect(":memory:")
    yield connection
    connection.close()


def test_save_load_round_trip(con):
    saved.save(con, "Video", VIDEO, role=Role.STEWARD)
    saved.save(con, "fleet", FLEET, role=Role.STEWARD)
    assert saved.names(con) == ["fleet", "Video"]  # alphabetical, ignoring case
    assert saved.load(con, "Video") == VIDEO
    assert saved.load(con, "fleet") == FLEET


def test_saving_under_an_existing_name_replaces_it(con):
    saved.save(con, "plan", VIDEO, role=Role.STEWARD)
    saved.save(con, "plan", FLEET, role=Role.STEWARD)
    assert saved.names(con) == ["plan"]
    assert saved.load(con, "plan") == FLEET


def test_names_are_trimmed_and_checked(con):
    assert saved.save(con, "  30 %   video ", VIDEO, role=Role.STEWARD) == "30 % video"
    assert saved.load(con, "30 % video") == VIDEO
    with pytest.raises(ScenarioError, match="needs a name"):
        saved.save(con, "   ", VIDEO, role=Role.STEWARD)
    with pytest.raises(ScenarioError, match="at most"):
        saved.save(con, "x" * (saved.MAX_NAME_CHARS + 1), VIDEO, role=Role.STEWARD)


def test_names_are_parameters_not_sql(con):
    name = "x'); DROP TABLE scenarios; --"
    saved.save(con, name, VIDEO, role=Role.STEWARD)
    assert saved.names(con) == [name]
    assert saved.load(con, name) == VIDEO


def test_delete(con):
    saved.save(con, "a", VIDEO, role=Role.STEWARD)
    saved.save(con, "b", FLEET, role=Role.STEWARD)
    saved.delete(con, "a", role=Role.STEWARD)
    saved.delete(con, "not there", role=Role.STEWARD)
    assert saved.names(con) == ["b"]
    with pytest.raises(KeyError):
        saved.load(con, "a")


def test_table_is_created_once_and_has_the_agreed_columns(con):
    saved.ensure_table(con)
    saved.ensure_table(con)
    columns = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = 'scenarios' ORDER BY ordinal_position"
    ).fetchall()
    assert columns == [
        ("name", "VARCHAR"),
        ("scenario_json", "VARCHAR"),
        ("saved_at", "TIMESTAMP"),
    ]
    saved.save(con, "a", VIDEO, role=Role.STEWARD)
    (saved_at,) = con.execute("SELECT saved_at FROM scenarios").fetchone()
    assert saved_at is not None


def test_saved_scenarios_survive_a_restart(tmp_path: Path):
    path = tmp_path / "w.duckdb"
    first = store.connect(path)
    saved.save(first, "kept", FLEET, role=Role.STEWARD)
    first.close()
    second = store.connect(path)
    assert saved.load(second, "kept") == FLEET
    second.close()


def test_file_round_trip_with_several_scenarios():
    text = saved.export_json({"Video": VIDEO, "Fleet": FLEET})
    document = json.loads(text)
    assert document["format"] == saved.FILE_FORMAT
    assert [entry["name"] for entry in document["scenarios"]] == ["Video", "Fleet"]
    assert saved.import_json(text) == {"Video": VIDEO, "Fleet": FLEET}
    assert saved.import_json(text.encode("utf-8")) == {"Video": VIDEO, "Fleet": FLEET}


def test_file_with_one_bare_scenario_takes_the_default_name():
    assert saved.import_json(VIDEO.to_json(), default_name="from mail") == {"from mail": VIDEO}


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("not json", id="not-json"),
        pytest.param("[1, 2]", id="list"),
        pytest.param('{"format": "other", "version": 1, "scenarios": []}', id="format"),
        pytest.param(
            f'{{"format": "{saved.FILE_FORMAT}", "version": 99, "scenarios": []}}', id="version"
        ),
        pytest.param(
            f'{{"format": "{saved.FILE_FORMAT}", "version": 1, "scenarios": [{{"name": "a"}}]}}',
            id="entry-without-scenario",
        ),
        pytest.param(
            saved.export_json({"a": VIDEO}).replace('"video": 0.3', '"video": 1.3'),
            id="share-over-100",
        ),
        pytest.param(
            saved.export_json({"a": VIDEO, "b": VIDEO}).replace('"b"', '"a"'), id="same-name"
        ),
    ],
)
def test_bad_files_raise(text):
    with pytest.raises(ScenarioError):
        saved.import_json(text)
