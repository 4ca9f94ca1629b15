"""Live votes in the running app: the presenter opens a vote in the sidebar, two phones vote
through its link (which shows them nothing else), a change of mind replaces a vote, a reload
adds none, the slide's tally follows, and a closed vote refuses ballots."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from calc import locale, store, voting
from calc.roles import Role
from ui import access, vote_panel
from ui.plain import plain

APP_FILE = Path(__file__).resolve().parent.parent / "app.py"
PRESENTER = "pages/presenter.py"


def en(key: str, **values: object) -> str:
    return locale.text(key, "en", **values)


def open_presenter() -> AppTest:
    at = AppTest.from_file(str(APP_FILE), default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page(PRESENTER).run()
    assert not at.exception
    return at


def open_vote(at: AppTest, question: str, options: list[str], *, privacy: bool) -> str:
    """Fill the sidebar's new-vote form and open it; returns the vote's code."""
    at.text_input(key="vote_presenter_question").input(question)
    at.text_area(key="vote_presenter_text").input("\n".join(options))
    if not privacy:
        at.checkbox(key="vote_presenter_privacy").uncheck()
    submit = next(b for b in at.button if b.label == en("vote.open_new"))
    submit.click().run()
    assert not at.exception
    opened = [s.value for s in at.success if "Code:" in s.value]
    assert opened, [e.value for e in at.error]
    return opened[0].rsplit(" ", 1)[-1]


def phone(code: str, token: str | None = None) -> AppTest:
    """A phone opening the vote's link (with the token in the address after a reload)."""
    voter = AppTest.from_file(str(APP_FILE), default_timeout=60)
    voter.query_params["vote"] = code
    voter.query_params["lang"] = "en"
    if token:
        voter.query_params["voter"] = token
    voter.run()
    assert not voter.exception
    return voter


def texts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def tally_lines(at: AppTest) -> list[str]:
    return [m for m in texts(at) if " — " in m]


def test_facilitator_opens_two_phones_vote_tally_follows_closed_vote_refuses(app_db: Path):
    # GIVEN the presenter opens a vote with three free-text options, counts shown as they are
    at = open_presenter()
    code = open_vote(at, "What first?", ["Bikes", "Video", "Trains"], privacy=False)
    assert re.fullmatch(r"[A-Z2-9]{6}", code)

    # WHEN two phones open the link
    first, second = phone(code), phone(code)
    # THEN they see the voting page only: no sidebar, no menu, the question and the options
    for voter in (first, second):
        assert len(voter.sidebar) == 0
        assert f"# {plain('What first?')}" in texts(voter)  # as typed, not Markdown
        assert en("vote.phone.not_yet") in texts(voter)
    # Each option says its effect in plain words (free text has none)
    assert texts(first).count(en("vote.effect.none")) == 3

    # WHEN the first chooses Bikes, the second Video, then changes its mind to Bikes
    first.button(key="vote_choose_0").click().run()
    second.button(key="vote_choose_1").click().run()
    second.button(key="vote_choose_0").click().run()
    assert not first.exception and not second.exception
    assert first.button(key="vote_choose_0").label == en("vote.phone.chosen")
    assert en("vote.phone.counted") in [s.value for s in second.success]

    # AND the first reloads its page (the token stays in the address)
    token = first.query_params["voter"]
    token = token[0] if isinstance(token, list) else token
    reloaded = phone(code, token)
    assert reloaded.button(key="vote_choose_0").label == en("vote.phone.chosen")

    # THEN the slide's tally: 2 voters, Bikes 2 (100 %), Video 0, Trains 0 — one vote each
    at.button(key="vote_presenter_show").click().run()
    assert not at.exception
    assert f"**{en('vote.status.open', code=code)}** · {en('vote.voters', n='2')}" in texts(at)
    lines = tally_lines(at)
    assert any(line.endswith("**Bikes** — 2 · 100%") for line in lines), lines
    assert "**Video** — 0 · 0%" in lines and "**Trains** — 0 · 0%" in lines
    assert en("vote.winners.title", names="Bikes") in texts(at)

    # WHEN the presenter closes the vote
    at.button(key="vote_presenter_toggle").click().run()
    assert f"**{en('vote.status.closed', code=code)}** · {en('vote.voters', n='2')}" in texts(at)
    # THEN a phone still showing the open vote is refused, and nothing changes
    first.button(key="vote_choose_2").click().run()
    assert en("vote.error.closed") in [e.value for e in first.error]
    assert first.button(key="vote_choose_2").disabled
    at.run()
    assert "**Trains** — 0 · 0%" in tally_lines(at)
    # WHEN the presenter deletes the closed vote  THEN the deck has no vote slide any more
    at.button(key="vote_presenter_delete").click().run()
    assert not at.exception
    assert en("vote.none_yet") in [c.value for c in at.caption]
    assert tally_lines(at) == []


