"""Test helpers: realistic report dicts (report.json content) and an HTML outline parser."""
from __future__ import annotations

import itertools
import math
import re
from html.parser import HTMLParser
from typing import Any

HOSTILE_A = "<script>alert(1)</script>"
HOSTILE_B = '"><img src=x onerror=alert(1)>'


def _ci(value: float, n: int) -> tuple[float, float]:
    half = 1.96 * math.sqrt(max(value * (1 - value), 0.01) / max(n, 1))
    return max(value - half, 0.0), min(value + half, 1.0)


def _rows_for_group(metrics: dict[str, float], group: dict | None, over: list | None, n: int,
                    label: str | None = None) -> list[dict[str, Any]]:
    rows = []
    for metric, value in metrics.items():
        if metric == "count":
            rows.append({"metric": "count", "group": group, "value": float(n), "ci_low": None, "ci_high": None,
                         "n": n, "over": over, "label": None})
            continue
        lo, hi = _ci(value, n) if 0 <= value <= 1 else (value * 0.9, value * 1.1)
        rows.append({"metric": metric, "group": group, "value": value, "ci_low": lo, "ci_high": hi,
                     "n": n, "over": over, "label": label})
    return rows


def fairness_result(task: str = "binary", features: dict[str, list[str]] | None = None,
                    sizes: dict[str, int] | None = None) -> dict[str, Any]:
    """A fairness result: each feature alone plus their intersection, CIs, aggregates, calibration."""
    features = features or {"race": ["White", "Black", "Asian", "Other"], "sex": ["Female", "Male"]}
    names = list(features)
    rows: list[dict[str, Any]] = []
    groupings = [[f] for f in names] + ([names] if len(names) > 1 else [])
    h = 0
    for over in groupings:
        for values in itertools.product(*(features[f] for f in over)):
            h += 1
            group = dict(zip(over, values))
            key = ", ".join(values)
            n = (sizes or {}).get(key, 40 + (h * 37) % 900)
            r = 0.15 + ((h * 13) % 50) / 100
            if task == "regression":
                metrics = {
                    "count": n,
                    "mean_prediction": 30 + r * 10,
                    "mean_target": 31 + r * 9,
                    "mean_absolute_error": 2 + r * 3,
                    "root_mean_squared_error": 3 + r * 3,
                    "r2_score": 0.7 - r / 3,
                }
                rows += _rows_for_group(metrics, group, over, n)
            elif task == "multiclass":
                rows += _rows_for_group({"count": n, "accuracy_score": 0.6 + r / 3}, group, over, n)
                for i, label in enumerate(("A", "B", "C")):
                    rows += _rows_for_group({"selection_rate": (r + i * 0.2) % 1, "true_positive_rate": 0.5 + r / 4},
                                            group, over, n, label)
            else:
                metrics = {
                    "count": n,
                    "selection_rate": r,
                    "base_rate": r * 0.9 + 0.05,
                    "accuracy_score": 0.9 - r / 4,
                    "true_positive_rate": 0.6 + r / 3,
                    "false_positive_rate": r / 3,
                    "roc_auc_score": 0.8 + r / 10,
                }
                rows += _rows_for_group(metrics, group, over, n)
    total = 5000
    if task == "regression":
        rows += _rows_for_group({"mean_absolute_error": 3.1, "r2_score": 0.61}, None, None, total)
        for over in groupings:
            rows.append({"metric": "mean_absolute_error_difference", "group": None, "value": 1.2, "ci_low": 0.8,
                         "ci_high": 1.6, "n": total, "over": over, "label": None})
    else:
        rows += _rows_for_group({"selection_rate": 0.31, "accuracy_score": 0.84}, None, None, total)
        labels = ("A", "B", "C") if task == "multiclass" else (None,)
        for over, label in itertools.product(groupings, labels):
            for metric, value in (("demographic_parity_difference", 0.18), ("equalized_odds_difference", 0.12),
                                  ("equal_opportunity_difference", 0.07), ("disparate_impact_ratio", 0.71),
                                  ("accuracy_score_group_min", 0.78)):
                rows.append({"metric": metric, "group": None, "value": value + 0.01 * len(over),
                             "ci_low": value - 0.04, "ci_high": value + 0.05, "n": total, "over": over, "label": label})
    details: dict[str, Any] = {"min_group_size": 50, "small_groups": []}
    if task == "binary":
        calibration = []
        for i, (over, value) in enumerate([(None, None)] + [([names[0]], v) for v in features[names[0]]]):
            group = None if over is None else {names[0]: value}
            for b in range(5):
                drift = (0.03 * i - 0.04) * b / 4
                calibration.append(
                    {
                        "group": group,
                        "over": over,
                        "bin_low": b / 5,
                        "bin_high": (b + 1) / 5,
                        "n": 100,
                        "mean_score": b / 5 + 0.1,
                        "fraction_positive": min(max(b / 5 + 0.1 + drift, 0), 1),
                    }
                )
        details["calibration"] = calibration
    return {"auditor": "fairness", "version": "0.1.0", "status": "fail", "reason": None,
            "params": {"sensitive_features": names, "n_bootstrap": 200},
            "metrics": rows,
            "findings": [
                {"severity": "info", "code": "FAIR-SMALL", "message": "2 groups have fewer than 50 rows.",
                 "evidence": {"groups": 2}},
                {"severity": "high", "code": "FAIR-DPD", "message": "Selection rates differ by 0.18 across race.",
                 "evidence": {"metric": "demographic_parity_difference", "value": 0.18, "over": ["race"]}},
                {"severity": "warning", "code": "FAIR-EOD", "message": "Equalized odds difference is 0.12.",
                 "evidence": {}},
            ],
            "details": details}


