"""Benchmark: load + compute of 1 million client-year rows (homes as place names, and as lat/lon
points) and of contact event logs of about 1, 3 and 10 million rows.

Not a test: prints figures, ratios and each target of issue 12 with PASS/FAIL. Each phase runs
in its own process, so that its peak memory (max RSS, ru_maxrss) is its own. Every load is
compared in the same run with DuckDB's plain scan of the same file, `SELECT count(*) FROM
read_csv(file)` (the targets' reference; the median of three runs), with the floor that no
load can undercut (DuckDB writing the rows as read, with their pseudonyms, into a new database
file: no checks, places, distances or compute), and the 1 M client load with a naive pandas
baseline: row by row, a gazetteer lookup and a geopy distance per row, a
factor lookup per row (timed on a sample and extrapolated).

Wall seconds are what the targets measure. CPU seconds of the phase's process (all its threads)
are printed beside them: on a shared machine the wall time also holds other processes' work.

    python bench/bench_load.py [--clients 1000000] [--events 10000000] [--sample 5000]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent

DEMO_YEARS = 6  # the demo data set spans 2019-2024; clients_per_year is an average over them
EVENT_SHARES = (0.1, 0.3, 1.0)  # event logs of about 1 M, 3 M and 10 M rows: memory vs rows
JITTER_DEG = 0.02  # lat/lon homes: the gazetteer point of the place, ± up to this per client
COUNT_RUNS = 3  # the plain count takes a fraction of a second: its median is the reference

# Targets of issue 12: wall-time ratio to the plain count of the same file, and peak RSS.
MAX_RATIO = 6.0
MAX_EVENTS_PEAK_MB = 2000.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def millions(rows: int) -> str:
    return f"{rows / 1e6:.2f}".rstrip("0").rstrip(".") + " M"


def event_sizes(events: int) -> list[int]:
    return sorted({max(1, round(events * share)) for share in EVENT_SHARES})


def events_dir(folder: Path, rows: int) -> Path:
    return folder / f"events_{rows}"


def phase_generate(folder: Path, clients: int, events: int) -> dict:
    import duckdb

    from calc import demo
    from calc.geo import GAZETTEER_PATH

    started = time.perf_counter()
    demo.generate(folder / "clients", clients_per_year=clients // DEMO_YEARS)
    generated_s = time.perf_counter() - started
    clients_csv = folder / "clients" / "clients.csv"
    con = duckdb.connect()

    # Lat/lon homes (the data contract allows lat+lon instead of place): each client lives at
    # the gazetteer point of its place plus a deterministic jitter of its own (the same point
    # every year), so that there are several hundred thousand distinct points, as in address data.
    latlon = folder / "latlon"
    latlon.mkdir(exist_ok=True)
    for name in ("offices.csv", "staff.csv", "trips.csv"):
        (latlon / name).write_text((folder / "clients" / name).read_text())
    scale = 10_000
    span = round(2 * JITTER_DEG * scale) + 1
    jitter = f"(hash(c.client_id, '{{axis}}') % {span})::DOUBLE / {scale} - {JITTER_DEG}"
    con.execute(
        f"""
        CREATE TEMP TABLE latlon AS
        WITH points AS (
            SELECT name,
                arg_max(lat::DOUBLE, population::BIGINT) AS lat,
                arg_max(lon::DOUBLE, population::BIGINT) AS lon
            FROM read_csv(?, all_varchar = true) WHERE country = 'AT'
            GROUP BY name
        )
        SELECT c.year, c.client_id, c.office_id,
            round(p.lat + {jitter.format(axis="lat")}, 5) AS lat,
            round(p.lon + {jitter.format(axis="lon")}, 5) AS lon,
            c."group", c.in_person, c.phone, c.video, c.online, c.mode, c.distance_km
        FROM read_csv(?, all_varchar = true) c LEFT JOIN points p ON p.name = c.place
        """,
        [str(GAZETTEER_PATH), str(clients_csv)],
    )
    unplaced = con.execute("SELECT count(*) FROM latlon WHERE lat IS NULL").fetchall()[0][0]
    if unplaced:
        raise SystemExit(f"{unplaced} demo clients live in a place missing from the gazetteer")
    con.execute(f"COPY latlon TO '{latlon / 'clients.csv'}' (HEADER)")
    pairs, pairs_rounded = con.execute(
        "SELECT count(DISTINCT (lat, lon)), count(DISTINCT (round(lat, 3), round(lon, 3))) "
        "FROM latlon"
    ).fetchall()[0]
    con.execute("DROP TABLE latlon")

    # The event log: one row per contact, expanded from the client-years, then cut to size;
    # the smaller logs are its first rows.
    sizes = event_sizes(events)
    largest = events_dir(folder, sizes[-1]) / "contacts.csv"
    largest.parent.mkdir(exist_ok=True)
    con.execute(
        f"""
        COPY (
            SELECT year, client_id, office_id, place, "group", channel, mode
            FROM read_csv(?) c,
                 (VALUES ('in_person'), ('phone'), ('video'), ('online')) ch(channel),
                 range(CASE channel WHEN 'in_person' THEN in_person WHEN 'phone' THEN phone
                       WHEN 'video' THEN video ELSE online END) r(i)
            LIMIT {int(sizes[-1])}
        ) TO '{largest}' (HEADER)
        """,
        [str(clients_csv)],
    )
    rows = {}
    for size in sizes:
        where = events_dir(folder, size)
        where.mkdir(exist_ok=True)
        (where / "offices.csv").write_text((folder / "clients" / "offices.csv").read_text())
        if where / "contacts.csv" != largest:
            con.execute(
                f"COPY (SELECT * FROM read_csv(?) LIMIT {int(size)}) "
                f"TO '{where / 'contacts.csv'}' (HEADER)",
                [str(largest)],
            )
        rows[str(size)] = con.execute(
            "SELECT count(*) FROM read_csv(?)", [str(where / "contacts.csv")]
        ).fetchall()[0][0]
    return {
        "generate_s": generated_s,
        "event_rows": rows,
        "latlon_pairs": pairs,
        "latlon_pairs_rounded": pairs_rounded,
    }


def phase_count(csv: Path) -> dict:
    """The reference: DuckDB's plain scan of the file, `SELECT count(*) FROM read_csv(file)`."""
    import duckdb

    con = duckdb.connect()
    walls, cpus, rows = [], [], 0
    for _ in range(COUNT_RUNS):
        started, cpu = time.perf_counter(), time.process_time()
        rows = con.execute("SELECT count(*) FROM read_csv(?)", [str(csv)]).fetchall()[0][0]
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return {
        "seconds": statistics.median(walls),
        "cpu_s": statistics.median(cpus),
        "all_s": walls,
        "rows": rows,
        "peak_mb": _peak_mb(),
    }


