"""The command line through a real subprocess, as scripts use it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from calc import store
from tests.conftest import REPO_DIR

DEMO_CLIENTS_PER_YEAR = 2000


def run_calc(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "calc", *map(str, args)],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("cli")
    db, out = folder / "cli.duckdb", folder / "csv"
    result = run_calc("demo", "--db", db, "--out", out, "--clients", DEMO_CLIENTS_PER_YEAR)
    assert result.returncode == 0, result.stderr
    return db, out


def test_demo_writes_files_and_loads(demo):
    db, out = demo
    assert {p.name for p in out.iterdir()} >= {
        "offices.csv",
        "clients.csv",
        "staff.csv",
        "trips.csv",
    }
    # The store holds the demo as its one data version, made current.
    versions = store.Store(db).versions()
    assert [v.label for v in versions] == ["demo"]
    assert versions[0].is_current


def test_compute_json_shape_and_totals(demo):
    db, _ = demo
    result = run_calc("compute", "--db", db, "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert set(payload) == {"rows", "totals", "totals_low", "totals_high"}
    assert set(payload["rows"][0]) >= {
        "year",
        "office_id",
        "group",
        "activity",
        "mode",
        "count",
        "km",
        "kg_co2e",
    }
    for year, total_kg in payload["totals"].items():
        row_sum = sum(r["kg_co2e"] for r in payload["rows"] if str(r["year"]) == year)
        assert total_kg == pytest.approx(row_sum, rel=1e-12)
        # The simulation's 5 %-95 % interval sits beside the total, not inside the sum.
        assert payload["totals_low"][year] < total_kg < payload["totals_high"][year]


def test_compare_json_decomposition_sums_to_difference(demo):
    db, _ = demo
    result = run_calc("compare", "--reference", "2019", "--current", "2022", "--db", db, "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["difference_kg"] == pytest.approx(
        payload["current_kg"] - payload["reference_kg"], rel=1e-12
    )
    assert sum(payload["decomposition"].values()) == pytest.approx(
        payload["difference_kg"], rel=1e-9
    )
    assert payload["difference_kg"] < 0  # the demo's 2022 is below 2019
    assert payload["avoided_by_channels_kg"] > 0
    for name in ("reference_kg", "current_kg", "difference_kg", "avoided_by_channels_kg"):
        assert payload[f"{name}_low"] < payload[name] < payload[f"{name}_high"]
    assert set(payload["decomposition_low"]) == set(payload["decomposition"])


def test_compare_text_says_what_digital_channels_did(demo):
    db, _ = demo
    result = run_calc("compare", "--reference", "2019", "--current", "2022", "--db", db)
    assert result.returncode == 0, result.stderr
    assert "digital channels avoided" in result.stdout
    assert "number of clients" in result.stdout


def test_set_override_changes_result(demo):
    db, _ = demo

    def total_2019(*extra: str) -> float:
        result = run_calc("compute", "--db", db, "--json", *extra)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)["totals"]["2019"]

    assert total_2019("--set", "detour_factor=1.0") < total_2019()


def test_compute_from_data_folder(demo):
    db, out = demo
    from_db = json.loads(run_calc("compute", "--db", db, "--json").stdout)["totals"]
    from_folder = json.loads(run_calc("compute", "--data", out, "--json").stdout)["totals"]
    assert from_folder == pytest.approx(from_db, rel=1e-9)


def test_failed_load_exits_2_and_keeps_earlier_data(demo, tmp_path):
    db, out = demo
    before = run_calc("compare", "--reference", "2019", "--current", "2022", "--db", db, "--json")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "offices.csv").write_text((out / "offices.csv").read_text())
    (bad / "clients.csv").write_text(
        "year,client_id,office_id,in_person,distance_km\n2019,x,NOPE,1,3\n"
    )
    result = run_calc("load", bad, "--db", db)
    assert result.returncode == 2
    assert "clients.csv, row 2, column 'office_id'" in result.stderr
    after = run_calc("compare", "--reference", "2019", "--current", "2022", "--db", db, "--json")
    assert json.loads(after.stdout) == json.loads(before.stdout)


def test_unknown_override_key_exits_2(demo):
    db, _ = demo
    result = run_calc("compute", "--db", db, "--set", "detour_factr=1")
    assert result.returncode == 2
    assert "detour_factor" in result.stderr  # the close match is suggested


def test_compare_unknown_year_exits_2(demo):
    db, _ = demo
    result = run_calc("compare", "--reference", "1999", "--current", "2022", "--db", db)
    assert result.returncode == 2


@pytest.mark.parametrize("suffix", [".xlsx", ".html", ".pdf"])
def test_report(demo, tmp_path, suffix):
    db, _ = demo
    target = tmp_path / f"report{suffix}"
    result = run_calc(
        "report", "--out", target, "--reference", "2019", "--current", "2022", "--db", db
    )
    assert result.returncode == 0, result.stderr
    if suffix == ".xlsx":
        book = load_workbook(target)
        assert "The year in figures" in book.sheetnames
        assert "Factors and their sources" in book.sheetnames
    elif suffix == ".html":
        assert "Avoided by digital channels (net)" in target.read_text(encoding="utf-8")
    else:
        text = "".join(page.extract_text() for page in PdfReader(target).pages)
        assert "Wegbilanz: CO2 report 2019–2022" in text


def test_report_in_an_unknown_format_is_refused_with_a_reason(demo, tmp_path):
    db, _ = demo
    result = run_calc("report", "--out", tmp_path / "r.docx", "--db", db)
    assert result.returncode == 2
    assert ".pdf, .html or .xlsx" in result.stderr


def test_report_in_german_says_it_rests_on_demo_data(demo, tmp_path):
    db, _ = demo
    target = tmp_path / "bericht.pdf"
    result = run_calc(
        "report",
        "--out",
        target,
        "--lang",
        "de",
        "--reference",
        "2019",
        "--current",
        "2022",
        "--db",
        db,
    )
    assert result.returncode == 0, result.stderr
    text = "".join(page.extract_text() for page in PdfReader(target).pages)
    assert "Wegbilanz: CO2-Bericht 2019–2022" in text
    assert "Demodaten" in text  # loaded by `calc demo`: the report says so
    assert "Seite 1 von" in text


def test_passphrase_prints_a_salted_hash_for_the_secrets_file(monkeypatch, capsys) -> None:
    from calc import cli, roles

    # GIVEN a passphrase typed twice (getpass: no echo)
    typed = iter(["tram at nine", "tram at nine"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(typed))
    # WHEN the hash is asked for the editor role
    assert cli.main(["passphrase", "--role", "editor"]) == 0
    # THEN a [local] line with a hash that checks the passphrase, and the passphrase nowhere
    out = capsys.readouterr().out
    assert "[local]" in out
    line = next(row for row in out.splitlines() if row.startswith("editor = "))
    stored = line.removeprefix("editor = ").strip('"')
    assert roles.verify_passphrase("tram at nine", stored)
    assert "tram" not in out


def test_passphrase_typed_differently_twice_writes_nothing(monkeypatch, capsys) -> None:
    from calc import cli

    typed = iter(["tram at nine", "tram at ten"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(typed))
    assert cli.main(["passphrase"]) == cli.EXIT_BAD_INPUT
    assert "$scrypt$" not in capsys.readouterr().out


def test_demo_prebuilt_is_the_default_set_only(tmp_path: Path) -> None:
    # The shipped demo is the default set: a smaller one is refused before anything is written.
    result = run_calc("demo", "--db", tmp_path / "x.duckdb", "--prebuilt", "--clients", "10")
    assert result.returncode == 2
    assert "--clients" in result.stderr
    assert not (tmp_path / "x.duckdb").exists()
