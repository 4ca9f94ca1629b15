"""Benchmark: the app in Chromium against two "hello" Streamlit apps started in the same run.

Not a test: prints each figure, the hello app's figure, their ratio, the target and PASS/FAIL.

1. slider -> updated figure: an arrow key on a slider until its metric shows the new value
   (median and p95 of --moves presses), the Scenarios page's video slider against a one-slider
   hello app with one metric. Target: ≤ 1.5× the hello app.
2. page switch: a click in the navigation until the page is drawn (its path, its own heading or
   slide, the run over, nothing stale, every chart drawn), for Offices, Scenarios and Presenter
   against a two-page hello app. Target: each ≤ 3× the hello app.
3. process start -> first page interactive: from spawning `streamlit run` until the first page's
   metrics are shown and its run is over, on a fresh store (an empty data folder and a new
   pseudonym key, so the demo data set must be put in place) against the one-slider hello app's
   start. Target: ≤ 1.5× the hello app. A warm start (the same store again) is printed beside it.

Every wait is for a condition (an element, a text, the run's state), never for a quiet period.
The hello apps are written to a temporary folder with the app's .streamlit/config.toml, and all
servers run with the same flags. Starts alternate between the hello app and Wegbilanz.

    python bench/bench_browser.py [--moves 20] [--switches 5] [--starts 3]
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from chromium import CHROMIUM, CHROMIUM_ARGS, HOST, free_port, healthy
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from calc import pseudonyms, store
from calc.locale import text

REPO_DIR = Path(__file__).resolve().parent.parent
VIEWPORT: ViewportSize = {"width": 1440, "height": 900}
TIMEOUT_MS = 120_000
START_TIMEOUT_S = 120

SLIDER_TARGET = 1.5
SWITCH_TARGET = 3.0
START_TARGET = 1.5

HELLO_SLIDER = """
import streamlit as st

st.title("Hello")
share = st.slider("Share", 0, 100, 0)
st.metric("Saved", f"{share * 2.5:.1f} t")
"""
HELLO_PAGES = {
    "app.py": """
import streamlit as st

st.navigation([st.Page("one.py", title="One", default=True), st.Page("two.py", title="Two")]).run()
""",
    "one.py": """
import streamlit as st

st.title("Page one")
st.metric("Saved", "1.0 t")
""",
    "two.py": """
import streamlit as st

