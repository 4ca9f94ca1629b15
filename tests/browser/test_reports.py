"""The report as a person gets it: the Overview's PDF button in German, downloaded in Chromium,
its text read back. The PDF is kept in test-artifacts/screenshots for a look."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page
from pypdf import PdfReader

from calc import comparison, model, store
from calc.factors import FactorSet
from tests.browser import streamlit_dom as dom
from tests.browser.conftest import Server

pytestmark = pytest.mark.browser
DOWNLOAD_TIMEOUT_MS = 120_000  # the simulation and the charts are built on click


def german_tonnes(kg: float) -> str:
    """One decimal, German separators, written out without Babel: 1.234,5."""
    return f"{kg / 1000:,.1f}".replace(",", "_").replace(".", ",").replace("_", ".")


def test_the_overview_hands_out_a_german_pdf(
    page: Page, warm_server: Server, demo_db: Path, screenshot_dir: Path, js_errors: list[str]
) -> None:
    factors = FactorSet.load("default")
    con = store.connect(demo_db)
    try:
        cube = model.load_cube(con, factors)
    finally:
        con.close()
    reference, current = cube.years[0], cube.years[-1]
    result = comparison.compare(cube, factors, reference, current)

    page.goto(warm_server.url("", lang="de"))
    dom.wait_until_drawn(page, "overview", lang="de")
    with page.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as download:
        page.get_by_role("button", name="PDF").click()
    target = screenshot_dir / "overview-report-de.pdf"
    download.value.save_as(target)

    assert download.value.suggested_filename == f"wegbilanz-{reference}-{current}-de.pdf"
    text = "".join(p.extract_text() for p in PdfReader(target).pages)
    assert f"Wegbilanz: CO2-Bericht {reference}–{current}" in text
    assert german_tonnes(result.current_kg.kg) in text
    assert german_tonnes(abs(result.difference_kg.kg)) in text
    assert "Demodaten" in text
    assert js_errors == []
