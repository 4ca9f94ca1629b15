"""calc.voting: votes, ballots, the tally, the privacy rule, the winners and their combined effect,
with every expected value worked out by hand; 100 ballots from 100 threads lose nothing."""

from __future__ import annotations

import csv
import io
import threading
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from calc import privacy, store, voting
from calc.roles import Role, RoleError
from calc.voting import Option, VoteError

EDITOR = Role.EDITOR  # who runs a vote
MIN = 5  # data/privacy.csv min_people_per_cell, written out so the arithmetic reads on its own


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(":memory:")
    voting.ensure_tables(connection)
    return connection


def open_vote(con, n_options: int = 3, **settings) -> voting.Vote:
    options = [Option(f"Option {chr(65 + i)}") for i in range(n_options)]
    code = voting.create(con, voting.PRESENTER, "What first?", options, **settings, role=EDITOR)
    vote = voting.get(con, code)
    assert vote is not None
    return vote


def cast_many(con, vote: voting.Vote, ballots: list[dict[int, int]]) -> None:
    for number, choices in enumerate(ballots):
        voting.cast(con, vote.vote_id, f"token-{number}", choices)


def test_threshold_is_read_from_the_privacy_file():
    # GIVEN data/privacy.csv  THEN the vote's floor is its min_people_per_cell (5 shipped)
    assert privacy.min_people_per_cell() == MIN


# -- tally ---------------------------------------------------------------------------------------


def test_single_choice_tally_counts_voters_and_shares(con):
    vote = open_vote(con, privacy=False)
    # GIVEN 3 voters for A, 1 for B, 2 for C
    cast_many(con, vote, [{0: 1}, {0: 1}, {0: 1}, {1: 1}, {2: 1}, {2: 1}])
    counted = voting.tally(con, vote)
    # THEN 6 voters; A 3, B 1, C 2; shares 3/6, 1/6, 2/6
    assert counted == voting.Tally(voters=6, dots=6, counts=(3, 1, 2), people=(3, 1, 2))
    seen = voting.shown(vote, counted, MIN)
    assert seen.shares == pytest.approx((3 / 6, 1 / 6, 2 / 6), rel=1e-12)


def test_dot_voting_sums_dots_and_counts_people_per_option(con):
    vote = open_vote(con, kind="dots", dots=3)
    # GIVEN voter 1: A 2, B 1; voter 2: C 3; voter 3: A 1, C 1 (one dot unused)
    cast_many(con, vote, [{0: 2, 1: 1}, {2: 3}, {0: 1, 2: 1}])
    counted = voting.tally(con, vote)
    # THEN dots A 2+1=3, B 1, C 3+1=4 (8 in all); people A 2, B 1, C 2; 3 voters
    assert counted == voting.Tally(voters=3, dots=8, counts=(3, 1, 4), people=(2, 1, 2))
    # Shares of all dots given: 3/8, 1/8, 4/8
    seen = voting.shown(replace(vote, privacy=False), counted, MIN)
    assert seen.shares == pytest.approx((3 / 8, 1 / 8, 4 / 8), rel=1e-12)


@pytest.mark.parametrize(
    ("kind", "choices", "code"),
    [
        pytest.param("single", {0: 1, 1: 1}, "too_many_dots", id="single-two-choices"),
        pytest.param("single", {0: 2}, "too_many_dots", id="single-two-dots"),
        pytest.param("dots", {0: 2, 1: 2}, "too_many_dots", id="four-of-three-dots"),
        pytest.param("dots", {0: -1}, "too_many_dots", id="negative"),
        pytest.param("dots", {7: 1}, "option_unknown", id="no-such-option"),
    ],
)
def test_a_ballot_outside_the_rules_is_refused_and_nothing_is_stored(con, kind, choices, code):
    vote = open_vote(con, kind=kind, dots=3)
    with pytest.raises(VoteError) as refused:
        voting.cast(con, vote.vote_id, "t", choices)
    assert refused.value.code == code
    assert voting.tally(con, vote).voters == 0


