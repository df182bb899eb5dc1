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
