"""calc.basemap and the offline map: borders, lakes and rivers from the shipped file, only those
near the offices, nothing to fetch."""

from __future__ import annotations

import json

import pandas as pd

from calc import basemap, charts

CARINTHIA = (12.6, 46.3, 15.1, 47.2)  # lon_min, lat_min, lon_max, lat_max
NORTH_NORWAY = (18.0, 69.0, 20.0, 70.0)


def test_the_shipped_file_holds_the_four_layers_of_the_gazetteer_countries():
    collection = json.loads(basemap.BASEMAP_PATH.read_text(encoding="utf-8"))
    layers = {f["properties"]["layer"] for f in collection["features"]}
    assert layers == set(basemap.LAYERS)
    countries = {f["properties"]["id"] for f in collection["features"] if "id" in f["properties"]}
    assert countries == {"AT", "DE", "NL", "BE", "NO", "CH", "LU"}
    assert basemap.BASEMAP_PATH.stat().st_size < 1_000_000  # small enough for every page view


def test_only_features_near_the_offices_are_sent():
    near = basemap.features_near(CARINTHIA)
    assert [f["properties"]["id"] for f in near["country"]] == ["AT"]
    assert near["admin1"]  # Carinthia's borders with Tyrol, Salzburg and Styria
    far = basemap.features_near(NORTH_NORWAY)
    assert {f["properties"]["id"] for f in far["country"]} == {"NO"}  # mainland and islands
    assert not any(f in near["admin1"] for f in far["admin1"])


def test_the_map_draws_borders_cells_and_labelled_offices_without_any_url():
    offices = pd.DataFrame(
        {
            "lat": [46.62, 46.61],
            "lon": [14.31, 13.85],
            "name": ["Klagenfurt", "Villach"],
            "t_co2e": [64.0, 92.5],
        }
    )
    cells = pd.DataFrame(
        {"lat": [46.625], "lon": [14.025], "clients": [6], "visits": [9], "t_co2e": [0.06]}
    )
    titles = {"t_co2e": "t CO2e", "name": "Office", "visits": "Visits", "clients": "Clients"}
    spec = charts.office_map(offices, cells, cell_deg=0.05, titles=titles, lang="de").to_dict()
    text = json.dumps(spec)
    assert '"url"' not in text  # every layer's data is inline: nothing is fetched
    marks = [layer["mark"] for layer in spec["layer"]]
    assert marks[0]["type"] == "geoshape" and marks[0]["fill"] == charts.LAND_COLOR  # Austria
    assert marks[-4]["type"] == "geoshape" and marks[-4]["opacity"] == 0.75  # the cells
    assert [m["type"] for m in marks[-3:]] == ["square", "text", "text"]  # labelled offices
    # The projection is fitted to the offices and cells, not to the whole base map.
    fitted = spec["projection"]["fit"]["geometry"]["coordinates"][0]
    assert min(p[0] for p in fitted) == 13.85 - 0.12
    assert max(p[1] for p in fitted) == 46.625 + 0.12
    # The cell is a 0.05° square around its centre.
    cell = next(
        f
        for v in spec["datasets"].values()
        if isinstance(v, dict)
        for f in v["features"]
        if "clients" in f["properties"]
    )
    assert cell["geometry"]["coordinates"][0][0] == [14.0, 46.6]
