"""AttributionAuditor: what the model relies on, for whom, through which proxies, and how far to trust it.

Metric convention (all rows tidy, :data:`audit.METRIC_COLUMNS`): a per-feature figure names the
original feature in ``label``; a per-group figure carries the group in ``group`` and the
sensitive features it is grouped by in ``over``; figures about one sensitive attribute as a
whole (gap decomposition, proxies) have ``group`` None and ``over`` naming the attribute.
Rows without a method prefix come from the primary method (``details["method"]``); the
global importance of each cross-check method is ``<method>_mean_abs_attribution``.

A table that stays in its engine (:mod:`audit.engines`) is never loaded whole: the sampled
rows are read by position, the baseline is an exact mean over the table streamed in batches,
and Cramer's V comes from engine quantile edges and count tables, so the figures equal those
of the same rows in pandas.
"""
from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._base import BaseAuditor, Interval, Requirement
from .._exceptions import DataError, UsageError
from .._results import AuditResult, Finding, Severity, format_group
from ..subject import ImageSubject, require
from . import _analysis as an
from . import _messages as msg

if TYPE_CHECKING:  # torch and Captum load when the auditor runs, not when it is listed or skipped
    import torch

    from ..subject import Subject
    from ._inputs import Explained
    from ._methods import Attribution, MethodSettings

__all__ = ["AttributionAuditor"]

