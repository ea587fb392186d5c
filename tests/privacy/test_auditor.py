"""PrivacyAuditor end to end: it finds what is there, never leaks it, and skips with reasons."""
from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tomllib
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.tree import DecisionTreeClassifier

import audit
from audit import AuditSubject, Status
from audit.models import load_reference
from audit.privacy import PrivacyAuditor, check_anonymised_copy
from audit.privacy._auditor import SKIP_NO_SCORES, SKIP_NO_TRAIN

FIRST = ["Olivia", "Liam", "Emma", "Noah", "Amelia", "Oliver", "Sophia", "Elijah", "Mia", "James"]
LAST = ["Garcia", "Smith", "Okafor", "Nguyen", "Kowalski", "Haddad", "Silva", "Novak", "Jensen", "Moreau"]
CARDS = ["4111111111111111", "5555555555554444", "2221000000000009", "378282246310005", "6011111111111117"]


def _ssn(rng):
    while True:
        a, g, s = rng.integers(1, 900), rng.integers(1, 100), rng.integers(1, 10000)
        if a != 666:
            return f"{a:03d}-{g:02d}-{s:04d}"


def pii_frame(n=240, seed=0):
    rng = np.random.default_rng(seed)
    names = [f"{FIRST[i % 10]} {LAST[(i // 10) % 10]}{'' if i < 100 else 'son'}" for i in range(n)]
    emails = [f"user{seed}_{i}.{LAST[i % 10].lower()}@example{i % 7}.org" for i in range(n)]
    phones = [f"(212) 555-{1000 + i:04d}" for i in range(n)]
    ssns = [_ssn(rng) for _ in range(n)]
    cards = [CARDS[i % 5] for i in range(n)]
    notes = [f"Customer {names[i]} asked to update card {cards[i]}; call {phones[i]} or mail {emails[i]}."
             for i in range(n)]
    x1 = rng.normal(size=n)
    x2 = rng.normal(size=n)
    return pd.DataFrame({"full_name": names, "email": emails, "phone": phones, "ssn": ssns, "card_number": cards,
                         "notes": notes, "age": rng.integers(18, 80, n), "zip": rng.choice(["10001", "10002"], n),
                         "sex": rng.choice(["f", "m"], n), "x1": x1, "x2": x2,
                         "y": (x1 + rng.normal(scale=0.5, size=n) > 0).astype(int)})


def raw_values(frame):
    cols = ["full_name", "email", "phone", "ssn", "card_number"]
    values = {str(v) for c in cols for v in frame[c]}
    values |= {v.replace("-", "") for v in frame["ssn"]}
    values |= {v.split()[-1] for v in frame["full_name"]} - set(LAST)  # surnames with suffix
    return values


def test_entry_point_names_the_class():
    doc = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    target = doc["project"]["entry-points"]["audit.auditors"]["privacy"]
    module, _, attr = target.partition(":")
    assert getattr(__import__(module, fromlist=[attr]), attr) is PrivacyAuditor


def test_finds_pii_and_never_leaks(tmp_path, caplog):
    test, train = pii_frame(seed=0), pii_frame(seed=1)
    model = LogisticRegression().fit(train[["x1", "x2"]], train["y"])
    caplog.set_level(logging.DEBUG)
    report = audit.run(test, model=model, target="y", sensitive_features=["sex"], features=["x1", "x2"],
                       auditors=[PrivacyAuditor()], train_data=train, name="pii")
    result = report["privacy"]
    assert result.status == Status.WARN
    found = {(p["column"], p["entity_type"]) for p in result.details["pii"] if p["table"] == "data"}
    assert {("full_name", "PERSON"), ("email", "EMAIL_ADDRESS"), ("phone", "PHONE_NUMBER"), ("ssn", "US_SSN"),
            ("card_number", "CREDIT_CARD")} <= found
    assert {e for c, e in found if c == "notes"} >= {"CREDIT_CARD", "PHONE_NUMBER", "EMAIL_ADDRESS", "PERSON"}
    listed = {x["column"] for x in result.details["minimisation"]["collected_not_needed"]}
    assert {"full_name", "email", "phone", "ssn", "card_number", "notes", "age", "zip"} <= listed
    assert result.details["quasi_identifiers"] == ["age", "zip", "sex"]
    report.save(tmp_path / "out")
    outputs = {"report.json": (tmp_path / "out" / "report.json").read_text(),
               "report.html": (tmp_path / "out" / "report.html").read_text(),
               "repr": result._repr_html_(), "logs": caplog.text,
               "result": json.dumps(result.to_dict(), ensure_ascii=False)}
    leaks = [(where, v) for where, text in outputs.items() for v in raw_values(test) | raw_values(train) if v in text]
    assert leaks == []
    assert "xxxxxx xxxxxx" in outputs["report.html"] or "xxxxx xxxxx" in outputs["report.html"]


def test_bad_quasi_identifier_is_a_clear_error_without_values():
    frame = pii_frame()
    # bad input inside an auditor is the user's to fix: a UsageError (exit 4), not a crash (exit 3)
    with pytest.raises(audit.UsageError) as err:
        audit.run(frame, target="y", auditors=[PrivacyAuditor(quasi_identifiers=["postcode"])])
    assert "quasi-identifier column(s) ['postcode'] are not in the table" in str(err.value)
    assert not any(v in str(err.value) for v in raw_values(frame))


