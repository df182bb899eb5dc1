"""civic/app/memo.py: a figure is built once per (builder, inputs, language, data version) and shared safely."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from civic.app import memo
from civic.figures import charts
from civic.store import queries
from civic.text.i18n import t, use_lang

calls: list[tuple] = []


def bars(df: pd.DataFrame, colour: str) -> go.Figure:
    calls.append((len(df), colour))
    return charts.figure([dict(type="bar", x=df.town.tolist(), y=df.n.to_numpy(), marker=dict(color=colour),
                               name=t("volunteer.trend.last_year"))])


def finish(fig: go.Figure) -> go.Figure:
    charts.style(fig, title="T", height=300)
    return charts.neutralise(fig)


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    charts.register_template()      # finish() styles with it; run alone, no earlier test has registered it
    monkeypatch.setattr(memo.db, "data_version", lambda: "v1")
    memo.clear()
    calls.clear()
    yield
    memo.clear()


FRAME = pd.DataFrame({"town": ["古韩镇", "<a href=\"http://x\">夏店镇</a>"], "n": [3, 4]})


def test_the_second_viewer_gets_the_first_ones_figure():
    first = memo.drawn(memo.fig(bars, FRAME, "red"), finish)
    again = memo.drawn(memo.fig(bars, FRAME.copy(), "red"), finish)     # equal inputs, another frame object
    assert again is first and calls == [(2, "red")]
    assert first.to_dict()["layout"]["title"]["text"] == "T" and first.to_dict()["layout"]["height"] == 300
    # neutralised once, when built: the markup in a name is shown as typed
    assert "<a" not in str(first.to_dict()["data"][0]["x"])


def test_any_change_of_input_builds_again():
    memo.drawn(memo.fig(bars, FRAME, "red"), finish)
    memo.drawn(memo.fig(bars, FRAME.head(1), "red"), finish)
    memo.drawn(memo.fig(bars, FRAME, "blue"), finish)
    memo.drawn(memo.fig(bars, FRAME, "red"), finish, ("another title", None))
    assert len(calls) == 4


def test_language_and_data_version_are_part_of_the_key(monkeypatch):
    zh = memo.drawn(memo.fig(bars, FRAME, "red"), finish)
    with use_lang("en"):
        en = memo.drawn(memo.fig(bars, FRAME, "red"), finish)
    assert zh.to_dict()["data"][0]["name"] == t("volunteer.trend.last_year", "zh")
    assert en.to_dict()["data"][0]["name"] == t("volunteer.trend.last_year", "en")
    monkeypatch.setattr(memo.db, "data_version", lambda: "v2")
    memo.drawn(memo.fig(bars, FRAME, "red"), finish)
    assert len(calls) == 3


def test_a_session_cannot_change_what_another_is_shown():
    fig = memo.drawn(memo.fig(bars, FRAME, "red"), finish)
    out = fig.to_dict()
    out["data"][0].pop("uid", None)
    out["data"][0]["name"] = "changed"
    out["data"].append({})
    assert fig.to_dict()["data"][0]["name"] == t("volunteer.trend.last_year") and len(fig.to_dict()["data"]) == 1


def test_bounded_and_emptied_with_the_query_cache(monkeypatch):
    monkeypatch.setattr(memo, "CACHE_SIZE", 2)
    for colour in ("red", "green", "blue"):
        memo.drawn(memo.fig(bars, FRAME, colour), finish)
    memo.drawn(memo.fig(bars, FRAME, "red"), finish)            # the oldest went first
    assert len(calls) == 4
    queries.clear_cache()
    memo.drawn(memo.fig(bars, FRAME, "blue"), finish)
    assert len(calls) == 5


def test_shared_values_are_built_once_per_input_and_data_version(monkeypatch):
    """memo.shared (the map page's deck): one build for equal arguments, another for any change of an
    argument or of the data version; the value's size counts against the byte bound."""
    built: list[tuple] = []

    def deck_of(params: dict, metric: str) -> str:
        built.append((tuple(params["towns"]), metric))
        return f"{params['towns']}:{metric}" * 10

    first = memo.shared_sized(deck_of, len, {"towns": ["140423103"]}, metric="activities")
    assert memo.shared_sized(deck_of, len, {"towns": ["140423103"]}, metric="activities") is first
    memo.shared_sized(deck_of, len, {"towns": []}, metric="activities")
    memo.shared_sized(deck_of, len, {"towns": ["140423103"]}, metric="beneficiaries")
    assert len(built) == 3
    monkeypatch.setattr(memo.db, "data_version", lambda: "v2")
    memo.shared_sized(deck_of, len, {"towns": ["140423103"]}, metric="activities")
    assert len(built) == 4
    assert memo._bytes == sum(len(f"{list(p)}:{m}" * 10) for p, m in built)

# ── memo.shared: any pure result built from query results, shared between sessions ─────────────────────
built: list[int] = []


def doubled(df: pd.DataFrame, factor: int) -> pd.DataFrame:
    built.append(len(df))
    return df.assign(n=df.n * factor)


def test_shared_is_built_once_per_inputs_language_and_version(monkeypatch):
    built.clear()
    df = pd.DataFrame({"town": ["甲", "乙", "丙"], "n": [1, 2, 3]})
    first = memo.shared(doubled, df, 2)
    assert list(first.n) == [2, 4, 6]
    assert list(memo.shared(doubled, df.copy(), 2).n) == [2, 4, 6]       # equal content: the same entry
    assert built == [3]
    memo.shared(doubled, df, 3)                                          # another argument
    memo.shared(doubled, df.iloc[::-1], 2)                               # another frame (same values, reordered)
    memo.shared(doubled, df.iloc[1:], 2)                                 # a slice of it
    with use_lang("en"):
        memo.shared(doubled, df, 2)                                      # another language
    monkeypatch.setattr(memo.db, "data_version", lambda: "v2")
    memo.shared(doubled, df, 2)                                          # another data version
    assert built == [3, 3, 3, 2, 3, 3]


def test_shared_frames_cannot_be_changed_by_a_session():
    df = pd.DataFrame({"town": ["甲", "乙"], "n": [1, 2]})
    mine = memo.shared(doubled, df, 2)
    mine["n"] = [0, 0]
    mine.loc[0, "town"] = "改"
    again = memo.shared(doubled, df, 2)
    assert list(again.n) == [2, 4] and list(again.town) == ["甲", "乙"]


def test_shared_keys_tell_changed_cells_apart():
    df = pd.DataFrame({"s": ["a", None, "c"], "d": pd.to_datetime(["2025-01-01"] * 3).date, "x": [1.0, 2.0, 3.0]})
    keys = {memo._key(doubled, (df,), {}, ())}
    for col, value in (("s", "b"), ("s", None), ("d", None), ("x", 2.5)):
        other = df.copy()
        other.loc[0, col] = value
        keys.add(memo._key(doubled, (other,), {}, ()))
    assert len(keys) == 5


def test_shared_is_emptied_with_the_query_cache():
    built.clear()
    df = pd.DataFrame({"town": ["甲"], "n": [1]})
    memo.shared(doubled, df, 2)
    queries.clear_cache()
    memo.shared(doubled, df, 2)
    assert built == [1, 1]