def phase_floor(csv: Path) -> dict:
    """What no load of this file can undercut: DuckDB's own typed read of it written into a new
    database file under the load's memory limit, with the keyed pseudonym of calc.pseudonyms,
    in any row order, checkpointed - no checks, places, distances or compute (median of three)."""
    import duckdb

    from calc import pseudonyms, store

    limit = f"{store.Settings.load().load_memory_mb:.0f}MB"
    salt = pseudonyms.salt(bytes(pseudonyms.KEY_BYTES))
    walls, cpus = [], []
    with tempfile.TemporaryDirectory(prefix="wegbilanz-floor-") as folder:
        for run in range(COUNT_RUNS):
            started, cpu = time.perf_counter(), time.process_time()
            path = Path(folder) / f"{run}.duckdb"
            con = duckdb.connect(str(path), config={"memory_limit": limit})
            con.execute("SET preserve_insertion_order = false")
            con.execute(
                "CREATE TABLE clients AS SELECT * REPLACE "
                f"({pseudonyms.sql('client_id')} AS client_id) FROM read_csv(?)",
                [salt, str(csv)],
            )
            con.execute("CHECKPOINT")
            con.close()
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
    return {"seconds": statistics.median(walls), "cpu_s": statistics.median(cpus), "all_s": walls}


