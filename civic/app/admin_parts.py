"""The admin page's import, templates and audit tabs (pages/admin.py lays them out behind the password).

An import is a dry run (api.check) whose report is kept per file, entity, data version and personal-data
mode, then a confirmed commit; the uploader is a widgets.Selectable, so a committed file leaves the
uploader empty (its key gets a fresh counter).
"""
from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from civic import measures
from civic.app import auth, export, shell
from civic.app.export import Col
from civic.app.widgets import Selectable, table
from civic.importer import api
from civic.store import snapshots
from civic.text.i18n import has, t
from civic.text.safe_text import md_text

PROBLEMS = [Col("行", "admin.import.col_row", "int", width="small"), Col("列", "admin.import.col_column", width="small"),
            Col("值", "admin.import.col_value", width="medium"), Col("原因", "admin.import.col_reason", width="large")]
AUDIT_COLUMNS = {"ts": "ts", "user": "user", "action": "action", "entity": "entity", "file_name": "file",
                 "sha256": "sha", "rows": "rows", "result": "result", "problems": "problems", "rows_added": "added",
                 "rows_updated": "updated", "version": "version", "note": "note"}
uploader = Selectable("admin_upload", "_admin_upload_nonce")


def who() -> str:
    return auth.admin_who(st.session_state) or "admin"


def entity_label(name: str) -> str:
    return t(f"admin.entity.{name}") if name != "auto" else t("admin.import.auto")


def _session_gone() -> Callable[[], bool] | None:
    """A callable telling a running check or import that this browser session has ended (tab closed,
    connection lost), so the work stops instead of pinning a core for nobody; None outside a server."""
    from streamlit import runtime
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():
        return None
    rt, sid = runtime.get_instance(), ctx.session_id
    return lambda: not rt.is_active_session(sid)


def _dry_run(data: bytes, name: str, chosen: str | None, pii_mode: str) -> tuple[tuple, Any]:
    """The dry run's report, kept while the file, entity, data version and mode stay the same."""
    key = (hashlib.sha256(data).hexdigest(), name, chosen, snapshots.current().version, pii_mode)
    cached = st.session_state.get("_admin_report")
    if cached and cached[0] == key:
        return key, cached[1]
    with st.spinner():
        report = api.check(data, name, chosen, user=who(), pii_mode=pii_mode, cancelled=_session_gone())
    st.session_state["_admin_report"] = (key, report)
    return key, report


def _problems(report: Any, name: str) -> None:
    st.error(t("admin.import.problems", n=len(report.problems)))
    table(report.problems_frame(), PROBLEMS, shell.lang())
    st.download_button(t("admin.import.problems_download"), export.to_csv_bytes(report.problems_frame()),
                       file_name=f"{name}-问题清单.csv", mime="text/csv", key="admin_problems_csv")


def _commit(data: bytes, name: str, chosen: str | None, pii_mode: str, key: tuple) -> None:
    try:
        done = api.commit(data, name, chosen, user=who(), pii_mode=pii_mode, cancelled=_session_gone())
    except api.ImportRejected as exc:   # the data moved on since the dry run
        st.session_state["_admin_report"] = (key, exc.report)
        st.rerun()
    except snapshots.WriterBusy:
        st.warning(t("admin.import.busy"))
        return
    st.session_state["_admin_flash"] = t("admin.import.done", added=done.added, updated=done.updated,
                                         version=done.version)
    uploader.reset()
    st.session_state.pop("_admin_report", None)
    st.rerun()


def import_tab() -> None:
    """Upload → dry run with row-level reasons → the counts and a preview → confirm."""
    st.caption(t("admin.import.hint"))
    entity = st.selectbox(t("admin.import.entity"), ["auto", *api.ENTITIES], format_func=entity_label,
                          key="admin_entity")
    mask = st.checkbox(t("admin.import.mask_pii"), key="admin_mask_pii", help=t("admin.import.mask_pii_help"))
    pii_mode = "mask" if mask else "reject"
    # one limit: api.MAX_MB is server.maxUploadSize in .streamlit/config.toml, which the uploader enforces
    up = st.file_uploader(t("admin.import.upload", mb=api.MAX_MB), key=uploader.key, max_upload_size=api.MAX_MB)
    if up is None:
        return
    if up.size > api.MAX_BYTES:      # refused before it is read
        st.error(t("admin.import.too_big", size=f"{up.size / 1048576:.1f}", mb=api.MAX_MB))
        return
    data, chosen = up.getvalue(), (None if entity == "auto" else entity)
    key, report = _dry_run(data, up.name, chosen, pii_mode)
    if report.entity:
        st.caption(t("admin.import.detected", entity=entity_label(report.entity)))
    for w in report.warnings:
        st.warning(md_text(w))    # a warning quotes the file's header cells: shown as typed
    if not report.ok:
        _problems(report, up.name)
        return
    c = st.columns(4)
    for col, name, value in zip(c, ("rows", "added", "updated", "unchanged"),
                                (report.n_rows, report.added, report.updated, report.unchanged)):
        with col:    # tooltip: what is counted, for this upload (measures.kpi.import_<key>)
            measures.metric(t(f"admin.import.{name}"), measures.upload_tile(f"import_{name}", value, shell.lang()))
    st.markdown(f"**{t('admin.import.preview')}**")
    st.dataframe(report.preview.head(500), hide_index=True, width="stretch")
    if report.changes == 0:
        st.info(t("admin.import.no_changes"))
    elif st.button(t("admin.import.confirm", added=report.added, updated=report.updated), type="primary",
                   key="admin_confirm"):
        _commit(data, up.name, chosen, pii_mode, key)


