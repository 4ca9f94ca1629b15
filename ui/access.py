"""Who uses this session and in which role (calc.roles), and the sign-in in the sidebar.

The mode follows the secrets file (`.streamlit/secrets.toml`): with `[auth]` Streamlit's own
OpenID Connect sign-in (st.login) and `[roles]` give the role; with `[local]` everyone views and
a passphrase makes an editor or a steward (for this browser session only); with neither, the app
gives every role while it listens on the loopback address only, and is read-only otherwise.
Pages ask `allows(Role.EDITOR)` to show or disable their write controls and pass `role()` to
every write in calc, which refuses a role that is too low (RoleError) whatever a page shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from calc import roles
from calc.roles import Mode, Role, RoleError
from ui.i18n import t
from ui.plain import plain

LOCAL_ROLE_KEY = "access_role"  # session: the role a passphrase opened (local mode)
PASSPHRASE_KEY = "access_passphrase"
MESSAGE_KEY = "access_message"  # session: the outcome of the last passphrase, shown once


@dataclass(frozen=True)
class Access:
    mode: Mode
    role: Role | None  # None: not signed in, or signed in without a role here
    who: str | None = None  # the signed-in person's name or e-mail (OIDC)


def settings() -> dict[str, Any]:
    """The secrets file as plain dicts ({} without one)."""
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:
        return {}


def mode() -> Mode:
    return roles.mode(settings(), st.get_option("server.address"))


def current() -> Access:
    found = mode()
    if found is Mode.OIDC:
        user = st.user.to_dict()
        if not user.get("is_logged_in"):
            return Access(found, None)
        who = str(user.get("name") or user.get("email") or user.get("sub") or "")
        rules = roles.RoleRules.from_settings(settings().get("roles"))
        return Access(found, rules.role_for(user), who)
    if found is Mode.LOCAL:
        return Access(found, st.session_state.get(LOCAL_ROLE_KEY, Role.VIEWER))
    return Access(found, Role.STEWARD if found is Mode.OPEN else Role.VIEWER)


def role() -> Role | None:
    """This session's role, passed to every write in calc."""
    return current().role


def allows(needed: Role) -> bool:
    found = role()
    return found is not None and found.allows(needed)


def refused(error: RoleError) -> str:
    """The message for a write the role did not allow."""
    return t("access.refused", role=t(f"access.role.{error.needed}"))


def needs(needed: Role) -> str:
    """A short note beside controls that are off for this role."""
    return t("access.needs", role=t(f"access.role.{needed}"))


# -- the gate and the sidebar -----------------------------------------------------------------


def gate() -> None:
    """Stop the run unless this session may see the app (OIDC: signed in with a role)."""
    access = current()
    if access.mode is not Mode.OIDC or access.role is not None:
        return
    st.title(t("access.title"))
    if access.who is None:
        st.info(t("access.sign_in.intro"), icon=":material/lock:")
        st.button(
            t("access.sign_in"), key="access_login", icon=":material/login:", on_click=st.login
        )
    else:
        st.warning(t("access.no_role", who=plain(access.who)), icon=":material/block:")
        st.button(
            t("access.sign_out"), key="access_logout", icon=":material/logout:", on_click=st.logout
        )
    st.stop()


def _try_passphrase() -> None:
    passphrase = st.session_state.get(PASSPHRASE_KEY) or ""
    st.session_state[PASSPHRASE_KEY] = ""  # never kept in the session
    try:
        opened = roles.Passphrases.from_settings(settings().get("local")).role_for(passphrase)
    except roles.PassphraseError:
        st.session_state[MESSAGE_KEY] = t("access.passphrase.broken")
        return
    if opened is None:
        st.session_state[MESSAGE_KEY] = t("access.passphrase.wrong")
        return
    st.session_state[LOCAL_ROLE_KEY] = opened
    st.session_state.pop(MESSAGE_KEY, None)


def _sign_out_local() -> None:
    st.session_state.pop(LOCAL_ROLE_KEY, None)


def draw_sidebar() -> None:
    """Who is signed in, in which role, and the way to sign in or out."""
    access = current()
    if access.mode is Mode.OPEN:
        return  # the Data page says so
    box = st.sidebar.container(border=True)
    if access.mode is Mode.LOCKED:
        box.caption(t("access.locked"))
        return
    role_name = t(f"access.role.{access.role}") if access.role else ""
    if access.mode is Mode.OIDC:
        box.caption(t("access.signed_in", who=plain(access.who or ""), role=role_name))
        box.button(
            t("access.sign_out"), key="access_logout", icon=":material/logout:", on_click=st.logout
        )
        return
    if access.role is not Role.VIEWER:
        box.caption(t("access.local.signed_in", role=role_name))
        box.button(
            t("access.sign_out"),
            key="access_local_logout",
            icon=":material/logout:",
            on_click=_sign_out_local,
        )
        return
    box.caption(t("access.local.viewer"))
    box.text_input(t("access.passphrase"), type="password", key=PASSPHRASE_KEY)
    box.button(
        t("access.sign_in"),
        key="access_local_login",
        icon=":material/login:",
        on_click=_try_passphrase,
    )
    if message := st.session_state.pop(MESSAGE_KEY, None):
        box.error(message)
