"""QR posters (python -m civic poster): the QR decodes, with an independent decoder (zxing-cpp), to the
compound's public page; `--all` makes one page per compound; bad input exits 2 with a Chinese message."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from civic import cli
from civic.public import poster

BASE = "https://gk.example.cn/hanyuan/"
URL_019 = "https://gk.example.cn/hanyuan/compound?id=HY-019"


def _decode(png: Path) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(png)) if r.format == zxingcpp.BarcodeFormat.QRCode]


def _pdf_page_png(pdf: Path, page: int, out: Path) -> Path:
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(out.with_suffix(""))], check=True)
    return out


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_base_url_checks():
    assert poster.page_url("https://a.cn/x/", "HY-001") == "https://a.cn/x/compound?id=HY-001"
    for bad in ("", "ftp://a.cn", "a.cn", "https://", "https://a.cn/?x=1", "https://a.cn/#f", "https://a b.cn",
                "javascript:alert(1)", 'https://a.cn/"><script>'):
        with pytest.raises(poster.PosterError):
            poster.check_base_url(bad)


def test_one_poster_pdf_decodes_to_the_page(data_dir, tmp_path, capsys):
    pdf = tmp_path / "poster.pdf"
    assert cli.main(["poster", "--compound", "HY-019", "--base-url", BASE, "--out", str(pdf)]) == 0
    assert _pages(pdf) == 1
    assert _decode(_pdf_page_png(pdf, 1, tmp_path / "p1.png")) == [URL_019]
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    for words in ("流沙花园", "扫码查看改造进度与议事结果", "施工中", "数据截至 2026年11月26日"):
        assert words in text.replace("\n", "")


def test_png_poster_decodes(data_dir, tmp_path):
    png = tmp_path / "poster.png"
    assert cli.main(["poster", "--compound", "HY-019", "--base-url", BASE, "--out", str(png)]) == 0
    assert _decode(png) == [URL_019]


def test_all_posters_one_pdf_page_each(data_dir, tmp_path):
    pdf = tmp_path / "all.pdf"
    assert cli.main(["poster", "--all", "--base-url", BASE, "--out", str(pdf)]) == 0
    assert _pages(pdf) == 92
    assert _decode(_pdf_page_png(pdf, 92, tmp_path / "p92.png")) == [f"{BASE}compound?id=HY-092"]


@pytest.mark.parametrize("args, words", [
    (["--compound", "HY-999", "--base-url", BASE], "没有编号为「HY-999」的小区"),
    (["--compound", "HY-019", "--base-url", "gk.example.cn"], "公开页地址「gk.example.cn」无效"),
    (["--all", "--base-url", BASE, "--png"], None),
])
def test_bad_input_exits_2_with_a_chinese_message(data_dir, tmp_path, capsys, args, words):
    out = tmp_path / "x.pdf"
    if words is None:   # --all can only write a PDF
        args, words, out = ["--all", "--base-url", BASE], "须以 .pdf 或 .png 结尾", tmp_path / "x.png"
    assert cli.main(["poster", *args, "--out", str(out)]) == 2
    assert words in capsys.readouterr().err
    assert not out.exists()
