"""Command line: python -m calc demo|load|compute|compare|report|versions|rollback|passphrase
(README).

Bad input exits 2 with a message, an environment failure (disk, permission, a damaged file)
exits 1 with a message; a Python traceback only with --debug.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import duckdb

from calc import backup, comparison, demo, model, roles, store, units
from calc.factors import FactorError, FactorSet, parse_overrides
from calc.loaders import LoadError, load, load_version
from calc.pseudonyms import PseudonymKeyError
from calc.roles import Role

# The command line runs as data steward: whoever runs it is on the machine and owns its files.
CLI_ROLE = Role.STEWARD
EXIT_BAD_INPUT = 2
EXIT_ENVIRONMENT = 1


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--db", type=Path, help="database file (default: data/wegbilanz.duckdb)")
    source.add_argument("--data", type=Path, help="compute from this folder or .xlsx instead")
    parser.add_argument("--factors", default="default", help="factor set name or CSV file")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a factor-set parameter",
    )
    parser.add_argument(
        "--factor-year",
        type=int,
        default=None,
        help="compute every year with this year's factor edition",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m calc", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    commands = parser.add_subparsers(dest="command", required=True)

    demo_cmd = commands.add_parser("demo", help="write the demo data set (and load it)")
    demo_cmd.add_argument("--db", type=Path, help="database to load the demo into")
    demo_cmd.add_argument("--out", type=Path, help="folder for the CSV files")
    demo_cmd.add_argument("--clients", type=int, default=None, help="clients per year")
    demo_cmd.add_argument(
        "--prebuilt",
        action="store_true",
        help="also rebuild the pre-built demo the app starts on (data/demo_prebuilt/)",
    )

    load_cmd = commands.add_parser("load", help="validate and load a folder or .xlsx")
    load_cmd.add_argument("source", type=Path)
    load_cmd.add_argument("--db", type=Path)

    _add_data_options(commands.add_parser("compute", help="emissions per year, office, activity"))

    compare_cmd = commands.add_parser("compare", help="reference year vs current year")
    compare_cmd.add_argument("--reference", type=int, required=True)
    compare_cmd.add_argument("--current", type=int, required=True)
    _add_data_options(compare_cmd)

    versions_cmd = commands.add_parser("versions", help="list the loaded data versions")
    versions_cmd.add_argument("--db", type=Path)
    rollback_cmd = commands.add_parser("rollback", help="make an earlier data version current")
    rollback_cmd.add_argument("version")
    rollback_cmd.add_argument("--db", type=Path)

    state_cmd = commands.add_parser("state", help="back up or restore the saved work")
    state_cmd.add_argument("action", choices=["export", "import"])
    state_cmd.add_argument("file", type=Path)
    state_cmd.add_argument("--db", type=Path)

    passphrase_cmd = commands.add_parser(
        "passphrase",
        help="hash a passphrase for [local] in .streamlit/secrets.toml (read without echo)",
    )
    passphrase_cmd.add_argument(
        "--role", choices=[Role.EDITOR.value, Role.STEWARD.value], default=Role.STEWARD.value
    )

    report_cmd = commands.add_parser("report", help="write the annual report (.pdf, .html, .xlsx)")
    report_cmd.add_argument("--out", type=Path, required=True)
    report_cmd.add_argument(
        "--lang", choices=["de", "en", "nl"], default="en", help="language of texts and numbers"
    )
    report_cmd.add_argument("--reference", type=int, default=None)
    report_cmd.add_argument("--current", type=int, default=None)
    _add_data_options(report_cmd)
    return parser


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return EXIT_BAD_INPUT


def _open_data(args: argparse.Namespace) -> duckdb.DuckDBPyConnection:
    if args.data is not None:
        con = store.connect(store.MEMORY)
        load(con, args.data)
        return con
    # The data version only: the state file may be held by a running app.
    return store.connect(_db(args), state=False)


def _db(args: argparse.Namespace) -> Path:
    return args.db or store.default_db_path()


def _factors(args: argparse.Namespace) -> FactorSet:
    return FactorSet.load(args.factors).with_overrides(parse_overrides(args.overrides))


def _passphrase(role: Role) -> int:
    """Ask for a passphrase twice (no echo) and print its salted hash as a secrets line."""
    first = getpass.getpass(f"passphrase for the {role} role: ")
    if not first:
        return _fail("no passphrase given")
    if getpass.getpass("the same again: ") != first:
        return _fail("the two passphrases differ; nothing was written")
    print("# add to .streamlit/secrets.toml:")
    print("[local]")
    print(f'{role} = "{roles.hash_passphrase(first)}"')
    return 0


def _json_default(value: object) -> object:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _print_json(payload: object) -> None:
    print(json.dumps(payload, indent=2, ensure_ascii=False, default=_json_default))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except (LoadError, FactorError) as exc:
        return _fail(f"{type(exc).__name__.replace('Error', ' error')}:\n{exc}")
    except (store.StoreError, backup.BackupError) as exc:
        return _fail(str(exc))
    except (store.SchemaError, PseudonymKeyError) as exc:  # not bad input: the environment
        print(exc, file=sys.stderr)
        return EXIT_ENVIRONMENT
    except (OSError, duckdb.Error) as exc:
        if args.debug:
            raise
        print(f"cannot read or write the store: {exc}", file=sys.stderr)
        return EXIT_ENVIRONMENT


def _run(args: argparse.Namespace) -> int:
    if args.command == "demo":
        if args.prebuilt and args.clients is not None:
            return _fail("--prebuilt rebuilds the default demo: leave out --clients")
        out = args.out or Path(tempfile.mkdtemp(prefix="wegbilanz-demo-"))
        files = demo.generate(out, clients_per_year=args.clients)
        loaded = load_version(_db(args), out, label="demo", role=CLI_ROLE)
        print(f"demo data written to {out}: " + ", ".join(p.name for p in files.values()))
        print("loaded: " + ", ".join(f"{t} {n}" for t, n in loaded.rows.items() if n))
        if args.prebuilt:
            built = demo.build_prebuilt()
            size_kb = sum(path.stat().st_size for path in built.values()) / 1024
            print(f"pre-built demo written to {demo.PREBUILT_DIR} ({size_kb:,.0f} kB)")
        return 0
    if args.command == "load":
        loaded = load_version(_db(args), args.source, role=CLI_ROLE)
        for warning in loaded.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        print(
            "loaded: "
            + ", ".join(f"{t} {n}" for t, n in loaded.rows.items() if n)
            + f" ({loaded.seconds:.1f} s); data version {loaded.dataset_version}"
        )
        return 0
    if args.command == "versions":
        for version in store.Store(_db(args)).versions():
            mark = "*" if version.is_current else " "
            print(f"{mark} {version.version}  {version.loaded_at[:19]}  {version.label}")
        return 0
    if args.command == "state":
        con = store.connect(_db(args))
        try:
            if args.action == "export":
                args.file.write_bytes(backup.export_state(con))
                print(f"saved work written to {args.file}")
            else:
                restored = backup.import_state(con, args.file.read_bytes(), role=CLI_ROLE)
                print("restored: " + ", ".join(f"{t} {n}" for t, n in restored.items()))
        finally:
            con.close()
        return 0
    if args.command == "passphrase":
        return _passphrase(Role(args.role))
    if args.command == "rollback":
        store.Store(_db(args)).switch(args.version, role=CLI_ROLE)
        print(f"data version {args.version} is current")
        return 0

    con = _open_data(args)
    if not store.has_data(con):
        return _fail("no data loaded: run `python -m calc demo` or `python -m calc load DIR`")
    factors = _factors(args)
    cube = model.load_cube(con, factors)
    if args.command == "compute":
        rows = model.compute(cube, factors, factor_year=args.factor_year)
        if args.json:
            _print_json(
                {
                    "rows": rows.to_dict(orient="records"),
                    **model.year_totals(cube, factors, args.factor_year).as_json(),
                }
            )
        else:
            for year, kg in model.totals(rows).items():
                print(f"{year}: {units.tonnes(kg):,.{units.TONNES_DECIMALS}f} t CO2e")
        return 0

    if args.command == "compare":
        years = cube.years
        for year in (args.reference, args.current):
            if year not in years:
                return _fail(f"year {year} is not in the data (years: {years})")
        result = comparison.compare(
            cube, factors, args.reference, args.current, factor_year=args.factor_year
        )
        if args.json:
            _print_json(result.as_dict())
        else:
            print(comparison.summary_text(result))
        return 0

    from calc import report  # imported late: only this command needs the writers

    years = cube.years
    reference = args.reference or years[0]
    current = args.current or years[-1]
    try:
        rows = model.compute(cube, factors, factor_year=args.factor_year)
        demo_data = store.dataset_value(con, "dataset_label") == "demo"
        path = report.write(
            args.out, cube, factors, rows, reference, current, args.lang, demo=demo_data
        )
    except report.UnsupportedFormatError as exc:
        return _fail(str(exc))
    print(f"report written to {path}")
    return 0
