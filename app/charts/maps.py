"""The problem map (M7.2): one shape per district, coloured on a scale that
starts at 0, with a legend for what is not coloured; the districts a filter
leaves out are hatched grey, never painted 0. Labels are fitted into their
tile. Each shape's pixels come back with the figure, for the dashboard's
clickable image map."""
from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

import matplotlib
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Polygon, Rectangle

from .render import _figure, _wrap, empty

CMAP = colormaps["YlOrRd"]
OUT = {"facecolor": "#f2f2f2", "edgecolor": "#a0a0a0", "hatch": "///"}
"""A district outside the filter."""
NONE = {"facecolor": "#ffffff", "edgecolor": "#808080", "linestyle": "--"}
"""A district without a figure (no population entered for a rate)."""
MIN_FONT = 6.0


@dataclass
class Place:
    """A district as the map draws it."""

    kato: str
    label: str  # short, for the tile
    name: str  # full, for the link's title
    lat: float
    lon: float
    value: Optional[float]
    text: str  # the value as shown
    in_filter: bool = True
    link: Optional[dict] = None  # drill-down criteria


@dataclass
class Notes:
    """The words of the legend (translated by the caller)."""

    scale: str
    out: str
    none: str
    empty: str = ""


def _scale(places: Sequence[Place]) -> Normalize:
    """From 0 to the largest value shown: equal rates look alike, a
    quarter more looks a quarter darker — not white against dark red."""
    top = max((p.value for p in places if p.in_filter and p.value is not None), default=0)
    return Normalize(vmin=0, vmax=top or 1)


def _style(place: Place, norm: Normalize) -> dict:
    if not place.in_filter:
        return dict(OUT)
    if place.value is None:
        return dict(NONE)
    return {"facecolor": CMAP(norm(place.value)), "edgecolor": "#555555"}


def _ink(place: Place, norm: Normalize) -> str:
    if not place.in_filter or place.value is None:
        return "#555555"
    return "white" if norm(place.value) > 0.6 else "black"


def _fit(fig: Figure, boxes: list[tuple[object, list]]) -> None:
    """Shrink (and at the smallest size, wrap) each tile's texts until they
    fit inside it, with a margin."""
    renderer = FigureCanvasAgg(fig).get_renderer()  # measures text as the PNG will draw it
    fig.draw_without_rendering()
    for patch, texts in boxes:
        box = patch.get_window_extent(renderer)
        for _step in range(12):
            extents = [t.get_window_extent(renderer) for t in texts]
            wide = max(e.width for e in extents) > box.width * 0.9
            tall = sum(e.height for e in extents) > box.height * 0.85
            if not (wide or tall):
                break
            if all(t.get_fontsize() <= MIN_FONT for t in texts):
                name = texts[0]
                if " " in name.get_text() and "\n" not in name.get_text():
                    name.set_text(name.get_text().replace(" ", "\n", 1))
                    continue
                name.set_text(textwrap.shorten(name.get_text(), max(6, len(name.get_text()) - 2), placeholder="…"))
                continue
            for t in texts:
                t.set_fontsize(max(MIN_FONT, t.get_fontsize() - 0.5))


def _areas(fig: Figure, shapes: list[tuple[object, Place]]) -> list[tuple[dict, str, str, str]]:
    """(criteria, "poly", "x,y,…", title) of every shape with a link, in the PNG's pixels."""
    fig.draw_without_rendering()
    height = fig.bbox.height
    out = []
    for patch, place in shapes:
        if place.link is None:
            continue
        points = patch.get_verts()
        coords = ",".join(f"{round(x)},{round(height - y)}" for x, y in points[:-1] if x == x and y == y)
        out.append((place.link, "poly", coords, f"{place.name}: {place.text}"))
    return out


