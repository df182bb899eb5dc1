"""数据管理: import registers (dry run → confirm), templates, audit log, versions (rollback, purge), status.

Behind the admin password; sign-in, back-off and the audit identity live in civic/app/auth.py. Without the
password nothing but the sign-in form is shown.
"""
import functools
import hashlib

import pandas as pd
import streamlit as st

from civic import measures
from civic.app import auth, export, shell
from civic.importer import api
from civic.store import snapshots
from civic.store import status as status_mod
from civic.text import fmt
from civic.text.i18n import has, t
from civic.text.safe_text import md_text


# ── authentication (civic/app/auth.py) ────────────────────────────────────────────────────────────
def _sign_in_form(digest: str) -> None:
    st.caption(t("admin.login_prompt"))
    with st.form("admin_login", clear_on_submit=True):
        name = st.text_input(t("auth.admin_name"), key="admin_name", max_chars=auth.NAME_MAX,
                             placeholder=auth.viewer() or "", help=t("auth.admin_name_help"))
        pw = st.text_input(t("admin.password"), type="password", key="admin_pw")
        go = st.form_submit_button(t("admin.login"), type="primary")
    if not go:
        return
    if not (name or "").strip() and not auth.viewer():
        st.error(t("auth.admin_name_required"))
        return
    res = auth.check_password(pw or "", digest, st.session_state)
    if res.ok:
        auth.sign_in(st.session_state, name)
        st.rerun()
    elif res.reason == "locked":
        st.error(t("admin.locked", minutes=max(1, round(res.wait_s / 60))))
    elif res.reason == "busy":
        st.error(t("auth.busy", seconds=max(1, round(res.wait_s))))
    elif res.reason == "backoff":
        st.error(t("auth.backoff", seconds=max(1, round(res.wait_s)), left=res.left))
    else:
        st.error(t("admin.wrong_password", left=res.left))


def _who() -> str:
    return auth.admin_who(st.session_state) or "admin"


# ── sections ──────────────────────────────────────────────────────────────────────────────────
def _entity_label(name: str) -> str:
    return t(f"admin.entity.{name}") if name != "auto" else t("admin.import.auto")


def _flash() -> None:
    msg = st.session_state.pop("_admin_flash", None)
    if msg:
        st.success(msg)


def _session_gone():
    """A callable telling a running check or import that this browser session has ended (tab closed,
    connection lost), so the work stops instead of pinning a core for nobody; None outside a server."""
    from streamlit import runtime
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():
        return None
    rt, sid = runtime.get_instance(), ctx.session_id
    return lambda: not rt.is_active_session(sid)


def _import_tab() -> None:
    st.caption(t("admin.import.hint"))
    nonce = st.session_state.setdefault("_admin_upload_nonce", 0)
    entity = st.selectbox(t("admin.import.entity"), ["auto", *api.ENTITIES], format_func=_entity_label,
                          key="admin_entity")
    mask = st.checkbox(t("admin.import.mask_pii"), key="admin_mask_pii", help=t("admin.import.mask_pii_help"))
    pii_mode = "mask" if mask else "reject"
    # one limit: api.MAX_MB is server.maxUploadSize in .streamlit/config.toml, which the uploader enforces
    up = st.file_uploader(t("admin.import.upload", mb=api.MAX_MB), key=f"admin_upload_{nonce}",
                          max_upload_size=api.MAX_MB)
    if up is None:
        return
    if up.size > api.MAX_BYTES:      # refused before it is read
        st.error(t("admin.import.too_big", size=f"{up.size / 1048576:.1f}", mb=api.MAX_MB))
        return
    data = up.getvalue()
    chosen = None if entity == "auto" else entity
    version = snapshots.current().version
    key = (hashlib.sha256(data).hexdigest(), up.name, chosen, version, pii_mode)
    cached = st.session_state.get("_admin_report")
    if cached and cached[0] == key:
        report = cached[1]
    else:
        with st.spinner():
            report = api.check(data, up.name, chosen, user=_who(), pii_mode=pii_mode, cancelled=_session_gone())
        st.session_state["_admin_report"] = (key, report)
    if report.entity:
        st.caption(t("admin.import.detected", entity=_entity_label(report.entity)))
    for w in report.warnings:
        st.warning(md_text(w))    # a warning quotes the file's header cells: shown as typed
    if not report.ok:
        st.error(t("admin.import.problems", n=len(report.problems)))
        frame = report.problems_frame()[["行", "列", "值", "原因"]]
        st.dataframe(frame, hide_index=True, width="stretch", column_config={
            "行": st.column_config.NumberColumn(t("admin.import.col_row"), width="small", format="%d"),
            "列": st.column_config.TextColumn(t("admin.import.col_column"), width="small"),
            "值": st.column_config.TextColumn(t("admin.import.col_value"), width="medium"),
            "原因": st.column_config.TextColumn(t("admin.import.col_reason"), width="large")})
        st.download_button(t("admin.import.problems_download"), export.to_csv_bytes(report.problems_frame()),
                           file_name=f"{up.name}-问题清单.csv", mime="text/csv", key="admin_problems_csv")
        return
    c = st.columns(4)
    for col, key, value in zip(c, ("rows", "added", "updated", "unchanged"),
                               (report.n_rows, report.added, report.updated, report.unchanged)):
        with col:    # tooltip: what is counted, for this upload (measures.kpi.import_<key>)
            measures.metric(t(f"admin.import.{key}"), measures.upload_tile(f"import_{key}", value, shell.lang()))
    st.markdown(f"**{t('admin.import.preview')}**")
    st.dataframe(report.preview.head(500), hide_index=True, width="stretch")
    if report.changes == 0:
        st.info(t("admin.import.no_changes"))
        return
    if st.button(t("admin.import.confirm", added=report.added, updated=report.updated), type="primary",
                 key="admin_confirm"):
        try:
            done = api.commit(data, up.name, chosen, user=_who(), pii_mode=pii_mode, cancelled=_session_gone())
        except api.ImportRejected as exc:   # the data moved on since the dry run
            st.session_state["_admin_report"] = (key, exc.report)
            st.rerun()
        except snapshots.WriterBusy:
            st.warning(t("admin.import.busy"))
            return
        st.session_state["_admin_flash"] = t("admin.import.done", added=done.added, updated=done.updated,
                                             version=done.version)
        st.session_state["_admin_upload_nonce"] = nonce + 1
        st.session_state.pop("_admin_report", None)
        st.rerun()


