"""Streamlit's legacy pages/ auto-discovery, switched off in this one place (docs/architecture.md, "Routing").

The client's page scripts live in pages/, next to app.py. Streamlit 1.67 takes that folder for the legacy
multipage layout: the first session of a fresh server sets `PagesManager.uses_pages_directory` (a private,
process-wide flag) and its first run executes the requested page script directly, without app.py: no theme,
no filters, no login gate. st.navigation() in app.py clears the flag, but only once app.py gets to run.

Every script (app.py and each page) imports the civic package, and the first script run of a process is the
first to import it; civic/__init__.py calls `leave_legacy_pages_mode()` then, which clears the flag and reruns,
so app.py routes that request as well. Outside a Streamlit script run (the CLI, tests) it does nothing.
"""
from __future__ import annotations


def leave_legacy_pages_mode() -> None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:
        return
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        import streamlit as st

        st.rerun()


def apptest_in_navigation_mode() -> None:
    """Make every later AppTest run start in navigation mode, as a real server is after its first request.
    AppTest resets `PagesManager.uses_pages_directory` before every run, so each run would start in the legacy
    pages/ mode, where a switched-to page runs without app.py; leave_legacy_pages_mode above reroutes only the
    first run of a process. Used by the warm start's page runs (civic/app/warm.py), the tests and the
    benchmark (devtools/apptest.py). Idempotent."""
    import streamlit.testing.v1.app_test as app_test_mod
    from streamlit.runtime.pages_manager import PagesManager

    if getattr(app_test_mod.PagesManager, "navigation_mode", False):
        return

    class NavigationModePagesManager(PagesManager):
        navigation_mode = True

        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            PagesManager.uses_pages_directory = False

    app_test_mod.PagesManager = NavigationModePagesManager  # type: ignore[misc]
