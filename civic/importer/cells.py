"""One cell at a time: numbers, dates, yes/no and text parsed and range-checked by a pydantic model made
from the entity spec, and the "did you mean" suggestion for a name not found."""
from __future__ import annotations

import difflib
import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Callable, Iterable, Optional

from pydantic import BaseModel, BeforeValidator, Field, create_model
from pydantic_core import PydanticCustomError

from civic.importer.problems import MIN_DATE, SUGGEST_MAX_CANDIDATES, SUGGEST_MAX_LEN
from civic.importer.specs import Col, Entity
from civic.text import pii

# ── cell parsing (pydantic) ───────────────────────────────────────────────────────────────────
_UNIT_RE = re.compile(r"(人次|人|场|小时|h|个|户|栋|平方米|㎡|m²|m2|米|盏|处|次|元)$", re.I)
_DATE_RES = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "免费", "t"}
_FALSE = {"否", "n", "no", "false", "0", "×", "x", "收费", "f"}


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")     # Unicode category Cc, exactly
# no column allows more than 120 characters: a longer cell is reported at once and never processed further
MAX_CELL_CHARS = 200


def _nfkc(s: str) -> str:
    """The form names and keys are compared in: NFKC (full-width letters and digits → ASCII) without
    invisible format characters (zero-width space, BOM, soft hyphen …), so 'ＸＸ' and 'X\u200bX' match."""
    return pii.invisible_free(unicodedata.normalize("NFKC", s)).strip()


def _err(code: str, msg: str, **ctx) -> PydanticCustomError:
    return PydanticCustomError(code, msg, ctx or None)


def _is_blank(v) -> bool:
    return v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and v.strip() == "")


def _parse_number(v, col: Col):
    if isinstance(v, bool):
        raise _err("bad_number", "应为数字")
    if isinstance(v, (int, float)):
        x = v
    else:
        s = _nfkc(str(v)).replace(",", "").replace(" ", "")
        s = _UNIT_RE.sub("", s)
        try:
            x = float(s)
        except ValueError:
            raise _err("bad_number", "应为数字") from None
    if x != x or x in (float("inf"), float("-inf")):
        raise _err("bad_number", "应为数字")
    if col.kind == "int":
        if float(x) != int(x):
            raise _err("not_integer", "应为整数")
        return int(x)
    return float(x)


def excel_serial_to_date(n: float) -> date:
    return date(1899, 12, 30) + timedelta(days=int(n))


def parse_date(v) -> date:
    """2025-03-08, 2025/3/8, 2025.3.8, 2025年3月8日, 20250308, an Excel serial (45724) or a datetime."""
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if math.isfinite(v) and 20_000 <= v <= 80_000:
            return excel_serial_to_date(v)
        raise _err("bad_date", "不是有效日期（应如 2025-03-08）")
    s = _nfkc(str(v)).replace(" ", " ")
    if re.fullmatch(r"\d{5}(\.\d+)?", s):
        return parse_date(float(s))
    for rx in _DATE_RES:
        m = rx.match(s)
        if m:
            y, mo, d = (int(g) for g in m.groups()[:3])
            try:
                day = date(y, mo, d)
            except ValueError:
                raise _err("impossible_date", "日期不存在（{y}年{mo}月{d}日）", y=y, mo=mo, d=d) from None
            hh, mm, ss = (int(g) if g else 0 for g in (m.groups()[3:] + (None, None, None))[:3])
            if hh > 23 or mm > 59 or ss > 59:
                raise _err("impossible_date", "时间不存在（{t}）", t=s.split(" ")[-1].split("T")[-1])
            return day
    raise _err("bad_date", "不是有效日期（应如 2025-03-08、2025/3/8 或 2025年3月8日）")


def _cell_validator(col: Col) -> Callable[[Any], Any]:
    def check(v):
        if _is_blank(v):
            if col.required:
                raise _err("required", "必填，不能为空")
            return None
        if col.kind in ("int", "float", "lon", "lat"):
            return _parse_number(v, col)
        if col.kind == "date":
            d = parse_date(v)
            if d > date.today() and not col.future_ok:
                raise _err("future_date", "日期 {d} 晚于今天（{today}），不能导入未来的记录",
                           d=d.isoformat(), today=date.today().isoformat())
            if d < MIN_DATE:
                raise _err("old_date", "日期 {d} 早于 2000 年，请核对", d=d.isoformat())
            return d
        if col.kind == "bool":
            s = _nfkc(str(v)).lower()
            if s in _TRUE:
                return True
            if s in _FALSE:
                return False
            raise _err("bad_bool", "应填“是”或“否”")
        if isinstance(v, float) and not math.isfinite(v):
            raise _err("bad_value", "不是有效内容（单元格是无穷大或非数值）")
        s = str(v).strip() if not isinstance(v, float) or v != int(v) else str(int(v))
        s = re.sub(r"\s+", " ", pii.invisible_free(s))
        if _CONTROL.search(s):
            raise _err("control_char", "含有不可见的控制字符")
        # length first: nothing below (did-you-mean, place lookups) should ever see a 15,000-character value
        if len(s) > col.max_len:
            raise _err("too_long", "内容过长（{n} 字，最多 {max} 字）", n=len(s), max=col.max_len)
        if col.kind == "choice" and col.choices:
            if s in col.choices:
                return s
            n = _nfkc(s)
            if n in col.choices:
                return n
            hint = _suggest(n, col.choices)
            raise _err("bad_choice", "“{v}”不是允许的值（允许：{allowed}）" + (f"，是否为“{hint}”？" if hint else ""),
                       v=s, allowed="、".join(col.choices))
        return s
    return check