st.title("Page two")
st.metric("Saved", "2.0 t")
""",
}

# The page is drawn: on its path, its marker (a CSS selector, and text it contains) is there,
# the run is over, nothing is left stale from the previous run and every chart has its drawing.
DRAWN_JS = """
([path, css, text]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  return location.pathname === path
    && app !== null && app.dataset.testScriptState === 'notRunning'
    && document.querySelector('[data-stale="true"]') === null
    && [...document.querySelectorAll(css)].some((el) => el.innerText.includes(text))
    && [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
      .every((chart) => chart.querySelector('svg, canvas') !== null);
}
"""
RUN_OVER_JS = """
() => document.querySelector('[data-testid="stApp"]')?.dataset.testScriptState === 'notRunning'
  && document.querySelector('[data-stale="true"]') === null
"""
METRIC_VALUE = '[data-testid="stMetricValue"]'
MAIN_HEADING = '[data-testid="stMain"] h1'


def english(key: str) -> str:
    return text(key, "en")


@dataclass(frozen=True)
class Marker:
    """What shows that a page is there: an element (CSS) containing a text."""

    path: str
    css: str
    text: str


def wegbilanz_pages() -> dict[str, Marker]:
    return {
        "overview": Marker("/", MAIN_HEADING, english("overview.title")),
        "offices": Marker("/offices", MAIN_HEADING, english("offices.title")),
        "scenarios": Marker("/scenarios", MAIN_HEADING, english("scenarios.title")),
        # The presenter has no page heading: a slide's big number.
        "presenter": Marker("/presenter", ".st-key-wb_slide .wb-big", ""),
    }


HELLO_PAGE_MARKERS = {
    "One": Marker("/", MAIN_HEADING, "Page one"),
    "Two": Marker("/two", MAIN_HEADING, "Page two"),
}


# --- servers ----------------------------------------------------------------------------------


@dataclass
class Server:
    base_url: str
    started_at: float  # time.perf_counter() at spawn
    process: subprocess.Popen
    log: Path

    def url(self, path: str = "") -> str:
        return f"{self.base_url}/{path}"


@contextmanager
def serve(app_dir: Path, script: str, log: Path, env: dict[str, str] | None = None) -> Iterator:
    """`streamlit run script` in app_dir until it answers its health check."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.headless=true",
        f"--server.port={port}",
        f"--server.address={HOST}",
        "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",
    ]
    with log.open("w", encoding="utf-8") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=app_dir,
            env={**os.environ, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://{HOST}:{port}", started, process, log)
    try:
        while not healthy(server.url("_stcore/health")):
            if process.poll() is not None or time.perf_counter() - started > START_TIMEOUT_S:
                raise SystemExit(f"{script} did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.02)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def write_hello_apps(folder: Path) -> tuple[Path, Path]:
    slider_dir, pages_dir = folder / "hello-slider", folder / "hello-pages"
    for app_dir in (slider_dir, pages_dir):
        (app_dir / ".streamlit").mkdir(parents=True)
        shutil.copy(REPO_DIR / ".streamlit" / "config.toml", app_dir / ".streamlit")
    (slider_dir / "app.py").write_text(HELLO_SLIDER, encoding="utf-8")
    for name, source in HELLO_PAGES.items():
        (pages_dir / name).write_text(source, encoding="utf-8")
    return slider_dir, pages_dir


def fresh_store_env(folder: Path) -> dict[str, str]:
    """An empty data folder and a key file that does not exist yet: a fresh machine."""
    folder.mkdir(parents=True)
    env = {
        store.DB_PATH_ENV: str(folder / "wegbilanz.duckdb"),
        pseudonyms.KEY_FILE_ENV: str(folder / "pseudonym.key"),
    }
    os.environ.pop(pseudonyms.KEY_ENV, None)
    return env


# --- measurements -----------------------------------------------------------------------------


def new_tab(browser: Browser) -> Page:
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def wait_drawn(tab: Page, marker: Marker) -> None:
    tab.wait_for_function(DRAWN_JS, arg=[marker.path, marker.css, marker.text], polling="raf")


def first_page_s(browser: Browser, server: Server, marker: Marker) -> float:
    """Spawn -> health -> open the root -> its first metric shown and the run over."""
    tab = new_tab(browser)
    try:
        tab.goto(server.url())
        wait_drawn(tab, marker)
        tab.locator(METRIC_VALUE).first.wait_for()
        return time.perf_counter() - server.started_at
    finally:
        tab.context.close()


def slider_moves_s(tab: Page, label: str, metric_label: str, moves: int) -> list[float]:
    """Seconds from each arrow key on the slider to its metric showing a new value."""
    slider = tab.locator('[data-testid="stSlider"]').filter(has_text=label).get_by_role("slider")
    value = (
        tab.locator('[data-testid="stMetric"]')
        .filter(has=tab.get_by_text(metric_label, exact=True))
        .locator(METRIC_VALUE)
    )
    slider.focus()
    times = []
    for _ in range(moves):
        before = value.inner_text().strip()
        handle = value.element_handle()
        pressed = time.perf_counter()
        tab.keyboard.press("ArrowRight")
        tab.wait_for_function(
            "([el, before]) => el.isConnected && el.innerText.trim() !== before",
            arg=[handle, before],
            polling="raf",
        )
        times.append(time.perf_counter() - pressed)
        tab.wait_for_function(RUN_OVER_JS, polling="raf")  # the next press starts afresh
    return times


def open_sidebar(tab: Page) -> None:
    sidebar = tab.locator('[data-testid="stSidebar"]')
    if sidebar.get_attribute("data-collapsed") == "true":
        tab.locator('[data-testid="stHeader"]').hover()
        tab.locator('[data-testid="stExpandSidebarButton"]').click()
        tab.wait_for_function(
            "() => document.querySelector('[data-testid=\"stSidebar\"]')"
            "?.dataset.collapsed === 'false'"
        )


def switches_s(tab: Page, route: list[tuple[str, Marker]], rounds: int) -> dict[str, list[float]]:
    """Seconds from a click on each navigation entry of route (in turn, rounds times) to the
    page drawn."""
    times: dict[str, list[float]] = {label: [] for label, _ in route}
    for _ in range(rounds):
        for label, marker in route:
            open_sidebar(tab)
            link = tab.locator('[data-testid="stSidebarNav"]').get_by_role(
                "link", name=label, exact=True
            )
            clicked = time.perf_counter()
            link.click()
            wait_drawn(tab, marker)
            times[label].append(time.perf_counter() - clicked)
    return times


# --- report -----------------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass(frozen=True)
class Line:
    what: str
    ours_s: float
    hello_s: float
    target: float | None  # the most the ratio may be; None: shown, not judged

    def row(self) -> str:
        ratio = self.ours_s / self.hello_s
        verdict = "" if self.target is None else ("PASS" if ratio <= self.target else "FAIL")
        target = "" if self.target is None else f"≤ {self.target:.1f}×"
        return (
            f"{self.what:<44}{self.ours_s * 1000:>9.0f}{self.hello_s * 1000:>9.0f}"
            f"{ratio:>8.2f}×{target:>8}  {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--moves", type=int, default=20, help="slider presses per app")
    parser.add_argument("--switches", type=int, default=5, help="rounds through the pages")
    parser.add_argument("--starts", type=int, default=3, help="starts of each app")
    args = parser.parse_args()

    pages = wegbilanz_pages()
    hello_start: list[float] = []
    fresh_start: list[float] = []
    warm_start: list[float] = []
    with (
        tempfile.TemporaryDirectory(prefix="wegbilanz-bench-browser-") as tmp,
        sync_playwright() as playwright,
    ):
        work = Path(tmp)
        slider_dir, pages_dir = write_hello_apps(work)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        hello_metric = Marker("/", MAIN_HEADING, "Hello")

        print(f"starts ({args.starts} of each, alternating)…", flush=True)
        for run in range(args.starts):
            with serve(slider_dir, "app.py", work / f"hello-{run}.log") as hello:
                hello_start.append(first_page_s(browser, hello, hello_metric))
            env = fresh_store_env(work / f"store-{run}")
            with serve(REPO_DIR, "app.py", work / f"fresh-{run}.log", env) as app:
                fresh_start.append(first_page_s(browser, app, pages["overview"]))
            with serve(REPO_DIR, "app.py", work / f"warm-{run}.log", env) as app:
                warm_start.append(first_page_s(browser, app, pages["overview"]))

        print(f"slider moves ({args.moves} on each)…", flush=True)
        with serve(slider_dir, "app.py", work / "hello-slider.log") as hello:
            tab = new_tab(browser)
            tab.goto(hello.url())
            wait_drawn(tab, hello_metric)
            hello_moves = slider_moves_s(tab, "Share", "Saved", args.moves)
            tab.context.close()

        with serve(pages_dir, "app.py", work / "hello-pages.log") as hello:
            tab = new_tab(browser)
            tab.goto(hello.url())
            wait_drawn(tab, HELLO_PAGE_MARKERS["One"])
            route = [("Two", HELLO_PAGE_MARKERS["Two"]), ("One", HELLO_PAGE_MARKERS["One"])]
            hello_switches = switches_s(tab, route, args.switches)
            tab.context.close()

        env = fresh_store_env(work / "store-pages")
        with serve(REPO_DIR, "app.py", work / "app-pages.log", env) as app:
            tab = new_tab(browser)
            tab.goto(app.url())
            wait_drawn(tab, pages["overview"])
            print(f"page switches ({args.switches} rounds)…", flush=True)
            route = [
                (english(f"nav.{slug}"), pages[slug])
                for slug in ("offices", "scenarios", "presenter", "overview")
            ]
            app_switches = switches_s(tab, route, args.switches)
            tab.goto(app.url("scenarios"))
            wait_drawn(tab, pages["scenarios"])
            app_moves = slider_moves_s(
                tab,
                english("scenarios.channel.video"),
                english("scenarios.metric.saved"),
                args.moves,
            )
            tab.context.close()
        browser.close()

    hello_switch = statistics.median([s for times in hello_switches.values() for s in times])
    lines = [
        Line(
            "slider -> figure, median",
            statistics.median(app_moves),
            statistics.median(hello_moves),
            SLIDER_TARGET,
        ),
        Line("slider -> figure, p95", p95(app_moves), p95(hello_moves), SLIDER_TARGET),
        *(
            Line(
                f"page switch -> {slug}, median",
                statistics.median(app_switches[english(f"nav.{slug}")]),
                hello_switch,
                None if slug == "overview" else SWITCH_TARGET,
            )
            for slug in ("offices", "scenarios", "presenter", "overview")
        ),
        Line(
            "start -> first page, fresh store, median",
            statistics.median(fresh_start),
            statistics.median(hello_start),
            START_TARGET,
        ),
        Line(
            "start -> first page, warm store, median",
            statistics.median(warm_start),
            statistics.median(hello_start),
            None,
        ),
    ]
    print()
    print(f"{'what':<44}{'ms':>9}{'hello':>9}{'ratio':>9}{'target':>8}")
    for line in lines:
        print(line.row())
    print()
    print(f"slider presses: {args.moves} per app; page switches: {args.switches} per page;")
    print(f"starts: {args.starts} per app (ms each)")
    for name, values in (
        ("hello", hello_start),
        ("fresh store", fresh_start),
        ("warm store", warm_start),
    ):
        print(f"  {name:<12}" + " ".join(f"{v * 1000:7.0f}" for v in values))
    judged = [line for line in lines if line.target is not None]
    failed = [line.what for line in judged if line.ours_s / line.hello_s > (line.target or 0)]
    print(
        f"\n{len(judged) - len(failed)} of {len(judged)} targets met"
        + (f"; missed: {', '.join(failed)}" if failed else "")
    )


if __name__ == "__main__":
    main()
