"""The scenarios page in the real app (AppTest), and once in a real browser (Playwright).

Expected figures come from calc.scenario.apply on the same demo data, formatted as the page
formats English numbers.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from calc import model, saved, store
from calc.factors import FactorSet
from calc.roles import Role
from calc.scenario import ChannelShift, Scenario, apply

REPO_DIR = Path(__file__).resolve().parent.parent
APP_FILE = REPO_DIR / "app.py"
APP_TIMEOUT_S = 60
PAGE = "pages/scenarios.py"
SAVED = "Saved per year"
CATALOGUE = REPO_DIR / "calc" / "locales" / "scenarios.csv"


@pytest.fixture(scope="module")
def cube(demo_db: Path) -> model.Cube:
    con = store.connect(demo_db)
    try:
        return model.load_cube(con, FactorSet.load())
    finally:
        con.close()


def tonnes(kg: float) -> str:
    return f"{kg / 1000:,.1f} t"


def start(query: dict[str, str] | None = None, lang: str = "en") -> AppTest:
    """A fresh app session (as after a restart) on the scenarios page, in lang (English),
    opened from a link with query. The browser speaks English: only the chosen language may
    decide how numbers are written."""
    at = AppTest.from_file(str(APP_FILE), default_timeout=APP_TIMEOUT_S)
    at.context = {"locale": "en-US"}
    at.query_params["lang"] = lang
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def expected_metrics(result) -> dict[str, str]:
    return {
        SAVED: tonnes(result.saved_kg),
        "Emissions in the scenario": tonnes(result.scenario_kg),
        "Client trips avoided (round trips)": f"{result.visits_avoided:,.0f}",
        "Client travel avoided (km)": f"{result.client_km_saved:,.0f}",
        "Clients' travel time saved (hours)": f"{result.client_hours_saved:,.0f}",
        "Clients' car costs saved (€)": f"{result.client_money_saved_eur:,.0f}",
    }


def test_moving_a_slider_changes_the_saved_figure(app, cube):
    at = app.switch_page(PAGE).run()
    assert not at.exception
    assert metrics(at)[SAVED] == tonnes(0.0)
    at.slider(key="video").set_value(40).run()
    assert not at.exception
    result = apply(cube, FactorSet.load(), Scenario(cube.years[-1], ChannelShift(video=0.4)))
    assert result.saved_kg > 0
    assert metrics(at) == expected_metrics(result)


def test_shares_of_a_set_never_pass_100_percent(app):
    at = app.switch_page(PAGE).run()
    at.slider(key="video").set_value(80).run()
    at.slider(key="phone").set_value(50).run()
    assert not at.exception
    # phone kept, video shrunk to the room left: 100 − 50
    assert (at.slider(key="video").value, at.slider(key="phone").value) == (50, 50)
    at.slider(key="to_pt").set_value(70).run()
    at.slider(key="to_bike").set_value(60).run()
    assert (at.slider(key="to_pt").value, at.slider(key="to_bike").value) == (40, 60)


def test_a_link_reproduces_the_scenario(app_db, cube):
    query = {
        "base": "2022",
        "video": "40",
        "phone": "10",
        "own.office.KLU": "true",
        "online.office.KLU": "60",
        "own.group.youth": "true",
        "video.group.youth": "100",
        "home": "true",
        "home_days": "2.5",
        "home_share": "60",
        "to_pt": "20",
        "to_bike": "5",
        "fleet": "true",
        "ev": "30.0",
        "grid": "0.15",
    }
    at = start(query)
    scenario = Scenario(
        2022,
        channels=ChannelShift(video=0.4, phone=0.1),
        office_channels=(("KLU", ChannelShift(online=0.6)),),
        group_channels=(("youth", ChannelShift(video=1.0)),),
        homeoffice_days_per_week=2.5,
        homeoffice_eligible_share=0.6,
        car_to_pt_share=0.2,
        car_to_bike_share=0.05,
        ev_share=0.3,
        grid_kg_per_kwh=0.15,
    )
    result = apply(cube, FactorSet.load(), scenario)
    assert metrics(at) == expected_metrics(result)
    net = tonnes(abs(result.homeoffice_net_kg))
    assert any(net in message.value for message in [*at.success, *at.warning])


def test_save_restart_load_gives_the_same_numbers(app):
    at = app.switch_page(PAGE).run()
    at.slider(key="video").set_value(35)
    at.slider(key="to_pt").set_value(20)
    at.toggle(key="home").set_value(True).run()
    at.select_slider(key="home_days").set_value(3.0).run()
    at.text_input(key="scenario_name").set_value("Plan A").run()
    at.button(key="scenario_save").click().run()
    assert not at.exception
    assert "Saved as “Plan A”." in [message.value for message in at.success]
    before = metrics(at)
    assert before[SAVED] != tonnes(0.0)

    # A restart: nothing cached, a new session on the same database file.
    st.cache_data.clear()
    st.cache_resource.clear()
    again = start()
    assert metrics(again)[SAVED] == tonnes(0.0)
    again.selectbox(key="scenario_pick").select("Plan A").run()
    again.button(key="scenario_load").click().run()
    assert not again.exception
    assert metrics(again) == before
    sliders = {key: again.slider(key=key).value for key in ("video", "to_pt")}
    sliders["home_days"] = again.select_slider(key="home_days").value
    assert sliders == {"video": 35, "to_pt": 20, "home_days": 3.0}


def test_fleet_sliders_follow_the_base_year_unless_moved(app):
    factors = FactorSet.load()
    at = app.switch_page(PAGE).run()
    at.toggle(key="fleet").set_value(True).run()
    at.select_slider(key="grid").set_value(0.3).run()
    at.selectbox(key="base").select(2019).run()
    assert not at.exception
    ev_2019 = factors.value("ev_share", "AT", 2019) * 100
    assert at.select_slider(key="ev").value == pytest.approx(ev_2019, rel=1e-12)
    assert at.select_slider(key="grid").value == 0.3


@pytest.fixture
def with_saved(app_db: Path) -> dict[str, Scenario]:
    plans = {
        "Video": Scenario(2022, channels=ChannelShift(video=0.3)),
        "Home": Scenario(2021, homeoffice_days_per_week=2.0),
    }
    con = store.connect(app_db)
    for name, scenario in plans.items():
        saved.save(con, name, scenario, role=Role.STEWARD)
    con.close()
    return plans


def test_compare_side_by_side(with_saved, cube):
    at = start()
    at.multiselect(key="scenario_compare").select("Video").select("Home").run()
    assert not at.exception
    # st.table renders Markdown: its cells are escaped (ui.plain); read them as shown.
    table = at.table[0].value.map(lambda cell: re.sub(r"\\(.)", r"\1", str(cell)))
    assert list(table.columns) == ["Video", "Home"]
    factors = FactorSet.load()
    for name, scenario in with_saved.items():
        result = apply(cube, factors, scenario)
        assert table.loc["Saved per year (t CO2e)", name] == tonnes(result.saved_kg)
        assert table.loc["Base year", name] == str(scenario.base_year)


def test_delete(with_saved):
    at = start()
    at.selectbox(key="scenario_pick").select("Video").run()
    at.button(key="scenario_delete").click().run()
    assert not at.exception
    assert at.selectbox(key="scenario_pick").options == ["Home"]


def test_loading_values_beyond_the_sliders_says_so(app_db):
    con = store.connect(app_db)
    saved.save(
        con,
        "Dirty grid",
        Scenario(2022, grid_kg_per_kwh=1.5, homeoffice_days_per_week=7),
        role=Role.STEWARD,
    )
    con.close()
    at = start()
    at.selectbox(key="scenario_pick").select("Dirty grid").run()
    at.button(key="scenario_load").click().run()
    assert not at.exception
    assert (at.select_slider(key="grid").value, at.select_slider(key="home_days").value) == (
        1.0,
        5.0,
    )
    assert any("beyond the sliders" in message.value for message in at.warning)


def test_import_a_scenario_file(app_db):
    at = start()
    plans = {"Imported one": Scenario(2020, car_to_bike_share=0.3), "Imported two": Scenario(2023)}
    at.file_uploader(key="scenario_upload").upload(
        "plans.json", saved.export_json(plans).encode(), "application/json"
    )
    at.button(key="scenario_import").click().run()
    assert not at.exception
    assert at.selectbox(key="scenario_pick").options == ["Imported one", "Imported two"]
    at.file_uploader(key="scenario_upload").upload("bad.json", b"{", "application/json")
    at.button(key="scenario_import").click().run()
    assert any(message.value.startswith("Not imported:") for message in at.error)


@pytest.mark.parametrize("language", ["de", "nl", "en"])
def test_every_text_is_translated(app, language):
    at = app.switch_page(PAGE).run()
    at.toggle(key="home").set_value(True)
    at.toggle(key="fleet").set_value(True)
    at.toggle(key="own.office.KLU").set_value(True)
    # As the sidebar's language box would (AppTest drops the sidebar after switch_page).
    at.session_state["lang"] = language
    at.run()
    assert not at.exception
    texts = [
        *(element.value for element in [*at.title, *at.caption, *at.markdown, *at.success]),
        *(element.label for element in [*at.metric, *at.slider, *at.toggle, *at.button]),
        *(element.label for element in [*at.selectbox, *at.multiselect, *at.text_input]),
    ]
    untranslated = [text for text in texts if re.search(r"\bscenarios\.[a-z_.]+", str(text))]
    assert untranslated == []
    assert at.metric[0].label == catalogue()["scenarios.metric.saved"][language]


def catalogue() -> dict[str, dict[str, str]]:
    with CATALOGUE.open(encoding="utf-8", newline="") as handle:
        return {row["key"]: row for row in csv.DictReader(handle)}


def test_catalogue_is_complete_and_consistent():
    rows = catalogue().values()
    assert rows
    for row in rows:
        assert row["key"].startswith("scenarios."), row["key"]
        texts = [row[language] for language in ("en", "de", "nl")]
        assert all(texts), row["key"]
        placeholders = {frozenset(re.findall(r"{(\w+)}", text)) for text in texts}
        assert len(placeholders) == 1, row["key"]


def shown_value(slider) -> str:
    """What a select slider shows at its handle: its value's label among its labels."""
    label = slider.format_func(slider.value)
    assert label in slider.options
    return label