def make_report(task: str = "binary", *, features: dict[str, list[str]] | None = None,
                sizes: dict[str, int] | None = None, title: str = "Adult income MLP audit") -> dict[str, Any]:
    """A whole report dict: fairness, a skipped and an errored auditor, a plugin, checks, a model card."""
    fairness = fairness_result(task, features, sizes)
    feats = list((features or {"race": [], "sex": []}))
    first = feats[0]
    checks = [
        {"metric": "fairness.accuracy_score_group_min", "op": "min", "threshold": 0.7, "bound": "estimate",
         "severity": "fail", "over": None, "value": 0.78, "group": None, "status": "pass",
         "message": "accuracy_score_group_min 0.780 >= 0.7"},
        {"metric": "fairness.equalized_odds_difference", "op": "max", "threshold": 0.1, "bound": "estimate",
         "severity": "warn", "over": None, "value": 0.12, "group": None, "status": "warn",
         "message": "equalized_odds_difference 0.120 > 0.1"},
        {"metric": "fairness.demographic_parity_difference", "op": "max", "threshold": 0.1, "bound": "ci",
         "severity": "fail", "over": [first], "value": 0.14, "group": None, "status": "fail",
         "message": f"demographic_parity_difference over {first}: lower CI bound 0.140 > 0.1"},
        {"metric": "fairness.disparate_impact_ratio", "op": "min", "threshold": 0.8, "bound": "estimate",
         "severity": "fail", "over": [first], "value": 0.72, "group": None, "status": "fail",
         "message": "disparate_impact_ratio 0.720 < 0.8"},
    ]
    if task == "regression":
        checks = [{"metric": "fairness.mean_absolute_error_difference", "op": "max", "threshold": 1.0,
                   "bound": "estimate", "severity": "fail", "over": None, "value": 1.2, "group": None,
                   "status": "fail", "message": "mean_absolute_error_difference 1.200 > 1.0"}]
    return {
        "schema_version": "1.0",
        "tool": {"name": "rai-audit", "version": "0.1.0"},
        "title": title,
        "status": "fail",
        "exit_code": 1,
        "subject": {
            "name": "adult-mlp",
            "n_rows": 5000,
            "task": task,
            "target": "income",
            "prediction": "y_pred",
            "score": "y_score" if task == "binary" else None,
            "sensitive_features": feats,
            "quasi_identifiers": [],
            "features": ["age", "education_num", "hours_per_week"],
            "model": {"kind": "torch", "class": "MLP", "n_parameters": 12801},
            "data_fingerprint": "sha256:3f2a9c",
        },
        "environment": {
            "python": "3.11.7",
            "platform": "Linux-x86_64",
            "random_state": 0,
            "packages": {"torch": "2.5.1", "pandas": "3.1.1", "numpy": "2.4.6", "fairlearn": "0.13.0"},
        },
        "model_card": {
            "model_details": {
                "name": "adult-mlp",
                "overview": "A two-layer MLP trained on Adult.\nReference network.",
                "owners": [{"name": "rai-audit developers"}],
                "version": {"name": "1.0"},
            },
            "considerations": {
                "limitations": ["Trained on 1994 census data."],
                "ethical_considerations": [{"name": "Historical bias", "mitigation_strategy": "Audit per group."}],
            },
            "license": "MIT",
        },
        "results": [
            fairness,
            {
                "auditor": "privacy",
                "version": "0.1.0",
                "status": "skipped",
                "reason": "no quasi_identifiers given in [data]",
                "params": {},
                "metrics": [],
                "findings": [],
                "details": {},
            },
            {
                "auditor": "energy",
                "version": "0.1.0",
                "status": "error",
                "reason": "RuntimeError: power meter unavailable",
                "params": {},
                "metrics": [],
                "findings": [],
                "details": {},
            },
            {
                "auditor": "acme_drift",
                "version": "2.3",
                "status": "pass",
                "reason": None,
                "params": {"window": 7},
                "metrics": [
                    {
                        "metric": "psi",
                        "group": None,
                        "value": 0.04,
                        "ci_low": None,
                        "ci_high": None,
                        "n": 5000,
                        "over": None,
                        "label": None,
                    }
                ],
                "findings": [{"severity": "info", "code": "DRIFT-OK", "message": "No drift detected.", "evidence": {}}],
                "details": {"reference": "train split"},
            },
        ],
        "checks": checks,
    }


_VOID = {"meta", "br", "hr", "img", "input", "link", "wbr", "col", "area", "base", "source"}
REMOTE = re.compile(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", re.I)


class _Outline(HTMLParser):
    """Collects headings, checks that tags nest, and records every tag and attribute name."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.headings: list[int] = []
        self.tags: set[str] = set()
        self.attrs: set[str] = set()
        self.th_without_scope = 0
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs.update(a for a, _ in attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "th" and "scope" not in dict(attrs):
            self.th_without_scope += 1
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs.update(a for a, _ in attrs)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def outline(html: str) -> _Outline:
    parser = _Outline()
    parser.feed(html)
    parser.close()
    return parser
