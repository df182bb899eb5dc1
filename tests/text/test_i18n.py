"""One catalog, zh and en for every key, and every key the code uses exists."""
import re

from civic.text import i18n
from tests.conftest import ROOT


def test_every_key_has_zh_and_en():
    cat = i18n.catalog()
    assert len(cat) > 100
    for key, (zh, en) in cat.items():
        assert zh.strip(), f"{key} has no Chinese"
        if not key.startswith("values.unit."):   # some units have no English word (个, 处)
            assert en.strip(), f"{key} has no English"


def test_placeholders_match_between_languages():
    for key, (zh, en) in i18n.catalog().items():
        assert set(re.findall(r"\{(\w+)\}", zh)) == set(re.findall(r"\{(\w+)\}", en)), key


def test_keys_used_in_code_exist():
    used = set()
    for f in [*(ROOT / "civic").rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]:
        text = f.read_text(encoding="utf-8")
        used |= {m for m in re.findall(r"""\bt\(\s*["']([a-z_][\w.]*)["']""", text)}
    missing = sorted(k for k in used if not i18n.has(k))
    assert missing == []


def test_translation_and_fallbacks():
    assert i18n.t("nav.overview", lang="zh") == "总览"
    assert i18n.t("nav.overview", lang="en") == "Overview"
    with i18n.use_lang("en"):
        assert i18n.t("app.as_of", date="x") == "Data as of x"
        assert i18n.tv("stage", "施工") == "Under construction"
    assert i18n.tv("stage", "未知值") == "未知值"
    assert i18n.t("no.such.key") == "no.such.key"


def test_duplicate_keys_are_rejected(tmp_path, monkeypatch):
    (tmp_path / "a.toml").write_text('[x]\ny = ["一", "one"]\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('[x]\ny = ["二", "two"]\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "CATALOG_DIR", tmp_path)
    i18n.catalog.cache_clear()
    try:
        import pytest
        with pytest.raises(i18n.CatalogError):
            i18n.catalog()
    finally:
        monkeypatch.undo()
        i18n.catalog.cache_clear()
