"""Benchmark: 200 phones voting at once, through the function the voting page calls.

Not a test: prints a table. A state file opened as the app opens it (calc.store.connect, one
connection, a cursor per session), one open vote with four options, then `--voters` threads
(200 by default) that each cast a ballot with calc.voting.cast and change their mind once, all
released together. Reported: the time until the tally (one aggregate query, as the slide's
fragment reads it) counts every voter, then until every change of mind is in, the median and
slowest ballot (waiting for the write lock included), and whether anything was lost.

    python bench/bench_vote.py [--voters 200] [--work DIR]

Browser sessions on the loopback address (the issue's 20 real phones) are not part of it yet.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

from calc import store, voting
from calc.roles import Role

OPTIONS = 4


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=200)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    if args.work:
        args.work.mkdir(parents=True, exist_ok=True)
        results = run(args.voters, args.work)
    else:
        with tempfile.TemporaryDirectory(prefix="wegbilanz-bench-vote-") as folder:
            results = run(args.voters, Path(folder))
    for name, value in results.items():
        print(f"{name:24} {value:10.3f}")


if __name__ == "__main__":
    main()
