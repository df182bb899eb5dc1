"""Images drawn server-side with Pillow and the bundled font, cached and inlined as data: URLs: the symbol
atlas, the label atlas, the legend's SVG symbols and the base map (county and town areas in one image).

The icon mappings leave out deck.gl's `mask` (false when not given: the image's own colours are drawn): it was
13 bytes an entry in every deck, resent on every filter change (a label, a town mask: 900 towns at ×100)."""
from __future__ import annotations

import base64
import io
import math
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np
import pandas as pd

from civic import paths
from civic.map.geometry import merc_y, parse_area
from civic.map.style import ICON_CELL, Theme, hex_rgb, rgba, theme


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
    out: dict = {f"c{i}": (rgba(c, 235), rgba(th.station_line), 0.09) for i, c in enumerate(th.ramp)}
    out["idle"] = (rgba(th.idle_fill), rgba(th.idle_line), 0.18)
    out["ctx"] = (rgba(th.context), None, 0.0)
    out.update({f"t{i}": (rgba(c, 220), rgba(th.station_line), 0.04) for i, c in enumerate(th.ramp)})
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
    return big.resize((cell, cell), Image.Resampling.LANCZOS)


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
        mapping[name] = {"x": i * cell, "y": 0, "width": cell, "height": cell, "anchorY": cell // 2}
        if name not in colours:
            continue
        cx, cy = (i * cell + cell / 2) * ss, (cell / 2 + (4 if name == "triangle" else 0)) * ss
        r = cell * 0.46 * ss
        edge = cell * 0.09 * ss
        draw.polygon(_shape(name, cx, cy, r), fill=tuple(th.icon_edge) + (255,))
        inner = _shape(name, cx, cy, r - edge * (1.9 if name == "star" else 1.5 if name == "triangle" else 1.25))
        draw.polygon(inner, fill=tuple(colours[name][:3]) + (255,))
    img = img.resize((cell * len(names), cell), Image.Resampling.LANCZOS)
    for name, m in mapping.items():
        if name in circles:
            img.paste(_circle_cell(*circles[name]), (m["x"], m["y"]))
    # reduced to 256 colours (a channel moves by 2 at most at a mark's centre): 34 kB → 8 kB, resent in
    # every deck (each filter change)
    return _png_url(img, blend=True), mapping


def _png_url(img, palette: bool = True, blend: bool = False) -> str:
    """A PNG data URL; an image of at most 256 colours (the base map has a dozen: it is drawn without
    anti-aliasing) is stored with an exact palette, at about half the bytes (`palette=False`: RGBA kept,
    for images whose exact alpha matters when read back, e.g. by Pillow, which reads a palette's tRNS
    of one 0 entry as fully opaque elsewhere). `blend`: an anti-aliased image of more colours (the labels:
    text over its halo; the marks' edges) is reduced to the 256 nearest (Pillow's octree, alpha included),
    which looks the same and is a quarter of the bytes — at ×100 the labels of a town view were 112 kB of
    the 341 kB of a deck.

    zlib level 6, not 9: within a few per cent of the bytes, at a tenth of the time (the label atlas of a
    town view took ~0.3 s at level 9; every newly chosen town draws one)."""
    buf = io.BytesIO()
    img = img.convert("RGBA")
    out = _exact_palette(img) if palette else img
    if blend and out.mode == "RGBA":
        from PIL import Image
        out = img.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    out.save(buf, format="PNG", compress_level=6)
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
        # whole pixels from an integer origin (the stub types the box as floats)
        x0, y0, x1, y1 = (round(v) for v in probe.textbbox((0, 0), text, font=font, stroke_width=sw))
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
        mapping[RING_KEY] = {"x": 0, "y": 0, "width": cell, "height": cell}
    draw = ImageDraw.Draw(img)
    for i, ((text, st), (ox, oy, w, h, font, sw), (px, py)) in enumerate(zip(labels, boxes, places)):
        draw.text((px - ox + 1, py - oy + 1), text, font=font, fill=tuple(st.colour), stroke_width=sw,
                  stroke_fill=tuple(st.halo))
        mapping[str(i)] = {"x": px, "y": py, "width": w, "height": h}
    return _png_url(img, blend=True), mapping


def legend_svg(kind: str, colour: Sequence[int], size: int = 16, edge: Sequence[int] = (255, 255, 255),
               ring: Sequence[int] | None = None) -> str:
    """A small map symbol as an <img> with an inline SVG data URL (st.html strips <svg> elements)."""
    c = hex_rgb(colour)
    e = hex_rgb(edge)
    if kind in ICON_OF_LEVEL.values():
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in _shape(kind, 8, 8.6 if kind == "triangle" else 8, 7.2))
        body = f'<polygon points="{pts}" fill="{c}" stroke="{e}" stroke-width="1.3" stroke-linejoin="round"/>'
    else:  # circle (station), optionally a hollow ring (idle)
        stroke = hex_rgb(ring) if ring is not None else e
        width = 2 if ring is not None else 1
        body = f'<circle cx="8" cy="8" r="5.8" fill="{c}" stroke="{stroke}" stroke-width="{width}"/>'
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16">{body}</svg>'
    url = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img src="{url}" width="{size}" height="{size}" alt="" style="vertical-align:-3px"/>'


