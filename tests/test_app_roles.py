"""Roles in the app: a viewer finds no way to upload, reset, roll back, save, delete or edit, and
when a control is forced on anyway the write in calc refuses it; the local passphrase sign-in end
to end; the OpenID Connect gate with st.user seeded (the real provider: tests/browser/test_oidc.py);
and the one line the Data page shows when no sign-in is configured.

A control is "forced" by making `ui.access.allows` say yes while the session's role stays what
it is: the page then draws the control enabled, the click reaches calc with the viewer's role,
and calc must refuse it (calc.roles.require) with nothing written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from calc import loaders, roles, saved, store, workshop
from calc.roles import Role
from calc.scenario import ChannelShift, Scenario
from tests.conftest import APP_FILE, APP_TIMEOUT_S
from ui import access
from ui.i18n import catalogue
from ui.plain import plain

CHEAP = 10  # scrypt cost 2^10 for the stored test passphrases: the check itself is the same
EDITOR_WORDS = "green tram at nine"
STEWARD_WORDS = "blue bus at noon"
LOCAL = {
    "local": {
        "editor": roles.hash_passphrase(EDITOR_WORDS, log2_n=CHEAP),
        "steward": roles.hash_passphrase(STEWARD_WORDS, log2_n=CHEAP),
    }
}
OIDC = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "a-test-secret-that-is-long-enough-to-sign-cookies",
        "client_id": "wegbilanz",
        "client_secret": "secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    },
    "roles": {"editors": ["ana@example.org"], "viewers": ["@example.org"]},
}
TEAM = "Team North"
KEPT = "Video 30 %"
OFFICES_CSV = b"office_id,name,country,place\nKLU,AMS Klagenfurt,AT,Klagenfurt\n"
CLIENTS_CSV = b"year,client_id,office_id,in_person,video,mode,distance_km\n2022,a,KLU,3,1,car,30\n"


def text(key: str, **values: object) -> str:
    found = catalogue()[key]["en"]
    return found.format(**values) if values else found


def app_with(secrets: dict, user: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(APP_FILE), default_timeout=APP_TIMEOUT_S)
    at.query_params["lang"] = "en"
    at.secrets = dict(secrets)
    if user is not None:
        at.user = user
    return at


def open_page(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption] + [c.value for c in at.sidebar.caption]


@pytest.fixture
def saved_work(app_db: Path) -> Path:
    """The app's store with a saved scenario and a workspace holding one action."""
    con = store.connect(app_db)
    try:
        workshop.ensure_tables(con)
        saved.save(con, KEPT, Scenario(2022, channels=ChannelShift(video=0.3)), role=Role.EDITOR)
        space = workshop.create_workspace(con, TEAM, 2019, role=Role.EDITOR)
        workshop.save_action(con, space, workshop.Action("Bike leasing"), role=Role.EDITOR)
    finally:
        con.close()
    return app_db


@pytest.fixture
def two_versions(app_db: Path, tmp_path: Path) -> tuple[Path, str]:
    """The app's store with a second, small data set loaded: the demo is one rollback away."""
    folder = tmp_path / "small"
    folder.mkdir()
    (folder / "offices.csv").write_bytes(OFFICES_CSV)
    (folder / "clients.csv").write_bytes(CLIENTS_CSV)
    demo_version = store.Store(app_db).current()
    assert demo_version is not None
    loaders.load_version(app_db, folder, label="small", role=Role.STEWARD)
    return app_db, demo_version


def force_controls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every page draws its write controls enabled; the session's role is left as it is."""
    monkeypatch.setattr(access, "allows", lambda needed: True)


def saved_state(path: Path) -> tuple:
    con = store.connect(path)
    try:
        return (
            saved.names(con),
            workshop.workspaces(con),
            workshop.actions(con, TEAM)[["title", "status"]].values.tolist(),
            workshop.note(con, TEAM, "diagnose"),
        )
    finally:
        con.close()


# -- a viewer --------------------------------------------------------------------------------------


def test_a_viewer_finds_no_upload_reset_or_rollback(two_versions) -> None:
    path, demo_version = two_versions
    at = open_page(app_with(LOCAL), "pages/data.py")
    assert not at.file_uploader  # no upload at all
    assert not [b for b in at.button if b.key == "data_reset"]
    rollback = at.button(key=f"data_rollback_{demo_version}")
    assert rollback.disabled
    assert text("access.needs", role=text("access.role.steward")) in captions(at)
    assert store.Store(path).current() != demo_version