def test_small_votes_show_fewer_than_five_when_the_facilitator_chose_it(app_db: Path):
    at = open_presenter()
    code = open_vote(at, "Which first?", ["Bikes", "Video"], privacy=True)
    for choice in (0, 0, 1):
        phone(code).button(key=f"vote_choose_{choice}").click().run()
    at.button(key="vote_presenter_show").click().run()
    # 3 voters < 5 (data/privacy.csv): no count at all, not even the voters
    fewer = en("vote.fewer_than", n="5")
    assert f"**{en('vote.status.open', code=code)}** · {en('vote.voters', n=fewer)}" in texts(at)
    assert tally_lines(at) == []


def test_hidden_results_show_only_how_many_voted(app_db: Path):
    at = open_presenter()
    code = open_vote(at, "Which first?", ["Bikes", "Video"], privacy=False)
    at.button(key="vote_presenter_results").click().run()  # hide
    phone(code).button(key="vote_choose_1").click().run()
    voter = phone(code)
    assert en("vote.results_hidden") in texts(voter) and tally_lines(voter) == []
    at.button(key="vote_presenter_show").click().run()
    assert en("vote.results_hidden") in texts(at)
    assert en("vote.voters", n="1") in " ".join(texts(at))


def test_a_link_to_an_unknown_vote_says_so_and_shows_nothing_else(app_db: Path):
    voter = phone("NOPE22")
    assert len(voter.sidebar) == 0
    assert [e.value for e in voter.error] == [en("vote.phone.unknown")]


@pytest.mark.parametrize("lang", ["de", "nl"])
def test_the_phone_speaks_the_links_language(app_db: Path, lang: str):
    at = open_presenter()
    code = open_vote(at, "Q?", ["A", "B"], privacy=False)
    voter = AppTest.from_file(str(APP_FILE), default_timeout=60)
    voter.query_params["vote"] = code
    voter.query_params["lang"] = lang
    voter.run()
    assert locale.text("vote.phone.single", lang) in texts(voter)
    assert voter.button(key="vote_choose_0").label == locale.text("vote.phone.choose", lang)


