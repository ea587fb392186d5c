"""Benchmark: the time to draw each kind of report chart (median and max of N draws, milliseconds).

Every chart the report draws, on inputs of the size a real report gives them (the German credit
reference network's report: 3 groupings, up to 60 intersectional groups, 12 features, a 200-point
ROC curve). With ``--base DIR`` the same charts are drawn by another tree of this project (the
matplotlib renderer before this change, e.g. ``git worktree add /tmp/base-fast 3be9e08``) in a
subprocess, in the same run, and the ratio is printed. The import of the renderer (matplotlib's
took about a second) is timed separately: a chart's first draw pays it.

    python benchmarks/charts.py                          # this tree only
    python benchmarks/charts.py --base /tmp/base-fast    # side by side with the base tree
    python benchmarks/charts.py --quick                  # smoke run
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

LIMIT_MS = 50.0


def _module(*names: str) -> Any:
    """The first of ``names`` that imports (the report's views moved between trees)."""
    for name in names:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise ImportError(names)


def charts() -> dict[str, Callable[[], Any]]:
    """Each chart kind, bound to realistic inputs."""
    plots = _module("audit.report._plots")
    attribution = _module("audit.report._views.attribution", "audit.report._section_attribution")
    privacy = _module("audit.report._views.privacy", "audit.report._section_privacy")
    energy = _module("audit.report._views.energy", "audit.report._section_energy")
    Point, Bar, Curve = plots.Point, plots.Bar, plots.Curve

    def pts(n: int, tag: str) -> list[Any]:
        return [Point(f"{tag}={i:02d}", 0.2 + 0.6 * ((i * 37) % n) / n, 0.15 + 0.6 * ((i * 37) % n) / n,
                      0.25 + 0.6 * ((i * 37) % n) / n, small=i % 7 == 0) for i in range(n)]

    rate_panels = [("by sex", pts(2, "sex")), ("by race", pts(5, "race")), ("by sex x race x age", pts(60, "x"))]
    bars = [Bar(f"{m} \u00b7 {f}", 0.05 + 0.02 * i, 0.03 + 0.02 * i, 0.08 + 0.02 * i, ((0.1, "fail"), (0.08, "warn")))
            for i, (m, f) in enumerate((m, f) for m in ("demographic parity", "equalized odds", "equal opportunity")
                                       for f in ("sex", "race", "sex \u00d7 race"))]
    ratio_bars = [Bar(f"disparate impact ratio \u00b7 {f}", 0.75 + 0.05 * i, 0.7, 0.85, ((0.8, "fail"),))
                  for i, f in enumerate(("sex", "race", "sex \u00d7 race"))]
    curves = [(f"by {f}", [Curve(f"{f} {j}", [k / 10 + 0.05 for k in range(10)],
                                 [min(1.0, k / 10 + 0.03 * j) for k in range(10)]) for j in range(5)])
              for f in ("sex", "age_band", "foreign_worker")]
    feats = [f"feature_{i}" for i in range(12)]
    importance = [
        (f, 0.1 - 0.007 * i, 0.09 - 0.007 * i, 0.11 - 0.007 * i, 0.02 - 0.004 * i) for i, f in enumerate(feats)
    ]
    group_panels = [(f"by {s}", feats[:8], [(f"{s} {j}", [0.02 + 0.01 * ((i + j) % 5) for i in range(8)])
                                            for j in range(4)]) for s in ("sex", "age_band", "foreign_worker")]
    gap = {"low_mean_output": 0.4, "high_mean_output": 0.7, "residual": 0.001,
           "low_group": {"sex": "female"}, "high_group": {"sex": "male"},
           "contributions": [{"feature": f, "value": 0.05 - 0.006 * i} for i, f in enumerate(feats)]}
    roc = [[i / 200, min(1.0, (i / 200) ** 0.7)] for i in range(201)]
    classes = [[1, 90], [2, 60], [3, 40], [4, 25], [7, 30], [20, 10], [60, 2]]
    projection = {"serving_kwh_per_year": 6e-5, "training_kwh_per_year": 2e-5}
    variants = [{"variant": v, "energy_kwh_per_1000": e, "gaps": {"demographic_parity_difference|sex": g}}
                for v, e, g in (("original", 1.3e-9, 0.14), ("int8_dynamic", 3e-10, 0.139),
                                ("pruned_50", 6.5e-10, 0.139), ("pruned_80", 2.6e-10, 0.077))]
    return {
        "fairness rates (3 panels, 67 groups)": lambda: plots.rates_figure(
            "b-rates", rate_panels, metric="selection_rate", overall=0.31, description="rates", unit_interval=True),
        "fairness disparities (2 panels, 12 bars)": lambda: plots.disparity_figure(
            "b-disp", [("Differences (0 = parity)", 0.0, bars), ("Ratios (1 = parity)", 1.0, ratio_bars)],
            description="disparities"),
        "fairness calibration (3 panels, 15 curves)": lambda: plots.calibration_figure(
            "b-cal", curves, description="calibration"),
        "attribution importance (12 features)": lambda: attribution._importance_figure(
            "b-imp", importance, "integrated_gradients"),
        "attribution by group (3 panels)": lambda: attribution._group_figure("b-grp", group_panels),
        "attribution gap waterfall": lambda: attribution._waterfall("b-gap", gap, "probability"),
        "privacy class sizes": lambda: privacy.class_size_figure("b-cls", classes, 1000, "class sizes"),
        "privacy membership ROC (201 points)": lambda: privacy.roc_figure("b-roc", roc, 0.593, "roc"),
        "energy yearly breakdown": lambda: energy._breakdown_figure("b-brk", projection, 475.0),
        "energy trade-off (4 variants)": lambda: energy._tradeoff_figure(
            "b-trd", variants, "demographic_parity_difference|sex"),
    }


def measure(repeats: int) -> dict[str, Any]:
    """Median and max milliseconds per chart kind, the SVG size, and the renderer's import time."""
    t0 = time.perf_counter()
    kinds = charts()
    first = None
    out: dict[str, Any] = {"kinds": {}}
    for name, draw in kinds.items():
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            svg = draw()
            times.append((time.perf_counter() - t) * 1000)
            if first is None:  # the renderer's import and warm-up land on the first draw of the run
                first = time.perf_counter() - t0
        out["kinds"][name] = {"median_ms": statistics.median(times), "max_ms": max(times), "bytes": len(str(svg))}
    out["import_and_first_draw_s"] = first
    return out


def _row(name: str, ours: dict[str, Any], base: dict[str, Any] | None) -> str:
    cells = [name, f"{ours['median_ms']:.2f}", f"{ours['max_ms']:.2f}", f"{ours['bytes']:,}"]
    if base is not None:
        cells += [
            f"{base['median_ms']:.1f}",
            f"{base['bytes']:,}",
            f"{base['median_ms'] / ours['median_ms']:.0f}\u00d7",
        ]
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--base", type=Path, default=None, help="another tree of this project to draw the same charts")
    parser.add_argument("--quick", action="store_true", help="3 draws each, no base")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # the subprocess side of --base
    args = parser.parse_args()
    repeats = 3 if args.quick else args.repeats
    if args.json:
        print(json.dumps(measure(repeats)))
        return
    base = None
    if args.base is not None and not args.quick:
        env = {**os.environ, "PYTHONPATH": str(args.base.resolve())}
        done = subprocess.run([sys.executable, __file__, "--json", "--repeats", str(repeats)], env=env,
                              capture_output=True, text=True, check=True)
        base = json.loads(done.stdout)
    ours = measure(repeats)
    head = "| chart | ours median ms | ours max ms | ours SVG bytes |"
    if base is not None:
        head += " base median ms | base SVG bytes | base / ours |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for name, row in ours["kinds"].items():
        print(_row(name, row, None if base is None else base["kinds"].get(name)))
    print(f"renderer import + first draw: ours {ours['import_and_first_draw_s']:.3f} s"
          + ("" if base is None else f", base {base['import_and_first_draw_s']:.3f} s"))
    worst = max(r["max_ms"] for r in ours["kinds"].values())
    print(f"every chart under {LIMIT_MS:.0f} ms (max of {repeats} draws): {worst < LIMIT_MS} (worst {worst:.2f} ms)")


if __name__ == "__main__":
    main()
