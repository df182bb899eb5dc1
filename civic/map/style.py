"""The map's constants and its two themes (light page, dark exhibition screen): layer ids, budgets, colours."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

# ── constants ─────────────────────────────────────────────────────────────────────────────────
LEVELS = ("中心", "所", "站", "基地")
IDS = {
    "base": "base_map",            # county and town areas (one image)
    "town_areas": "town_areas",    # the town areas again, nearly transparent and pickable (a click filters)
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


def hex_rgb(rgb: Sequence[int]) -> str:
    return "#{:02X}{:02X}{:02X}".format(*rgb[:3])


def rgba(rgb: Sequence[int], alpha: int = 255) -> list[int]:
    return [int(rgb[0]), int(rgb[1]), int(rgb[2]), int(rgb[3] if len(rgb) > 3 else alpha)]
