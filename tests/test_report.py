"""calc.report: the annual report and the workshop plan as PDF, HTML and Excel, in each language.

The PDF's text is read back with pypdf, the workbook with openpyxl. Every PDF written here is
also kept in test-artifacts/report/ (with PNG pages where pdftoppm happens to be installed) so
that a person can look at it.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader

from calc import comparison, model, report, store, workshop
from calc.factors import FactorSet
from calc.roles import Role
from tests.conftest import REPO_DIR

ARTIFACTS = REPO_DIR / "test-artifacts" / "report"
REFERENCE, CURRENT = 2019, 2022
TODAY = date(2026, 11, 28)
EMPTY_WORDS = re.compile(r"\b(nan|NaN|NaT|None|null|inf)\b")


@pytest.fixture(scope="module")
def demo(demo_db: Path) -> tuple[model.Cube, FactorSet, pd.DataFrame, comparison.Comparison]:
    con = store.connect(demo_db)
    factors = FactorSet.load("default")
    cube = model.load_cube(con, factors)
    con.close()
    rows = model.compute(cube, factors)
    return cube, factors, rows, comparison.compare(cube, factors, REFERENCE, CURRENT)


def by_hand(value: float, lang: str) -> str:
    """One decimal with the language's separators, written out without Babel: 1,234.5 in
    English; 1.234,5 in German and Dutch."""
    english = f"{value:,.1f}"
    if lang == "en":
        return english
    return english.replace(",", "_").replace(".", ",").replace("_", ".")


def keep(name: str, pdf: bytes) -> str:
    """Keep the PDF as a test artifact, its pages as PNG where pdftoppm exists; its text."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    for old in ARTIFACTS.glob(f"{path.stem}-*.png"):
        old.unlink()  # pages of an earlier, longer run
    path.write_bytes(pdf)
    if shutil.which("pdftoppm"):  # a look for people, not a requirement of the test
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", str(path), str(path.with_suffix(""))],
            check=False,
            timeout=120,
        )
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("lang", ["de", "en", "nl"])
def test_the_pdf_states_the_headline_in_the_chosen_language(demo, lang: str) -> None:
    cube, factors, rows, result = demo
    # GIVEN the annual report of the demo data WHEN written as PDF
    document = report.annual_report(
        cube, factors, rows, REFERENCE, CURRENT, lang, demo=True, today=TODAY
    )
    text = keep(f"annual_{lang}.pdf", report.to_pdf(document))
    # THEN its text names both years' totals and the change, with the language's separators
    for kg in (result.reference_kg.kg, result.current_kg.kg, abs(result.difference_kg.kg)):
        assert by_hand(kg / 1000, lang) in text
    # AND the demo notice and a page count; nothing empty is spelled out
    assert {"de": "Demodaten", "en": "Demo data", "nl": "Demogegevens"}[lang] in text
    assert {"de": "Seite 1 von", "en": "page 1 of", "nl": "pagina 1 van"}[lang] in text
    assert not EMPTY_WORDS.search(text)


def test_the_html_report_is_self_contained_and_without_demo_notice_on_real_data(demo) -> None:
    cube, factors, rows, result = demo
    page = report.to_html(
        report.annual_report(cube, factors, rows, REFERENCE, CURRENT, "de", today=TODAY)
    )
    assert "Demodaten" not in page
    assert page.count("<svg") == 2  # the waterfall and the per-office bars, inline
    assert "<script" not in page and "<link" not in page and " src=" not in page
    assert by_hand(result.current_kg.kg / 1000, "de") in page
    assert not EMPTY_WORDS.search(re.sub(r"<svg.*?</svg>", "", page, flags=re.S))


def test_the_workbook_holds_every_table_with_formats(demo) -> None:
    cube, factors, rows, result = demo
    document = report.annual_report(cube, factors, rows, REFERENCE, CURRENT, "en", today=TODAY)
    book = openpyxl.load_workbook(io.BytesIO(report.to_xlsx(document)))
    assert book.sheetnames == [
        "About this report",
        "The year in figures",
        "Why emissions changed",
        "Per office and channel, 2022",
        "Staff and home office",
        "Factors and their sources",
    ]
    words = [row[0].value for row in book["About this report"].iter_rows(min_row=2)]
    assert words[0] == "Wegbilanz: CO2 report 2019–2022"
    assert any(w and w.startswith("From 2019 to 2022, emissions fell by") for w in words)
    headline = {row[0].value: row[1:] for row in book["The year in figures"].iter_rows(min_row=2)}
    current = headline["Emissions 2022"]
    assert current[0].value == pytest.approx(result.current_kg.kg / 1000, rel=1e-12)
    assert current[0].number_format == "#,##0.0"
    assert current[1].value == pytest.approx(result.current_kg.low_kg / 1000, rel=1e-12)
    change = headline["Change 2019–2022"][0].value
    assert change == pytest.approx((result.current_kg.kg - result.reference_kg.kg) / 1000)
    # The effects sum to the change, as in the decomposition.
    effects = [r[1].value for r in book["Why emissions changed"].iter_rows(min_row=2)]
    assert sum(effects) == pytest.approx(change, rel=1e-9)
    for sheet in book:
        assert sheet.freeze_panes == "A2"
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.value is None or str(cell.value) not in {"nan", "None", "NaT"}
                if isinstance(cell.value, str):
                    assert cell.data_type == "s"


