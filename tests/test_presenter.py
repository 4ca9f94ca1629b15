"""Presenter slides: the privacy rule of public slides, and figures equal to the overview's."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from calc import comparison, loaders, model, presenter, privacy, scenario, store
from calc.factors import FactorSet
from calc.roles import Role

REFERENCE, CURRENT = 2019, 2022
SMALL_OFFICE = "SMA"
SMALL_OFFICE_NAME = "Tiny office Hermagor"
# office: (name, lat, lon, clients per year, staff per year)
OFFICES = {
    "BIG": ("Big office Klagenfurt", 46.6247, 14.3053, 40, 12),
    "MID": ("Middle office Villach", 46.6103, 13.8558, 20, 7),
    SMALL_OFFICE: (SMALL_OFFICE_NAME, 46.6272, 13.3672, 3, 6),
}


def _write(path: Path, header: list[str], records: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(records)


def write_small_office_data(folder: Path) -> Path:
    """Three offices, 2019 and 2022; SMA has 3 clients a year (and 6 staff). Distances and
    modes are given, so nothing is geocoded. Counts vary by person so no two cells are equal."""
    folder.mkdir(parents=True, exist_ok=True)
    _write(
        folder / "offices.csv",
        ["office_id", "name", "country", "lat", "lon"],
        [[o, name, "AT", lat, lon] for o, (name, lat, lon, _, _) in OFFICES.items()],
    )
    clients, staff = [], []
    for office, (_, _, _, n_clients, n_staff) in OFFICES.items():
        for year in (REFERENCE, CURRENT):
            later = year == CURRENT
            for i in range(n_clients):
                in_person = 6 - 3 * later + i % 3
                clients.append(
                    [
                        year,
                        f"{office}-c{i}",
                        office,
                        in_person,
                        2 + 2 * later,
                        3 * later,
                        i % 2,
                        "car" if i % 4 else "pt",
                        4.0 + 1.5 * i,
                    ]
                )
            for i in range(n_staff):
                staff.append(
                    [
                        year,
                        f"{office}-s{i}",
                        office,
                        "car" if i % 3 else "bike",
                        200 - 60 * later - i,
                        10 + 60 * later + i,
                        3.0 + 2.0 * i,
                    ]
                )
    _write(
        folder / "clients.csv",
        [
            "year",
            "client_id",
            "office_id",
            "in_person",
            "phone",
            "video",
            "online",
            "mode",
            "distance_km",
        ],
        clients,
    )
    _write(
        folder / "staff.csv",
        ["year", "staff_id", "office_id", "mode", "office_days", "homeoffice_days", "distance_km"],
        staff,
    )
    return folder


def load_small_office_db(folder: Path) -> Path:
    path = folder / "small.duckdb"
    loaders.load_version(
        path, write_small_office_data(folder / "csv"), label="small office", role=Role.STEWARD
    )
    return path


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[model.Cube, pd.DataFrame]:
    con = store.connect(load_small_office_db(tmp_path_factory.mktemp("small")))
    factors = FactorSet.load("default")
    cube = model.load_cube(con, factors)
    con.close()
    return cube, model.compute(cube, factors)


@pytest.fixture(scope="module")
def factors() -> FactorSet:
    return FactorSet.load("default")


def build(
    rows: pd.DataFrame,
    cube: model.Cube,
    factors: FactorSet,
    min_people: int = 5,
    counts: pd.DataFrame | None = None,
):
    """The slides of the rows' offices, with the comparison of the same selection."""
    selected = model.select(cube, offices=sorted(set(rows["office_id"])))
    return presenter.build(
        rows,
        privacy.people_counts(cube) if counts is None else counts,
        comparison.compare(selected, factors, REFERENCE, CURRENT),
        factors,
        scenario.main_country(cube),
        min_people,
    )


