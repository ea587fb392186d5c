"""Benchmark: the models users bring (issue 12's performance goals), in one run, one core.

1. The integer-target regression that used to be taken for a 66-class problem: a Ridge
   Pipeline predicting Adult's ``hours_per_week`` on the Adult test rows without missing
   values (15,060), all four auditors, no ``task=``: wall seconds and the process's peak RSS
   (goal: seconds, under 1 GB).
2. The attribution auditor on the Adult test set (16,281 rows, ``max_rows=None``) for a
   scikit-learn Pipeline (perturbation methods through its raw-frame predictions) against the
   reference network adult-mlp (gradients on its encoded input): median of ``--repeat`` runs
   each and their ratio (goal: the Pipeline within 2x the reference).

    PYTHONPATH=$PWD python benchmarks/users_models.py            # full run
    PYTHONPATH=$PWD python benchmarks/users_models.py --quick    # smoke run (2,000 rows, one repeat)
"""
from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402

import audit  # noqa: E402
from audit.attribution import AttributionAuditor  # noqa: E402
from audit.models import load_dataset, load_reference  # noqa: E402

CAT = ["workclass", "education", "marital_status", "occupation", "relationship", "race", "sex", "native_country"]
NUM = ["age", "capital_gain", "capital_loss", "hours_per_week"]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def regression_audit(rows: int | None) -> dict[str, float]:
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    adult = load_dataset("adult")
    train, test = adult.train.dropna(), adult.test.dropna()
    if rows is not None:
        test = test.iloc[:rows]
    features = CAT + ["age", "capital_gain", "capital_loss"]
    model = Pipeline([("pre", ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"), CAT),
                                                 ("num", StandardScaler(), ["age", "capital_gain", "capital_loss"])])),
                      ("reg", Ridge())]).fit(train[features], train["hours_per_week"].astype("int64"))
    test = test.assign(hours_per_week=test["hours_per_week"].astype("int64"))
    start = time.perf_counter()
    report = audit.run(test, model=model, target="hours_per_week", sensitive_features=["sex", "race"],
                       train_data=train.assign(hours_per_week=train["hours_per_week"].astype("int64")))
    seconds = time.perf_counter() - start
    assert report.subject["task"] == "regression", report.subject["task"]
    return {"rows": len(test), "seconds": round(seconds, 2), "peak_rss_mb": round(_peak_rss_mb(), 1),
            "statuses": {r.auditor: str(r.status) for r in report.results}}


def attribution_pipeline_vs_reference(rows: int | None, repeat: int) -> dict[str, float]:
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    net = load_reference("adult-mlp")
    adult = load_dataset("adult")
    train, test = adult.train, net.test_frame()
    if rows is not None:
        test = test.iloc[:rows]
    pipe = Pipeline([("pre", ColumnTransformer([
        ("cat", OneHotEncoder(handle_unknown="ignore"), CAT),
        ("num", make_pipeline(SimpleImputer(), StandardScaler()), NUM)])),
        ("clf", LogisticRegression(max_iter=500))]).fit(train[CAT + NUM], train["income"])
    auditor = AttributionAuditor(max_rows=None)

    def timed(model: object) -> float:
        subject = audit.AuditSubject(test, model=model, target="income", sensitive_features=["sex", "race"])
        start = time.perf_counter()
        auditor.run(subject)
        return time.perf_counter() - start

    reference = [timed(net) for _ in range(repeat)]
    pipeline = [timed(pipe) for _ in range(repeat)]
    ref, own = statistics.median(reference), statistics.median(pipeline)
    return {"rows": len(test), "reference_seconds": round(ref, 2), "pipeline_seconds": round(own, 2),
            "ratio": round(own / ref, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 rows, one repeat")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = 2000 if args.quick else None
    out = {
        "regression_integer_target": regression_audit(rows),
        "attribution_pipeline_vs_reference": attribution_pipeline_vs_reference(rows, 1 if args.quick else args.repeat),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
