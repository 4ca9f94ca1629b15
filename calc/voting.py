"""Live votes at events and workshops: a question, 2–6 options, anonymous ballots from phones.

A facilitator opens a vote in a *context* (`presenter`, or `workshop:<workspace>`): a question
and options, each a saved scenario, a workshop action or free text, with the option's yearly
effect (kg CO2e saved per year, positive = less CO2) taken when the vote is opened, so the
voting page computes nothing. Single choice gives each voter one choice; dot voting gives each
voter `dots` dots to spread over the options (several on one option allowed).

Facilitators' writes (open, close, reset, show results, delete) take the caller's role and need
an editor (calc.roles); a ballot needs none. A voter is anonymous: the page holds a random
token for the browser session, and a ballot is stored under a hash of that token and the vote's
code (`voter_key`), so ballots of different votes cannot be linked to each other. A voter's
new ballot replaces the old one (a change of mind), in one short transaction. Writes (ballots,
open, close, reset) take one process-wide lock: a ballot either lands before a close (and
counts) or is refused, and concurrent ballots never conflict inside DuckDB. The tally is one
aggregate query.

Privacy (the facilitator's choice per vote): an option that fewer than `min_people_per_cell`
voters chose (data/privacy.csv, through calc.privacy) is shown as "fewer than n", together
with the next-smallest options until the hidden ones add up to at least n voters (otherwise a
hidden count would be the total minus the others); with fewer than n voters in all, no count is
shown at all.

Tables (created lazily by `ensure_tables`, as calc/workshop.py does for its own; no layout
version change, see calc/store.py): votes, vote_options, vote_ballots.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import secrets
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import duckdb

from calc import units
from calc.roles import Role, require

KINDS: tuple[str, ...] = ("single", "dots")
OPTION_KINDS: tuple[str, ...] = ("scenario", "action", "text")
STATUSES: tuple[str, ...] = ("open", "closed")
PRESENTER = "presenter"
WORKSHOP_PREFIX = "workshop:"
MIN_OPTIONS = 2
MAX_OPTIONS = 6
MAX_DOTS = 10
MAX_QUESTION_CHARS = 200
MAX_LABEL_CHARS = 80
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a slide
CODE_LENGTH = 6
WRITE_ATTEMPTS = 5

# One process holds the state file (calc/store.py): this lock makes every write of a vote
# serial, so a ballot and a close never overlap and ballots never meet in a DuckDB conflict.
_WRITE_LOCK = threading.Lock()

_DDL = (
    f"""CREATE TABLE IF NOT EXISTS votes (
        vote_id VARCHAR PRIMARY KEY,
        context VARCHAR NOT NULL,
        question VARCHAR NOT NULL,
        kind VARCHAR NOT NULL CHECK (kind IN {KINDS!r}),
        dots INTEGER NOT NULL CHECK (dots BETWEEN 1 AND {MAX_DOTS}),
        winners INTEGER NOT NULL DEFAULT 1,
        privacy BOOLEAN NOT NULL DEFAULT true,
        show_results BOOLEAN NOT NULL DEFAULT true,
        status VARCHAR NOT NULL CHECK (status IN {STATUSES!r}),
        created_at TIMESTAMP NOT NULL,
        closed_at TIMESTAMP)""",
    f"""CREATE TABLE IF NOT EXISTS vote_options (
        vote_id VARCHAR NOT NULL,
        position INTEGER NOT NULL,
        label VARCHAR NOT NULL,
        kind VARCHAR NOT NULL CHECK (kind IN {OPTION_KINDS!r}),
        ref VARCHAR,
        effect_kg DOUBLE,
        effect_low_kg DOUBLE,
        effect_high_kg DOUBLE,
        effect_source VARCHAR,
        PRIMARY KEY (vote_id, position))""",
    """CREATE TABLE IF NOT EXISTS vote_ballots (
        vote_id VARCHAR NOT NULL,
        voter VARCHAR NOT NULL,
        position INTEGER NOT NULL,
        dots INTEGER NOT NULL CHECK (dots > 0),
        cast_at TIMESTAMP NOT NULL,
        PRIMARY KEY (vote_id, voter, position))""",
)


class VoteError(ValueError):
    """A vote or ballot that cannot be kept. `code` names the problem for a translated text:
    question_missing, question_too_long, options_count, label_missing, label_too_long,
    kind_unknown, dots_range, winners_range, option_unknown, too_many_dots, closed, unknown."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the vote tables if they are missing; safe to call on every page run."""
    for statement in _DDL:
        con.execute(statement)


