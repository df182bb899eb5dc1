"""Geometry: county and town outlines, label points, bounds, web-mercator view fitting and screen positions."""
from __future__ import annotations

import json
import math
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import pydeck as pdk

from civic import paths
from civic.map.style import COORD_DECIMALS


# ── geometry helpers ────────────────────────────────────────────────────────────────────────
def round_coord(x: float) -> float:
    return round(float(x), COORD_DECIMALS)


def _rings(geometry: Mapping) -> list[list[list[float]]]:
    """Outer rings of a GeoJSON Polygon/MultiPolygon (holes dropped: the town cells have none)."""
    gt = geometry.get("type")
    if gt == "Polygon":
        polys = [geometry["coordinates"]]
    elif gt == "MultiPolygon":
        polys = geometry["coordinates"]
    else:
        return []
    return [[[round_coord(x), round_coord(y)] for x, y, *_ in poly[0]] for poly in polys if poly and poly[0]]


@lru_cache(maxsize=4096)
def parse_area(geojson: str) -> tuple[tuple[tuple[tuple[float, float], ...], ...], tuple[float, float]]:
    """(rings, label point) of a town area; the label point is the centroid of its largest part."""
    rings = _rings(json.loads(geojson))
    best, best_area, point = None, -1.0, (0.0, 0.0)
    for ring in rings:
        a = np.asarray(ring, dtype=float)
        x, y = a[:, 0], a[:, 1]
        cross = x * np.roll(y, -1) - np.roll(x, -1) * y
        area = cross.sum() / 2
        if abs(area) > best_area and abs(area) > 0:
            best_area = abs(area)
            cx = ((x + np.roll(x, -1)) * cross).sum() / (6 * area)
            cy = ((y + np.roll(y, -1)) * cross).sum() / (6 * area)
            best, point = ring, (round_coord(cx), round_coord(cy))
    if best is None and rings:
        a = np.asarray(rings[0], dtype=float)
        point = (round_coord(a[:, 0].mean()), round_coord(a[:, 1].mean()))
    return tuple(tuple((p[0], p[1]) for p in r) for r in rings), point


def with_areas(towns: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """map_towns rows with their `area_geojson` from map_town_areas (None where no area is known). The
    geometry is its own query, unchanged by the filters, so the per-filter totals carry no geometry."""
    area = towns["town_code"].map(areas.set_index("town_code")["area_geojson"]).astype(object)
    return towns.assign(area_geojson=area.where(area.notna(), None))


def town_label_points(towns: pd.DataFrame) -> pd.DataFrame:
    """towns (map_towns rows) with label_lon/label_lat: the area's centroid, else the town seat."""
    out = towns.copy()
    lon, lat = [], []
    for g, x, y in zip(out.get("area_geojson", [None] * len(out)), out["lon"], out["lat"]):
        if isinstance(g, str) and g:
            _, (px, py) = parse_area(g)
            lon.append(px)
            lat.append(py)
        else:
            lon.append(x)
            lat.append(y)
    out["label_lon"], out["label_lat"] = lon, lat
    return out


@lru_cache(maxsize=8)
def county_outline(county_code: str) -> tuple[tuple[tuple[float, float], ...], ...]:
    """The real county outline's rings (data/reference/<code>.geojson, DataV, GCJ-02); () if unknown."""
    path = paths.REFERENCE_DIR / f"{county_code}.geojson"
    if not path.exists():
        return ()
    data = json.loads(path.read_text(encoding="utf-8"))
    rings: list = []
    for feat in data.get("features", []):
        rings.extend(_rings(feat.get("geometry") or {}))
    return tuple(tuple(tuple(p) for p in r) for r in rings)


def outlines(county_codes: Iterable[str]) -> pd.DataFrame:
    """One row per outline ring of the given counties (those with a reference outline)."""
    rows = [{"county_code": c, "ring": [list(p) for p in ring]} for c in dict.fromkeys(county_codes)
            for ring in county_outline(str(c))]
    return pd.DataFrame(rows, columns=["county_code", "ring"])


def bounds(points: Iterable[Sequence[float]]) -> tuple[float, float, float, float] | None:
    arr = np.asarray(list(points), dtype=float).reshape(-1, 2) if points is not None else np.empty((0, 2))
    arr = arr[~np.isnan(arr).any(axis=1)] if arr.size else arr
    if arr.size == 0:
        return None
    return float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 0].max()), float(arr[:, 1].max())


def merc_y(lat):
    """Web-mercator y (radians) of a latitude, or of an array of them."""
    return np.log(np.tan(np.pi / 4 + np.radians(np.clip(lat, -85.0, 85.0)) / 2))


def inv_merc_y(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


def fit_view(b: tuple[float, float, float, float] | None, width: int = 560, height: int = 600,
             padding: int = 16, max_zoom: float = 14.5) -> pdk.ViewState:
    """A top-down view that fits the bounds (lon0, lat0, lon1, lat1) into a viewport of about this size."""
    if b is None:
        return pdk.ViewState(longitude=113.0, latitude=36.55, zoom=9.6, pitch=0, bearing=0)
    lon0, lat0, lon1, lat1 = b
    span_x = max(lon1 - lon0, 1e-4)
    y0, y1 = merc_y(lat0), merc_y(lat1)
    span_y = max(abs(y1 - y0), 1e-6)
    # deck.gl's web-mercator world is 512 px wide at zoom 0
    zx = math.log2((width - 2 * padding) * 360.0 / (512.0 * span_x))
    zy = math.log2((height - 2 * padding) * 2 * math.pi / (512.0 * span_y))
    zoom = min(zx, zy, max_zoom)
    lat_c = inv_merc_y((y0 + y1) / 2)
    return pdk.ViewState(longitude=round((lon0 + lon1) / 2, 6), latitude=round(lat_c, 6),
                         zoom=round(zoom, 2), pitch=0, bearing=0, min_zoom=4, max_zoom=16)


def screen_xy(view: pdk.ViewState | Mapping, lon: float, lat: float, width: float, height: float) -> tuple[float, float]:
    """Pixel position of (lon, lat) in a top-down deck of this size at the view (tests click sites with it)."""
    v = view if isinstance(view, Mapping) else {"longitude": view.longitude, "latitude": view.latitude,
                                                  "zoom": view.zoom}
    scale = 512.0 * 2 ** float(v["zoom"])

    def world(x: float, y: float) -> tuple[float, float]:
        return scale * (x + 180.0) / 360.0, scale * (1 - merc_y(y) / math.pi) / 2

    cx, cy = world(float(v["longitude"]), float(v["latitude"]))
    px, py = world(float(lon), float(lat))
    return width / 2 + px - cx, height / 2 + py - cy
