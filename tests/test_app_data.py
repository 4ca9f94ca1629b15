"""The data page: renders, checks an upload before loading it, loads, resets to the demo data.

With a `pages/` folder next to app.py, AppTest (streamlit 1.67) takes Streamlit's legacy
multipage path: a page reached with switch_page() runs on its own, without app.py's frame
(sidebar filters, language selectbox). So the German interface is set through the browser
locale as well as the URL, and the overview is read through app.py itself (see
overview_current), whose sidebar keeps the filter years valid after a new data set.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from calc import geo, model, store
from calc.factors import FactorSet
from tests.conftest import APP_FILE, APP_TIMEOUT_S
from ui.i18n import catalogue

DATA_PAGE = "pages/data.py"
REPORT_COLUMNS = ["file", "row", "column", "value", "expected"]
OFFICES_CSV = (
    b"office_id,name,country,place\nKLU,AMS Klagenfurt,AT,Klagenfurt\nVIL,AMS Villach,AT,Villach\n"
)
# A small valid data set with given distances, so its totals are easy to tell from the demo's.
CLIENTS_CSV = (
    b"year,client_id,office_id,in_person,video,mode,distance_km\n"
    b"2021,anna,KLU,400,0,car,30\n"
    b"2022,anna,KLU,100,300,car,30\n"
    b"2022,ben,VIL,50,0,rail,20\n"
)


def text(key: str, lang: str = "en") -> str:
    return catalogue()[key][lang]


def overview_current(at: AppTest) -> tuple[int, float]:
    """(year, t CO2e) of the overview's current-year metric, read as a person reads it."""
    try:
        at.switch_page("app.py")  # the frame with its filters, on its default page
    except ValueError:  # app.py's own navigation does not list app.py: go the usual way
        at.switch_page("pages/overview.py")
    at.run()
    assert not at.exception
    metric = at.metric[1]  # reference, current, difference, avoided
    year = int(re.search(r"\d{4}", metric.label).group())
    return year, float(metric.value.removesuffix(" t").replace(",", ""))


def database_state(path: Path) -> tuple[str, dict[int, float]]:
    """The dataset version and calc's kg CO2e per year (default factors) of the app's database."""
    con = store.connect(path, state=False)
    try:
        factors = FactorSet.load()
        rows = model.compute(model.load_cube(con, factors), factors)
        return store.dataset_version(con), model.totals(rows)
    finally:
        con.close()


def open_data_page(at: AppTest) -> AppTest:
    at.switch_page(DATA_PAGE).run()
    assert not at.exception
    return at


def upload(at: AppTest, files: dict[str, bytes]) -> AppTest:
    uploader = at.file_uploader[0]
    for name, content in files.items():
        uploader.upload(name, content, "text/csv")
    at.run()
    assert not at.exception
    return at


def report_tables(at: AppTest) -> list[pd.DataFrame]:
    return [df.value for df in at.dataframe if list(df.value.columns) == REPORT_COLUMNS]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_data_page_renders(app_db, lang):
    at = AppTest.from_file(str(APP_FILE), default_timeout=APP_TIMEOUT_S)
    at.query_params["lang"] = lang
    at.context = {"locale": f"{lang}-AT"}
    at.run()
    open_data_page(at)

    assert at.title[0].value == text("data.title", lang)
    assert at.file_uploader[0].accept_multiple_files
    assert at.checkbox(key="data_geocode").value is False  # online geocoding is opt-in
    assert at.caption[-1].value == text("data.geocode.off", lang)
    loaded = at.dataframe[0].value  # what is loaded: the demo's tables
    assert loaded["total"].iloc[0] == "8"  # the eight demo offices


@pytest.mark.parametrize(
    ("clients_csv", "row", "column", "is_place"),
    [
        pytest.param(b"2022,b,KLU,Villach,three\n", 3, "in_person", False, id="not-a-number"),
        pytest.param(b"2022,b,GRZ,Villach,1\n", 3, "office_id", False, id="unknown-office"),
        pytest.param(b"2022,b,KLU,Atlantis,1\n", 3, "place", True, id="unknown-place"),
    ],
)
def test_invalid_upload_shows_file_row_column_and_keeps_the_loaded_data(
    app, app_db, clients_csv, row, column, is_place
):
    year, before_t = overview_current(app)
    version, totals_kg = database_state(app_db)
    assert before_t == pytest.approx(totals_kg[year] / 1000, abs=0.05)
    clients = b"year,client_id,office_id,place,in_person\n2022,a,KLU,Villach,3\n" + clients_csv

    upload(open_data_page(app), {"offices.csv": OFFICES_CSV, "clients.csv": clients})

    assert app.error[0].value == text("data.report.errors_body")
    problems = pd.concat(report_tables(app))
    # The row as the page writes a count in English (text, "1,234" from a thousand rows on).
    shown_row = f"{row:,}"
    assert ["clients.csv", shown_row, column] in problems[["file", "row", "column"]].values.tolist()
    shown_places = any(m.value == f"**{text('data.report.places_title')}**" for m in app.markdown)
    assert shown_places == is_place
    assert not [b for b in app.button if b.key == "data_load"]  # nothing to confirm
    after_version, after_totals_kg = database_state(app_db)
    assert after_version == version
    # DuckDB sums in parallel: the same data may differ in the last bit.
    assert after_totals_kg == pytest.approx(totals_kg, rel=1e-12)
    assert overview_current(app) == (year, before_t)


