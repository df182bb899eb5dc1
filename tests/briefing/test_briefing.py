"""The leaders' briefing (issue 17): the same numbers as 总览 for the same filters, a PDF that opens with its
filter context, KPIs and 57/57, embedded fonts and a drawn first page, a phone picture, no request off the
machine, a command line that refuses bad input, and the 生成简报 button on every analyst page."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from civic import cli
from civic.briefing import data, html
from civic.briefing.cli import path_problem
from civic.render import chromium
from tests.pages.test_measures_pages import render, tiles

needs_chromium = pytest.mark.skipif(not chromium.available(), reason="BRIEFING RENDER SKIPPED: no /usr/bin/chromium")
PAGES = ["pages/overview.py", "pages/renovation.py", "pages/cogovernance.py", "pages/stations.py",
         "pages/volunteer.py"]


def pdftotext(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


@pytest.mark.parametrize("query", [{}, {"county": "140423", "town": "夏店镇"}, {"range": "this_month"},
                                   {"county": "511823", "town": "富林镇", "range": "last_12m"}],
                         ids=["default", "夏店镇", "this_month", "富林镇"])
def test_briefing_kpis_equal_the_overview_tiles(rendered, data_dir, query):
    at = render(rendered, "pages/overview.py", query)
    shown = tiles(at)
    towns = [query["town"]] if "town" in query else []
    b = data.gather(data.filters_from(query.get("county", "all"), towns, query.get("range", "this_year")))
    kpis = (b.practice.kpis if b.practice else []) + (b.renovation.kpis if b.renovation else [])
    assert kpis
    for k in kpis:
        value, delta, _ = shown[k.label]
        assert (k.value, k.delta or "") == (value, delta), k.label
    assert (b.practice is not None) == any(k.label == "活动场次" for k in kpis)


def test_filters_from_rejects_what_the_app_would_drop(data_dir):
    for county, towns, preset, word in [("999", [], "this_year", "999"), ("all", ["火星镇"], "this_year", "火星镇"),
                                        ("all", [], "yesterday", "yesterday"), ("all", [], "custom", "custom"),
                                        ("511823", ["夏店镇"], "this_year", "夏店镇")]:
        with pytest.raises(data.BadArgument, match=word):
            data.filters_from(county, towns, preset)
    f = data.filters_from("襄垣县", ["夏店"], "this_month")     # names and short names as the URL takes them
    assert f.county == "140423" and len(f.towns) == 1 and f.preset == "this_month"


def test_a_long_township_ranking_is_cut_with_a_note_and_keeps_the_picked_townships(data_dir, monkeypatch):
    """A county has ~20 townships; at province scale the ranking would be a thousand rows in the phone picture."""
    whole = data.gather(data.filters_from("140423", [], "this_year"), "zh").practice.ranking
    assert len(whole.frame) == whole.total > 3                    # a real county fits
    monkeypatch.setattr(data, "RANK_ROWS", 3)
    cut = data.gather(data.filters_from("140423", [], "this_year"), "zh").practice.ranking
    assert list(cut.frame["rank"]) == [1, 2, 3] and cut.total == whole.total
    assert list(cut.frame.town_code) == list(whole.frame.town_code[:3])
    table = html._table(cut.frame, [("rank", "#", True)], cut)
    assert f"共 {whole.total} 条" in table                        # the note says it was cut
    last = whole.frame.iloc[-1]                                   # a picked township outside the first rows
    picked = data.gather(data.filters_from("140423", [last.town_code], "this_year"), "zh").practice.ranking
    assert list(picked.frame.town_code) == [*whole.frame.town_code[:3], last.town_code]
    assert int(picked.frame["rank"].iloc[-1]) == whole.total


def test_path_problem(tmp_path):
    assert path_problem(tmp_path / "b.pdf", ".pdf") is None
    assert "结尾" in path_problem(tmp_path / "b.txt", ".pdf")
    assert "不存在" in path_problem(tmp_path / "no" / "b.pdf", ".pdf")
    assert "无法写入" in path_problem(tmp_path, ".pdf") or "结尾" in path_problem(tmp_path, ".pdf")


@pytest.mark.parametrize("args, says", [
    (["--county", "999"], "未识别的县"), (["--town", "火星镇"], "未识别的乡镇"), (["--range", "yesterday"], "无效的时间范围"),
    (["--lang", "fr"], "语言"), (["--county", "511823", "--town", "夏店镇"], "不属于"),
], ids=["county", "town", "range", "lang", "town_elsewhere"])
def test_cli_rejects_bad_input(data_dir, tmp_path, capsys, args, says):
    out = tmp_path / "b.pdf"
    assert cli.main(["briefing", *args, "--out", str(out)]) == 2
    assert says in capsys.readouterr().err
    assert not out.exists()


def test_cli_rejects_bad_out_paths(data_dir, tmp_path, capsys):
    assert cli.main(["briefing", "--out", str(tmp_path / "missing" / "b.pdf")]) == 2
    assert "输出目录不存在" in capsys.readouterr().err
    assert cli.main(["briefing", "--out", str(tmp_path / "b.pdf"), "--png", str(tmp_path / "b.jpg")]) == 2
    assert ".png" in capsys.readouterr().err


@needs_chromium
def test_cli_writes_the_pdf_and_the_phone_picture(rendered, data_dir, tmp_path, capsys):
    pdf, png = tmp_path / "b.pdf", tmp_path / "b.png"
    rc = cli.main(["briefing", "--county", "140423", "--town", "夏店镇", "--range", "this_year", "--out", str(pdf),
                   "--png", str(png)])
    assert rc == 0, capsys.readouterr().err
    assert chromium.blocked_requests == []          # the document asked for nothing
    text = pdftotext(pdf)
    flat = "".join(text.split())
    assert "县域：襄垣县；乡镇：夏店镇；时间范围：本年" in flat
    assert "口径核对：57/57" in flat
    assert "演示数据" in flat and "示意" in flat
    # every KPI value and 同比 the overview shows for these filters is printed
    shown = tiles(render(rendered, "pages/overview.py", {"county": "140423", "town": "夏店镇"}))
    for label in ("活动场次", "志愿者人次", "受益人次", "微心愿完成"):
        value, delta, _ = shown[label]
        assert value in text and f"同比 {delta}" in text, label
    assert "闲置实践站" in flat and "乡镇排名" in flat
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert 1 <= pages <= 4 and "A4" in info or "595.2" in info
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts   # emb column
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
    page1 = Image.open(next(tmp_path.glob("p-*1.png"))).convert("L")
    dark = sum(1 for v in page1.getdata() if v < 200)
    assert dark > page1.width * page1.height * 0.02, "page 1 is blank"
    im = Image.open(png)
    assert im.width == html.PHONE_WIDTH_PX * 2 and im.height > 2 * im.width


@needs_chromium
def test_both_counties_fit_in_two_to_four_pages(data_dir, tmp_path):
    from civic.briefing import make
    out = make.make(data.filters_from("all", [], "this_year"), tmp_path / "b.pdf", lang="en")
    text = pdftotext(out.pdf)
    assert "County: Both counties; townships: all townships; period: This year" in " ".join(text.split())
    assert "Reconciliation: 57/57" in text
    info = subprocess.run(["pdfinfo", str(out.pdf)], capture_output=True, text=True, check=True).stdout
    assert 2 <= int(next(x.split()[-1] for x in info.splitlines() if x.startswith("Pages:"))) <= 4


@needs_chromium
def test_renders_block_every_request_off_the_machine(tmp_path):
    doc = ('<html><head><link rel="stylesheet" href="https://cdn.example.com/x.css"></head><body>'
           '<img src="http://example.com/x.png"><script src="http://127.0.0.1:9/y.js"></script>'
           '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">你好</body></html>')
    chromium.html_to_png(doc, tmp_path / "x.png", width_px=200, scale=1)
    assert sorted(chromium.blocked_requests) == ["http://127.0.0.1:9/y.js", "http://example.com/x.png",
                                                 "https://cdn.example.com/x.css"]
    chromium.html_to_pdf(doc, tmp_path / "x.pdf")
    assert len(chromium.blocked_requests) == 3 and (tmp_path / "x.pdf").read_bytes()[:5] == b"%PDF-"


@pytest.mark.parametrize("page", PAGES)
def test_every_analyst_page_has_the_briefing_button(rendered, page):
    at = render(rendered, page, {})
    assert [b.label for b in at.button if b.key == "briefing_make"] in (["生成简报"], ["简报"])


def _briefing_downloads(at) -> list:
    """The briefing's own downloads (总览 also offers its table's CSV/Excel)."""
    return [d for d in at.get("download_button") if (d.key or "").startswith("briefing_")]


@needs_chromium
def test_the_button_offers_pdf_and_png_of_the_filters_in_force(make_app):
    at = make_app("pages/overview.py", {"county": "511823", "range": "this_month"}).run()   # it clicks: its own run
    next(b for b in at.button if b.key == "briefing_make").click().run(timeout=180)
    assert not at.exception, [e.value for e in at.exception]
    downloads = _briefing_downloads(at)
    assert len(downloads) == 2, [d.proto for d in downloads]
    at.run()                       # the next run: the downloads stand in for the button, no second render
    assert len(_briefing_downloads(at)) == 2 and not [b for b in at.button if b.key == "briefing_make"]
    at.query_params["range"] = "this_year"
    at.run()                       # other filters: another briefing, so the button again
    assert [b for b in at.button if b.key == "briefing_make"] and not _briefing_downloads(at)


@needs_chromium
def test_bench_has_a_briefing_row(data_dir):
    from devtools import bench
    b = bench.measure_briefing(data_dir, 1)
    assert b["status"] == "ok" and b["facts"] == "57/57" and b["blocked_requests"] == []
    targets = bench.evaluate_targets({"builds": {"1": {}}, "pages": [], "briefing": {"1": b}})
    assert [x["measure"] for x in targets if x["id"] == "briefing"] == ["briefing PDF + phone PNG, first of the process (×1)"]