def test_bad_cells_never_crash_or_leak():
    rng = np.random.default_rng(3)
    n = 60
    frame = pd.DataFrame({
        "mixed": [1, "two", 3.5, None, b"\xff\xfe", "x@y.io"] * 10,
        "empty": [""] * n,
        "huge": ["a" * 1_000_000 + " jane.roe@example.org"] + ["short text here with words"] * (n - 1),
        "junk": [bytes(rng.integers(0, 256, 40, dtype=np.uint8)) for _ in range(n)],
        "cjk": ["王伟的电话 138 0013 8000 和邮箱"] * n,
        "all_missing": [None] * n,
        "y": rng.integers(0, 2, n)})
    result = audit.run(frame, target="y", auditors=[PrivacyAuditor()])["privacy"]
    assert result.status in (Status.PASS, Status.WARN), result.reason
    assert "jane.roe@example.org" not in json.dumps(result.to_dict())


def test_membership_skips_without_scores_and_without_train_data():
    train, test = pii_frame(seed=1), pii_frame(seed=0)

    class LabelsOnly:
        def __init__(self):
            self.inner = LogisticRegression().fit(train[["x1", "x2"]], train["y"])

        def predict(self, X):
            return self.inner.predict(X)

    result = audit.run(test, model=LabelsOnly(), target="y", features=["x1", "x2"], auditors=[PrivacyAuditor()],
                       train_data=train)["privacy"]
    assert result.details["membership"] == {"skipped": SKIP_NO_SCORES}
    result = audit.run(test, target="y", auditors=[PrivacyAuditor()])["privacy"]
    assert result.details["membership"] == {"skipped": SKIP_NO_TRAIN}


def test_membership_attack_sees_a_memorising_model_and_not_a_smooth_one():
    rng = np.random.default_rng(0)
    n = 600
    X = rng.normal(size=(2 * n, 3))
    y = (X[:, 0] + rng.normal(scale=1.5, size=2 * n) > 0).astype(int)
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(y=y, sex=rng.choice(["f", "m"], 2 * n))
    train, test = frame.iloc[:n].reset_index(drop=True), frame.iloc[n:].reset_index(drop=True)
    tree = DecisionTreeClassifier(random_state=0).fit(train[["a", "b", "c"]], train["y"])
    logit = LogisticRegression().fit(train[["a", "b", "c"]], train["y"])
    figures = {}
    for name, model in (("tree", tree), ("logit", logit)):
        subject = AuditSubject(test, model=model, target="y", features=["a", "b", "c"], sensitive_features=["sex"],
                               train_data=train)
        r = PrivacyAuditor().run(subject)
        overall = r.metrics[(r.metrics["metric"] == "membership_advantage") & r.metrics["group"].isna()]
        figures[name] = float(overall["value"].iloc[0])
        assert len(r.rows("membership_auc")) == 3  # overall, sex=f, sex=m
    assert figures["tree"] > 0.3 and figures["logit"] < 0.1


def test_regression_membership_uses_squared_error():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"a": rng.normal(size=200)}).assign(t=lambda d: 2 * d["a"] + rng.normal(size=200))
    model = LinearRegression().fit(frame[["a"]].iloc[:100], frame["t"].iloc[:100])
    subject = AuditSubject(frame.iloc[100:].reset_index(drop=True), model=model, target="t", features=["a"],
                           task="regression", train_data=frame.iloc[:100].reset_index(drop=True))
    r = PrivacyAuditor().run(subject)
    assert 0.3 < float(r.rows("membership_auc")["value"].iloc[0]) < 0.7


def test_compas_case_numbers_are_found():
    net = load_reference("compas-mlp")
    subject = AuditSubject(net.test_frame(), model=net, target=net.target,
                           sensitive_features=list(net.sensitive_features))
    r = PrivacyAuditor().run(subject)
    found = {(p["column"], p["entity_type"]) for p in r.details["pii"]}
    assert ("c_case_number", "IDENTIFIER") in found and ("id", "IDENTIFIER") in found
    listed = {x["column"] for x in r.details["minimisation"]["collected_not_needed"]}
    assert {"c_case_number", "id"} <= listed and not listed & set(net.feature_names)


def test_anonymised_copy_check():
    raw = pii_frame()
    copy = pd.DataFrame({"email_hash": [hashlib.md5(e.encode()).hexdigest() for e in raw["email"]],  # noqa: S324 - a pseudonym
                         "phone": raw["phone"], "age": raw["age"], "zip": raw["zip"], "sex": raw["sex"]})
    check = check_anonymised_copy(raw, copy)
    assert {(s["raw_column"], s["copy_column"]) for s in check.surviving} == {("phone", "phone")}
    assert [(h["raw_column"], h["algorithm"]) for h in check.hashed] == [("email", "md5")]
    assert check.anonymity is not None and check.anonymity.quasi_identifiers == ("age", "zip", "sex")
    assert not check.ok
    assert not any(v in json.dumps(check.to_dict()) for v in raw_values(raw))