def phase_load_compute(folder: Path, db: Path, mode: str = "version") -> dict:
    """mode "version": a new data version of a store (what the app and the CLI do), with
    DuckDB's memory limit load_memory_mb (data/store.csv); "memory": one in-memory database
    without that limit, as the single-file loader wrote before versions."""
    from calc import loaders, model, store
    from calc.factors import FactorSet
    from calc.roles import Role

    started, cpu = time.perf_counter(), time.process_time()
    if mode == "memory":
        con = store.connect(store.MEMORY)
        report = loaders.load(con, folder)
    else:
        report = loaders.load_version(db, folder, role=Role.STEWARD)  # a local run
        con = store.connect(db, state=False)
    loaded, loaded_cpu = time.perf_counter(), time.process_time()
    factors = FactorSet.load()
    cube = model.load_cube(con, factors)
    rows = model.compute(cube, factors)
    done, done_cpu = time.perf_counter(), time.process_time()
    return {
        "load_s": loaded - started,
        "load_cpu_s": loaded_cpu - cpu,
        "compute_s": done - loaded,
        "compute_cpu_s": done_cpu - loaded_cpu,
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


PHASES = {"generate", "count", "floor", "load", "load-memory", "naive"}


def run_phase(name: str, *args: str) -> dict:
    print(f"  phase {name} {' '.join(args)}", file=sys.stderr, flush=True)
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


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


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
            "count": lambda: phase_count(folder),
            "floor": lambda: phase_floor(folder),
            "load": lambda: phase_load_compute(folder, args.db),
            "load-memory": lambda: phase_load_compute(folder, args.db, "memory"),
            "naive": lambda: phase_naive(folder, args.sample),
        }[args.phase]()
        print(json.dumps(result))
        return

    from calc import store

    load_memory_mb = store.Settings.load().load_memory_mb
    sizes = event_sizes(args.events)
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
        places_dir, latlon_dir = work / "clients", work / "latlon"
        count = run_phase("count", "--folder", str(places_dir / "clients.csv"))
        floor = run_phase("floor", "--folder", str(places_dir / "clients.csv"))
        load = run_phase("load", "--folder", str(places_dir), "--db", str(work / "c.duckdb"))
        in_memory = run_phase("load-memory", "--folder", str(places_dir))
        count_ll = run_phase("count", "--folder", str(latlon_dir / "clients.csv"))
        load_ll = run_phase("load", "--folder", str(latlon_dir), "--db", str(work / "l.duckdb"))
        event_runs = []
        for size in sizes:
            where = events_dir(work, size)
            event_count = run_phase("count", "--folder", str(where / "contacts.csv"))
            event_load = run_phase(
                "load", "--folder", str(where), "--db", str(work / f"e{size}.duckdb")
            )
            event_runs.append((size, event_count, event_load))
        naive = run_phase("naive", "--folder", str(places_dir), "--sample", str(args.sample))

    def total(run: dict) -> float:
        return run["load_s"] + run["compute_s"]

    def total_cpu(run: dict) -> float:
        return run["load_cpu_s"] + run["compute_cpu_s"]

    print()
    print(
        f"versioned loads run with DuckDB's memory_limit = load_memory_mb = {load_memory_mb:,.0f} "
        "MB (data/store.csv);\nthe in-memory load has no such limit. Plain count = "
        f"SELECT count(*) FROM read_csv(file), median of {COUNT_RUNS} runs."
    )
    print(
        f"lat/lon homes: {gen['latlon_pairs']:,} distinct (lat, lon) pairs, "
        f"{gen['latlon_pairs_rounded']:,} at the distance cache's 3 decimals."
    )
    print()
    print(f"{'what':<58}{'wall s':>9}{'CPU s':>9}{'peak MB':>9}")
    rows_places = count["rows"]
    lines: list[tuple[str, float, float | None, float | None]] = [
        (f"generate demo ({rows_places:,} client rows)", gen["generate_s"], None, None),
        ("plain count, clients.csv (places)", count["seconds"], count["cpu_s"], count["peak_mb"]),
        (
            "floor: typed read -> new file, pseudonyms, no checks",
            floor["seconds"],
            floor["cpu_s"],
            None,
        ),
        ("load into a new data version (places)", load["load_s"], load["load_cpu_s"], None),
        (
            "  cube + compute (all years, 1,000 draws)",
            load["compute_s"],
            load["compute_cpu_s"],
            None,
        ),
        ("  load + compute, clients (places)", total(load), total_cpu(load), load["peak_mb"]),
        (
            "  the same load into one in-memory database (no limit)",
            in_memory["load_s"],
            in_memory["load_cpu_s"],
            in_memory["peak_mb"],
        ),
        (
            f"plain count, clients.csv (lat/lon, {count_ll['rows']:,} rows)",
            count_ll["seconds"],
            count_ll["cpu_s"],
            count_ll["peak_mb"],
        ),
        ("load into a new data version (lat/lon)", load_ll["load_s"], load_ll["load_cpu_s"], None),
        ("  cube + compute", load_ll["compute_s"], load_ll["compute_cpu_s"], None),
        (
            "  load + compute, clients (lat/lon)",
            total(load_ll),
            total_cpu(load_ll),
            load_ll["peak_mb"],
        ),
    ]
    for _size, event_count, event_load in event_runs:
        rows = event_count["rows"]
        lines += [
            (
                f"plain count, contacts.csv ({rows:,} events)",
                event_count["seconds"],
                event_count["cpu_s"],
                event_count["peak_mb"],
            ),
            (
                f"  load + compute, contact events ({rows:,})",
                total(event_load),
                total_cpu(event_load),
                event_load["peak_mb"],
            ),
        ]
    lines.append(
        (
            f"naive pandas + geopy per row (extrapolated from {args.sample:,})",
            naive["extrapolated_s"],
            None,
            naive["peak_mb"],
        )
    )
    for label, seconds, cpu_s, peak in lines:
        print(
            f"{label:<58}{seconds:>9.2f}{'' if cpu_s is None else f'{cpu_s:>9.2f}':>9}"
            f"{'' if peak is None else f'{peak:>9.0f}'}"
        )

    print()
    print("memory of the events load by rows (peak RSS of the load + compute process):")
    previous: tuple[int, float] | None = None
    for _size, event_count, event_load in event_runs:
        rows, peak = event_count["rows"], event_load["peak_mb"]
        growth = ""
        if previous is not None:
            per_million = (peak - previous[1]) / ((rows - previous[0]) / 1e6)
            growth = f"   {per_million:+,.0f} MB per extra 1 M events"
        print(f"  {rows:>12,} events: {peak:>7,.0f} MB{growth}")
        previous = (rows, peak)
    print(
        f"  (DuckDB's memory in the load is capped at load_memory_mb = {load_memory_mb:,.0f} MB; "
        "beyond it the load spills\n   its working tables to disk, so peak RSS then grows more "
        "slowly than the rows)"
    )

    print()
    print(f"{'target (issue 12)':<50}{'wall':>9}{'CPU':>9}{'target':>12}  verdict")
    largest_count, largest_load = event_runs[-1][1], event_runs[-1][2]
    targets = [
        (
            f"load + compute {millions(count['rows'])} clients (places) / count",
            total(load),
            total_cpu(load),
            count,
        ),
        (
            f"load + compute {millions(count_ll['rows'])} clients (lat/lon) / count",
            total(load_ll),
            total_cpu(load_ll),
            count_ll,
        ),
        (
            f"load + compute {millions(largest_count['rows'])} events / count",
            total(largest_load),
            total_cpu(largest_load),
            largest_count,
        ),
    ]
    for label, wall_s, cpu_s, reference in targets:
        ratio = wall_s / reference["seconds"]
        cpu_ratio = cpu_s / reference["cpu_s"]
        print(
            f"{label:<50}{ratio:>8.1f}×{cpu_ratio:>8.1f}×{f'≤ {MAX_RATIO:.0f}×':>12}  "
            f"{verdict(ratio <= MAX_RATIO)}"
        )
    peak = largest_load["peak_mb"]
    peak_label = f"peak RSS, {millions(largest_count['rows'])} events"
    print(
        f"{peak_label:<50}{f'{peak:,.0f} MB':>18}"
        f"{f'< {MAX_EVENTS_PEAK_MB:,.0f} MB':>12}  {verdict(peak < MAX_EVENTS_PEAK_MB)}"
    )
    print(
        "(verdicts on wall time, the targets' measure; CPU = ratio of the processes' CPU seconds)"
    )

    floor_ratio = floor["seconds"] / count["seconds"]
    print(
        f"(the floor alone, DuckDB writing the rows as read with their pseudonyms, is "
        f"{floor_ratio:.1f}× the plain count;\n load + compute (places) is "
        f"{total(load) / floor['seconds']:.1f}× the floor, the load alone "
        f"{load['load_s'] / floor['seconds']:.1f}×)"
    )

    print()
    naive_ratio = naive["extrapolated_s"] / total(load)
    print(f"ratio naive baseline / load + compute (places): {naive_ratio:.0f}×")
    print(
        "ratio versioned load / in-memory load (places):  "
        f"{load['load_s'] / in_memory['load_s']:.2f}× wall, "
        f"{load['load_cpu_s'] / in_memory['load_cpu_s']:.2f}× CPU "
        f"(versioned: writes a file, memory_limit {load_memory_mb:,.0f} MB; in-memory: no limit)"
    )
    print(f"cube cells: {load['cube_cells']:,}; result rows: {load['result_rows']:,}")


if __name__ == "__main__":
    main()
