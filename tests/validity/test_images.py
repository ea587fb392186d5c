"""Image rows of the validity matrix (docs/validity.md, "Image networks"): on the full 2,000-image test split,
the group gap finds -underrepresented and -spurious, the swap test finds -spurious, compression's widened gap
finds -underrepresented, and the clean network is quiet on all three."""
from __future__ import annotations

import pytest

import audit
from audit.counterfactual import CounterfactualAuditor
from audit.energy import EnergyAuditor
from audit.fairness import FairnessAuditor

#: Thresholds (justified in docs/validity.md).
GAP_MAX = 0.05
FLIP_MAX = 0.3
GAP_CHECK = {"metric": "fairness.accuracy_score_difference", "max": GAP_MAX, "over": ["group"]}
FLIP_CHECK = {"metric": "counterfactual.counterfactual_flip_rate", "max": FLIP_MAX, "over": ["group"]}
ROWS = [  # (signal, network, role)
    ("group gap", "fashion-cnn-underrepresented", "planted"),
    ("group gap", "fashion-cnn-spurious", "planted"),
    ("group gap", "fashion-cnn", "clean"),
    ("swap", "fashion-cnn-spurious", "planted"),
    ("swap", "fashion-cnn", "clean"),
    ("compression", "fashion-cnn-underrepresented", "planted"),
    ("compression", "fashion-cnn", "clean"),
]


@pytest.fixture(scope="module")
def reports():
    from audit.models import IMAGE_NETWORKS, load_image_reference

    out = {}
    for name in IMAGE_NETWORKS:
        net = load_image_reference(name)
        out[name] = audit.run(net.test_images(), model=net.as_model(), metadata=net.test_metadata(),
                              target="label", sensitive_features=["group"],
                              auditors=[FairnessAuditor(n_boot=50), CounterfactualAuditor(), EnergyAuditor()],
                              checks=[GAP_CHECK, FLIP_CHECK])
    return out


@pytest.mark.parametrize("signal,name,role", ROWS, ids=[f"{s}-{n}" for s, n, _ in ROWS])
def test_image_validity_row(reports, signal, name, role):
    if signal == "compression":  # the energy auditor's defaults: 50 % and 80 % pruning, int8, tolerance 0.01
        widened = [f.evidence for f in reports[name]["energy"].findings if f.code == "energy.compression_widens_gap"]
        assert bool(widened) == (role == "planted"), (name, reports[name]["energy"].details["compression"])
        return
    metric = GAP_CHECK["metric"] if signal == "group gap" else FLIP_CHECK["metric"]
    outcome = next(c for c in reports[name].to_dict()["checks"] if c["metric"] == metric)
    assert outcome["status"] == ("fail" if role == "planted" else "pass"), (signal, name, outcome["value"])