def test_valid_upload_is_checked_then_loaded_for_every_page_and_reset_brings_back_the_demo(
    app, app_db
):
    demo_version, demo_totals = database_state(app_db)
    upload(open_data_page(app), {"offices.csv": OFFICES_CSV, "clients.csv": CLIENTS_CSV})

    assert app.success[0].value == "Offices: 2 · Clients: 3"
    assert database_state(app_db)[0] == demo_version  # checked, not loaded yet

    app.button(key="data_load").click().run()

    assert not app.exception
    assert app.success[0].value.startswith("Offices: 2 · Clients: 3 (")
    version, totals_kg = database_state(app_db)
    assert version != demo_version
    loaded = app.dataframe[0].value.set_index("table_name")
    assert loaded.loc["Clients", ["total", "2021", "2022"]].tolist() == ["3", "1", "2"]
    year, shown_t = overview_current(app)  # a rerun suffices: caches are keyed by version
    assert shown_t == pytest.approx(totals_kg[year] / 1000, abs=0.05)
    assert totals_kg[year] < min(demo_totals.values()) / 10  # clearly not the demo any more

    open_data_page(app).button(key="data_reset").click().run()

    assert not app.exception
    assert app.success[0].value == text("data.reset.done")
    assert database_state(app_db)[1] == pytest.approx(demo_totals, rel=1e-9)


class FakeGeocoder:
    """Stands in for Nominatim: answers one place and records every request."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict]] = []

    def geocode(self, query: str, **kwargs: object) -> object | None:
        self.requests.append((query, kwargs))
        if query == "Atlantis":
            return type("Location", (), {"latitude": 46.7, "longitude": 14.1})()
        return None


def test_online_geocoding_sends_only_place_and_country_and_asks_once(app, app_db, monkeypatch):
    fake = FakeGeocoder()
    real_geocoder = geo.OnlineGeocoder
    monkeypatch.setattr(
        geo, "OnlineGeocoder", lambda: real_geocoder(geocoder=fake, min_delay_seconds=0)
    )
    clients = b"year,client_id,office_id,place,in_person\n2022,secret-id-17,KLU,Atlantis,2\n"
    open_data_page(app).checkbox(key="data_geocode").check().run()
    assert app.caption[-1].value == text("data.geocode.what")

    upload(app, {"offices.csv": OFFICES_CSV, "clients.csv": clients})
    assert not app.error
    app.button(key="data_load").click().run()

    assert not app.exception
    assert fake.requests == [("Atlantis", {"exactly_one": True, "country_codes": "at"})]
    con = store.connect(app_db, state=False)
    try:
        origin = con.execute("SELECT origin_lat, origin_lon FROM clients").fetchall()
    finally:
        con.close()
    assert origin == [(46.7, 14.1)]


@pytest.mark.parametrize(
    ("lang", "expected", "value"),
    [
        # Worked out from calc/locales/loader.csv and data/plausible_ranges.csv: in_person of a
        # client-year lies from 0 to 400 contacts; 4500 is beyond it.
        ("de", "0 bis 400 Kontakte je Kund:in und Jahr (data/plausible_ranges.csv)", "4500"),
        ("nl", "0 tot 400 contacten per klant per jaar (data/plausible_ranges.csv)", "4500"),
        ("de", "eine Zahl", "drei"),
        ("nl", "een getal", "drei"),
    ],
)
def test_the_report_says_what_was_expected_in_the_chosen_language(app_db, lang, expected, value):
    at = AppTest.from_file(str(APP_FILE), default_timeout=APP_TIMEOUT_S)
    at.query_params["lang"] = lang
    at.context = {"locale": f"{lang}-AT"}
    at.run()
    clients = f"year,client_id,office_id,place,in_person\n2022,a,KLU,Villach,{value}\n".encode()

    upload(open_data_page(at), {"offices.csv": OFFICES_CSV, "clients.csv": clients})

    problems = pd.concat(report_tables(at))
    assert problems[["row", "column", "value", "expected"]].values.tolist() == [
        ["2", "in_person", value, expected]
    ]
