"""Report section of the attribution auditor.

It shows importance, per-group importance, the gap waterfall, proxies, and whether the
explanation can be trusted.

Everything shown comes from the result's metrics and ``details`` (feature names, group labels,
attribution values): never a row's values. Every string is escaped; figures are inline SVG.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from .._html import Markup, as_mapping, esc, fmt_num, group_label, table, truncate
from .._plots import _PALETTE, _figure, _svg, _text
from ._generic import SectionContext

__all__ = ["render_attribution"]

_TOP = 12
_WATERFALL_TOP = 8
_MAIN, _POS, _NEG, _INK, _MUTED = "#2f5d8a", "#0072B2", "#D55E00", "#1f2933", "#52606d"


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else None


def _global(metrics: Sequence[Mapping[str, Any]], metric: str) -> dict[str, Mapping[str, Any]]:
    return {str(r.get("label")): r for r in metrics
            if isinstance(r, Mapping) and r.get("metric") == metric and r.get("group") is None
            and not r.get("over") and r.get("label") is not None}


def _importance_figure(ident: str, rows: list[tuple[str, float, float | None, float | None, float | None]],
                       method: str) -> Markup:
    """Horizontal bars of mean |attribution| with CI, signed mean as a diamond."""
    description = truncate(f"Bar chart of mean absolute {method} attribution per feature, largest first: "
                           + ", ".join(f"{n} {fmt_num(v)}" for n, v, *_ in rows) + ".", 900)
    with _figure(ident, 7.2, 0.3 * len(rows) + 1.0) as fig:
        ax = fig.subplots()
        ys = list(range(len(rows)))
        values = [r[1] for r in rows]
        ax.barh(ys, values, height=0.6, color="#9fb6cd", edgecolor=_MAIN, linewidth=0.8,
                label="mean |attribution|")
        lows = [r[2] for r in rows]
        highs = [r[3] for r in rows]
        if any(lo is not None for lo in lows):
            err = ([max(v - (lo if lo is not None else v), 0) for v, lo in zip(values, lows, strict=True)],
                   [max((hi if hi is not None else v) - v, 0) for v, hi in zip(values, highs, strict=True)])
            ax.errorbar(values, ys, xerr=err, fmt="none", ecolor=_INK, elinewidth=1.0, capsize=2.5, label="95% CI")
        signed = [(y, r[4]) for y, r in zip(ys, rows, strict=True) if r[4] is not None]
        ax.scatter([s for _, s in signed], [y for y, _ in signed], marker="D", s=18, color=_NEG, zorder=4,
                   label="mean signed attribution")
        ax.axvline(0, color=_INK, linewidth=0.8)
        ax.set_yticks(ys, [_text(r[0]) for r in rows])
        ax.invert_yaxis()
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("attribution (units of the explained output)")
        fig.legend(loc="outside upper right", ncols=3)
        return _svg(fig, ident, description)


def _group_figure(ident: str, panels: list[tuple[str, list[str], list[tuple[str, list[float | None]]]]]) -> Markup:
    """One panel per sensitive feature: mean |attribution| of the top features, one marker per group."""
    heights = [0.26 * len(feats) + 0.7 for _, feats, _ in panels]
    description = truncate("Dot plot of mean absolute attribution of the most important features, one marker per "
                           "group, one panel per sensitive feature: "
                           + "; ".join(f"{title}: groups {', '.join(g for g, _ in series)}"
                                       for title, _, series in panels) + ".", 900)
    with _figure(ident, 7.2, sum(heights) + 0.4) as fig:
        axes = fig.subplots(len(panels), 1, squeeze=False, gridspec_kw={"height_ratios": heights})[:, 0]
        markers = ("o", "s", "^", "D", "v", "P", "X", "*")
        for ax, (title, feats, series) in zip(axes, panels, strict=True):
            ys = list(range(len(feats)))
            for i, (label, vals) in enumerate(series[:8]):
                pts = [(v, y) for v, y in zip(vals, ys, strict=True) if v is not None]
                ax.scatter([p[0] for p in pts], [p[1] + (i - len(series[:8]) / 2) * 0.08 for p in pts], s=20,
                           marker=markers[i % len(markers)], color=_PALETTE[i % len(_PALETTE)], label=_text(label, 28),
                           zorder=3)
            ax.set_yticks(ys, [_text(f) for f in feats])
            ax.invert_yaxis()
            ax.grid(axis="y", visible=False)
            ax.set_title(_text(title, 60), loc="left")
            ax.legend(loc="lower right", fontsize=7, ncols=2)
        axes[-1].set_xlabel("mean |attribution|")
        return _svg(fig, ident, description)


def _waterfall(ident: str, entry: Mapping[str, Any], output: str) -> Markup:
    """From the low group's mean output to the high group's, one bar per feature's share of the gap."""
    low, high = _num(entry.get("low_mean_output")), _num(entry.get("high_mean_output"))
    contribs = [(str(c.get("feature")), _num(c.get("value")) or 0.0) for c in entry.get("contributions") or []
                if isinstance(c, Mapping)]
    shown = contribs[:_WATERFALL_TOP]
    rest = sum(v for _, v in contribs[_WATERFALL_TOP:])
    if len(contribs) > _WATERFALL_TOP:
        shown.append((f"{len(contribs) - _WATERFALL_TOP} other features", rest))
    shown.append(("residual (completeness error)", _num(entry.get("residual")) or 0.0))
    lo_label = group_label(entry.get("low_group") if isinstance(entry.get("low_group"), Mapping) else None)
    hi_label = group_label(entry.get("high_group") if isinstance(entry.get("high_group"), Mapping) else None)
    description = truncate(f"Waterfall: mean {output} {fmt_num(low)} for {lo_label} rises to {fmt_num(high)} for "
                           f"{hi_label}; " + ", ".join(f"{n} {fmt_num(v)}" for n, v in shown) + ".", 900)
    with _figure(ident, 7.2, 0.3 * (len(shown) + 2) + 1.0) as fig:
        ax = fig.subplots()
        labels = [f"{lo_label} (mean)"] + [n for n, _ in shown] + [f"{hi_label} (mean)"]
        ys = list(range(len(labels)))
        ax.barh(0, low or 0.0, height=0.6, color="#c8d3de", edgecolor=_MUTED)
        level = low or 0.0
        for y, (_, v) in zip(ys[1:-1], shown, strict=True):
            ax.barh(y, v, left=level, height=0.6, color=_POS if v >= 0 else _NEG)
            level += v
        ax.barh(ys[-1], high or 0.0, height=0.6, color="#c8d3de", edgecolor=_MUTED)
        ax.set_yticks(ys, [_text(t, 48) for t in labels])
        ax.invert_yaxis()
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(_text(f"mean {output}", 60))
        return _svg(fig, ident, description)


