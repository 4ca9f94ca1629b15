"""The small settings files in data/ (privacy.csv, simulation.csv, store.csv, place_matching.csv):
one row per setting, with the columns key and value, and a reason or source beside them."""

from __future__ import annotations

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def key_values(path: Path) -> dict[str, str]:
    """The file's settings as {key: value} (values as written; the caller converts them)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["key"]: row["value"] for row in csv.DictReader(handle)}
