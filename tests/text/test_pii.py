"""civic/text/pii.py CODE: the data's code shapes are never personal data, so the query screen may skip them."""
from __future__ import annotations

import random

import pytest

from civic.text import pii

# every code shape the data carries (civic/demo ids and NBS codes); `#` is a random digit, `N` a non-zero one
SHAPES = ["######", "#########", "N###########", "S-N###########", "I-#########", "C-######", "B-######-###",
          "T-######-P####", "T-######-A#", "T-#########-F", "T-N###########", "T-######-####", "HY-######"]
# digits that start the numbers the patterns look for: mobiles (1[3-9]), landlines (0), +86, ID numbers
BIASED = "0113456789"


def _fill(shape: str, rng: random.Random) -> str:
    out = []
    for ch in shape:
        if ch == "#":
            out.append(rng.choice(BIASED))
        elif ch == "N":
            out.append(rng.choice(BIASED[1:]))
        else:
            out.append(ch)
    return "".join(out)


@pytest.mark.parametrize("shape", SHAPES)
def test_no_code_shape_holds_personal_data(shape):
    rng = random.Random(shape)
    for _ in range(4000):
        code = _fill(shape, rng)
        assert pii.CODE.fullmatch(code), code
        assert pii.find(code) == [], code
        # nor does a run of them, as a cell of codes joined by the separators the queries use
        assert pii.find(f"{code}、{_fill(shape, rng)}") == [], code


@pytest.mark.parametrize("text", ["13800138000", "138-0013-8000", "03555551234", "0355-5551234", "040423103201",
                                  "140423199001011234", "6222021234567890123", "S-13800138000", "１４０４２３１０３",
                                  "140423103201 13800138000", "a@b.cn", "1404231032011"])
def test_what_is_not_a_code_shape_is_still_screened(text):
    assert not pii.CODE.fullmatch(text)


# ── GEOMETRY: the town areas' GeoJSON outlines ──────────────────────────────────────────────────
def _coord(rng: random.Random) -> str:
    whole = "".join(rng.choice(BIASED) for _ in range(rng.randint(1, 3)))
    frac = "".join(rng.choice(BIASED) for _ in range(rng.randint(0, 6)))
    return ("-" if rng.random() < 0.2 else "") + whole + (f".{frac}" if frac else "")


def _geometry(rng: random.Random, sep: str = ", ") -> str:
    def ring() -> str:
        return "[" + sep.join(f"[{_coord(rng)}{sep}{_coord(rng)}]" for _ in range(rng.randint(1, 12))) + "]"
    if rng.random() < 0.5:
        return f'{{"type": "Polygon", "coordinates": [{ring()}]}}'
    polys = sep.join(f"[{ring()}]" for _ in range(rng.randint(1, 3)))
    return f'{{"type": "MultiPolygon", "coordinates": [{polys}]}}'


@pytest.mark.parametrize("sep", [", ", ","])
def test_no_geometry_shape_holds_personal_data(sep):
    rng = random.Random(sep)
    for _ in range(3000):
        text = _geometry(rng, sep)
        assert pii.GEOMETRY.fullmatch(text), text
        assert pii.find(text) == [], text


@pytest.mark.parametrize("inside", ["13800138000", "138 0013 8000", "0355-5551234", "140423199001011234", "a@b.cn",
                                    "1.3800138", "tel 5551234", "１３８.００１"])
def test_a_geometry_with_anything_else_in_it_is_still_screened(inside):
    text = '{"type": "Polygon", "coordinates": [[[112.98, 36.57], [INSIDE, 36.59], [113.01, 36.5]]]}'.replace(
        "INSIDE", inside)
    assert not pii.GEOMETRY.fullmatch(text)


def test_the_query_screen_still_masks_a_number_hidden_in_an_outline():
    import pandas as pd

    from civic.store import queries
    clean = '{"type": "Polygon", "coordinates": [[[112.984581, 36.578574], [113.010395, 36.597552]]]}'
    hidden = clean.replace("36.597552", "13800138000")
    out = queries._screened(pd.DataFrame({"area_geojson": [clean, hidden]}))
    assert out.area_geojson[0] == clean
    assert "13800138000" not in out.area_geojson[1] and "138****8000" in out.area_geojson[1]