def _labelled(g: Any) -> str:
    return group_label(g) if isinstance(g, Mapping) else "\u2014"


def render_attribution(result: Mapping[str, Any], ctx: SectionContext) -> list[str]:
    """Global importance, per-group importance, gap waterfalls, proxies, trust verdicts, local cases."""
    metrics = [r for r in result.get("metrics") or [] if isinstance(r, Mapping)]
    details = as_mapping(result.get("details"))
    if details.get("modality") == "image":
        from ._heatmaps import render_image_attribution

        return render_image_attribution(result, details)
    method = str(details.get("method", "attribution"))
    output = str(details.get("output", "model output"))
    out: list[str] = []
    baseline = as_mapping(details.get("baseline"))
    out.append(f'<p class="muted">Method <strong>{esc(method)}</strong> explaining the {esc(output)} on '
               f'{esc(fmt_num(details.get("n_rows_attributed")))} of {esc(fmt_num(details.get("n_rows")))} rows '
               f'(seeded sample); baseline <strong>{esc(baseline.get("kind", "?"))}</strong> from '
               f'{esc(baseline.get("source", "?"))} (numeric features at their mean, categorical ones at their '
               f'most frequent category), with output {esc(fmt_num(_num(details.get("baseline_output"))))}. '
               f'One value per original feature: one-hot columns are combined.</p>')

    abs_rows = _global(metrics, "mean_abs_attribution")
    signed_rows = _global(metrics, "mean_attribution")
    if abs_rows:
        ranked = sorted(abs_rows.items(), key=lambda kv: -(_num(kv[1].get("value")) or 0.0))[:_TOP]
        bars = [(name, _num(r.get("value")) or 0.0, _num(r.get("ci_low")), _num(r.get("ci_high")),
                 _num(signed_rows.get(name, {}).get("value"))) for name, r in ranked]
        out.append("<h3>What the model relies on</h3>")
        out.append(f"<figure>{_importance_figure(f'{ctx.anchor}-importance', bars, method)}"
                   f"<figcaption>Mean |attribution| per feature (bars, 95% bootstrap CI) and mean signed "
                   f"attribution (diamonds), top {len(bars)}.</figcaption></figure>")
        others = [r for r in metrics if r.get("metric") == "method_rank_agreement"]
        if others:
            out.append('<p class="muted">Rank agreement with other methods (Spearman): '
                       + esc(", ".join(f"{r.get('label')} {fmt_num(_num(r.get('value')))}" for r in others))
                       + ".</p>")

    out.extend(_groups_block(metrics, abs_rows, ctx))
    decomposition = [e for e in details.get("decomposition") or [] if isinstance(e, Mapping)]
    single = [e for e in decomposition if len(e.get("over") or []) == 1]
    if single:
        out.append("<h3>Where the gap between groups comes from</h3>")
        exact = details.get("decomposition_exact")
        out.append('<p class="muted">Gap in mean output between the lowest and highest group of each sensitive '
                   "feature, split into per-feature parts that sum to it"
                   + (" (the residual is the method's completeness error)." if exact else
                      "; this method is not additive, so the residual is large.") + "</p>")
        for i, entry in enumerate(single):
            out.append(f"<figure>{_waterfall(f'{ctx.anchor}-gap-{i}', entry, output)}<figcaption>"
                       f"{esc(', '.join(map(str, entry.get('over') or [])))}: "
                       f"gap {esc(fmt_num(_num(entry.get('gap'))))}"
                       f" (n = {esc(fmt_num(entry.get('n_low')))} and {esc(fmt_num(entry.get('n_high')))})."
                       "</figcaption></figure>")
    out.extend(_proxy_block(details))
    out.extend(_trust_block(details))
    local = [e for e in details.get("local") or [] if isinstance(e, Mapping)]
    if local:
        body = [[e.get("case", ""), _labelled(e.get("group")), fmt_num(_num(e.get("output"))),
                 "; ".join(f"{t.get('feature')} {fmt_num(_num(t.get('attribution')))}"
                           for t in e.get("top_features") or [] if isinstance(t, Mapping))] for e in local]
        out.append("<h3>Local explanations</h3>")
        out.append(table(["Case", "Group", "Output", "Top features (attribution)"], body,
                         caption="A few rows of the lowest-output group; row values are never shown"))
    return out