def test_a_forced_rollback_reset_or_upload_by_a_viewer_is_refused_by_calc(
    two_versions, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, demo_version = two_versions
    small_version = store.Store(path).current()
    force_controls(monkeypatch)
    at = open_page(app_with(LOCAL), "pages/data.py")
    refused = text("access.refused", role=text("access.role.steward"))
    # WHEN the viewer rolls back through a control that should not have been there
    at.button(key=f"data_rollback_{demo_version}").click().run()
    assert refused in errors(at)
    # and resets to the demo data
    at.button(key="data_reset").click().run()
    assert refused in errors(at)
    # and uploads a valid data set and confirms it
    uploader = at.file_uploader[0]
    uploader.upload("offices.csv", OFFICES_CSV, "text/csv")
    uploader.upload("clients.csv", CLIENTS_CSV, "text/csv")
    at.run()
    at.button(key="data_load").click().run()
    assert refused in errors(at)
    # THEN the data in use and the versions kept are as they were
    assert store.Store(path).current() == small_version
    assert len(store.Store(path).versions()) == 2


def test_a_viewer_cannot_save_delete_or_import_scenarios(
    saved_work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(app_with(LOCAL), "pages/scenarios.py")
    assert at.button(key="scenario_save").disabled
    assert at.button(key="scenario_delete").disabled
    assert at.button(key="scenario_import").disabled
    assert at.button(key="scenarios_backup_restore").disabled
    before = saved_state(saved_work)
    # Forced: the same clicks reach calc with the viewer's role.
    force_controls(monkeypatch)
    at = open_page(app_with(LOCAL), "pages/scenarios.py")
    at.text_input(key="scenario_name").input("mine")
    at.button(key="scenario_save").click().run()
    assert text("access.refused", role=text("access.role.editor")) in errors(at)
    at.selectbox(key="scenario_pick").set_value(KEPT).run()
    at.button(key="scenario_delete").click().run()
    assert text("access.refused", role=text("access.role.editor")) in errors(at)
    assert saved_state(saved_work) == before


def test_a_viewer_cannot_edit_a_workshop(saved_work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app_with(LOCAL)
    at.query_params["team"] = TEAM
    open_page(at, "pages/workshop.py")
    assert at.button(key="workshop_create").disabled
    assert at.text_area(key=f"workshop_note_{TEAM}_diagnose").disabled
    at.segmented_control(key="step").set_value("plan").run()
    assert at.button(key="workshop_save").disabled
    at.segmented_control(key="step").set_value("act").run()
    assert all(control.disabled for control in at.segmented_control if control.key != "step")
    at.segmented_control(key="step").set_value("anchor").run()
    assert at.button(key="workshop_save_targets").disabled
    before = saved_state(saved_work)
    # Forced: a note, a new action and a move reach calc with the viewer's role.
    force_controls(monkeypatch)
    at = app_with(LOCAL)
    at.query_params["team"] = TEAM
    open_page(at, "pages/workshop.py")
    refused = text("access.refused", role=text("access.role.editor"))
    at.text_area(key=f"workshop_note_{TEAM}_diagnose").input("written by a viewer").run()
    assert refused in errors(at)
    at.segmented_control(key="step").set_value("plan").run()
    at.text_input(key="workshop_title_0").input("Viewer's action")
    at.button(key="workshop_save").click().run()
    assert refused in errors(at)
    at.segmented_control(key="step").set_value("act").run()
    move = next(c for c in at.segmented_control if c.key.startswith("workshop_move_"))
    move.set_value("done").run()
    assert refused in errors(at)
    assert saved_state(saved_work) == before


# -- the local passphrase --------------------------------------------------------------------------


def sign_in(at: AppTest, passphrase: str) -> AppTest:
    at.text_input(key=access.PASSPHRASE_KEY).input(passphrase)
    at.button(key="access_local_login").click().run()
    assert not at.exception, at.exception
    return at


def test_local_passphrase_refuses_a_wrong_one_and_grants_the_right_role(saved_work: Path) -> None:
    at = open_page(app_with(LOCAL), "pages/scenarios.py")
    assert text("access.local.viewer") in captions(at)
    # WHEN a wrong passphrase is tried
    sign_in(at, "green tram at ten")
    # THEN it is refused, the field is emptied, the session stays a viewer
    assert text("access.passphrase.wrong") in [e.value for e in at.sidebar.error]
    assert at.text_input(key=access.PASSPHRASE_KEY).value == ""
    assert at.button(key="scenario_save").disabled
    # WHEN the editor's passphrase is given
    sign_in(at, EDITOR_WORDS)
    # THEN the session is an editor: it saves, and the Data page still offers no upload
    role_name = text("access.role.editor")
    assert text("access.local.signed_in", role=role_name) in captions(at)
    assert at.session_state[access.LOCAL_ROLE_KEY] == Role.EDITOR
    assert EDITOR_WORDS not in str(list(at.session_state.values()))  # never kept
    at.text_input(key="scenario_name").input("Editor's plan")
    at.button(key="scenario_save").click().run()
    assert "Editor's plan" in saved_state(saved_work)[0]
    open_page(at, "pages/data.py")
    assert not at.file_uploader
    # WHEN the editor signs out and the steward signs in
    at.button(key="access_local_logout").click().run()
    assert text("access.local.viewer") in captions(at)
    sign_in(at, STEWARD_WORDS)
    open_page(at, "pages/data.py")
    # THEN the upload and the reset are there
    assert at.file_uploader
    assert at.button(key="data_reset")


# -- OpenID Connect (st.user seeded; the real flow is a browser test) ---------------------------


def test_oidc_shows_only_the_sign_in_until_someone_is_signed_in(app_db: Path) -> None:
    at = app_with(OIDC, {"is_logged_in": False}).run()
    assert not at.exception
    assert at.button(key="access_login").label == text("access.sign_in")
    assert not at.metric  # nothing of the data
    assert at.selectbox(key="lang").value == "en"  # the language can still be chosen


def test_oidc_signed_in_without_a_role_is_told_so(app_db: Path) -> None:
    at = app_with(OIDC, {"is_logged_in": True, "email": "mallory@other.test"}).run()
    assert not at.exception
    who = plain("mallory@other.test")  # a name from outside is shown as text, not Markdown
    assert text("access.no_role", who=who) in [w.value for w in at.warning]
    assert at.button(key="access_logout")
    assert not at.metric


@pytest.mark.parametrize(
    ("email", "role", "may_save"),
    [
        pytest.param("eva@example.org", Role.VIEWER, False, id="viewer-by-domain"),
        pytest.param("ana@example.org", Role.EDITOR, True, id="editor-by-address"),
    ],
)
def test_oidc_role_from_the_allow_list(saved_work: Path, email: str, role: Role, may_save: bool):
    at = app_with(OIDC, {"is_logged_in": True, "email": email, "name": email.split("@")[0]})
    open_page(at, "pages/scenarios.py")
    signed_in = text("access.signed_in", who=email.split("@")[0], role=text(f"access.role.{role}"))
    assert signed_in in captions(at)
    assert at.button(key="access_logout")
    assert at.button(key="scenario_save").disabled is not may_save


# -- no configuration ------------------------------------------------------------------------------


def test_without_configuration_the_data_page_says_everyone_has_every_role(app_db: Path) -> None:
    at = open_page(app_with({}), "pages/data.py")
    assert text("data.access.open") in captions(at)
    assert at.file_uploader  # every role: as before
    assert not at.sidebar.button  # no sign-in, no sign-out


def test_without_configuration_but_reachable_from_the_network_the_app_is_read_only(
    app_db: Path,
) -> None:
    address = st_config.get_option("server.address")
    st_config.set_option("server.address", "0.0.0.0")
    try:
        at = open_page(app_with({}), "pages/data.py")
    finally:
        st_config.set_option("server.address", address)
    assert text("data.access.locked") in captions(at)
    assert text("access.locked") in captions(at)
    assert not at.file_uploader


@pytest.mark.parametrize("lang", ["de", "nl"])
def test_sign_in_texts_follow_the_language(app_db: Path, lang: str) -> None:
    def said(key: str) -> str:
        return catalogue()[key][lang]

    # The passphrase sign-in in the sidebar
    at = app_with(LOCAL)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception
    assert said("access.local.viewer") in captions(at)
    assert at.button(key="access_local_login").label == said("access.sign_in")
    assert at.text_input(key=access.PASSPHRASE_KEY).label == said("access.passphrase")
    # The identity provider's sign-in page
    at = app_with(OIDC, {"is_logged_in": False})
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception
    assert at.title[0].value == said("access.title")
    assert said("access.sign_in.intro") in [i.value for i in at.info]
    assert at.button(key="access_login").label == said("access.sign_in")


def test_an_unreadable_passphrase_setting_is_said_and_opens_nothing(app_db: Path) -> None:
    at = app_with({"local": {"steward": "not a hash"}}).run()
    sign_in(at, "anything")
    assert text("access.passphrase.broken") in [e.value for e in at.sidebar.error]
    assert access.LOCAL_ROLE_KEY not in at.session_state
