"""One truth on every screen (issue 15 §2), for the measures beyond the activity ones (those are in
tests/pages/test_measures_pages.py): the renovation figures on 总览, 改造进度 and the 大屏 screen (compounds,
buildings, households, the stage counts 已完成 / 推进中 / 未启动, floor area, completion), and the
co-governance coverage on 总览 and 小区共治, agree under the same filters; and every st.metric on every page
has a tooltip that says what it counts and over which period."""
from __future__ import annotations

import json
import re

import pytest

from tests.pages.test_measures_pages import _close, _screen_cards, render, tiles

OVERVIEW, RENOVATION, COGOV, SCREEN = "pages/overview.py", "pages/renovation.py", "pages/cogovernance.py", "pages/screen.py"

FILTERS = [
    {},                                                    # 本年, every town
    {"town": "富林镇"},                                     # a 汉源 town
    {"town": "夏店镇"},                                     # a 襄垣 town: the 汉源 parts show the whole county
    {"range": "this_month"},
    {"from": "2025-03-10", "to": "2025-06-20", "town": "富林镇"},
]
IDS = ["default", "富林镇", "夏店镇", "this_month", "custom_富林镇"]


def captions(at) -> list[str]:
    return [c.value for c in at.caption]


def caption_ints(at, pattern: str) -> tuple[int, ...]:
    for c in captions(at):
        m = re.search(pattern, c)
        if m:
            return tuple(int(g.replace(",", "")) for g in m.groups())
    raise AssertionError(f"no caption like {pattern}: {captions(at)}")


def num(s: str) -> int:
    return int(s.replace(",", ""))


def overview_renovation(at) -> dict:
    k = tiles(at)
    b, h = caption_ints(at, r"覆盖 ([\d,]+) 栋楼 · ([\d,]+) 户")
    return {"compounds": caption_ints(at, r"共 (\d+) 个小区")[0],
            "completed": num(k["已完成改造小区"][0]), "in_progress": num(k["推进中（设计/施工/验收）"][0]),
            "not_started": num(k["未启动"][0]), "buildings": b, "households": h,
            "area_done": k["完成改造面积"][0].removesuffix(" m²")}


def renovation_page(at) -> dict:
    k = tiles(at)
    p, todo = caption_ints(at, r"推进中 (\d+) 个 · 未启动 (\d+) 个")
    return {"compounds": num(k["纳入改造小区"][0]), "completed": num(k["已完成改造"][0]), "in_progress": p,
            "not_started": todo, "buildings": num(k["覆盖楼栋（栋）"][0]),
            "households": caption_ints(at, r"([\d,]+) 户居民")[0], "area_done": k["完成改造面积（m²）"][0]}


@pytest.mark.parametrize("query", FILTERS, ids=IDS)
def test_renovation_measures_agree_between_overview_and_renovation_page(rendered, query):
    ov, rv = render(rendered, OVERVIEW, query), render(rendered, RENOVATION, query)
    a, b = overview_renovation(ov), renovation_page(rv)
    assert a == b
    assert a["completed"] + a["in_progress"] + a["not_started"] == a["compounds"]
    # one measure, one tooltip: the overview's tile and the renovation page's tile say the same
    assert tiles(ov)["已完成改造小区"][2] == tiles(rv)["已完成改造"][2]
    assert tiles(ov)["完成改造面积"][2] == tiles(rv)["完成改造面积（m²）"][2]
    assert "现状：截至2026年11月26日（数据截至日）" in tiles(rv)["已完成改造"][2]
    # a current state has no delta, on either page (a delta on one page only would disagree)
    for label in ("已完成改造小区", "推进中（设计/施工/验收）", "未启动", "完成改造面积"):
        assert tiles(ov)[label][1] == "", label
    assert all(delta == "" for _, delta, _ in tiles(rv).values())
    # the funnel on the renovation page (stages.counts): all compounds on top, the completed at the bottom
    funnel = _chart(rv, "rv_funnel")["data"][0]
    reached = dict(zip(_values(funnel["y"]), _values(funnel["x"])))
    assert reached["全部小区"] == a["compounds"] and reached["已完成"] == a["completed"]


