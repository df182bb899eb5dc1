"""Approximate (示意) geography inside the real county outlines, computed with DuckDB spatial.

No public coordinates exist for towns or villages (see data/reference/SOURCES.md). We place the county
seat where DataV puts it, lay the other towns out as contiguous Voronoi cells of seeds set on rough
compass bearings from the seat, clipped to the real outline, and sample site positions on a grid
inside each town's cell. Everything here is marked coord_quality = 'approximate'.
Datum: GCJ-02 throughout (the DataV outlines and centres), stated in the README.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from civic import paths

# County seat: DataV.GeoAtlas properties.center (GCJ-02), data/reference/towns.csv.
XIANGYUAN_SEAT = (113.050094, 36.532854)
HANYUAN_SEAT = (102.677145, 29.349915)

# Rough bearings (degrees clockwise from north) of each town seat from the county seat, and the share of
# the way to the border. Approximate by design: positions are 示意 only.
XIANGYUAN_TOWN_BEARINGS = {
    "140423101": (95, 0.55),   # 王桥镇
    "140423102": (140, 0.55),  # 侯堡镇
    "140423103": (300, 0.55),  # 夏店镇
    "140423104": (245, 0.55),  # 虒亭镇
    "140423105": (5, 0.55),    # 西营镇
    "140423106": (335, 0.6),   # 王村镇
    "140423107": (40, 0.55),   # 下良镇
    "140423108": (65, 0.6),    # 善福镇
}
GRID_STEP = 0.0035  # degrees, ~350 m


@dataclass
class CountyLayout:
    county_code: str
    seat: tuple[float, float]
    outline_geojson: str
    town_area_geojson: dict[str, str] = field(default_factory=dict)
    town_seat: dict[str, tuple[float, float]] = field(default_factory=dict)
    # candidate positions inside each town (grid points), for sampling sites
    town_points: dict[str, np.ndarray] = field(default_factory=dict)


def outline_geometry(county_code: str) -> str:
    data = json.loads((paths.REFERENCE_DIR / f"{county_code}.geojson").read_text(encoding="utf-8"))
    return json.dumps(data["features"][0]["geometry"])


def _bearing_point(seat, bearing_deg, pts: np.ndarray, frac: float) -> tuple[float, float]:
    """A point `frac` of the way from the seat to the farthest inside point near that bearing."""
    lon0, lat0 = seat
    k = np.cos(np.radians(lat0))
    dx = (pts[:, 0] - lon0) * k
    dy = pts[:, 1] - lat0
    ang = (np.degrees(np.arctan2(dx, dy)) + 360) % 360
    diff = np.abs((ang - bearing_deg + 180) % 360 - 180)
    near = pts[diff < 12]
    if len(near) == 0:
        near = pts
    dist = np.hypot((near[:, 0] - lon0) * k, near[:, 1] - lat0)
    far = near[np.argmax(dist)]
    return (lon0 + frac * (far[0] - lon0), lat0 + frac * (far[1] - lat0))


def xiangyuan_layout(con, town_codes: list[str], seat_town: str = "140423100") -> CountyLayout:
    """Town areas and candidate site points for 襄垣县. `con` has the spatial extension loaded."""
    geom = outline_geometry("140423")
    con.execute("CREATE OR REPLACE TEMP TABLE _outline AS SELECT ST_GeomFromGeoJSON($g) AS g", {"g": geom})
    xmin, ymin, xmax, ymax = con.execute(
        "SELECT ST_XMin(g), ST_YMin(g), ST_XMax(g), ST_YMax(g) FROM _outline").fetchone()
    xs = np.arange(xmin, xmax, GRID_STEP)
    ys = np.arange(ymin, ymax, GRID_STEP)
    gx, gy = np.meshgrid(xs, ys)
    grid = pd.DataFrame({"x": gx.ravel().round(6), "y": gy.ravel().round(6)})
    con.register("_grid", grid)
    inside = con.execute(
        "SELECT x, y FROM _grid, _outline WHERE ST_Contains(_outline.g, ST_Point(x, y)) ORDER BY y, x"
    ).fetchnumpy()
    con.unregister("_grid")
    pts = np.column_stack([inside["x"], inside["y"]])

    seeds = {seat_town: XIANGYUAN_SEAT}
    for code in town_codes:
        if code in XIANGYUAN_TOWN_BEARINGS:
            b, frac = XIANGYUAN_TOWN_BEARINGS[code]
            seeds[code] = _bearing_point(XIANGYUAN_SEAT, b, pts, frac)
    seed_df = pd.DataFrame([{"code": c, "x": xy[0], "y": xy[1]} for c, xy in seeds.items()])
    con.register("_seeds", seed_df)
    cells = con.execute("""
        WITH v AS (
            SELECT unnest(ST_Dump(ST_VoronoiDiagram(ST_Collect(list(ST_Point(x, y)))))) AS d FROM _seeds
        ), c AS (SELECT d.geom AS cell FROM v)
        SELECT s.code, ST_AsGeoJSON(ST_Intersection(c.cell, o.g)) AS area
        FROM c, _outline o, _seeds s
        WHERE ST_Contains(c.cell, ST_Point(s.x, s.y))
    """).fetchall()
    con.unregister("_seeds")
    layout = CountyLayout("140423", XIANGYUAN_SEAT, geom)
    layout.town_area_geojson = {code: area for code, area in cells}
    layout.town_seat = {c: (round(x, 6), round(y, 6)) for c, (x, y) in seeds.items()}

    areas = pd.DataFrame({"code": list(layout.town_area_geojson), "area": list(layout.town_area_geojson.values())})
    con.register("_areas", areas)
    con.register("_pts", pd.DataFrame({"x": pts[:, 0], "y": pts[:, 1]}))
    labelled = con.execute("""
        SELECT a.code, p.x, p.y FROM _pts p, _areas a
        WHERE ST_Contains(ST_GeomFromGeoJSON(a.area), ST_Point(p.x, p.y)) ORDER BY a.code, p.y, p.x
    """).df()
    con.unregister("_areas")
    con.unregister("_pts")
    for code, g in labelled.groupby("code", sort=True):
        layout.town_points[code] = _interior(g[["x", "y"]].to_numpy(), (xmin, ymin))
    return layout


def _interior(pts: np.ndarray, origin: tuple[float, float]) -> np.ndarray:
    """Grid points whose four neighbours are in the same town: a jittered site there cannot cross a border."""
    ij = np.round((pts - np.asarray(origin)) / GRID_STEP).astype(int)
    cells = {tuple(c) for c in ij}
    keep = np.array([all((i + di, j + dj) in cells for di, dj in ((1, 0), (-1, 0), (0, 1), (0, -1)))
                     for i, j in ij])
    return pts[keep] if keep.sum() >= 20 else pts


def sample_positions(rng: np.random.Generator, candidates: np.ndarray, n: int,
                     near: tuple[float, float] | None = None, radius: float | None = None,
                     jitter: float = GRID_STEP * 0.35) -> np.ndarray:
    """n distinct grid candidates (optionally within `radius` of `near`), jittered inside the cell."""
    pool = candidates
    if near is not None and radius is not None:
        d = np.hypot(pool[:, 0] - near[0], pool[:, 1] - near[1])
        close = pool[d <= radius]
        pool = close if len(close) >= n else pool[np.argsort(d)[: max(n, 1)]]
    idx = rng.choice(len(pool), size=n, replace=len(pool) < n)
    out = pool[idx] + rng.uniform(-jitter, jitter, size=(n, 2))
    return out.round(6)


def shift_geojson(geojson: str, dx: float, dy: float) -> str:
    """Move a GeoJSON geometry (used for --scale replicas laid out beside the real county)."""
    g = json.loads(geojson)

    def walk(c):
        if isinstance(c[0], (int, float)):
            return [round(c[0] + dx, 6), round(c[1] + dy, 6)]
        return [walk(x) for x in c]

    g["coordinates"] = walk(g["coordinates"])
    return json.dumps(g)


def replica_offset(r: int) -> tuple[float, float]:
    """Replica r of --scale N sits in a 10-wide grid of county-sized cells; replica 0 is the real one."""
    return ((r % 10) * 0.75, -(r // 10) * 0.55)
