"""Limits of one import, the problems it reports (Problem, Report, ImportRejected) and the time budget
that lets a long check stop or be cancelled."""
from __future__ import annotations

import contextlib
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

import pandas as pd

from civic import paths
from civic.importer.specs import ENTITIES


def _upload_limit_mb() -> int:
    """The one upload limit, in MB: `server.maxUploadSize` in .streamlit/config.toml, which Streamlit's
    uploader also enforces, so its "… MB per file" and our label and check never disagree.
    CIVIC_IMPORT_MAX_MB may lower it (tests, a smaller office machine), never raise it above the uploader's."""
    import tomllib
    try:
        conf = tomllib.loads((paths.ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
        mb = int(conf["server"]["maxUploadSize"])
    except (OSError, KeyError, ValueError, TypeError, tomllib.TOMLDecodeError):
        mb = 10
    env = os.environ.get("CIVIC_IMPORT_MAX_MB")
    if env:
        try:
            mb = min(mb, max(1, int(float(env))))
        except ValueError:
            pass
    return mb


MAX_MB = _upload_limit_mb()
MAX_BYTES = MAX_MB * 1024 * 1024
MAX_UNZIPPED = 200 * 1024 * 1024
MAX_ROWS = 50_000
# rows a reader may pass before it gives up (blank and header rows included): a 1M-row sheet is refused
# after reading this many, not after validating 50,000 of them
MAX_PHYSICAL_ROWS = MAX_ROWS + 1_000
# wall-clock budget of one check or import (reading, validating, planning); env for tests
TIME_BUDGET_S = float(os.environ.get("CIVIC_IMPORT_BUDGET_S", "120"))
# did-you-mean runs only on values of a plausible name length, against at most this many candidates
SUGGEST_MAX_LEN = 60
SUGGEST_MAX_CANDIDATES = 3_000
MIN_DATE = date(2000, 1, 1)
HEADER_SCAN_ROWS = 10
FORMULA_PREFIXES = ("=", "+", "-", "@")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATA_SHEET = "数据"
NOTES_SHEET = "填写说明"


# ── results ───────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Problem:
    """One reason a file or a row cannot be imported. `row` is the spreadsheet row number (None: file)."""
    row: int | None
    column: str
    value: str
    reason: str
    code: str = "invalid"

    def text(self) -> str:
        where = f"第{self.row}行" if self.row else ""
        col = f"「{self.column}」" if self.column else ""
        sep = "：" if (where or col) else ""
        return f"{where}{col}{sep}{self.reason}"


@dataclass
class Report:
    """The outcome of a dry run or an import."""
    file_name: str
    sha256: str
    size: int
    entity: str | None = None
    n_rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    preview: pd.DataFrame | None = None
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    base_version: str | None = None
    version: str | None = None
    committed: bool = False
    masked: int = 0                 # free-text cells whose personal data was masked (pii_mode="mask")
    pii_mode: str = "reject"

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changes(self) -> int:
        return self.added + self.updated

    def problems_frame(self) -> pd.DataFrame:
        df = pd.DataFrame([{"行": p.row, "列": p.column, "值": p.value, "原因": p.reason, "说明": p.text()}
                           for p in self.problems], columns=["行", "列", "值", "原因", "说明"])
        df["行"] = df["行"].astype("Int64")
        return df

    def text(self) -> str:
        ent = ENTITIES[self.entity].zh if self.entity in ENTITIES else "未识别"
        head = f"文件 {self.file_name}（{self.size:,} 字节，sha256 {self.sha256[:12]}…）· 数据类型：{ent} · 数据行：{self.n_rows}"
        lines = [head]
        lines += [f"提示：{w}" for w in self.warnings]
        if self.problems:
            lines.append(f"发现 {len(self.problems)} 个问题，未导入任何数据：")
            lines += [f"  {p.text()}" for p in self.problems]
        else:
            verb = "已导入" if self.committed else "预检通过，可导入"
            lines.append(f"{verb}：新增 {self.added} 行，更新 {self.updated} 行，未变 {self.unchanged} 行"
                         + (f" → 数据版本 {self.version}" if self.version else ""))
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"file_name": self.file_name, "sha256": self.sha256, "size": self.size, "entity": self.entity,
                "rows": self.n_rows, "ok": self.ok, "committed": self.committed, "added": self.added,
                "updated": self.updated, "unchanged": self.unchanged, "base_version": self.base_version,
                "version": self.version, "warnings": self.warnings, "masked": self.masked,
                "pii_mode": self.pii_mode,
                "problems": [{"row": p.row, "column": p.column, "value": p.value, "reason": p.reason,
                              "code": p.code, "text": p.text()} for p in self.problems]}


def _too_big(size: int) -> Problem:
    return Problem(None, "", "", f"文件过大（{size / 1048576:.1f} MB，上限 {MAX_MB} MB），请拆分后再导入", "too_big")


class ImportRejected(Exception):
    """The file has problems; nothing was written. `report.problems` lists all of them."""

    def __init__(self, report: Report):
        super().__init__(report.text())
        self.report = report


class _FileProblem(Exception):
    def __init__(self, *problems: Problem):
        super().__init__(problems[0].reason if problems else "")
        self.problems = list(problems)


def _file_problem(reason: str, code: str, column: str = "", value: str = "") -> _FileProblem:
    return _FileProblem(Problem(None, column, value, reason, code))


# ── time budget and cancellation ──────────────────────────────────────────────────────────────
# One check or import runs in one thread; its deadline and its "is anyone still waiting?" callable live
# here so that the readers and the row loop can stop it without threading arguments through every helper.
_guard = threading.local()


@contextlib.contextmanager
def _budget(seconds: float | None, cancelled: Callable[[], bool] | None):
    old = getattr(_guard, "state", None)
    _guard.state = (time.monotonic() + (seconds if seconds is not None else TIME_BUDGET_S), cancelled, seconds)
    try:
        yield
    finally:
        _guard.state = old


def _tick() -> None:
    """Raise a file-level problem when the budget is spent or the caller (an admin session) has gone."""
    state = getattr(_guard, "state", None)
    if state is None:
        return
    deadline, cancelled, seconds = state
    if cancelled is not None and cancelled():
        raise _file_problem("导入已取消（页面已关闭），未导入任何数据", "cancelled")
    if time.monotonic() > deadline:
        limit = seconds if seconds is not None else TIME_BUDGET_S
        raise _file_problem(f"文件处理超过 {limit:.0f} 秒仍未完成，已停止，未导入任何数据；请拆分后再导入", "timeout")
