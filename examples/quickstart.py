"""Quickstart: audit your own scikit-learn model and your own torch model on your own table.

Run:  python examples/quickstart.py [OUT_DIR]
Writes OUT_DIR/sklearn/ and OUT_DIR/torch/ (report.html + report.json; default: reports/quickstart).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

import audit


def make_table(n: int = 4000, seed: int = 0) -> pd.DataFrame:
    """A loan-approval table of the kind a team has: features, a label, sensitive attributes."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["female", "male"], n, p=[0.45, 0.55])
    age_band = rng.choice(["18-29", "30-49", "50+"], n, p=[0.3, 0.45, 0.25])
    income = rng.lognormal(10.5, 0.5, n) * np.where(sex == "male", 1.15, 1.0)
    debt_ratio = rng.beta(2, 5, n)
    years_employed = rng.gamma(2.0, 3.0, n)
    logit = 1.2 * (np.log(income) - 10.5) - 3.0 * (debt_ratio - 0.3) + 0.08 * years_employed - 0.3
    repaid = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame({"income": income, "debt_ratio": debt_ratio, "years_employed": years_employed,
                         "sex": sex, "age_band": age_band, "repaid": repaid})


def main(out: Path) -> dict[str, audit.AuditReport]:
    table = make_table()
    train, test = train_test_split(table, test_size=0.5, random_state=0, stratify=table["repaid"])
    features = ["income", "debt_ratio", "years_employed"]
    policy = [{"metric": "fairness.demographic_parity_difference", "max": 0.1, "bound": "ci"},
              {"metric": "fairness.equalized_odds_difference", "max": 0.1, "bound": "ci"}]

    # 1. a scikit-learn model: audit.run calls predict / predict_proba on the feature columns
    clf = LogisticRegression(max_iter=1000).fit(np.log(train[features]), train["repaid"])
    sk_test = test.assign(**{c: np.log(test[c]) for c in features})
    sk_report = audit.run(sk_test, model=clf, target="repaid", features=features,
                          sensitive_features=["sex", "age_band"], checks=policy, name="loans-logreg")

    # 2. a torch model over numeric features: one logit means binary (sigmoid for scores)
    torch.manual_seed(0)
    X = torch.tensor(np.log(train[features]).to_numpy(np.float32))
    X_mean, X_std = X.mean(0), X.std(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
    opt = torch.optim.Adam(net.parameters(), lr=0.02)
    y = torch.tensor(train["repaid"].to_numpy(np.float32)).unsqueeze(1)
    for _ in range(200):
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(net((X - X_mean) / X_std), y)
        loss.backward()
        opt.step()
    torch_test = test.assign(**{c: (np.log(test[c]) - X_mean[i].item()) / X_std[i].item()
                                for i, c in enumerate(features)})
    torch_report = audit.run(torch_test, model=net, target="repaid", features=features,
                             sensitive_features=["sex", "age_band"], checks=policy, name="loans-mlp")

    reports = {"sklearn": sk_report, "torch": torch_report}
    for name, report in reports.items():
        report.save(out / name)
        fairness = report["fairness"]
        print(f"{name}: {report.status} (exit code {int(report.exit_code)})")
        print(fairness.by_group("selection_rate").to_string(index=False))
        for check in report.failed_checks:
            print("  failed:", check["message"])
    return reports


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("reports/quickstart"))
