"""One string catalog, Chinese first, English second.

The catalog is civic/text/catalog/*.toml, one file per domain so pages can be worked on independently, merged
into one table at import. Every leaf is a two-item array [zh, en]; a key defined twice is an error.
Keys are dotted paths: `t("overview.title")`. Data values (service types, stages, levels ...) are
translated with `tv("service_type", "理论宣讲")` from the `values` table.
"""
from __future__ import annotations

import contextvars
import tomllib
from functools import lru_cache
from pathlib import Path

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
CATALOG_DIR = Path(__file__).parent / "catalog"
_lang_override: contextvars.ContextVar[str | None] = contextvars.ContextVar("civic_lang", default=None)


class CatalogError(ValueError):
    pass


def _flatten(prefix: str, node, out: dict, origin: str) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            _flatten(f"{prefix}.{k}" if prefix else k, v, out, origin)
        return
    if not (isinstance(node, list) and len(node) == 2 and all(isinstance(s, str) for s in node)):
        raise CatalogError(f"{origin}: {prefix} must be [zh, en], got {node!r}")
    if prefix in out:
        raise CatalogError(f"{origin}: key {prefix} is already defined")
    out[prefix] = (node[0], node[1])


@lru_cache(maxsize=1)
def catalog() -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for f in sorted(CATALOG_DIR.glob("*.toml")):
        with open(f, "rb") as fh:
            _flatten("", tomllib.load(fh), out, f.name)
    return out


def current_lang() -> str:
    forced = _lang_override.get()
    if forced:
        return forced
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx
        if get_script_run_ctx(suppress_warning=True) is not None:
            import streamlit as st
            lang = st.session_state.get("lang", DEFAULT_LANG)
            return lang if lang in LANGS else DEFAULT_LANG
    except Exception:  # noqa: BLE001 - outside Streamlit (CLI, tests)
        pass
    return DEFAULT_LANG


class use_lang:
    """Context manager for code outside Streamlit: `with use_lang("en"): ...`"""

    def __init__(self, lang: str):
        self.lang = lang if lang in LANGS else DEFAULT_LANG

    def __enter__(self):
        self._tok = _lang_override.set(self.lang)
        return self

    def __exit__(self, *exc):
        _lang_override.reset(self._tok)


def t(key: str, lang: str | None = None, **kwargs) -> str:
    """Translate a key; `{name}` placeholders are filled from kwargs. A missing key shows itself."""
    entry = catalog().get(key)
    if entry is None:
        return key
    s = entry[LANGS.index(lang or current_lang())]
    return s.format(**kwargs) if kwargs else s


def tv(kind: str, value, lang: str | None = None) -> str:
    """Translate a data value (e.g. a service type); unknown values are shown as they are."""
    if value is None:
        return "—"
    entry = catalog().get(f"values.{kind}.{value}")
    if entry is None:
        return str(value)
    return entry[LANGS.index(lang or current_lang())]


# <html lang> per language: screen readers, hyphenation and the browser's CJK font choice follow it.
HTML_LANG = {"zh": "zh-CN", "en": "en"}


def html_lang_script(lang: str) -> str:
    """A tiny inline script (no request) setting the page's <html lang> to the UI language. Streamlit writes
    `<html lang="en">` into its index.html and has no setting for it, so it is set from the page, once per run
    (civic/app/shell.py; the screen does it in its own script)."""
    code = HTML_LANG.get(lang, HTML_LANG[DEFAULT_LANG])
    return f'<script>document.documentElement.lang = "{code}";</script>'


def has(key: str) -> bool:
    return key in catalog()
