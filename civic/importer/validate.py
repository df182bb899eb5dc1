"""Validating a whole sheet: headers mapped, every row parsed, screened for personal data and formulas,
checked by its entity's rule; duplicates by natural key."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import AbstractSet, Any

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from civic.importer.cells import MAX_CELL_CHARS, _cell_validator, _is_blank, _nfkc, _pydantic_reason, row_model
from civic.importer.lookups import Lookups
from civic.importer.problems import FORMULA_PREFIXES, MAX_ROWS, Problem, _file_problem, _tick
from civic.importer.read import BadCell, Sheet, _find_header_row, _match_headers, choose_entity
from civic.importer.rules import RULES, Rec, RowCtx, _show
from civic.importer.specs import Entity
from civic.importer.write import _key_norm
from civic.text import pii


# ── validating a whole sheet ──────────────────────────────────────────────────────────────────
@dataclass
class Parsed:
    entity: Entity
    records: list[Rec]
    problems: list[Problem]
    warnings: list[str]
    n_rows: int
    display_rows: list[dict]
    masked: list[tuple[int, str, str]] = field(default_factory=list)   # (row, column, kinds) masked cells


def _example_row(ent: Entity) -> list[str]:
    return [_norm_cell(c.example) for c in ent.cols]


def _norm_cell(v) -> str:
    return _nfkc(_show(v)) if not _is_blank(v) else ""


PII_MODES = ("reject", "mask")
FREE_TEXT_KINDS = ("text", "ref")


def _screen_cells(ent: Entity, row_no: int, raw: dict, clean: dict, pii_mode: str,
                  problems: list[Problem], masked: list[tuple[int, str, str]], skip: AbstractSet[str] = frozenset()) -> None:
    """Cells openpyxl could not decode, and personal data in every free-text cell (titles, notes,
    feedback, names of places and teams): rejected with the row and column named, or masked in place."""
    for f, v in raw.items():
        if f in skip:
            continue
        col = ent.col(f)
        if isinstance(v, BadCell):
            problems.append(Problem(row_no, col.zh, v.raw, f"单元格无法读取（类型“{v.data_type[:10]}”的内容无效），"
                                    "请在 Excel 中重新输入该单元格", "bad_cell"))
            clean[f] = None
            continue
        if col.kind not in FREE_TEXT_KINDS or _is_blank(v) or isinstance(v, (bool, date)):
            continue
        if isinstance(v, float) and not math.isfinite(v):
            continue
        text = v if isinstance(v, str) else _show(v)
        found = pii.kinds(text)
        if not found:
            continue
        shown = pii.mask(text)
        if pii_mode == "mask":
            clean[f] = raw[f] = shown
            masked.append((row_no, col.zh, "、".join(found)))
        else:
            problems.append(Problem(row_no, col.zh, shown[:60],
                                    f"含有个人信息（{'、'.join(found)}），请删除后再导入；"
                                    "如确需保留其余内容，可选择“遮盖个人信息后导入”", "personal_data"))
            clean[f] = None


def parse(sheet: Sheet, lk: Lookups, entity: str | None = None, pii_mode: str = "reject") -> Parsed:
    """Map headers, parse and check every row; never raises for row problems (they are returned)."""
    if pii_mode not in PII_MODES:
        raise ValueError(f"pii_mode must be one of {PII_MODES}")
    h = _find_header_row(sheet)
    header_no, headers = sheet.rows[h]
    ent, colmap = choose_entity(headers, entity, sheet.entity_hint)
    body = sheet.rows[h + 1:]
    warnings = _header_warnings(ent, headers, body)
    model = row_model(ent)
    example = _example_row(ent)
    out = Parsed(ent, [], [], warnings, 0, [])
    skipped_example = False
    for row_no, cells in body:
        if row_no % 500 == 0:
            _tick()
        raw = {f: (cells[i] if i < len(cells) else None) for i, f in colmap.items()}
        raw = {k: (v.strip() if isinstance(v, str) else v) for k, v in raw.items()}
        if all(_is_blank(v) for v in raw.values()):
            continue
        huge = {f: len(v) for f, v in raw.items() if isinstance(v, str) and len(v) > MAX_CELL_CHARS}
        if not huge and [_norm_cell(raw.get(c.name)) for c in ent.cols] == example:
            skipped_example = True
            continue
        out.n_rows += 1
        if out.n_rows > MAX_ROWS:
            raise _file_problem(f"数据行超过上限 {MAX_ROWS:,} 行，请拆分后再导入", "too_many_rows")
        _check_row(out, model, lk, row_no, raw, huge, pii_mode)
    if skipped_example:
        warnings.append("已跳过模板中的示例行")
    if out.masked:
        masked = out.masked
        where = "、".join(f"第{r}行「{c}」" for r, c, _ in masked[:10]) + ("等" if len(masked) > 10 else "")
        warnings.append(f"已遮盖 {len(masked)} 个单元格中的个人信息（{where}）")
    if out.n_rows == 0:
        raise _file_problem("文件中只有模板的示例行（导入时会跳过），没有要导入的数据" if skipped_example
                            else "文件中没有数据行（表头下面是空的）", "empty")
    out.problems.extend(_duplicates(ent, out.records))
    zh_cols = [c.zh for c in ent.cols]
    out.problems.sort(key=lambda p: (p.row or 0, zh_cols.index(p.column) if p.column in zh_cols else 99))
    return out


def _header_warnings(ent: Entity, headers: list, body: list[tuple[int, list]]) -> list[str]:
    """Columns with content that the template does not have, or that have no name: ignored, and said so."""
    _, _, unknown = _match_headers(ent, headers)
    warnings = []
    for i in unknown:
        if any(i < len(cells) and not _is_blank(cells[i]) for _, cells in body):
            warnings.append(f"列「{pii.mask(_show(headers[i]))[:60]}」不在「{ent.zh}」模板中，已忽略")
    nameless = [i for i, hd in enumerate(headers) if _is_blank(hd)]
    for i in nameless:
        if any(i < len(cells) and not _is_blank(cells[i]) for _, cells in body):
            warnings.append(f"第 {_col_letter(i)} 列没有列名，已忽略其内容")
    return warnings


def _check_row(out: Parsed, model: type[BaseModel], lk: Lookups, row_no: int, raw: dict, huge: dict[str, int],
               pii_mode: str) -> None:
    """One data row: over-long cells, personal data, formulas, each cell's type and bounds, then its entity's
    rule. The row's problems and display go into `out`, and its record when it has no problem."""
    ent = out.entity
    row_problems: list[Problem] = []
    for f, n in huge.items():       # checked first: no lookup, screen or did-you-mean on 15,000 characters
        col = ent.col(f)
        raw[f] = raw[f][:20] + "…"
        row_problems.append(Problem(row_no, col.zh, pii.mask(raw[f]), f"内容过长（{n} 字，最多 {col.max_len} 字）",
                                    "too_long"))
    clean = {f: (None if f in huge else v) for f, v in raw.items()}
    _screen_cells(ent, row_no, raw, clean, pii_mode, row_problems, out.masked, skip=set(huge))
    _screen_formulas(ent, row_no, raw, clean, row_problems)
    bad_fields = {p.column for p in row_problems}
    m: Any
    try:
        m = model.model_validate(clean)
    except ValidationError as exc:
        for e in exc.errors():
            col = ent.col(str(e["loc"][0]))
            if col.zh in bad_fields:
                continue
            code, reason = _pydantic_reason(dict(e), col)
            row_problems.append(Problem(row_no, col.zh, pii.mask(_show(raw.get(col.name)))[:60], reason, code))
        # keep checking references and cross-field rules on the cells that did parse
        failed = {p.column for p in row_problems}
        m = _partial({k: v for k, v in clean.items() if ent.col(k).zh not in failed}, ent)
    cx = RowCtx(ent, row_no, raw, lk)
    cx.problems = row_problems
    rec = RULES[ent.name](cx, m)
    if not cx.problems and rec is not None:
        out.records.append(rec)
    out.problems.extend(cx.problems)
    out.display_rows.append({"行": row_no, **{ent.col(f).zh: _show(raw.get(f)) for f in
                                               [c.name for c in ent.cols if c.name in raw]},
                             **(rec.display if rec else {})})


