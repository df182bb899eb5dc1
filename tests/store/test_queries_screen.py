"""civic/store/queries.py _screened: the Arrow prefilter picks every cell pii's own prefilter would, and the
screened frame is what mapping pii.mask over every text cell gave."""
from __future__ import annotations

import pandas as pd
import pytest

from civic.store import queries
from civic.text import pii

SAMPLES = ["联系电话13800138000", "１３８００１３８０００", "138 0013 8000", "a@b.cn", "甲＠乙.com", "x\ufe6by.com",
           "1\u200b2\u200b3\u200b4\u200b5\u200b6\u200b7", "123456", "1-2-3-4-5-6-7", "1----2345678", "普通文本",
           "٠١٢٣٤٥٦", "12\n34\n567", "", None, "町140423103", "电话5551234", "身份证140423199001011234",
           "140423103201", "S-140423103201", "T-140423-P0001", "140423103", "040423103201", "１４０４２３１０３"]


@pytest.mark.parametrize("dtype", ["str", object])
def test_prefilter_is_pii_prefilter(dtype):
    got = queries._maybe_personal(pd.Series(SAMPLES, dtype=dtype))
    assert got is not None
    # pii's prefilter, without the cells shaped as the data's codes (pii.CODE: never personal)
    assert list(got) == [bool(isinstance(v, str) and pii._MAYBE.search(v) and not pii.CODE.fullmatch(v))
                         for v in SAMPLES]
    assert sum(got) < sum(bool(isinstance(v, str) and pii._MAYBE.search(v)) for v in SAMPLES)


def test_screened_as_mapping_every_cell():
    df = pd.DataFrame({"s": pd.Series(SAMPLES, dtype="str"), "o": pd.Series(SAMPLES, dtype=object),
                       "d": [pd.Timestamp("2025-01-01").date()] * len(SAMPLES), "n": range(len(SAMPLES))})
    want = df.copy()
    for c in want.columns:
        masked = want[c].map(pii.mask)
        if not masked.equals(want[c]):
            want[c] = masked
    got = queries._screened(df.copy())
    pd.testing.assert_frame_equal(got, want)
    assert got.s[0] == "联系电话138****8000"


def test_clean_text_is_left_as_it_is():
    df = pd.DataFrame({"s": pd.Series(["甲", "乙", None], dtype=object), "mixed": ["x", 1, None]})
    pd.testing.assert_frame_equal(queries._screened(df.copy()), df)


def test_repeated_texts_matched_once_are_mapped_back_to_every_cell():
    """The prefilter matches each distinct text once (most columns repeat a few values): every cell, in any
    order and over any number of Arrow chunks, gets its own text's answer."""
    import random

    import pyarrow as pa
    cells = SAMPLES * 7
    random.Random(21).shuffle(cells)

    def want(values: list) -> list[bool]:
        return [bool(isinstance(v, str) and pii._MAYBE.search(v) and not pii.CODE.fullmatch(v)) for v in values]
    for series in (pd.Series(cells, dtype="str"), pd.Series(cells, dtype=object),
                   pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array([cells[:50], cells[50:]])))):
        got = queries._maybe_personal(series)
        assert got is not None and list(got) == want(cells)
    assert list(queries._maybe_personal(pd.Series([None, None], dtype="str"))) == [False, False]


def test_columns_screened_in_one_pass_keep_their_own_answers():
    """All text columns of a result are matched in one pass (one RE2 compile per result): each column must
    still get its own cells' answers, whatever columns without text or unreadable by Arrow sit between."""
    import random
    rng = random.Random(7)
    cols = {}
    for i in range(5):
        cells = SAMPLES[:]
        rng.shuffle(cells)
        cols[f"t{i}"] = pd.Series(cells, dtype="str" if i % 2 else object)
        cols[f"n{i}"] = pd.Series(range(len(SAMPLES)))
    cols["mixed"] = pd.Series(["x", 1] * (len(SAMPLES) // 2), dtype=object)
    cols["empty"] = pd.Series([None] * len(SAMPLES), dtype="str")
    got = queries._maybe_personal_columns(list(cols.values()))
    for (name, col), maybe in zip(cols.items(), got):
        if name == "mixed":
            assert maybe is None
        else:
            assert maybe is not None and list(maybe) == list(queries._maybe_personal(col)), name
