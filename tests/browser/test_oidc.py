"""Sign-in through a real OpenID Connect provider: oidc-provider-mock (Authlib's provider, with
discovery, authorization code flow, signed ID tokens) on the loopback address, Streamlit's own
st.login against it, and the role from the secrets' allow-list or from an ID-token claim.

The app gets its provider settings from a secrets file of the test's own (`--secrets.files`).
Every wait is for something on the page (a button, a text), never for a time.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from oidc_provider_mock import User, run_server_in_thread
from playwright.sync_api import Page, expect

from tests.browser.conftest import BROWSER_TIMEOUT_MS, Server, _free_port, serve
from ui.i18n import catalogue

pytestmark = pytest.mark.browser
WAIT = {"timeout": BROWSER_TIMEOUT_MS}  # the longest any condition may take (a cold server)

ANA = User(
    sub="ana",
    claims={"email": "ana@example.org", "email_verified": True, "name": "Ana Berger"},
)
# Not on any list: her role comes from the claim the identity provider puts in her ID token.
STEFAN = User(
    sub="stefan",
    claims={"email": "stefan@elsewhere.test", "name": "Stefan Ober", "wegbilanz_role": "steward"},
)


def text(key: str, **values: object) -> str:
    found = catalogue()[key]["en"]
    return found.format(**values) if values else found


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The identity provider, on a free loopback port, with Ana and Stefan to choose from."""
    with run_server_in_thread(user_claims=[ANA, STEFAN]) as server:
        yield f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(scope="module")
def oidc_server(
    chromium_path: Path,
    demo_db: Path,
    provider: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    """The app with [auth] pointing at the provider and [roles] naming Ana an editor."""
    del chromium_path
    folder = tmp_path_factory.mktemp("oidc-app")
    port = _free_port()
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        f"""
[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "{secrets.token_urlsafe(32)}"
client_id = "wegbilanz-test"
client_secret = "{secrets.token_urlsafe(16)}"
server_metadata_url = "{provider}/.well-known/openid-configuration"

[roles]
claim = "wegbilanz_role"
editors = ["ana@example.org"]
""",
        encoding="utf-8",
    )
    with serve(demo_db, folder, port=port, options=[f"--secrets.files={secrets_file}"]) as app:
        yield app


def sign_in_as(page: Page, server: Server, provider: str, sub: str) -> None:
    page.goto(server.url())
    # Before signing in: the sign-in and nothing of the data.
    expect(page.get_by_text(text("access.sign_in.intro"))).to_be_visible(**WAIT)
    expect(page.locator('[data-testid="stMetric"]')).to_have_count(0, **WAIT)
    page.get_by_role("button", name=text("access.sign_in")).click()
    # The provider's own page: choose who signs in.
    page.wait_for_url(f"{provider}/**")
    page.locator(f"button[name=sub][value={sub}]").click()
    page.wait_for_url(f"{server.base_url}/**")


def test_sign_in_through_the_provider_gives_the_listed_role_and_signs_out(
    page: Page, oidc_server: Server, provider: str
) -> None:
    # WHEN Ana signs in at the identity provider
    sign_in_as(page, oidc_server, provider, "ana")
    # THEN the app shows who she is and her role from the allow-list, with a sign-out
    sidebar = page.locator('[data-testid="stSidebar"]')
    signed_in = text("access.signed_in", who="Ana Berger", role=text("access.role.editor"))
    expect(sidebar.get_by_text(signed_in)).to_be_visible(**WAIT)
    # and as an editor she may save a scenario but not load data
    page.goto(oidc_server.url("scenarios"))
    expect(page.locator(".st-key-scenario_save button")).to_be_enabled(**WAIT)
    page.goto(oidc_server.url("data"))
    needs_steward = text("access.needs", role=text("access.role.steward"))
    expect(page.get_by_text(needs_steward)).to_be_visible(**WAIT)
    expect(page.locator('[data-testid="stFileUploader"]')).to_have_count(0, **WAIT)
    # WHEN she signs out (the provider ends its session too) THEN the app asks for a sign-in
    sidebar.get_by_role("button", name=text("access.sign_out")).click()
    page.wait_for_url(f"{provider}/**")
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{oidc_server.base_url}/**")
    expect(page.get_by_role("button", name=text("access.sign_in"))).to_be_visible(**WAIT)
    expect(page.locator('[data-testid="stMetric"]')).to_have_count(0, **WAIT)


def test_a_role_claim_in_the_id_token_makes_a_data_steward(
    page: Page, oidc_server: Server, provider: str
) -> None:
    sign_in_as(page, oidc_server, provider, "stefan")
    signed_in = text("access.signed_in", who="Stefan Ober", role=text("access.role.steward"))
    expect(page.locator('[data-testid="stSidebar"]').get_by_text(signed_in)).to_be_visible(**WAIT)
    page.goto(oidc_server.url("data"))
    expect(page.locator('[data-testid="stFileUploader"]')).to_have_count(1, **WAIT)