def _screen_formulas(ent: Entity, row_no: int, raw: dict, clean: dict, row_problems: list[Problem]) -> None:
    """Text starting with = + - @ (formula injection) is refused, unless it is a number in a number column."""
    for f, v in raw.items():
        if ent.col(f).zh in {p.column for p in row_problems}:
            continue
        if isinstance(v, str) and v.startswith(FORMULA_PREFIXES):
            col = ent.col(f)
            numeric_ok = False
            if col.kind in ("int", "float", "lon", "lat"):
                try:
                    float(_nfkc(v).replace(",", ""))
                    numeric_ok = True
                except ValueError:
                    pass
            if not numeric_ok:
                row_problems.append(Problem(row_no, col.zh, v[:40], "以 = + - @ 开头的内容可能被表格软件当作公式执行"
                                            "（公式注入），请删除开头的符号或改为纯文本", "formula"))
                clean[f] = None


class _Lenient:
    """Field access for a row whose failed cells are None (so rules can still check the rest)."""

    def __init__(self, d: dict):
        self.__dict__.update(d)


def _partial(ok: dict, ent: Entity) -> _Lenient:
    """The good cells parsed, the failed ones None (so the rules can still check the rest of the row)."""
    values = {}
    for c in ent.cols:
        v = None
        if c.name in ok:
            try:
                v = _cell_validator(c)(ok[c.name])
            except PydanticCustomError:
                v = None
            if v is not None and c.kind in ("int", "float") and (
                    (c.lo is not None and v < c.lo) or (c.hi is not None and v > c.hi)):
                v = None
        values[c.name] = v
    return _Lenient(values)


def _col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _duplicates(ent: Entity, records: list[Rec]) -> list[Problem]:
    seen: dict[tuple, int] = {}
    out = []
    first_key_col = ent.cols[0].zh
    for r in records:
        k = _key_norm(r.key)
        if k in seen:
            out.append(Problem(r.row, first_key_col, "", f"与第{seen[k]}行重复（{ent.key_zh}）", "duplicate_key"))
        else:
            seen[k] = r.row
    return out