def test_workshop_vote_is_kept_and_named_in_the_anchor_step(app_db: Path):
    # GIVEN a team's workspace
    at = AppTest.from_file(str(APP_FILE), default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("pages/workshop.py").run()
    at.text_input(key="workshop_new_name").input("Team North")
    at.button(key="workshop_create").click().run()
    # WHEN the facilitator opens a dot vote (2 dots) and seven people vote
    at.text_input(key="vote_workshop_question").input("What first?")
    at.text_area(key="vote_workshop_text").input("Bikes\nVideo\nTrains")
    at.checkbox(key="vote_workshop_kind").check()
    at.number_input(key="vote_workshop_dots").set_value(2)
    next(b for b in at.button if b.label == en("vote.open_new")).click().run()
    assert not at.exception
    code = next(s.value for s in at.success if "Code:" in s.value).rsplit(" ", 1)[-1]
    # Bikes: voters 1-5, dots 2+2+1+1+1 = 7; Video: voters 3, 4, 6, 7, dots 1+1+1+2 = 5;
    # Trains: voters 5 and 6, dots 1+1 = 2; 14 dots in all
    for ballot in ([0, 0], [0, 0], [0, 1], [0, 1], [0, 2], [1, 2], [1, 1]):
        voter = phone(code)
        for position in ballot:
            voter.button(key=f"vote_more_{position}").click().run()
        assert not voter.exception
    # THEN Bikes (5 voters) shows 7 dots of 14 = 50 %; Video (4 voters) and Trains (2) are
    # below 5 and hidden together (4 + 2 = 6 ≥ 5, so neither is the total minus the rest)
    at.run()
    lines = tally_lines(at)
    assert any(line.endswith("**Bikes** — 7 dots · 50%") for line in lines), lines
    fewer = en("vote.fewer_than", n="5")
    assert f"**Video** — {fewer}" in lines and f"**Trains** — {fewer}" in lines
    assert en("vote.voters", n="7") in " ".join(texts(at))
    # WHEN the vote is closed  THEN the Anchor step says what the team chose
    at.button(key="vote_workshop_toggle").click().run()
    at.segmented_control(key="step").set_value("anchor").run()
    assert not at.exception
    chosen = [m for m in texts(at) if m.startswith("- ")]
    assert len(chosen) == 1 and "the team chose Bikes" in chosen[0], chosen
    assert at.get("download_button")


def test_the_phone_says_each_effect_in_the_links_language(app_db: Path):
    # GIVEN a vote whose options carry effects (as the presenter's saved scenarios would)
    con = store.connect(app_db)
    code = voting.create(
        con,
        voting.PRESENTER,
        "Was zuerst?",
        [
            # saves 12,345 kg = 12.3 t a year, 8,060 to 15,000 kg (8.1 to 15.0 t)
            voting.Option("Video", "scenario", "v", 12_345.0, 8_060.0, 15_000.0, "scenario"),
            # adds 1,500 kg = 1.5 t a year (a saving of −1,500 kg), no bounds of its own
            voting.Option("Heizung", "action", "7", -1_500.0, -1_500.0, -1_500.0, "manual"),
            voting.Option("Fragen"),
        ],
        role=Role.EDITOR,
    )
    con.close()
    # WHEN a German phone opens the link
    voter = AppTest.from_file(str(APP_FILE), default_timeout=60)
    voter.query_params["vote"] = code
    voter.query_params["lang"] = "de"
    voter.run()
    assert not voter.exception
    # THEN the effects read in German words with German separators (decimal comma)
    shown = texts(voter)
    assert "Spart etwa 12,3 t CO2e pro Jahr (8,1 t bis 15,0 t)." in shown, shown
    assert "Verursacht etwa 1,5 t CO2e mehr pro Jahr." in shown
    assert locale.text("vote.effect.none", "de") in shown


def stored_vote(app_db: Path) -> str:
    """A vote opened by an editor before the app starts, as the presenter would have."""
    con = store.connect(app_db)
    try:
        options = [voting.Option("Bikes"), voting.Option("Video")]
        return voting.create(con, voting.PRESENTER, "Q?", options, role=Role.EDITOR)
    finally:
        con.close()


def test_a_voter_needs_no_sign_in_where_everyone_else_does(app_db: Path):
    # GIVEN sign-in through an identity provider, and nobody signed in on the phone
    code = stored_vote(app_db)
    voter = AppTest.from_file(str(APP_FILE), default_timeout=60)
    voter.query_params["vote"] = code
    voter.query_params["lang"] = "en"
    voter.secrets = {
        "auth": {
            "redirect_uri": "http://localhost:8501/oauth2callback",
            "cookie_secret": "a-test-secret-that-is-long-enough-to-sign-cookies",
            "client_id": "wegbilanz",
            "client_secret": "secret",
            "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
        }
    }
    voter.user = {"is_logged_in": False}
    voter.run()
    # THEN the phone votes, and sees no sign-in and nothing of the app
    assert not voter.exception
    assert not [b for b in voter.button if b.key == "access_login"]
    voter.button(key="vote_choose_1").click().run()
    assert voter.button(key="vote_choose_1").label == en("vote.phone.chosen")
    assert not voter.metric and len(voter.sidebar) == 0


def test_a_viewer_cannot_run_a_vote(app_db: Path, monkeypatch: pytest.MonkeyPatch):
    # GIVEN local sign-in and a session that gave no passphrase (a viewer)
    code = stored_vote(app_db)
    at = AppTest.from_file(str(APP_FILE), default_timeout=60)
    at.query_params["lang"] = "en"
    at.secrets = {"local": {"editor": "$scrypt$unused"}}
    at.run()
    at.switch_page(PRESENTER).run()
    # THEN the vote's controls are off and say who may use them
    assert at.button(key="vote_presenter_toggle").disabled
    # WHEN the controls are forced on  THEN calc refuses, says so, and the vote stays open
    monkeypatch.setattr(access, "allows", lambda needed: True)
    at.run()
    at.button(key="vote_presenter_toggle").click().run()
    assert not at.exception
    assert any("role" in e.value.lower() for e in at.error), [e.value for e in at.error]
    con = store.connect(app_db)
    try:
        vote = voting.get(con, code)
        assert vote is not None and vote.is_open
    finally:
        con.close()


@pytest.mark.parametrize(
    ("source", "effect_t", "expected_kg"),
    [
        # 2.5 t a year entered by hand = 2,500 kg, its own bounds
        pytest.param("manual", (2.5, 2.5, 2.5), (2_500.0, 2_500.0, 2_500.0), id="by-hand"),
        # from a scenario: 12.3 t, 8.1 to 15.0 t
        pytest.param("scenario", (12.3, 8.1, 15.0), (12_300.0, 8_100.0, 15_000.0), id="scenario"),
        # a deleted scenario or no estimate: no effect on the phone
        pytest.param("missing", (None, None, None), (None, None, None), id="missing"),
        pytest.param("none", (None, None, None), (None, None, None), id="none"),
    ],
)
def test_an_action_brings_its_effect_into_the_vote(source, effect_t, expected_kg):
    # GIVEN a row of calc.workshop.effects
    row = pd.Series(
        {
            "action_id": 7,
            "title": "Bikes for the office",
            "effect_source": source,
            "effect_t": effect_t[0],
            "effect_low_t": effect_t[1],
            "effect_high_t": effect_t[2],
        }
    )
    option = vote_panel._action_option(row)
    assert (option.label, option.kind, option.ref) == ("Bikes for the office", "action", "7")
    effect = (option.effect_kg, option.effect_low_kg, option.effect_high_kg)
    if expected_kg[0] is None:
        assert effect == expected_kg and option.effect_source is None
    else:
        assert effect == pytest.approx(expected_kg, rel=1e-12)
        assert option.effect_source == source
