"""The report's charts as small, deterministic, accessible inline SVG, drawn directly (no matplotlib).

Charts are built on :mod:`audit.report._canvas`, which offers the part of matplotlib's
``Figure``/``Axes`` API they use and writes SVG itself: a chart costs milliseconds, not the
second matplotlib took to import and the hundreds of milliseconds it took to lay out and save.
Text stays text, ids come from the chart's ident (same input, same bytes; distinct ids between
charts on one page), every label is escaped, and each chart has a ``<title>`` describing it.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from .._format import one_line, visible
from ._canvas import Figure, Line2D
from ._html import Markup, truncate

__all__ = ["Point", "Bar", "Curve", "rates_figure", "disparity_figure", "calibration_figure",
           "MAX_POINTS_PER_PANEL"]

#: A rates panel with more groups shows only the extremes (half lowest, half highest).
MAX_POINTS_PER_PANEL = 30

_INK, _MUTED, _RULE = "#1f2933", "#52606d", "#d9e2ec"
_MAIN, _FAIL, _WARN = "#2f5d8a", "#b3261e", "#8a5a00"
# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
_PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_LINESTYLES = ("-", "--", "-.", ":")


@dataclass(frozen=True)
class Point:
    """One group on a rates panel."""

    label: str
    value: float
    low: float | None = None
    high: float | None = None
    small: bool = False


@dataclass(frozen=True)
class Bar:
    """One aggregate disparity with the thresholds of the checks that gate it."""

    label: str
    value: float
    low: float | None = None
    high: float | None = None
    thresholds: tuple[tuple[float, str], ...] = ()  # (threshold, severity "fail"|"warn")


@dataclass(frozen=True)
class Curve:
    """One reliability curve: mean predicted score vs observed positive fraction per bin."""

    label: str
    x: Sequence[float] = field(default_factory=tuple)
    y: Sequence[float] = field(default_factory=tuple)


def _text(s: object, limit: int = 42) -> str:
    """Chart-safe label: one visible line, shortened.

    Control and bidi characters are shown as escapes (:func:`audit._format.visible`); the canvas
    escapes the label for SVG.
    """
    return truncate(visible(one_line(s)), limit)


def _svg(fig: Figure, ident: str, description: str) -> Markup:
    """The figure as an ``<svg role="img">`` labelled by a ``<title>`` holding ``description``."""
    return fig.to_svg(f"{ident}-title", description)


@contextlib.contextmanager
def _figure(ident: str, width: float, height: float) -> Iterator[Figure]:
    """A fresh figure of ``width`` x ``height`` inches in the report's style; ids derive from ``ident``."""
    yield Figure(width, height, ident=ident, ink=_INK, muted=_MUTED, rule=_RULE)


def _errs(values: Sequence[float], lows: Sequence[float | None],
          highs: Sequence[float | None]) -> tuple[list[float], list[float]] | None:
    if all(lo is None and hi is None for lo, hi in zip(lows, highs, strict=True)):
        return None
    minus = [0.0 if lo is None else max(v - lo, 0.0) for v, lo in zip(values, lows, strict=True)]
    plus = [0.0 if hi is None else max(hi - v, 0.0) for v, hi in zip(values, highs, strict=True)]
    return minus, plus


def _thin(points: Sequence[Point]) -> tuple[list[Point], int]:
    """Keep the extremes of a sorted list when there are too many groups to draw."""
    if len(points) <= MAX_POINTS_PER_PANEL:
        return list(points), 0
    half = MAX_POINTS_PER_PANEL // 2
    return list(points[:half]) + list(points[-half:]), len(points) - 2 * half


def rates_figure(ident: str, panels: Sequence[tuple[str, Sequence[Point]]], *, metric: str,
                 overall: float | None, description: str, unit_interval: bool) -> Markup:
    """Dot plot of one metric per group with CI bars, one panel per grouping, sorted by value.

    Small groups are drawn hollow; the overall value is a dashed reference line.
    """
    prepared = []
    for title, points in panels:
        ordered = sorted(points, key=lambda p: (p.value, p.label))
        kept, hidden = _thin(ordered)
        prepared.append((title, kept, hidden))
    heights = [max(len(kept), 1) * 0.22 + 0.55 for _, kept, _ in prepared]
    with _figure(ident, 7.2, sum(heights) + 0.5) as fig:
        axes = fig.subplots(len(prepared), 1, sharex=True, squeeze=False,
                            gridspec_kw={"height_ratios": heights})[:, 0]
        any_small = False
        for ax, (title, kept, hidden) in zip(axes, prepared, strict=True):
            ys = list(range(len(kept)))
            values = [p.value for p in kept]
            err = _errs(values, [p.low for p in kept], [p.high for p in kept])
            if err is not None:
                ax.errorbar(values, ys, xerr=err, fmt="none", ecolor=_MUTED, elinewidth=1.1, capsize=2.5)
            full = [i for i, p in enumerate(kept) if not p.small]
            small = [i for i, p in enumerate(kept) if p.small]
            any_small = any_small or bool(small)
            ax.scatter([values[i] for i in full], [ys[i] for i in full], s=26, color=_MAIN, zorder=3)
            ax.scatter([values[i] for i in small], [ys[i] for i in small], s=26, facecolors="white",
                       edgecolors=_WARN, linewidths=1.4, zorder=3)
            if overall is not None:
                ax.axvline(overall, color=_INK, linestyle="--", linewidth=0.9)
            if hidden:  # mark where the undrawn middle of the ranking was cut out
                ax.axhline(len(kept) / 2 - 0.5, color=_MUTED, linestyle=(0, (1, 2)), linewidth=1.0)
            ax.set_yticks(ys, [_text(p.label) for p in kept])
            ax.set_ylim(-0.7, len(kept) - 0.3)
            ax.grid(axis="y", visible=False)
            suffix = f" (lowest and highest {len(kept)}; {hidden} groups not drawn)" if hidden else ""
            ax.set_title(_text(title, 60) + suffix, loc="left")
        if unit_interval:
            axes[-1].set_xlim(-0.02, 1.02)
        axes[-1].set_xlabel(_text(metric, 60))
        handles = [Line2D([], [], marker="o", linestyle="none", color=_MAIN, label="group (95% CI)")]
        if any_small:
            handles.append(Line2D([], [], marker="o", linestyle="none", markerfacecolor="white",
                                  markeredgecolor=_WARN, label="small group"))
        if overall is not None:
            handles.append(Line2D([], [], color=_INK, linestyle="--", linewidth=0.9, label="overall"))
        fig.legend(handles=handles, loc="outside upper right", ncols=len(handles))
        return _svg(fig, ident, description)


