"""Browser fixtures. Without Chromium the suite is skipped loudly; under CI=true it must run."""
from __future__ import annotations

import os

import pytest

from devtools.harness import Browser, Server, chromium_available


def pytest_collection_modifyitems(config, items):
    if chromium_available():
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError("CI=true but /usr/bin/chromium or playwright is missing: browser tests must run in CI")
    reason = ("BROWSER TESTS SKIPPED: /usr/bin/chromium (Debian package 'chromium') or the playwright package "
              "is missing. Install them: apt-get install chromium fonts-noto-cjk")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser():
    b = Browser()
    yield b
    b.close()


@pytest.fixture(scope="session")
def server(built_db):
    s = Server(built_db).start()
    yield s
    s.stop()
