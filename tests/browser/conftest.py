"""The real app served by `streamlit run` on a copy of the demo database, driven by Chromium.

Debian's Chromium is used as installed (Playwright's own browser download is not available
here). Without it the browser tests skip, unless $WEGBILANZ_REQUIRE_BROWSER=1 (CI) makes a
missing browser a failure.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from calc import store
from tests.browser.streamlit_dom import METRIC_VALUE
from tests.conftest import copy_store

REPO_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REQUIRE_BROWSER_ENV = "WEGBILANZ_REQUIRE_BROWSER"
SCREENSHOT_DIR = REPO_DIR / "test-artifacts" / "screenshots"
HOST = "127.0.0.1"
SERVER_START_TIMEOUT_S = 60
SERVER_STOP_TIMEOUT_S = 10
LOG_TAIL_CHARS = 4000
# A laptop screen: what a manager opens the app on.
VIEWPORT = {"width": 1440, "height": 900}
# Every wait in the browser is bounded; the first page of a cold server computes the cube.
BROWSER_TIMEOUT_MS = 60_000


@dataclass
class Server:
    """A running `streamlit run app.py` and when it started, to measure the first page."""

    base_url: str
    started_at: float  # time.monotonic() when the process was spawned
    log_path: Path
    healthy_at: float = 0.0  # time.monotonic() when /_stcore/health first answered
    cold: bool = True  # no page has been opened on it yet

    def url(self, path: str = "", **query: object) -> str:
        return f"{self.base_url}/{path}" + (f"?{urlencode(query)}" if query else "")

    def log_tail(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-LOG_TAIL_CHARS:]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=SERVER_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium package to run browser tests"
        if os.environ.get(REQUIRE_BROWSER_ENV) == "1":
            pytest.fail(f"{message} ({REQUIRE_BROWSER_ENV}=1 says they must run)")
        pytest.skip(message)
    return CHROMIUM


@contextmanager
def serve(
    demo_db: Path, folder: Path, *, port: int | None = None, options: Sequence[str] = ()
) -> Iterator[Server]:
    """`streamlit run app.py` on a copy of the demo database, on a free loopback port (or
    `port`), with further `--section.option=value` arguments (e.g. a secrets file)."""
    database = copy_store(demo_db, folder / "app.duckdb")  # the state file and data versions
    port = port or _free_port()
    log_path = folder / "streamlit.log"
    env = {**os.environ, store.DB_PATH_ENV: str(database)}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless=true",
        f"--server.port={port}",
        f"--server.address={HOST}",
        "--browser.gatherUsageStats=false",
        # Others edit the pages while the suite runs: no reloads in the middle of a journey.
        "--server.fileWatcherType=none",
        *options,
    ]
    with log_path.open("w", encoding="utf-8") as log:
        started_at = time.monotonic()
        process = subprocess.Popen(
            command, cwd=REPO_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    running = Server(f"http://{HOST}:{port}", started_at, log_path)
    try:
        deadline = started_at + SERVER_START_TIMEOUT_S
        while not _healthy(running.url("_stcore/health")):
            if process.poll() is not None:
                pytest.fail(f"streamlit exited with {process.returncode}:\n{running.log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"streamlit not healthy after {SERVER_START_TIMEOUT_S} s:\n{running.log_tail()}"
                )
            time.sleep(0.1)
        running.healthy_at = time.monotonic()
        yield running
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def server(
    chromium_path: Path, demo_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """The app the journeys share (no browser, no reason to start it: hence chromium_path)."""
    del chromium_path
    with serve(demo_db, tmp_path_factory.mktemp("browser-app")) as running:
        yield running


@pytest.fixture
def warm_server(server: Server, browser: Browser) -> Server:
    """The shared app after its first visit at the root, whichever test runs first.

    Streamlit runs a fresh server as an old-style multipage app (its pages/ folder listed by
    file name, a page opened without app.py) until a run has called st.navigation, so a first
    visit straight to /scenarios or /presenter shows something else. That is tested on its
    own (fresh_server); the other journeys start from a server that has been opened once.
    """
    if server.cold:
        context = browser.new_context(viewport=VIEWPORT, locale="en-US")
        try:
            tab = context.new_page()
            tab.goto(server.url(), timeout=BROWSER_TIMEOUT_MS)
            tab.locator(METRIC_VALUE).first.wait_for(timeout=BROWSER_TIMEOUT_MS)
        finally:
            context.close()
        server.cold = False
    return server


@pytest.fixture
def fresh_server(chromium_path: Path, demo_db: Path, tmp_path: Path) -> Iterator[Server]:
    """An app no browser has visited yet: what a link does to a server that just started."""
    del chromium_path
    with serve(demo_db, tmp_path) as running:
        yield running


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """A failed browser test leaves a screenshot of what its tab showed at that moment."""
    report = yield
    tab = getattr(item, "funcargs", {}).get("page")
    if report.when == "call" and report.failed and isinstance(tab, Page) and not tab.is_closed():
        name = re.sub(r"[^\w.-]+", "-", item.name).strip("-")
        shot = SCREENSHOT_DIR / f"FAILED-{name}.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(shot))
        report.sections.append(("failure screenshot", str(shot)))
    return report


@pytest.fixture
def js_errors() -> list[str]:
    """Uncaught JavaScript errors of the test's tab: a broken page even if Streamlit shows none."""
    return []


@pytest.fixture
def page(browser: Browser, js_errors: list[str]) -> Iterator[Page]:
    """A fresh English browser tab (its own cookies and storage), closed after the test."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-US", timezone_id="Europe/Vienna")
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    tab = context.new_page()
    tab.on("pageerror", lambda error: js_errors.append(f"{tab.url}: {error}"))
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {SCREENSHOT_DIR}")
    return SCREENSHOT_DIR
