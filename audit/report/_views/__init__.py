"""One view per auditor: ``VIEWS`` maps an auditor name to the function that draws its section.

A section is: heading with status, reason (skipped/error), findings most severe first,
then the auditor's own view (plots and tables), then its parameters, folded. An auditor
with no entry here (a plugin) gets the generic view. A new view is one file in this
folder plus one line in ``VIEWS``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._html import Markup, esc, humanize, status_badge, to_json_text, truncate
from ._generic import Renderer, SectionContext, metrics_table, render_findings, render_generic, section_anchor
from .attribution import render_attribution
from .counterfactual import render_counterfactual
from .energy import render_energy
from .fairness import render_fairness
from .privacy import render_privacy

__all__ = ["VIEWS", "SectionContext", "Renderer", "render_section", "section_anchor", "render_findings",
           "metrics_table", "render_generic"]

#: Auditor name -> renderer of its own view; anything else uses :func:`render_generic`.
VIEWS: dict[str, Renderer] = {"fairness": render_fairness, "attribution": render_attribution,
                              "privacy": render_privacy, "energy": render_energy,
                              "counterfactual": render_counterfactual}


def render_section(result: Mapping[str, Any], index: int, *, subject: Mapping[str, Any],
                   checks: Sequence[Mapping[str, Any]]) -> Markup:
    """The whole ``<section>`` for one auditor result."""
    name = str(result.get("auditor", "auditor"))
    anchor = section_anchor(index, name)
    status = result.get("status")
    out = [f'<section class="auditor" id="{anchor}" aria-labelledby="{anchor}-h">',
           f'<h2 id="{anchor}-h">{esc(humanize(name))} {status_badge(status)}</h2>',
           f'<p class="meta">Auditor <code>{esc(name)}</code>'
           + (f" \u00b7 version {esc(result.get('version'))}" if result.get("version") else "") + "</p>"]
    reason = result.get("reason")
    if reason:
        label = {"skipped": "Skipped because", "error": "Error"}.get(str(status), "Note")
        out.append(f'<p class="note"><strong>{label}:</strong> {esc(truncate(str(reason), 4000))}</p>')
    findings = result.get("findings") or []
    if findings:
        out.append("<h3>Findings</h3>")
        out.append(render_findings(findings))
    ctx = SectionContext(anchor, subject, checks)
    renderer = VIEWS.get(name, render_generic)
    try:
        out.extend(renderer(result, ctx))
    except Exception as exc:  # a malformed result must not take the whole report down
        out.append(f'<p class="note"><strong>This view could not be drawn</strong> '
                   f"({esc(type(exc).__name__)}: {esc(truncate(str(exc), 300))}); showing the generic view.</p>")
        out.extend(render_generic(result, ctx))
    params = result.get("params")
    if isinstance(params, Mapping) and params:
        out.append(f'<details><summary>Parameters</summary><pre class="json">{esc(to_json_text(params))}</pre></details>')
    out.append("</section>")
    return Markup("".join(out))
