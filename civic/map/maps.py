"""Reusable pydeck layers for the 文明实践阵地 map: the analyst page and the exhibition screen.

Pure builders: DataFrames in (rows of the queries/map_*.sql named queries), pydeck objects out. No
Streamlit, no database. Every layer has a stable `id` (see IDS) so a chart with `on_select` keeps its
selection across reruns; the exhibition screen passes `dark=True` for its theme.

Offline by construction: `deck()` sets map_provider=None (no tiles); the base map, the symbols and the
labels are images drawn here (Pillow, the app's bundled font) and inlined as data: URLs.

Drawn for browsers without a GPU (exhibition PCs, thin clients, CI), where WebGL runs in software and every
layer type costs its shader compilation before the first frame: the default map is IconLayers only — the
county and town areas as one pre-drawn image (`base_layer`), every site, label and ring from atlases — one
program, where paths, polygons, circles and text took ~6 s to draw in such a Chromium. The optional density
and link layers add their own programs only when switched on.

Payload: `deck()` serialises compactly (no indent, UTF-8); `payload_bytes()` measures what a deck sends to
the browser. `station_map()` draws sites one by one up to `max_points` and otherwise (no town selected,
e.g. at --scale 100) shows one bubble per town, so the payload stays bounded whatever the data size.
"""
from __future__ import annotations

import base64
import io
import json
import math
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from civic import paths
from civic.text import fmt
from civic.text.i18n import current_lang, t, tv
from civic.text.safe_text import md_text

# ── constants ─────────────────────────────────────────────────────────────────────────────────
LEVELS = ("中心", "所", "站", "基地")
IDS = {
    "base": "base_map",            # county and town areas (one image)
    "density": "density_hex",
    "links": "institute_links",
    "context": "sites_context",    # other towns' sites, faint (town view)
    "town_totals": "town_totals",  # one bubble per town (zoomed-out view of a large network)
    "sites": "sites",              # every site in scope, all levels; rows carry "level"
    "labels": "map_labels",        # town and village names, and the ring around the selected site
}
SITE_LAYER_IDS = frozenset({IDS["sites"], IDS["context"]})
FONT_FAMILY = "Noto Sans SC, Noto Sans CJK SC, sans-serif"
MAX_POINTS = 5000          # sites drawn one by one when no town is selected; above that, town bubbles
MAX_TOWN_LABELS = 60       # label towns only when the view holds at most this many
MAX_SITE_LABELS = 120      # village names are drawn when a town view holds at most this many sites
PAYLOAD_LIMIT = 5_000_000  # bytes; the budget the page and the benchmark check
TABLE_ROWS = 1000          # rows of the site table sent to the browser (the export holds every row)
IDLE_CHIPS = 24            # idle stations offered as chips beside the map (the table lists all)
METRICS = ("activities", "beneficiaries")
COORD_DECIMALS = 5         # ~1 m; positions are approximate anyway
ICON_CELL = 96


# ── themes ────────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Theme:
    dark: bool
    county_fill: tuple
    county_line: tuple
    county_shadow: tuple
    town_fills: tuple
    town_line: tuple
    focus_line: tuple
    faded_alpha: int
    label: tuple
    label_faded: tuple
    label_outline: tuple
    site_label: tuple
    ramp: tuple            # station colour classes, low → high
    idle_fill: tuple
    idle_line: tuple
    station_line: tuple
    centre: tuple
    institute: tuple
    base: tuple
    icon_edge: tuple
    context: tuple
    links: tuple
    selected: tuple
    hex_range: tuple
    tooltip_bg: str
    tooltip_fg: str
    tooltip_muted: str
    tooltip_border: str


LIGHT = Theme(
    dark=False,
    county_fill=(251, 249, 244, 255), county_line=(72, 86, 102, 255), county_shadow=(30, 50, 80, 28),
    town_fills=((243, 237, 224), (232, 240, 228), (236, 234, 245), (246, 234, 228), (228, 238, 243),
                (242, 240, 222), (235, 229, 238), (229, 241, 236), (245, 236, 238)),
    town_line=(255, 255, 255, 255), focus_line=(31, 111, 178, 255), faded_alpha=110,
    label=(36, 48, 61, 255), label_faded=(110, 122, 135, 200), label_outline=(255, 255, 255, 235),
    site_label=(70, 82, 96, 255),
    ramp=((198, 219, 239), (146, 192, 226), (90, 155, 208), (44, 115, 181), (13, 74, 138)),
    idle_fill=(255, 255, 255, 255), idle_line=(214, 45, 45, 255), station_line=(255, 255, 255, 255),
    centre=(200, 22, 40), institute=(232, 120, 30), base=(46, 150, 100), icon_edge=(255, 255, 255),
    context=(120, 132, 146, 90), links=(232, 120, 30, 120), selected=(17, 24, 39, 255),
    hex_range=((254, 224, 144, 150), (253, 174, 97, 175), (244, 109, 67, 190), (215, 48, 39, 200),
               (165, 0, 38, 210), (103, 0, 31, 220)),
    tooltip_bg="#FFFFFF", tooltip_fg="#1D2733", tooltip_muted="#5B6B7B", tooltip_border="#D5DCE4",
)

DARK = Theme(
    dark=True,
    county_fill=(16, 30, 50, 255), county_line=(120, 180, 235, 255), county_shadow=(90, 170, 255, 45),
    town_fills=((22, 44, 72), (26, 50, 80), (20, 40, 66), (28, 48, 76), (24, 46, 70),
                (21, 42, 68), (27, 52, 82), (23, 45, 74), (25, 47, 78)),
    town_line=(60, 96, 136, 255), focus_line=(120, 200, 255, 255), faded_alpha=120,
    label=(226, 236, 246, 255), label_faded=(140, 160, 185, 200), label_outline=(8, 18, 32, 235),
    site_label=(190, 206, 222, 255),
    ramp=((40, 90, 140), (40, 130, 190), (60, 175, 225), (130, 215, 245), (220, 245, 255)),
    idle_fill=(16, 30, 50, 255), idle_line=(255, 96, 96, 255), station_line=(10, 20, 34, 255),
    centre=(255, 196, 60), institute=(255, 140, 60), base=(80, 210, 150), icon_edge=(10, 20, 34),
    context=(140, 165, 195, 90), links=(255, 140, 60, 130), selected=(255, 230, 90, 255),
    hex_range=((49, 54, 149, 140), (69, 117, 180, 150), (116, 173, 209, 160), (254, 224, 144, 170),
               (244, 109, 67, 180), (215, 48, 39, 190)),
    tooltip_bg="#0E1C2E", tooltip_fg="#E6EDF5", tooltip_muted="#9FB2C8", tooltip_border="#2A3A4F",
)


def theme(dark: bool = False) -> Theme:
    return DARK if dark else LIGHT


def _hex(rgb: Sequence[int]) -> str:
    return "#{:02X}{:02X}{:02X}".format(*rgb[:3])


