"""A careless upload in a real browser: a clients file with only its header is refused,
nothing is loaded, and every page still renders on the earlier data."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser import streamlit_dom as dom
from tests.browser.conftest import BROWSER_TIMEOUT_MS, Server

pytestmark = pytest.mark.browser

PAGES = ("overview", "offices", "staff", "scenarios", "presenter", "workshop", "data", "method")


def test_a_header_only_clients_file_is_refused_and_every_page_still_renders(
    page: Page, warm_server: Server, tmp_path: Path
) -> None:
    offices = tmp_path / "offices.csv"
    offices.write_text("office_id,name,country,place\nKLU,AMS Klagenfurt,AT,Klagenfurt\n")
    clients = tmp_path / "clients.csv"
    clients.write_text("year,client_id,office_id,place,in_person\n")

    page.goto(warm_server.url("data"), timeout=BROWSER_TIMEOUT_MS)
    dom.wait_until_drawn(page, "data")
    page.locator("input[type=file]").set_input_files([str(offices), str(clients)])
    # The check says nothing was loaded, and offers no load button.
    expect(page.get_by_text(dom.english("data.report.errors_title", count=1))).to_be_visible(
        timeout=BROWSER_TIMEOUT_MS
    )
    # (The problem table itself, "clients.csv: at least one data row …", is a canvas grid:
    # its text is checked in tests/test_versions.py.)
    assert page.get_by_role("button", name=dom.english("data.load.button")).count() == 0

    for slug in PAGES:
        page.goto(warm_server.url(slug), timeout=BROWSER_TIMEOUT_MS)
        # Drawn: the page's heading is there and its script run has ended.
        expect(page.locator("h1").first).to_be_visible(timeout=BROWSER_TIMEOUT_MS)
        expect(page.locator("[data-test-script-state=notRunning]")).to_have_count(
            1, timeout=BROWSER_TIMEOUT_MS
        )
        assert dom.exceptions(page) == [], slug
    # The demo data is still the one loaded.
    page.goto(warm_server.url(), timeout=BROWSER_TIMEOUT_MS)
    expect(page.get_by_text(dom.english("app.demo_banner"))).to_be_visible(
        timeout=BROWSER_TIMEOUT_MS
    )
