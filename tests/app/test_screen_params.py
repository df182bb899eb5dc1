"""The screen's URL parameters (civic/app/screen/params.py): a pure function, so every value is checked here
without Streamlit; tests/pages/test_screen.py checks the notices reach the footer."""
from __future__ import annotations

import pytest

from civic.app.screen import theme
from civic.app.screen.params import (
    LAYOUTS,
    RELOAD_DEFAULT,
    ROTATE_DEFAULT,
    SCENES,
    Notice,
    ScreenParams,
    advance,
    parse_params,
)


def parse(**query: str) -> tuple[ScreenParams, list[Notice]]:
    return parse_params({k: [v] for k, v in query.items()})


def test_defaults():
    p, notices = parse_params({})
    assert notices == []
    assert p.playlist == SCENES and p.pinned is None and p.rotating
    assert p.rotate == ROTATE_DEFAULT == 30 and p.tick == 30.0
    assert p.layout.name == "1080p" and not p.layout_given
    assert p.lang == "zh" and p.reload_at == RELOAD_DEFAULT


def test_good_values():
    p, notices = parse(scene="renovation", scenes="5, 1", rotate="45", layout="4K", lang="en", reload="4:05")
    assert notices == []
    assert p.pinned == "renovation" and not p.rotating and p.tick == 30.0
    assert p.playlist == ("ticker", "overview")
    assert p.rotate == 45 and p.layout is LAYOUTS["4k"] and p.layout_given
    assert p.lang == "en" and p.reload_at == "04:05"
    assert parse(scene="3")[0].pinned == "renovation"
    assert parse(reload="off")[0].reload_at is None


def test_the_last_value_counts():
    p, notices = parse_params({"rotate": ["abc", "12"], "lang": ["en", "zh"]})
    assert notices == [] and p.rotate == 12 and p.lang == "zh"


@pytest.mark.parametrize("param, value, check", [
    ("scene", "9", lambda p: p.pinned is None),
    ("scene", "<script>", lambda p: p.pinned is None),
    ("scene", "", lambda p: p.pinned is None),
    ("scenes", "1,x", lambda p: p.playlist == ("overview",)),
    ("scenes", ",,", lambda p: p.playlist == SCENES),
    ("rotate", "abc", lambda p: p.rotate == ROTATE_DEFAULT),
    ("rotate", "0", lambda p: p.rotate == ROTATE_DEFAULT),
    ("rotate", "3601", lambda p: p.rotate == ROTATE_DEFAULT),
    ("rotate", "1e9", lambda p: p.rotate == ROTATE_DEFAULT),
    ("rotate", "1e400", lambda p: p.rotate == ROTATE_DEFAULT),
    ("rotate", "nan", lambda p: p.rotate == ROTATE_DEFAULT),
    ("rotate", "-inf", lambda p: p.rotate == ROTATE_DEFAULT),
    ("layout", "8k", lambda p: p.layout.name == "1080p" and not p.layout_given),
    ("lang", "fr", lambda p: p.lang == "zh"),
    ("lang", "", lambda p: p.lang == "zh"),
    ("reload", "25:00", lambda p: p.reload_at == RELOAD_DEFAULT),
    ("reload", "3:7", lambda p: p.reload_at == RELOAD_DEFAULT),
])
def test_malformed_values_fall_back_with_a_notice(param, value, check):
    p, notices = parse(**{param: value})
    assert check(p)
    assert [n.param for n in notices] == [param]
    assert f"{param}=" in notices[0].text and notices[0].used in notices[0].text


def test_the_notice_is_short_printable_and_in_the_screens_language():
    p, notices = parse(scene="x" * 10_000 + "\x00\n", lang="en")
    (n,) = notices
    assert len(n.value) <= 17 and n.value.endswith("…") and n.value.isprintable()
    assert n.lang == "en" and "invalid" in n.text and "using all scenes" in n.text
    assert parse(scene="\x1b[31m")[1][0].value == "[31m"


def test_every_bad_value_gets_its_own_notice():
    _, notices = parse(scene="0", scenes="9", rotate="x", layout="y", lang="fr", reload="z")
    assert sorted(n.param for n in notices) == sorted(["scene", "scenes", "rotate", "layout", "lang", "reload"])


def test_the_refresh_tick_never_exceeds_30_seconds():
    for rotate, tick in [(1, 1.0), (30, 30.0), (45, 22.5), (120, 30.0), (3600, 30.0)]:
        assert parse(rotate=str(rotate))[0].tick == tick
    assert parse(scenes="2", rotate="600")[0].tick == 30.0, "one scene: no rotation, refresh every 30 s"


def test_advance_rotates_and_wraps():
    p = parse(scenes="1,2,3", rotate="10")[0]
    assert advance(p, None, None, 100.0) == (0, 100.0)
    assert advance(p, 0, 100.0, 104.0) == (0, 100.0)
    assert advance(p, 0, 100.0, 105.0) == (1, 105.0), "half a tick early"
    assert advance(p, 2, 100.0, 120.0) == (0, 120.0)
    assert advance(p, 7, 100.0, 101.0) == (0, 101.0), "a position from a longer playlist restarts"


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_every_layout_keeps_its_vertical_budget(name):
    lay = LAYOUTS[name]
    used = lay.pad_top + lay.pad_bottom + lay.title_h + lay.footer_h + 2 * lay.gap + lay.stage_h
    assert used == lay.height and lay.stage_h > 0.8 * lay.height
    assert abs(lay.width / lay.height - (32 / 9 if lay.wide else 16 / 9)) < 0.01


def test_the_theme_is_one_definition():
    flags = theme.streamlit_flags()
    assert "--theme.base=dark" in flags and f"--theme.backgroundColor={theme.BG}" in flags
    assert theme.CSS_COLOURS["bg"] == theme.STREAMLIT_THEME["backgroundColor"]
