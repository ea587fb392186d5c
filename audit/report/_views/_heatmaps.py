"""Heatmaps as inline SVG (a grid of cells): the image attribution view's per-group mean maps.

No image element and no data URI (the report's Content-Security-Policy forbids both); every
label is escaped. A map arrives as a list of rows of numbers (report.json's ``details``).
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from .._html import Markup, as_mapping, esc, fmt_num, group_label

__all__ = ["heatmap_svg", "render_image_attribution"]

_CELL = 5


def _grid(m: Any) -> list[list[float]] | None:
    if not isinstance(m, Sequence) or not m or not all(isinstance(r, Sequence) and r for r in m):
        return None
    rows = [[float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else 0.0
             for v in r] for r in m[:64]]
    width = min(len(r) for r in rows)
    return [r[:width] for r in rows]


def heatmap_svg(m: Any, label: str, *, signed: bool = False, scale: float | None = None) -> Markup:
    """One map: white to dark red (or blue-white-red when ``signed``), scaled to ``scale`` (its own max)."""
    grid = _grid(m)
    if grid is None:
        return Markup("")
    top = scale if scale else max((abs(v) for r in grid for v in r), default=0.0) or 1.0
    h, w = len(grid), len(grid[0])
    cells = []
    for i, r in enumerate(grid):
        for j, v in enumerate(r):
            t = max(-1.0, min(1.0, v / top))
            if signed:
                red, green, blue = ((255, int(255 * (1 - t)), int(255 * (1 - t))) if t >= 0
                                    else (int(255 * (1 + t)), int(255 * (1 + t)), 255))
            else:
                t = max(t, 0.0)
                red, green, blue = 255 - int(80 * t), int(255 * (1 - t)), int(255 * (1 - t))
            if (red, green, blue) != (255, 255, 255):
                cells.append(f'<rect x="{j * _CELL}" y="{i * _CELL}" width="{_CELL}" height="{_CELL}" '
                             f'fill="#{red:02x}{green:02x}{blue:02x}"/>')
    return Markup(f'<figure class="heatmap"><svg role="img" aria-label="{esc(label)}" width="{w * _CELL}" '
                  f'height="{h * _CELL}" viewBox="0 0 {w * _CELL} {h * _CELL}" xmlns="http://www.w3.org/2000/svg">'
                  f'<rect width="100%" height="100%" fill="#ffffff" stroke="#999"/>{"".join(cells)}</svg>'
                  f'<figcaption>{esc(label)}</figcaption></figure>')


def _rows(metrics: Sequence[Mapping[str, Any]], suffix: str) -> list[Mapping[str, Any]]:
    return [r for r in metrics if str(r.get("metric", "")).endswith(suffix)]


def render_image_attribution(result: Mapping[str, Any], details: Mapping[str, Any]) -> list[str]:
    """The per-group mean heatmaps of each method, their difference, region shares and the sanity check."""
    from .._html import fmt_value, table

    out = [f'<p class="note">{esc(details.get("reading", ""))}</p>',
           f'<p class="muted">{esc(fmt_num(details.get("n_images")))} images (seeded sample), explaining '
           f'{esc(details.get("explained", "the prediction"))}; each map is the mean over a group of maps scaled to '
           'sum to 1, so every image counts once.</p>']
    maps = as_mapping(details.get("heatmaps"))
    for method, entry in maps.items():
        if not isinstance(entry, Mapping):
            continue
        groups = [g for g in entry.get("groups") or [] if isinstance(g, Mapping)]
        scale = max((abs(float(v)) for g in groups for r in (_grid(g.get("heatmap")) or []) for v in r), default=0.0)
        figures = [heatmap_svg(g.get("heatmap"), f"{group_label(g.get('group'))} (n = {fmt_num(g.get('n'))})",
                               scale=scale or None) for g in groups]
        for d in entry.get("differences") or []:
            if isinstance(d, Mapping):
                figures.append(heatmap_svg(d.get("heatmap"), f"{group_label(d.get('group'))} minus "
                                           f"{group_label(d.get('minus'))}", signed=True))
        for k, ex in enumerate(entry.get("examples") or []):
            figures.append(heatmap_svg(ex, f"example {k + 1} (opted in)"))
        out.append(f"<h3>{esc(method)}: mean heatmap by group</h3>")
        out.append(f'<div class="heatmaps">{"".join(figures)}</div>')
    metrics = [r for r in result.get("metrics") or [] if isinstance(r, Mapping)]
    body = [[str(r.get("metric")), group_label(r.get("group")) if r.get("group") else "all images", fmt_value(r),
             r.get("n")] for r in (*_rows(metrics, "_share_in_region"), *_rows(metrics, "_group_difference_l1"),
                                   *_rows(metrics, "_randomisation_rank_correlation"),
                                   *_rows(metrics, "_randomisation_ssim"))]
    if body:
        out.append(table(["metric", "group", "value", "images"], body, numeric=(2, 3),
                         caption="Attribution inside the region mask (share of the map), group difference (L1 of "
                                 "the mean maps), and similarity to the maps of a model with randomised weights "
                                 "(near 0: the maps depend on the model, as they should)"))
    return out
