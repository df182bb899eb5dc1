"""Reading an upload into rows of cells: sniffing the kind, decoding CSV text, reading .xlsx safely
(bounded size, lenient cells), finding the header row and the entity its headers describe."""
from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

from civic.importer.cells import _is_blank, _nfkc
from civic.importer.problems import (
    DATA_SHEET,
    HEADER_SCAN_ROWS,
    MAX_BYTES,
    MAX_PHYSICAL_ROWS,
    MAX_ROWS,
    MAX_UNZIPPED,
    NOTES_SHEET,
    Problem,
    _file_problem,
    _FileProblem,
    _guard,
    _tick,
    _too_big,
)
from civic.importer.specs import ENTITIES, Entity
from civic.text import pii

log = logging.getLogger(__name__)


# ── reading files ─────────────────────────────────────────────────────────────────────────────
@dataclass
class Sheet:
    """Rows of one table: `rows` are (spreadsheet row number, cells)."""
    kind: str                       # xlsx | csv
    rows: list[tuple[int, list[Any]]]
    encoding: str | None = None
    sheet_name: str | None = None
    entity_hint: str | None = None  # from a template's notes sheet


def sniff_kind(data: bytes, file_name: str = "") -> str:
    """xlsx | csv, or raise with the reason the file is not a spreadsheet we accept."""
    if not data or not data.strip():
        raise _file_problem("文件为空", "empty")
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _file_problem("不支持旧版 .xls 格式，请在 Excel 中“另存为” .xlsx 或 CSV 后再导入", "not_spreadsheet")
    if data[:5] == b"%PDF-" or data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff" or data[:4] == b"GIF8":
        raise _file_problem("这不是电子表格文件（看起来是 PDF 或图片），请上传 .xlsx 或 .csv", "not_spreadsheet")
    head = data[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _file_problem("这不是电子表格文件（二进制内容），请上传 .xlsx 或 .csv", "not_spreadsheet")
    low = head.lstrip().lower()
    if low.startswith((b"<!doctype html", b"<html", b"<?xml", b"{", b"[")):
        raise _file_problem("这不是电子表格文件（看起来是网页、XML 或 JSON），请上传 .xlsx 或 .csv", "not_spreadsheet")
    return "csv"


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 with BOM, UTF-8, UTF-16 with BOM, or GBK (as GB18030, its superset).

    A byte-order mark is a promise: a file that starts with one but is not in that encoding (GBK saved
    behind a UTF-8 BOM by some editors) is refused rather than guessed at, since a wrong guess would import
    mojibake that passes every check."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _file_problem(f"文件开头标明为 UTF-8 编码，但第 {exc.start + 4:,} 字节起的内容不是 UTF-8"
                                "（可能是 GBK），请用 Excel 或 WPS 重新“另存为”UTF-8 CSV 或 .xlsx", "encoding") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise _file_problem("文件开头标明为 UTF-16 编码，但内容不是有效的 UTF-16，"
                                "请重新“另存为”UTF-8 CSV 或 .xlsx", "encoding") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise _file_problem("无法识别文件编码（支持 UTF-8、UTF-8 BOM 和 GBK）", "encoding") from None
    return text, "gbk"


def _read_csv(data: bytes) -> Sheet:
    text, enc = decode_text(data)
    if "\x00" in text:
        raise _file_problem("这不是电子表格文件（含有二进制内容），请上传 .xlsx 或 .csv", "not_spreadsheet")
    sample = text[:8192]
    first = next((ln for ln in sample.splitlines() if ln.strip()), "")
    delim = max([",", "\t", ";", "，"], key=lambda d: first.count(d))
    if first.count(delim) == 0:
        delim = ","
    rows = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
        for i, rec in enumerate(reader, start=1):
            rows.append((i, rec))
            if len(rows) > MAX_PHYSICAL_ROWS:
                raise _too_many_rows()
            if i % 2000 == 0:
                _tick()
    except csv.Error:
        raise _file_problem(f"CSV 格式错误（第 {reader.line_num} 行附近），请用表格软件重新“另存为”CSV", "bad_csv") from None
    return Sheet("csv", rows, encoding=enc)


def _too_many_rows() -> _FileProblem:
    return _file_problem(f"数据行超过上限 {MAX_ROWS:,} 行，请拆分后再导入", "too_many_rows")


# Excel writes characters XML cannot hold as _xHHHH_ escapes (_x0000_ is NUL); openpyxl's read-only mode
# leaves them as text, so unescape them here and let the control-character check see what Excel shows.
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _ooxml_unescape(v):
    if isinstance(v, str) and "_x" in v:
        return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), v)
    return v


class BadCell:
    """A worksheet cell openpyxl cannot decode (a shared-string index out of range, a number that is not a
    number, a boolean that is not 0/1 …): kept as its raw text so the row gets a reason, not the file a crash."""

    def __init__(self, raw, data_type: str):
        self.raw = "" if raw is None else str(raw)[:60]
        self.data_type = data_type

    def __str__(self) -> str:
        return self.raw


