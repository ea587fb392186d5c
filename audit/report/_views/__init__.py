"""One view per auditor: ``VIEWS`` maps an auditor name to the function that draws its section.

A section is: heading with status, reason (skipped/error), findings most severe first,
then the auditor's own view (plots and tables), then its parameters, folded. A built-in
view is one file in this folder plus one line in ``VIEWS``. A plugin distribution brings
its own view by declaring it in the ``audit.views`` entry-point group under its auditor's
name (see ``examples/plugin/``); an auditor with no view gets the generic one.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from importlib import metadata
from typing import Any

from .._html import Markup, esc, humanize, status_badge, to_json_text, truncate
from ._generic import Renderer, SectionContext, metrics_table, render_findings, render_generic, section_anchor
from .attribution import render_attribution
from .counterfactual import render_counterfactual
from .energy import render_energy
from .fairness import render_fairness
from .mitigation import render_mitigation
from .privacy import render_privacy

__all__ = ["VIEWS", "VIEW_GROUP", "view_for", "SectionContext", "Renderer", "render_section", "section_anchor",
           "render_findings",
           "metrics_table", "render_generic"]

#: Auditor name -> renderer of its own view; anything else uses :func:`render_generic`.
VIEWS: dict[str, Renderer] = {"fairness": render_fairness, "attribution": render_attribution,
                              "privacy": render_privacy, "energy": render_energy,
                              "mitigation": render_mitigation,
                              "counterfactual": render_counterfactual}

#: The entry-point group in which a plugin distribution declares its auditor's view.
VIEW_GROUP = "audit.views"


@functools.lru_cache(maxsize=1)
def _plugin_views() -> dict[str, metadata.EntryPoint]:
    """Views declared by installed distributions, by auditor name; a built-in name is never taken."""
    found: dict[str, metadata.EntryPoint] = {}
    for ep in sorted(metadata.entry_points(group=VIEW_GROUP), key=lambda e: (e.name, e.value)):
        if ep.name not in VIEWS:
            found.setdefault(ep.name, ep)
    return found


def view_for(auditor: str) -> Renderer:
    """The function that draws ``auditor``'s own view: built-in, a plugin's, or the generic one.

    A plugin's view is loaded when a report that holds its result is drawn; one that fails to
    load or to draw falls back to the generic view, with a note, in :func:`render_section`.
    """
    if auditor in VIEWS:
        return VIEWS[auditor]
    ep = _plugin_views().get(auditor)
    return render_generic if ep is None else ep.load()


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
    try:
        out.extend(view_for(name)(result, ctx))
    except Exception as exc:  # a malformed result must not take the whole report down
        out.append(f'<p class="note"><strong>This view could not be drawn</strong> '
                   f"({esc(type(exc).__name__)}: {esc(truncate(str(exc), 300))}); showing the generic view.</p>")
        out.extend(render_generic(result, ctx))
    params = result.get("params")
    if isinstance(params, Mapping) and params:
        out.append(f'<details><summary>Parameters</summary><pre class="json">{esc(to_json_text(params))}</pre>'
                   '</details>')
    out.append("</section>")
    return Markup("".join(out))