def test_screen_shows_the_same_renovation_figures(rendered):
    """The screen has no filters: it agrees with the pages' unfiltered figures, in both scenes that show
    renovation, including the stage bars and the completion rate."""
    a = overview_renovation(render(rendered, OVERVIEW, {}))
    assert a == renovation_page(render(rendered, RENOVATION, {}))
    scr = render(rendered, SCREEN, {"layout": "1080p", "scene": "overview"})
    cards = _screen_cards(scr)
    for label, key in (("改造小区", "compounds"), ("已完工", "completed"), ("推进中", "in_progress"),
                       ("涉及楼栋", "buildings"), ("惠及住户", "households"), ("完工面积", "area_done")):
        assert _close(cards[label], str(a[key])), (label, cards[label], a[key])
    bars = _chart(scr, "scr_ov_stages")["data"][0]
    now = dict(zip(_values(bars["y"]), _values(bars["x"])))
    assert now["已完成"] == a["completed"] and now["未启动"] == a["not_started"]
    assert now["设计中"] + now["施工中"] + now["验收中"] == a["in_progress"]
    scr = render(rendered, SCREEN, {"layout": "1080p", "scene": "renovation"})
    cards = _screen_cards(scr)
    for label, key in (("改造小区", "compounds"), ("已完工", "completed"), ("推进中", "in_progress"),
                       ("惠及住户", "households")):
        assert _close(cards[label], str(a[key])), (label, cards[label], a[key])
    from civic.text import fmt
    assert cards["完工率"] == fmt.pct(a["completed"] / a["compounds"])


@pytest.mark.parametrize("query", [FILTERS[0], FILTERS[1], FILTERS[2], FILTERS[4]],
                         ids=[IDS[0], IDS[1], IDS[2], IDS[4]])
def test_cogovernance_coverage_agrees_between_overview_and_cogovernance_page(rendered, query):
    ov, cg = render(rendered, OVERVIEW, query), render(rendered, COGOV, query)
    bars = dict(re.findall(r"^(\S+)：(\d+/\d+)$", "\n".join(_progress_texts(ov)), flags=re.M))
    k = tiles(cg)
    scope = num(k["纳入统计小区"][0])
    assert any(f"治理组织覆盖（{scope} 个小区）" in m.value for m in ov.markdown)
    for body in ("小区党组织", "业主委员会", "自管委"):
        label = next(lbl for lbl in k if lbl.startswith(body))
        assert bars[body] == f"{num(k[label][0])}/{scope}", body
    # the firm tile counts firms; its caption gives the compounds they serve, the overview's bar
    served = caption_ints(cg, r"服务 (\d+) 个小区")[0]
    assert bars["物业企业"] == f"{served}/{scope}"


def test_every_metric_on_every_page_says_what_it_counts_and_when(rendered):
    """Every st.metric on every page has a tooltip naming its period: 本期 (a window, with its dates),
    现状 (a state, with the data's last day) or this upload (admin)."""
    pages = [(OVERVIEW, {"range": "this_month"}), (RENOVATION, {}), (RENOVATION, {"compound": _a_compound()}),
             (COGOV, {"range": "this_month"}), ("pages/volunteer.py", {"range": "this_month"}),
             ("pages/stations.py", {"site": _a_site(), "range": "this_month"})]
    # co-governance builds one section at a time, each with its own tiles (view=; coverage is the default)
    pages += [(COGOV, {"range": "this_month", "view": view}) for view in ("feedback", "meetings", "grid")]
    for page, query in pages:
        at = render(rendered, page, query)
        assert at.metric, page
        if "compound" in query:                   # the compound card's tiles are drawn
            assert {"楼栋", "户数", "建成年份"} <= {m.label for m in at.metric}
        for m in at.metric:
            assert m.proto.help.strip(), (page, m.label)
            # a window, a state, a count up to the window's end (overdue wishes), or the volunteer page's own
            # year (天天有活动 has a year selector)
            assert re.search(r"本期：2026年11月1日—11月26日|现状：截至2026年11月26日|截至2026年11月26日，"
                             r"|统计期：\d{4}年1月1日至2026年11月26日", m.proto.help), (page, m.label, m.proto.help)