def _install_lenient_cells() -> None:
    """Wrap openpyxl's cell parser so that, inside an import only (a thread-local flag), a cell it cannot
    decode becomes a BadCell (or, for a typed date t="d" that is not ISO 8601, its text, which parse_date
    then judges) instead of an exception that ends the whole read. Outside an import it behaves as before."""
    from openpyxl.utils.cell import coordinate_to_tuple
    from openpyxl.worksheet import _reader
    parser = _reader.WorkSheetParser
    if getattr(parser.parse_cell, "_civic_lenient", False):
        return
    original = parser.parse_cell

    def parse_cell(self, element):
        try:
            return original(self, element)
        except Exception:  # openpyxl raises ValueError, IndexError, TypeError, KeyError …
            if not getattr(_guard, "lenient", False):
                raise
            data_type = element.get("t", "n")
            raw = element.findtext(_reader.VALUE_TAG, None)
            try:
                row, column = coordinate_to_tuple(element.get("r") or "")
            except Exception:  # noqa: BLE001 - the coordinate itself may be the damage
                row, column = self.row_counter, self.col_counter + 1
            self.col_counter = column
            value = raw if data_type == "d" and raw else BadCell(raw, data_type)
            return {"row": row, "column": column, "value": value, "data_type": "s", "style_id": 0}
    setattr(parse_cell, "_civic_lenient", True)     # marks the parser as patched (checked above)
    parser.parse_cell = parse_cell



def _refuse_long_sheets(zf: zipfile.ZipFile) -> None:
    """Count the <row> elements of every worksheet part, streaming, and stop at the cap. openpyxl's read-only
    mode parses a whole sheet that has no <dimension> just to size it (a 1M-row sheet: over a minute), so
    an over-long sheet must be refused before openpyxl sees it. Blank rows count: they are rows too."""
    for name in zf.namelist():
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        n, tail = 0, b""
        with zf.open(name) as fh:
            while chunk := fh.read(1 << 20):
                buf = tail + chunk
                n += buf.count(b"<row ") + buf.count(b"<row>") + buf.count(b":row ") + buf.count(b":row>")
                tail = buf[-5:]
                # a tag split across chunks is counted in the next buffer, not twice: drop it from this one
                n -= tail.count(b"<row ") + tail.count(b"<row>") + tail.count(b":row ") + tail.count(b":row>")
                if n > MAX_PHYSICAL_ROWS:
                    raise _file_problem(f"数据行超过上限 {MAX_ROWS:,} 行（工作表中已超过 {MAX_PHYSICAL_ROWS:,} 行，"
                                        "含空行），请拆分后再导入；多出的若是空行，请在 Excel 中删除后再保存", "too_many_rows")
                _tick()


def _read_xlsx(data: bytes) -> Sheet:
    import openpyxl
    _install_lenient_cells()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = set(zf.namelist())
        unzipped = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError,
            RuntimeError, zlib.error):
        raise _file_problem("文件已损坏，无法作为 Excel 工作簿打开", "not_spreadsheet") from None
    if "xl/workbook.xml" not in names:
        raise _file_problem("这是压缩包而不是 Excel 工作簿（.xlsx），请上传 .xlsx 或 .csv", "not_spreadsheet")
    if unzipped > MAX_UNZIPPED:
        raise _file_problem("工作簿解压后过大，请拆分后再导入", "too_big")
    try:
        bad_member = zf.testzip()       # every part's CRC: a cut or patched part fails here, by name
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError, zlib.error):
        bad_member = "?"
    if bad_member is not None:
        raise _file_problem(f"工作簿已损坏（其中的“{bad_member[:60]}”校验失败），请在 Excel 中打开后重新保存",
                            "not_spreadsheet")
    _refuse_long_sheets(zf)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds on damaged files
        log.warning("openpyxl could not open an uploaded workbook", exc_info=True)
        raise _file_problem("工作簿已损坏或不是 Excel 保存的 .xlsx（结构无法识别），请在 Excel 或 WPS 中打开后"
                            "重新“另存为” .xlsx", "not_spreadsheet") from None
    name = "?"
    rows: list[tuple[int, list]] = []
    _guard.lenient = True
    try:
        hint = None
        if NOTES_SHEET in wb.sheetnames:
            for row in wb[NOTES_SHEET].iter_rows(min_row=1, max_row=1, values_only=True):
                m = re.search(r"[(（]([a-z_]+)[)）]", str(row[0] if row else ""))
                if m and m.group(1) in ENTITIES:
                    hint = m.group(1)
        candidates = [n for n in wb.sheetnames if n != NOTES_SHEET]
        preferred = [n for n in candidates if n in (DATA_SHEET, "data", "Data")]
        name = (preferred or candidates or wb.sheetnames)[0]
        ws = wb[name]
        for i, values in enumerate(ws.iter_rows(values_only=True), start=1):
            rows.append((i, [_ooxml_unescape(v) for v in values]))
            if len(rows) > MAX_PHYSICAL_ROWS:
                raise _too_many_rows()
            if i % 2000 == 0:
                _tick()
    except _FileProblem:
        raise
    except Exception:  # damaged sheet XML (cut short, not well-formed, wrong structure)
        log.warning("openpyxl failed while reading sheet %r after %d rows", name, len(rows), exc_info=True)
        where = f"，读到第 {len(rows) + 1} 行附近时出错" if rows else ""
        raise _file_problem(f"工作簿已损坏：工作表「{pii.mask(str(name)[:31])}」的内容不完整或格式错误{where}。"
                            "请在 Excel 或 WPS 中打开后重新保存", "not_spreadsheet") from None
    finally:
        _guard.lenient = False
        wb.close()
    return Sheet("xlsx", rows, sheet_name=name, entity_hint=hint)