def _finish(fig: Figure, ax, norm: Normalize, notes: Notes, title: str, places: Sequence[Place]) -> None:
    ax.set_aspect(1.3)
    ax.set_axis_off()
    fig.colorbar(matplotlib.cm.ScalarMappable(norm=norm, cmap=CMAP), ax=ax, shrink=0.7, label=notes.scale)
    handles = []
    if any(not p.in_filter for p in places):
        handles.append(Patch(**OUT, label=notes.out))
    if any(p.in_filter and p.value is None for p in places):
        handles.append(Patch(**NONE, label=notes.none))
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=9, frameon=False)
    fig.suptitle(_wrap(title), fontsize=13)


def tile_map(title: str, places: Sequence[Place], notes: Notes) -> tuple[Figure, list]:
    """One tile per district at its centre's position (nudged apart where
    centres are close); the figure and its clickable areas."""
    if not places:
        return empty(title, notes.empty), []
    fig = _figure(9, 6.5)
    ax = fig.add_subplot()
    norm = _scale(places)
    lats, lons = [p.lat for p in places], [p.lon for p in places]
    size = max(max(lons) - min(lons), max(lats) - min(lats)) / 5 or 0.3
    placed: list[tuple[float, float]] = []
    shapes, boxes = [], []
    for place in sorted(places, key=lambda p: (-p.lat, p.lon)):
        x, y = place.lon, place.lat
        while any(abs(x - px) < size * 1.04 and abs(y - py) < size * 0.84 for px, py in placed):
            x += size * 0.55  # nudge overlapping centres apart, keep the geography readable
        placed.append((x, y))
        tile = Rectangle((x - size / 2, y - size * 0.4), size, size * 0.8, linewidth=1, **_style(place, norm))
        tile.set_in_layout(False)
        ax.add_patch(tile)
        ink = _ink(place, norm)
        name = ax.text(x, y + size * 0.13, place.label, ha="center", va="center", fontsize=9, color=ink)
        value = ax.text(x, y - size * 0.2, place.text, ha="center", va="center", fontsize=10, fontweight="bold",
                        color=ink)
        for t in (name, value):
            t.set_in_layout(False)
        shapes.append((tile, place))
        boxes.append((tile, [name, value]))
    xs, ys = [p[0] for p in placed], [p[1] for p in placed]
    ax.set_xlim(min(xs) - size * 0.6, max(xs) + size * 0.6)
    ax.set_ylim(min(ys) - size * 0.5, max(ys) + size * 0.5)
    _finish(fig, ax, norm, notes, title, places)
    _fit(fig, boxes)
    return fig, _areas(fig, shapes)


def geo_map(title: str, geojson: dict, places: dict[str, Place], notes: Notes,
            key_property: str = "kato") -> tuple[Figure, list]:
    """District boundaries from a GeoJSON keyed by KATO code; the figure and
    its clickable areas."""
    fig = _figure(9, 6.5)
    ax = fig.add_subplot()
    norm = _scale(list(places.values()))
    shapes = []
    for feature in geojson.get("features", []):
        kato = str(feature.get("properties", {}).get(key_property, ""))
        place = places.get(kato) or Place(kato, kato, kato, 0, 0, None, "", in_filter=False)
        geom = feature.get("geometry") or {}
        polys = geom.get("coordinates", [])
        if geom.get("type") == "Polygon":
            polys = [polys]
        xs_all, ys_all = [], []
        for poly in polys:
            ring = poly[0]
            patch = Polygon(ring, closed=True, linewidth=0.8, **_style(place, norm))
            patch.set_in_layout(False)
            ax.add_patch(patch)
            shapes.append((patch, place))
            xs_all += [p[0] for p in ring]
            ys_all += [p[1] for p in ring]
        if xs_all:
            label = ax.text(sum(xs_all) / len(xs_all), sum(ys_all) / len(ys_all), f"{place.label}\n{place.text}",
                            ha="center", va="center", fontsize=8, color="#222222")
            label.set_in_layout(False)
    ax.autoscale_view()
    _finish(fig, ax, norm, notes, title, list(places.values()))
    return fig, _areas(fig, shapes)


def load_geojson(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)
