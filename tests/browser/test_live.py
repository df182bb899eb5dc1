"""Live updates end to end: a running app, an import in another process, the new figure in the open page
without a reload (shell._version_watch polls the data version every few seconds)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from devtools.harness import ROOT, Server, exceptions, settle, shot

TOWN = "古韩镇"
N = 7
ANALYST_DEADLINE_S = 10      # the issue: analyst pages pick up a new version within 10 s


@pytest.fixture()
def live_server(built_db, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(built_db, data, ignore=shutil.ignore_patterns("*.lock"))
    s = Server(data).start()
    yield s
    s.stop()


def _metric(page, label: str) -> str:
    return page.evaluate("""(label) => {
        for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
            const l = m.querySelector('[data-testid="stMetricLabel"]');
            if (l && l.innerText.includes(label))
                return m.querySelector('[data-testid="stMetricValue"]').innerText;
        }
        return null;
    }""", label)


def _as_int(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


def _activities_file(path: Path) -> Path:
    header = "活动日期,乡镇,所属村,活动名称,服务类别,参与人数,志愿者人数,受益人数,服务时长（小时）"
    rows = [f"2026-11-{10 + i:02d},{TOWN},西关村,实时更新测试活动{i},乡风文明,30,6,20,12" for i in range(N)]
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_import_shows_up_in_the_open_page_without_reload(live_server, browser, tmp_path):
    page = browser.page(1366, 900)
    page.goto(f"{live_server.url}/overview?town={quote(TOWN)}&range=this_year")
    settle(page)
    assert exceptions(page) == []
    before = _as_int(_metric(page, "活动场次"))
    main = page.inner_text('[data-testid="stMain"]')
    assert "数据版本 v000001" in main
    page.evaluate("window.__notReloaded = true")

    env = {**os.environ, "CIVIC_DATA_DIR": str(live_server.data_dir)}
    r = subprocess.run([sys.executable, "-m", "civic", "import", str(_activities_file(tmp_path / "live.csv")),
                        "--user", "live-test"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr
    assert f"新增 {N} 行" in r.stdout
    published = time.monotonic()

    # poll the DOM with a deadline; no reload, no fixed sleep
    page.wait_for_function("""([label, want]) => {
        for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
            const l = m.querySelector('[data-testid="stMetricLabel"]');
            if (l && l.innerText.includes(label)) {
                const v = parseInt(m.querySelector('[data-testid="stMetricValue"]').innerText.replace(/[^0-9]/g, ''));
                return v === want && document.body.innerText.includes('数据版本 v000002');
            }
        }
        return false;
    }""", arg=["活动场次", before + N], timeout=60_000, polling=200)
    elapsed = time.monotonic() - published
    settle(page)
    assert page.evaluate("window.__notReloaded === true"), "the page was reloaded"
    assert _as_int(_metric(page, "活动场次")) == before + N
    assert exceptions(page) == [] and page.page_errors == [] and page.external_requests == []
    shot(page, "live-update-after-import")
    print(f"new figure visible {elapsed:.1f} s after publication")
    assert elapsed <= ANALYST_DEADLINE_S + 2, f"took {elapsed:.1f} s"
    page.context.close()
