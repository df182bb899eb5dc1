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

The view module: the deck, the station map and the selection; the layers (layers.py), the images
(atlas.py), geometry (geometry.py), legend and tooltips (legend.py) and the constants and themes (style.py)
live beside it and are re-exported here, so callers use `maps.X` for all of it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

# The names used here, and re-exported (noqa F401): callers (pages, the screen, tests, benchmarks) use
# maps.X for the whole map package.
from civic.map.atlas import SITE_ICONS, LabelStyle, icon_atlas, label_atlas, legend_svg  # noqa: F401
from civic.map.geometry import (  # noqa: F401
    bounds,
    fit_view,
    merc_y,
    outlines,
    parse_area,
    screen_xy,
    town_label_points,
    with_areas,
)
from civic.map.layers import (  # noqa: F401
    ICON_LAYER_FEED,
    base_layer,
    context_layer,
    density_layer,
    icon_bounds,
    labels_layer,
    link_layer,
    site_layer,
    stable_id,
    town_areas_layer,
    town_totals_layer,
)
from civic.map.legend import class_breaks, idle_chip_labels, legend_html, table_sites, tooltip, top_rows  # noqa: F401
from civic.map.style import (  # noqa: F401
    DARK,
    FONT_FAMILY,
    ICON_CELL,
    IDLE_CHIPS,
    IDS,
    LEVELS,
    LIGHT,
    MAX_POINTS,
    MAX_SITE_LABELS,
    METRICS,
    PAYLOAD_LIMIT,
    SITE_LAYER_IDS,
    TABLE_ROWS,
    Theme,
    theme,
)


# ── the deck ────────────────────────────────────────────────────────────────────────────────
class CompactDeck(pdk.Deck):
    """A pydeck Deck serialised without indentation and with UTF-8 text (pydeck's default indents and
    escapes every Chinese character to \\uXXXX, which triples the payload)."""

    def to_json(self):  # pydeck API
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"),
                          ensure_ascii=False)


class FrozenDeck:
    """A built deck kept as its JSON, for st.pydeck_chart (which reads `to_json()`, `_tooltip`, `width`
    and `mapbox_key`): serialised once, then shared read-only by every session showing the same map. The
    same JSON for the same map also lets Streamlit's message cache send a reference to a tab holding it.
    Other attributes (layers, the view) are the deck's own."""

    _tooltip: Any    # st.pydeck_chart reads it; the screen sets it off on a deck of its own (not shared)

    def __init__(self, d: CompactDeck) -> None:
        self._deck = d
        self._json = d.to_json()

    def to_json(self) -> str:
        return self._json

    def __getattr__(self, name: str) -> Any:
        return getattr(self._deck, name)


def deck(layers: Sequence[pdk.Layer], view: pdk.ViewState, dark: bool = False, tooltip_on: bool = True) -> CompactDeck:
    """A tile-less deck (map_provider=None: nothing is fetched from a map service)."""
    return CompactDeck(layers=list(layers), initial_view_state=view, map_provider=None,
                       tooltip=tooltip(dark) if tooltip_on else False,
                       views=[pdk.View(type="MapView", controller=True)])


def payload_bytes(d: pdk.Deck | FrozenDeck) -> int:
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
            for ring in parse_area(g)[0]:
                pts.extend(ring)
    if not focused and outline is not None:
        for ring in outline.get("ring", []):
            pts.extend(ring)
    if not pts and sites is not None and len(sites):
        pts = list(zip(sites["lon"], sites["lat"]))
    return fit_view(bounds(pts), *viewport)


@dataclass
class StationMap:
    deck: CompactDeck | FrozenDeck
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
                label_scale: float = 1.0, town_areas: bool = True) -> StationMap:
    """The whole map from the map_* query results.

    sites: map_sites rows in scope; towns: map_towns rows; context: map_context rows (other towns' sites when
    `focused` on selected towns); outline: `outlines(...)`. When not focused and there are more than
    `max_points` sites, sites are replaced by one bubble per town (centre and institutes stay).
    `mark_scale` and `label_scale` enlarge marks and lines, and labels (the exhibition screen is read from
    metres away). `town_areas=False` leaves out the pickable town areas (a kiosk nobody clicks).
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
    areas = town_areas_layer(towns, focused=focused, dark=dark, suffix=suffix) if town_areas else None
    layers: list[pdk.Layer] = [x for x in (base, areas) if x is not None]
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
                      layer_ids={k: stable_id(k, suffix) for k in IDS})


def frozen_station_map(*args: Any, **kwargs: Any) -> StationMap:
    """`station_map(...)` with its deck frozen (serialised once: FrozenDeck), for sharing between sessions."""
    sm = station_map(*args, **kwargs)
    return replace(sm, deck=FrozenDeck(sm.deck) if isinstance(sm.deck, CompactDeck) else sm.deck)


def map_bytes(sm: StationMap) -> int:
    """What a station map weighs in a cache: its deck's JSON."""
    return len(sm.deck.to_json())


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
