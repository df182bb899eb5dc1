"""Deterministic synthetic records, calibrated to the published figures (data/published_facts.csv).

Real: place codes and names (NBS 2023), county outlines. Published: the 57 figures. Everything else is
generated here from a fixed seed and is marked synthetic in the data (`source`) and in the UI.

Reporting period (docs/data.md): the reports describe one moment, REPORT_END = the last day of
REPORTING_YEAR (2025-12-31). The 襄垣 annual figures (万余场活动, 3万余受益群众, 近100场培训, 1000余件微心愿,
20余个主题活动) count calendar 2025; the "累计" figures count DATA_START … REPORT_END; the "现状" figures are the
registries as they stood then. The data runs on to as_of (the build day) so the app looks live, and every
calibrated figure is met *inside its period* by construction: what is generated after REPORT_END follows
the same rates but never touches a published figure, whatever as_of is.

`--scale N` generates N copies of the 襄垣 network as N counties (replica 0 is the real one; the others get
codes 9rrr23…, clearly fake) and N times the 汉源 feedback. Figures are calibrated for N = 1 only.

The generator is split by county and concern: calibration.py (the period and the targets), vocabulary.py
(the words), common.py (shared helpers, SynthConfig, reference frames), xiangyuan.py and samples.py (襄垣),
hanyuan.py (汉源), consultation.py (议事结果 and next meetings, on its own random stream). This module
assembles their tables; it re-exports what callers read as synth.X.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from civic.demo import consultation, geo, hanyuan, xiangyuan
from civic.demo.calibration import (
    DATA_START,
    DEFAULT_SEED,
    FEEDBACK_STUCK_WINDOW,
    REPORT_END,
    REPORTING_YEAR,
)
from civic.demo.common import SynthConfig, reference_frames

__all__ = ["DATA_START", "DEFAULT_SEED", "FEEDBACK_STUCK_WINDOW", "REPORTING_YEAR", "REPORT_END", "SynthConfig",
           "generate", "reference_frames"]


def generate(cfg: SynthConfig, layout: geo.CountyLayout) -> dict[str, pd.DataFrame]:
    """All tables (except meta/provenance/published_facts), keyed by table name."""
    ref = reference_frames()
    tables: dict[str, list[pd.DataFrame]] = {"counties": [ref["counties"]]}
    hy_towns = ref["towns"][ref["towns"].county_code == "511823"].copy()
    hy_towns["coord_quality"] = "approximate"
    seats = {"511823100": geo.HANYUAN_SEAT, "511823101": (102.768, 29.432)}
    hy_towns["lon"] = [seats.get(t, (None, None))[0] for t in hy_towns.town_code]
    hy_towns["lat"] = [seats.get(t, (None, None))[1] for t in hy_towns.town_code]
    tables["towns"] = [hy_towns]
    tables["villages"] = [ref["villages"][ref["villages"].village_code.str.startswith("511823")]]
    for r in range(cfg.scale):
        rng = np.random.default_rng([cfg.seed, r])
        for name, df in xiangyuan.tables(rng, cfg, r, ref, layout).items():
            tables.setdefault(name, []).append(df)
    rng = np.random.default_rng([cfg.seed, 10_000])
    for name, df in hanyuan.tables(rng, cfg, ref).items():
        tables.setdefault(name, []).append(df)
    # 议事结果 and next meetings: a separate RNG stream, so every table above stays identical
    hanyuan_tables = {k: v[-1] for k, v in tables.items()}
    for name, df in consultation.generate(cfg.seed, cfg.as_of, hanyuan_tables).items():
        tables.setdefault(name, []).append(df)
    return {k: pd.concat(v, ignore_index=True) if len(v) > 1 else v[0] for k, v in tables.items()}