def test_cogovernance_window_tiles_give_the_custom_range(rendered):
    window = {"from": "2025-03-10", "to": "2025-06-20"}
    k = tiles(render(rendered, COGOV, dict(window, view="feedback"))) | tiles(
        render(rendered, COGOV, dict(window, view="meetings")))
    assert "本期：2025年3月10日—6月20日" in k["收到诉求（条）"][2]
    assert "现状：截至2026年11月26日" in k["当前未办结（条）"][2]
    assert k["坝坝会、座谈会（次）"][2].startswith("坝坝会、座谈会：本期召开的次数")
    for view in ("coverage", "feedback", "meetings", "grid"):
        en = tiles(render(rendered, COGOV, dict(window, lang="en", view=view)))
        assert en and all(h and "measures." not in h and "本期" not in h for _, _, h in en.values()), view


def test_admin_import_tiles_have_tooltips():
    from civic import measures
    for key in ("rows", "added", "updated", "unchanged"):
        tip = measures.upload_tile(f"import_{key}", 3).help
        assert "本次上传的文件" in tip and "measures.kpi" not in tip


def _values(v) -> list:
    """A trace's values: a list, or plotly's typed array {dtype, bdata (base64)}."""
    if isinstance(v, dict) and "bdata" in v:
        import base64

        import numpy as np
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v)


def _progress_texts(at) -> list[str]:
    return [el.proto.text for el in at.get("progress")]


def _chart(at, key_part: str) -> dict:
    for el in at.get("plotly_chart"):
        if key_part in el.proto.id:
            return json.loads(el.proto.spec)
    raise AssertionError(f"no chart {key_part}")


def _a_compound() -> str:
    from civic.store import queries
    return str(queries.run("renovation_options", towns=[]).query("kind == 'compound'").value.iloc[0])


def _a_site() -> str:
    from tests.map.test_map import STATION  # a 古韩镇 station: its detail card has three tiles
    return STATION


SCORECARD = "pages/scorecard.py"


@pytest.mark.parametrize("query", [{}, {"range": "this_month"}, {"from": "2025-03-10", "to": "2025-06-20"}],
                         ids=["default", "this_month", "custom"])
def test_scorecard_agrees_with_the_volunteer_and_renovation_pages(rendered, query):
    """乡镇对比 (issue 18): its 站均 is the volunteer page's ranking, township by township, and its compounds and
    completion are the renovation page's tiles with that township chosen."""
    from tests.pages.test_scorecard import table_of
    sc_at, vo = render(rendered, SCORECARD, query), render(rendered, "pages/volunteer.py", dict(query, view="towns"))
    practice = table_of(sc_at, "140423").set_index("town_name")
    trace = _chart(vo, "vol_towns")["data"][0]
    xs, ys = _values(trace["x"]), _values(trace["y"])
    bars = dict(zip(ys, xs)) if isinstance(ys[0], str) else dict(zip(xs, ys))
    assert bars
    for town, per_station in bars.items():
        assert practice.loc[town, "per_station"].split("  ")[0] == f"{per_station:.1f}", town
    renovation = table_of(sc_at, "511823").set_index("town_name")
    rv = renovation_page(render(rendered, RENOVATION, dict(query, town="富林镇")))
    assert renovation.loc["富林镇", "compounds"].split("  ")[0] == str(rv["compounds"])
    share = f"{rv['completed'] / rv['compounds'] * 100:.1f}%"
    assert renovation.loc["富林镇", "completion"].split("  ")[0] == share
