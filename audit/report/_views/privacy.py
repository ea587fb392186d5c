"""The privacy section: PII by column, re-identification risk with class sizes, membership ROC, minimisation.

Everything shown comes from the result's details, which hold counts, shares, column
names and masked examples only; every string is escaped.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._html import as_mapping, esc, fmt_num, table, truncate
from .._plots import _figure, _svg
from ._generic import SectionContext

__all__ = ["render_privacy", "class_size_figure", "roc_figure", "MSG_NAMES_RULES_ONLY", "MSG_NAMES_WITH_NER"]

#: Shown when no NER backend ran: what was and was not looked for, and how to change it.
MSG_NAMES_RULES_ONLY = ("Names were found by rules only: a title or a cue word before them ('Mr', 'Dr', 'Dear', "
                        "'Frau', 'Sr.', ...). Most names written without one are missed. Places (LOCATION), "
                        "nationalities and religious or political groups (NRP) and organisations (ORGANIZATION) "
                        "were not assessed. To assess them, give the privacy auditor a statistical NER: "
                        "ner = \"spacy:<pipeline>\" (pip install 'rai-audit[ner]').")
#: Shown when a NER backend ran; {pipeline} and {version} come from report.json and are escaped.
MSG_NAMES_WITH_NER = ("Names (PERSON), places (LOCATION), nationalities and groups (NRP) and organisations "
                      "(ORGANIZATION) were looked for with the rules and the statistical NER of the {backend} "
                      "pipeline {pipeline}{version}. A statistical NER misses some names and finds some that "
                      "are not; the shares above are what it found.")

_BUCKETS = ((1, 1, "1"), (2, 2, "2"), (3, 4, "3-4"), (5, 9, "5-9"), (10, 49, "10-49"), (50, None, "50+"))


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def class_size_figure(ident: str, counts: Sequence[Sequence[Any]], n_records: int, description: str) -> str:
    """Bars: share of records in equivalence classes of each size bucket (small classes are at risk)."""
    shares = []
    for low, high, _ in _BUCKETS:
        records = sum(int(s) * int(c) for s, c in counts if int(s) >= low and (high is None or int(s) <= high))
        shares.append(records / max(n_records, 1))
    with _figure(ident, 6.4, 2.6) as fig:
        ax = fig.subplots()
        colours = ["#b3261e", "#b3261e", "#8a5a00", "#8a5a00", "#2f5d8a", "#2f5d8a"]
        ax.bar(range(len(_BUCKETS)), shares, color=colours)
        ax.set_xticks(range(len(_BUCKETS)), [b[2] for b in _BUCKETS])
        ax.set_xlabel("equivalence class size (records sharing the quasi-identifiers)")
        ax.set_ylabel("share of records")
        ax.set_ylim(0, 1)
        for x, s in enumerate(shares):
            ax.text(x, s + 0.02, f"{s:.1%}", ha="center", fontsize=8)
        return _svg(fig, ident, description)


def roc_figure(ident: str, roc: Sequence[Sequence[Any]], auc: float, description: str) -> str:
    """The loss-threshold attack's ROC curve against the diagonal of guessing."""
    xs = [float(p[0]) for p in roc]
    ys = [float(p[1]) for p in roc]
    with _figure(ident, 3.8, 3.6) as fig:
        ax = fig.subplots()
        ax.plot([0, 1], [0, 1], color="#52606d", linestyle=":", linewidth=1.0, label="guessing")
        ax.plot(xs, ys, color="#0072B2", linewidth=1.6, label=f"attack (AUC {auc:.3f})")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_aspect("equal")
        ax.set_xlabel("false positive rate (non-members called members)")
        ax.set_ylabel("true positive rate")
        ax.legend(loc="lower right")
        return _svg(fig, ident, description)


def _whole_column(p: Mapping[str, Any]) -> str:
    """The whole-column share of a value column: exact, or an estimate with its interval."""
    full = _num(p.get("share_full"))
    if full is None or p.get("kind") != "values":
        return fmt_num(None)
    ci = p.get("share_full_ci")
    if (isinstance(ci, Sequence) and len(ci) == 2 and p.get("n_checked") != p.get("n_matched")
            and _num(ci[0]) is not None and _num(ci[1]) is not None):
        return f"\u2248 {fmt_num(full)} ({fmt_num(_num(ci[0]), whole=False)}\u2013{fmt_num(_num(ci[1]), whole=False)})"
    return fmt_num(full)


def _names_note(details: Mapping[str, Any]) -> list[str]:
    """How names, places and groups were looked for (a report without the record says nothing)."""
    if "ner" not in details:
        return []
    ner = details.get("ner")
    if not isinstance(ner, Mapping):
        return [f'<p class="note">{esc(MSG_NAMES_RULES_ONLY)}</p>']
    version = ner.get("version")
    text = MSG_NAMES_WITH_NER.format(backend=str(ner.get("backend") or "NER"),
                                     pipeline=truncate(str(ner.get("pipeline")), 200),
                                     version="" if version is None else f" {version}")
    return [f'<p class="note">{esc(text)}</p>']


