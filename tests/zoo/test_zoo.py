"""Every zoo model through audit.run and the CLI: every auditor runs, with sane figures, per original column."""
from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

import audit
from audit.subject import Model
from tests.conftest import run_cli
from tests.zoo.models import ADULT_CAT, ADULT_NUM, ZOO

QUICK = {"attribution": dict(max_rows=300, n_boot=20, sanity_rows=80, infidelity_rows=80),
         "fairness": dict(n_boot=50), "energy": dict(measure_seconds=0.2, batch_size=128)}
AUDITORS = ["fairness", "attribution", "privacy", "energy"]


def audited(name: str) -> audit.AuditReport:
    model, test, train, roles = ZOO[name]()
    return audit.run(test, model=model, train_data=train, auditors=AUDITORS, auditor_options=QUICK, **roles)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(ZOO))
def test_every_auditor_runs_on_the_zoo_model(name: str) -> None:
    report = audited(name)
    by_name = {r.auditor: r for r in report.results}
    for auditor in AUDITORS:
        assert by_name[auditor].status not in (audit.Status.ERROR, audit.Status.SKIPPED), (
            auditor, by_name[auditor].reason)
    model, test, _, roles = ZOO[name]()
    raw_inputs = (Model(model) if not isinstance(model, Model) else model).input_columns()
    attribution = by_name["attribution"]
    assert attribution.details["features"] == raw_inputs  # per ORIGINAL column, never per encoded one
    shares = attribution.rows("attribution_share")
    assert set(shares["label"]) == set(raw_inputs)
    assert np.isclose(shares["value"].sum(), 1.0)
    # the sensitive columns are model inputs here: their reliance is reported directly
    assert set(attribution.rows("sensitive_attribution_share")["label"]) == set(roles["sensitive_features"])
    energy = by_name["energy"]
    assert energy.value("inference_energy_kwh_per_1000") > 0
    assert report.subject["n_rows"] == len(test)


@pytest.mark.slow
def test_text_labels_name_their_positive_class() -> None:
    report = audited("text_labels")
    assert report.subject["pos_label"] == "approved"
    assert report.subject["classes"] == ["approved", "rejected"]
    _, test, _, _ = ZOO["text_labels"]()
    fairness = report["fairness"]
    female = fairness.value("selection_rate", {"sex": "Female"})
    assert fairness.details.get("pos_label") == "approved"
    # the selection rate is the approval rate (about a tenth of women in Adult), not the rejection rate
    assert female < 0.3
    assert "approved" in report["attribution"].details["output"]


def test_text_labels_without_pos_label_say_how_to_fix_it() -> None:
    model, test, train, roles = ZOO["text_labels"]()
    roles = {k: v for k, v in roles.items() if k != "pos_label"}
    with pytest.raises(audit.UsageError, match=r"pass pos_label=") as info:
        audit.run(test, model=model, auditors=["fairness"], **roles)
    assert "'approved', 'rejected'" in str(info.value)


def test_pos_label_not_among_the_labels_is_a_usage_error() -> None:
    model, test, _, roles = ZOO["text_labels"]()
    with pytest.raises(audit.UsageError, match=r"pos_label 'accepted' is not one of the labels"):
        audit.run(test, model=model, auditors=["fairness"], **{**roles, "pos_label": "accepted"})


@pytest.mark.slow
def test_integer_target_regression_is_a_regression_and_quick() -> None:
    model, test, train, roles = ZOO["ridge_integer_target"]()
    subject = audit.AuditSubject(test, model=model, **roles)
    assert subject.task == "regression"
    assert subject.classes is None and subject.pos_label is None
    report = audited("ridge_integer_target")
    assert report.subject["task"] == "regression"
    assert "mean_absolute_error" in set(report["fairness"].metrics["metric"])


def test_an_integer_target_with_integer_predictions_and_many_values_is_refused_with_the_fix() -> None:
    rng = np.random.default_rng(0)
    frame = __import__("pandas").DataFrame({"y": rng.integers(0, 80, 500), "p": rng.integers(0, 80, 500),
                                            "g": rng.choice(["a", "b"], 500)})
    with pytest.raises(audit.UsageError, match=r'pass task="regression"'):
        audit.AuditSubject(frame, target="y", prediction="p", sensitive_features=["g"])


