"""Benchmark: load + compute of 1 million client-year rows and 10 million contact events.

Not a test: prints figures and ratios. Each phase runs in its own process so that its peak
memory (max RSS) is measured on its own. Compared in the same run with
- DuckDB's bare scan of the same file (the floor: reading it at all), and
- a naive pandas baseline: row by row, a gazetteer lookup and a geopy distance per row, a
  factor lookup per row (timed on a sample and extrapolated).

    python bench/bench_load.py [--clients 1000000] [--events 10000000] [--sample 5000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent

DEMO_YEARS = 6  # the demo data set spans 2019-2024; clients_per_year is an average over them


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_generate(folder: Path, clients: int, events: int) -> dict:
    import duckdb

    from calc import demo

    started = time.perf_counter()
    demo.generate(folder / "clients", clients_per_year=clients // DEMO_YEARS)
    generated_s = time.perf_counter() - started
    # The event log: one row per contact, expanded from the client-years, then cut to size.
    events_dir = folder / "events"
    events_dir.mkdir(exist_ok=True)
    (events_dir / "offices.csv").write_text((folder / "clients" / "offices.csv").read_text())
    con = duckdb.connect()
    con.execute(
        f"""
        COPY (
            SELECT year, client_id, office_id, place, "group", channel, mode
            FROM read_csv(?) c,
                 (VALUES ('in_person'), ('phone'), ('video'), ('online')) ch(channel),
                 range(CASE channel WHEN 'in_person' THEN in_person WHEN 'phone' THEN phone
                       WHEN 'video' THEN video ELSE online END) r(i)
            LIMIT {int(events)}
        ) TO '{events_dir / "contacts.csv"}' (HEADER)
        """,
        [str(folder / "clients" / "clients.csv")],
    )
    rows = con.execute(
        "SELECT count(*) FROM read_csv(?)", [str(events_dir / "contacts.csv")]
    ).fetchall()[0][0]
    return {"generate_s": generated_s, "event_rows": rows}


def phase_bare_scan(csv: Path) -> dict:
    import duckdb

    con = duckdb.connect()
    started = time.perf_counter()
    # max() of every column: every cell is parsed, as a load must, but nothing is stored.
    rows = con.execute("SELECT count(*), max(COLUMNS(*)) FROM read_csv(?)", [str(csv)]).fetchall()
    return {"seconds": time.perf_counter() - started, "rows": rows[0][0], "peak_mb": _peak_mb()}


def phase_load_compute(folder: Path, db: Path, mode: str = "version") -> dict:
    """mode "version": a new data version of a store (what the app and the CLI do);
    "memory": one in-memory database, as the single-file loader wrote before versions."""
    from calc import loaders, model, store
    from calc.factors import FactorSet
    from calc.roles import Role

    started = time.perf_counter()
    if mode == "memory":
        con = store.connect(store.MEMORY)
        report = loaders.load(con, folder)
    else:
        report = loaders.load_version(db, folder, role=Role.STEWARD)  # a local run
        con = store.connect(db, state=False)
    loaded = time.perf_counter()
    factors = FactorSet.load()
    cube = model.load_cube(con, factors)
    rows = model.compute(cube, factors)
    done = time.perf_counter()
    return {
        "load_s": loaded - started,
        "compute_s": done - loaded,
        "rows": report.rows,
        "cube_cells": len(cube.clients) + len(cube.staff) + len(cube.trips),
        "result_rows": len(rows),
        "peak_mb": _peak_mb(),
    }


def phase_naive(folder: Path, sample: int) -> dict:
    """What a spreadsheet-minded script would do: one row at a time, a distance per row."""
    import pandas as pd
    from geopy.distance import geodesic

    from calc.factors import FactorSet
    from calc.geo import GAZETTEER_PATH, place_key

    started = time.perf_counter()
    clients = pd.read_csv(folder / "clients.csv", dtype=str)
    offices = pd.read_csv(folder / "offices.csv", dtype=str)
    gazetteer = pd.read_csv(GAZETTEER_PATH, dtype={"admin1": str})
    read_s = time.perf_counter() - started
    places = {
        (row.country, place_key(row.name)): (row.lat, row.lon) for row in gazetteer.itertuples()
    }
    factors = FactorSet.load()
    office_place = dict(zip(offices["office_id"], offices["place"], strict=True))
    started = time.perf_counter()
    total_kg = 0.0
    for row in clients.head(sample).itertuples():
        home = places.get(("AT", place_key(str(row.place))))
        office = places.get(("AT", place_key(office_place[row.office_id])))
        if home is None or office is None:
            continue
        distance_km = geodesic(home, office).km * factors.value("detour_factor")
        year = int(row.year)
        car_kg_per_pkm = factors.value("ef_car_ice_kg_per_vkm", "AT", year) / factors.value(
            "car_occupancy", "AT", year
        )
        total_kg += int(row.in_person) * 2 * distance_km * car_kg_per_pkm
    per_row_s = (time.perf_counter() - started) / sample
    return {
        "read_s": read_s,
        "per_row_s": per_row_s,
        "extrapolated_s": read_s + per_row_s * len(clients),
        "rows": len(clients),
        "peak_mb": _peak_mb(),
    }


PHASES = {"generate", "bare", "load", "load-memory", "naive"}


def run_phase(name: str, *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--phase", name, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_DIR,
    )
    if result.returncode != 0:
        raise SystemExit(f"phase {name} failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--sample", type=int, default=5_000)
    parser.add_argument("--phase", choices=sorted(PHASES))
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()

    if args.phase:  # a child process: do one phase, print its JSON
        folder = args.folder
        result = {
            "generate": lambda: phase_generate(folder, args.clients, args.events),
            "bare": lambda: phase_bare_scan(folder),
            "load": lambda: phase_load_compute(folder, args.db),
            "load-memory": lambda: phase_load_compute(folder, args.db, "memory"),
            "naive": lambda: phase_naive(folder, args.sample),
        }[args.phase]()
        print(json.dumps(result))
        return

    with tempfile.TemporaryDirectory(prefix="wegbilanz-bench-") as tmp:
        work = Path(tmp)
        print(f"generating {args.clients:,} client-year rows and {args.events:,} contact events…")
        gen = run_phase(
            "generate",
            "--folder",
            str(work),
            "--clients",
            str(args.clients),
            "--events",
            str(args.events),
        )
        clients_dir, events_dir = work / "clients", work / "events"
        bare = run_phase("bare", "--folder", str(clients_dir / "clients.csv"))
        load = run_phase("load", "--folder", str(clients_dir), "--db", str(work / "c.duckdb"))
        in_memory = run_phase("load-memory", "--folder", str(clients_dir))
        bare_events = run_phase("bare", "--folder", str(events_dir / "contacts.csv"))
        events = run_phase("load", "--folder", str(events_dir), "--db", str(work / "e.duckdb"))
        naive = run_phase("naive", "--folder", str(clients_dir), "--sample", str(args.sample))

    clients_total = load["load_s"] + load["compute_s"]
    events_total = events["load_s"] + events["compute_s"]
    print()
    print(f"{'what':<52}{'seconds':>10}{'peak MB':>10}")
    lines = [
        (f"generate demo ({bare['rows']:,} client rows)", gen["generate_s"], None),
        ("DuckDB bare scan of clients.csv", bare["seconds"], bare["peak_mb"]),
        ("Wegbilanz load into a new data version", load["load_s"], None),
        ("  the same load into one in-memory database", in_memory["load_s"], in_memory["peak_mb"]),
        ("Wegbilanz cube + compute (all years, 1,000 draws)", load["compute_s"], load["peak_mb"]),
        ("Wegbilanz load + compute, clients", clients_total, load["peak_mb"]),
        (
            f"DuckDB bare scan of contacts.csv ({bare_events['rows']:,} events)",
            bare_events["seconds"],
            bare_events["peak_mb"],
        ),
        ("Wegbilanz load + compute, contact events", events_total, events["peak_mb"]),
        (
            f"naive pandas + geopy per row (extrapolated from {args.sample:,})",
            naive["extrapolated_s"],
            naive["peak_mb"],
        ),
    ]
    for label, seconds, peak in lines:
        print(f"{label:<52}{seconds:>10.2f}{'' if peak is None else f'{peak:>10.0f}'}")
    print()
    print(f"ratio load+compute / bare scan (clients):  {clients_total / bare['seconds']:.1f}×")
    print(
        f"ratio load+compute / bare scan (events):   {events_total / bare_events['seconds']:.1f}×"
    )
    print(
        f"ratio naive baseline / load+compute:       {naive['extrapolated_s'] / clients_total:.0f}×"
    )
    print(f"ratio versioned load / in-memory load:     {load['load_s'] / in_memory['load_s']:.2f}×")
    print(f"cube cells: {load['cube_cells']:,}; result rows: {load['result_rows']:,}")


if __name__ == "__main__":
    main()