def read_sheet(data: bytes, file_name: str = "") -> Sheet:
    if len(data) > MAX_BYTES:
        raise _FileProblem(_too_big(len(data)))
    kind = sniff_kind(data, file_name)
    return _read_xlsx(data) if kind == "xlsx" else _read_csv(data)


# ── headers and entity detection ──────────────────────────────────────────────────────────────
def _norm_header(h) -> str:
    if h is None:
        return ""
    s = _nfkc(str(h)).lower()
    s = re.sub(r"[\s*＊:：]", "", s)
    s = s.replace("(", "（").replace(")", "）")
    return s


def _header_index(ent: Entity) -> dict[str, str]:
    idx: dict[str, str] = {}
    for c in ent.cols:
        for h in (c.zh, c.name, *c.aliases):
            idx.setdefault(_norm_header(h), c.name)
    return idx


def _match_headers(ent: Entity, headers: list) -> tuple[dict[int, str], list[str], list[int]]:
    """(column index → field, duplicated fields, unmatched non-empty columns)."""
    idx = _header_index(ent)
    out: dict[int, str] = {}
    dups, unknown = [], []
    for i, h in enumerate(headers):
        n = _norm_header(h)
        if not n:
            continue
        f = idx.get(n)
        if f is None:
            unknown.append(i)
        elif f in out.values():
            dups.append(f)
        else:
            out[i] = f
    return out, dups, unknown


def _find_header_row(sheet: Sheet) -> int:
    """Index into sheet.rows of the header: the first of the top rows matching the most known headers."""
    known = set()
    for ent in ENTITIES.values():
        known |= set(_header_index(ent))
    best, best_i = 0, None
    for i, (_, cells) in enumerate(sheet.rows[:HEADER_SCAN_ROWS + 1]):
        score = sum(1 for c in cells if _norm_header(c) in known)
        if score > best:
            best, best_i = score, i
    if best_i is None or best < 2:
        first = next((i for i, (_, cells) in enumerate(sheet.rows) if any(not _is_blank(c) for c in cells)), None)
        if first is None:
            raise _file_problem("文件中没有任何内容", "empty")
        raise _file_problem("找不到表头：第一行应为列名（如「活动日期」「乡镇」），请使用下载的模板", "wrong_template")
    return best_i


def choose_entity(headers: list, entity: str | None, hint: str | None = None) -> tuple[Entity, dict[int, str]]:
    scored = []
    for ent in ENTITIES.values():
        colmap, dups, _ = _match_headers(ent, headers)
        got = set(colmap.values())
        missing = [c for c in ent.required if c.name not in got]
        scored.append((ent, colmap, missing, dups))
    complete = [s for s in scored if not s[2]]
    if entity:
        if entity not in ENTITIES:
            raise _file_problem(f"未知的数据类型“{entity}”（可选：{'、'.join(ENTITIES)}）", "wrong_template")
        ent, colmap, missing, dups = next(s for s in scored if s[0].name == entity)
        if missing:
            better = [s[0] for s in complete if s[0].name != entity]
            msg = f"模板不符：不是「{ent.zh}」模板，缺少必填列" + "、".join(f"「{c.zh}」" for c in missing)
            if better:
                msg += f"。这似乎是「{better[0].zh}」模板"
            raise _file_problem(msg, "wrong_template")
    else:
        if hint and any(s[0].name == hint for s in complete):
            ent, colmap, missing, dups = next(s for s in complete if s[0].name == hint)
        elif complete:
            complete.sort(key=lambda s: (-len(s[1]), -len(s[0].required)))
            if len(complete) > 1 and len(complete[0][1]) == len(complete[1][1]):
                raise _file_problem("无法判断数据类型（" + "、".join(s[0].zh for s in complete[:2]) +
                                    "），请指定数据类型", "wrong_template")
            ent, colmap, missing, dups = complete[0]
        else:
            scored.sort(key=lambda s: (len(s[2]), -len(s[1])))
            ent, _, missing, _ = scored[0]
            raise _file_problem("模板不符：无法识别为任何导入模板。最接近「" + ent.zh + "」模板，但缺少必填列" +
                                "、".join(f"「{c.zh}」" for c in missing) + "，请使用下载的模板", "wrong_template")
    if dups:
        raise _FileProblem(*[Problem(None, ent.col(f).zh, "", f"列「{ent.col(f).zh}」出现了不止一次", "duplicate_column")
                             for f in dict.fromkeys(dups)])
    return ent, colmap