@pytest.mark.slow
def test_multiclass_explanations_name_their_class() -> None:
    report = audited("multiclass_compas")
    assert report.subject["task"] == "multiclass"
    assert report.subject["classes"] == ["25 - 45", "Greater than 45", "Less than 25"]
    assert report["attribution"].details["output"] == "probability of class 'Greater than 45'"


@pytest.mark.slow
def test_a_torch_model_behind_a_transformer_gets_gradients_and_a_randomisation_check() -> None:
    report = audited("torch_behind_column_transformer")
    attribution = report["attribution"]
    assert attribution.details["method"] == "integrated_gradients"
    check = attribution.details["sanity"]["integrated_gradients"]["randomisation"]
    assert check["verdict"] in ("pass", "fail")
    assert report["energy"].value("flops_per_prediction") > 0
    assert report.subject["model"]["preprocess"] == "sklearn.compose._column_transformer.ColumnTransformer"


@pytest.mark.slow
def test_keras_randomisation_check_runs_or_the_verdict_is_not_reliable() -> None:
    report = audited("keras_behind_column_transformer")
    sanity = report["attribution"].details["sanity"][report["attribution"].details["method"]]
    if sanity["randomisation"]["verdict"] == "not_applicable":
        assert sanity["verdict"] != "reliable"
    else:
        assert sanity["randomisation"]["verdict"] in ("pass", "fail")
        assert len(sanity["randomisation"]["steps"]) == 2  # both Dense layers, output side first
    # Keras' own int8 quantisation and magnitude pruning of the Dense kernels
    variants = {v["variant"]: v for v in report["energy"].details["compression"]}
    assert {"original", "int8_dynamic", "pruned_50", "pruned_80"} <= set(variants)
    assert variants["pruned_50"]["density"] == pytest.approx(0.5, abs=0.02)
    assert variants["int8_dynamic"]["quality"] == pytest.approx(variants["original"]["quality"], abs=0.02)


def test_missing_values_reach_a_pipeline_that_imputes() -> None:
    model, test, train, roles = ZOO["hist_gradient_boosting"]()
    assert test["age"].isna().sum() > 0
    report = audit.run(
        test, model=model, auditors=["attribution"], auditor_options={"attribution": QUICK["attribution"]}, **roles
    )
    assert report["attribution"].status != audit.Status.ERROR, report["attribution"].reason


def test_a_torch_model_given_missing_values_is_refused_with_the_count_of_the_table() -> None:
    import torch

    _, test, _, roles = ZOO["torch_behind_column_transformer"]()
    bare = torch.nn.Sequential(torch.nn.Linear(len(ADULT_NUM), 1))
    holes = test.copy()
    holes.loc[holes.index[:40], "age"] = np.nan
    with pytest.raises(audit.DataError, match=r"missing or infinite for 40 of 1500 rows \(input columns with "
                                              r"missing values: \['age'\]\)"):
        audit.run(holes, model=Model(bare, feature_names=ADULT_NUM), auditors=["fairness"], **roles)


def test_one_auditors_input_problem_is_its_error_and_the_other_results_stand() -> None:
    import torch

    _, test, _, roles = ZOO["torch_behind_column_transformer"]()
    bare = torch.nn.Sequential(torch.nn.Linear(len(ADULT_NUM), 1))
    holes = test.assign(decision=(test["age"] > 40).astype(int))
    holes.loc[holes.index[:40], "age"] = np.nan
    report = audit.run(holes, model=Model(bare, feature_names=ADULT_NUM), prediction="decision",
                       auditors=["fairness", "attribution"],
                       auditor_options={"attribution": QUICK["attribution"], "fairness": QUICK["fairness"]}, **roles)
    assert report["fairness"].status != audit.Status.ERROR
    assert report["attribution"].status == audit.Status.ERROR
    assert "'age', which holds 40 missing value(s) in the table's 1500 rows" in report["attribution"].reason
    assert report.exit_code == audit.ExitCode.INTERNAL_ERROR


# -- bad input: one clear usage error each ----------------------------------------------------------
def test_a_model_needing_a_column_the_table_lacks_names_it() -> None:
    model, test, _, roles = ZOO["logistic_pipeline"]()
    with pytest.raises(audit.UsageError, match=r"the table lacks \['occupation'\]"):
        audit.run(test.drop(columns=["occupation"]), model=model, auditors=["fairness"], **roles)