logger = logging.getLogger(__name__)
def _r(x: Any, digits: int = 4) -> float | None:
    """Evidence for people: 4 significant digits (the metrics keep full precision)."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return float(f"{float(x):.{digits}g}")


class AttributionAuditor(BaseAuditor):
    """Feature attribution through Captum, per original feature, overall and per group.

    Parameters
    ----------
    method : "auto" (IntegratedGradients for torch models, FeatureAblation otherwise) or one of
        ``integrated_gradients``, ``deeplift``, ``gradient_shap``, ``feature_ablation``,
        ``feature_permutation``, ``shapley_value_sampling``.
    compare_methods : further methods run for global importance and rank agreement
        (gradient methods are dropped for models without gradients).
    baseline : "train_mean" (training mean of numeric features, mode category of categorical
        ones; from ``subject.train_data`` when present, else the audited data) or "zero".
    n_steps, internal_batch_size : IntegratedGradients' steps and its chunk of (rows x steps).
    perturbations_per_eval, n_samples : perturbation methods' batching; samples of
        ShapleyValueSampling and GradientShap.
    max_rows : rows attributed, a seeded sample (None: every row).
    n_boot, ci : bootstrap replicates (0 for none) and interval level.
    intersections, min_group_size : intersectional groups too; groups below the size are left out
        of the gap decomposition, and intersections below it are not reported.
    sensitive_inputs : sensitive attribute -> model features that carry it (reference networks
        know theirs; otherwise a sensitive attribute that is itself a feature carries itself).
    sensitive_share_threshold : warn when a sensitive attribute's inputs take this share of
        total |attribution|.
    proxy_association, proxy_importance, proxy_gap_share : a feature is a likely proxy of a
        sensitive attribute when its Cramer's V with it is at least ``proxy_association`` and it
        takes ``proxy_importance`` of total |attribution| or ``proxy_gap_share`` of the output gap.
    completeness_tolerance : median relative completeness error above which an additive
        explanation is marked unreliable.
    sanity_rows, sanity_threshold : rows of the randomisation check; similarity (Spearman) at or
        above which an explanation that survives randomising every layer fails.
    infidelity_rows : rows of the infidelity check.
    n_local, local_top_k : local explanations reported and the features shown for each.
    target_class : class explained for multiclass models (default 1).
    num_threads : torch threads while running (restored after); 1 suits small MLPs on small machines.
    random_state : seed; None takes the subject's.
    """

    name = "attribution"
    version = "1.0"
    requires = frozenset({Requirement.MODEL})
    needs_packages = {"torch": "torch", "captum": "torch"}
    #: Tables: per-column attributions; images: per-group mean heatmaps (``audit.attribution._images``).
    modalities = frozenset({"table", "image"})

    constraints = {
        "method": [str], "compare_methods": [Sequence], "baseline": [str], "n_steps": [Interval(int, 1, None)],
        "internal_batch_size": [Interval(int, 1, None)], "perturbations_per_eval": [Interval(int, 1, None)],
        "n_samples": [Interval(int, 1, None)], "max_rows": [Interval(int, 1, None), None],
        "n_boot": [Interval(int, 0, None)], "ci": [Interval(float, 0, 1, "neither")], "intersections": [bool],
        "min_group_size": [Interval(int, 0, None)], "sensitive_inputs": [Mapping, None],
        "sensitive_share_threshold": [Interval(float, 0, 1)], "proxy_association": [Interval(float, 0, 1)],
        "proxy_importance": [Interval(float, 0, 1)], "proxy_gap_share": [Interval(float, 0, 1)],
        "completeness_tolerance": [Interval(float, 0, None)], "sanity_rows": [Interval(int, 0, None)],
        "sanity_threshold": [Interval(float, -1, 1)], "infidelity_rows": [Interval(int, 0, None)],
        "n_local": [Interval(int, 0, None)], "local_top_k": [Interval(int, 1, None)],
        "target_class": [Interval(int, 0, None), None], "num_threads": [Interval(int, 1, None), None],
        "random_state": [Interval(int, 0, None), None],
        "image_methods": [Sequence], "max_images": [Interval(int, 1, None)],
        "sanity_images": [Interval(int, 0, None)], "image_sanity_threshold": [Interval(float, -1, 1)],
        "examples": [bool],
    }

    def __init__(self, *, method: str = "auto", compare_methods: Sequence[str] = ("feature_ablation",),
                 baseline: str = "train_mean", n_steps: int = 50, internal_batch_size: int = 4096,
                 perturbations_per_eval: int = 16, n_samples: int = 25, max_rows: int | None = 2000,
                 n_boot: int = 200, ci: float = 0.95, intersections: bool = True, min_group_size: int = 30,
                 sensitive_inputs: Mapping[str, Sequence[str]] | None = None,
                 sensitive_share_threshold: float = 0.1, proxy_association: float = 0.3,
                 proxy_importance: float = 0.05, proxy_gap_share: float = 0.25,
                 completeness_tolerance: float = 0.05, sanity_rows: int = 200, sanity_threshold: float = 0.6,
                 infidelity_rows: int = 200, n_local: int = 3, local_top_k: int = 5,
                 target_class: int | None = None, num_threads: int | None = 1,
                 image_methods: Sequence[str] = ("grad_cam", "integrated_gradients", "occlusion"),
                 max_images: int = 200, region_mask: Any = None, sanity_images: int = 50,
                 image_sanity_threshold: float = 0.5, examples: bool = False,
                 random_state: int | None = None) -> None:
        self.method = method
        self.compare_methods = compare_methods
        self.baseline = baseline
        self.n_steps = n_steps
        self.internal_batch_size = internal_batch_size
        self.perturbations_per_eval = perturbations_per_eval
        self.n_samples = n_samples
        self.max_rows = max_rows
        self.n_boot = n_boot
        self.ci = ci
        self.intersections = intersections
        self.min_group_size = min_group_size
        self.sensitive_inputs = sensitive_inputs
        self.sensitive_share_threshold = sensitive_share_threshold
        self.proxy_association = proxy_association
        self.proxy_importance = proxy_importance
        self.proxy_gap_share = proxy_gap_share
        self.completeness_tolerance = completeness_tolerance
        self.sanity_rows = sanity_rows
        self.sanity_threshold = sanity_threshold
        self.infidelity_rows = infidelity_rows
        self.n_local = n_local
        self.local_top_k = local_top_k
        self.target_class = target_class
        self.num_threads = num_threads
        self.image_methods = image_methods
        self.max_images = max_images
        self.region_mask = region_mask
        self.sanity_images = sanity_images
        self.image_sanity_threshold = image_sanity_threshold
        self.examples = examples
        self.random_state = random_state

    def get_params(self) -> dict[str, Any]:
        params = super().get_params()
        if isinstance(params.get("region_mask"), np.ndarray):  # report.json gets its shape, not every pixel
            params["region_mask"] = f"boolean array of shape {list(params['region_mask'].shape)}"
        return params

    # -- validation at the boundary -------------------------------------------------------------
    def _settings(self, seed: int) -> MethodSettings:
        from ._methods import MethodSettings

        if isinstance(self.n_steps, bool) or not isinstance(self.n_steps, int) or self.n_steps < 2:
            raise UsageError(msg.BAD_N_STEPS.format(value=self.n_steps))
        return MethodSettings(n_steps=self.n_steps, internal_batch_size=int(self.internal_batch_size),
                              perturbations_per_eval=int(self.perturbations_per_eval),
                              n_samples=int(self.n_samples), seed=seed)

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        m = self.max_rows
        if m is not None and (isinstance(m, bool) or not isinstance(m, int) or m < 1):
            raise UsageError(msg.BAD_MAX_ROWS.format(value=m))
        if m is None or n <= m:
            return np.arange(n)
        return np.sort(rng.choice(n, size=m, replace=False))

    def _methods(self, explained: Explained) -> tuple[str, list[str]]:
        from ._methods import GRADIENT_METHODS

        primary = self.method
        if primary == "auto":
            primary = "integrated_gradients" if explained.module is not None else "feature_ablation"
        others = [m for m in dict.fromkeys(self.compare_methods) if m != primary
                  and not (m in GRADIENT_METHODS and explained.module is None)]
        return primary, others

    def _sensitive_inputs(self, subject: Subject, features: Sequence[str]) -> dict[str, list[str]]:
        given = self.sensitive_inputs
        if given is None:
            given = require(subject.model, "model", self.name).metadata.get("sensitive_inputs")
        out: dict[str, list[str]] = {}
        for s in subject.sensitive_features:
            carried = list(given.get(s, ())) if given is not None and s in given else ([s] if s in features else [])
            out[s] = [f for f in carried if f in features]
        return out

    # -- the verb -------------------------------------------------------------------------------
    def run(self, subject: Subject) -> AuditResult:
        import torch

        seed = subject.random_state if self.random_state is None else int(self.random_state)
        previous = torch.get_num_threads()
        if self.num_threads:
            torch.set_num_threads(int(self.num_threads))
        try:
            return self._run(subject, seed)
        finally:
            torch.set_num_threads(previous)

    def _run_images(self, subject: ImageSubject, seed: int) -> AuditResult:
        from .._results import Status
        from ._images import image_attribution

        model = subject.model  # an image subject always has one
        if model.torch_module() is None:
            return AuditResult(self.name, self.version, Status.SKIPPED, params=self.get_params(),
                               reason="image attribution needs a torch module (gradients, layers); this model is a "
                                      f"{model.kind}")
        m = self.max_images
        if isinstance(m, bool) or not isinstance(m, int) or m < 1:
            raise UsageError(msg.BAD_MAX_ROWS.format(value=m))
        if isinstance(self.image_methods, str):
            raise UsageError(msg.IMAGE_METHODS_STRING)
        self._settings(seed)
        rows, findings, details = image_attribution(
            subject, methods=list(self.image_methods), max_images=m,
            region_mask=self.region_mask if self.region_mask is not None else model.metadata.get("region_mask"),
            sanity_images=int(self.sanity_images), sanity_threshold=float(self.image_sanity_threshold),
            examples=bool(self.examples), ci=float(self.ci), n_steps=int(self.n_steps), seed=seed)
        return AuditResult.build(self, rows, findings, details=details)

    def _run(self, subject: Subject, seed: int) -> AuditResult:
        if isinstance(subject, ImageSubject):
            return self._run_images(subject, seed)
        from ._inputs import NonFiniteInputs, baseline_row, prepare
        from ._methods import attribute

        settings = self._settings(seed)
        rng = np.random.default_rng(seed)
        idx = self._sample(subject.n_rows, rng)
        inputs = list(subject.features)
        # only the sampled rows of the columns used leave a lazy table
        frame = subject.rows(idx, list(dict.fromkeys([*inputs, *subject.sensitive_features])))
        try:
            explained = prepare(subject.model, frame, subject.features, subject.task,
                                target_class=self.target_class, pos_label=getattr(subject, "pos_label", None))
        except NonFiniteInputs as exc:
            counts = subject.table_view(exc.columns).null_counts(exc.columns)
            first = exc.columns[0]
            raise DataError(msg.NON_FINITE_FEATURES.format(column=first, count=counts.get(first, 0),
                                                           n=subject.n_rows, sample=len(idx),
                                                           others=exc.columns[1:])) from None
        primary, others = self._methods(explained)
        train = subject.train_data
        reference: Iterable[Any]
        if train is not None:
            n_reference, reference = len(train), [train]
        else:  # the audited table, streamed in batches: the baseline is an exact mean over them
            n_reference, reference = subject.n_rows, subject.batches(inputs)
        base, base_desc = baseline_row(explained, reference, self.baseline)
        base_desc["source"] = "train_data" if train is not None else "audited data"
        background = None
        if "gradient_shap" in (primary, *others):
            pick = np.sort(np.random.default_rng(seed + 7).choice(n_reference, min(100, n_reference),
                                                                    replace=False))
            background = explained.encode(train.iloc[pick] if train is not None else subject.rows(pick, inputs))
        runs = {m: attribute(explained, m, explained.inputs, base, settings, background=background)
                for m in (primary, *others)}
        main = runs[primary]
        names = explained.features
        n = len(idx)
        weights = (rng.multinomial(n, np.full(n, 1.0 / n), size=int(self.n_boot)).astype(np.float64)
                   if self.n_boot and n > 1 else None)
        rows: list[dict[str, Any]] = []
        details: dict[str, Any] = {"method": primary, "compare_methods": others, "features": names,
                                   "n_rows_attributed": n, "n_rows": int(subject.n_rows),
                                   "output": explained.output, "baseline": base_desc,
                                   "baseline_output": float(main.reference[0]) if n else None,
                                   "mean_output": float(main.output.mean()) if n else None,
                                   "n_boot": int(self.n_boot), "ci": self.ci,
                                   "min_group_size": self.min_group_size,
                                   "categorical_features": list(explained.categorical)}
        findings: list[Finding] = []

        signed, absolute = an.importance(main.values)
        lo_s, hi_s = an.bootstrap_means(main.values, weights, self.ci)
        lo_a, hi_a = an.bootstrap_means(np.abs(main.values), weights, self.ci)
        total = float(absolute.sum())
        share = absolute / total if total > 0 else np.zeros_like(absolute)
        for j, f in enumerate(names):
            rows.append(dict(metric="mean_attribution", value=signed[j], ci_low=lo_s[j], ci_high=hi_s[j], n=n, label=f))
            rows.append(dict(metric="mean_abs_attribution", value=absolute[j], ci_low=lo_a[j], ci_high=hi_a[j],
                             n=n, label=f))
            rows.append(dict(metric="attribution_share", value=share[j], n=n, label=f))
        details["ranking"] = [names[j] for j in np.argsort(-absolute, kind="stable")]
        for m in others:
            _, other_abs = an.importance(runs[m].values)
            for j, f in enumerate(names):
                rows.append(dict(metric=f"{m}_mean_abs_attribution", value=other_abs[j], n=n, label=f))
            rows.append(dict(metric="method_rank_agreement", value=an.rank_correlation(absolute, other_abs),
                             n=n, label=m))

        sens_inputs = self._sensitive_inputs(subject, names)
        details["sensitive_inputs"] = sens_inputs
        self._sensitive_share(rows, findings, sens_inputs, names, share, n)
        groups = an.group_masks(frame.loc[:, list(subject.sensitive_features)], intersections=self.intersections,
                                min_group_size=self.min_group_size) if subject.sensitive_features else []
        self._per_group(rows, findings, details, groups, main.values, absolute, weights, names)
        decomposition = self._decompose(rows, findings, details, groups, main, names, primary)
        self._proxies(rows, findings, details, subject, names, sens_inputs, share, decomposition)
        self._trust(rows, findings, details, explained, runs, base, background, settings)
        details["local"] = self._local(subject, idx, frame, main, names, decomposition)

        return AuditResult.build(self, rows, findings, details=details)

    # -- pieces -----------------------------------------------------------------------------------
    def _sensitive_share(self, rows: list, findings: list, sens_inputs: Mapping[str, list[str]],
                         names: list[str], share: np.ndarray, n: int) -> None:
        for s, inputs in sens_inputs.items():
            if not inputs:
                continue
            value = float(sum(share[names.index(f)] for f in inputs))
            rows.append(dict(metric="sensitive_attribution_share", value=value, n=n, label=s))
            severe = value >= self.sensitive_share_threshold
            findings.append(Finding(
                Severity.WARNING if severe else Severity.INFO, "attribution.sensitive_reliance",
                f"{value:.1%} of the model's total |attribution| falls on {', '.join(inputs)}, which carries the "
                f"sensitive attribute {s}" + (f" (at or above {self.sensitive_share_threshold:.0%})." if severe
                                               else "."),
                {"sensitive_feature": s, "inputs": inputs, "share": _r(value),
                 "threshold": self.sensitive_share_threshold}))

    def _per_group(self, rows: list, findings: list, details: dict, groups: list, values: np.ndarray,
                   overall_abs: np.ndarray, weights: np.ndarray | None, names: list[str]) -> None:
        agreement: dict[tuple[str, ...], list[tuple[float, dict, int]]] = {}
        tops: dict[tuple[str, ...], dict[str, str]] = {}
        for over, group, mask in groups:
            ng = int(mask.sum())
            if ng == 0:
                continue
            sub = values[mask]
            w = weights[:, mask] if weights is not None else None
            signed, absolute = an.importance(sub)
            lo_s, hi_s = an.bootstrap_means(sub, w, self.ci)
            lo_a, hi_a = an.bootstrap_means(np.abs(sub), w, self.ci)
            for j, f in enumerate(names):
                rows.append(dict(metric="mean_attribution", group=group, over=list(over), value=signed[j],
                                 ci_low=lo_s[j], ci_high=hi_s[j], n=ng, label=f))
                rows.append(dict(metric="mean_abs_attribution", group=group, over=list(over), value=absolute[j],
                                 ci_low=lo_a[j], ci_high=hi_a[j], n=ng, label=f))
            rho = an.rank_correlation(absolute, overall_abs)
            rows.append(dict(metric="importance_rank_correlation", group=group, over=list(over), value=rho, n=ng))
            if ng >= self.min_group_size:
                agreement.setdefault(over, []).append((rho, group, ng))
                tops.setdefault(over, {})[format_group(group)] = names[int(np.argmax(absolute))]
        for over, items in agreement.items():
            finite = [it for it in items if not math.isnan(it[0])]
            if not finite:
                continue
            rho, group, ng = min(finite, key=lambda it: it[0])
            rows.append(dict(metric="importance_rank_agreement", over=list(over), value=rho, n=ng))
            top = tops.get(over, {})
            if len(set(top.values())) > 1:
                findings.append(Finding(
                    Severity.INFO, "attribution.ranking_differs",
                    f"across {' x '.join(over)}, the most important feature differs between groups; the ranking "
                    f"agrees least with the overall one for {format_group(group)} (Spearman {rho:.2f}).",
                    {"over": list(over), "top_feature_by_group": dict(list(top.items())[:20]),
                     "least_agreeing_group": group, "spearman": _r(rho)}))
        details["top_feature_by_group"] = {" x ".join(k): v for k, v in tops.items()}

    def _decompose(self, rows: list, findings: list, details: dict, groups: list, main: Attribution,
                   names: list[str], primary: str) -> dict[tuple[str, ...], dict[str, Any]]:
        from ._methods import ADDITIVE_METHODS

        by_over: dict[tuple[str, ...], list[tuple[dict, np.ndarray]]] = {}
        for over, group, mask in groups:
            if mask.sum() >= max(self.min_group_size, 1):
                by_over.setdefault(over, []).append((group, mask))
        out: dict[tuple[str, ...], dict[str, Any]] = {}
        listing = []
        for over, items in by_over.items():
            if len(items) < 2:
                continue
            means = [(float(main.output[m].mean()), i) for i, (_, m) in enumerate(items)]
            low_i = min(means)[1]
            high_i = max(means)[1]
            (low_g, low_m), (high_g, high_m) = items[low_i], items[high_i]
            dec = an.decompose_gap(main.values, main.output, low_m, high_m)
            dec.update(low_group=low_g, high_group=high_g, n_low=int(low_m.sum()), n_high=int(high_m.sum()))
            out[over] = dec
            n_pair = dec["n_low"] + dec["n_high"]
            rows.append(dict(metric="output_gap", over=list(over), value=dec["gap"], n=n_pair))
            for j, f in enumerate(names):
                rows.append(dict(metric="gap_contribution", over=list(over), value=dec["contributions"][j],
                                 n=n_pair, label=f))
            rows.append(dict(metric="gap_residual", over=list(over), value=dec["residual"], n=n_pair))
            order = np.argsort(-np.abs(dec["contributions"]), kind="stable")
            listing.append({"over": list(over), "low_group": low_g, "high_group": high_g,
                            "low_mean_output": dec["low_mean"], "high_mean_output": dec["high_mean"],
                            "gap": dec["gap"], "residual": dec["residual"],
                            "n_low": dec["n_low"], "n_high": dec["n_high"],
                            "contributions": [{"feature": names[j], "value": float(dec["contributions"][j])}
                                              for j in order]})
            if dec["gap"] > 0:
                top = int(order[0])
                findings.append(Finding(
                    Severity.INFO, "attribution.gap_driver",
                    f"the mean {details['output']} is {dec['gap']:.3g} higher for {format_group(high_g)} than for "
                    f"{format_group(low_g)}; {names[top]} accounts for {dec['contributions'][top]:.3g} of that gap "
                    f"(residual {dec['residual']:.2g}).",
                    {"over": list(over), "gap": _r(dec["gap"]), "feature": names[top],
                     "contribution": _r(dec["contributions"][top]), "residual": _r(dec["residual"]),
                     "exact": primary in ADDITIVE_METHODS}))
        details["decomposition"] = listing
        details["decomposition_exact"] = primary in ADDITIVE_METHODS
        return out

    def _proxies(self, rows: list, findings: list, details: dict, subject: Subject, names: list[str],
                 sens_inputs: Mapping[str, list[str]], share: np.ndarray,
                 decomposition: Mapping[tuple[str, ...], Mapping[str, Any]]) -> None:
        if not subject.sensitive_features:
            details["proxies"] = []
            return
        pairs = [(f, s) for s in subject.sensitive_features for f in names
                 if f not in sens_inputs.get(s, []) and f != s]
        # counted in the table's engine: quantile edges from its sort, then one count table per pair
        assoc = an.association(subject.table_view(list(dict.fromkeys([*names, *subject.sensitive_features]))),
                               names, list(subject.sensitive_features), pairs=pairs)
        table = []
        for s in subject.sensitive_features:
            dec = decomposition.get((s,))
            for j, f in enumerate(names):
                if f in sens_inputs.get(s, []) or f == s:
                    continue
                v = assoc[(f, s)]
                score = v * float(share[j])
                rows.append(dict(metric="proxy_association", over=[s], value=v, label=f))
                rows.append(dict(metric="proxy_score", over=[s], value=score, label=f))
                gap_share = None
                if dec is not None and abs(dec["gap"]) > 1e-12:
                    gap_share = float(dec["contributions"][j] / dec["gap"])
                flagged = v >= self.proxy_association and (
                    share[j] >= self.proxy_importance or (gap_share is not None and gap_share >= self.proxy_gap_share))
                entry = {"feature": f, "sensitive_feature": s, "cramers_v": v, "attribution_share": float(share[j]),
                         "rank": details["ranking"].index(f) + 1, "gap_share": gap_share, "score": score,
                         "flagged": bool(flagged)}
                table.append(entry)
                if flagged:
                    findings.append(Finding(
                        Severity.WARNING, "attribution.proxy",
                        f"{f} is a likely proxy of {s}: strongly associated with it (Cramer's V {v:.2f}) and the "
                        f"model relies on it ({share[j]:.1%} of total |attribution|, rank "
                        f"{entry['rank']} of {len(names)}"
                        + (f"; {gap_share:.0%} of the {s} output gap" if gap_share is not None else "") + ").",
                        {"feature": f, "sensitive_feature": s, "cramers_v": _r(v),
                         "attribution_share": _r(share[j]), "rank": entry["rank"], "gap_share": _r(gap_share)}))
        table.sort(key=lambda e: -e["score"])
        details["proxies"] = table

    def _trust(self, rows: list, findings: list, details: dict, explained: Explained,
               runs: Mapping[str, Attribution], base: torch.Tensor, background: torch.Tensor | None,
               settings: MethodSettings) -> None:
        from ._methods import ADDITIVE_METHODS, attribute
        from ._trust import completeness_summary, infidelity_ratio, randomisation_check

        sanity: dict[str, Any] = {}
        unreliable: dict[str, list[str]] = {}
        k = min(self.sanity_rows, len(explained.inputs))
        sample = explained.inputs[:k]
        moved = (sample != base).numpy()
        active = np.stack([moved[:, cols].any(axis=1) for cols in explained.groups.values()], axis=1)
        for m, run in runs.items():
            reasons: list[str] = []
            if run.delta is not None and m in ADDITIVE_METHODS:
                comp = completeness_summary(run.delta, run.output, run.reference)
                rows.append(dict(metric="completeness_error", value=comp["median_relative"], n=comp["n"], label=m))
                rows.append(dict(metric="completeness_error_abs", value=comp["median_abs"], n=len(run.delta), label=m))
                sanity.setdefault(m, {})["completeness"] = comp
                if not math.isnan(comp["median_relative"]) and comp["median_relative"] > self.completeness_tolerance:
                    reasons.append(f"median completeness error {comp['median_relative']:.1%} of |f(x) - f(baseline)| "
                                   f"exceeds {self.completeness_tolerance:.0%}"
                                   + ("; raise n_steps" if m == "integrated_gradients" else ""))
            rebuild = explained.rebuild
            if explained.inner is not None and rebuild is not None and k >= 2:
                def explain(inner: torch.nn.Module, m: str = m, rebuild: Callable = rebuild) -> np.ndarray:
                    return attribute(explained, m, sample, base, settings, background=background,
                                     module=rebuild(inner)).values

                check = randomisation_check(explain, explained.inner, seed=settings.seed,
                                            threshold=self.sanity_threshold, active=active)
                sanity.setdefault(m, {})["randomisation"] = check
                if check["verdict"] != "not_applicable":
                    rows.append(dict(metric="randomisation_similarity",
                                     value=check["similarity_after_full_randomisation"], n=k, label=m))
                if check["verdict"] == "fail":
                    reasons.append(f"attributions survive re-initialising every layer (Spearman "
                                   f"{check['similarity_after_full_randomisation']:.2f} >= {self.sanity_threshold})")
            else:
                sanity.setdefault(m, {})["randomisation"] = {
                    "verdict": "not_applicable", "reason": "the model has no torch layers to re-initialise"}
            if m != "feature_permutation":  # permutation has no baseline to remove features to
                ki = min(self.infidelity_rows, len(explained.inputs))
                inf = infidelity_ratio(explained.forward, explained.inputs[:ki], run.values[:ki],
                                       list(explained.groups.values()), base, seed=settings.seed)
                rows.append(dict(metric="infidelity", value=inf["infidelity"], n=ki, label=m))
                rows.append(dict(metric="infidelity_ratio", value=inf["ratio"], n=ki, label=m))
                sanity.setdefault(m, {})["infidelity"] = inf
                if not math.isnan(inf["ratio"]) and inf["ratio"] >= 1.0:
                    reasons.append(f"infidelity {inf['ratio']:.2f}x that of random attributions")
            randomised = sanity.get(m, {}).get("randomisation", {}).get("verdict")
            verdict = ("unreliable" if reasons else "not_assessed" if randomised == "not_applicable"
                       else "reliable")
            sanity.setdefault(m, {})["verdict"] = verdict
            sanity[m]["reasons"] = reasons
            if reasons:
                unreliable[m] = reasons
        details["sanity"] = sanity
        for m, reasons in unreliable.items():
            findings.append(Finding(
                Severity.WARNING, "attribution.unreliable",
                f"the {m} explanation is unreliable: " + "; ".join(reasons) + ".",
                {"method": m, "primary": m == details["method"], "reasons": reasons}))

    def _local(self, subject: Subject, idx: np.ndarray, frame: pd.DataFrame, main: Attribution, names: list[str],
               decomposition: Mapping[tuple[str, ...], Mapping[str, Any]]) -> list[dict[str, Any]]:
        """A few telling rows of the lowest-output group: names and attributions, never row values.

        ``frame`` holds the sampled rows ``idx`` (with the sensitive columns).
        """
        if not decomposition or self.n_local <= 0:
            return []
        over, dec = next(iter(decomposition.items()))
        sens = frame.loc[:, list(over)]
        in_group = np.ones(len(idx), dtype=bool)
        for c, v in dec["low_group"].items():
            col = sens[c].astype(object)
            in_group &= (col.isna() if v is None else col.astype(str) == v).to_numpy()
        case = "lowest model outputs"
        pick = np.flatnonzero(in_group)
        y, p = subject.values_at("y_true", idx), subject.values_at("y_pred", idx)
        if y is not None and p is not None and subject.task == "binary":
            pos = 1 if 1 in set(pd.unique(y)) else None
            if pos is not None:
                pick = np.flatnonzero(in_group & (y == pos) & (p != pos))
                case = "false negatives"
        elif y is not None and subject.task == "regression":
            under = np.asarray(y, dtype=float) - np.asarray(p, dtype=float)
            pick = pick[np.argsort(-under[pick], kind="stable")]
            case = "largest under-predictions"
        if case == "lowest model outputs":
            pick = pick[np.argsort(main.output[pick], kind="stable")]
        out = []
        for i in pick[: self.n_local]:
            out.append({"case": case, "group": dec["low_group"], "output": float(main.output[i]),
                        "baseline_output": float(main.reference[i]),
                        "top_features": an.top_features(main.values[i], names, self.local_top_k)})
        return out
