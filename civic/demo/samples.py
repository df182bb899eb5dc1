"""襄垣's micro-wishes and free trainings: the two record kinds calibrated year by year (X11, X12, X15, X20)."""
from __future__ import annotations

import calendar
from datetime import date, timedelta

import numpy as np
import pandas as pd

from civic.demo.calibration import (
    DATA_START,
    FARMER_BASE_FREE,
    FARMER_BASE_TYPICAL,
    OTHER_TRAINEES_PER_SESSION,
    OTHER_TRAININGS_PER_YEAR,
    REPORTING_YEAR,
    TRAINEES_2025,
    TRAININGS_2025,
    WISHES_DONE_PER_YEAR,
)
from civic.demo.common import SynthConfig, allocate_total, day_range


def _open_wish_ages(rng: np.random.Generator, bad: np.ndarray) -> tuple[list[int], list[int], list[int], list[int]]:
    """Wishes not done as of as_of: claimed ones (days since claim, publish-to-claim lag, the branch index they
    are fixed to or -1), most recent and normal, some old and concentrated in the "bad" branches; and the
    ages of the published, unclaimed ones. Scalar draws, in the order the output depends on."""
    integers = rng.integers
    open_claim, open_lag, fixed_branch = [], [], []
    for _ in range(70):
        open_claim.append(int(integers(1, 40)))
        open_lag.append(int(integers(0, 6)))
        fixed_branch.append(-1)
    for _ in range(55):
        open_claim.append(int(integers(60, 500)))
        open_lag.append(int(integers(0, 6)))
        fixed_branch.append(int(bad[int(integers(len(bad)))]))
    pub_age = [int(integers(0, 30)) for _ in range(48)]
    return open_claim, open_lag, fixed_branch, pub_age


def _systematic_stations(rng: np.random.Generator, stn: np.ndarray, st_cum: np.ndarray, n: int) -> np.ndarray:
    """n wishes over the stations by one systematic draw on the cumulative weights st_cum, shuffled."""
    per_station = np.diff(np.floor(np.r_[0.0, st_cum] * n + rng.random()).astype(int))
    return rng.permutation(np.repeat(stn, per_station))


def wishes(rng, cfg: SynthConfig, cc: str, branches: pd.DataFrame, stations: pd.DataFrame) -> pd.DataFrame:
    cats = ["助老助残", "助学", "生活用品", "就医帮扶", "环境整治", "文体器材", "农技指导", "法律咨询"]
    titles = {"助老助残": "为独居老人添置取暖器", "助学": "为留守儿童送学习用品", "生活用品": "为困难家庭添置生活用品",
              "就医帮扶": "陪同行动不便老人就医", "环境整治": "清理村口垃圾堆放点", "文体器材": "为村文化广场添置音响",
              "农技指导": "果树修剪技术指导", "法律咨询": "土地流转合同咨询"}
    bw = branches.members.to_numpy(dtype=float)
    bad = rng.choice(len(branches), size=18, replace=False)   # claim and never deliver
    end = cfg.as_of
    # The scalar draws below stay in their original order (it is part of the output); only the date
    # arithmetic and the frame building are vectorised.
    lognormal, integers = rng.lognormal, rng.integers
    done_days, durs, lags = [], [], []
    for y in range(DATA_START.year, end.year + 1):
        last = min(date(y, 12, 31), end - timedelta(days=3))
        if last < date(y, 1, 1):      # as_of in the first days of January: nothing done yet this year
            continue
        n_done = WISHES_DONE_PER_YEAR.get(y, round(1_180 * ((last - date(y, 1, 1)).days + 1) / 365))
        done = day_range(date(y, 1, 1), last)
        done_days.append(rng.choice(done, size=n_done))
        for _ in range(n_done):
            durs.append(int(min(90, lognormal(2.3, 0.7))))
            lags.append(int(integers(0, 8)))
    open_claim, open_lag, fixed_branch, pub_age = _open_wish_ages(rng, bad)

    day = "timedelta64[D]"
    end64 = np.datetime64(end)
    done_d = np.concatenate(done_days).astype("datetime64[D]")
    claim_done = done_d - np.asarray(durs, dtype=day)
    open_claim_d = end64 - np.asarray(open_claim, dtype=day)
    n_done_all, n_open, n_pub = len(done_d), len(open_claim), len(pub_age)
    nat = np.full(n_open + n_pub, np.datetime64("NaT"), dtype="datetime64[D]")
    claim = np.concatenate([claim_done, open_claim_d, nat[:n_pub]])
    pub = np.concatenate([claim_done - np.asarray(lags, dtype=day), open_claim_d - np.asarray(open_lag, dtype=day),
                          end64 - np.asarray(pub_age, dtype=day)])
    done_at = np.concatenate([done_d, nat])
    status = np.array(["完成"] * n_done_all + ["认领"] * n_open + ["发布"] * n_pub, dtype=object)
    fixed = np.asarray([-1] * n_done_all + fixed_branch + [-1] * n_pub)
    n = len(status)
    branch_pick = rng.choice(len(branches), size=n, p=bw / bw.sum())
    stn = np.sort(stations.village_code.to_numpy())       # codes start with the town's: town order
    # done wishes: each year's are spread over the stations by one systematic draw with fixed station
    # weights, so a town's share is the same every year (within one wish) and year-on-year stays steady
    st_cum = np.cumsum(rng.lognormal(0, 0.3, len(stn)))
    st_cum /= st_cum[-1]
    done_station = [_systematic_stations(rng, stn, st_cum, len(block)) for block in done_days]
    wish_station = np.concatenate(done_station + [rng.choice(stn, size=n - n_done_all)])
    cat = rng.choice(cats, size=n)
    branch_id = branches.branch_id.to_numpy(dtype=object)[np.where(fixed >= 0, fixed, branch_pick)]
    branch_id[status == "发布"] = None
    published = np.maximum(pub, np.datetime64(DATA_START))
    df = pd.DataFrame({
        "wish_id": [f"W-{cc}-{i:05d}" for i in range(1, n + 1)],
        "branch_id": branch_id,
        "site_id": [f"S-{v}" for v in wish_station],
        "category": cat, "title": [titles[c] for c in cat],
        "status": status,
        "published_date": published,
        "claimed_date": np.maximum(claim, published),      # NaT stays NaT
        "done_date": done_at, "source": "synthetic"})
    return df