def _groups_block(metrics: list[Mapping[str, Any]], abs_rows: Mapping[str, Mapping[str, Any]],
                  ctx: SectionContext) -> list[str]:
    top = [n for n, _ in sorted(abs_rows.items(), key=lambda kv: -(_num(kv[1].get("value")) or 0.0))[:8]]
    per: dict[str, dict[str, dict[str, float | None]]] = {}
    for r in metrics:
        over = r.get("over") or []
        if r.get("metric") != "mean_abs_attribution" or len(over) != 1 or not isinstance(r.get("group"), Mapping):
            continue
        if (r.get("n") or 0) < 1:
            continue
        value = next(iter(r["group"].values()), None)
        per.setdefault(str(over[0]), {}).setdefault("(missing)" if value is None else str(value), {})[
            str(r.get("label"))] = _num(r.get("value"))
    panels = [(f"by {feat}", top, [(g, [vals.get(f) for f in top]) for g, vals in groups.items()])
              for feat, groups in per.items() if groups and top]
    if not panels:
        return []
    return ["<h3>Importance by group</h3>",
            f"<figure>{_group_figure(f'{ctx.anchor}-groups', panels)}<figcaption>Mean |attribution| of the "
            "overall top features within each group (first eight groups per feature).</figcaption></figure>"]


def _proxy_block(details: Mapping[str, Any]) -> list[str]:
    proxies = [p for p in details.get("proxies") or [] if isinstance(p, Mapping)]
    if not proxies:
        return []
    proxies = sorted(proxies, key=lambda p: (not p.get("flagged"), -(_num(p.get("score")) or 0.0)))[:15]
    body = [[p.get("feature", ""), p.get("sensitive_feature", ""), fmt_num(_num(p.get("cramers_v"))),
             fmt_num(_num(p.get("attribution_share"))), fmt_num(p.get("rank")),
             fmt_num(_num(p.get("gap_share"))), "likely proxy" if p.get("flagged") else "\u2014"] for p in proxies]
    return ["<h3>Proxies of sensitive attributes</h3>",
            table(["Feature", "Sensitive attribute", "Cramer's V", "Share of |attribution|", "Rank",
                   "Share of output gap", "Verdict"], body, numeric=(2, 3, 4, 5),
                  caption="Association with the attribute times reliance on the feature, highest first")]


def _trust_block(details: Mapping[str, Any]) -> list[str]:
    sanity = as_mapping(details.get("sanity"))
    if not sanity:
        return []
    body = []
    for method, s in sanity.items():
        if not isinstance(s, Mapping):
            continue
        comp = as_mapping(s.get("completeness"))
        rnd = as_mapping(s.get("randomisation"))
        inf = as_mapping(s.get("infidelity"))
        verdict = str(s.get("verdict", "?"))
        body.append([method,
                     fmt_num(_num(comp.get("median_relative"))) if comp else "\u2014",
                     f"{rnd.get('verdict', '?')} ({fmt_num(_num(rnd.get('similarity_after_full_randomisation')))})"
                     if rnd.get("verdict") not in (None, "not_applicable") else "not applicable",
                     fmt_num(_num(inf.get("ratio"))) if inf else "\u2014",
                     Markup(f"<strong>{esc(verdict)}</strong>") if verdict == "unreliable" else verdict])
    return ["<h3>Can the explanation be trusted?</h3>",
            table(["Method", "Median completeness error (relative)", "Model randomisation (Spearman after)",
                   "Infidelity vs random", "Verdict"], body, numeric=(1, 3),
                  caption="Completeness: sum of attributions vs f(x) - f(baseline). Randomisation (Adebayo et al. "
                          "2018): attributions must change when every layer is re-initialised. Infidelity below 1 "
                          "beats random attributions.")]
