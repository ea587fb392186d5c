"""The same reports from two source trees: ``audit.run`` on in-memory and lazy cases, compared byte for byte.

A refactor check (issue 16's one-``Table`` step): each tree runs the cases below in a fresh
process; report.json (without ``environment``) and a few subject views must be equal.

    PYTHONPATH=$PWD python benchmarks/report_before_after.py --base /tmp/base-table
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def cases() -> dict:
    """Every case's report (or error text) and the subject views, as JSON-able values."""
    import warnings

    import duckdb
    import numpy as np
    import pandas as pd
    import polars as pl
    from sklearn.linear_model import LogisticRegression

    import audit

    warnings.simplefilter("ignore")
    rng = np.random.default_rng(1)
    n = 2500
    base = pd.DataFrame({"y": rng.integers(0, 2, n), "p": rng.integers(0, 2, n), "sex": rng.choice(["F", "M"], n),
                         "race": rng.choice(["a", "b", "c", None], n, p=[0.5, 0.3, 0.15, 0.05]),
                         "age": rng.integers(18, 80, n), "x": rng.normal(size=n),
                         "email": [f"u{i}@ex.com" for i in range(n)], "w": rng.uniform(0.5, 2, n)})
    base["s"] = 1 / (1 + np.exp(-base["x"]))
    out: dict = {}

    def report(name, data, **kw):
        try:
            doc = audit.run(data, random_state=0, **kw).to_dict()
            doc.pop("environment", None)
            out[name] = doc
        except Exception as exc:  # the same error on both trees is the same behaviour
            out[name] = f"{type(exc).__name__}: {exc}"

    fair = dict(target="y", prediction="p", auditor_options={"fairness": {"n_boot": 20}})
    both = ["fairness", "privacy"]
    report("fair", base, sensitive_features=["sex", "race"], auditors=["fairness"], **fair)
    report("fair_score", base, score="s", sensitive_features=["sex", "race"], auditors=["fairness"], **fair)
    report("fair_w", base, sample_weight="w", sensitive_features=["sex"], auditors=["fairness"], **fair)
    report("reg", base.assign(y=base["x"] * 2, p=base["x"]), sensitive_features=["sex"], auditors=["fairness"], **fair)
    report("multi", base.assign(y=rng.integers(0, 3, n), p=rng.integers(0, 3, n)), sensitive_features=["sex"],
           auditors=["fairness"], **fair)
    report("nan_target", base.assign(y=base["y"].astype(float).where(base.index > 3)), sensitive_features=["sex"],
           auditors=["fairness"], **fair)
    report("priv", base, target="y", quasi_identifiers=["sex", "race", "age"], auditors=["privacy"])
    report("pseudo", base.assign(who=[f"p{i % 40}@ex.com" for i in range(n)]), sensitive_features=["who"],
           auditors=both, **fair)
    report("intcol", base.rename(columns={"x": 7}), sensitive_features=["sex"], auditors=both, **fair)
    clf = LogisticRegression().fit(base[["x", "age"]], base["y"])
    model = dict(model=clf, target="y", sensitive_features=["sex"], features=["x", "age"],
                 auditors=[*both, "attribution"],
                 auditor_options={"fairness": {"n_boot": 20},
                                  "attribution": {"max_rows": 60, "n_boot": 5, "sanity_rows": 20,
                                                  "infidelity_rows": 20, "n_steps": 8, "n_samples": 3}})
    report("model", base, **model)
    engines = (("polars", lambda f: pl.from_pandas(f).lazy()), ("duckdb", lambda f: duckdb.connect().from_df(f)))
    for kind, make in engines:
        report("lazy_fair_" + kind, make(base), sensitive_features=["sex", "race"], auditors=both, **fair)
        report("lazy_model_" + kind, make(base), **model)
    subject = audit.AuditSubject(base, target="y", prediction="p", sensitive_features=["sex", "race"])
    out["subject_rows"] = subject.rows([3, 1, 2000], ["sex", "x"]).to_dict()
    out["batches"] = [len(b) for b in subject.batches(["x"], 700)]
    out["values_at"] = subject.values_at("y_pred", [5, 3]).tolist()
    out["count"] = subject.count_table(["sex", "race"]).to_dict()
    out["describe"] = subject.describe()
    out["findings"] = [f.code for f in subject.input_findings()]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=pathlib.Path, required=True, help="tree holding the older audit package")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(cases(), sort_keys=True, default=str))
        return 0
    got = {}
    for name, tree in (("base", args.base.resolve()), ("head", ROOT)):
        env = {**os.environ, "PYTHONPATH": str(tree)}
        run = subprocess.run([sys.executable, __file__, "--base", str(args.base), "--child"], env=env,
                             capture_output=True, text=True, check=True)
        got[name] = json.loads(run.stdout)
    differ = [k for k in got["base"] if got["base"][k] != got["head"].get(k)]
    for key in sorted(got["base"]):
        print(f"{key:24s} {'DIFFERENT' if key in differ else 'same'}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
