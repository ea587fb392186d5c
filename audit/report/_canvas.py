"""A small SVG canvas with the subset of matplotlib's ``Figure``/``Axes`` API the report's charts use.

Drawing SVG directly costs a few milliseconds per chart where matplotlib took hundreds (and a
second to import). The output is deterministic (coordinates rounded to 0.01 pt, ids derived
from the chart's ident), uses only ``svg g path rect text clipPath defs title`` elements, and
every string is escaped with :func:`audit.report._html.esc`: text from data is text, never markup.
Layout follows matplotlib's conventions: sizes in inches (72 pt each), marker sizes in points
(``s`` in scatter is an area in pt^2), ``set_yticks(positions, labels)``, ``invert_yaxis``,
``ticklabel_format(style="sci")``, a figure legend above the panels.
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ._html import Markup, esc

__all__ = ["Axes", "Figure", "Line2D"]

_FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
_CHAR_EM = 0.58  # mean advance of a sans-serif character, in em (width estimate for layout)
_DASHES = {"-": None, "solid": None, "--": (3.7, 1.6), "dashed": (3.7, 1.6), "-.": (6.4, 1.6, 1.0, 1.6),
           "dashdot": (6.4, 1.6, 1.0, 1.6), ":": (1.0, 1.65), "dotted": (1.0, 1.65)}


def _f(x: float) -> str:
    """A coordinate as short, stable text (0.01 pt)."""
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def text_width(text: str, size: float) -> float:
    """Estimated width in pt of ``text`` at ``size`` pt (for margins; browsers draw the real glyphs)."""
    return len(text) * size * _CHAR_EM


def _dash(style: Any, width: float) -> str:
    pattern: tuple[float, ...] | None
    if isinstance(style, tuple):  # matplotlib's (offset, (on, off, ...))
        pattern = tuple(style[1])
    else:
        pattern = _DASHES.get(style or "-")
    if not pattern:
        return ""
    return f' stroke-dasharray="{",".join(_f(p * max(width, 0.5)) for p in pattern)}"'


def _marker_path(marker: str, x: float, y: float, size: float) -> str:
    """Path data of a marker of diameter ``size`` pt centred on (x, y)."""
    r = size / 2
    if marker == "s":
        return f"M{_f(x - r)} {_f(y - r)}h{_f(2 * r)}v{_f(2 * r)}h{_f(-2 * r)}Z"
    if marker in ("^", "v"):
        k = -1 if marker == "^" else 1
        return f"M{_f(x)} {_f(y + k * r)}L{_f(x + r)} {_f(y - k * r)}L{_f(x - r)} {_f(y - k * r)}Z"
    if marker == "D":
        r *= 0.85
        return f"M{_f(x)} {_f(y - r)}L{_f(x + r)} {_f(y)}L{_f(x)} {_f(y + r)}L{_f(x - r)} {_f(y)}Z"
    if marker in ("P", "X", "*"):
        if marker == "*":
            pts = [(r * (1 if i % 2 == 0 else 0.4), math.pi / 2 + i * math.pi / 5) for i in range(10)]
            pts = [(x + d * math.cos(a), y - d * math.sin(a)) for d, a in pts]
        else:
            t = r / 3
            cross = [(-t, -r), (t, -r), (t, -t), (r, -t), (r, t), (t, t), (t, r), (-t, r), (-t, t), (-r, t),
                     (-r, -t), (-t, -t)]
            c, s = (math.cos(math.pi / 4), math.sin(math.pi / 4)) if marker == "X" else (1.0, 0.0)
            pts = [(x + px * c - py * s, y + px * s + py * c) for px, py in cross]
        return "M" + "L".join(f"{_f(px)} {_f(py)}" for px, py in pts) + "Z"
    if marker == "|":
        return f"M{_f(x)} {_f(y - r)}V{_f(y + r)}"
    return (f"M{_f(x - r)} {_f(y)}a{_f(r)} {_f(r)} 0 1 0 {_f(2 * r)} 0"  # "o": a circle as two arcs
            f"a{_f(r)} {_f(r)} 0 1 0 {_f(-2 * r)} 0Z")


class Line2D:
    """A legend handle (as matplotlib's): a line and/or a marker with colours."""

    def __init__(self, xdata: Sequence[float] = (), ydata: Sequence[float] = (), *, color: str = "#1f2933",
                 linestyle: Any = "-", linewidth: float = 1.5, marker: str | None = None, markersize: float = 6.0,
                 markerfacecolor: str | None = None, markeredgecolor: str | None = None, label: str = "") -> None:
        self.xdata, self.ydata, self.color, self.linestyle, self.linewidth = xdata, ydata, color, linestyle, linewidth
        self.marker, self.markersize, self.label = marker, markersize, label
        self.markerfacecolor, self.markeredgecolor = markerfacecolor, markeredgecolor

    def glyph(self, x: float, y: float) -> str:
        """The handle drawn in a legend box whose left middle is (x, y), 18 pt wide."""
        out = []
        if self.linestyle not in ("none", "None", "", None):
            out.append(f'<path d="M{_f(x)} {_f(y)}h18" fill="none" stroke="{self.color}" '
                       f'stroke-width="{_f(self.linewidth)}"{_dash(self.linestyle, self.linewidth)}/>')
        if self.marker == "|":
            out.append(f'<path d="{_marker_path("|", x + 9, y, self.markersize)}" fill="none" stroke="{self.color}" '
                       f'stroke-width="{_f(self.linewidth)}"/>')
        elif self.marker:
            face = self.markerfacecolor or self.color
            edge = self.markeredgecolor or face
            out.append(f'<path d="{_marker_path(self.marker, x + 9, y, self.markersize)}" fill="{face}" '
                       f'stroke="{edge}" stroke-width="1.2"/>')
        return "".join(out)


@dataclass
class _Patch:
    """A legend handle for bars: a filled box."""

    color: str
    edgecolor: str | None
    label: str

    def glyph(self, x: float, y: float) -> str:
        edge = f' stroke="{self.edgecolor}" stroke-width="0.8"' if self.edgecolor else ""
        return f'<rect x="{_f(x + 2)}" y="{_f(y - 4.5)}" width="14" height="9" fill="{self.color}"{edge}/>'


def _seq(v: Any, n: int | None = None) -> list[Any]:
    if isinstance(v, (list, tuple)) or (hasattr(v, "__len__") and not isinstance(v, str)):
        return list(v)
    return [v] * (n or 1)


def _nice_ticks(lo: float, hi: float, n: int = 6) -> list[float]:
    """Round tick positions covering [lo, hi] (steps of 1, 2, 2.5 or 5 times a power of ten)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else []
    raw = (hi - lo) / max(n - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.ceil(lo / step - 1e-9) * step
    ticks, k = [], 0
    while start + k * step <= hi + step * 1e-9:
        ticks.append(round(start + k * step, 12))
        k += 1
    return ticks


def _tick_labels(ticks: Sequence[float], sci: tuple[int, int] | None) -> list[str]:
    if not ticks:
        return []
    big = max(abs(t) for t in ticks)
    if sci is not None and big and not (10.0 ** sci[0] <= big < 10.0 ** sci[1]):
        return ["0" if t == 0 else f"{t:.2g}".replace("e-0", "e-").replace("e+0", "e") for t in ticks]
    step = min((abs(b - a) for a, b in itertools.pairwise(ticks) if b != a), default=1.0)
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step else 0
    if decimals and any(abs(round(t / step) * step - t) > step * 1e-6 for t in ticks):
        decimals += 1
    return [f"{t:.{decimals}f}" if decimals else f"{t:.0f}" for t in ticks]


class Axes:
    """One panel: artists in data coordinates, limits, ticks, labels; drawn by :class:`Figure`."""

    def __init__(self) -> None:
        self._artists: list[tuple[float, str, dict[str, Any]]] = []  # (zorder, kind, params)
        self._handles: list[Any] = []
        self._xlim: tuple[float, float] | None = None
        self._ylim: tuple[float, float] | None = None
        self._xticks: tuple[list[float], list[str] | None] | None = None
        self._yticks: tuple[list[float], list[str] | None] | None = None
        self._inverted = False
        self._grid = {"x": True, "y": True}
        self._title = ""
        self._xlabel = ""
        self._ylabel = ""
        self._legend: dict[str, Any] | None = None
        self._equal = False
        self._sci: dict[str, tuple[int, int]] = {}
        self._show_xticklabels = True
        self._show_yticklabels = True
        self._shared_x: list[Axes] | None = None
        self._shared_y: list[Axes] | None = None

    # -- artists ---------------------------------------------------------------------------------
    def _add(self, z: float, kind: str, **params: Any) -> None:
        self._artists.append((z, kind, params))

    def barh(self, y: Any, width: Any, height: float = 0.8, left: Any = 0.0, *, color: Any = "#1f77b4",
             edgecolor: str | None = None, linewidth: float = 0.0, label: str | None = None) -> None:
        ys = _seq(y)
        ws = _seq(width, len(ys))
        lefts = _seq(left, len(ys))
        colors = _seq(color, len(ys)) if not isinstance(color, str) else [color] * len(ys)
        for yy, w, lf, c in zip(ys, ws, lefts, colors, strict=True):
            self._add(1, "rect", x0=min(lf, lf + w), x1=max(lf, lf + w), y0=yy - height / 2, y1=yy + height / 2,
                      color=c, edge=edgecolor, lw=linewidth if edgecolor else 0.0)
        if label:
            self._handles.append(_Patch(colors[0] if colors else "#1f77b4", edgecolor, label))

    def bar(self, x: Any, height: Any, width: float = 0.8, *, color: Any = "#1f77b4", label: str | None = None) -> None:
        xs = _seq(x)
        hs = _seq(height, len(xs))
        colors = _seq(color, len(xs)) if not isinstance(color, str) else [color] * len(xs)
        for xx, h, c in zip(xs, hs, colors, strict=True):
            self._add(1, "rect", x0=xx - width / 2, x1=xx + width / 2, y0=min(0.0, h), y1=max(0.0, h), color=c,
                      edge=None, lw=0.0)
        if label:
            self._handles.append(_Patch(colors[0], None, label))

    def errorbar(self, x: Sequence[float], y: Sequence[float], *, xerr: Any = None, fmt: str = "none",
                 ecolor: str = "#1f2933", elinewidth: float = 1.0, capsize: float = 0.0,
                 label: str | None = None) -> None:
        minus, plus = (xerr if xerr is not None else ([0.0] * len(x), [0.0] * len(x)))
        for xx, yy, lo, hi in zip(x, y, minus, plus, strict=True):
            self._add(2, "errx", x0=xx - lo, x1=xx + hi, y=yy, color=ecolor, lw=elinewidth, cap=capsize)
        if label:
            self._handles.append(Line2D(color=ecolor, linewidth=elinewidth, marker="|", markersize=2 * capsize + 2,
                                        label=label))

    def scatter(self, x: Sequence[float], y: Sequence[float], s: float = 36.0, *, color: str | None = None,
                marker: str = "o", facecolors: str | None = None, edgecolors: str | None = None,
                linewidths: float = 0.0, zorder: float = 1, label: str | None = None) -> None:
        face = facecolors or color or "#1f77b4"
        edge = edgecolors or face
        size = math.sqrt(max(s, 0.0))
        for xx, yy in zip(x, y, strict=True):
            self._add(zorder, "marker", x=xx, y=yy, marker=marker, size=size, face=face, edge=edge,
                      lw=linewidths)
        if label:
            self._handles.append(Line2D(linestyle="none", marker=marker, markersize=size, color=face,
                                        markerfacecolor=face, markeredgecolor=edge, label=label))

    def plot(self, x: Sequence[float], y: Sequence[float], *, color: str = "#1f77b4", linestyle: Any = "-",
             linewidth: float = 1.5, marker: str | None = None, markersize: float = 6.0,
             label: str | None = None) -> None:
        self._add(2, "line", xs=list(x), ys=list(y), color=color, style=linestyle, lw=linewidth)
        if marker:
            for xx, yy in zip(x, y, strict=True):
                self._add(2.1, "marker", x=xx, y=yy, marker=marker, size=markersize, face=color, edge=color, lw=0.0)
        if label:
            self._handles.append(Line2D(color=color, linestyle=linestyle, linewidth=linewidth, marker=marker,
                                        markersize=markersize, label=label))

    def axvline(self, x: float, *, color: str = "#1f2933", linestyle: Any = "-", linewidth: float = 1.0) -> None:
        self._add(2.5, "vspan", x=x, color=color, style=linestyle, lw=linewidth)

    def axhline(self, y: float, *, color: str = "#1f2933", linestyle: Any = "-", linewidth: float = 1.0) -> None:
        self._add(2.5, "hspan", y=y, color=color, style=linestyle, lw=linewidth)

    def vlines(self, x: float, ymin: float, ymax: float, *, colors: str = "#1f2933", linestyles: Any = "-",
               linewidth: float = 1.0, zorder: float = 2) -> None:
        self._add(zorder, "line", xs=[x, x], ys=[ymin, ymax], color=colors, style=linestyles, lw=linewidth)

    def text(self, x: float, y: float, s: str, *, ha: str = "left", fontsize: float = 9,
             color: str = "#1f2933") -> None:
        self._add(5, "text", x=x, y=y, s=str(s), ha=ha, size=fontsize, color=color, dx=0.0, dy=0.0)

    def annotate(self, s: str, xy: tuple[float, float], *, textcoords: str = "offset points",
                 xytext: tuple[float, float] = (0, 0), fontsize: float = 9, color: str = "#1f2933") -> None:
        self._add(5, "text", x=xy[0], y=xy[1], s=str(s), ha="left", size=fontsize, color=color,
                  dx=float(xytext[0]), dy=-float(xytext[1]))

    # -- decoration -------------------------------------------------------------------------------
    def set_xlim(self, lo: float, hi: float) -> None:
        self._xlim = (float(lo), float(hi))

    def set_ylim(self, lo: float, hi: float) -> None:
        self._ylim = (float(lo), float(hi))

    def set_xticks(self, ticks: Sequence[float], labels: Sequence[str] | None = None) -> None:
        self._xticks = (list(ticks), None if labels is None else [str(t) for t in labels])

    def set_yticks(self, ticks: Sequence[float], labels: Sequence[str] | None = None) -> None:
        self._yticks = (list(ticks), None if labels is None else [str(t) for t in labels])

    def invert_yaxis(self) -> None:
        self._inverted = True

    def grid(self, visible: bool = True, *, axis: str = "both") -> None:
        for a in ("x", "y") if axis == "both" else (axis,):
            self._grid[a] = bool(visible)

    def set_title(self, title: str, *, loc: str = "left") -> None:
        self._title = str(title)

    def set_xlabel(self, label: str) -> None:
        self._xlabel = str(label)

    def set_ylabel(self, label: str) -> None:
        self._ylabel = str(label)

    def set_aspect(self, aspect: str) -> None:
        self._equal = aspect == "equal"

    def ticklabel_format(self, *, axis: str = "both", style: str = "plain",
                         scilimits: tuple[int, int] = (-5, 6)) -> None:
        for a in ("x", "y") if axis == "both" else (axis,):
            if style == "sci":
                self._sci[a] = scilimits

    def legend(self, *, loc: str = "best", fontsize: float = 8, ncols: int = 1) -> None:
        self._legend = {"loc": loc, "size": fontsize, "ncols": max(int(ncols), 1)}

    # -- geometry ---------------------------------------------------------------------------------
    def _extent(self, axis: str) -> tuple[float, float] | None:
        vals: list[float] = []
        for _, kind, p in self._artists:
            if kind == "rect":
                vals += [p["x0"], p["x1"]] if axis == "x" else [p["y0"], p["y1"]]
            elif kind == "errx":
                vals += [p["x0"], p["x1"]] if axis == "x" else [p["y"]]
            elif kind in ("marker", "text"):
                vals.append(p[axis])
            elif kind == "line":
                vals += p["xs"] if axis == "x" else p["ys"]
            elif kind == "vspan" and axis == "x":
                vals.append(p["x"])
            elif kind == "hspan" and axis == "y":
                vals.append(p["y"])
        ticks = self._xticks if axis == "x" else self._yticks
        if ticks is not None:
            vals += ticks[0]
        vals = [float(v) for v in vals if v is not None and math.isfinite(float(v))]
        return (min(vals), max(vals)) if vals else None

    def limits(self, axis: str) -> tuple[float, float]:
        """The axis range: as set, else the data's with a 5 % margin (as matplotlib's autoscale)."""
        fixed = self._xlim if axis == "x" else self._ylim
        if fixed is not None:
            return fixed
        shared = self._shared_x if axis == "x" else self._shared_y
        extents = [e for a in (shared or [self]) if (e := a._extent(axis)) is not None]
        if not extents:
            return (0.0, 1.0)
        lo, hi = min(e[0] for e in extents), max(e[1] for e in extents)
        if hi == lo:
            lo, hi = lo - (abs(lo) * 0.05 or 0.5), hi + (abs(hi) * 0.05 or 0.5)
        pad = (hi - lo) * 0.05
        return lo - pad, hi + pad

    def ticks(self, axis: str) -> tuple[list[float], list[str]]:
        lo, hi = self.limits(axis)
        given = self._xticks if axis == "x" else self._yticks
        if given is not None:
            pos = given[0]
            labels = given[1] if given[1] is not None else _tick_labels(pos, self._sci.get(axis))
            return pos, labels
        pos = [t for t in _nice_ticks(min(lo, hi), max(lo, hi)) if min(lo, hi) - 1e-12 <= t <= max(lo, hi) + 1e-12]
        return pos, _tick_labels(pos, self._sci.get(axis))


class _Grid:
    """The axes of ``Figure.subplots(..., squeeze=False)``: ``grid[:, 0]``, ``grid[0]``, as numpy indexes."""

    def __init__(self, rows: list[list[Axes]]) -> None:
        self._rows = rows

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, tuple):
            r, c = key
            rows = self._rows[r] if isinstance(r, slice) else [self._rows[r]]
            picked = [row[c] for row in rows]
            return picked if isinstance(r, slice) else picked[0]
        return self._rows[key]

    def __iter__(self) -> Iterator[list[Axes]]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


class Figure:
    """A figure of ``width`` x ``height`` inches holding a grid of :class:`Axes`; :meth:`to_svg` draws it."""

    def __init__(self, width: float, height: float, *, ident: str, font_size: float = 9.0,
                 ink: str = "#1f2933", muted: str = "#52606d", rule: str = "#d9e2ec", grid: str = "#eef1f4") -> None:
        self.width, self.height, self.ident = width * 72.0, height * 72.0, ident
        self.font_size, self.ink, self.muted, self.rule, self.grid_color = font_size, ink, muted, rule, grid
        self._rows: list[list[Axes]] = []
        self._ratios: list[float] = []
        self._legend: dict[str, Any] | None = None

    def subplots(self, nrows: int = 1, ncols: int = 1, *, sharex: bool = False, sharey: bool = False,
                 squeeze: bool = True, gridspec_kw: dict[str, Any] | None = None) -> Any:
        self._rows = [[Axes() for _ in range(ncols)] for _ in range(nrows)]
        self._ratios = list((gridspec_kw or {}).get("height_ratios") or [1.0] * nrows)
        flat = [a for row in self._rows for a in row]
        if sharex:
            for a in flat:
                a._shared_x = flat
            for row in self._rows[:-1]:
                for a in row:
                    a._show_xticklabels = False
        if sharey:
            for a in flat:
                a._shared_y = flat
            for row in self._rows:
                for a in row[1:]:
                    a._show_yticklabels = False
        if squeeze:
            if nrows == 1 and ncols == 1:
                return self._rows[0][0]
            return flat
        return _Grid(self._rows)

    def legend(self, *, handles: Sequence[Any] | None = None, loc: str = "outside upper right", ncols: int = 1) -> None:
        if handles is None:
            handles = [h for row in self._rows for a in row for h in a._handles]
        self._legend = {"handles": list(handles), "ncols": max(int(ncols), 1)}

    # -- drawing ----------------------------------------------------------------------------------
    def _legend_block(self, handles: Sequence[Any], x: float, y: float, size: float, ncols: int,
                      align_right: float | None) -> tuple[list[str], float, float]:
        """Legend entries in ``ncols`` columns from (x, y) (top left) or ending at ``align_right``."""
        widths = [18 + 4 + text_width(h.label, size) + 10 for h in handles]
        cols = max(1, min(ncols, len(handles)))
        col_w = [max(widths[i::cols], default=0.0) for i in range(cols)]
        total = sum(col_w)
        rows = math.ceil(len(handles) / cols) if handles else 0
        if align_right is not None:
            x = align_right - total
        out = []
        for i, h in enumerate(handles):
            cx = x + sum(col_w[: i % cols])
            cy = y + (i // cols) * (size + 5) + size / 2 + 1
            out.append(h.glyph(cx, cy))
            out.append(self._text(cx + 22, cy, h.label, size, self.ink, "start"))
        return out, total, rows * (size + 5)

    def _text(self, x: float, y: float, s: str, size: float, color: str, anchor: str, *, bold: bool = False,
              rotate: bool = False) -> str:
        """Text whose vertical middle is at y (baseline at y + 0.35 em)."""
        weight = ' font-weight="bold"' if bold else ""
        if rotate:
            return (f'<text transform="translate({_f(x + size * 0.35)} {_f(y)}) rotate(-90)" text-anchor="{anchor}" '
                    f'font-size="{_f(size)}" fill="{color}"{weight}>{esc(s)}</text>')
        return (f'<text x="{_f(x)}" y="{_f(y + size * 0.35)}" text-anchor="{anchor}" font-size="{_f(size)}" '
                f'fill="{color}"{weight}>{esc(s)}</text>')

    def to_svg(self, title_id: str, description: str) -> Markup:
        fs = self.font_size
        body: list[str] = []
        defs: list[str] = []
        top = 4.0
        if self._legend and self._legend["handles"]:
            items, _, h = self._legend_block(self._legend["handles"], 0.0, top, fs - 1, self._legend["ncols"],
                                             align_right=self.width - 4)
            body += items
            top += h + 4
        ncols = max((len(r) for r in self._rows), default=1)
        # margins: left from the widest y tick label (and the y label), bottom from x tick labels and x label
        left_margin = []
        for c in range(ncols):
            widest = 0.0
            for row in self._rows:
                a = row[c]
                _, labels = a.ticks("y")
                w = max((text_width(s, fs - 0.5) for s in labels), default=0.0) if a._show_yticklabels else 0.0
                widest = max(widest, w + 8 + (fs + 6 if a._ylabel else 0))
            left_margin.append(widest + 4)
        right_pad = 8.0
        deco = []
        for row in self._rows:
            title = max((fs + 1 + 6 if a._title else 4.0) for a in row)
            bottom = max(((fs + 6 if a._show_xticklabels else 3.0) + (fs + 6 if a._xlabel else 0.0)) for a in row)
            deco.append((title, bottom))
        free = max(self.height - top - sum(t + b for t, b in deco) - 4, 20.0 * len(self._rows))
        total_ratio = sum(self._ratios) or 1.0
        heights = [max(free * r / total_ratio, 20.0) for r in self._ratios]
        col_w = (self.width - sum(left_margin) - right_pad * ncols) / max(ncols, 1)
        y = top
        n_clip = 0
        for row, (title_h, bottom_h), h in zip(self._rows, deco, heights, strict=True):
            x = 0.0
            for c, a in enumerate(row):
                x += left_margin[c]
                w, hh = col_w, h
                if a._equal:  # square panel, centred in its cell
                    side = min(w, hh)
                    w = hh = side
                box = (x, y + title_h, w, hh)
                clip = f"{self.ident}-clip{n_clip}"
                n_clip += 1
                defs.append(f'<clipPath id="{clip}"><rect x="{_f(box[0])}" y="{_f(box[1])}" width="{_f(w)}" '
                            f'height="{_f(hh)}"/></clipPath>')
                body += self._draw_axes(a, box, clip)
                x += col_w + right_pad
            y += title_h + h + bottom_h
        height = y + 2
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{title_id}" '
                f'width="{_f(self.width)}pt" height="{_f(height)}pt" viewBox="0 0 {_f(self.width)} {_f(height)}" '
                f'font-family="{_FONT}"><title id="{title_id}">{esc(description)}</title>')
        return Markup(head + (f"<defs>{''.join(defs)}</defs>" if defs else "") + "".join(body) + "</svg>")

    def _draw_axes(self, a: Axes, box: tuple[float, float, float, float], clip: str) -> list[str]:
        fs = self.font_size
        x0, y0, w, h = box
        xl, xh = a.limits("x")
        yl, yh = a.limits("y")
        if xh == xl:
            xh = xl + 1.0
        if yh == yl:
            yh = yl + 1.0

        def px(v: float) -> float:
            return x0 + (float(v) - xl) / (xh - xl) * w

        def py(v: float) -> float:
            t = (float(v) - yl) / (yh - yl)
            return y0 + (t if a._inverted else 1 - t) * h

        out: list[str] = []
        xt, xlabels = a.ticks("x")
        yt, ylabels = a.ticks("y")
        grid = []
        if a._grid["x"]:
            grid += [f"M{_f(px(t))} {_f(y0)}V{_f(y0 + h)}" for t in xt]
        if a._grid["y"]:
            grid += [f"M{_f(x0)} {_f(py(t))}H{_f(x0 + w)}" for t in yt]
        if grid:
            out.append(f'<path d="{"".join(grid)}" fill="none" stroke="{self.grid_color}" stroke-width="0.8"/>')
        art: list[str] = []
        texts: list[str] = []
        for _, kind, p in sorted(a._artists, key=lambda t: t[0]):  # stable: drawing order within a zorder
            if kind == "rect":
                rx0, rx1 = sorted((px(p["x0"]), px(p["x1"])))
                ry0, ry1 = sorted((py(p["y0"]), py(p["y1"])))
                edge = f' stroke="{p["edge"]}" stroke-width="{_f(p["lw"])}"' if p["edge"] else ""
                art.append(f'<rect x="{_f(rx0)}" y="{_f(ry0)}" width="{_f(rx1 - rx0)}" height="{_f(ry1 - ry0)}" '
                           f'fill="{p["color"]}"{edge}/>')
            elif kind == "errx":
                yy, cap = py(p["y"]), p["cap"]
                d = f"M{_f(px(p['x0']))} {_f(yy)}H{_f(px(p['x1']))}"
                if cap:
                    d += (f"M{_f(px(p['x0']))} {_f(yy - cap)}V{_f(yy + cap)}"
                          f"M{_f(px(p['x1']))} {_f(yy - cap)}V{_f(yy + cap)}")
                art.append(f'<path d="{d}" fill="none" stroke="{p["color"]}" stroke-width="{_f(p["lw"])}"/>')
            elif kind == "marker":
                if not (math.isfinite(float(p["x"])) and math.isfinite(float(p["y"]))):
                    continue
                stroke = (f' stroke="{p["edge"]}" stroke-width="{_f(p["lw"])}"' if p["lw"] else "")
                art.append(f'<path d="{_marker_path(p["marker"], px(p["x"]), py(p["y"]), p["size"])}" '
                           f'fill="{p["face"]}"{stroke}/>')
            elif kind == "line":
                pts = [(px(xx), py(yy)) for xx, yy in zip(p["xs"], p["ys"], strict=True)
                       if xx is not None and yy is not None and math.isfinite(float(xx)) and math.isfinite(float(yy))]
                if len(pts) >= 2:
                    d = "M" + "L".join(f"{_f(u)} {_f(v)}" for u, v in pts)
                    art.append(f'<path d="{d}" fill="none" stroke="{p["color"]}" stroke-width="{_f(p["lw"])}"'
                               f'{_dash(p["style"], p["lw"])}/>')
            elif kind in ("vspan", "hspan"):
                d = (f"M{_f(px(p['x']))} {_f(y0)}V{_f(y0 + h)}" if kind == "vspan"
                     else f"M{_f(x0)} {_f(py(p['y']))}H{_f(x0 + w)}")
                art.append(f'<path d="{d}" fill="none" stroke="{p["color"]}" stroke-width="{_f(p["lw"])}"'
                           f'{_dash(p["style"], p["lw"])}/>')
            elif kind == "text":  # not clipped, as in matplotlib
                anchor = {"center": "middle", "right": "end"}.get(p["ha"], "start")
                texts.append(self._text(px(p["x"]) + p["dx"], py(p["y"]) + p["dy"] - p["size"] * 0.35, p["s"],
                                        p["size"], p["color"], anchor))
        out.append(f'<g clip-path="url(#{clip})">{"".join(art)}</g>')
        out += texts
        # spines (left and bottom), ticks and their labels
        out.append(f'<path d="M{_f(x0)} {_f(y0)}V{_f(y0 + h)}H{_f(x0 + w)}" fill="none" stroke="{self.rule}" '
                   f'stroke-width="0.8"/>')
        tick_d = "".join(f"M{_f(px(t))} {_f(y0 + h)}v3.5" for t in xt)
        tick_d += "".join(f"M{_f(x0)} {_f(py(t))}h-3.5" for t in yt)
        if tick_d:
            out.append(f'<path d="{tick_d}" fill="none" stroke="{self.muted}" stroke-width="0.8"/>')
        size = fs - 0.5
        if a._show_xticklabels:
            out += [self._text(px(t), y0 + h + 5 + size / 2, s, size, self.muted, "middle")
                    for t, s in zip(xt, xlabels, strict=True)]
        if a._show_yticklabels:
            out += [self._text(x0 - 6, py(t), s, size, self.muted, "end") for t, s in zip(yt, ylabels, strict=True)]
        if a._xlabel:
            below = y0 + h + (5 + size + 4 if a._show_xticklabels else 4) + fs / 2
            out.append(self._text(x0 + w / 2, below, a._xlabel, fs, self.ink, "middle"))
        if a._ylabel:
            widest = max((text_width(s, size) for s in ylabels), default=0.0) if a._show_yticklabels else 0.0
            out.append(self._text(x0 - widest - 10 - fs, y0 + h / 2, a._ylabel, fs, self.ink, "middle", rotate=True))
        if a._title:
            out.append(self._text(x0, y0 - fs / 2 - 4, a._title, fs + 1, self.ink, "start", bold=True))
        if a._legend and a._handles:
            lg = a._legend
            items, lw, lh = self._legend_block(a._handles, 0.0, 0.0, lg["size"], lg["ncols"], None)
            right = "right" in lg["loc"]
            lower = "lower" in lg["loc"]
            lx = x0 + w - lw - 4 if right else x0 + 6
            ly = y0 + h - lh - 4 if lower else y0 + 4
            backdrop = (f'<rect x="-3" y="-2" width="{_f(lw + 2)}" height="{_f(lh + 3)}" fill="#ffffff" '
                        f'fill-opacity="0.85"/>')  # entries stay readable over the data, as matplotlib's frame
            out.append(f'<g transform="translate({_f(lx)} {_f(ly)})">{backdrop}{"".join(items)}</g>')
        return out