LINK = {"home": "true", "home_days": "2.5", "fleet": "true", "ev": "12.5", "grid": "0.15"}


@pytest.mark.parametrize(
    ("lang", "days", "ev", "grid", "detour", "percent"),
    [
        # Written by hand: decimal comma in German and Dutch; CLDR's percent patterns
        # "#,##0 %" (de, with a no-break space) and "#,##0%" (en, nl).
        ("de", "2,5", "12,5\u00a0%", "0,150", "1,30", "%d\u00a0%%"),
        ("nl", "2,5", "12,5%", "0,150", "1,30", "%d%%"),
        ("en", "2.5", "12.5%", "0.150", "1.30", "%d%%"),
    ],
)
def test_sliders_show_their_values_in_the_chosen_language(
    app_db, lang, days, ev, grid, detour, percent
):
    # GIVEN a link with half a home-office day and fleet values, made in any language
    at = start(LINK, lang)

    # THEN every slider writes its value as the language does; the session keeps plain numbers
    home_days = at.select_slider(key="home_days")
    assert (home_days.value, shown_value(home_days)) == (2.5, days)
    assert (at.select_slider(key="ev").value, shown_value(at.select_slider(key="ev"))) == (
        12.5,
        ev,
    )
    assert shown_value(at.select_slider(key="grid")) == grid
    assert shown_value(at.select_slider(key="detour")) == detour  # the factor set's 1.3
    assert at.select_slider(key="home_days").options[:3] == [
        f"0{days[1]}0",
        f"0{days[1]}5",
        f"1{days[1]}0",
    ]
    for key in ("video", "home_share", "to_pt"):
        assert at.slider(key=key).proto.format == percent
    # AND the link still holds plain numbers, readable in every language
    assert (at.query_params["home_days"], at.query_params["ev"]) == ("2.5", "12.5")


def test_a_german_slider_move_writes_a_plain_number_into_the_link(app_db):
    at = start({"home": "true"}, "de")
    assert "home_days" not in at.query_params  # at its default, 2 days: a clean link

    at.select_slider(key="home_days").set_value(3.5).run()

    assert shown_value(at.select_slider(key="home_days")) == "3,5"
    assert at.query_params["home_days"] == "3.5"
    # Back at the default, the parameter goes again.
    at.select_slider(key="home_days").set_value(2.0).run()
    assert "home_days" not in at.query_params