def workshop_context(space: str) -> str:
    return f"{WORKSHOP_PREFIX}{space}"


# -- votes and their options ---------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One answer. Its effect is kg CO2e saved per year (negative: it adds CO2), with bounds;
    None when it has none (free text, an action not estimated). effect_source: scenario or
    manual (where the number comes from)."""

    label: str
    kind: str = "text"
    ref: str | None = None  # the saved scenario's name or the action's id
    effect_kg: float | None = None
    effect_low_kg: float | None = None
    effect_high_kg: float | None = None
    effect_source: str | None = None

    def __post_init__(self) -> None:
        label = " ".join(str(self.label).split())
        if not label:
            raise VoteError("label_missing", "every option needs a text")
        if len(label) > MAX_LABEL_CHARS:
            raise VoteError("label_too_long", f"an option has at most {MAX_LABEL_CHARS} chars")
        if self.kind not in OPTION_KINDS:
            raise VoteError("kind_unknown", f"option kind must be one of {OPTION_KINDS}")
        object.__setattr__(self, "label", label)
        for name in ("effect_kg", "effect_low_kg", "effect_high_kg"):
            value = getattr(self, name)
            if value is not None and not math.isfinite(float(value)):
                object.__setattr__(self, name, None)


@dataclass(frozen=True)
class Vote:
    vote_id: str
    context: str
    question: str
    kind: str
    dots: int
    winners: int
    privacy: bool
    show_results: bool
    status: str
    created_at: dt.datetime
    closed_at: dt.datetime | None
    options: tuple[Option, ...]

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def dots_per_voter(self) -> int:
        """What one voter may give in all: one choice, or the dots."""
        return 1 if self.kind == "single" else self.dots


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def create(
    con: duckdb.DuckDBPyConnection,
    context: str,
    question: str,
    options: Sequence[Option],
    *,
    kind: str = "single",
    dots: int = 3,
    winners: int = 1,
    privacy: bool = True,
    show_results: bool = True,
    role: Role | None,
) -> str:
    """Open a new vote; returns its code (the link's `?vote=`). VoteError if it cannot be;
    RoleError below an editor."""
    require(role, Role.EDITOR)
    cleaned = " ".join(str(question).split())
    if not cleaned:
        raise VoteError("question_missing", "a vote needs a question")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise VoteError("question_too_long", f"a question has at most {MAX_QUESTION_CHARS} chars")
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise VoteError("options_count", f"a vote has {MIN_OPTIONS} to {MAX_OPTIONS} options")
    if kind not in KINDS:
        raise VoteError("kind_unknown", f"kind must be one of {KINDS}")
    dots = 1 if kind == "single" else int(dots)
    if not 1 <= dots <= MAX_DOTS:
        raise VoteError("dots_range", f"each voter has 1 to {MAX_DOTS} dots")
    if not 1 <= winners < len(options):
        raise VoteError("winners_range", "fewer winners than options, at least one")
    with _WRITE_LOCK:
        ensure_tables(con)
        code = _new_code()
        while con.execute("SELECT 1 FROM votes WHERE vote_id = ?", [code]).fetchall():
            code = _new_code()
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                "INSERT INTO votes VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, NULL)",
                [code, context, cleaned, kind, dots, winners, privacy, show_results, _now()],
            )
            for position, option in enumerate(options):
                con.execute(
                    "INSERT INTO vote_options VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        code,
                        position,
                        option.label,
                        option.kind,
                        option.ref,
                        option.effect_kg,
                        option.effect_low_kg,
                        option.effect_high_kg,
                        option.effect_source,
                    ],
                )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return code


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


_VOTE_COLUMNS = (
    "vote_id, context, question, kind, dots, winners, privacy, show_results, status, "
    "created_at, closed_at"
)


def _votes(con: duckdb.DuckDBPyConnection, where: str, params: list[object]) -> list[Vote]:
    rows = con.execute(
        f"SELECT {_VOTE_COLUMNS} FROM votes WHERE {where} ORDER BY created_at DESC, vote_id",
        params,
    ).fetchall()
    if not rows:
        return []
    ids = [row[0] for row in rows]
    options: dict[str, list[Option]] = {vote_id: [] for vote_id in ids}
    for vote_id, *values in con.execute(
        "SELECT vote_id, label, kind, ref, effect_kg, effect_low_kg, effect_high_kg, "
        "effect_source FROM vote_options WHERE list_contains(?, vote_id) "
        "ORDER BY vote_id, position",
        [ids],
    ).fetchall():
        options[vote_id].append(Option(*values))
    return [
        Vote(
            vote_id=row[0],
            context=row[1],
            question=row[2],
            kind=row[3],
            dots=int(row[4]),
            winners=int(row[5]),
            privacy=bool(row[6]),
            show_results=bool(row[7]),
            status=row[8],
            created_at=row[9],
            closed_at=row[10],
            options=tuple(options[row[0]]),
        )
        for row in rows
    ]


def get(con: duckdb.DuckDBPyConnection, vote_id: str) -> Vote | None:
    """The vote of that code (case and spaces forgiven), or None. Read functions expect the
    tables (ensure_tables once per page run); writes create them."""
    found = _votes(con, "vote_id = ?", [normalise_code(vote_id)])
    return found[0] if found else None


def normalise_code(code: str | None) -> str:
    return "".join(str(code or "").split()).upper()


def in_context(con: duckdb.DuckDBPyConnection, context: str) -> list[Vote]:
    """The context's votes, newest first."""
    return _votes(con, "context = ?", [context])


def latest(con: duckdb.DuckDBPyConnection, context: str) -> Vote | None:
    found = in_context(con, context)
    return found[0] if found else None


def _write(con: duckdb.DuckDBPyConnection, statements: Iterable[tuple[str, list[object]]]) -> None:
    """Statements in one short transaction under the write lock, retried on a DuckDB conflict
    (none is expected within one process; another cursor's long transaction could cause one)."""
    statements = list(statements)
    for attempt in range(WRITE_ATTEMPTS):
        with _WRITE_LOCK:
            ensure_tables(con)
            con.execute("BEGIN TRANSACTION")
            try:
                for sql, params in statements:
                    con.execute(sql, params)
                con.execute("COMMIT")
                return
            except duckdb.TransactionException:
                con.execute("ROLLBACK")
                if attempt == WRITE_ATTEMPTS - 1:
                    raise
            except BaseException:
                con.execute("ROLLBACK")
                raise
        time.sleep(0.01 * (attempt + 1))


def set_open(
    con: duckdb.DuckDBPyConnection, vote_id: str, is_open: bool, *, role: Role | None
) -> None:
    """Open or close the vote. A closed vote keeps its ballots and refuses new ones."""
    require(role, Role.EDITOR)
    if is_open:
        _write(con, [("UPDATE votes SET status='open', closed_at=NULL WHERE vote_id=?", [vote_id])])
    else:
        _write(
            con,
            [("UPDATE votes SET status='closed', closed_at=? WHERE vote_id=?", [_now(), vote_id])],
        )


def set_show_results(
    con: duckdb.DuckDBPyConnection, vote_id: str, shown: bool, *, role: Role | None
) -> None:
    require(role, Role.EDITOR)
    _write(con, [("UPDATE votes SET show_results = ? WHERE vote_id = ?", [shown, vote_id])])


def reset(con: duckdb.DuckDBPyConnection, vote_id: str, *, role: Role | None) -> None:
    """Remove every ballot and open the vote again (a fresh start with the same question)."""
    require(role, Role.EDITOR)
    _write(
        con,
        [
            ("DELETE FROM vote_ballots WHERE vote_id = ?", [vote_id]),
            ("UPDATE votes SET status='open', closed_at=NULL WHERE vote_id=?", [vote_id]),
        ],
    )


def delete(con: duckdb.DuckDBPyConnection, vote_id: str, *, role: Role | None) -> None:
    require(role, Role.EDITOR)
    _write(
        con,
        [
            (f"DELETE FROM {table} WHERE vote_id = ?", [vote_id])
            for table in ("vote_ballots", "vote_options", "votes")
        ],
    )


# -- ballots -------------------------------------------------------------------------------------


def new_token() -> str:
    """A voter's random token for one browser session (nothing about the person)."""
    return secrets.token_urlsafe(16)


def voter_key(token: str, vote_id: str) -> str:
    """What the database keeps of a voter: a hash of token and vote, so that one person's
    ballots in two votes cannot be linked."""
    return hashlib.sha256(f"{vote_id}:{token}".encode()).hexdigest()[:32]


def check_ballot(vote: Vote, choices: Mapping[int, int]) -> dict[int, int]:
    """The ballot as stored (positions with at least one dot); VoteError if it breaks the
    vote's rules: unknown options, a negative number, more dots than the voter has, or more
    than one choice in a single-choice vote."""
    ballot = {int(position): int(dots) for position, dots in choices.items() if int(dots) != 0}
    if any(p not in range(len(vote.options)) for p in ballot):
        raise VoteError("option_unknown", "the ballot names an option this vote does not have")
    if any(dots < 0 for dots in ballot.values()):
        raise VoteError("too_many_dots", "dots cannot be negative")
    if vote.kind == "single" and (len(ballot) > 1 or any(d != 1 for d in ballot.values())):
        raise VoteError("too_many_dots", "a single-choice vote takes one choice")
    if sum(ballot.values()) > vote.dots_per_voter:
        raise VoteError("too_many_dots", f"each voter has {vote.dots_per_voter} dots")
    return ballot


def _rules(con: duckdb.DuckDBPyConnection, vote_id: str) -> Vote | None:
    """What a ballot is checked against, in one query (no option texts)."""
    rows = con.execute(
        """SELECT v.status, v.kind, v.dots, count(o.position) FROM votes v
           LEFT JOIN vote_options o USING (vote_id) WHERE v.vote_id = ?
           GROUP BY v.status, v.kind, v.dots""",
        [vote_id],
    ).fetchall()
    if not rows:
        return None
    status, kind, dots, n_options = rows[0]
    options = tuple(Option(str(i + 1)) for i in range(n_options))
    return Vote(vote_id, "", "", kind, dots, 1, True, True, status, _now(), None, options)


def cast(
    con: duckdb.DuckDBPyConnection, vote_id: str, token: str, choices: Mapping[int, int]
) -> dict[int, int]:
    """No role: a voter is anonymous (the seam for a 'voter' role is ui/vote_link.py).

    Store the voter's ballot (position -> dots), replacing their earlier one; an empty
    ballot withdraws it. VoteError `closed` if the vote is closed, `unknown` if there is none.
    Returns the ballot as stored. One short transaction (a delete and one insert)."""
    vote_id = normalise_code(vote_id)
    key = voter_key(token, vote_id)
    for attempt in range(WRITE_ATTEMPTS):
        with _WRITE_LOCK:
            try:
                vote = _rules(con, vote_id)
            except duckdb.CatalogException:
                ensure_tables(con)  # a store that never had a vote
                vote = None
            if vote is None:
                raise VoteError("unknown", f"no vote {vote_id!r}")
            if not vote.is_open:
                raise VoteError("closed", "this vote is closed")
            ballot = check_ballot(vote, choices)
            rows = [(vote_id, key, p, d) for p, d in sorted(ballot.items())]
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(
                    "DELETE FROM vote_ballots WHERE vote_id = ? AND voter = ?", [vote_id, key]
                )
                if rows:
                    con.execute(
                        "INSERT INTO vote_ballots "
                        + " UNION ALL ".join(["SELECT ?, ?, ?, ?, ?"] * len(rows)),
                        [value for row in rows for value in (*row, _now())],
                    )
                con.execute("COMMIT")
                return ballot
            except duckdb.TransactionException:
                con.execute("ROLLBACK")
                if attempt == WRITE_ATTEMPTS - 1:
                    raise
            except BaseException:
                con.execute("ROLLBACK")
                raise
        time.sleep(0.01 * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover


def ballot(con: duckdb.DuckDBPyConnection, vote_id: str, token: str) -> dict[int, int]:
    """The voter's current ballot (position -> dots); empty if they have not voted."""
    vote_id = normalise_code(vote_id)
    rows = con.execute(
        "SELECT position, dots FROM vote_ballots WHERE vote_id = ? AND voter = ?",
        [vote_id, voter_key(token, vote_id)],
    ).fetchall()
    return {int(position): int(dots) for position, dots in rows}


# -- the tally -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """Counts as cast: per option the dots (single choice: the voters) and the voters who gave
    it at least one; in all, the voters and the dots."""

    voters: int
    dots: int
    counts: tuple[int, ...]
    people: tuple[int, ...]


def tally(con: duckdb.DuckDBPyConnection, vote: Vote) -> Tally:
    """The vote's tally, in one aggregate query."""
    rows = con.execute(
        """SELECT position, sum(dots), count(DISTINCT voter) FROM vote_ballots
           WHERE vote_id = ? GROUP BY ROLLUP (position)""",
        [vote.vote_id],
    ).fetchall()
    counts = [0] * len(vote.options)
    people = [0] * len(vote.options)
    voters = dots = 0
    for position, total, distinct in rows:
        if position is None:
            voters, dots = int(distinct), int(total or 0)
        elif 0 <= position < len(counts):
            counts[position], people[position] = int(total), int(distinct)
    return Tally(voters, dots, tuple(counts), tuple(people))


@dataclass(frozen=True)
class Shown:
    """What may be shown of a tally: per option the count and share (None: withheld, shown
    as "fewer than n"), and the number of voters (None: fewer than n in all)."""

    voters: int | None
    counts: tuple[int | None, ...]
    shares: tuple[float | None, ...]
    min_people: int
    withheld: bool  # some count is not shown

    @property
    def all_withheld(self) -> bool:
        return self.voters is None


def hidden_options(people: Sequence[int], voters: int, min_people: int) -> frozenset[int]:
    """Options whose count may not be shown: those chosen by 1 to min_people − 1 voters, and
    the next-smallest until the hidden ones together rest on at least min_people voters (else
    a hidden count is the total minus the shown ones). All, when voters < min_people."""
    if voters == 0:
        return frozenset()
    if voters < min_people:
        return frozenset(range(len(people)))
    hidden = {i for i, n in enumerate(people) if 0 < n < min_people}
    if not hidden:
        return frozenset()
    by_size = sorted((n, i) for i, n in enumerate(people) if n > 0 and i not in hidden)
    for _, position in by_size:
        if sum(people[i] for i in hidden) >= min_people:
            break
        hidden.add(position)
    return frozenset(hidden)


def shown(vote: Vote, counted: Tally, min_people: int) -> Shown:
    """The tally as the vote's privacy setting allows it to be shown. Shares are of the voters
    (single choice) or of all dots given (dot voting)."""
    whole = counted.voters if vote.kind == "single" else counted.dots
    shares = [count / whole if whole else 0.0 for count in counted.counts]
    hidden = hidden_options(counted.people, counted.voters, min_people) if vote.privacy else ()
    if vote.privacy and 0 < counted.voters < min_people:
        return Shown(None, (None,) * len(shares), (None,) * len(shares), min_people, True)
    return Shown(
        counted.voters,
        tuple(None if i in hidden else c for i, c in enumerate(counted.counts)),
        tuple(None if i in hidden else s for i, s in enumerate(shares)),
        min_people,
        bool(hidden),
    )


def winners(vote: Vote, counted: Tally) -> tuple[int, ...]:
    """The winning options: the vote's `winners` most chosen, with every option tied with the
    last of them; none while nobody has voted."""
    if counted.dots == 0:
        return ()
    ranked = sorted(range(len(counted.counts)), key=lambda i: (-counted.counts[i], i))
    cut = counted.counts[ranked[min(vote.winners, len(ranked)) - 1]]
    return tuple(sorted(i for i in ranked if counted.counts[i] >= cut and counted.counts[i] > 0))


@dataclass(frozen=True)
class Combined:
    """The winning options' effects added up (kg CO2e saved per year, with the sum of their
    bounds); `unknown` winners have no estimate; `overlap` when two or more come from
    scenarios, whose levers may move the same trips (then the sum counts them twice)."""

    kg: float
    low_kg: float
    high_kg: float
    estimated: int
    unknown: int
    overlap: bool


def combined_effect(options: Sequence[Option], chosen: Iterable[int]) -> Combined:
    picked = [options[i] for i in chosen]
    known = [o for o in picked if o.effect_kg is not None]
    return Combined(
        kg=sum(float(o.effect_kg or 0.0) for o in known),
        low_kg=sum(float(_or(o.effect_low_kg, o.effect_kg)) for o in known),
        high_kg=sum(float(_or(o.effect_high_kg, o.effect_kg)) for o in known),
        estimated=len(known),
        unknown=len(picked) - len(known),
        overlap=sum(o.effect_source == "scenario" for o in known) >= 2,
    )


def _or(value: float | None, default: float | None) -> float:
    return float(value if value is not None else (default or 0.0))


# -- closed votes: kept, and exported ------------------------------------------------------------

EXPORT_COLUMNS = [
    "vote_id",
    "question",
    "kind",
    "dots_per_voter",
    "status",
    "created_at",
    "closed_at",
    "voters",
    "position",
    "option",
    "option_kind",
    "count",
    "share",
    "withheld",
    "winner",
    "effect_t_per_year",
]


def results(con: duckdb.DuckDBPyConnection, context: str, min_people: int) -> list[dict]:
    """One row per option of the context's closed votes (oldest first), with the counts as the
    vote's privacy setting allows them to be shown (withheld: count and share empty)."""
    rows: list[dict] = []
    for vote in reversed(in_context(con, context)):
        if vote.is_open:
            continue
        counted = tally(con, vote)
        visible = shown(vote, counted, min_people)
        won = set(winners(vote, counted)) if not visible.all_withheld else set()
        for position, option in enumerate(vote.options):
            rows.append(
                {
                    "vote_id": vote.vote_id,
                    "question": vote.question,
                    "kind": vote.kind,
                    "dots_per_voter": vote.dots_per_voter,
                    "status": vote.status,
                    "created_at": vote.created_at,
                    "closed_at": vote.closed_at,
                    "voters": visible.voters,
                    "position": position + 1,
                    "option": option.label,
                    "option_kind": option.kind,
                    "count": visible.counts[position],
                    "share": visible.shares[position],
                    "withheld": visible.counts[position] is None,
                    "winner": position in won,
                    "effect_t_per_year": None
                    if option.effect_kg is None
                    else units.tonnes(option.effect_kg),
                }
            )
    return rows


def results_csv(rows: Sequence[Mapping[str, object]]) -> bytes:
    """The rows of `results` as CSV (UTF-8 with BOM, so spreadsheet programs read umlauts); a
    text starting with =, +, -, @, tab or CR is neutralised with a leading apostrophe."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in EXPORT_COLUMNS})
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
