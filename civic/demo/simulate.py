"""`python -m civic simulate --rate 1/s [--count N]`: a demo feed of plausible new activities.

Each tick builds a small CSV of activities dated today with the same generator as `template --sample`
and sends it through the normal import path (validation, snapshot transaction, audit), so a demo or the exhibition screen visibly
ticks. At most one version is published per `--every` seconds (default: one per record at rates up to
1/s); faster rates batch the records of each interval into one import.
"""
from __future__ import annotations

import re
import sys
import time
from datetime import date, datetime

from civic.cli import command
from civic.importer import api
from civic.store import snapshots

_RATE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:/\s*(s|sec|second|m|min|minute|h|hour))?\s*$", re.I)


def parse_rate(s: str) -> float:
    """'1/s', '30/min', '0.5', '120/h' → records per second."""
    m = _RATE_RE.match(s)
    if not m:
        raise ValueError(f"bad rate {s!r}: use e.g. 1/s, 30/min, 120/h")
    n = float(m.group(1))
    unit = (m.group(2) or "s").lower()[0]
    per = {"s": 1.0, "m": 60.0, "h": 3600.0}[unit]
    if n <= 0:
        raise ValueError("rate must be positive")
    return n / per


def _setup(p):
    p.add_argument("--rate", default="1/s", help="records per second/minute/hour, e.g. 1/s, 20/min")
    p.add_argument("--count", type=int, default=0, help="stop after N records (default: run until Ctrl-C)")
    p.add_argument("--entity", default="activities", choices=["activities"], help="what to append")
    p.add_argument("--every", type=float, default=None, help="seconds between publications (default: 1/rate, ≥ 1)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--quiet", action="store_true")


def run(rate: float, count: int = 0, every: float | None = None, seed: int | None = None, entity: str = "activities",
        say=print) -> int:
    """Append records until `count` (0: forever). Returns the number of records added."""
    every = every or max(1.0, 1.0 / rate)
    added = 0
    tick = 0
    next_at = time.monotonic()
    while count == 0 or added < count:
        batch = max(1, round(rate * every))
        if count:
            batch = min(batch, count - added)
        data = api.sample_bytes(entity, batch, seed=None if seed is None else seed + tick, fmt="csv",
                                   day=date.today())
        name = f"simulate-{datetime.now():%Y%m%d-%H%M%S}-{tick}.csv"
        try:
            rep = api.commit(data, name, entity=entity, user="simulate")
        except api.ImportRejected as exc:   # the generator and the validator disagree: a bug, say so
            say(exc.report.text())
            return added
        except snapshots.WriterBusy:
            say("writer busy, retrying")
            continue
        added += rep.added
        tick += 1
        say(f"{datetime.now():%H:%M:%S} +{rep.added} {entity} → {rep.version}")
        next_at += every
        delay = next_at - time.monotonic()
        if delay > 0 and (count == 0 or added < count):
            time.sleep(delay)
        elif delay < -every:
            next_at = time.monotonic()
    return added


@command("simulate", _setup)
def cmd_simulate(a) -> int:
    try:
        rate = parse_rate(a.rate)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    say = (lambda s: None) if a.quiet else (lambda s: print(s, flush=True))
    try:
        n = run(rate, a.count, a.every, a.seed, a.entity, say)
    except KeyboardInterrupt:
        return 0
    except snapshots.NoSnapshot:
        print("尚无已发布数据，请先运行 python -m civic build", file=sys.stderr)
        return 2
    return 1 if a.count and n < a.count else 0