def test_a_second_ballot_replaces_the_first(con):
    vote = open_vote(con, kind="dots", dots=3)
    # GIVEN a voter gave A 3 dots
    voting.cast(con, vote.vote_id, "me", {0: 3})
    # WHEN they change their mind: B 1, C 2
    voting.cast(con, vote.vote_id, "me", {1: 1, 2: 2})
    # THEN one voter, A 0, B 1, C 2
    assert voting.tally(con, vote) == voting.Tally(1, 3, (0, 1, 2), (0, 1, 1))
    assert voting.ballot(con, vote.vote_id, "me") == {1: 1, 2: 2}
    # WHEN they withdraw (an empty ballot)  THEN nobody has voted
    voting.cast(con, vote.vote_id, "me", {})
    assert voting.tally(con, vote) == voting.Tally(0, 0, (0, 0, 0), (0, 0, 0))


def test_the_same_token_in_two_votes_is_stored_unlinkably(con):
    first, second = open_vote(con), open_vote(con)
    voting.cast(con, first.vote_id, "me", {0: 1})
    voting.cast(con, second.vote_id, "me", {1: 1})
    keys = {k for (k,) in con.execute("SELECT voter FROM vote_ballots").fetchall()}
    assert len(keys) == 2 and "me" not in keys


def test_a_closed_vote_refuses_ballots_and_keeps_its_tally(con):
    vote = open_vote(con)
    voting.cast(con, vote.vote_id, "a", {0: 1})
    voting.set_open(con, vote.vote_id, False, role=EDITOR)
    with pytest.raises(VoteError) as refused:
        voting.cast(con, vote.vote_id, "b", {1: 1})
    assert refused.value.code == "closed"
    closed = voting.get(con, vote.vote_id)
    assert closed is not None and closed.status == "closed" and closed.closed_at is not None
    assert voting.tally(con, closed).counts == (1, 0, 0)


def test_reset_removes_every_ballot_and_opens_again(con):
    vote = open_vote(con)
    cast_many(con, vote, [{0: 1}, {1: 1}])
    voting.set_open(con, vote.vote_id, False, role=EDITOR)
    voting.reset(con, vote.vote_id, role=EDITOR)
    again = voting.get(con, vote.vote_id)
    assert again is not None and again.is_open
    assert voting.tally(con, again).voters == 0


def test_a_viewer_runs_no_vote_and_nothing_changes(con):
    vote = open_vote(con)
    voting.cast(con, vote.vote_id, "a", {0: 1})
    writes = [
        lambda: voting.create(con, "presenter", "Q", [Option("a"), Option("b")], role=Role.VIEWER),
        lambda: voting.set_open(con, vote.vote_id, False, role=Role.VIEWER),
        lambda: voting.set_show_results(con, vote.vote_id, False, role=None),
        lambda: voting.reset(con, vote.vote_id, role=Role.VIEWER),
        lambda: voting.delete(con, vote.vote_id, role=Role.VIEWER),
    ]
    for write in writes:
        with pytest.raises(RoleError):
            write()
    assert voting.in_context(con, voting.PRESENTER) == [vote]
    assert voting.tally(con, vote).voters == 1


def test_delete_removes_the_vote_its_options_and_ballots(con):
    kept, gone = open_vote(con), open_vote(con)
    voting.cast(con, kept.vote_id, "a", {0: 1})
    voting.cast(con, gone.vote_id, "a", {1: 1})
    voting.delete(con, gone.vote_id, role=EDITOR)
    assert voting.get(con, gone.vote_id) is None
    for table in ("vote_options", "vote_ballots"):
        left = con.execute(f"SELECT DISTINCT vote_id FROM {table}").fetchall()
        assert left == [(kept.vote_id,)]