def _rgba(rgb: Sequence[int], alpha: int = 255) -> list[int]:
    return [int(rgb[0]), int(rgb[1]), int(rgb[2]), int(rgb[3] if len(rgb) > 3 else alpha)]


# ── symbols: one icon atlas per theme, inlined as a data: URL ──────────────────────────────────
def _shape(kind: str, cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    if kind == "star":
        pts = []
        for i in range(10):
            rad = r if i % 2 == 0 else r * 0.45
            a = -math.pi / 2 + i * math.pi / 5
            pts.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
        return pts
    if kind == "diamond":
        return [(cx, cy - r), (cx + r * 0.8, cy), (cx, cy + r), (cx - r * 0.8, cy)]
    if kind == "triangle":
        return [(cx, cy - r), (cx + r * 0.93, cy + r * 0.62), (cx - r * 0.93, cy + r * 0.62)]
    raise ValueError(kind)


ICON_OF_LEVEL = {"中心": "star", "所": "diamond", "基地": "triangle"}
N_CLASSES = 5
IDLE_SIZE = 13.4            # px: a 5.5 px radius with a 2.4 px red ring
SELECTED_SIZE = 33.0        # px: the ring around the site in the detail panel


def _circles(th: Theme) -> dict[str, tuple[tuple | None, tuple | None, float]]:
    """Round marks as (fill, edge, edge width as a share of the diameter): station classes c0–c4, idle
    stations, other towns' sites (ctx) and the zoomed-out town bubbles t0–t4."""
    out: dict = {f"c{i}": (_rgba(c, 235), _rgba(th.station_line), 0.09) for i, c in enumerate(th.ramp)}
    out["idle"] = (_rgba(th.idle_fill), _rgba(th.idle_line), 0.18)
    out["ctx"] = (_rgba(th.context), None, 0.0)
    out.update({f"t{i}": (_rgba(c, 220), _rgba(th.station_line), 0.04) for i, c in enumerate(th.ramp)})
    return out


SITE_ICONS = (*ICON_OF_LEVEL.values(), *(f"c{i}" for i in range(N_CLASSES)), "idle")
SUPERSAMPLE = 4             # marks are drawn this much larger and scaled down: smooth edges


def _circle_cell(fill: Sequence[int] | None, line: Sequence[int] | None, share: float, cell: int = ICON_CELL):
    """A round mark in a cell×cell image: `fill` inside an edge of `line` `share` of the diameter wide
    (no edge when `line` is None, hollow when `fill` is None)."""
    from PIL import Image, ImageDraw
    big = Image.new("RGBA", (cell * SUPERSAMPLE, cell * SUPERSAMPLE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    c, r = cell / 2 * SUPERSAMPLE, (cell / 2 - 1) * SUPERSAMPLE
    if line is not None:
        draw.ellipse((c - r, c - r, c + r, c + r), fill=tuple(line))
        r -= share * 2 * r
    draw.ellipse((c - r, c - r, c + r, c + r), fill=tuple(fill) if fill is not None else (0, 0, 0, 0))
    return big.resize((cell, cell), Image.LANCZOS)


@lru_cache(maxsize=16)
def icon_atlas(dark: bool = False, only: tuple[str, ...] | None = None) -> tuple[str, dict]:
    """(data URL of a PNG atlas, iconMapping) of the marks on the map, pre-coloured per theme: the symbols
    of the centre (star), institutes (diamond) and bases (triangle), and the round marks of `_circles`;
    `only` these when given (each layer inlines its own copy of the atlas).

    Marks are icons over pre-drawn atlases so that the whole default map is IconLayers and one image:
    without a GPU (SwiftShader) each further layer type costs about half a second of shader compilation
    before the first frame."""
    from PIL import Image, ImageDraw

    th = theme(dark)
    ss = SUPERSAMPLE
    circles = _circles(th)
    names = [n for n in (*ICON_OF_LEVEL.values(), *circles) if only is None or n in only]
    colours = {"star": th.centre, "diamond": th.institute, "triangle": th.base}
    cell = ICON_CELL
    img = Image.new("RGBA", (cell * len(names) * ss, cell * ss), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    mapping = {}
    for i, name in enumerate(names):
        mapping[name] = {"x": i * cell, "y": 0, "width": cell, "height": cell, "anchorY": cell // 2,
                         "mask": False}
        if name not in colours:
            continue
        cx, cy = (i * cell + cell / 2) * ss, (cell / 2 + (4 if name == "triangle" else 0)) * ss
        r = cell * 0.46 * ss
        edge = cell * 0.09 * ss
        draw.polygon(_shape(name, cx, cy, r), fill=tuple(th.icon_edge) + (255,))
        inner = _shape(name, cx, cy, r - edge * (1.9 if name == "star" else 1.5 if name == "triangle" else 1.25))
        draw.polygon(inner, fill=tuple(colours[name][:3]) + (255,))
    img = img.resize((cell * len(names), cell), Image.LANCZOS)
    for name, m in mapping.items():
        if name in circles:
            img.paste(_circle_cell(*circles[name]), (m["x"], m["y"]))
    return _png_url(img), mapping


def _png_url(img) -> str:
    """A PNG data URL; an image of at most 256 colours (the base map has a dozen: it is drawn without
    anti-aliasing) is stored with an exact palette, at about half the bytes."""
    buf = io.BytesIO()
    _exact_palette(img).save(buf, format="PNG", compress_level=9)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _exact_palette(img):
    """`img` as a palette image with exactly its own colours (alpha kept), or unchanged above 256 colours.
    (Pillow's quantizers merge near colours: the pale town fills would run together.)"""
    from PIL import Image
    img = img.convert("RGBA")
    found = img.getcolors(256)          # None above 256 colours
    if found is None:
        return img
    colours = np.array(sorted(c for _, c in found), dtype=np.uint8)             # (n, 4)
    keys = np.ascontiguousarray(colours).view(np.uint32).ravel()
    order = np.argsort(keys)
    colours, keys = colours[order], keys[order]
    pixels = np.asarray(img).view(np.uint32)[..., 0]
    out = Image.fromarray(np.searchsorted(keys, pixels).astype(np.uint8), "P")
    out.putpalette(colours[:, :3].tobytes())
    out.info["transparency"] = colours[:, 3].tobytes()
    return out


# ── labels: names drawn into an atlas with the bundled font, shown as icons ─────────────────────
LABEL_OVERSAMPLE = 2        # atlas pixels per CSS pixel: sharp on HiDPI screens and 4K walls
ATLAS_WIDTH = 2048


@dataclass(frozen=True)
class LabelStyle:
    px: float               # font size, CSS pixels
    colour: tuple
    halo: tuple
    halo_px: float
    bold: bool = True


_FONT_LOCK = threading.Lock()   # a FreeType face is not safe to use from two sessions' threads at once


@lru_cache(maxsize=8)
def _font(bold: bool, px: int):
    from PIL import ImageFont
    name = "NotoSansSC-Bold.woff2" if bold else "NotoSansSC-Regular.woff2"
    return ImageFont.truetype(str(paths.FONTS_DIR / name), px)


RING_KEY = "sel"


@lru_cache(maxsize=64)
def label_atlas(labels: tuple[tuple[str, LabelStyle], ...], ring: tuple | None = None) -> tuple[str, dict]:
    """(data URL, iconMapping keyed "0", "1", …) of these texts, each with a halo so it reads on any fill;
    with `ring` (a colour), also the selection ring under the key RING_KEY.

    Labels as icons rather than a TextLayer: the IconLayer program is already compiled for the sites, while
    a TextLayer adds a second one and a glyph atlas built in the browser (~0.7 s in a GPU-less Chromium).
    The font is the app's own subset (static/fonts), so names look as they do in the page around the map."""
    with _FONT_LOCK:
        return _draw_label_atlas(labels, ring)


def _draw_label_atlas(labels: tuple[tuple[str, LabelStyle], ...], ring: tuple | None) -> tuple[str, dict]:
    from PIL import Image, ImageDraw

    k = LABEL_OVERSAMPLE
    probe = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    boxes = []
    for text, st in labels:
        font, sw = _font(st.bold, round(st.px * k)), max(1, round(st.halo_px * k))
        x0, y0, x1, y1 = probe.textbbox((0, 0), text, font=font, stroke_width=sw)
        boxes.append((x0, y0, x1 - x0 + 2, y1 - y0 + 2, font, sw))
    # shelf packing, in order, after the ring's cell
    cell = ICON_CELL if ring is not None else 0
    places, x, y, shelf = [], cell, 0, cell
    for _, _, w, h, _, _ in boxes:
        if x and x + w > ATLAS_WIDTH:
            x, y, shelf = 0, y + shelf, 0
        places.append((x, y))
        x, shelf = x + w, max(shelf, h)
    width = max([px + b[2] for (px, _), b in zip(places, boxes)] + [cell, 1])
    height = max(y + shelf, 1)
    img = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    mapping = {}
    if ring is not None:
        img.paste(_circle_cell(None, ring, 0.09, cell), (0, 0))
        mapping[RING_KEY] = {"x": 0, "y": 0, "width": cell, "height": cell, "mask": False}
    draw = ImageDraw.Draw(img)
    for i, ((text, st), (ox, oy, w, h, font, sw), (px, py)) in enumerate(zip(labels, boxes, places)):
        draw.text((px - ox + 1, py - oy + 1), text, font=font, fill=tuple(st.colour), stroke_width=sw,
                  stroke_fill=tuple(st.halo))
        mapping[str(i)] = {"x": px, "y": py, "width": w, "height": h, "mask": False}
    return _png_url(img), mapping


def legend_svg(kind: str, colour: Sequence[int], size: int = 16, edge: Sequence[int] = (255, 255, 255),
               ring: Sequence[int] | None = None) -> str:
    """A small map symbol as an <img> with an inline SVG data URL (st.html strips <svg> elements)."""
    c = _hex(colour)
    e = _hex(edge)
    if kind in ICON_OF_LEVEL.values():
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in _shape(kind, 8, 8.6 if kind == "triangle" else 8, 7.2))
        body = f'<polygon points="{pts}" fill="{c}" stroke="{e}" stroke-width="1.3" stroke-linejoin="round"/>'
    else:  # circle (station), optionally a hollow ring (idle)
        stroke = _hex(ring) if ring is not None else e
        width = 2 if ring is not None else 1
        body = f'<circle cx="8" cy="8" r="5.8" fill="{c}" stroke="{stroke}" stroke-width="{width}"/>'
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16">{body}</svg>'
    url = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img src="{url}" width="{size}" height="{size}" alt="" style="vertical-align:-3px"/>'


# ── geometry helpers ────────────────────────────────────────────────────────────────────────
def _round(x: float) -> float:
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
    return [[[_round(x), _round(y)] for x, y, *_ in poly[0]] for poly in polys if poly and poly[0]]


@lru_cache(maxsize=4096)
def _parse_area(geojson: str) -> tuple[tuple[tuple[tuple[float, float], ...], ...], tuple[float, float]]:
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
            best, point = ring, (_round(cx), _round(cy))
    if best is None and rings:
        a = np.asarray(rings[0], dtype=float)
        point = (_round(a[:, 0].mean()), _round(a[:, 1].mean()))
    return tuple(tuple(tuple(p) for p in r) for r in rings), point


def town_label_points(towns: pd.DataFrame) -> pd.DataFrame:
    """towns (map_towns rows) with label_lon/label_lat: the area's centroid, else the town seat."""
    out = towns.copy()
    lon, lat = [], []
    for g, x, y in zip(out.get("area_geojson", [None] * len(out)), out["lon"], out["lat"]):
        if isinstance(g, str) and g:
            _, (px, py) = _parse_area(g)
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


def _merc_y(lat):
    """Web-mercator y (radians) of a latitude, or of an array of them."""
    return np.log(np.tan(np.pi / 4 + np.radians(np.clip(lat, -85.0, 85.0)) / 2))


def _inv_merc_y(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


def fit_view(b: tuple[float, float, float, float] | None, width: int = 560, height: int = 600,
             padding: int = 16, max_zoom: float = 14.5) -> pdk.ViewState:
    """A top-down view that fits the bounds (lon0, lat0, lon1, lat1) into a viewport of about this size."""
    if b is None:
        return pdk.ViewState(longitude=113.0, latitude=36.55, zoom=9.6, pitch=0, bearing=0)
    lon0, lat0, lon1, lat1 = b
    span_x = max(lon1 - lon0, 1e-4)
    y0, y1 = _merc_y(lat0), _merc_y(lat1)
    span_y = max(abs(y1 - y0), 1e-6)
    # deck.gl's web-mercator world is 512 px wide at zoom 0
    zx = math.log2((width - 2 * padding) * 360.0 / (512.0 * span_x))
    zy = math.log2((height - 2 * padding) * 2 * math.pi / (512.0 * span_y))
    zoom = min(zx, zy, max_zoom)
    lat_c = _inv_merc_y((y0 + y1) / 2)
    return pdk.ViewState(longitude=round((lon0 + lon1) / 2, 6), latitude=round(lat_c, 6),
                         zoom=round(zoom, 2), pitch=0, bearing=0, min_zoom=4, max_zoom=16)


# ── tooltips ───────────────────────────────────────────────────────────────────────────────
def tooltip(dark: bool = False) -> dict:
    """One template for every pickable layer; each row carries t1 (title), t2 (subtitle), t3 (lines).
    Streamlit escapes the values, so lines are separated by newlines shown through white-space: pre-line."""
    th = theme(dark)
    html = (f'<div style="font-weight:700;font-size:14px">{{t1}}</div>'
            f'<div style="color:{th.tooltip_muted};font-size:12px;margin-top:1px">{{t2}}</div>'
            f'<div style="margin-top:5px">{{t3}}</div>')
    style = {"fontFamily": FONT_FAMILY, "fontSize": "13px", "lineHeight": "1.55", "whiteSpace": "pre-line",
             "backgroundColor": th.tooltip_bg, "color": th.tooltip_fg, "padding": "8px 11px",
             "border": f"1px solid {th.tooltip_border}", "borderRadius": "6px", "maxWidth": "320px",
             "boxShadow": "0 4px 14px rgba(0,0,0,0.18)", "zIndex": "10"}
    return {"html": html, "style": style}


def top_rows(frame: pd.DataFrame, limit: int, by: str | None = None) -> pd.DataFrame:
    """At most `limit` rows for the browser: all of them when they fit, else the first `limit` by `by`
    (descending, ties by site_id) or in the query's own order. At ×100 the unfiltered site table has
    ~36k rows (~6 MB of page elements), which alone kept the map page from drawing within seconds."""
    if len(frame) <= limit:
        return frame
    if by is None:
        return frame.head(limit)
    return frame.sort_values([by, "site_id"], ascending=[False, True], kind="stable").head(limit)


def table_sites(frame: pd.DataFrame, idle_only: bool = False) -> pd.DataFrame:
    """The sites the table (and its export) lists: every site in scope, or only the idle stations, longest
    idle first (as the chips)."""
    if not idle_only:
        return frame
    idle = frame[(frame.level == "站") & frame.idle.fillna(False).astype(bool)]
    return idle.sort_values(["last_activity", "site_id"], na_position="first", kind="stable")


def idle_chip_labels(idle: pd.DataFrame) -> list[str]:
    """Short labels for the idle-station chips: the village (with its town where the name repeats in the
    county) and the days since its last activity. st.pills renders options as Markdown: the name is escaped."""
    return [f"{md_text(r.short_label)} · "
            + (t("map.never") if pd.isna(r.idle_days) else t("map.days", n=f"{int(r.idle_days):,}"))
            for r in idle.itertuples()]


def _metric_label(metric: str) -> str:
    return t(f"map.metric.{metric}")


def _site_lines(r: Mapping, lang: str) -> str:
    lines = [t("map.tip_window", activities=fmt.num(r.get("activities", 0), lang),
               beneficiaries=fmt.num(r.get("beneficiaries", 0), lang))]
    last = r.get("last_activity")
    lines.append(t("map.tip_last", date=fmt.day(last, lang) if not _missing(last) else t("map.none")))
    if bool(r.get("idle")):
        lines.append(t("map.tip_idle"))
    teams = int(r.get("teams") or 0)
    if teams:
        names = r.get("team_names") or ""
        lines.append(t("map.tip_teams", n=teams, names=names) if names else t("map.tip_teams_n", n=teams))
    else:
        lines.append(t("map.tip_no_teams"))
    return "\n".join(lines)


def _missing(x) -> bool:
    try:
        return x is None or bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _site_subtitle(r: Mapping) -> str:
    bits = [tv("level", r.get("level"))]
    if isinstance(r.get("town_name"), str):
        bits.append(r["town_name"])
    vc = r.get("village_code")
    if isinstance(vc, str) and vc:
        bits.append(vc)
    elif isinstance(r.get("base_kind"), str) and r.get("base_kind"):
        bits.append(t(f"map.base_kind.{r['base_kind']}") if _has(f"map.base_kind.{r['base_kind']}")
                    else r["base_kind"])
    return " · ".join(bits)


def _has(key: str) -> bool:
    from civic.text.i18n import has
    return has(key)


# ── station encoding ────────────────────────────────────────────────────────────────────────
def class_breaks(values: Iterable[float], k: int = 5) -> list[float]:
    """Upper bounds of k-1 quantile classes over the positive values (rounded, strictly increasing)."""
    v = np.asarray([x for x in values if x is not None and not pd.isna(x) and x > 0], dtype=float)
    if v.size == 0:
        return []
    qs = np.quantile(v, [i / k for i in range(1, k)])
    out: list[float] = []
    for q in qs:
        q = float(np.ceil(q))
        if not out or q > out[-1]:
            out.append(q)
    return out


def _class_of(value: float, breaks: Sequence[float]) -> int:
    for i, b in enumerate(breaks):
        if value <= b:
            return i
    return len(breaks)


def station_style(value: float, idle: bool, breaks: Sequence[float], vmax: float,
                  n_classes: int = N_CLASSES) -> tuple[str, float]:
    """(icon, diameter px) of a village station: a colour class c0–c4 sized by the value, or "idle"."""
    if idle:
        return "idle", IDLE_SIZE
    cls = _class_of(value, breaks)
    # spread the classes over the ramp even when fewer breaks exist
    idx = 0 if not breaks else round(cls * (n_classes - 1) / max(len(breaks), 1))
    radius = 4.0 + 6.0 * math.sqrt(max(value, 0) / vmax) if vmax > 0 else 4.0
    return f"c{min(idx, n_classes - 1)}", round(2 * radius + 1, 1)


# ── layers ──────────────────────────────────────────────────────────────────────────────────
def _lit(s: str) -> str:
    """A literal string prop for pydeck (plain strings are turned into accessor expressions)."""
    assert '"' not in s
    return f'"{s}"'


def _layer(kind: str, data, layer_id: str, **kw) -> pdk.Layer:
    return pdk.Layer(kind, data, id=layer_id, **kw)


def _id(key: str, suffix: str = "") -> str:
    return IDS[key] + (f"-{suffix}" if suffix else "")


# Every IconLayer of the map is fed the same way (ICON_LAYER_FEED): position, icon and size per row, colour,
# angle and pixel offset left at their defaults. In a GPU-less browser (SwiftShader) each distinct vertex
# layout is compiled into its own pipeline on first draw, ~0.25 s apiece; with one layout the first frame
# compiles once and later layers cost ~50 ms. So no layer sets getColor (a constant colour is a different
# layout from per-row colours, and once a site is picked Streamlit fades every object of every layer that
# has one) and labels shift under their station through their atlas anchor, not getPixelOffset.
ICON_LAYER_FEED = {"get_position": "p", "get_icon": "i", "get_size": "s"}


# ── the base map: county and town areas drawn into one image ─────────────────────────────────
BASE_OVERSAMPLE = 2.5       # image pixels per screen pixel at the initial view: sharp when zooming in
BASE_MAX_SIDE = 4096        # every WebGL device takes textures this large
BASE_MAX_PIXELS = 1_500_000   # a larger image is decoded after the first frame and costs a second one
DECK_EARTH_RADIUS = 40.03e6 / (2 * math.pi)   # metres: deck.gl's (math.gl's) earth circumference / 2π


def _area_rows(towns: pd.DataFrame, th: Theme, focused: bool) -> list[tuple]:
    """(rings, fill, line, line width px) per town area, selected towns last (their outline on top)."""
    rows = []
    for i, r in enumerate(towns.itertuples(index=False)):
        g = getattr(r, "area_geojson", None)
        if not isinstance(g, str) or not g:
            continue
        rings, _ = _parse_area(g)
        sel = bool(getattr(r, "selected", True))
        code = str(r.town_code)[-2:]
        fill = th.town_fills[int(code) % len(th.town_fills)] if code.isdigit() else th.town_fills[i % len(th.town_fills)]
        alpha = 255 if (sel or not focused) else th.faded_alpha
        line, width = (th.focus_line, 2.2) if (focused and sel) else (th.town_line, 1.2)
        rows.append((1 if (focused and sel) else 0, rings, tuple(_rgba(fill, alpha)), tuple(_rgba(line)), width))
    rows.sort(key=lambda x: x[0])
    return [x[1:] for x in rows]


@lru_cache(maxsize=32)
def _base_image(areas: tuple, outline_rings: tuple, th: Theme, extent: tuple[float, float, float, float],
                size: tuple[int, int], px: float) -> str:
    """The base drawn in web-mercator pixels (square on the map at any latitude): the county's soft
    shadow and paper fill, town areas with their borders, the county boundary on top. `px` is image pixels
    per screen pixel, so line widths match the screen at the initial view."""
    from PIL import Image, ImageDraw

    lon0, y0, lon1, y1 = extent
    w, h = size
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img, "RGBA")

    def xy(ring) -> list[tuple[float, float]]:
        a = np.asarray(ring, dtype=float)
        return list(zip((a[:, 0] - lon0) / (lon1 - lon0) * w, (y1 - _merc_y(a[:, 1])) / (y1 - y0) * h))

    def line(ring, colour, width) -> None:
        pts = xy(ring)
        draw.line(pts + pts[:1], fill=colour, width=max(1, round(width * px)), joint="curve")

    for ring in outline_rings:
        line(ring, tuple(th.county_shadow), 9)
    for ring in outline_rings:
        draw.polygon(xy(ring), fill=tuple(th.county_fill))
    for rings, fill, _, _ in areas:
        for ring in rings:
            draw.polygon(xy(ring), fill=fill)
    for rings, _, colour, width in areas:
        for ring in rings:
            line(ring, colour, width)
    for ring in outline_rings:
        line(ring, tuple(th.county_line), 2.4)
    return _png_url(img)


def base_layer(towns: pd.DataFrame, outline_rings: pd.DataFrame, view: pdk.ViewState, *, focused: bool = False,
               dark: bool = False, line_scale: float = 1.0, suffix: str = "") -> pdk.Layer | None:
    """County outlines and town areas (approximate, 示意) as one pre-drawn image. With `focused`, unselected
    towns fade and selected ones are outlined. None when there is nothing to draw.

    Why an image: in a browser without a GPU (exhibition PCs, thin clients, this project's CI) deck.gl's
    path and polygon layers took ~1 s each to compile and rasterise before the first frame. Why an icon
    rather than a BitmapLayer: the IconLayer program is compiled for the sites anyway; a BitmapLayer cost
    its own compilation, ~0.3 s more."""
    th = theme(dark)
    areas = tuple(_area_rows(towns, th, focused))
    rings = tuple(tuple(tuple(p) for p in r) for r in outline_rings["ring"]) if len(outline_rings) else ()
    pts = [p for r in rings for p in r] + [p for a in areas for r in a[0] for p in r]
    b = bounds(pts)
    if b is None:
        return None
    zoom = float(view.zoom)
    per_lon = 512.0 * 2 ** zoom / 360.0            # screen px per degree of longitude at the initial view
    per_y = 512.0 * 2 ** zoom / (2 * math.pi)      # screen px per unit of mercator y
    pad = 10 * line_scale                           # screen px around the outline: room for the shadow
    lon0, lon1 = b[0] - pad / per_lon, b[2] + pad / per_lon
    y0, y1 = _merc_y(b[1]) - pad / per_y, _merc_y(b[3]) + pad / per_y
    w, h = (lon1 - lon0) * per_lon * BASE_OVERSAMPLE, (y1 - y0) * per_y * BASE_OVERSAMPLE
    shrink = min(1.0, BASE_MAX_SIDE / max(w, h), math.sqrt(BASE_MAX_PIXELS / max(w * h, 1.0)))
    size = (max(16, round(w * shrink)), max(16, round(h * shrink)))
    url = _base_image(areas, rings, th, (lon0, y0, lon1, y1), size, BASE_OVERSAMPLE * shrink * line_scale)
    # the image as one flat icon sized in metres at its centre: exactly its mercator extent (deck.gl sizes
    # metres at the icon's own latitude), and drawn by the IconLayer program the sites compile anyway
    lat_c = _inv_merc_y((y0 + y1) / 2)
    height_m = (y1 - y0) * DECK_EARTH_RADIUS * math.cos(math.radians(lat_c))
    row = {"p": [round((lon0 + lon1) / 2, 7), round(lat_c, 7)], "i": "base", "s": round(height_m, 2)}
    return _layer("IconLayer", [row], _id("base", suffix), **ICON_LAYER_FEED, icon_atlas=_lit(url),
                  icon_mapping={"base": {"x": 0, "y": 0, "width": size[0], "height": size[1], "mask": False}},
                  size_units=_lit("meters"), billboard=False, pickable=False)


def icon_bounds(layer: Mapping) -> tuple[float, float, float, float]:
    """(lon0, lat0, lon1, lat1) covered by the base image of a serialised `base_layer` (tests, checks)."""
    row = layer["data"][0]
    (lon_c, lat_c), m = row["p"], layer["iconMapping"][row["i"]]
    dy = float(row["s"]) / (DECK_EARTH_RADIUS * math.cos(math.radians(lat_c)))
    dlon = math.degrees(dy * m["width"] / m["height"])
    yc = _merc_y(lat_c)
    return lon_c - dlon / 2, _inv_merc_y(yc - dy / 2), lon_c + dlon / 2, _inv_merc_y(yc + dy / 2)


def _town_labels(towns: pd.DataFrame, th: Theme, focused: bool, scale: float) -> list[tuple[list, str, LabelStyle]]:
    """(position, text, style) of town names at their area's centre."""
    # a view of more towns than MAX_TOWN_LABELS (many counties) is too small to read names: tooltips only
    if len(towns) > MAX_TOWN_LABELS:
        return []
    out = []
    for r in town_label_points(towns).itertuples(index=False):
        if pd.isna(r.label_lon) or pd.isna(r.label_lat):
            continue
        faded = focused and not bool(getattr(r, "selected", True))
        style = LabelStyle(px=(13 if faded else (20 if focused else 16)) * scale,
                           colour=tuple(_rgba(th.label_faded if faded else th.label)),
                           halo=tuple(_rgba(th.label_outline)), halo_px=2.2 * scale)
        out.append(([_round(r.label_lon), _round(r.label_lat)], str(r.name), style))
    return out


def _site_labels(sites: pd.DataFrame, th: Theme, scale: float) -> list[tuple[list, str, LabelStyle]]:
    """(position, text, style) of short names (village, institute) to go under each station."""
    style = LabelStyle(px=12 * scale, colour=tuple(_rgba(th.site_label)), halo=tuple(_rgba(th.label_outline)),
                       halo_px=1.8 * scale, bold=False)
    return [([_round(r.lon), _round(r.lat)], str(r.label), style)
            for r in sites.itertuples(index=False) if r.level in ("站", "所")]


def labels_layer(towns: pd.DataFrame, label_sites: pd.DataFrame | None = None, selected: Mapping | None = None,
                 *, dark: bool = False, focused: bool = False, suffix: str = "", label_scale: float = 1.0,
                 mark_scale: float = 1.0) -> pdk.Layer:
    """Everything drawn over the sites and not pickable, in one IconLayer over one atlas: the ring around
    the site shown in the detail panel, town names at their area's centre, and (`label_sites`) village
    names under their stations. Rows carry "kind" ("selected", "town" or "site"), "p", "i", "s"."""
    th = theme(dark)
    rows: list[dict] = []
    if selected is not None and not _missing(selected.get("lon")) and not _missing(selected.get("lat")):
        rows.append({"kind": "selected", "p": [_round(selected["lon"]), _round(selected["lat"])], "i": RING_KEY,
                     "s": round(SELECTED_SIZE * mark_scale, 1)})
    texts = [("town", x) for x in _town_labels(towns, th, focused, label_scale)]
    if label_sites is not None and len(label_sites):
        texts += [("site", x) for x in _site_labels(label_sites, th, label_scale)]
    atlas, mapping = label_atlas(tuple((text, style) for _, (_, text, style) in texts), tuple(_rgba(th.selected)))
    mapping = dict(mapping)                       # the atlas is cached: anchor a copy
    for i, (kind, (pos, text, style)) in enumerate(texts):
        h = mapping[str(i)]["height"] / LABEL_OVERSAMPLE
        if kind == "site":
            # the name's top edge 9 px (× mark_scale) below the station's centre
            mapping[str(i)] = {**mapping[str(i)], "anchorY": round(-9 * mark_scale * LABEL_OVERSAMPLE, 1)}
        rows.append({"kind": kind, "text": text, "p": pos, "i": str(i), "s": round(h, 1)})
    return _layer("IconLayer", rows, _id("labels", suffix), **ICON_LAYER_FEED, size_units=_lit("pixels"),
                  icon_atlas=_lit(atlas), icon_mapping=mapping, billboard=True, pickable=False)


def _site_row(r: Mapping, lang: str) -> dict:
    vc = r.get("village_code")
    return {"site_id": r["site_id"], "level": r["level"], "name": r["name"],
            "village_code": vc if isinstance(vc, str) and vc else None,
            "p": [_round(r["lon"]), _round(r["lat"])],
            "t1": r["name"], "t2": _site_subtitle(r), "t3": _site_lines(r, lang)}


def _icon_layer(rows: list[dict], layer_id: str, dark: bool, icons: tuple[str, ...], *, pickable: bool = True,
                highlight: int = 140, **kw) -> pdk.Layer:
    """Marks from the theme's icon atlas (only `icons`); rows carry "p" and the icon name "i"."""
    atlas, mapping = icon_atlas(dark, icons)
    if pickable:
        kw.update(auto_highlight=True, highlight_color=[255, 200, 0, highlight])
    return _layer("IconLayer", rows, layer_id, **ICON_LAYER_FEED, icon_atlas=_lit(atlas), icon_mapping=mapping,
                  billboard=True, pickable=pickable, **kw)


SYMBOL_SIZES = {"中心": 34, "所": 24, "基地": 17}   # px


def site_layer(sites: pd.DataFrame, metric: str = "activities", dark: bool = False, suffix: str = "",
               breaks: Sequence[float] | None = None, zoomed_out: bool = False, scale: float = 1.0) -> pdk.Layer:
    """Every site in one layer, bottom to top: bases (▲), village stations (●, colour and size by the
    metric, idle ones white with a red ring), institutes (◆), the county centre (★). Each row carries
    site_id, level, name and, for stations, village_code, plus the tooltip lines. `zoomed_out` sizes the
    symbols in metres (capped in pixels) so a view of many counties does not drown in symbols.

    One layer rather than one per level: in a GPU-less browser every layer costs ~0.1 s more before the
    first frame, whatever it holds."""
    lang = current_lang()
    recs = sites.to_dict("records") if len(sites) else []
    stations = [r for r in recs if r["level"] == "站"]
    if breaks is None:
        breaks = class_breaks([r.get(metric, 0) for r in stations])
    vmax = max([float(r.get(metric, 0) or 0) for r in stations] or [0.0])
    rows = []
    for level in ("基地", "站", "所", "中心"):
        for r in recs:
            if r["level"] != level:
                continue
            row = _site_row(r, lang)
            if level == "站":
                row["i"], row["s"] = station_style(float(r.get(metric, 0) or 0), bool(r.get("idle")), breaks, vmax)
            else:
                row["i"] = ICON_OF_LEVEL[level]
                row["s"] = SYMBOL_SIZES[level] * (160 if zoomed_out else 1)
            rows.append(row)
    size_kw = ({"size_units": _lit("meters"), "size_min_pixels": 5, "size_max_pixels": 34 * scale} if zoomed_out
               else {"size_units": _lit("pixels"), "size_scale": scale})
    return _icon_layer(rows, _id("sites", suffix), dark, SITE_ICONS, **size_kw)


def context_layer(context: pd.DataFrame, dark: bool = False, suffix: str = "", scale: float = 1.0) -> pdk.Layer:
    """Other towns' sites, faint, with their own id (pickable: a click opens their detail too)."""
    rows = []
    for r in (context.to_dict("records") if len(context) else []):
        vc = r.get("village_code")
        rows.append({"site_id": r["site_id"], "name": r["name"],
                     "village_code": vc if isinstance(vc, str) and vc else None,
                     "p": [_round(r["lon"]), _round(r["lat"])], "i": "ctx", "t1": r["name"],
                     "t2": " · ".join([tv("level", r["level"]), str(r.get("town_name") or "")]),
                     "t3": t("map.tip_context"), "s": 6})
    return _icon_layer(rows, _id("context", suffix), dark, ("ctx",), size_units=_lit("pixels"), size_scale=scale)


def town_totals_layer(towns: pd.DataFrame, metric: str = "activities", dark: bool = False,
                      suffix: str = "", scale: float = 1.0) -> pdk.Layer:
    """One bubble per town (the zoomed-out view of a large network): size by the metric, colour by the
    share of idle stations."""
    lang = current_lang()
    tw = town_label_points(towns)
    tw = tw[tw["sites"] > 0] if "sites" in tw else tw
    vmax = float(tw[metric].max()) if len(tw) else 0.0
    rows = []
    for r in tw.to_dict("records"):
        share = (r["idle_stations"] / r["stations"]) if r.get("stations") else 0.0
        cls = min(int(share * 5), 4)
        radius = 700 + 2600 * math.sqrt(float(r[metric]) / vmax) if vmax > 0 else 700   # metres
        rows.append({"town_code": r["town_code"], "p": [_round(r["label_lon"]), _round(r["label_lat"])],
                     "i": f"t{4 - cls}", "s": round(2 * radius, 1), "t1": str(r["name"]), "t2": t("map.tip_town_totals"),
                     "t3": t("map.tip_town_lines", stations=int(r["stations"]), idle=int(r["idle_stations"]),
                             activities=fmt.num(r["activities"], lang),
                             beneficiaries=fmt.num(r["beneficiaries"], lang))})
    return _icon_layer(rows, _id("town_totals", suffix), dark, tuple(f"t{i}" for i in range(N_CLASSES)),
                       size_units=_lit("meters"), size_min_pixels=4, size_max_pixels=52 * scale)


def density_layer(points: pd.DataFrame, metric: str = "activities", dark: bool = False, suffix: str = "",
                  radius_m: int = 1600) -> pdk.Layer:
    """Hexagon density of the metric (sum per cell), aggregated in the browser from compact points."""
    th = theme(dark)
    rows = [{"p": [_round(x), _round(y)], "w": float(w)}
            for x, y, w in zip(points["lon"], points["lat"], points[metric])
            if w and w > 0 and not (pd.isna(x) or pd.isna(y))] if len(points) else []
    return _layer("HexagonLayer", rows, _id("density", suffix), get_position="p", get_color_weight="w",
                  color_aggregation=_lit("SUM"), get_elevation_weight="w", elevation_aggregation=_lit("SUM"),
                  radius=radius_m, coverage=0.94, extruded=False, opacity=0.8,
                  color_range=[list(c) for c in th.hex_range], pickable=False)


def link_layer(sites: pd.DataFrame, dark: bool = False, suffix: str = "", scale: float = 1.0) -> pdk.Layer:
    """Lines from each institute to its village stations (and from the centre to the institutes)."""
    th = theme(dark)
    pos = {r.site_id: (r.lon, r.lat, r.level) for r in sites.itertuples(index=False)}
    rows = []
    for r in sites.itertuples(index=False):
        parent = pos.get(r.parent_site_id) if isinstance(r.parent_site_id, str) else None
        if parent is None:
            continue
        if (r.level == "站" and parent[2] == "所") or (r.level == "所" and parent[2] == "中心"):
            rows.append({"s": [_round(parent[0]), _round(parent[1])], "t": [_round(r.lon), _round(r.lat)],
                         "w": 1.0 if r.level == "站" else 2.2})
    return _layer("LineLayer", rows, _id("links", suffix), get_source_position="s", get_target_position="t",
                  get_color=list(th.links), get_width="w", width_units=_lit("pixels"), width_scale=scale,
                  pickable=False)


# ── the deck ────────────────────────────────────────────────────────────────────────────────
class CompactDeck(pdk.Deck):
    """A pydeck Deck serialised without indentation and with UTF-8 text (pydeck's default indents and
    escapes every Chinese character to \\uXXXX, which triples the payload)."""

    def to_json(self):  # pydeck API
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"),
                          ensure_ascii=False)


def deck(layers: Sequence[pdk.Layer], view: pdk.ViewState, dark: bool = False, tooltip_on: bool = True) -> CompactDeck:
    """A tile-less deck (map_provider=None: nothing is fetched from a map service)."""
    return CompactDeck(layers=list(layers), initial_view_state=view, map_provider=None,
                       tooltip=tooltip(dark) if tooltip_on else False,
                       views=[pdk.View(type="MapView", controller=True)])


def payload_bytes(d: pdk.Deck) -> int:
    """Bytes of the deck spec sent to the browser (what st.pydeck_chart puts on the wire)."""
    return len(d.to_json().encode("utf-8"))


def layer_data(spec: str | Mapping, layer_id: str) -> list | None:
    """The data rows of one layer in a serialised deck (tests, benchmarks); `layer_id` may be the stable
    base id ("sites") of a layer drawn with a reset suffix ("sites-2")."""
    d = json.loads(spec) if isinstance(spec, str) else spec
    for layer in d.get("layers", []):
        lid = str(layer.get("id"))
        if lid == layer_id or base_layer_id(lid) == layer_id:
            return layer.get("data")
    return None


def site_rows(spec: str | Mapping, level: str | None = None) -> list[dict]:
    """The rows of the site layer in a serialised deck, optionally those of one level (站, 所, 中心, 基地)."""
    rows = layer_data(spec, IDS["sites"]) or []
    return [r for r in rows if level is None or r.get("level") == level]


def map_view(towns: pd.DataFrame, outline: pd.DataFrame | None = None, sites: pd.DataFrame | None = None,
             focused: bool = False, viewport: tuple[int, int] = (560, 600)) -> pdk.ViewState:
    """The initial view: the selected towns' areas when `focused`, else every town area and county outline;
    the sites' extent when no area is known."""
    pts: list = []
    area_rows = towns[towns["selected"]] if focused and "selected" in towns else towns
    for g in area_rows.get("area_geojson", []):
        if isinstance(g, str) and g:
            for ring in _parse_area(g)[0]:
                pts.extend(ring)
    if not focused and outline is not None:
        for ring in outline.get("ring", []):
            pts.extend(ring)
    if not pts and sites is not None and len(sites):
        pts = list(zip(sites["lon"], sites["lat"]))
    return fit_view(bounds(pts), *viewport)


@dataclass
class StationMap:
    deck: CompactDeck
    aggregated: bool                 # town bubbles instead of individual sites
    breaks: list[float]              # station colour classes (upper bounds)
    metric: str
    n_sites: int
    layer_ids: dict[str, str] = field(default_factory=dict)


def station_map(sites: pd.DataFrame, towns: pd.DataFrame, context: pd.DataFrame | None = None,
                outline: pd.DataFrame | None = None, *, metric: str = "activities", focused: bool = False,
                selected: Mapping | None = None, density: bool = False, links: bool = False,
                show_context: bool = True, dark: bool = False, max_points: int = MAX_POINTS, suffix: str = "",
                viewport: tuple[int, int] = (560, 600), mark_scale: float = 1.0,
                label_scale: float = 1.0) -> StationMap:
    """The whole map from the map_* query results.

    sites: map_sites rows in scope; towns: map_towns rows; context: map_context rows (other towns' sites when
    `focused` on selected towns); outline: `outlines(...)`. When not focused and there are more than
    `max_points` sites, sites are replaced by one bubble per town (centre and institutes stay).
    `mark_scale` and `label_scale` enlarge marks and lines, and labels (the exhibition screen is read from
    metres away).
    """
    metric = metric if metric in METRICS else "activities"
    context = context if context is not None else pd.DataFrame(columns=["site_id", "level", "name", "lon", "lat"])
    outline = outline if outline is not None else pd.DataFrame(columns=["county_code", "ring"])
    aggregated = (not focused) and len(sites) > max_points
    if focused and "selected" in towns and towns["selected"].any():
        # a town view draws the selected towns' counties only (not every replica county of a --scale build)
        towns = towns[towns["county_code"].isin(set(towns.loc[towns["selected"], "county_code"]))]
    stations = sites[sites["level"] == "站"] if len(sites) else sites
    breaks = class_breaks(stations[metric]) if len(stations) else []

    view = map_view(towns, outline, sites, focused, viewport)
    base = base_layer(towns, outline, view, focused=focused, dark=dark, line_scale=mark_scale, suffix=suffix)
    layers: list[pdk.Layer] = [base] if base is not None else []
    if density:
        pts = sites if not aggregated else (town_label_points(towns).drop(columns=["lon", "lat"])
                                            .rename(columns={"label_lon": "lon", "label_lat": "lat"}))
        layers.append(density_layer(pts, metric, dark, suffix, radius_m=1600 if not aggregated else 6000))
    if links and not aggregated:
        layers.append(link_layer(sites, dark, suffix, mark_scale))
    if focused and show_context:
        layers.append(context_layer(context, dark, suffix, mark_scale))
    if aggregated:
        layers.append(town_totals_layer(towns, metric, dark, suffix, mark_scale))
        layers.append(site_layer(sites[sites["level"].isin(["中心", "所"])], metric, dark, suffix, breaks,
                                 zoomed_out=True, scale=mark_scale))
    else:
        layers.append(site_layer(sites, metric, dark, suffix, breaks, scale=mark_scale))
    label_sites = sites if focused and not aggregated and 0 < len(sites) <= MAX_SITE_LABELS else None
    layers.append(labels_layer(towns, label_sites, selected, dark=dark, focused=focused, suffix=suffix,
                               label_scale=label_scale, mark_scale=mark_scale))

    d = deck(layers, view, dark)
    return StationMap(deck=d, aggregated=aggregated, breaks=breaks, metric=metric, n_sites=len(sites),
                      layer_ids={k: _id(k, suffix) for k in IDS})


# ── legend ──────────────────────────────────────────────────────────────────────────────────
def legend_html(metric: str = "activities", breaks: Sequence[float] = (), dark: bool = False,
                aggregated: bool = False, lang: str | None = None) -> str:
    """The map legend as one HTML block: symbols per level, the station colour classes, idle stations."""
    th = theme(dark)
    lang = lang or current_lang()
    fg = th.tooltip_fg
    muted = th.tooltip_muted

    def item(svg: str, text: str) -> str:
        return (f'<span style="display:inline-flex;align-items:center;gap:5px;margin:2px 14px 2px 0;'
                f'white-space:nowrap">{svg}<span>{text}</span></span>')

    edge = th.icon_edge
    parts = [item(legend_svg("star", th.centre, 18, edge), tv("level", "中心", lang)),
             item(legend_svg("diamond", th.institute, 16, edge), tv("level", "所", lang))]
    if aggregated:
        parts.append(item(legend_svg("circle", th.ramp[2], 16), t("map.legend_town_bubble", lang)))
    else:
        parts.append(item(legend_svg("circle", th.ramp[3], 14, th.station_line), tv("level", "站", lang)))
        parts.append(item(legend_svg("triangle", th.base, 15, edge), tv("level", "基地", lang)))
        parts.append(item(legend_svg("circle", th.idle_fill, 14, ring=th.idle_line), t("map.legend_idle", lang)))
    scale = ""
    if not aggregated and breaks:
        lows = [1] + [int(b) + 1 for b in breaks]
        highs = [int(b) for b in breaks] + [None]
        n = len(lows)
        chips = []
        for i, (lo, hi) in enumerate(zip(lows, highs)):
            idx = round(i * (len(th.ramp) - 1) / max(n - 1, 1))
            label = f"{fmt.num(lo, lang)}–{fmt.num(hi, lang)}" if hi is not None and hi != lo else \
                (fmt.num(lo, lang) if hi is not None else f"≥{fmt.num(lo, lang)}")
            chips.append(item(legend_svg("circle", th.ramp[idx], 12 + i, th.station_line), label))
        scale = (f'<div style="margin-top:2px;color:{muted};font-size:12px">'
                 f'<span style="margin-right:8px">{t("map.legend_scale", lang, metric=_metric_label_lang(metric, lang))}'
                 f'</span>{"".join(chips)}</div>')
    elif aggregated:
        scale = (f'<div style="margin-top:2px;color:{muted};font-size:12px">'
                 f'{t("map.legend_aggregated", lang, metric=_metric_label_lang(metric, lang))}</div>')
    return (f'<div class="civic-map-legend" style="font-family:{FONT_FAMILY};font-size:13px;color:{fg};'
            f'line-height:1.6">{"".join(parts)}{scale}</div>')


def _metric_label_lang(metric: str, lang: str) -> str:
    return t(f"map.metric.{metric}", lang)


# ── selection ───────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Picked:
    layer: str
    index: int | None
    site_id: str | None
    obj: Mapping


def base_layer_id(layer_id: str) -> str:
    """The stable id without a reset suffix: "sites-3" → "sites"."""
    for base in IDS.values():
        if layer_id == base or layer_id.startswith(base + "-"):
            return base
    return layer_id


def picked(state: Any) -> Picked | None:
    """The picked object of a st.pydeck_chart selection state ({"selection": {"indices", "objects"}})."""
    if not state:
        return None
    try:
        sel = state["selection"] if "selection" in state else getattr(state, "selection", None)
    except (TypeError, KeyError):
        sel = getattr(state, "selection", None)
    if not sel:
        return None
    objects = sel.get("objects") or {}
    indices = sel.get("indices") or {}
    for layer, objs in objects.items():
        for i, o in enumerate(objs or []):
            if isinstance(o, Mapping):
                idx = (indices.get(layer) or [None] * (i + 1))
                sid = o.get("site_id") if base_layer_id(layer) in SITE_LAYER_IDS else None
                return Picked(layer=str(layer), index=idx[i] if i < len(idx) else None, site_id=sid, obj=o)
    return None


def screen_xy(view: pdk.ViewState | Mapping, lon: float, lat: float, width: float, height: float) -> tuple[float, float]:
    """Pixel position of (lon, lat) in a top-down deck of this size at the view (tests click sites with it)."""
    v = view if isinstance(view, Mapping) else {"longitude": view.longitude, "latitude": view.latitude,
                                                  "zoom": view.zoom}
    scale = 512.0 * 2 ** float(v["zoom"])

    def world(x: float, y: float) -> tuple[float, float]:
        return scale * (x + 180.0) / 360.0, scale * (1 - _merc_y(y) / math.pi) / 2

    cx, cy = world(float(v["longitude"]), float(v["latitude"]))
    px, py = world(float(lon), float(lat))
    return width / 2 + px - cx, height / 2 + py - cy