def render_privacy(result: Mapping[str, Any], ctx: SectionContext) -> list[str]:
    """PII table, risk figures and class-size chart, membership ROC, minimisation list."""
    details = as_mapping(result.get("details"))
    out: list[str] = []
    pii = [p for p in details.get("pii") or [] if isinstance(p, Mapping)]
    out.append("<h3>Personal data by column</h3>")
    if pii:
        body = [[str(p.get("column", "")), str(p.get("table", "")), str(p.get("entity_type", "")),
                 str(p.get("kind", "")), fmt_num(_num(p.get("share"))), _whole_column(p), fmt_num(p.get("n_values")),
                 ", ".join(str(e) for e in (p.get("examples") or [])[:3])] for p in pii]
        out.append(table(["Column", "Table", "Type", "Kind", "Share of sample", "Share of whole column", "Values",
                          "Masked examples"], body,
                         caption="Columns holding personal data. Whole column: validated values over all values, "
                                 "exact when every pattern match was validated, else an estimate from a seeded "
                                 "sample of the matches (95% interval). Examples show the shape only: letters as "
                                 "x, digits as #.", numeric=(4, 5, 6), what="columns"))
    else:
        out.append('<p class="muted">No column was found to hold personal data.</p>')
    out += _names_note(details)
    anon = details.get("anonymity")
    out.append("<h3>Re-identification risk</h3>")
    if isinstance(anon, Mapping):
        qis = ", ".join(str(q) for q in anon.get("quasi_identifiers") or [])
        rows = [["k-anonymity", fmt_num(anon.get("k"))], ["Equivalence classes", fmt_num(anon.get("n_classes"))],
                ["Unique records", fmt_num(_num(anon.get("unique_share")))],
                [f"Records with prosecutor risk > {fmt_num(_num(anon.get('risk_threshold')))}",
                 fmt_num(_num(anon.get("prosecutor_records_at_risk")))],
                ["Highest prosecutor risk", fmt_num(_num(anon.get("prosecutor_highest_risk")))],
                ["Average prosecutor risk (ARX)", fmt_num(_num(anon.get("prosecutor_average_risk")))]]
        for name, d in (anon.get("sensitive") or {}).items():
            if isinstance(d, Mapping):
                rows += [[f"l-diversity, distinct ({name})", fmt_num(d.get("l_distinct"))],
                         [f"l-diversity, entropy ({name})", fmt_num(_num(d.get("l_entropy")))],
                         [f"t-closeness, {d.get('distance')} distance ({name})", fmt_num(_num(d.get("t_closeness")))]]
        out.append(table(["Measure", "Value"], rows, caption=f"Over quasi-identifiers: {qis} "
                         f"({details.get('quasi_identifiers_source', '')})", numeric=(1,)))
        counts = [c for c in anon.get("class_size_counts") or [] if isinstance(c, Sequence) and len(c) == 2]
        n_records = int(anon.get("n_records") or 0)
        if counts and n_records:
            description = truncate(f"Bar chart: share of records by the size of their equivalence class over {qis}; "
                                   f"records in classes of size 1 are unique, and small classes are at risk.", 600)
            svg = class_size_figure(f"{ctx.anchor}-classes", counts, n_records, description)
            out.append(f"<figure>{svg}<figcaption>{esc(description)}</figcaption></figure>")
    else:
        out.append(f'<p class="muted">{esc(details.get("anonymity_skipped") or "Not computed.")}</p>')
    member = details.get("membership")
    out.append("<h3>Membership inference</h3>")
    if isinstance(member, Mapping) and member.get("skipped"):
        out.append(f'<p class="note"><strong>Skipped:</strong> {esc(member.get("skipped"))}</p>')
    elif isinstance(member, Mapping):
        auc = _num(member.get("auc")) or 0.5
        description = (f"ROC curve of a loss-threshold membership attack on {fmt_num(member.get('n_members'))} "
                       f"training rows against {fmt_num(member.get('n_non_members'))} held-out rows: AUC "
                       f"{auc:.3f}, advantage {fmt_num(_num(member.get('advantage')))}, TPR "
                       f"{fmt_num(_num(member.get('tpr_at_1pct_fpr')))} at 1% FPR. The diagonal is guessing.")
        roc = [p for p in member.get("roc") or [] if isinstance(p, Sequence) and len(p) == 2]
        if roc:
            svg = roc_figure(f"{ctx.anchor}-roc", roc, auc, description)
            out.append(f"<figure>{svg}<figcaption>{esc(description)}</figcaption></figure>")
        body = []
        for feature, per in (member.get("by_group") or {}).items():
            for value, g in (per or {}).items():
                if isinstance(g, Mapping):
                    body.append([f"{feature}={value}", fmt_num(_num(g.get("auc"))), fmt_num(_num(g.get("advantage"))),
                                 fmt_num(_num(g.get("tpr_at_1pct_fpr"))), fmt_num(_num(g.get("n")))])
        if body:
            body.sort(key=lambda r: r[0])
            out.append(table(["Group", "AUC", "Advantage", "TPR at 1% FPR", "Rows"], body,
                             caption="Membership attack by group", numeric=(1, 2, 3, 4), what="groups"))
    mini = details.get("minimisation")
    out.append("<h3>Data minimisation</h3>")
    if isinstance(mini, Mapping):
        listed = [x for x in mini.get("collected_not_needed") or [] if isinstance(x, Mapping)]
        if listed:
            out.append(table(["Column", "Why it is listed"], [[str(x.get("column")), str(x.get("reason"))]
                                                              for x in listed],
                             caption="Collected, not needed", what="columns"))
        else:
            out.append('<p class="muted">Every column is used by the model or has a role in the audit.</p>')
        out.append(f'<p class="muted small">Basis: {esc(mini.get("basis", ""))}.</p>')
    return out