@pytest.mark.parametrize(
    ("question", "n_options", "settings", "code"),
    [
        pytest.param("  ", 3, {}, "question_missing", id="no-question"),
        pytest.param("Q", 1, {}, "options_count", id="one-option"),
        pytest.param("Q", 7, {}, "options_count", id="seven-options"),
        pytest.param("Q", 3, {"kind": "dots", "dots": 0}, "dots_range", id="no-dots"),
        pytest.param("Q", 3, {"winners": 3}, "winners_range", id="all-win"),
        pytest.param("Q", 3, {"kind": "ranked"}, "kind_unknown", id="unknown-kind"),
    ],
)
def test_a_vote_outside_the_rules_is_not_opened(con, question, n_options, settings, code):
    options = [Option(f"O{i}") for i in range(n_options)]
    with pytest.raises(VoteError) as refused:
        voting.create(con, voting.PRESENTER, question, options, **settings, role=EDITOR)
    assert refused.value.code == code
    assert voting.in_context(con, voting.PRESENTER) == []


def test_codes_are_short_and_found_whatever_the_case(con):
    vote = open_vote(con)
    assert len(vote.vote_id) == voting.CODE_LENGTH
    assert set(vote.vote_id) <= set(voting.CODE_ALPHABET)
    assert voting.get(con, f" {vote.vote_id.lower()} ") == vote


# -- the privacy rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("people", "hidden"),
    [
        # 3 voters in all (< 5): nothing per option.
        pytest.param([2, 1, 0], {0, 1, 2}, id="fewer-than-five-in-all"),
        # A 6, C 0 shown; B 2 and D 3 hidden: together 2+3 = 5 ≥ 5.
        pytest.param([6, 2, 0, 3], {1, 3}, id="two-small-together-enough"),
        # B 2 alone would be 9 − 7: the next-smallest (C 5) joins it, 2+5 = 7 ≥ 5.
        pytest.param([7, 2, 5], {1, 2}, id="one-small-takes-the-next"),
        # B 1 + C 1 = 2 < 5, then A 4 (the next-smallest, 6 > 4) joins: 6 ≥ 5.
        pytest.param([6, 1, 1, 4], {1, 2, 3}, id="grows-until-enough"),
        # Nobody below five: all shown, zeros included.
        pytest.param([5, 0, 7], set(), id="none-small"),
        pytest.param([0, 0, 0], set(), id="nobody-voted"),
    ],
)
def test_hidden_options_follow_the_small_cell_rule(people, hidden):
    voters = sum(people)  # single choice: each voter chose one option
    assert voting.hidden_options(people, voters, MIN) == frozenset(hidden)


def test_shown_tally_says_fewer_than_five_only_if_the_facilitator_chose_it(con):
    private = open_vote(con, privacy=True)
    public = open_vote(con, privacy=False)
    # GIVEN A 6, B 2, C 3 in both votes (11 voters)
    for vote in (private, public):
        cast_many(con, vote, [{0: 1}] * 6 + [{1: 1}] * 2 + [{2: 1}] * 3)
    # THEN with privacy: A 6 (6/11); B and C withheld (2+3 = 5); the total 11 is shown
    seen = voting.shown(private, voting.tally(con, private), MIN)
    assert (seen.voters, seen.counts, seen.withheld) == (11, (6, None, None), True)
    assert seen.shares[0] == pytest.approx(6 / 11, rel=1e-12)
    # Without: every count
    assert voting.shown(public, voting.tally(con, public), MIN).counts == (6, 2, 3)


def test_fewer_than_five_voters_in_all_show_no_count(con):
    vote = open_vote(con, privacy=True)
    cast_many(con, vote, [{0: 1}] * 4)
    seen = voting.shown(vote, voting.tally(con, vote), MIN)
    assert seen.all_withheld and seen.counts == (None, None, None)


# -- winners and their combined effect ---------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "n_winners", "expected"),
    [
        pytest.param((3, 1, 2), 1, (0,), id="one-clear"),
        pytest.param((3, 3, 2), 1, (0, 1), id="tie-for-first"),
        pytest.param((5, 1, 2, 2), 2, (0, 2, 3), id="tie-at-the-cut"),
        pytest.param((0, 0, 0), 1, (), id="nobody-voted"),
        pytest.param((4, 0, 0), 2, (0,), id="no-winner-without-a-vote"),
    ],
)
def test_winners(counts, n_winners, expected):
    options = tuple(Option(f"O{i}") for i in range(len(counts)))
    vote = voting.Vote(
        "X", voting.PRESENTER, "Q", "dots", 5, n_winners, True, True, "open", None, None, options
    )  # type: ignore[arg-type]
    counted = voting.Tally(sum(counts), sum(counts), counts, counts)
    assert voting.winners(vote, counted) == expected