def test_every_factor_used_is_listed_with_its_source(demo) -> None:
    cube, factors, _, _ = demo
    table, kinds = report.factor_table(cube, factors, [REFERENCE, CURRENT], "en")
    used = model.factors_used(cube, factors)
    used = used[used["data_year"].isin([REFERENCE, CURRENT])]
    assert set(table["Factor"]) == set(used["key"])
    assert (table["Source"] != "").all()
    assert kinds == {"Value": report.Kind.DECIMAL}
    # The same value from the same source for two editions is one row naming both.
    car = table[table["Factor"] == "ef_car_ice_kg_per_vkm"]
    assert list(car["Applies to"]) == ["AT: 2019, 2022"]


@pytest.mark.parametrize(
    ("value", "lang", "shown"),
    [
        pytest.param(0.000412, "en", "0.000412", id="small"),
        pytest.param(0.1713, "de", "0,171", id="three-digits-de"),
        pytest.param(1234.0, "nl", "1.234", id="large-nl"),
        pytest.param(0.0, "en", "0", id="zero"),
    ],
)
def test_factor_values_keep_three_significant_digits(value: float, lang: str, shown: str) -> None:
    assert report.significant(value, lang) == shown


def _plan() -> tuple[dict[str, pd.DataFrame], workshop.Progress]:
    con = duckdb.connect(":memory:")
    workshop.ensure_tables(con)
    space = workshop.create_workspace(con, "Team A", 2019, role=Role.STEWARD)
    workshop.save_action(
        con,
        space,
        workshop.Action(
            '=HYPERLINK("http://example.invalid","x")',
            owner="Facility",
            deadline=date(2027, 3, 31),
            status="doing",
            effect_t_per_year=12.5,
            effect_note="energy audit 2024",
        ),
        role=Role.STEWARD,
    )
    workshop.save_action(
        con, space, workshop.Action("Video first", status="planned"), role=Role.STEWARD
    )
    workshop.save_targets(
        con, space, pd.DataFrame({"year": [2030], "reduction_share": [0.5]}), role=Role.STEWARD
    )
    workshop.save_note(con, space, "plan", "Start with the big offices.", role=Role.STEWARD)
    plan = workshop.effects(workshop.actions(con, space), {})
    rows = pd.DataFrame(
        {
            "year": [2019, 2022],
            "office_id": ["KLU", "KLU"],
            "group": ["jobseeker", "jobseeker"],
            "activity": ["in_person", "in_person"],
            "kg_co2e": [1000.0e3, 800.0e3],
        }
    )
    progress = workshop.progress(model.totals(rows), 2019, 2022, workshop.targets(con, space), plan)
    tables = workshop.plan_tables(
        plan, progress, workshop.hotspots(rows, 2019, 2022), workshop.notes(con, space)
    )
    return tables, progress


def test_the_workshop_plan_as_pdf_in_german() -> None:
    tables, progress = _plan()
    document = report.plan_report(
        "Team A",
        tables,
        "de",
        target_progress=progress,
        office_names={"KLU": "Klagenfurt"},
        today=TODAY,
    )
    text = keep("plan_de.pdf", report.to_pdf(document))
    assert "Workshop-Plan: Team A" in text
    assert "In Arbeit" in text and "Geplant" in text  # statuses in words
    assert "12,5" in text  # the effect, German decimal comma
    assert "31.03.2027" in text  # the deadline as a German date
    # measured 2022: 800 t; target 2030: 1,000 t × (1 − 50 %) = 500 t
    assert "800,0" in text and "500,0" in text
    assert "Start with the big offices." in text
    assert "Klagenfurt" in text
    assert not EMPTY_WORDS.search(text)


def test_the_workshop_plan_workbook_neutralises_formulas() -> None:
    tables, progress = _plan()
    document = report.plan_report("Team A", tables, "en", target_progress=progress, today=TODAY)
    book = openpyxl.load_workbook(io.BytesIO(report.to_xlsx(document)))
    titles = [c for c in book["Actions"]["A"][1:] if c.value]
    formula = next(c for c in titles if "HYPERLINK" in str(c.value))
    assert formula.data_type == "s" and str(formula.value).startswith("'=")
    board = {
        r[0].value: (r[1].value, r[2].value) for r in book["Board status"].iter_rows(min_row=2)
    }
    assert board == {"Planned": (1, 0), "Doing": (1, 12.5), "Done": (0, 0)}


def test_an_unknown_format_is_refused(demo, tmp_path: Path) -> None:
    cube, factors, rows, _ = demo
    with pytest.raises(report.UnsupportedFormatError, match=r"\.pdf, \.html or \.xlsx"):
        report.write(tmp_path / "r.docx", cube, factors, rows, REFERENCE, CURRENT)


def test_figures_on_too_few_people_are_left_out(demo) -> None:
    cube, factors, rows, _ = demo
    # GIVEN a rule stricter than the demo's offices and staff can meet
    document = report.annual_report(
        cube, factors, rows, REFERENCE, CURRENT, "en", today=TODAY, min_people=10**6
    )
    sections = {s.title: s.blocks for s in document.sections}
    # THEN neither the per-office table nor the staff table is written, and the report says so
    assert sections["Per office and channel, 2022"] == [
        "Too few clients for figures per office (fewer than 1000000)."
    ]
    assert sections["Staff and home office"] == [
        "Too few staff for these figures (fewer than 1000000 people)."
    ]