# ── the base map: county and town areas drawn into one image ─────────────────────────────────
BASE_OVERSAMPLE = 2.5       # image pixels per screen pixel at the initial view: sharp when zooming in
BASE_MAX_SIDE = 4096        # every WebGL device takes textures this large
BASE_MAX_PIXELS = 1_500_000   # a larger image is decoded after the first frame and costs a second one
DECK_EARTH_RADIUS = 40.03e6 / (2 * math.pi)   # metres: deck.gl's (math.gl's) earth circumference / 2π


def town_area_rows(towns: pd.DataFrame, th: Theme, focused: bool) -> list[tuple]:
    """(rings, fill, line, line width px) per town area, selected towns last (their outline on top)."""
    rows = []
    for i, r in enumerate(towns.itertuples(index=False)):
        g = getattr(r, "area_geojson", None)
        if not isinstance(g, str) or not g:
            continue
        rings, _ = parse_area(g)
        sel = bool(getattr(r, "selected", True))
        code = str(r.town_code)[-2:]
        fill = th.town_fills[int(code) % len(th.town_fills)] if code.isdigit() else th.town_fills[i % len(th.town_fills)]
        alpha = 255 if (sel or not focused) else th.faded_alpha
        line, width = (th.focus_line, 2.2) if (focused and sel) else (th.town_line, 1.2)
        rows.append((1 if (focused and sel) else 0, rings, tuple(rgba(fill, alpha)), tuple(rgba(line)), width))
    rows.sort(key=lambda x: x[0])
    return [x[1:] for x in rows]


@lru_cache(maxsize=32)
def base_image(areas: tuple, outline_rings: tuple, th: Theme, extent: tuple[float, float, float, float],
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
        return list(zip((a[:, 0] - lon0) / (lon1 - lon0) * w, (y1 - merc_y(a[:, 1])) / (y1 - y0) * h))

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


# ── town masks: each town's area as a nearly transparent icon, so a click on it can be picked ────────
MASK_SIDE = 128             # atlas px of a town's longer side: picking needs no more (the cells are 示意)
MASK_ALPHA = 10             # barely visible; above the layer's alpha cutoff, so the area is pickable
MASK_ATLAS_WIDTH = 1024


@lru_cache(maxsize=32)
def town_mask_atlas(areas: tuple[tuple[str, tuple], ...]) -> tuple[str, dict, dict]:
    """(data URL, icon mapping, mercator extents) for `areas` ((town_code, rings), …): each town's rings
    filled in its own cell, transparent around them. Extents are (lon0, y0, lon1, y1) per town_code, the
    cell's exact footprint on the map (deck.gl discards the transparent pixels when picking)."""
    from PIL import Image, ImageDraw

    cells, extents = [], {}
    for code, rings in areas:
        pts = np.asarray([p for r in rings for p in r], dtype=float)
        lon0, lon1 = float(pts[:, 0].min()), float(pts[:, 0].max())
        ys = merc_y(pts[:, 1])
        y0, y1 = float(ys.min()), float(ys.max())
        span_x, span_y = max(math.radians(lon1 - lon0), 1e-9), max(y1 - y0, 1e-9)   # both in mercator units
        k = MASK_SIDE / max(span_x, span_y)
        size = (max(4, round(span_x * k)), max(4, round(span_y * k)))
        extents[code] = (lon0, y0, lon1, y1)
        cells.append((code, rings, size))
    x = y = row_h = 0
    placed = []
    for code, rings, (w, h) in cells:
        if x + w > MASK_ATLAS_WIDTH:
            x, y, row_h = 0, y + row_h + 1, 0
        placed.append((code, rings, x, y, w, h))
        x, row_h = x + w + 1, max(row_h, h)
    img = Image.new("RGBA", (MASK_ATLAS_WIDTH, max(1, y + row_h)), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img, "RGBA")
    mapping = {}
    for code, rings, cx, cy, w, h in placed:
        lon0, y0, lon1, y1 = extents[code]
        for ring in rings:
            a = np.asarray(ring, dtype=float)
            xs = cx + (a[:, 0] - lon0) / max(lon1 - lon0, 1e-12) * w
            ys = cy + (y1 - merc_y(a[:, 1])) / max(y1 - y0, 1e-12) * h
            draw.polygon(list(zip(xs, ys)), fill=(255, 255, 255, MASK_ALPHA))
        mapping[code] = {"x": cx, "y": cy, "width": w, "height": h}
    return _png_url(img, palette=False), mapping, extents
