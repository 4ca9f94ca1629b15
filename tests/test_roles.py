"""calc.roles: the order of the roles, the check every write makes, roles from ID-token claims,
passphrase hashes, the sign-in mode; and every write of calc refusing a role too low for it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from calc import backup, loaders, roles, saved, store, voting, workshop
from calc.roles import Mode, Role, RoleError, RoleRules
from calc.scenario import ChannelShift, Scenario

# Small scrypt cost for the tests that are not about the cost (2^10: 1 MiB, a millisecond).
CHEAP = 10


# -- the roles and the check ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "needed", "allowed"),
    [
        pytest.param(Role.VIEWER, Role.VIEWER, True, id="viewer-views"),
        pytest.param(Role.VIEWER, Role.EDITOR, False, id="viewer-cannot-edit"),
        pytest.param(Role.EDITOR, Role.EDITOR, True, id="editor-edits"),
        pytest.param(Role.EDITOR, Role.STEWARD, False, id="editor-cannot-load"),
        pytest.param(Role.STEWARD, Role.EDITOR, True, id="steward-also-edits"),
        pytest.param(Role.STEWARD, Role.STEWARD, True, id="steward-loads"),
    ],
)
def test_a_role_includes_the_ones_below_it(role: Role, needed: Role, allowed: bool) -> None:
    assert role.allows(needed) is allowed
    if allowed:
        roles.require(role, needed)
    else:
        with pytest.raises(RoleError) as refused:
            roles.require(role, needed)
        assert (refused.value.role, refused.value.needed) == (role, needed)


@pytest.mark.parametrize("role", [None, "steward", 2], ids=["none", "plain-text", "number"])
def test_no_role_or_anything_not_a_role_is_refused(role: object) -> None:
    # GIVEN something that is not a Role (a page that forgot to sign in, a stray string)
    # THEN even the lowest need is refused: the check fails closed.
    with pytest.raises(RoleError):
        roles.require(role, Role.VIEWER)  # type: ignore[arg-type]


def test_a_refusal_is_a_permission_error() -> None:
    assert issubclass(RoleError, PermissionError)


# -- roles from the identity provider's claims ----------------------------------------------------

RULES = RoleRules.from_settings(
    {
        "claim": "wegbilanz_role",
        "stewards": ["Ben@Example.org"],
        "editors": ["ana@example.org"],
        "viewers": ["@example.org"],
    }
)


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        pytest.param({"email": "ben@example.org"}, Role.STEWARD, id="steward-by-address"),
        pytest.param({"email": "BEN@example.org"}, Role.STEWARD, id="address-any-case"),
        pytest.param({"email": "ana@example.org"}, Role.EDITOR, id="editor-by-address"),
        pytest.param({"email": "eva@example.org"}, Role.VIEWER, id="viewer-by-domain"),
        pytest.param({"email": "eva@example.org.evil.test"}, None, id="domain-is-a-suffix-only"),
        pytest.param({"email": "mallory@other.test"}, None, id="stranger-has-no-role"),
        pytest.param(
            {"email": "ben@example.org", "email_verified": False}, None, id="unverified-address"
        ),
        pytest.param(
            {"email": "x@other.test", "wegbilanz_role": "editor"}, Role.EDITOR, id="role-by-claim"
        ),
        pytest.param(
            {"email": "x@other.test", "wegbilanz_role": ["viewer", "steward"]},
            Role.STEWARD,
            id="highest-of-a-list-claim",
        ),
        pytest.param(
            {"email": "ana@example.org", "wegbilanz_role": "admin"},
            Role.EDITOR,
            id="unknown-claim-value-ignored",
        ),
    ],
)
def test_role_from_claims(claims: dict, expected: Role | None) -> None:
    assert RULES.role_for(claims) is expected


def test_everyone_signed_in_can_be_a_viewer() -> None:
    rules = RoleRules.from_settings({"viewers": "*"})
    assert rules.role_for({"email": "anyone@anywhere.test"}) is Role.VIEWER
    assert rules.role_for({"sub": "no-address"}) is Role.VIEWER


def test_no_rules_give_no_role() -> None:
    assert RoleRules.from_settings(None).role_for({"email": "ben@example.org"}) is None


# -- passphrases ---------------------------------------------------------------------------------


def test_a_passphrase_hash_is_salted_and_checks_only_its_passphrase() -> None:
    first = roles.hash_passphrase("blue whale at dawn", log2_n=CHEAP)
    second = roles.hash_passphrase("blue whale at dawn", log2_n=CHEAP)
    assert first != second  # a new salt each time
    assert first.startswith(f"$scrypt$ln={CHEAP},r=8,p=1$")
    assert "blue" not in first
    assert roles.verify_passphrase("blue whale at dawn", first)
    assert roles.verify_passphrase("blue whale at dawn", second)
    assert not roles.verify_passphrase("blue whale at dusk", first)
    assert not roles.verify_passphrase("", first)


def test_the_default_cost_is_owasps_minimum_for_scrypt() -> None:
    # OWASP Password Storage Cheat Sheet: scrypt with N = 2^17, r = 8, p = 1 at least.
    stored = roles.hash_passphrase("x")
    assert stored.startswith("$scrypt$ln=17,r=8,p=1$")
    assert roles.verify_passphrase("x", stored)


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param("plain text", id="not-a-hash"),
        pytest.param("$bcrypt$ln=10,r=8,p=1$AAAA$AAAA", id="other-scheme"),
        pytest.param("$scrypt$ln=40,r=8,p=1$AAAA$AAAA", id="cost-too-high"),
        pytest.param("$scrypt$r=8,p=1$AAAA$AAAA", id="cost-missing"),
        pytest.param("$scrypt$ln=10,r=8,p=1$!!!!$AAAA", id="salt-not-base64"),
    ],
)
def test_an_unreadable_hash_is_an_error_not_a_match(stored: str) -> None:
    with pytest.raises(roles.PassphraseError):
        roles.verify_passphrase("anything", stored)


def test_the_steward_passphrase_opens_the_steward_role_and_the_editor_one_the_editor() -> None:
    phrases = roles.Passphrases(
        editor=roles.hash_passphrase("editor words", log2_n=CHEAP),
        steward=roles.hash_passphrase("steward words", log2_n=CHEAP),
    )
    assert phrases.role_for("steward words") is Role.STEWARD
    assert phrases.role_for("editor words") is Role.EDITOR
    assert phrases.role_for("guess") is None
    assert phrases.role_for("") is None


# -- the mode -------------------------------------------------------------------------------------

LOCAL = {"local": {"steward": "$scrypt$ln=10,r=8,p=1$AAAA$AAAA"}}


@pytest.mark.parametrize(
    ("secrets", "address", "expected"),
    [
        pytest.param({}, "127.0.0.1", Mode.OPEN, id="nothing-on-loopback"),
        pytest.param({}, "::1", Mode.OPEN, id="nothing-on-ipv6-loopback"),
        pytest.param({}, "0.0.0.0", Mode.LOCKED, id="nothing-on-every-interface"),
        pytest.param({}, "", Mode.LOCKED, id="nothing-and-no-address"),
        pytest.param(LOCAL, "0.0.0.0", Mode.LOCAL, id="passphrases"),
        pytest.param({"local": {}}, "127.0.0.1", Mode.OPEN, id="empty-local-section"),
        pytest.param({"auth": {"client_id": "x"}, **LOCAL}, "0.0.0.0", Mode.OIDC, id="oidc-wins"),
    ],
)
def test_mode(secrets: dict, address: str, expected: Mode) -> None:
    assert roles.mode(secrets, address) is expected


# -- every write of calc checks the role -----------------------------------------------------------

VIDEO = Scenario(2022, channels=ChannelShift(video=0.3))


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = store.connect(store.MEMORY)
    saved.ensure_table(connection)
    workshop.ensure_tables(connection)
    voting.ensure_tables(connection)  # every table a backup holds
    saved.save(connection, "kept", VIDEO, role=Role.EDITOR)
    space = workshop.create_workspace(connection, "Team", 2019, role=Role.EDITOR)
    workshop.save_action(connection, space, workshop.Action("Bike leasing"), role=Role.EDITOR)
    return connection


def _counts(con: duckdb.DuckDBPyConnection) -> tuple:
    rows = [
        con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # our own table names
        for table in backup.TABLES
    ]
    return (
        *rows,
        workshop.actions(con, "Team")["status"].tolist(),
        workshop.note(con, "Team", "plan"),
    )


EDITOR_WRITES: dict[str, Callable[[duckdb.DuckDBPyConnection, Role | None], object]] = {
    "save scenario": lambda con, role: saved.save(con, "new", VIDEO, role=role),
    "delete scenario": lambda con, role: saved.delete(con, "kept", role=role),
    "create workspace": lambda con, role: workshop.create_workspace(con, "Other", 2019, role=role),
    "set base year": lambda con, role: workshop.set_base_year(con, "Team", 2022, role=role),
    "save action": lambda con, role: workshop.save_action(
        con, "Team", workshop.Action("New"), role=role
    ),
    "move action": lambda con, role: workshop.set_status(con, "Team", 1, "done", role=role),
    "delete action": lambda con, role: workshop.delete_action(con, "Team", 1, role=role),
    "save note": lambda con, role: workshop.save_note(con, "Team", "plan", "x", role=role),
    "save targets": lambda con, role: workshop.save_targets(
        con, "Team", pd.DataFrame({"year": [2030], "reduction_share": [0.5]}), role=role
    ),
}


@pytest.mark.parametrize("write", list(EDITOR_WRITES), ids=list(EDITOR_WRITES))
@pytest.mark.parametrize("role", [None, Role.VIEWER], ids=["no-role", "viewer"])
def test_a_viewer_cannot_write_saved_work(
    con: duckdb.DuckDBPyConnection, write: str, role: Role | None
) -> None:
    before = _counts(con)
    with pytest.raises(RoleError):
        EDITOR_WRITES[write](con, role)
    assert _counts(con) == before  # nothing written


@pytest.mark.parametrize("write", list(EDITOR_WRITES), ids=list(EDITOR_WRITES))
def test_an_editor_can_write_saved_work(con: duckdb.DuckDBPyConnection, write: str) -> None:
    EDITOR_WRITES[write](con, Role.EDITOR)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR])
def test_only_a_steward_restores_a_backup(con: duckdb.DuckDBPyConnection, role: Role) -> None:
    exported = backup.export_state(con)
    saved.save(con, "after the backup", VIDEO, role=Role.EDITOR)
    before = _counts(con)
    with pytest.raises(RoleError):
        backup.import_state(con, exported, role=role)
    assert _counts(con) == before
    backup.import_state(con, exported, role=Role.STEWARD)
    assert saved.names(con) == ["kept"]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR])
def test_only_a_steward_loads_or_rolls_back_data(demo_db: Path, tmp_path: Path, role: Role) -> None:
    # GIVEN a store with one data version
    where = store.Store(demo_db)
    current = where.current()
    assert current is not None
    # WHEN a lower role loads a new version or switches to one
    with pytest.raises(RoleError):
        loaders.load_version(demo_db, tmp_path / "nothing", role=role)
    with pytest.raises(RoleError):
        loaders.load_files_version(demo_db, {"offices.csv": b"x"}, role=role)
    with pytest.raises(RoleError):
        where.switch(current, role=role)
    # THEN the store is as it was: same current version, no new file
    assert where.current() == current
    assert [v.version for v in where.versions()] == [current]
