"""Benchmark: the uncertainty simulation behind every interval (issue 8), on the demo cube.

Not a test: prints a table with ratios against a reference measured in the same run, and
PASS/FAIL against the targets:

- the overview's comparison (calc.comparison.compare, 2019 → latest year) with the shipped
  number of draws (data/simulation.csv, at least 1,000) — once per data set, factor set and
  selection, cached by ui.compute — under 1 s, so a first overview stays well within a page
  switch;
- a scenario slider move (calc.scenario.apply with the scenario draws) under 50 ms, as the
  design asks of every slider move;
- the reference: the same comparison with one draw (the central figures plus a trivial
  interval), so the ratio tells what the simulation itself costs.

    python bench/bench_simulation.py [--runs 5] [--draws N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from calc import comparison, demo, loaders, model, store
from calc.factors import FactorSet
from calc.scenario import ChannelShift, Scenario, apply
from calc.simulation import Settings

COMPARE_TARGET_S = 1.0
SLIDER_TARGET_MS = 50.0


def timed(run: Callable[[], object], runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--draws", type=int, default=None, help="default: data/simulation.csv")
    args = parser.parse_args()

    shipped = Settings.load()
    settings = shipped if args.draws is None else replace(shipped, draws=args.draws)
    one_draw = replace(settings, draws=1)
    factors = FactorSet.load()
    with tempfile.TemporaryDirectory(prefix="wegbilanz-bench-") as folder:
        demo.generate(Path(folder) / "csv")
        # In memory, with a salt of its own (a file store's loads are keyed by load_version).
        con = store.connect(store.MEMORY)
        loaders.load(con, Path(folder) / "csv", label="demo")
        cube = model.load_cube(con, factors)
        con.close()
    reference, current = cube.years[0], cube.years[-1]

    def compare_with(chosen: Settings) -> Callable[[], object]:
        return lambda: comparison.compare(cube, factors, reference, current, settings=chosen)

    baseline = timed(compare_with(one_draw), args.runs)
    simulated = timed(compare_with(settings), args.runs)
    apply(cube, factors, Scenario(current))  # prepares the base year, as the first page view does
    shares = [0.1 * (i % 9) for i in range(max(args.runs * 6, 30))]

    def move_slider(share: float) -> float:
        what_if = Scenario(current, ChannelShift(video=share))
        return timed(lambda: apply(cube, factors, what_if), 1)[0]

    moves = [move_slider(share) for share in shares]

    median_baseline = statistics.median(baseline)
    median_simulated = statistics.median(simulated)
    median_move_ms = statistics.median(moves) * 1000
    p95_move_ms = sorted(moves)[int(0.95 * (len(moves) - 1))] * 1000
    result = comparison.compare(cube, factors, reference, current, settings=settings)

    print(f"demo cube: {len(cube.clients)} client cells, years {reference}-{current}")
    print(f"draws: comparison {settings.draws}, scenario {settings.scenario_draws}")
    print(f"{'what':<48}{'median':>12}{'ratio':>10}")
    print(f"{'compare, 1 draw (reference)':<48}{median_baseline:>11.3f}s{1:>10.1f}")
    print(
        f"{f'compare, {settings.draws} draws':<48}{median_simulated:>11.3f}s"
        f"{median_simulated / median_baseline:>10.1f}"
    )
    print(f"{'slider move, scenario draws (median / p95)':<48}{median_move_ms:>9.1f} ms")
    print(f"{'':<48}{p95_move_ms:>9.1f} ms")
    d = result.difference_kg
    print(
        f"difference {reference}->{current}: {d.kg / 1000:,.1f} t "
        f"[{d.low_kg / 1000:,.1f}, {d.high_kg / 1000:,.1f}]; avoided "
        f"{result.avoided.net.kg / 1000:,.1f} t "
        f"[{result.avoided.net.low_kg / 1000:,.1f}, {result.avoided.net.high_kg / 1000:,.1f}]"
    )
    verdicts = [
        (f"compare with {settings.draws} draws < {COMPARE_TARGET_S:g} s", median_simulated),
        (f"slider move p95 < {SLIDER_TARGET_MS:g} ms", p95_move_ms / 1000),
    ]
    targets = [COMPARE_TARGET_S, SLIDER_TARGET_MS / 1000]
    for (label, value), target in zip(verdicts, targets, strict=True):
        print(f"{'PASS' if value < target else 'FAIL'}: {label}")


if __name__ == "__main__":
    main()
