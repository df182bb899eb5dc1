"""AppTest runs in st.navigation mode, as a real server is after its first request: shared by the tests
(tests/conftest.py) and the benchmark (devtools/bench/pages.py).

AppTest resets Streamlit's private `PagesManager.uses_pages_directory` before every run, so each run would start
in the legacy pages/ mode, where a switched-to page script runs directly, without app.py. civic/app/routing.py
reroutes only the first run of a process (the first import of the civic package), which in a test or benchmark
process has long happened. docs/architecture.md, "Routing"; tests/browser/test_shell.py covers a real server's
first request.
"""
from __future__ import annotations


def start_in_navigation_mode() -> None:
    """Make every later AppTest run start in navigation mode. Idempotent."""
    import streamlit.testing.v1.app_test as app_test_mod
    from streamlit.runtime.pages_manager import PagesManager

    if getattr(app_test_mod.PagesManager, "navigation_mode", False):
        return

    class NavigationModePagesManager(PagesManager):
        navigation_mode = True

        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            PagesManager.uses_pages_directory = False

    app_test_mod.PagesManager = NavigationModePagesManager
