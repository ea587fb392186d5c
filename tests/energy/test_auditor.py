"""EnergyAuditor: conformance, deterministic rows, reference networks, compression, bad input."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import tomllib
import torch

import audit
from audit.energy import EnergyAuditor
from audit.energy._auditor import MSG_BAD_PRUNE
from audit.energy._compress import build_variants, linear_density
from audit.energy._cost import EFFECTIVE_FLOPS_PER_CORE_SECOND
from audit.energy._tracker import MSG_UNKNOWN_COUNTRY
from audit.models import load_reference
from audit.testing import check_auditor, make_subject

ROOT = Path(__file__).resolve().parents[2]
CPU = "Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz"  # 7.5 W per core


def test_conformance():
    check_auditor(EnergyAuditor(cpu_model=CPU))


def test_entry_point_names_the_class():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    target = data["project"]["entry-points"]["audit.auditors"]["energy"]
    module, _, attr = target.partition(":")
    assert getattr(__import__(module, fromlist=[attr]), attr) is EnergyAuditor


def test_estimate_rows_by_hand():
    subject = make_subject()
    result = EnergyAuditor(cpu_model=CPU, country="FRA", pue=1.2, compression=False).run(subject)
    # Linear(3, 8) + Linear(8, 1): (3*8 + 8*1) MACs = 64 FLOPs per prediction; 41 parameters
    assert result.value("flops_per_prediction") == 64
    assert result.value("parameter_count") == 41
    seconds = 64 * 1000 / EFFECTIVE_FLOPS_PER_CORE_SECOND
    joules = seconds * 7.5 + 41 * 4 / 1e9 * 0.3725 * seconds
    assert result.value("inference_seconds_per_1000") == pytest.approx(seconds, rel=1e-5)
    assert result.value("inference_energy_kwh_per_1000") == pytest.approx(joules * 1.2 / 3.6e6, rel=1e-5)
    assert result.value("inference_co2e_kg_per_1000") == pytest.approx(joules * 1.2 / 3.6e6 * 56.039 / 1000,
                                                                      rel=1e-5)
    # the conformance subject has no card and no epochs: serving only, with a note saying so
    assert result.value("annual_serving_energy_kwh") == pytest.approx(100_000 * 365 / 1000 * joules * 1.2 / 3.6e6,
                                                                      rel=1e-5)
    assert any("training energy unknown" in f.message for f in result.findings)
    constants = result.details["constants"]
    assert all(row["source"] for row in constants.values())
    assert result.details["method"] == "estimated"


def test_training_from_option_enters_projection():
    result = EnergyAuditor(cpu_model=CPU, pue=1.0, compression=False, training_energy_kwh=2.0,
                           retrains_per_year=4, predictions_per_day=0).run(make_subject())
    assert result.value("training_energy_kwh") == 2.0
    assert result.value("annual_training_energy_kwh") == 8.0
    assert result.value("annual_energy_kwh") == 8.0
    assert result.value("annual_co2e_kg") == pytest.approx(8.0 * 475 / 1000)


@pytest.fixture(scope="module")
def german():
    net = load_reference("german-mlp")
    return net, audit.AuditSubject(net.test_frame(), model=net, target=net.target,
                                   sensitive_features=net.sensitive_features)


def test_reference_network_reads_card_and_compresses(german):
    net, subject = german
    before = {k: v.clone() for k, v in net.module.state_dict().items()}
    result = EnergyAuditor(cpu_model=CPU, pue=1.0).run(subject)
    for k, v in net.module.state_dict().items():
        assert torch.equal(v, before[k]), f"the subject's model changed: {k}"
    card_j = net.card["training_energy"]["energy_joules"]
    assert result.value("training_energy_kwh") == pytest.approx(card_j / 3.6e6, rel=1e-5)
    assert "model card" in result.details["training"]["source"]
    variants = [row["variant"] for row in result.details["compression"]]
    assert variants == ["original", "int8_dynamic", "pruned_50", "pruned_80"]
    original = result.details["compression"][0]
    # the original's accuracy through encode + module equals the card's
    assert original["quality"] == pytest.approx(net.card["metrics"]["overall"]["accuracy"], abs=1e-6)
    p80 = result.details["compression"][3]
    assert p80["density"] == pytest.approx(0.2, abs=0.01)
    assert p80["energy_kwh_per_1000"] == pytest.approx(original["energy_kwh_per_1000"] * p80["density"], rel=1e-4)
    for row in result.rows("variant_demographic_parity_difference").itertuples():
        assert row.over and row.group["variant"] in variants
    again = EnergyAuditor(cpu_model=CPU, pue=1.0).run(subject)
    assert json.dumps(result.to_dict(), sort_keys=True) == json.dumps(again.to_dict(), sort_keys=True)


def test_widened_gap_is_flagged(german):
    _, subject = german
    strict = EnergyAuditor(cpu_model=CPU, gap_tolerance=-1.0).run(subject)  # any change counts as widening
    flagged = [f for f in strict.findings if f.code == "energy.compression_widens_gap"]
    assert {f.evidence["variant"] for f in flagged} == {"int8_dynamic", "pruned_50", "pruned_80"}
    assert strict.status == audit.Status.WARN
    lax = EnergyAuditor(cpu_model=CPU, gap_tolerance=10.0).run(subject)
    assert not [f for f in lax.findings if f.code == "energy.compression_widens_gap"]


class NoLinear(torch.nn.Module):
    """A model with nothing to quantise or prune."""

    def __init__(self) -> None:
        super().__init__()
        self.w = torch.nn.Parameter(torch.tensor([0.5, -0.25, 1.0]))

    def forward(self, x):
        return (x * self.w).sum(dim=1, keepdim=True)


def test_model_that_cannot_be_compressed_is_noted_not_crashed():
    base = make_subject()
    subject = audit.AuditSubject(base.data, model=NoLinear(), target="y", sensitive_features=["sex", "race"],
                                 features=["x1", "x2", "is_male"])
    result = EnergyAuditor(cpu_model=CPU).run(subject)
    assert result.status != audit.Status.ERROR
    assert [r["variant"] for r in result.details["compression"]] == ["original"]
    messages = [f.message for f in result.findings if f.code == "energy.note"]
    assert any("no nn.Linear layer to quantise" in m for m in messages)
    assert any("no nn.Linear layer to prune" in m for m in messages)


def test_quantisation_failure_is_a_note(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("NoQEngine")

    monkeypatch.setattr(torch.ao.quantization, "quantize_dynamic", broken)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4))
    variants = build_variants(model, (0.5,), True, 0.25, "x")
    assert variants[1].module is None and "RuntimeError" in variants[1].note
    assert variants[2].module is not None and linear_density(variants[2].module) == pytest.approx(0.5, abs=0.1)
    assert linear_density(model) == 1.0  # the original is untouched


def test_sklearn_style_model_without_torch():
    class Threshold:
        def predict(self, frame):
            return (np.asarray(frame["x1"]) > 0).astype(int)

    base = make_subject()
    subject = audit.AuditSubject(base.data, model=Threshold(), target="y", sensitive_features=["sex"],
                                 features=["x1", "x2"])
    result = EnergyAuditor(cpu_model=CPU, measure_seconds=0.05).run(subject)
    assert result.status == audit.Status.PASS
    # no FLOPs to count: predict() is timed and the energy estimated from that time, never "pass" with nothing
    assert result.details["method"] == "timed"
    assert result.value("inference_seconds_per_1000") > 0
    assert result.value("inference_energy_kwh_per_1000") > 0
    assert result.value("annual_co2e_kg") > 0
    assert any("has no FLOPs to count: its predict() was timed" in f.message for f in result.findings)


def test_bad_options():
    subject = make_subject()
    with pytest.raises(audit.UsageError) as err:
        EnergyAuditor(country="Germany").run(subject)
    assert str(err.value) == MSG_UNKNOWN_COUNTRY.format(country="Germany")
    with pytest.raises(audit.UsageError) as err:
        EnergyAuditor(prune_amounts=(0.5, 1.5)).run(subject)
    assert str(err.value) == MSG_BAD_PRUNE.format(value=(0.5, 1.5))


def test_measure_opt_in_adds_measured_rows():
    result = EnergyAuditor(cpu_model=CPU, measure=True, measure_seconds=0.05,
                           prune_amounts=()).run(make_subject())
    assert result.value("measured_inference_energy_kwh_per_1000") > 0
    assert set(result.details["measured"]["runs"]) == {"original", "int8_dynamic"}
    assert "not byte-reproducible" in result.details["measured"]["note"]


def test_report_section_renders(german, tmp_path):
    _, subject = german
    report = audit.run_auditors(subject, [EnergyAuditor(cpu_model=CPU)])
    report.save(tmp_path)
    html = (tmp_path / "report.html").read_text()
    assert "could not be drawn" not in html
    for heading in ("Key figures", "Training and serving per year", "Constants and their sources",
                    "Compression versus accuracy and fairness"):
        assert heading in html
    assert html.count("<svg") >= 2
