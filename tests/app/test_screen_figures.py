"""The exhibition screen's charts (civic/app/screen/scenes.py), built from dicts (charts.figure, issue 21)
from the payloads the screen loads over the test database: each passes plotly's validation, carries the dark
template itself and the wall's sizes, and shows names as text."""
from __future__ import annotations

import plotly.graph_objects as go
import pytest

from civic.app.screen import data, scenes
from civic.app.screen.params import LAYOUTS
from civic.figures import charts
from tests.conftest import AS_OF

HEIGHT = 400


def _figures(layout: str, lang: str) -> dict[str, go.Figure]:
    L = LAYOUTS[layout]
    d = data._dates(AS_OF)
    ov, rv, vo = data._load_overview(d), data._load_renovation(d), data._load_volunteer(d)
    ov["head"] = vo["head"] = {"as_of": AS_OF}
    return {"overview_trend": scenes._overview_trend(ov, L, lang, HEIGHT),
            "overview_stages": scenes._overview_stages(ov, L, HEIGHT),
            "renovation_funnel": scenes._renovation_funnel(rv["funnel"], L, HEIGHT),
            "renovation_scurve": scenes._renovation_scurve(rv["scurve"], L, HEIGHT),
            "volunteer_trend": scenes._volunteer_trend(vo, L, lang, HEIGHT)}


@pytest.mark.parametrize("layout, lang", [("1080p", "zh"), ("wide", "en"), ("4k", "zh")])
def test_screen_figures_pass_validation_dark_and_sized(data_dir, layout, lang):
    charts.register_template(dark=True)
    for name, fig in _figures(layout, lang).items():
        spec = fig.to_dict()
        go.Figure(spec)          # built without validation: what it makes must still pass it
        assert spec["layout"]["template"]["layout"] == charts.template(dark=True)["layout"], name
        assert spec["layout"]["height"] == HEIGHT and spec["layout"]["showlegend"] is (name == "renovation_scurve")
        assert spec["layout"]["font"]["size"] == LAYOUTS[layout].px(20), name
        assert spec["data"] and all(tr["type"] in ("bar", "scatter", "funnel") for tr in spec["data"]), name


def test_screen_trend_marks_the_running_month_and_shows_labels_as_text(data_dir):
    figs = _figures("1080p", "zh")
    bars = figs["volunteer_trend"].data[0]
    assert list(bars.marker.pattern.shape)[-1] == "/" and bars.marker.opacity[-1] < 1   # AS_OF ends mid-month
    # value axis in 万 ticks, merged over the base layout's tick font
    yaxis = figs["volunteer_trend"].layout.yaxis
    assert yaxis.ticktext and yaxis.tickfont.size == LAYOUTS["1080p"].px(20)
    stages = figs["overview_stages"]
    stages.data[0].y = ['<a href="http://evil.example">x</a>', *stages.data[0].y[1:]]
    assert "<a href" not in str(charts.neutralise(stages).data[0].y[0])