def disparity_figure(ident: str, panels: Sequence[tuple[str, float, Sequence[Bar]]], *,
                     description: str) -> Markup:
    """Horizontal bars of aggregate disparities with CI; check thresholds drawn on each bar's row.

    Each panel is ``(title, parity_value, bars)``: 0 for differences, 1 for ratios.
    """
    heights = [max(len(bars), 1) * 0.32 + 0.6 for _, _, bars in panels]
    with _figure(ident, 7.2, sum(heights) + 0.5) as fig:
        axes = fig.subplots(len(panels), 1, squeeze=False, gridspec_kw={"height_ratios": heights})[:, 0]
        seen: dict[str, bool] = {}
        for ax, (title, parity, bars) in zip(axes, panels, strict=True):
            ys = list(range(len(bars)))
            values = [b.value for b in bars]
            ax.barh(ys, [v - parity for v in values], left=parity, height=0.55, color="#9fb6cd",
                    edgecolor=_MAIN, linewidth=0.8)
            err = _errs(values, [b.low for b in bars], [b.high for b in bars])
            if err is not None:
                ax.errorbar(values, ys, xerr=err, fmt="none", ecolor=_INK, elinewidth=1.1, capsize=3)
            top = max([1.0 if parity else 0.0] + [v for v in values] +
                      [b.high for b in bars if b.high is not None] +
                      [t for b in bars for t, _ in b.thresholds])
            for y, bar in zip(ys, bars, strict=True):
                for threshold, severity in bar.thresholds:
                    fail = severity != "warn"
                    ax.vlines(threshold, y - 0.42, y + 0.42, colors=_FAIL if fail else _WARN,
                              linestyles="-" if fail else ":", linewidth=2.0, zorder=4)
                    seen["fail" if fail else "warn"] = True
            ax.axvline(parity, color=_INK, linewidth=0.8)
            ax.set_yticks(ys, [_text(b.label, 48) for b in bars])
            ax.set_ylim(-0.7, len(bars) - 0.3)
            ax.invert_yaxis()
            ax.grid(axis="y", visible=False)
            ax.set_xlim(min(0.0, *values) - 0.02, top * 1.05 + 0.02)
            ax.set_title(_text(title, 90), loc="left")
        handles = [Line2D([], [], color=_INK, linewidth=1.1, marker="|", label="95% CI")]
        if seen.get("fail"):
            handles.append(Line2D([], [], color=_FAIL, linewidth=2.0, label="threshold of a failing check"))
        if seen.get("warn"):
            handles.append(Line2D([], [], color=_WARN, linewidth=2.0, linestyle=":",
                                  label="threshold of a warn-only check"))
        fig.legend(handles=handles, loc="outside upper right", ncols=len(handles))
        return _svg(fig, ident, description)


def calibration_figure(ident: str, panels: Sequence[tuple[str, Sequence[Curve]]], *,
                       description: str) -> Markup:
    """Reliability diagrams, one panel per grouping, with the diagonal of perfect calibration."""
    n = len(panels)
    with _figure(ident, min(3.4 * n, 10.2), 3.6) as fig:
        axes = fig.subplots(1, n, sharey=True, squeeze=False)[0]
        for ax, (title, curves) in zip(axes, panels, strict=True):
            ax.plot([0, 1], [0, 1], color=_MUTED, linestyle=":", linewidth=1.0)
            for i, curve in enumerate(curves):
                ax.plot(list(curve.x), list(curve.y), color=_PALETTE[i % len(_PALETTE)],
                        marker=_MARKERS[i % len(_MARKERS)], markersize=3.5,
                        linestyle=_LINESTYLES[(i // len(_PALETTE)) % len(_LINESTYLES)],
                        linewidth=1.3, label=_text(curve.label, 28))
            ax.set_xlim(0, 1)
            ax.set_ylim(0, 1)
            ax.set_aspect("equal")
            ax.set_title(_text(title, 40), loc="left")
            ax.set_xlabel("mean predicted score")
            ax.legend(loc="upper left", fontsize=7)
        axes[0].set_ylabel("observed fraction positive")
        return _svg(fig, ident, description)