@functools.lru_cache(maxsize=16)
def _template(entity: str) -> bytes:
    return api.template_bytes(entity)


def _sample(entity: str, n: int) -> bytes:
    try:
        return api.sample_bytes(entity, n)
    except ValueError as exc:       # fewer new combinations left than asked for: say so in the file
        return export.to_xlsx_bytes(pd.DataFrame({"错误": [str(exc)]}), sheet="错误")


def _templates_tab() -> None:
    """Files are generated when a button is clicked (deferred download data), not on every rerun."""
    st.caption(t("admin.templates.intro"))
    cols = st.columns(3)
    for i, name in enumerate(api.ENTITIES):
        with cols[i % 3]:
            st.download_button(f"{t('admin.templates.download')} · {_entity_label(name)}",
                               functools.partial(_template, name),
                               file_name=f"{api.ENTITIES[name].zh}模板.xlsx", mime=api.XLSX_MIME,
                               key=f"admin_tpl_{name}", width="stretch", on_click="ignore")
    st.markdown(f"**{t('admin.templates.sample_heading')}**")
    c1, c2, c3 = st.columns([2, 1, 2], vertical_alignment="bottom")
    ent = c1.selectbox(t("admin.import.entity"), list(api.ENTITIES), format_func=_entity_label, key="admin_sample_entity")
    n = c2.number_input(t("admin.templates.sample_n"), min_value=1, max_value=500, value=10, key="admin_sample_n")
    c3.download_button(t("admin.templates.sample_download"), functools.partial(_sample, ent, int(n)),
                       file_name=f"{api.ENTITIES[ent].zh}示例{int(n)}条.xlsx", mime=api.XLSX_MIME,
                       key="admin_sample_dl", width="stretch", on_click="ignore")
    st.caption(t("admin.templates.sample_help"))


def _audit_tab() -> None:
    rows = snapshots.read_audit(limit=500)
    if not rows:
        st.info(t("admin.audit.empty"))
        return
    df = pd.DataFrame(rows)
    cols = ("ts", "user", "action", "entity", "file_name", "sha256", "rows", "result", "problems", "rows_added",
            "rows_updated", "version", "note")
    for c in cols:
        if c not in df:
            df[c] = None
    df["result"] = [t(f"admin.result.{r}") if isinstance(r, str) and has(f"admin.result.{r}") else r
                    for r in df.result]
    df["action"] = [t(f"admin.action.{a}") if isinstance(a, str) and has(f"admin.action.{a}") else a
                    for a in df.action]
    df["entity"] = [_entity_label(e) if isinstance(e, str) and e in api.ENTITIES else e for e in df.entity]
    df["sha256"] = [s[:12] if isinstance(s, str) else s for s in df.sha256]
    shown = df[list(cols)]
    st.dataframe(shown.rename(columns={k: t(f"admin.audit.{v}") for k, v in {
        "ts": "ts", "user": "user", "action": "action", "entity": "entity", "file_name": "file", "sha256": "sha",
        "rows": "rows", "result": "result", "problems": "problems",
        "rows_added": "added", "rows_updated": "updated", "version": "version", "note": "note"}.items()}),
        hide_index=True, width="stretch")


