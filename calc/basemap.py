"""The offline base map: country outlines, regional borders, lakes and main rivers (Natural
Earth, public domain; data/basemap.geojson, built by data/build_basemap.py). Read from the file,
never fetched."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

BASEMAP_PATH = Path(__file__).resolve().parent.parent / "data" / "basemap.geojson"
LAYERS = ("country", "admin1", "lake", "river")

BBox = tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max


@cache
def _features(path: Path) -> tuple[tuple[dict, BBox], ...]:
    """Every feature with its bounding box; a multi-part feature once per part (Norway's
    Bouvet Island must not bring the Norwegian mainland into a map of Carinthia)."""
    collection = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        if geometry["type"].startswith("Multi"):
            single = geometry["type"].removeprefix("Multi")
            for part in geometry["coordinates"]:
                piece = {**feature, "geometry": {"type": single, "coordinates": part}}
                found.append((piece, _bbox(part)))
        else:
            found.append((feature, _bbox(geometry["coordinates"])))
    return tuple(found)


def _bbox(coordinates: list) -> BBox:
    lons: list[float] = []
    lats: list[float] = []

    def walk(node: list) -> None:
        if node and isinstance(node[0], int | float):
            lons.append(float(node[0]))
            lats.append(float(node[1]))
        else:
            for child in node:
                walk(child)

    walk(coordinates)
    return min(lons), min(lats), max(lons), max(lats)


def features_near(extent: BBox, path: Path | None = None) -> dict[str, list[dict]]:
    """The base map's features that reach into `extent`, per layer (LAYERS)."""
    lon_min, lat_min, lon_max, lat_max = extent
    found: dict[str, list[dict]] = {layer: [] for layer in LAYERS}
    for feature, (west, south, east, north) in _features(path or BASEMAP_PATH):
        if west <= lon_max and east >= lon_min and south <= lat_max and north >= lat_min:
            found[feature["properties"]["layer"]].append(feature)
    return found
