"""Backup and restore of the saved work, offered on the Scenarios and Workshop pages alike."""

from __future__ import annotations

import contextlib
import functools

import duckdb
import streamlit as st

from calc import backup
from calc.roles import Role, RoleError
from ui import access, db
from ui.i18n import t
from ui.plain import plain

UPLOAD_KEY = "backup_upload"
MESSAGE_KEY = "backup_message"


def _restore() -> None:
    upload = st.session_state.get(UPLOAD_KEY)
    if upload is None:
        st.session_state[MESSAGE_KEY] = ("error", t("backup.none"))
        return
    try:
        restored = backup.import_state(db.cursor(), upload.getvalue(), role=access.role())
    except backup.BackupError as error:
        st.session_state[MESSAGE_KEY] = ("error", t("backup.refused", reason=plain(str(error))))
        return
    except RoleError as error:
        st.session_state[MESSAGE_KEY] = ("error", access.refused(error))
        return
    st.session_state[MESSAGE_KEY] = (
        "success",
        t(
            "backup.restored",
            scenarios=restored["scenarios"],
            spaces=restored["workshop_spaces"],
            actions=restored["workshop_actions"],
        ),
    )


def _export(database: duckdb.DuckDBPyConnection) -> bytes:
    """The backup, read when the button is clicked. Streamlit runs this outside the page's
    thread: a cursor of its own, never the session's (which a page run may be using)."""
    with contextlib.closing(database.cursor()) as con:
        return backup.export_state(con)


def backup_and_restore(key: str) -> None:
    """A popover: download every saved scenario and workshop as one file, or restore one."""
    with st.popover(t("backup.title"), icon=":material/backup:"):
        st.caption(t("backup.help"))
        st.download_button(
            t("backup.download"),
            functools.partial(_export, db.process_database()),  # read when clicked
            file_name="wegbilanz-saved-work.json",
            mime="application/json",
            key=f"{key}_backup_download",
            icon=":material/download:",
            on_click="ignore",
        )
        # A restore replaces everyone's saved work: the data steward's.
        may_restore = access.allows(Role.STEWARD)
        st.file_uploader(
            t("backup.upload"), type=["json"], key=UPLOAD_KEY, disabled=not may_restore
        )
        st.button(
            t("backup.restore"),
            key=f"{key}_backup_restore",
            icon=":material/restore:",
            on_click=_restore,
            disabled=not may_restore,
            help=None if may_restore else access.needs(Role.STEWARD),
        )
        if message := st.session_state.pop(MESSAGE_KEY, None):
            kind, text = message
            (st.error if kind == "error" else st.success)(text)
