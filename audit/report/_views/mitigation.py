"""The mitigation auditor's section: the split, the Pareto view, the candidates' table and the caveat."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from .._html import as_mapping, esc, fmt_ci, humanize, table, truncate
from .._plots import _FAIL, _MAIN, _MUTED, _PALETTE, _errs, _figure, _svg, _text
from ._generic import SectionContext

__all__ = ["render_mitigation"]


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else None


def _main(entry: Mapping[str, Any], metric: str) -> Mapping[str, Any]:
    for f in entry.get("metrics") or []:
        if isinstance(f, Mapping) and f.get("metric") == metric and f.get("over") is None:
            return f
    return {}


def _pareto_figure(ident: str, entries: Sequence[Mapping[str, Any]], main: str,
                   gated: Mapping[str, Any]) -> str:
    pts = []
    for e in entries:
        acc, gap = _main(e, main), as_mapping(e.get("gated"))
        x, y = _num(acc.get("value")), _num(gap.get("value"))
        if x is None or y is None:
            continue
        pts.append((str(e.get("name", "")), x, _num(acc.get("ci_low")), _num(acc.get("ci_high")),
                    y, _num(gap.get("ci_low")), _num(gap.get("ci_high")), bool(e.get("pareto_front")),
                    bool(e.get("passes"))))
    metric = str(gated.get("metric", "disparity"))
    threshold = _num(gated.get("threshold"))
    description = truncate(f"Scatter of {main} against {metric} on the held-out rows, one point per candidate with "
                           "its interval; filled points are on the Pareto front: "
                           + "; ".join(f"{p[0]}: {p[1]:.3g}, {p[4]:.3g}{' (front)' if p[7] else ''}" for p in pts),
                           800)
    with _figure(ident, 6.4, 3.6) as fig:
        ax = fig.subplots()
        for i, (name, x, xl, xh, y, yl, yh, on_front, passes) in enumerate(pts):
            colour = _PALETTE[i % len(_PALETTE)]
            xerr = _errs([x], [xl], [xh])
            if xerr is not None:
                ax.errorbar([x], [y], xerr=[xerr[0], xerr[1]], fmt="none", ecolor=colour, elinewidth=0.9, capsize=2)
            if yl is not None and yh is not None:
                ax.vlines(x, yl, yh, colors=colour, linewidth=0.9)
            ax.scatter([x], [y], s=44, zorder=3, color=colour if on_front else "white", edgecolors=colour,
                       linewidths=1.4, marker="o" if passes else "s")
            ax.annotate(_text(name.replace("threshold_optimizer:", "TO:"), 28), (x, y), textcoords="offset points",
                        xytext=(6, 4), fontsize=7, color=_MUTED)
        on = sorted((p[1], p[4]) for p in pts if p[7])
        if len(on) > 1:
            ax.plot([p[0] for p in on], [p[1] for p in on], color=_MAIN, linewidth=0.8, linestyle="--")
        if threshold is not None:
            ax.axhline(threshold, color=_FAIL, linewidth=0.8, linestyle=":")
        ax.set_xlabel(_text(f"{humanize(main)} (higher is better)", 60))
        better = "lower" if gated.get("op", "max") == "max" else "higher"
        ax.set_ylabel(_text(f"{humanize(metric)} ({better} is better)", 60))
        ax.set_title(_text(f"Candidates: {main} vs {metric}", 70), loc="left")
        return _svg(fig, ident, description)


def render_mitigation(result: Mapping[str, Any], ctx: SectionContext) -> list[str]:
    """Split statement, Pareto figure, one table row per candidate, the accepted one and the caveat."""
    details = as_mapping(result.get("details"))
    entries = [e for e in details.get("candidates") or [] if isinstance(e, Mapping)]
    if not entries:
        return []
    out: list[str] = []
    split = as_mapping(details.get("split"))
    if split.get("message"):
        out.append(f'<p class="note"><strong>Held-out evaluation.</strong> {esc(split["message"])}</p>')
    main = str(details.get("main_metric", "accuracy_score"))
    gated = as_mapping(details.get("gated"))
    measured = [e for e in entries if e.get("metrics")]
    if measured and gated:
        svg = _pareto_figure(f"{ctx.anchor}-pareto", measured, main, gated)
        out.append(f"<figure>{svg}<figcaption>Each candidate on the held-out rows, with intervals; filled points "
                   "are on the Pareto front (no other candidate is at least as good on both axes), circles pass the "
                   "policy and squares fail it, the dotted line is the check's threshold.</figcaption></figure>")
    gated_name = str(gated.get("metric", "")) if gated else ""
    headers = ["Candidate", humanize(main)] + ([f"{humanize(gated_name)} (worst gated)"] if gated_name else []) + \
        ["Policy", "Front", "Side effects"]
    body, classes, long_rows = [], [], []
    for e in measured:
        m = _main(e, main)
        line: list[Any] = [str(e.get("name", "")), fmt_ci(m.get("value"), m.get("ci_low"), m.get("ci_high"))]
        if gated_name:
            g = as_mapping(e.get("gated"))
            where = f" \u00b7 {' x '.join(g['over'])}" if g.get("over") else ""
            line.append(fmt_ci(g.get("value"), g.get("ci_low"), g.get("ci_high")) + where)
        checks = [c for c in e.get("checks") or [] if isinstance(c, Mapping)]
        failed = [c for c in checks if c.get("status") in ("fail", "error")]
        line.append("passes" if e.get("passes") else f"fails {len(failed)} of {len(checks)}")
        line.append("yes" if e.get("pareto_front") else "no")
        worse = [w for w in e.get("worse") or [] if isinstance(w, Mapping)]
        line.append(f"{len(worse)}: " + ", ".join(
            f"{w.get('metric')}" + (f" \u00b7 {' x '.join(w['over'])}" if w.get("over") else "") for w in worse[:2])
            + (" \u2026" if len(worse) > 2 else "") if worse else "none")
        body.append(line)
        classes.append("row-warn" if worse else None)
        for f in e.get("metrics") or []:
            if isinstance(f, Mapping):
                long_rows.append([str(e.get("name", "")), humanize(str(f.get("metric", ""))),
                                  " x ".join(f.get("over") or []) or "overall",
                                  fmt_ci(f.get("value"), f.get("ci_low"), f.get("ci_high"))])
    out.append("<h3>Candidates</h3>")
    out.append(table(headers, body, caption="Each candidate on the held-out rows: estimate [interval]; a side effect "
                                            "is a metric worse than the unchanged model's interval",
                     numeric=range(1, 3 if gated_name else 2), row_classes=classes, what="candidates"))
    if long_rows:
        out.append("<details><summary>Every metric of every candidate</summary>"
                   + table(["Candidate", "Metric", "Over", "Estimate [interval]"], long_rows, numeric=(3,),
                           collapse_after=10_000, what="rows") + "</details>")
    unfitted: dict[str, list[str]] = {}
    for e in entries:
        if not e.get("metrics"):
            unfitted.setdefault(str(e.get("reason") or "not measured"), []).append(str(e.get("name", "")))
    if unfitted:
        items = "".join(f"<li><strong>{esc(', '.join(names))}</strong>: {esc(truncate(reason, 600))}</li>"
                        for reason, names in unfitted.items())
        out.append(f"<details><summary>Not fitted or not measured: {sum(map(len, unfitted.values()))} "
                   f"candidate(s), not assessed</summary><ul>{items}</ul></details>")
    accepted = details.get("accepted") if isinstance(details.get("accepted"), Mapping) else None
    if accepted:
        out.append(f'<p class="note"><strong>Least accuracy lost among candidates the policy accepts:</strong> '
                   f"{esc(accepted.get('name'))}.</p>")
    else:
        out.append('<p class="note"><strong>No candidate passes the policy</strong> on the held-out rows.</p>')
    if details.get("caveat"):
        out.append(f'<p class="note">{esc(details["caveat"])}</p>')
    chosen = details.get("chosen_thresholds") if isinstance(details.get("chosen_thresholds"), Mapping) else None
    if chosen:
        out.append(f'<p class="muted small">The group thresholds of {esc(chosen.get("candidate"))} are written '
                   "beside this report as <code>mitigation_thresholds.json</code> by the command line; "
                   "<code>audit.mitigation.apply</code> gives its predictions.</p>")
    return out
