"""Benchmark: scenario recompute after a slider move, at 10 thousand, 1 and 10 million clients.

Not a test: prints a table. A slider move costs one `calc.scenario.apply` on the cube of the
loaded data set; the cube has one row per (year, office, group, mode, distance band), so its size
(and the recompute time) hardly grows with the number of clients. Target: under 50 ms.

Data: 10 thousand and 1 million client-year rows come from the demo generator, loaded into a
store by `calc.loaders.load_version` as a user's files would be. 10 million rows through CSV
would spend minutes on the loader without changing the cube much, so that size is built inside
DuckDB (the current version's file): the 1 million loaded clients ten times over, each copy a
new client with its distance stretched a little (so the cells differ), then aggregated into the
cube by `calc.model.load_cube` as usual.

Per size: the cube's build (SQL, once per data set), the first apply for a base year (prepares
the year: the cache the slider moves then use), and at least 30 applies each changing one
lever: a channel share, a fleet factor (EV share, which changes the factor tables), and all
levers at once.

    python bench/bench_scenario.py [--runs 30] [--work DIR] [--browser]

--browser also times slider-to-updated-figure in Chromium (target under 300 ms) on the 1 million
database: the arrow key on the video slider, until the saved figure shows the new value.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
from chromium import CHROMIUM, CHROMIUM_ARGS, free_port

from calc import demo, loaders, model, store
from calc.factors import FactorSet
from calc.roles import Role
from calc.scenario import ChannelShift, Scenario, apply

REPO_DIR = Path(__file__).resolve().parent.parent

DEMO_YEARS = 6  # the demo spans 2019-2024; clients_per_year is an average over the years
BASE_YEAR = 2022
TARGET_MS = 50.0
BROWSER_TARGET_MS = 300.0


def loaded_database(work: Path, clients: int) -> Path:
    """A store (calc.store: state file path, data versions beside it) with the demo data of
    that many client-year rows, loaded as a user's files would be; built once, then reused."""
    path = work / f"clients-{clients}.duckdb"
    if store.Store(path).current() is not None:
        return path
    folder = work / f"csv-{clients}"
    demo.generate(folder, clients_per_year=clients // DEMO_YEARS)
    loaders.load_version(path, folder, label=f"bench {clients}", role=Role.STEWARD)
    shutil.rmtree(folder)
    return path


def copy_store(source: Path, target: Path) -> Path:
    """A copy of a store's state file (if any) and its data versions."""
    shutil.rmtree(store.Store(target).data_dir, ignore_errors=True)
    shutil.copytree(store.Store(source).data_dir, store.Store(target).data_dir)
    if source.exists():
        shutil.copy(source, target)
    return target


def multiplied_database(work: Path, source: Path, times: int) -> Path:
    """The source's clients `times` over as new clients, distances stretched per copy."""
    path = work / f"clients-x{times}-{source.stem}.duckdb"
    where = store.Store(path)
    if where.current() is not None:
        return path
    copy_store(source, path)
    current = where.current()
    assert current is not None
    con = duckdb.connect(str(where.version_path(current)))
    try:
        con.execute(
            """
            CREATE OR REPLACE TABLE clients AS
            SELECT c.* REPLACE (
                c.client_key || '-' || copy.i AS client_key,
                c.geodesic_km * (0.9 + 0.02 * copy.i) AS geodesic_km,
                c.distance_km * (0.9 + 0.02 * copy.i) AS distance_km
            )
            FROM clients c, range(?) copy(i)
            """,
            [times],
        )
    finally:
        con.close()
    return path


def timings_ms(run: Callable[[int], object], runs: int) -> list[float]:
    times = []
    for index in range(runs):
        started = time.perf_counter()
        run(index)
        times.append((time.perf_counter() - started) * 1000)
    return times


def median_p95(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def measure(path: Path, runs: int) -> dict:
    factors = FactorSet.load()
    con = store.connect(path, state=False)
    rows = con.execute("SELECT count(*) FROM clients").fetchall()[0][0]
    started = time.perf_counter()
    cube = model.load_cube(con, factors)
    cube_s = time.perf_counter() - started
    con.close()
    cells = len(cube.clients) + len(cube.staff) + len(cube.trips)
    year_cells = int((cube.clients["year"] == BASE_YEAR).sum())

    started = time.perf_counter()
    apply(cube, factors, Scenario(BASE_YEAR))
    first_ms = (time.perf_counter() - started) * 1000

    def share(index: int) -> float:
        return (index % 20 + 1) / 40  # 2.5 % … 50 %, a new value each run

    levers: dict[str, Callable[[int], Scenario]] = {
        "video share": lambda i: Scenario(BASE_YEAR, channels=ChannelShift(video=share(i))),
        "EV share": lambda i: Scenario(BASE_YEAR, ev_share=share(i)),
        "all levers": lambda i: Scenario(
            BASE_YEAR,
            channels=ChannelShift(video=share(i), phone=0.1),
            office_channels=(("KLU", ChannelShift(online=share(i))),),
            homeoffice_days_per_week=2.0,
            homeoffice_eligible_share=0.6,
            car_to_pt_share=0.1,
            car_to_bike_share=share(i) / 2,
            ev_share=share(i),
            grid_kg_per_kwh=0.2,
        ),
    }

    def slider_move(make: Callable[[int], Scenario]) -> Callable[[int], object]:
        return lambda i: apply(cube, factors, make(i))

    results = {
        name: median_p95(timings_ms(slider_move(make), runs)) for name, make in levers.items()
    }
    return {
        "rows": rows,
        "cells": cells,
        "year_cells": year_cells,
        "cube_s": cube_s,
        "first_ms": first_ms,
        **results,
    }


def browser_ms(database: Path, runs: int) -> list[float]:
    """Slider key press to updated figure in Chromium, against `streamlit run app.py` on a
    copy of the database (tests/test_app_scenarios.py runs it once as a browser test)."""
    from playwright.sync_api import Error, sync_playwright

    copy = copy_store(database, database.with_name(f"browser-{database.name}"))
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(REPO_DIR / "app.py"),
            "--server.headless=true",
            f"--server.port={port}",
            "--server.address=127.0.0.1",
        ],
        cwd=REPO_DIR,
        env={**os.environ, store.DB_PATH_ENV: str(copy)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    times = []
    try:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            deadline = time.monotonic() + 180
            # The root first: a deep link as the very first request after a start would open
            # the page without app.py (Streamlit still reads pages/ the legacy way then).
            for path, ready in (("/", "stSidebarNavLink"), ("/scenarios?lang=English", "stMetric")):
                while True:
                    try:
                        page.goto(f"http://127.0.0.1:{port}{path}")
                        page.get_by_test_id(ready).first.wait_for(timeout=180_000)
                        break
                    except Error:
                        if time.monotonic() > deadline:
                            raise
                        time.sleep(1)
            figure = page.get_by_test_id("stMetricValue").first
            page.get_by_role("slider").first.focus()
            for _ in range(runs):
                before = figure.inner_text()
                started = time.perf_counter()
                page.keyboard.press("ArrowRight")
                page.wait_for_function(
                    "([el, old]) => el.innerText !== old", arg=[figure.element_handle(), before]
                )
                times.append((time.perf_counter() - started) * 1000)
                time.sleep(0.3)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        copy.unlink(missing_ok=True)
        shutil.rmtree(store.Store(copy).data_dir, ignore_errors=True)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="applies per lever (at least 30)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/wegbilanz-bench-scenario"))
    parser.add_argument("--browser", action="store_true", help="also time the real page")
    args = parser.parse_args()
    runs = max(args.runs, 30)
    args.work.mkdir(parents=True, exist_ok=True)

    print("preparing data (cached in", args.work, ")", flush=True)
    databases = {"10 thousand": loaded_database(args.work, 10_000)}
    databases["1 million"] = loaded_database(args.work, 1_000_000)
    databases["10 million"] = multiplied_database(args.work, databases["1 million"], 10)

    header = (
        f"{'clients':>11} {'rows':>11} {'cube cells':>10} {'cells/year':>10} {'cube s':>7} "
        f"{'1st ms':>7} | {'video share':>15} {'EV share':>15} {'all levers':>15}"
    )
    print(f"\nscenario recompute, ms (median / p95 of {runs} runs); target < {TARGET_MS:.0f} ms")
    print(header)
    print("-" * len(header))
    worst = 0.0
    for label, path in databases.items():
        row = measure(path, runs)
        cells = [
            f"{row[name][0]:6.1f} / {row[name][1]:5.1f}"
            for name in ("video share", "EV share", "all levers")
        ]
        worst = max(worst, *(row[name][1] for name in ("video share", "EV share", "all levers")))
        print(
            f"{label:>11} {row['rows']:>11,} {row['cells']:>10,} {row['year_cells']:>10,} "
            f"{row['cube_s']:>7.2f} {row['first_ms']:>7.1f} | {cells[0]:>15} {cells[1]:>15} "
            f"{cells[2]:>15}"
        )
    verdict = "within" if worst < TARGET_MS else "OVER"
    print(f"\nworst p95 {worst:.1f} ms: {verdict} the {TARGET_MS:.0f} ms target")
    print("cube s: the SQL aggregation, once per data set; 1st ms: first apply for a base year")

    if args.browser:
        times = browser_ms(databases["1 million"], runs)
        median, p95 = median_p95(times)
        verdict = "within" if p95 < BROWSER_TARGET_MS else "OVER"
        print(
            f"\nbrowser, slider key to updated figure (1 million clients): median {median:.0f} ms, "
            f"p95 {p95:.0f} ms, {verdict} the {BROWSER_TARGET_MS:.0f} ms target"
        )


if __name__ == "__main__":
    main()
