"""Render report.json content to self-contained HTML: the report page, an index, a notebook view.

Every page is one file: inline CSS, inline SVG plots, no script and no external request,
so it opens offline, survives being attached to a CI run, and stays small (aggregates
only, never row-level data). Every string that came from data is HTML-escaped.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._html import Markup, esc, fmt_num, table
from ._page import render_fragment, render_index_page, render_page
from ._views import SectionContext, metrics_table

#: What a plugin's view may use (see ``examples/plugin/``): its section context, escaping, tables.
__all__ = ["render_html", "render_index", "render_result_html", "SectionContext", "Markup", "esc", "fmt_num",
           "table", "metrics_table"]


def render_html(report: Mapping[str, Any]) -> str:
    """The HTML page for one report dict (the content of report.json), deterministic byte for byte."""
    return render_page(report)


def render_index(entries: Sequence[Mapping[str, Any]], title: str = "rai-audit reports") -> str:
    """An index page of reports; entries carry ``name``, relative ``href``, ``status``, ``title``, ``summary``.

    An entry with ``checks`` (report.json's check dicts) shows their counts first, as the
    report header does: ``checks: 2 failed, 1 warned, 0 passed``.

    A ``href`` that is not a plain relative path (a URL, ``//host``, ``javascript:``...) is
    shown as text, not linked.
    """
    return render_index_page(entries, title)


def render_result_html(result: Any) -> str:
    """A compact HTML fragment for one result (a result dict, or an object with ``to_dict()``).

    ``AuditResult._repr_html_`` uses it in Jupyter; the package renders dicts only, so it
    never imports the result classes.
    """
    return render_fragment(result if isinstance(result, Mapping) else result.to_dict())
