"""AppTest runs in st.navigation mode, as a real server is after its first request: shared by the tests
(tests/conftest.py) and the benchmark (devtools/bench/pages.py).

AppTest resets Streamlit's private `PagesManager.uses_pages_directory` before every run, so each run would start
in the legacy pages/ mode, where a switched-to page script runs directly, without app.py. civic/app/routing.py
reroutes only the first run of a process (the first import of the civic package), which in a test or benchmark
process has long happened. docs/architecture.md, "Routing"; tests/browser/test_shell.py covers a real server's
first request.
"""
from __future__ import annotations

from civic.app.routing import apptest_in_navigation_mode


def start_in_navigation_mode() -> None:
    """Make every later AppTest run start in navigation mode (civic/app/routing.py, which the warm start's page
    runs share). Idempotent."""
    apptest_in_navigation_mode()