@functools.lru_cache(maxsize=16)
def _template(entity: str) -> bytes:
    return api.template_bytes(entity)


def _sample(entity: str, n: int) -> bytes:
    try:
        return api.sample_bytes(entity, n)
    except ValueError as exc:       # fewer new combinations left than asked for: say so in the file
        return export.to_xlsx_bytes(pd.DataFrame({"错误": [str(exc)]}), sheet="错误")


def templates_tab() -> None:
    """Files are generated when a button is clicked (deferred download data), not on every rerun."""
    st.caption(t("admin.templates.intro"))
    cols = st.columns(3)
    for i, name in enumerate(api.ENTITIES):
        with cols[i % 3]:
            st.download_button(f"{t('admin.templates.download')} · {entity_label(name)}",
                               functools.partial(_template, name),
                               file_name=f"{api.ENTITIES[name].zh}模板.xlsx", mime=api.XLSX_MIME,
                               key=f"admin_tpl_{name}", width="stretch", on_click="ignore")
    st.markdown(f"**{t('admin.templates.sample_heading')}**")
    c1, c2, c3 = st.columns([2, 1, 2], vertical_alignment="bottom")
    ent = c1.selectbox(t("admin.import.entity"), list(api.ENTITIES), format_func=entity_label, key="admin_sample_entity")
    n = c2.number_input(t("admin.templates.sample_n"), min_value=1, max_value=500, value=10, key="admin_sample_n")
    c3.download_button(t("admin.templates.sample_download"), functools.partial(_sample, ent, int(n)),
                       file_name=f"{api.ENTITIES[ent].zh}示例{int(n)}条.xlsx", mime=api.XLSX_MIME,
                       key="admin_sample_dl", width="stretch", on_click="ignore")
    st.caption(t("admin.templates.sample_help"))


def audit_tab() -> None:
    """The last 500 lines of the audit log, actions and results in words."""
    rows = snapshots.read_audit(limit=500)
    if not rows:
        st.info(t("admin.audit.empty"))
        return
    df = pd.DataFrame(rows)
    for c in AUDIT_COLUMNS:
        if c not in df:
            df[c] = None
    df["result"] = [t(f"admin.result.{r}") if isinstance(r, str) and has(f"admin.result.{r}") else r
                    for r in df.result]
    df["action"] = [t(f"admin.action.{a}") if isinstance(a, str) and has(f"admin.action.{a}") else a
                    for a in df.action]
    df["entity"] = [entity_label(e) if isinstance(e, str) and e in api.ENTITIES else e for e in df.entity]
    df["sha256"] = [s[:12] if isinstance(s, str) else s for s in df.sha256]
    st.dataframe(df[list(AUDIT_COLUMNS)].rename(columns={k: t(f"admin.audit.{v}") for k, v in AUDIT_COLUMNS.items()}),
                 hide_index=True, width="stretch")


def versions_frame(snaps: list[Any], current: str) -> pd.DataFrame:
    """The published versions, newest first, the current one marked."""
    return pd.DataFrame([{t("admin.versions.col_version"): s.version + (f" · {t('admin.versions.current')}"
                                                                       if s.version == current else ""),
                          t("admin.versions.col_published"): s.published_at,
                          t("admin.versions.col_note"): s.note} for s in snaps])


def counts_frame(info: dict) -> pd.DataFrame:
    """Rows per table in the current version, and how many of them came from imports (status.collect)."""
    imported = info.get("imported", {})
    return pd.DataFrame([{t("admin.status.col_entity"): entity_label(k) if k in api.ENTITIES else k,
                          t("admin.status.col_rows"): v, t("admin.status.col_imported"): imported.get(k, 0)}
                         for k, v in info.get("counts", {}).items()])