def _versions_tab() -> None:
    st.caption(t("admin.versions.intro", n=snapshots.keep_snapshots()))
    keep_warning = snapshots.retention()[1]
    if keep_warning:
        st.warning(keep_warning)
    cur = snapshots.current()
    snaps = list(reversed(snapshots.list_snapshots()))
    st.dataframe(pd.DataFrame([{t("admin.versions.col_version"): s.version + (f" · {t('admin.versions.current')}"
                                                                             if s.version == cur.version else ""),
                                t("admin.versions.col_published"): s.published_at,
                                t("admin.versions.col_note"): s.note} for s in snaps]),
                 hide_index=True, width="stretch")
    older = [s.version for s in snaps if s.version != cur.version]
    if not older:
        st.info(t("admin.versions.none"))
        return
    c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
    target = c1.selectbox(t("admin.versions.target"), older, key="admin_rb_target")
    sure = c2.checkbox(t("admin.versions.confirm"), key="admin_rb_sure")
    if c3.button(t("admin.versions.button"), disabled=not sure, key="admin_rb_go"):
        try:
            snap = snapshots.rollback(target, user=_who())
        except (ValueError, snapshots.WriterBusy) as exc:
            st.error(md_text(exc))
            return
        st.session_state["_admin_flash"] = t("admin.versions.done", target=target, version=snap.version)
        st.session_state.pop("admin_rb_sure", None)
        st.rerun()
    _purge_section(older)


def _purge_section(older: list[str]) -> None:
    """Delete a superseded version for good (a rolled-back import with personal data in it)."""
    st.markdown(f"**{t('admin.purge.heading')}**")
    st.caption(t("admin.purge.intro"))
    c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
    target = c1.selectbox(t("admin.purge.target"), older, key="admin_purge_target")
    sure = c2.checkbox(t("admin.purge.confirm", version=target), key="admin_purge_sure")
    if c3.button(t("admin.purge.button"), disabled=not sure, key="admin_purge_go"):
        try:
            snapshots.purge(target, user=_who())
        except snapshots.InUse:
            st.warning(t("admin.purge.in_use", version=target))
            return
        except (ValueError, snapshots.WriterBusy) as exc:
            st.error(str(exc))
            return
        st.session_state["_admin_flash"] = t("admin.purge.done", version=target)
        st.session_state.pop("admin_purge_sure", None)
        st.rerun()


def _status_tab() -> None:
    info = status_mod.collect()
    c = st.columns(3)
    lang = shell.lang()      # tooltips: what each tile shows (measures.kpi.snapshot_*)
    c[0].metric(t("admin.status.version"), info.get("version") or "—", border=True,
                help=measures.counts_text("snapshot_version", lang))
    c[1].metric(t("admin.status.published"), (info.get("published_at") or "—")[:19].replace("T", " "), border=True,
                help=measures.counts_text("snapshot_published", lang))
    c[2].metric(t("admin.status.as_of"), info.get("meta", {}).get("as_of", "—"), border=True,
                help=measures.counts_text("snapshot_as_of", lang))
    imported = info.get("imported", {})
    st.dataframe(pd.DataFrame([{t("admin.status.col_entity"): _entity_label(k) if k in api.ENTITIES else k,
                                t("admin.status.col_rows"): v,
                                t("admin.status.col_imported"): imported.get(k, 0)}
                               for k, v in info.get("counts", {}).items()]),
                 hide_index=True, width="stretch")


# ── page ──────────────────────────────────────────────────────────────────────────────────────
st.title(t("admin.title"))
digest = auth.expected_digest()
if digest is None:
    st.info(t("admin.not_configured"))
    st.stop()
if auth.admin_who(st.session_state) is None:
    _sign_in_form(digest)
    st.stop()

_snap = snapshots.current()
st.caption(t("admin.caption"))
st.caption(t("app.snapshot", version=_snap.version, time=fmt.timestamp(_snap.published_at, shell.lang())))
top = st.columns([4, 1])
top[0].caption(t("admin.signed_in_as", who=md_text(_who())))
if top[1].button(t("admin.logout"), key="admin_logout"):
    auth.sign_out(st.session_state)
    st.rerun()
_flash()
tabs = st.tabs([t("admin.tabs.import"), t("admin.tabs.templates"), t("admin.tabs.audit"), t("admin.tabs.versions"),
                t("admin.tabs.status")])
with tabs[0]:
    _import_tab()
with tabs[1]:
    _templates_tab()
with tabs[2]:
    _audit_tab()
with tabs[3]:
    _versions_tab()
with tabs[4]:
    _status_tab()
