"""数据管理: import registers (dry run → confirm), templates, audit log, versions (rollback, purge), status.

Behind the admin password; sign-in, back-off and the audit identity live in civic/app/auth.py. Without the
password nothing but the sign-in form is shown. The import, templates and audit tabs are in
civic/app/admin_parts.py.
"""
import streamlit as st

from civic import measures
from civic.app import admin_parts as parts
from civic.app import auth, shell
from civic.store import snapshots
from civic.store import status as status_mod
from civic.text import fmt
from civic.text.i18n import t
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


# ── sections ──────────────────────────────────────────────────────────────────────────────────
def _flash() -> None:
    msg = st.session_state.pop("_admin_flash", None)
    if msg:
        st.success(msg)


def _versions_tab() -> None:
    st.caption(t("admin.versions.intro", n=snapshots.keep_snapshots()))
    keep_warning = snapshots.retention()[1]
    if keep_warning:
        st.warning(keep_warning)
    cur = snapshots.current()
    snaps = list(reversed(snapshots.list_snapshots()))
    st.dataframe(parts.versions_frame(snaps, cur.version), hide_index=True, width="stretch")
    older = [s.version for s in snaps if s.version != cur.version]
    if not older:
        st.info(t("admin.versions.none"))
        return
    c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
    target = c1.selectbox(t("admin.versions.target"), older, key="admin_rb_target")
    sure = c2.checkbox(t("admin.versions.confirm"), key="admin_rb_sure")
    if c3.button(t("admin.versions.button"), disabled=not sure, key="admin_rb_go"):
        try:
            snap = snapshots.rollback(target, user=parts.who())
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
            snapshots.purge(target, user=parts.who())
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
    st.dataframe(parts.counts_frame(info), hide_index=True, width="stretch")


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
top[0].caption(t("admin.signed_in_as", who=md_text(parts.who())))
if top[1].button(t("admin.logout"), key="admin_logout"):
    auth.sign_out(st.session_state)
    st.rerun()
_flash()
tabs = st.tabs([t("admin.tabs.import"), t("admin.tabs.templates"), t("admin.tabs.audit"), t("admin.tabs.versions"),
                t("admin.tabs.status")])
with tabs[0]:
    parts.import_tab()
with tabs[1]:
    parts.templates_tab()
with tabs[2]:
    parts.audit_tab()
with tabs[3]:
    _versions_tab()
with tabs[4]:
    _status_tab()