def test_people_counts_are_clients_and_staff_per_office_and_year(small):
    cube, _ = small
    counts = privacy.people_counts(cube).set_index(["year", "office_id", "population"])
    for office, (_, _, _, n_clients, n_staff) in OFFICES.items():
        assert counts.loc[(REFERENCE, office, privacy.CLIENTS), "people"] == n_clients
        assert counts.loc[(CURRENT, office, privacy.STAFF), "people"] == n_staff


def test_office_of_three_clients_is_merged_with_the_next_smallest(small, factors):
    cube, rows = small
    slides = build(rows, cube, factors)
    offices = slides.offices.table.set_index("office_id")
    assert SMALL_OFFICE not in offices.index
    # 3 clients alone stay under 5, so the next-smallest office (MID) joins the cell: the
    # small office cannot be recovered as total minus the offices shown.
    assert slides.offices.merged == ("MID", SMALL_OFFICE)
    by_office = model.totals(rows[rows["office_id"].isin(["MID", SMALL_OFFICE])])
    assert offices.loc[privacy.OTHER_OFFICES, "reference_kg"] == pytest.approx(
        by_office[REFERENCE], rel=1e-12
    )
    assert offices.loc["BIG", "current_kg"] == pytest.approx(
        model.totals(rows[rows["office_id"] == "BIG"])[CURRENT], rel=1e-12
    )


def test_no_slide_names_the_small_office(small, factors):
    cube, rows = small
    slides = build(rows, cube, factors)
    tables = [slides.offices, slides.populations, slides.channels, slides.digital_share]
    for table in tables:
        assert SMALL_OFFICE not in table.table.astype(str).to_numpy()
    base = scenario.Scenario(REFERENCE, channels=scenario.ChannelShift(video=0.3))
    shown = presenter.scenario_slide(
        scenario.apply(cube, factors, base),
        privacy.people_counts(cube),
        privacy.min_people_per_cell(),
    )
    assert SMALL_OFFICE not in set(shown.offices.table["office_id"])
    assert SMALL_OFFICE in shown.offices.merged


def test_headline_is_the_overview_comparison(small, factors):
    cube, rows = small
    slides = build(rows, cube, factors)
    assert slides.comparison == comparison.compare(cube, factors, REFERENCE, CURRENT)
    offices_kg = slides.offices.table["difference_kg"].sum()
    assert offices_kg == pytest.approx(slides.comparison.difference_kg.kg, rel=1e-9)


def test_story_is_the_change_over_each_comparison_factor(small, factors):
    cube, rows = small
    slides = build(rows, cube, factors)
    change_kg = abs(slides.comparison.difference_kg.kg)
    car = factors.factor("ef_car_ice_kg_per_vkm", "AT", CURRENT).value
    trees = factors.factor("tree_uptake_kg_per_year", "AT", CURRENT).value
    amounts = {e.name: e.amount for e in slides.story.equivalents}
    assert amounts["car_km"] == pytest.approx(change_kg / car, rel=1e-12)
    assert amounts["trees"] == pytest.approx(change_kg / trees, rel=1e-12)
    visits = rows[rows["activity"] == "in_person"].groupby("year")["km"].sum()
    assert slides.story.client_km_saved == pytest.approx(
        visits[REFERENCE] - visits[CURRENT], rel=1e-12
    )


def test_a_selection_of_only_the_small_office_shows_no_figure(small, factors):
    cube, rows = small
    slides = build(rows[rows["office_id"] == SMALL_OFFICE], cube, factors)
    assert slides.comparison is None
    assert slides.story is None
    for table in (slides.offices, slides.populations, slides.channels, slides.digital_share):
        assert table.table.empty


def test_the_threshold_is_a_parameter(small, factors):
    cube, rows = small
    slides = build(rows, cube, factors, min_people=3)
    assert SMALL_OFFICE in set(slides.offices.table["office_id"])
    assert slides.offices.merged == ()
    assert not slides.offices.withheld


def test_few_staff_withholds_both_populations_and_the_total(small, factors):
    """Clients shown next to a total would give the few staff away, so both go."""
    cube, rows = small
    counts = privacy.people_counts(cube)
    few_staff = counts.assign(
        people=counts["people"].where(counts["population"] != privacy.STAFF, 1)
    )
    slides = build(rows, cube, factors, counts=few_staff)
    assert slides.comparison is None
    assert slides.populations.withheld and slides.populations.table.empty