def test_a_torch_module_fed_the_wrong_width_says_so() -> None:
    import torch

    _, test, _, roles = ZOO["logistic_pipeline"]()
    net = torch.nn.Sequential(torch.nn.Linear(103, 1))
    with pytest.raises(audit.UsageError, match=r"takes 103 input columns but gets 4"):
        audit.run(test, model=Model(net, feature_names=ADULT_NUM), auditors=["fairness"], **roles)


def test_predict_returning_probabilities_is_a_usage_error() -> None:
    class Probabilities:
        def __init__(self, inner):
            self.inner = inner
            self.feature_names_in_ = inner.feature_names_in_

        def predict(self, X):
            return self.inner.predict_proba(X)

    model, test, _, roles = ZOO["logistic_pipeline"]()
    with pytest.raises(audit.UsageError, match=r"Probabilities.predict returned an array of shape \(1500, 2\)"):
        audit.run(test, model=Probabilities(model), auditors=["fairness"], **roles)


def test_a_preprocess_that_fails_on_the_table_is_a_usage_error() -> None:
    import torch

    model, test, _, roles = ZOO["torch_behind_column_transformer"]()
    broken = test.assign(age="not a number")
    with pytest.raises(audit.UsageError, match=r"the preprocess step \(ColumnTransformer\) failed"):
        audit.run(broken, model=model, auditors=["fairness"], **roles)
    assert isinstance(model.model, torch.nn.Module)


# -- the CLI, with a pickled pipeline ----------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("name", ["logistic_pipeline", "text_labels"])
def test_cli_runs_a_pickled_pipeline(tmp_path, name: str) -> None:
    model, test, train, roles = ZOO[name]()
    test.to_csv(tmp_path / "test.csv", index=False)
    train.to_csv(tmp_path / "train.csv", index=False)
    (tmp_path / "model.pkl").write_bytes(pickle.dumps(model))
    pos = f'pos_label = "{roles["pos_label"]}"\n' if "pos_label" in roles else ""
    (tmp_path / "spec.toml").write_text(
        f'[data]\npath = "test.csv"\ntrain_path = "train.csv"\ntarget = "{roles["target"]}"\n'
        f'sensitive_features = ["sex", "race"]\n{pos}'
        '[model]\npath = "model.pkl"\nallow_pickle = true\n'
        '[auditors.attribution]\nmax_rows = 200\nn_boot = 10\nsanity_rows = 50\ninfidelity_rows = 50\n'
        '[auditors.fairness]\nn_boot = 30\n[auditors.energy]\nmeasure_seconds = 0.2\n'
        '[[checks]]\nmetric = "fairness.demographic_parity_difference"\nmax = 0.9\nover = ["sex"]\n')
    result = run_cli("run", tmp_path / "spec.toml", "--out", tmp_path / "out")
    assert result.returncode in (0, 1), result.stderr
    doc = json.loads((tmp_path / "out" / "report.json").read_text())
    statuses = {r["auditor"]: r["status"] for r in doc["results"]}
    # mitigation runs only when a fairness check fails: a passing run skips it with "no fix needed"
    assert all(s not in ("error", "skipped") for a, s in statuses.items() if a != "mitigation"), statuses
    assert statuses["mitigation"] in ("skipped", "pass", "warn"), statuses
    attribution = next(r for r in doc["results"] if r["auditor"] == "attribution")
    assert {m["label"] for m in attribution["metrics"] if m["metric"] == "attribution_share"} == set(
        ADULT_CAT + ADULT_NUM)
    if "pos_label" in roles:
        assert doc["subject"]["pos_label"] == "approved"


@pytest.mark.slow
def test_the_readmes_three_everyday_cases_run_as_written(tmp_path) -> None:
    import runpy

    from tests.conftest import ROOT

    module = runpy.run_path(str(ROOT / "examples" / "own_models.py"))
    reports = module["main"](tmp_path)
    assert {r.subject["model"]["kind"] for r in reports.values()} == {"sklearn", "torch", "keras"}
    for name, report in reports.items():
        assert all(r.status != audit.Status.ERROR for r in report.results), (name, [r.reason for r in report.results])
        assert (tmp_path / name / "report.json").is_file()
        assert report["attribution"].details["features"] == ADULT_CAT + ADULT_NUM