def _yearly_schedule(year: int, sessions: int, phase: float) -> np.ndarray:
    """`sessions` days spread evenly over the calendar year, offset by `phase` (0–1) of one interval."""
    n_days = 366 if calendar.isleap(year) else 365
    offsets = np.floor((np.arange(sessions) + phase) / sessions * n_days).astype(int)
    return np.datetime64(date(year, 1, 1)) + offsets.astype("timedelta64[D]")


def trainings(rng, cfg: SynthConfig, cc: str, farmer: str, hosts: list[str], site_town: dict) -> pd.DataFrame:
    """Free trainings (常态化: each host holds its classes on the same yearly rhythm) at institutes, bases and
    the centre, and the farmers' base's own classes.

    Calibrated by construction: 2025's sessions and trainees are exactly TRAININGS_2025 and TRAINEES_2025
    (X11, X12), and the farmers' base holds exactly its FARMER_BASE_FREE trainees up to REPORT_END (X20).
    The other hosts never include the farmers' base, so no random draw can add to it. Each year's
    schedule is drawn for the whole year and cut at as_of, so the year to date compares with the same
    months of last year (and a town's share is the same every year: sessions per host come from one
    systematic draw over the hosts in town order, so each town gets its expected share within one)."""
    rows = []
    topics = ["手工挂面制作技艺", "果蔬种植技术", "电商直播带货", "家政服务技能", "中式烹调", "老年人智能手机使用",
              "急救知识", "养殖技术", "创业指导", "书法入门"]
    hosts = sorted((h for h in hosts if h != farmer), key=lambda h: (site_town[h], h))
    host_w = rng.lognormal(0, 0.5, len(hosts)) * np.array([2.0 if h.startswith("I-") else 1.0 for h in hosts])
    host_cum = np.cumsum(host_w / host_w.sum())
    host_u, host_phase, farmer_phase = rng.random(), rng.random(len(hosts)), rng.random()
    host_size = rng.lognormal(0, 0.35, len(hosts))      # a host's classes are about the same size every year
    last = np.datetime64(cfg.as_of)
    for y in range(DATA_START.year, cfg.as_of.year + 1):
        n_f, total_f = FARMER_BASE_FREE.get(y, (0, 0))
        if y not in FARMER_BASE_FREE:
            n_f = FARMER_BASE_TYPICAL[0]
            total_f = round(n_f * FARMER_BASE_TYPICAL[1])
        tr = allocate_total(rng, np.ones(n_f), total_f, minimum=10)
        for d, t in zip(_yearly_schedule(y, n_f, farmer_phase), tr):
            if d <= last:
                rows.append((d, farmer, f"职业农民培训·{topics[int(rng.integers(0, 5))]}", int(t), True))
        if y == REPORTING_YEAR:
            n_o = TRAININGS_2025 - FARMER_BASE_FREE[y][0]
            total_o = TRAINEES_2025 - FARMER_BASE_FREE[y][1]
        else:
            n_o = OTHER_TRAININGS_PER_YEAR
            total_o = round(n_o * OTHER_TRAINEES_PER_SESSION)
        per_host = np.diff(np.floor(np.r_[0.0, host_cum] * n_o + host_u).astype(int))
        size_w = np.repeat(host_size, per_host) * rng.lognormal(0, 0.15, n_o)
        tro = iter(allocate_total(rng, size_w, total_o, minimum=3).tolist())
        for h, k, ph in zip(hosts, per_host.tolist(), host_phase.tolist()):
            for d in _yearly_schedule(y, k, ph) if k else ():
                t = next(tro)
                if d <= last:
                    rows.append((d, h, f"公益培训·{topics[int(rng.integers(0, 10))]}", int(t), True))
    df = pd.DataFrame(rows, columns=["training_date", "site_id", "title", "trainees", "is_free"])
    df = df.sort_values("training_date", kind="stable").reset_index(drop=True)
    df.insert(0, "training_id", [f"K-{cc}-{i:04d}" for i in range(1, len(df) + 1)])
    df["training_date"] = pd.to_datetime(df.training_date).dt.date
    df["source"] = "synthetic"
    return df
