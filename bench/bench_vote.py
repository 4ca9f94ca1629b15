"""Benchmark: 200 phones voting at once, through the function the voting page calls.

Not a test: prints a table. A state file opened as the app opens it (calc.store.connect, one
connection, a cursor per session), one open vote with four options, then `--voters` threads
(200 by default) that each cast a ballot with calc.voting.cast and change their mind once, all
released together. Reported: the time until the tally (one aggregate query, as the slide's
fragment reads it) counts every voter, then until every change of mind is in, the median and
slowest ballot (waiting for the write lock included), and whether anything was lost.

    python bench/bench_vote.py [--voters 200] [--work DIR] [--browser 20]

--browser N also serves the app on the demo data (`streamlit run`, loopback only, as the
browser tests do) and opens N phone-sized Chromium pages on one vote's link; all tap at once,
and it reports the time until every phone says its vote is counted (the ballot is stored when
it does), then the tally read from the store after the server stopped. Bounded: each wait ends
after a minute.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from chromium import CHROMIUM, CHROMIUM_ARGS, free_port, healthy

from calc import store, voting
from calc.roles import Role

OPTIONS = 4
REPO_DIR = Path(__file__).resolve().parent.parent


def run(voters: int, work: Path) -> dict[str, float]:
    con = store.connect(work / "state.duckdb")
    code = voting.create(
        con,
        voting.PRESENTER,
        "Bench",
        [voting.Option(f"Option {i}") for i in range(OPTIONS)],
        role=Role.EDITOR,
    )
    vote = voting.get(con, code)
    assert vote is not None
    start = threading.Barrier(voters + 1)
    ballot_s: list[float] = []
    errors: list[BaseException] = []

    def phone(number: int) -> None:
        cursor = con.cursor()
        try:
            start.wait()
            for choice in (number % OPTIONS, (number + 1) % OPTIONS):
                began = time.perf_counter()
                voting.cast(cursor, code, f"phone-{number}", {choice: 1})
                ballot_s.append(time.perf_counter() - began)
        except BaseException as error:  # collected, reported below
            errors.append(error)
        finally:
            cursor.close()

    threads = [threading.Thread(target=phone, args=(n,)) for n in range(voters)]
    for thread in threads:
        thread.start()
    start.wait()
    released = time.perf_counter()
    reader = con.cursor()
    while voting.tally(reader, vote).voters < voters and any(t.is_alive() for t in threads):
        time.sleep(0.1)  # the slide reads every 1.5 s; this only finds the moment sooner
    all_counted_s = time.perf_counter() - released  # every voter's first ballot is in
    for thread in threads:
        thread.join()
    all_done_s = time.perf_counter() - released  # and every change of mind
    counted = voting.tally(reader, vote)
    expected = tuple(
        voters // OPTIONS + (1 if (i - 1) % OPTIONS < voters % OPTIONS else 0)
        for i in range(OPTIONS)
    )
    con.close()
    return {
        "voters": float(voters),
        "counted": float(counted.voters),
        "lost": float(voters - counted.voters + len(errors)),
        "second_choices_right": float(counted.counts == expected),
        "all_counted_s": all_counted_s,
        "all_changed_s": all_done_s,
        "ballot_median_ms": statistics.median(ballot_s) * 1000,
        "ballot_max_ms": max(ballot_s) * 1000,
    }


WAIT_S = 60


def run_browser(sessions: int, work: Path) -> dict[str, float]:
    """N real browser sessions vote on the loopback address (see the module's doc)."""
    from playwright.sync_api import sync_playwright

    from calc import demo, loaders, locale

    work.mkdir(parents=True, exist_ok=True)
    demo.generate(work / "csv")
    served = work / "app.duckdb"
    loaders.load_version(served, work / "csv", label="demo", role=Role.STEWARD)
    con = store.connect(served)  # before the server's first visit nothing holds the store
    options = [voting.Option(f"Option {i}") for i in range(OPTIONS)]
    code = voting.create(con, voting.PRESENTER, "Bench", options, privacy=False, role=Role.EDITOR)
    con.close()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
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
            "--browser.gatherUsageStats=false",
            "--server.fileWatcherType=none",
        ],
        cwd=REPO_DIR,
        env={**os.environ, store.DB_PATH_ENV: str(served)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + WAIT_S
        while not healthy(f"{base}/_stcore/health"):
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("streamlit did not start")
            time.sleep(0.2)
        counted_text = locale.text("vote.phone.chosen", "en")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            phones = []
            for _ in range(sessions):
                context = browser.new_context(
                    viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
                )
                context.set_default_timeout(WAIT_S * 1000)
                tab = context.new_page()
                tab.goto(f"{base}/?vote={code}&lang=en")
                tab.locator(".st-key-vote_choose_0 button").wait_for()
                phones.append(tab)
            released = time.perf_counter()
            for number, tab in enumerate(phones):
                tab.locator(f".st-key-vote_choose_{number % OPTIONS} button").tap()
            for number, tab in enumerate(phones):
                button = tab.locator(f".st-key-vote_choose_{number % OPTIONS} button")
                button.filter(has_text=counted_text).wait_for()
            all_counted_s = time.perf_counter() - released
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    con = store.connect(served)
    vote = voting.get(con, code)
    assert vote is not None
    counted = voting.tally(con, vote)
    con.close()
    return {
        "browser_sessions": float(sessions),
        "browser_counted": float(counted.voters),
        "browser_lost": float(sessions - counted.voters),
        "browser_all_counted_s": all_counted_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=200)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--browser", type=int, default=0, metavar="N")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wegbilanz-bench-vote-") as folder:
        work = args.work or Path(folder)
        work.mkdir(parents=True, exist_ok=True)
        (work / "threads").mkdir(exist_ok=True)
        results = run(args.voters, work / "threads")
        if args.browser:
            results |= run_browser(args.browser, work / "browser")
    for name, value in results.items():
        print(f"{name:24} {value:10.3f}")


if __name__ == "__main__":
    main()
