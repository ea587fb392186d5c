"""Model cards of the reference networks: metrics overall and by group, and their text.

Metrics are computed on the test split with fairlearn's ``MetricFrame`` (the reference
implementation the auditors are checked against). Floats are rounded to 6 decimals and
keys sorted, so ``card.json`` is byte-stable across retraining on one machine except for
``training_seconds`` and ``training_energy`` (recorded with ``audit.energy.track``), which
are inherently machine- and run-dependent.
"""
from __future__ import annotations

import json
import platform
from typing import Any

import numpy as np
import sklearn
import torch
from fairlearn.metrics import MetricFrame, count, false_positive_rate, selection_rate, true_positive_rate
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    mean_absolute_error,
    mean_squared_error,
    r2_score,
    roc_auc_score,
)

from ._datasets import SHA256, Dataset

__all__ = ["build_card", "card_markdown", "card_metrics"]

CARD_FORMAT = "rai-audit.model-card/1"


def _round(value: Any) -> Any:
    """Round floats (also inside containers) to 6 decimals; NaN becomes None."""
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_round(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return None if not np.isfinite(v) else round(v, 6) + 0.0
    return value


def _rmse(y_true: Any, y_pred: Any) -> float:
    return float(np.sqrt(mean_squared_error(y_true, y_pred)))


def _mean_prediction(y_true: Any, y_pred: Any) -> float:
    return float(np.mean(y_pred))


def _base_rate(y_true: Any, y_pred: Any) -> float:
    return float(np.mean(y_true))


def card_metrics(dataset: Dataset, y_true: np.ndarray, y_pred: np.ndarray,
                 y_score: np.ndarray | None = None) -> dict[str, Any]:
    """Overall and per-group test metrics (fairlearn MetricFrame, names as fairlearn's)."""
    if dataset.task == "binary":
        metrics = {"count": count, "base_rate": _base_rate, "selection_rate": selection_rate,
                   "accuracy": accuracy_score, "true_positive_rate": true_positive_rate,
                   "false_positive_rate": false_positive_rate}
        overall = {
            "count": int(len(y_true)),
            "accuracy": accuracy_score(y_true, y_pred),
            "balanced_accuracy": balanced_accuracy_score(y_true, y_pred),
            "roc_auc": roc_auc_score(y_true, y_score),
            "selection_rate": selection_rate(y_true, y_pred),
            "base_rate": float(np.mean(y_true)),
            "true_positive_rate": true_positive_rate(y_true, y_pred),
            "false_positive_rate": false_positive_rate(y_true, y_pred),
        }
    else:
        metrics = {"count": count, "mean_absolute_error": mean_absolute_error,
                   "root_mean_squared_error": _rmse, "mean_prediction": _mean_prediction}
        overall = {
            "count": int(len(y_true)),
            "mean_absolute_error": mean_absolute_error(y_true, y_pred),
            "root_mean_squared_error": _rmse(y_true, y_pred),
            "r2": r2_score(y_true, y_pred),
        }
    by_group: dict[str, list[dict[str, Any]]] = {}
    for feature in dataset.sensitive_features:
        groups = dataset.test[feature].astype(object).where(dataset.test[feature].notna(),
                                                            "(missing)").astype(str)
        frame = MetricFrame(metrics=metrics, y_true=y_true, y_pred=y_pred,
                            sensitive_features=groups.rename(feature)).by_group
        rows = []
        for group, values in frame.iterrows():
            row: dict[str, Any] = {"group": str(group)}
            row.update({m: values[m] for m in metrics})
            row["count"] = int(row["count"])
            rows.append(row)
        by_group[feature] = sorted(rows, key=lambda r: (-r["count"], r["group"]))
    return _round({"split": "test", "overall": overall, "by_group": by_group})


_USE = {
    "intended": [
        "A reference subject for rai-audit: a known, reproducible model on public data "
        "against which fairness, attribution, privacy and energy auditors are demonstrated, "
        "tested and calibrated.",
        "Teaching and research on auditing methods.",
    ],
    "out_of_scope": [
        "Any decision about real people (hiring, pay, credit, bail, sentencing, medical "
        "care). The model is deliberately simple and was not validated for deployment.",
        "Claims about the populations the data were drawn from, or about present-day "
        "populations: the data are old, regional and collected for other purposes.",
    ],
}

_DATASET_TEXT = {
    "adult": {
        "limitations": [
            "1994 US census extract; income thresholds, occupations and demographics have "
            "changed since, and the sample is not representative of other countries.",
            "Small groups (e.g. race 'Other', 'Amer-Indian-Eskimo', age 65+) give noisy "
            "per-group metrics; read them with their counts.",
        ],
        "ethics": [
            "sex and race are model inputs, as in the original task; the model can and "
            "likely does use them, which is what makes it a useful audit subject and an "
            "inappropriate decision tool.",
        ],
    },
    "compas": {
        "limitations": [
            "Broward County, Florida, 2013-2014 only. The label is re-arrest, not "
            "re-offending: it reflects policing as much as behaviour, so group differences "
            "in the label may encode enforcement bias.",
            "Races 'Asian' and 'Native American' have very few test rows; their metrics "
            "are not meaningful.",
        ],
        "ethics": [
            "Risk scoring in criminal justice affects liberty; ProPublica's analysis found "
            "unequal error rates by race for the COMPAS score. This network reproduces the "
            "task to study such disparities, not to predict anyone's behaviour.",
            "race and sex are model inputs. Names and dates of birth were removed from the "
            "vendored copy (data minimisation); the rows still describe real people.",
        ],
    },
    "german": {
        "limitations": [
            "1,000 loans from a German bank in the 1970s; 300 test rows make every group "
            "metric noisy, especially foreign_worker = 'no' (few rows) and age 65+.",
            "sex is derived from the combined personal_status_sex code, whose marital "
            "categories differ by sex (one female code covers divorced, separated and "
            "married), so sex and marital status cannot be separated.",
            "Weak model: on the seed-0 test split its accuracy equals the majority-class "
            "rate (0.70) and its ROC AUC is about 0.72; a logistic regression on the same "
            "inputs reaches about 0.68 accuracy, so the split, not only the network, is hard.",
        ],
        "ethics": [
            "Credit decisions are regulated; using sex, age or nationality (foreign_worker) "
            "is unlawful in many jurisdictions. They are inputs here so audits can detect "
            "their use.",
        ],
    },
    "diabetes": {
        "limitations": [
            "442 patients (133 in test); metrics, especially per group, are noisy.",
            "The source codes sex as 1/2 without saying which is female or male; groups are "
            "reported as 'sex_1'/'sex_2'.",
        ],
        "ethics": [
            "A medical regression task: predictions must not inform care. Group differences "
            "in error may reflect the small sample rather than the model.",
        ],
    },
}


def build_card(recipe: dict[str, Any], dataset: Dataset, preprocessor: Any,
               n_parameters: int, metrics: dict[str, Any], training_seconds: float,
               training_energy: dict[str, Any] | None = None) -> dict[str, Any]:
    """The model card of a freshly trained reference network (JSON-ready)."""
    files = {f: SHA256[f] for f in dataset.info["files"]}
    text = _DATASET_TEXT[dataset.name]
    sensitive = {}
    for s in dataset.sensitive_features:
        carried = list(dataset.sensitive_inputs.get(s, ()))
        sensitive[s] = {
            "model_input": s in dataset.features,
            "carried_by_inputs": carried,
            "note": ("a direct model input" if s in dataset.features else
                     f"not an input itself; the model sees it through {', '.join(carried)}"
                     if carried else "not seen by the model"),
        }
    card = {
        "format": CARD_FORMAT,
        "name": recipe["name"],
        "task": dataset.task,
        "intended_use": _USE["intended"],
        "out_of_scope_use": _USE["out_of_scope"],
        "data": {
            "dataset": dataset.name,
            "title": dataset.info["title"],
            "source": dataset.info["source"],
            "licence": dataset.info["licence"],
            "vendored_files_sha256": files,
            "notes": dataset.info["notes"],
            "split": dataset.split,
            "rows": {"train": len(dataset.train), "test": len(dataset.test)},
        },
        "target": {"name": dataset.target, "meaning": dataset.info["positive_label"]},
        "features": {
            "categorical": list(dataset.categorical),
            "numeric": list(dataset.numeric),
            "encoded_columns": preprocessor.n_encoded,
        },
        "sensitive_attributes": sensitive,
        "architecture": recipe["architecture"],
        "parameter_count": n_parameters,
        "training": {k: recipe[k] for k in ("seed", "epochs", "batch_size", "optimiser",
                                            "loss")}
        | {"deterministic": True, "threads": 1, "device": "cpu",
           "torch": torch.__version__.split("+")[0], "scikit_learn": sklearn.__version__,
           "python": platform.python_version()},
        "training_seconds": round(float(training_seconds), 3),
        "training_energy": training_energy,
        "metrics": metrics,
        "limitations": text["limitations"],
        "ethical_considerations": text["ethics"],
    }
    if "planted" in recipe:  # only variants carry these keys: clean cards stay byte-identical
        card["variant_of"] = recipe["variant_of"]
        card["planted_defect"] = recipe["planted"]
        card["intended_use"] = [_PLANTED_USE] + card["intended_use"]
    return json.loads(json.dumps(_round(card)))


_PLANTED_USE = ("A planted-defect variant: a deliberately flawed model that shows an auditor finds "
                "what it should (docs/validity.md). Never use it for anything else.")


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4f}"
    return "" if v is None else str(v)


