"""The validity matrix: each auditor against the planted defects it must find and the clean references.

Every row is one (signal, subject) pair. A *signal* is a precise, named outcome of one
auditor under stated settings (a finding code with a condition on its evidence, or a
policy check); a planted subject must raise it ("found", else "missed") and a clean one
must not ("quiet", else "false alarm"). ``docs/validity.md`` holds the rendered table;
``RAI_AUDIT_WRITE_VALIDITY=1 pytest tests/validity`` rewrites it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import audit
from audit.attribution import AttributionAuditor
from audit.energy import EnergyAuditor
from audit.fairness import FairnessAuditor
from audit.models import load_mitigated, load_reference
from audit.privacy import PrivacyAuditor

CLEAN = ("adult-mlp", "compas-mlp", "german-mlp", "diabetes-mlp")
BINARY_CLEAN = ("adult-mlp", "compas-mlp", "german-mlp")

#: Thresholds of the signals (justified in docs/validity.md).
SEX_DPD_MAX = 0.3
MITIGATION_DPD_MAX = 0.05
PROXY_GAP_SHARE = 0.75
MEMBERSHIP_ADVANTAGE = 0.3
COMPRESSION_GAP_TOLERANCE = 0.1
COMPRESSION_PRUNE = (0.5,)


@dataclass(frozen=True)
class Signal:
    auditor: str
    name: str
    definition: str
    planted: tuple[str, ...]
    clean: tuple[str, ...]
    measure: Callable[[str], tuple[bool, str]]  # subject -> (raised, the figure behind it)


def _subject(name: str) -> tuple[Any, Any]:
    if name == "adult-mlp-mitigated":
        model = load_mitigated(name)
        return model.network, model
    net = load_reference(name)
    return net, net


_cache: dict[tuple[str, str], Any] = {}


def _run(name: str, key: str, auditor: Any, checks: list[dict] | None = None) -> Any:
    if (name, key) not in _cache:
        net, model = _subject(name)
        _cache[name, key] = audit.run(net.test_frame(), model=model, target=net.target,
                                      sensitive_features=list(net.sensitive_features),
                                      features=list(net.feature_names), train_data=net.train_frame(),
                                      auditors=[auditor], checks=checks, random_state=0)
    return _cache[name, key]


def _check(name: str, key: str, metric_max: float) -> tuple[bool, str]:
    report = _run(name, key, FairnessAuditor(), [{"metric": "fairness.demographic_parity_difference",
                                                 "max": metric_max, "over": ["sex"]}])
    (check,) = report.checks
    return check.status.value == "fail", f"DPD(sex) {check.value:.3f}"


def _sex_dpd(name: str) -> tuple[bool, str]:
    return _check(name, "fairness-sex", SEX_DPD_MAX)


def _mitigation(name: str) -> tuple[bool, str]:
    return _check(name, "fairness-mitigation", MITIGATION_DPD_MAX)


def _findings(name: str, key: str, auditor: Any, code: str) -> list[Any]:
    result = _run(name, key, auditor)[auditor.name]
    assert result.status.value in ("pass", "warn"), (name, auditor.name, result.status)
    return [f for f in result.findings if f.code == code and f.severity.value != "info"]


def _sensitive_reliance(name: str) -> tuple[bool, str]:
    report = _run(name, "attribution", AttributionAuditor(n_boot=0))
    hits = [f for f in _findings(name, "attribution", AttributionAuditor(n_boot=0), "attribution.sensitive_reliance")
            if f.evidence["sensitive_feature"] == "sex"]
    m = report["attribution"].metrics
    share = m[(m.metric == "sensitive_attribution_share") & (m.label == "sex")].value
    return bool(hits), f"sex share {float(share.iloc[0]):.3f}" if len(share) else "sex share n/a"


def _proxy(name: str) -> tuple[bool, str]:
    proxies = [f for f in _findings(name, "attribution", AttributionAuditor(n_boot=0), "attribution.proxy")
               if f.evidence["sensitive_feature"] == "sex"]
    shares = [(f.evidence["gap_share"] or 0.0, f.evidence["feature"]) for f in proxies]
    best = max(shares, default=(0.0, "none"))
    return best[0] >= PROXY_GAP_SHARE, f"top flagged proxy {best[1]}: {best[0]:.2f} of the sex gap"


def _membership(name: str) -> tuple[bool, str]:
    auditor = PrivacyAuditor(max_membership_advantage=MEMBERSHIP_ADVANTAGE)
    hits = _findings(name, "privacy", auditor, "privacy.membership_inference")
    result = _run(name, "privacy", auditor)["privacy"]
    m = result.metrics
    adv = m[(m.metric == "membership_advantage") & m.group.isna()].value
    return bool(hits), f"advantage {float(adv.iloc[0]):.3f}"


def _pii_input(name: str) -> tuple[bool, str]:
    auditor = PrivacyAuditor(max_membership_advantage=MEMBERSHIP_ADVANTAGE)
    hits = _findings(name, "privacy", auditor, "privacy.pii_model_input")
    return bool(hits), ", ".join(f.evidence["column"] for f in hits) or "no personal-data input"


def _compression(name: str) -> tuple[bool, str]:
    auditor = EnergyAuditor(gap_tolerance=COMPRESSION_GAP_TOLERANCE, prune_amounts=COMPRESSION_PRUNE)
    hits = _findings(name, "energy", auditor, "energy.compression_widens_gap")
    table = _run(name, "energy", auditor)["energy"].details.get("compression", [])
    changes = [c for entry in table[1:] for c in (entry.get("gap_changes") or {}).values()]
    widest = max(changes, key=lambda c: c["change"], default=None)
    if widest is None:
        return bool(hits), "no gap compared"
    return bool(hits), (f"widest gap growth {widest['change']:.3f} "
                        f"(paired 95% {widest['ci_low']:.3f} to {widest['ci_high']:.3f})")


SIGNALS = (
    Signal("fairness", "sex disparity",
           f"check `fairness.demographic_parity_difference` over `[sex]`, max {SEX_DPD_MAX}, fails",
           ("adult-mlp-sex-direct", "adult-mlp-sex-proxy"), BINARY_CLEAN, _sex_dpd),
    Signal("fairness", "mitigation",
           f"check `fairness.demographic_parity_difference` over `[sex]`, max {MITIGATION_DPD_MAX}, fails "
           "(the plain twin must fail, the mitigated model pass)",
           ("adult-mlp",), ("adult-mlp-mitigated",), _mitigation),
    Signal("attribution", "sensitive reliance",
           "warning `attribution.sensitive_reliance` for `sex` (default threshold: 10% of total |attribution|)",
           ("adult-mlp-sex-direct",), CLEAN, _sensitive_reliance),
    Signal("attribution", "proxy",
           f"warning `attribution.proxy` for `sex` whose feature carries at least {PROXY_GAP_SHARE:.0%} "
           "of the sex output gap", ("adult-mlp-sex-proxy",), CLEAN, _proxy),
    Signal("privacy", "membership",
           f"warning `privacy.membership_inference` with `max_membership_advantage={MEMBERSHIP_ADVANTAGE}`",
           ("german-mlp-overfit-id",), CLEAN, _membership),
    Signal("privacy", "personal data as input",
           "finding `privacy.pii_model_input` (high)", ("german-mlp-overfit-id",), CLEAN, _pii_input),
    Signal("energy", "compression widens a gap",
           f"warning `energy.compression_widens_gap` with `gap_tolerance={COMPRESSION_GAP_TOLERANCE}` (the lower "
           "bound of a gap growth's paired 95% interval above it), variants int8 and pruned "
           f"{COMPRESSION_PRUNE[0]:.0%}",
           ("adult-mlp-fragile-female",), CLEAN, _compression),
)


def compute() -> list[dict[str, str]]:
    """One row per (signal, subject): auditor, signal, subject, role, outcome, figure."""
    rows = []
    for s in SIGNALS:
        for role, subjects in (("planted", s.planted), ("clean", s.clean)):
            for name in subjects:
                raised, figure = s.measure(name)
                outcome = ("found" if raised else "missed") if role == "planted" else (
                    "false alarm" if raised else "quiet")
                rows.append({"auditor": s.auditor, "signal": s.name, "subject": name, "role": role,
                             "outcome": outcome, "figure": figure})
    return rows


def render(rows: list[dict[str, str]]) -> str:
    """The Markdown table of the matrix (between the markers of docs/validity.md)."""
    lines = ["| auditor | signal | subject | role | outcome | figure |", "|---|---|---|---|---|---|"]
    lines += [f"| {r['auditor']} | {r['signal']} | `{r['subject']}` | {r['role']} | **{r['outcome']}** | "
              f"{r['figure']} |" for r in rows]
    return "\n".join(lines)


def definitions() -> str:
    """The signal definitions, as a Markdown list."""
    return "\n".join(f"- **{s.auditor} / {s.name}**: {s.definition}." for s in SIGNALS)