def test_combined_effect_adds_the_winners_and_flags_overlapping_scenarios():
    options = [
        # A saved scenario: 12.0 t saved a year, 8.0 to 15.0 t
        Option("Video", "scenario", "video", 12_000.0, 8_000.0, 15_000.0, "scenario"),
        # An action estimated by hand: 2.5 t, no bounds of its own
        Option("Bikes", "action", "4", 2_500.0, 2_500.0, 2_500.0, "manual"),
        # Free text: no estimate
        Option("Ask the staff"),
        # Another scenario: adds 1.0 t (−1,000 kg saved), −1.5 to −0.5 t
        Option("Heating", "scenario", "heat", -1_000.0, -1_500.0, -500.0, "scenario"),
    ]
    both = voting.combined_effect(options, [0, 1, 2])
    # 12,000 + 2,500 = 14,500 kg; low 8,000 + 2,500; high 15,000 + 2,500; one without estimate
    assert (both.kg, both.low_kg, both.high_kg) == pytest.approx((14_500, 10_500, 17_500))
    assert (both.estimated, both.unknown, both.overlap) == (2, 1, False)
    scenarios = voting.combined_effect(options, [0, 3])
    # 12,000 − 1,000 = 11,000 kg; low 8,000 − 1,500 = 6,500; high 15,000 − 500 = 14,500
    assert (scenarios.kg, scenarios.low_kg, scenarios.high_kg) == pytest.approx(
        (11_000, 6_500, 14_500)
    )
    assert scenarios.overlap  # two scenarios may move the same trips


# -- kept and exported ---------------------------------------------------------------------------


def test_closed_votes_export_their_counts_as_shown(con):
    vote = open_vote(con, privacy=True)
    cast_many(con, vote, [{0: 1}] * 6 + [{1: 1}] * 2 + [{2: 1}] * 3)
    still_open = open_vote(con)
    voting.set_open(con, vote.vote_id, False, role=EDITOR)
    rows = voting.results(con, voting.PRESENTER, MIN)
    assert {r["vote_id"] for r in rows} == {vote.vote_id}  # the open vote is not a result
    table = list(csv.DictReader(io.StringIO(voting.results_csv(rows).decode("utf-8-sig"))))
    assert [(r["option"], r["count"], r["withheld"], r["winner"]) for r in table] == [
        ("Option A", "6", "False", "True"),
        ("Option B", "", "True", "False"),
        ("Option C", "", "True", "False"),
    ]
    assert table[0]["voters"] == "11" and float(table[0]["share"]) == pytest.approx(6 / 11)
    del still_open


def test_export_neutralises_formula_text():
    rows = [{"question": "=HYPERLINK(1)", "option": "-2", "voters": 3}]
    text = voting.results_csv(rows).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "'-2" in text


# -- many phones at once -------------------------------------------------------------------------


def test_100_concurrent_ballots_from_threads_are_all_counted(tmp_path: Path):
    # GIVEN the app's set-up: one connection to the state file, a cursor per session
    con = store.connect(tmp_path / "state.duckdb")
    vote = open_vote(con, n_options=4)
    errors: list[BaseException] = []
    start = threading.Barrier(100)

    def phone(number: int) -> None:
        cursor = con.cursor()
        try:
            start.wait()
            # each phone first picks option number % 4, then changes its mind to (number+1) % 4
            voting.cast(cursor, vote.vote_id, f"phone-{number}", {number % 4: 1})
            voting.cast(cursor, vote.vote_id, f"phone-{number}", {(number + 1) % 4: 1})
        except BaseException as error:  # collected, asserted below
            errors.append(error)
        finally:
            cursor.close()

    threads = [threading.Thread(target=phone, args=(n,)) for n in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # THEN nothing failed and every phone counts once, with its second choice: 25 per option
    assert errors == []
    assert voting.tally(con, vote) == voting.Tally(100, 100, (25,) * 4, (25,) * 4)
    con.close()