def card_markdown(card: dict[str, Any]) -> str:
    """Render a card as Markdown for people (card.json stays the machine-readable one)."""
    d = card["data"]
    lines = [f"# Model card: {card['name']}", "",
             f"Task: {card['task']}. Target: `{card['target']['name']}` "
             f"({card['target']['meaning']}).", "", "## Intended use", ""]
    lines += [f"- {s}" for s in card["intended_use"]]
    lines += ["", "## Out-of-scope use", ""] + [f"- {s}" for s in card["out_of_scope_use"]]
    if "planted_defect" in card:
        planted = card["planted_defect"]
        lines += ["", "## Planted defect", "", f"Variant of `{card['variant_of']}`. "
                  f"{planted['description']}", "",
                  f"- Recipe entry: `{json.dumps(planted, sort_keys=True)}`"]
    lines += ["", "## Data", "", f"- {d['title']}", f"- Source: {d['source']}",
              f"- Licence: {d['licence']}",
              f"- Rows: {d['rows']['train']} train, {d['rows']['test']} test",
              f"- Split: {json.dumps(d['split'], sort_keys=True)}", f"- Notes: {d['notes']}"]
    lines += [f"- `{f}` sha256 `{h}`" for f, h in d["vendored_files_sha256"].items()]
    feats = card["features"]
    lines += ["", "## Features", "",
              f"- Categorical (one-hot): {', '.join(feats['categorical'])}",
              f"- Numeric (standardised): {', '.join(feats['numeric'])}",
              f"- Encoded input columns: {feats['encoded_columns']}",
              "", "## Sensitive attributes", ""]
    lines += [f"- `{s}`: {v['note']}" for s, v in card["sensitive_attributes"].items()]
    t = card["training"]
    lines += ["", "## Architecture and training", "",
              f"- MLP, hidden layers {card['architecture']['hidden']}, "
              f"{card['architecture']['activation']}; {card['parameter_count']} parameters",
              f"- {t['optimiser']['name']} lr={t['optimiser']['lr']} "
              f"weight_decay={t['optimiser']['weight_decay']}, {t['epochs']} epochs, batch "
              f"{t['batch_size']}, loss {t['loss']}, seed {t['seed']}, deterministic, "
              f"1 CPU thread (torch {t['torch']})",
              f"- Training time: {card['training_seconds']:.1f} s"]
    energy = card.get("training_energy")
    if isinstance(energy, dict):
        lines.append(f"- Training energy: {energy['energy_joules']:.1f} J = {energy['energy_joules'] / 3.6e6:.3g} kWh "
                     f"({energy['method']}; "
                     f"{energy['cpu_seconds']:.1f} CPU-s on {energy['cpu_model']} at "
                     f"{energy['cpu_watts_per_core']:g} W per core, PUE 1; machine-dependent)")
    lines += [""]
    m = card["metrics"]
    lines += [f"## Metrics ({m['split']} split)", "", "| metric | value |", "|---|---|"]
    lines += [f"| {k} | {_fmt(v)} |" for k, v in m["overall"].items()]
    for feature, rows in m["by_group"].items():
        cols = [c for c in rows[0] if c != "group"]
        lines += ["", f"### By {feature}", "", "| group | " + " | ".join(cols) + " |",
                  "|---|" + "---|" * len(cols)]
        lines += ["| " + " | ".join([r["group"]] + [_fmt(r[c]) for c in cols]) + " |"
                  for r in rows]
    lines += ["", "## Limitations", ""] + [f"- {s}" for s in card["limitations"]]
    lines += ["", "## Ethical considerations", ""]
    lines += [f"- {s}" for s in card["ethical_considerations"]]
    return "\n".join(lines) + "\n"