def _field_type(col: Col) -> Any:
    inner: Any
    if col.kind == "int":
        inner = Annotated[int, Field(ge=col.lo, le=col.hi)]
    elif col.kind == "float":
        inner = Annotated[float, Field(ge=col.lo, le=col.hi)]
    elif col.kind in ("lon", "lat"):
        inner = float
    elif col.kind == "date":
        inner = date
    elif col.kind == "bool":
        inner = bool
    else:
        inner = str
    return Annotated[Optional[inner], BeforeValidator(_cell_validator(col))]


_MODELS: dict[str, type[BaseModel]] = {}


def row_model(ent: Entity) -> type[BaseModel]:
    """The pydantic model that parses and range-checks one row of `ent` (cached)."""
    m = _MODELS.get(ent.name)
    if m is None:
        fields: dict[str, Any] = {c.name: (_field_type(c), None) for c in ent.cols}
        m = create_model(f"{ent.name.title().replace('_', '')}Row", **fields)
        _MODELS[ent.name] = m
    return m


def _pydantic_reason(e: dict, col: Col) -> tuple[str, str]:
    t = e["type"]
    ctx = e.get("ctx") or {}
    if t == "greater_than_equal":
        if ctx.get("ge") == 0:
            return "negative", f"不能为负数（{e['input']}）"
        return "too_small", f"不能小于 {_fmt_num(ctx.get('ge'))}（{e['input']}）"
    if t == "less_than_equal":
        return "absurd", f"数值 {_fmt_num(e['input'])} 超过合理上限 {_fmt_num(ctx.get('le'))}，请核对"
    if t in ("int_parsing", "float_parsing", "int_type", "float_type"):
        return "bad_number", "应为数字"
    if t.startswith("date"):
        return "bad_date", "不是有效日期"
    if t in ("bad_number", "not_integer", "bad_date", "impossible_date", "future_date", "old_date", "bad_bool",
             "bad_choice", "too_long", "required", "control_char", "bad_value"):
        return t, e["msg"]
    return "invalid", e["msg"]


def _fmt_num(x) -> str:
    if x is None:
        return ""
    if isinstance(x, float) and x == int(x):
        x = int(x)
    return f"{x:,}" if isinstance(x, (int, float)) else str(x)


# ── did-you-mean ──────────────────────────────────────────────────────────────────────────────
# Characters often confused in place names because they sound alike (same Mandarin syllable, any tone).
# Used only to rank did-you-mean suggestions: 西观村 → 西关村 rather than 西港村.
_SOUND_ALIKE = [
    "关观官冠馆管", "港岗刚钢", "庄装桩妆", "家加佳嘉", "河和合荷禾", "沟钩勾", "峪玉裕域预育", "坪平萍评屏瓶",
    "堡宝保报", "岭领陵令玲铃灵", "寨债", "村存", "店电殿垫", "营迎盈赢", "王望旺汪", "阳杨洋扬羊",
    "东冬董", "西希溪昔惜", "南楠难", "上尚", "下夏", "前钱潜", "后候厚侯", "山善珊", "泉全权", "湾弯",
    "桥乔侨", "城成程承诚", "新心欣馨辛", "安岸", "兴星幸杏", "林临琳霖", "石十实时", "头投", "庙妙",
    "窑姚尧遥", "韩寒含涵", "良梁粮凉", "虒斯司思", "漳章张彰樟", "里李理礼", "寺四似", "峰风丰锋枫",
    "龙隆", "福富付伏", "贤闲", "济吉集", "郭国果", "赵照", "黄皇", "常长昌", "段断", "吕旅", "任仁",
    "仙先鲜", "井景静境", "岩严", "陈晨辰", "周洲州舟", "胡湖壶", "庞旁", "白百柏", "杜渡度", "郝好",
    "园元源圆远", "沙纱", "滨宾", "饮引", "流刘留", "梨离", "九久", "富付", "林霖", "苑院愿", "花华",
]
_SOUND = {ch: g[0] for g in _SOUND_ALIKE for ch in g}


def _sound(s: str) -> str:
    return "".join(_SOUND.get(ch, ch) for ch in s)


def _similarity(a: str, b: str) -> float:
    plain = difflib.SequenceMatcher(None, a, b).ratio()
    sound = difflib.SequenceMatcher(None, _sound(a), _sound(b)).ratio()
    return (plain + sound) / 2


def _suggest(value: str, candidates: Iterable[str], cutoff: float = 0.5) -> str | None:
    """The closest candidate (by spelling and by sound), or None when nothing is close enough.

    Bounded: difflib is quadratic in the lengths, so a value longer than any name gets no suggestion, only
    the first SUGGEST_MAX_CANDIDATES candidates are scored, and the cheap upper bounds
    (real_quick_ratio, quick_ratio) skip candidates that cannot beat the best so far."""
    if not value or len(value) > SUGGEST_MAX_LEN:
        return None
    best, score = None, cutoff
    for i, c in enumerate(dict.fromkeys(c for c in candidates if c)):
        if i >= SUGGEST_MAX_CANDIDATES:
            break
        if len(c) > SUGGEST_MAX_LEN:
            continue
        sm = difflib.SequenceMatcher(None, value, c)
        # the average with the sound-alike ratio is at most (plain + 1) / 2
        if (sm.real_quick_ratio() + 1) / 2 <= score or (sm.quick_ratio() + 1) / 2 <= score:
            continue
        sc = (sm.ratio() + difflib.SequenceMatcher(None, _sound(value), _sound(c)).ratio()) / 2
        if sc > score:
            best, score = c, sc
    return best


def _not_found(value: str, candidates: Iterable[str]) -> str:
    hint = _suggest(value, candidates)
    return f"找不到\"{value}\"，是否为\"{hint}\"？" if hint else f"找不到\"{value}\""
