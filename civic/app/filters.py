"""A page's own URL parameters (UrlParam, load_page_params) and month parameters (read_month): the
Streamlit side of the URL. The shared filters' model and URL form live in civic/scope.py (pure, also read by
the briefing); civic/app/shell.py keeps state, widgets and URL in step (docs/architecture.md, "Shared filters").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Sequence

from civic.scope import MAX_PARAM_LEN, short
from civic.text import fmt
from civic.text.i18n import t

# ── months from the URL: parsed and clamped here, nowhere else (days: civic/scope.py clamp_day) ──────
MONTH_RE = re.compile(r"([0-9]{4})-([0-9]{2})")   # ASCII only: \d also matches ２０２５


def read_month(raw: str, lo: date, hi: date, lang: str | None = None) -> tuple[str | None, str | None]:
    """A month parameter ("YYYY-MM") → (the month inside the data's span or None, notice or None).

    Never raises: year 0, month 0 or 13 and any other shape are dropped with a notice; a real month
    outside [lo's month, hi's month] is moved to the nearest end with a notice."""
    v = str(raw).strip()
    m = MONTH_RE.fullmatch(v)
    if not m or not (1 <= int(m[1]) and 1 <= int(m[2]) <= 12):
        return None, t("notices.bad_month", lang=lang, value=short(raw))
    first, lo_m, hi_m = date(int(m[1]), int(m[2]), 1), lo.replace(day=1), hi.replace(day=1)
    if lo_m <= first <= hi_m:
        return v, None
    to = lo_m if first < lo_m else hi_m
    return to.strftime("%Y-%m"), t("notices.month_clamped", lang=lang, value=short(raw),
                                   lo=fmt.month(lo_m, lang or "zh"), hi=fmt.month(hi_m, lang or "zh"),
                                   to=fmt.month(to, lang or "zh"))


def month_param(lo: date, hi: date) -> Callable[[str], tuple[str | None, str | None]]:
    """The `clean` hook of a UrlParam holding a month (see read_month)."""
    return lambda raw: read_month(raw, lo, hi)


# ── page-scoped URL parameters ───────────────────────────────────────────────────────────────
@dataclass
class UrlParam:
    """A page's own URL parameter bound to a widget key, validated against allowed values.

    Usage in a page:
        p = UrlParam("batch", "rv_batch", allowed=batches, multi=True)
        p.load()                       # before the widget: URL → session (with notice on bad values)
        st.multiselect(..., key=p.key)
        p.store()                      # after: session → URL
    """
    param: str
    key: str
    allowed: Sequence[str] | Callable[[str], bool]
    multi: bool = False
    default: Any = None
    # optional raw → (value or None, notice or None), run before `allowed` (e.g. month_param: clamps a month)
    clean: Callable[[str], tuple[Any, str | None]] | None = None

    def _ok(self, v: str) -> bool:
        if len(v) > MAX_PARAM_LEN:
            return False
        return self.allowed(v) if callable(self.allowed) else v in self.allowed

    def parse(self, raw: Sequence[str]) -> tuple[Any, list[str]]:
        notices: list[str] = []
        if self.clean is not None:
            kept = []
            for v in raw:
                if len(v) > MAX_PARAM_LEN:
                    kept.append(v)          # _ok rejects it below, with the usual notice
                    continue
                value, notice = self.clean(v)
                if notice:
                    notices.append(notice)
                if value is not None:
                    kept.append(value)
            raw = kept
        bad = [v for v in raw if not self._ok(v)]
        good = [v for v in raw if self._ok(v)]
        notices += [t("notices.bad_value", param=self.param, value=short(v)) for v in bad]
        if self.multi:
            seen: list[str] = []
            for v in good:
                if v not in seen:
                    seen.append(v)
            return (seen if seen else (self.default if self.default is not None else [])), notices
        return (good[0] if good else self.default), notices

    def load(self) -> None:
        import streamlit as st
        raw = st.query_params.get_all(self.param)
        sig_key = f"_urlsig_{self.param}"
        sig = "\x1f".join(raw)
        if self.key not in st.session_state or (raw and sig != st.session_state.get(sig_key)):
            value, notices = self.parse(raw)
            st.session_state[self.key] = value
            st.session_state.setdefault("_notices", []).extend(notices)
            st.session_state[sig_key] = sig

    def store(self) -> None:
        import streamlit as st
        value = st.session_state.get(self.key, self.default)
        empty = value in (None, [], (), "") or value == self.default
        if empty:
            if self.param in st.query_params:
                del st.query_params[self.param]
            st.session_state[f"_urlsig_{self.param}"] = ""
        else:
            vals = [str(v) for v in value] if self.multi else [str(value)]
            st.query_params[self.param] = vals if self.multi else vals[0]
            st.session_state[f"_urlsig_{self.param}"] = "\x1f".join(vals)


def load_page_params(*params: UrlParam) -> None:
    """Load a page's own URL parameters and show, right away, the notices for any bad value (the shell has
    already drawn the shared filters' notices before the page ran)."""
    import streamlit as st
    seen = len(st.session_state.get("_notices", []))
    for p in params:
        p.load()
    from civic.text.safe_text import md_text
    for notice in st.session_state.get("_notices", [])[seen:]:
        st.warning(md_text(notice))   # it quotes the bad URL value: shown as typed, never as a link
