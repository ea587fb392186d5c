"""The counterfactual auditor's view: the swap table, the pair that flips most first, and how to read it."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._html import as_mapping, esc, fmt_value, table
from ._generic import SectionContext

__all__ = ["render_counterfactual"]

_READING = ("Each row swaps the group attribute of every input of one group to another group and predicts "
            "again: nothing else about the input changes. The flip rate is the share of predictions that change "
            "(Wilson interval); the score change is the mean change of {score} (t interval). A model that does "
            "not use the attribute flips only the inputs it is unsure of. The swap is only as good as the swap "
            "function: it must change the attribute and nothing else.")


def _pair(group: Any) -> tuple[str, str, str] | None:
    if not isinstance(group, Mapping) or "swapped_to" not in group or len(group) != 2:
        return None
    feature = next(k for k in group if k != "swapped_to")
    return str(feature), str(group[feature]), str(group["swapped_to"])


def render_counterfactual(result: Mapping[str, Any], ctx: SectionContext) -> list[str]:
    details = as_mapping(result.get("details"))
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    totals: dict[str, dict[str, Any]] = {}
    for m in result.get("metrics") or []:
        if not isinstance(m, Mapping):
            continue
        pair = _pair(m.get("group"))
        if pair is not None:
            rows.setdefault(pair, {})[str(m.get("metric"))] = m
        elif m.get("group") is None and isinstance(m.get("over"), list) and m["over"]:
            totals.setdefault(str(m["over"][0]), {})[str(m.get("metric"))] = m
    if not rows:
        return []

    def flip(entry: Mapping[str, Any]) -> float:
        value = (entry.get("counterfactual_flip_rate") or {}).get("value")
        return float(value) if isinstance(value, (int, float)) else -1.0

    ordered = sorted(rows.items(), key=lambda kv: (-flip(kv[1]), kv[0]))
    body = []
    for (feature, a, b), entry in ordered:
        n = (entry.get("counterfactual_flip_rate") or {}).get("n")
        body.append([f"{feature}: {a} \u2192 {b}", fmt_value(entry.get("counterfactual_flip_rate") or {}),
                     fmt_value(entry.get("counterfactual_score_change") or {}),
                     fmt_value(entry.get("counterfactual_abs_score_change") or {}), n])
    for feature, entry in sorted(totals.items()):
        n = (entry.get("counterfactual_flip_rate") or {}).get("n")
        body.append([f"{feature}: every swap", fmt_value(entry.get("counterfactual_flip_rate") or {}),
                     fmt_value(entry.get("counterfactual_score_change") or {}),
                     fmt_value(entry.get("counterfactual_abs_score_change") or {}), n])
    score = str(details.get("score") or "the score")
    swap = details.get("swap")
    source = ("; ".join(f"{k}: {v}" for k, v in swap.items()) if isinstance(swap, Mapping) else str(swap or ""))
    out = ["<h3>Swap test</h3>",
           f'<p class="note">{esc(_READING.format(score=score))}</p>',
           table(["swap", "flip rate", "score change", "mean |score change|", "inputs"], body, numeric=(1, 2, 3, 4),
                 caption="Prediction change when only the group attribute is swapped, the pair that flips most first")]
    if source:
        out.append(f'<p class="meta">Swap: {esc(source)}</p>')
    return out