def test_a_year_with_too_few_clients_drops_out_of_the_digital_share(small, factors):
    cube, rows = small
    counts = privacy.people_counts(cube)
    thin_2019 = counts.assign(
        people=counts["people"].where(
            (counts["year"] != REFERENCE) | (counts["population"] != privacy.CLIENTS), 1
        )
    )
    table = build(rows, cube, factors, counts=thin_2019).digital_share
    assert list(table.table["year"]) == [CURRENT]
    assert table.withheld
    contacts = rows[
        (rows["year"] == CURRENT) & rows["activity"].isin(["in_person", "phone", "video", "online"])
    ]
    digital = contacts[contacts["activity"] != "in_person"]["count"].sum()
    assert table.table["digital_share"].iloc[0] == pytest.approx(
        digital / contacts["count"].sum(), rel=1e-12
    )


def test_channel_summary_by_hand():
    table = pd.DataFrame(
        {
            "activity": ["in_person", "phone", "video"],
            "reference_count": [100.0, 10.0, 0.0],
            "current_count": [60.0, 30.0, 20.0],
            "reference_kg": [500.0, 0.1, 0.0],
            "current_kg": [300.0, 0.3, 2.0],
        }
    )
    summary = presenter.channel_summary(table)
    # 60 visits instead of 100: 60 / 100 − 1 = −40 %; remote contacts now 0.3 + 2 kg.
    assert summary.visits_change_share == pytest.approx(-0.4, abs=1e-12)
    assert (summary.visits_reference_kg, summary.visits_current_kg) == (500.0, 300.0)
    assert summary.remote_current_kg == pytest.approx(2.3, abs=1e-12)
    no_visits_before = table.assign(reference_count=[0.0, 10.0, 0.0])
    assert presenter.channel_summary(no_visits_before).visits_change_share is None


def test_digital_share_follows_the_decks_years(demo_db: Path, factors):
    # GIVEN the demo data (2019 to 2024) and a deck from 2020 to 2023
    con = store.connect(demo_db)
    cube = model.load_cube(con, factors)
    con.close()
    rows = model.compute(cube, factors)
    # WHEN its slides are built
    slides = presenter.build(
        rows,
        privacy.people_counts(cube),
        comparison.compare(cube, factors, 2020, 2023),
        factors,
        "AT",
        5,
    )
    # THEN the digital-share slide shows those years and no later one ("In 2024" was a bug)
    assert list(slides.digital_share.table["year"]) == [2020, 2021, 2022, 2023]


@pytest.mark.parametrize(
    ("app_url", "link"),
    [
        pytest.param(
            "http://booth:8501/presenter",
            "http://booth:8501/presenter?lang=de&ref=2020&cur=2023&offices=KLU&offices=VIL"
            "&groups=jobseeker&what_if=Video+first",
            id="from-the-presenter",
        ),
        pytest.param(
            "http://booth:8501/",
            "http://booth:8501/presenter?lang=de&ref=2020&cur=2023&offices=KLU&offices=VIL"
            "&groups=jobseeker&what_if=Video+first",
            id="from-the-root",
        ),
        pytest.param(
            None,
            "/presenter?lang=de&ref=2020&cur=2023&offices=KLU&offices=VIL&groups=jobseeker"
            "&what_if=Video+first",
            id="no-address-known",
        ),
    ],
)
def test_deck_link_reproduces_the_deck_by_ids(app_url, link):
    shown = presenter.deck_link(
        app_url, "de", 2020, 2023, ["KLU", "VIL"], ["jobseeker"], "Video first"
    )
    assert shown == link


def test_qr_code_is_an_svg_of_the_link():
    svg = presenter.qr_svg("http://booth:8501/presenter?lang=de")
    assert svg.startswith("<svg") and "</svg>" in svg
