"""The energy auditor's section: yearly breakdown, constants with sources, compression trade-offs."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from .._html import as_mapping, esc, fmt_num, humanize, table, truncate
from .._plots import _MAIN, _MUTED, _PALETTE, _figure, _svg, _text

__all__ = ["render_energy"]


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else None


def _sci(v: Any) -> str:
    f = _num(v)
    if f is None:
        return "\u2014"
    return f"{f:.3g}" if f == 0 or 1e-3 <= abs(f) < 1e6 else f"{f:.3e}"


def _overall(metrics: Sequence[Any]) -> dict[str, Any]:
    return {str(r.get("metric")): r.get("value") for r in metrics
            if isinstance(r, Mapping) and r.get("group") is None}


def _breakdown_figure(ident: str, projection: Mapping[str, Any], intensity: float | None) -> str:
    serve = _num(projection.get("serving_kwh_per_year")) or 0.0
    train = _num(projection.get("training_kwh_per_year")) or 0.0
    description = (f"Stacked bars of the projected yearly energy (kWh) and CO2e (kg): training {train:.3g} kWh, "
                   f"serving {serve:.3g} kWh.")
    with _figure(ident, 7.2, 2.2) as fig:
        axes = fig.subplots(1, 2)
        scale = (intensity or 0.0) / 1000.0
        panels = (("Energy per year (kWh)", 1.0), ("CO2e per year (kg)", scale))
        for ax, (title, factor) in zip(axes, panels, strict=True):
            ax.barh([0], [train * factor], color=_PALETTE[1], label="training", height=0.5)
            ax.barh([0], [serve * factor], left=[train * factor], color=_PALETTE[0], label="serving", height=0.5)
            ax.set_yticks([])
            ax.set_title(title, loc="left")
            ax.ticklabel_format(axis="x", style="sci", scilimits=(-3, 4))
        axes[0].legend(loc="upper right")
        return _svg(fig, ident, description)


def _tradeoff_figure(ident: str, rows: Sequence[Mapping[str, Any]], gap_key: str) -> str:
    points = [(str(r["variant"]), _num(r.get("energy_kwh_per_1000")), _num((r.get("gaps") or {}).get(gap_key)))
              for r in rows]
    points = [(v, x, y) for v, x, y in points if x is not None and y is not None]
    metric, feature = gap_key.split("|", 1)
    description = truncate(f"Scatter of inference energy per 1,000 predictions against {metric} across {feature}, "
                           "one point per variant: " + "; ".join(f"{v}: {x:.3g} kWh, {y:.3g}" for v, x, y in points),
                           600)
    with _figure(ident, 5.4, 3.2) as fig:
        ax = fig.subplots()
        for i, (v, x, y) in enumerate(points):
            ax.scatter([x], [y], color=_PALETTE[i % len(_PALETTE)], s=36, zorder=3)
            ax.annotate(_text(v, 24), (x, y), textcoords="offset points", xytext=(5, 4), fontsize=8, color=_MUTED)
        if points:
            ax.axhline(points[0][2], color=_MAIN, linestyle="--", linewidth=0.8)
        ax.set_xlabel("kWh per 1,000 predictions (estimated)")
        ax.set_ylabel(_text(humanize(metric), 40))
        ax.set_title(_text(f"Energy vs {metric} across {feature}", 70), loc="left")
        ax.ticklabel_format(axis="x", style="sci", scilimits=(-3, 4))
        return _svg(fig, ident, description)


def render_energy(result: Mapping[str, Any], ctx: Any) -> list[str]:
    """Key figures, yearly breakdown chart, constants and their sources, compression table and chart."""
    details = as_mapping(result.get("details"))
    metrics = result.get("metrics") or []
    overall = _overall(metrics)
    out: list[str] = []
    method = str(details.get("method", "estimated"))
    out.append(f'<p class="note"><strong>{esc(method.capitalize())}.</strong> Every figure below comes from '
               "the constants listed with their sources; report rows are derived from FLOP counts so the same "
               "inputs give the same report. Measured figures (opt-in <code>measure=True</code>) are listed "
               "separately and vary between runs.</p>")
    labels = [("parameter_count", "Parameters", ""), ("flops_per_prediction", "FLOPs per prediction", ""),
              ("inference_seconds_per_1000", "Inference time per 1,000 predictions (one core)", "s"),
              ("inference_energy_kwh_per_1000", "Inference energy per 1,000 predictions", "kWh"),
              ("inference_co2e_kg_per_1000", "Inference CO2e per 1,000 predictions", "kg"),
              ("training_energy_kwh", "Training energy (one run)", "kWh"),
              ("training_co2e_kg", "Training CO2e (one run)", "kg"),
              ("annual_energy_kwh", "Projected energy per year", "kWh"),
              ("annual_co2e_kg", "Projected CO2e per year", "kg")]
    body = [[label, _sci(overall[key]), unit] for key, label, unit in labels if key in overall]
    if body:
        out.append("<h3>Key figures</h3>")
        out.append(table(["Figure", "Value", "Unit"], body, numeric=(1,)))
    training = details.get("training")
    if isinstance(training, Mapping):
        out.append(f'<p class="muted small">Training energy source: {esc(training.get("source", ""))} '
                   f'({esc(training.get("method", ""))}).</p>')
    constants = as_mapping(details.get("constants"))
    intensity = _num((constants.get("carbon_intensity") or {}).get("value")) if constants else None
    projection = details.get("projection")
    if isinstance(projection, Mapping):
        workload = as_mapping(details.get("workload"))
        out.append("<h3>Training and serving per year</h3>")
        svg = _breakdown_figure(f"{ctx.anchor}-breakdown", projection, intensity)
        out.append(f"<figure>{svg}<figcaption>Projected from a stated workload: "
                   f"{esc(fmt_num(workload.get('predictions_per_day')))} predictions a day and "
                   f"{esc(fmt_num(workload.get('retrains_per_year')))} retrains a year (not the rate times the "
                   "seconds of a year).</figcaption></figure>")
    if constants:
        rows = []
        for name, row in constants.items():
            if not isinstance(row, Mapping):
                continue
            value = row.get("value")
            shown = _sci(value) if _num(value) is not None else str(value)
            extra = f" ({row['cpu_model']})" if row.get("cpu_model") else ""
            extra += f" ({row['country']})" if row.get("country") else ""
            rows.append([humanize(name), shown + extra, str(row.get("unit", "")), "assumed constant",
                         str(row.get("source", ""))])
        out.append("<h3>Constants and their sources</h3>")
        out.append(table(["Constant", "Value", "Unit", "Kind", "Source"], rows, numeric=(1,)))
    compression = details.get("compression")
    if isinstance(compression, Sequence) and compression and not isinstance(compression, str):
        flagged = {str(as_mapping(f.get("evidence")).get("variant")) for f in result.get("findings") or []
                   if isinstance(f, Mapping) and f.get("code") == "energy.compression_widens_gap"}
        level = _num(as_mapping(result.get("params")).get("ci")) or 0.95
        out.extend(_compression_block(compression, ctx, flagged, level))
    measured = details.get("measured")
    if isinstance(measured, Mapping) and isinstance(measured.get("runs"), Mapping):
        rows = [[name, str(run.get("method", "")), _sci(run.get("seconds_per_1000")),
                 _sci(run.get("cpu_seconds_per_1000")), _sci(run.get("energy_kwh_per_1000")),
                 fmt_num(run.get("predictions"))]
                for name, run in measured["runs"].items() if isinstance(run, Mapping)]
        out.append("<h3>Measured (not reproducible byte for byte)</h3>")
        out.append(f'<p class="muted small">{esc(measured.get("note", ""))}</p>')
        out.append(table(["Variant", "Method", "Wall s / 1,000", "CPU s / 1,000", "kWh / 1,000", "Predictions"],
                         rows, numeric=(2, 3, 4, 5)))
    return out


def _compression_block(rows: Sequence[Any], ctx: Any, flagged: set[str], level: float) -> list[str]:
    rows = [r for r in rows if isinstance(r, Mapping) and "variant" in r]
    if not rows:
        return []
    gap_keys: list[str] = []
    for r in rows:
        for k in (r.get("gaps") or {}):
            if k not in gap_keys:
                gap_keys.append(k)
    base = rows[0]
    base_cost = _num(base.get("energy_kwh_per_1000"))
    quality = str(base.get("quality_metric") or "")
    headers = ["Variant", "kWh / 1,000", "Saving", "Basis"] + ([humanize(quality)] if quality else []) + \
        [f"{humanize(k.split('|')[0]).replace(' difference', '')} \u00b7 {k.split('|')[1]}" for k in gap_keys]
    body, classes = [], []
    for r in rows:
        cost = _num(r.get("energy_kwh_per_1000"))
        saving = "\u2014" if cost is None or not base_cost else f"{1 - cost / base_cost:.0%}"
        line: list[Any] = [str(r["variant"]), _sci(cost), saving, truncate(str(r.get("basis", "")), 80)]
        if quality:
            line.append(_sci(r.get("quality")))
        for k in gap_keys:
            v, b = _num((r.get("gaps") or {}).get(k)), _num((base.get("gaps") or {}).get(k))
            if v is None:
                line.append("\u2014")
                continue
            change = as_mapping(as_mapping(r.get("gap_changes")).get(k))
            low, high = _num(change.get("ci_low")), _num(change.get("ci_high"))
            bounds = f"; {low:+.3f} to {high:+.3f}" if low is not None and high is not None else ""
            delta = "" if b is None or r is base else f" ({v - b:+.3f}{bounds})"
            line.append(f"{v:.3f}{delta}")
        body.append(line)
        classes.append("row-warn" if str(r["variant"]) in flagged else None)
    out = ["<h3>Compression versus accuracy and fairness</h3>",
           table(headers, body, caption="Each variant is a copy of the model; gaps are differences between groups "
                                        f"(larger is less fair); brackets: change from the original and its paired "
                                        f"{level:.0%} bootstrap interval; highlighted: flagged, its growth "
                                        "established above the tolerance",
                 numeric=range(1, len(headers)), row_classes=classes, what="variants")]
    if gap_keys:
        key = max(gap_keys, key=lambda k: max((_num((r.get("gaps") or {}).get(k)) or 0.0) -
                                              (_num((base.get("gaps") or {}).get(k)) or 0.0) for r in rows))
        svg = _tradeoff_figure(f"{ctx.anchor}-tradeoff", rows, key)
        out.append(f"<figure>{svg}<figcaption>Trade-off for the gap that compression widens most; the dashed "
                   "line is the original's gap. Left is cheaper, up is less fair.</figcaption></figure>")
    return out
