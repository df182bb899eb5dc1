"""`python -m civic import FILE` and `python -m civic template ENTITY` (registered on import by cli._load_plugins).

import: exit 0 when the file was imported (or, with --dry-run, would be), 1 with the row-level report when
it has problems (nothing is written), 3 when another writer holds the lock too long. Never a traceback:
unexpected errors become a file-level reason, and their details go to <data dir>/logs/import.log.
"""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from civic import paths
from civic.cli import command
from civic.importer import api
from civic.store import snapshots


def _setup_import(p):
    p.add_argument("file", type=Path, help=".xlsx or .csv (UTF-8, UTF-8 with BOM or GBK)")
    p.add_argument("--entity", choices=sorted(api.ENTITIES), help="data type (default: detected from the headers)")
    p.add_argument("--dry-run", action="store_true", help="validate and preview only; write nothing")
    p.add_argument("--user", help="who imports, for the audit log (default: the OS user)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--preview", type=int, default=0, metavar="N", help="also print the first N rows of the preview")
    p.add_argument("--mask-personal-data", action="store_true",
                   help="mask phone, ID-card, bank-card numbers and e-mail addresses in free text (138****8000) "
                        "instead of rejecting the rows; recorded in the audit log")


def _log_to_file() -> None:
    """Tracebacks of unexpected errors go to a server-side log file, not to the terminal."""
    logger = logging.getLogger("civic")
    if any(getattr(h, "_civic_import_log", False) for h in logger.handlers):
        return
    try:
        d = paths.data_dir() / "logs"
        d.mkdir(parents=True, exist_ok=True)
        h: logging.Handler = logging.FileHandler(d / "import.log", encoding="utf-8")
    except OSError:
        h = logging.NullHandler()
    h.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    h._civic_import_log = True  # type: ignore[attr-defined]
    logger.addHandler(h)
    logger.propagate = False


def _print(rep: api.Report, as_json: bool, preview: int, stream=sys.stdout) -> None:
    if as_json:
        print(json.dumps(rep.to_dict(), ensure_ascii=False, indent=2, default=str), file=stream)
        return
    print(rep.text(), file=stream)
    if preview and rep.preview is not None and not rep.preview.empty:
        print(rep.preview.head(preview).to_string(index=False), file=stream)


@command("import", _setup_import)
def cmd_import(a) -> int:
    _log_to_file()
    try:
        rep = api.import_path(a.file, entity=a.entity, dry_run=a.dry_run, user=a.user,
                                 pii_mode="mask" if a.mask_personal_data else "reject")
    except api.ImportRejected as exc:
        _print(exc.report, a.json, a.preview, sys.stdout if a.json else sys.stderr)
        return 1
    except snapshots.WriterBusy as exc:
        print(f"导入失败：另一个导入或构建正在进行 ({exc})", file=sys.stderr)
        return 3
    except snapshots.NoSnapshot as exc:
        print(f"导入失败：尚无已发布数据，请先运行 python -m civic build ({exc})", file=sys.stderr)
        return 2
    _print(rep, a.json, a.preview)
    return 0


def _setup_template(p):
    p.add_argument("entity", choices=sorted(api.ENTITIES))
    p.add_argument("--out", type=Path, help="output file (.xlsx, or .csv for a CSV with Chinese headers)")
    p.add_argument("--sample", type=int, default=0, metavar="N", help="fill with N valid, realistic, new records")
    p.add_argument("--seed", type=int, default=None, help="random seed for --sample (default: random)")


@command("template", _setup_template)
def cmd_template(a) -> int:
    if a.sample < 0:
        print("--sample 不能为负数", file=sys.stderr)
        return 2
    out = a.out or Path(f"{a.entity}_{'sample' + str(a.sample) if a.sample else 'template'}.xlsx")
    fmt = "csv" if out.suffix.lower() == ".csv" else "xlsx"
    try:
        if a.sample:
            data = api.sample_bytes(a.entity, a.sample, seed=a.seed, fmt=fmt)
        elif fmt == "csv":
            print("模板只提供 .xlsx；CSV 请配合 --sample 使用", file=sys.stderr)
            return 2
        else:
            data = api.template_bytes(a.entity)
    except snapshots.NoSnapshot:
        print("尚无已发布数据，请先运行 python -m civic build", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    out.write_bytes(data)
    what = f"{a.sample} 条示例数据" if a.sample else "空模板（含示例行和填写说明）"
    print(f"已生成「{api.ENTITIES[a.entity].zh}」{what} → {out}")
    return 0
