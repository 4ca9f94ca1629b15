"""Data: what is loaded, and loading your own files with a validation report before the load.

An upload is first loaded into a scratch in-memory database to get the report; only when the
user confirms does the same upload replace the real data set (one transaction, so a failure
leaves the previous data). Everything cached on data is keyed by the dataset version, so the
rerun after a load shows the new data on every page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st
from streamlit.typing import UploadedFile

from calc import dataset, geo, loaders, templates
from calc.roles import Mode, Role, RoleError
from calc.schema import TABLES
from ui import access, cached_views, db, tables
from ui import frame as _frame
from ui.i18n import language, number, t
from ui.plain import plain

_frame.require()  # first request after a start: rerun through app.py

UPLOAD_TYPES = ["csv", "txt", "xlsx", "xlsm"]
PLACE_COLUMNS = frozenset({"place", "postcode", "destination"})
CHECK_KEY = "data_check"  # session: the validation of the files now in the uploader
DONE_KEY = "data_done"  # session: the report of the load just committed, shown once
UPLOADER_KEY = "data_uploader"  # session: a counter; a new value gives an empty uploader
# Loader progress messages (calc speaks English) and their catalogue keys.
PROGRESS_KEYS = {
    "checking references": "data.progress.references",
    "finding places": "data.progress.places",
    "computing distances": "data.progress.distances",
    "saving": "data.progress.saving",
    "done": "data.progress.done",
}


@dataclass
class Check:
    """The outcome of checking one upload in a scratch database."""

    key: tuple
    report: loaders.LoadReport | None = None
    error: loaders.LoadError | None = None
    geocoded: pd.DataFrame | None = None  # answers fetched online, reused by the real load
    geocoder_errors: list[str] = field(default_factory=list)


# -- what is loaded ------------------------------------------------------------------------------


MIN_VERSIONS_TO_CHOOSE = 2  # with one version there is nothing to roll back to


def table_label(table: str) -> str:
    return t(f"data.table.{table}")


def dataset_label() -> str:
    if db.is_demo():
        return t("data.loaded.demo")
    label = db.dataset_label()
    return t("data.loaded.upload") if label == "upload" else label


def show_loaded() -> None:
    st.header(t("data.loaded.title"))
    if not db.has_data():
        st.info(t("data.loaded.none"), icon=":material/database_off:")
        return
    st.markdown(t("data.loaded.label", label=plain(dataset_label()), version=db.dataset_version()))
    counts = cached_views.table_counts(db.cursor())
    shown = counts.assign(table_name=counts["table_name"].map(table_label))
    # Counts per year: ui.tables writes them in the interface's language.
    tables.dataframe(
        shown,
        dict.fromkeys([c for c in shown.columns if c != "table_name"], 0),
        column_config={
            "table_name": st.column_config.TextColumn(t("data.loaded.table")),
            "total": st.column_config.TextColumn(t("data.loaded.total"), alignment="right"),
        },
        hide_index=True,
        alt=t("data.loaded.alt"),
    )
    if not access.allows(Role.STEWARD):
        return  # loading, rolling back and resetting are the data steward's
    with st.popover(t("data.reset.button"), icon=":material/restart_alt:"):
        st.warning(t("data.reset.warning"))
        if st.button(t("data.reset.confirm"), type="primary", key="data_reset"):
            try:
                with st.spinner(t("data.reset.running")):
                    db.reset_to_demo(access.role())
            except RoleError as error:
                st.error(access.refused(error))
                return
            st.session_state.pop(CHECK_KEY, None)
            st.session_state[DONE_KEY] = "reset"
            st.rerun()  # the sidebar and banner were drawn before the reset


def show_versions() -> None:
    """The loaded data sets kept for a rollback: the current one marked, the others one click
    from being current again (for every session)."""
    versions = db.versions()
    if len(versions) < MIN_VERSIONS_TO_CHOOSE:
        return
    may_roll_back = access.allows(Role.STEWARD)
    with st.expander(t("data.versions.title"), icon=":material/history:"):
        st.caption(t("data.versions.intro"))
        for version in versions:
            label = t("data.loaded.demo") if version.label == "demo" else version.label
            loaded_at = version.loaded_at[:16].replace("T", " ")
            text_col, button_col = st.columns([4, 1], vertical_alignment="center")
            text_col.markdown(
                t(
                    "data.versions.current" if version.is_current else "data.versions.item",
                    label=plain(label),
                    loaded_at=loaded_at,
                    version=version.version,
                )
            )
            if not version.is_current:
                button_col.button(
                    t("data.versions.rollback"),
                    key=f"data_rollback_{version.version}",
                    on_click=roll_back,
                    args=(version.version,),
                    disabled=not may_roll_back,
                    help=None if may_roll_back else access.needs(Role.STEWARD),
                )


def roll_back(version: str) -> None:
    try:
        db.rollback(version, access.role())
    except RoleError as error:
        st.session_state[DONE_KEY] = ("refused", access.refused(error))
        return
    st.session_state.pop(CHECK_KEY, None)
    st.session_state[DONE_KEY] = ("rollback", version)


# -- templates -----------------------------------------------------------------------------------


def show_templates() -> None:
    st.markdown(t("data.templates.intro"))
    lang = language()
    # The language is read here: the downloads are built later, outside the page's run.
    translate = templates.in_language(lang)
    with st.container(horizontal=True):
        st.download_button(
            t("data.templates.csv"),
            data=lambda: templates.template_zip(translate),
            file_name=f"wegbilanz-templates-{lang}.zip",
            mime="application/zip",
            icon=":material/folder_zip:",
            on_click="ignore",
        )
        st.download_button(
            t("data.templates.xlsx"),
            data=lambda: templates.template_workbook(translate),
            file_name=f"wegbilanz-template-{lang}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            icon=":material/table_view:",
            on_click="ignore",
        )
        st.download_button(
            t("data.templates.demo"),
            data=templates.demo_zip,
            file_name="wegbilanz-demo-data.zip",
            mime="application/zip",
            icon=":material/science:",
            on_click="ignore",
        )
    with st.expander(t("data.templates.columns"), icon=":material/help:"):
        show_column_help()


def show_column_help() -> None:
    help_frame = templates.column_help(templates.in_language(language()))
    for tab, table in zip(st.tabs(list(TABLES)), TABLES, strict=True):
        rows = help_frame[help_frame["table"] == table]
        tab.caption(rows.loc[rows["column"] == "", "help"].iloc[0])
        tab.dataframe(
            rows[rows["column"] != ""].drop(columns="table"),
            hide_index=True,
            column_config={
                "column": st.column_config.TextColumn(t("data.help.column")),
                "required": st.column_config.CheckboxColumn(t("data.help.required")),
                "default": st.column_config.TextColumn(t("data.help.default")),
                "format": st.column_config.TextColumn(t("data.help.format")),
                "help": st.column_config.TextColumn(t("data.help.meaning"), width="large"),
            },
            alt=t("data.help.alt", table=table),
        )


# -- checking and loading ------------------------------------------------------------------------


@contextmanager
def progress_bar() -> Iterator[Callable[[float, str], None]]:
    """A loader progress callback drawing an st.progress bar, removed when the work is done."""
    slot = st.empty()
    bar = slot.progress(0.0, text=t("data.progress.start"))

    def update(fraction: float, message: str) -> None:
        if message.startswith("reading "):
            text = t("data.progress.reading", file=message.removeprefix("reading "))
        else:
            text = t(PROGRESS_KEYS[message]) if message in PROGRESS_KEYS else message
        bar.progress(min(max(fraction, 0.0), 1.0), text=text)

    try:
        yield update
    finally:
        slot.empty()


def upload_key(files: Sequence[UploadedFile], online: bool) -> tuple:
    return (tuple((f.file_id, f.name, f.size) for f in files), online)


def file_contents(files: Sequence[UploadedFile]) -> dict[str, bytes]:
    return {f.name: f.getvalue() for f in files}


def check_upload(files: Sequence[UploadedFile], online: bool) -> Check:
    """Load the files into a scratch database: the report, without touching the loaded data."""
    check = Check(key=upload_key(files, online))
    geocoder = geo.OnlineGeocoder() if online else None
    scratch = dataset.scratch_copy(db.cursor())
    try:
        with progress_bar() as progress:
            check.report = loaders.load_files(
                scratch, file_contents(files), geocoder=geocoder, progress=progress
            )
    except loaders.LoadError as error:
        check.error = error
    finally:
        if geocoder is not None:
            check.geocoder_errors = list(geocoder.errors)
            check.geocoded = dataset.geocoded_places(scratch)
        scratch.close()
    return check


def commit_upload(files: Sequence[UploadedFile], check: Check) -> loaders.LoadReport:
    """Replace the loaded data with the checked upload (all or nothing; raises LoadError)."""
    online = check.key[1]
    with progress_bar() as progress:
        # What the check already asked online is not asked again.
        return db.load_upload(
            file_contents(files),
            geocoder=geo.OnlineGeocoder() if online else None,
            progress=progress,
            geocoded=check.geocoded,
            role=access.role(),
        )


def problem_table(problems: Sequence[loaders.Problem]) -> None:
    lang = language()
    frame = pd.DataFrame(
        {
            "file": [p.file for p in problems],
            "row": pd.array([p.row for p in problems], dtype="Int64"),
            "column": [p.column or "" for p in problems],
            "value": [p.value_in(lang) for p in problems],
            "expected": [p.expected_in(lang) for p in problems],
        }
    )
    # The row numbers are counts: "10.813" in German (ui.tables).
    tables.dataframe(
        frame,
        {},
        hide_index=True,
        column_config={
            "file": st.column_config.TextColumn(t("data.report.file")),
            "row": st.column_config.TextColumn(t("data.report.row"), alignment="right"),
            "column": st.column_config.TextColumn(t("data.report.column")),
            "value": st.column_config.TextColumn(t("data.report.value")),
            "expected": st.column_config.TextColumn(t("data.report.expected"), width="large"),
        },
        alt=t("data.report.alt"),
    )


def show_error(error: loaders.LoadError) -> None:
    st.error(t("data.report.errors_body"), title=t("data.report.errors_title", count=error.total))
    places = [p for p in error.problems if p.column in PLACE_COLUMNS]
    others = [p for p in error.problems if p.column not in PLACE_COLUMNS]
    if others:
        problem_table(others)
    if places:
        st.markdown(f"**{t('data.report.places_title')}**")
        st.caption(t("data.report.places_hint"))
        problem_table(places)
    if error.total > len(error.problems):
        st.caption(t("data.report.more", shown=len(error.problems), total=error.total))
    if not places:  # finding places is the last check; before it, more may come up
        st.caption(t("data.report.stages"))


def show_warnings(report_warnings: Sequence[loaders.Problem]) -> None:
    if report_warnings:
        st.warning(t("data.report.warnings_title", count=len(report_warnings)))
        problem_table(report_warnings)


def rows_summary(rows: dict[str, int]) -> str:
    return " · ".join(f"{table_label(table)}: {number(n)}" for table, n in rows.items() if n)


def show_upload() -> None:
    st.header(t("data.upload.title"))
    show_templates()
    if not access.allows(Role.STEWARD):
        st.caption(access.needs(Role.STEWARD))
        return
    uploader_round = st.session_state.get(UPLOADER_KEY, 0)
    files = st.file_uploader(
        t("data.upload.label"),
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        key=f"data_files_{uploader_round}",
        help=t("data.upload.help"),
    )
    online = st.checkbox(
        t("data.geocode.label"), value=False, key="data_geocode", help=t("data.geocode.help")
    )
    st.caption(t("data.geocode.what") if online else t("data.geocode.off"))
    if not files:
        st.session_state.pop(CHECK_KEY, None)
        return

    check: Check | None = st.session_state.get(CHECK_KEY)
    if check is None or check.key != upload_key(files, online):
        check = check_upload(files, online)
        st.session_state[CHECK_KEY] = check

    st.markdown(t("data.report.title"))
    if check.geocoder_errors:
        st.warning(t("data.geocode.failed", count=len(check.geocoder_errors)))
    if check.error is not None:
        show_error(check.error)
        return
    assert check.report is not None
    st.success(
        rows_summary(check.report.rows),
        title=t("data.report.ok_title"),
        icon=":material/check_circle:",
    )
    show_warnings(check.report.warnings)
    if st.button(t("data.load.button"), type="primary", icon=":material/upload:", key="data_load"):
        try:
            report = commit_upload(files, check)
        except loaders.LoadError as error:
            show_error(error)  # the previous data set is still loaded
            return
        except RoleError as error:
            st.error(access.refused(error))
            return
        st.session_state.pop(CHECK_KEY, None)
        st.session_state[UPLOADER_KEY] = uploader_round + 1  # an empty uploader next time
        st.session_state[DONE_KEY] = report
        st.rerun()  # the sidebar and banner were drawn before this load


# -- the page ------------------------------------------------------------------------------------

st.title(t("data.title"))
st.markdown(t("data.intro"))
if (sign_in := access.mode()) in (Mode.OPEN, Mode.LOCKED):
    st.caption(t(f"data.access.{sign_in}"))  # no sign-in configured: who may do what
done = st.session_state.pop(DONE_KEY, None)
if isinstance(done, loaders.LoadReport):
    st.success(
        t("data.load.done_body", rows=rows_summary(done.rows), seconds=number(done.seconds, 1)),
        title=t("data.load.done_title"),
        icon=":material/check_circle:",
    )
elif done == "reset":
    st.success(t("data.reset.done"), icon=":material/check_circle:")
elif isinstance(done, tuple) and done[0] == "rollback":
    st.success(t("data.versions.done", version=done[1]), icon=":material/history:")
elif isinstance(done, tuple) and done[0] == "refused":
    st.error(done[1])
show_loaded()
show_versions()
show_upload()
