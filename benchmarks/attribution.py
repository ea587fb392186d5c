"""Benchmark: the attribution auditor on adult-mlp and the full Adult test set, beside shap.KernelExplainer.

One core (torch and BLAS threads pinned to 1). Reports, in one run:
- wall and process-CPU seconds (the ratio uses CPU seconds of both sides, which a busy shared
  machine inflates less than wall time);
- the auditor end to end on every test row (16,281): IntegratedGradients (50 steps),
  FeatureAblation with the one-hot feature mask, per-group and intersectional breakdown with
  bootstrap intervals, gap decomposition, proxies and the trust checks; and IG and
  FeatureAblation alone;
- shap.KernelExplainer's per-row cost on the same model (probability of the positive class, a
  background of 100 training rows, nsamples="auto") on a sample of rows, and the per-row ratio;
- IG's median completeness error relative to |f(x) - f(baseline)| by number of steps, and the
  fewest steps that reach <= 1%.

    PYTHONPATH=$PWD python benchmarks/attribution.py            # full run
    PYTHONPATH=$PWD python benchmarks/attribution.py --quick    # smoke run (2,000 rows, 3 shap rows)

shap is a benchmark-only peer (the ``bench`` extra); without it the shap lines are skipped.
"""
from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

import audit  # noqa: E402
from audit.attribution import AttributionAuditor, attribute, baseline_row, prepare  # noqa: E402
from audit.attribution._methods import MethodSettings  # noqa: E402
from audit.attribution._trust import completeness_summary  # noqa: E402
from audit.models import load_reference  # noqa: E402


def _timed(fn, cpu: dict | None = None, key: str = ""):
    """Wall seconds of ``fn()``; its process CPU seconds go to ``cpu[key]`` (robust to a busy machine)."""
    start, start_cpu = time.perf_counter(), time.process_time()
    out = fn()
    if cpu is not None:
        cpu[key] = round(time.process_time() - start_cpu, 2)
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--shap-rows", type=int, default=20, help="rows explained by shap.KernelExplainer")
    args = parser.parse_args()
    torch.set_num_threads(1)
    net = load_reference("adult-mlp")
    test = net.test_frame()
    if args.quick:
        test = test.iloc[:2000]
        args.shap_rows = 3
    subject = audit.AuditSubject(test, model=net, target=net.target, sensitive_features=net.sensitive_features,
                                 train_data=net.train_frame(), name="adult-mlp")
    n = subject.n_rows
    figures: dict[str, object] = {"rows": n, "torch_threads": torch.get_num_threads(),
                                  "torch": torch.__version__}

    auditor = AttributionAuditor(max_rows=None, n_steps=50, compare_methods=("feature_ablation",), num_threads=1)
    cpu: dict[str, float] = {}
    figures["cpu_s"] = cpu
    result, t_audit = _timed(lambda: auditor.run(subject), cpu, "auditor_end_to_end")
    figures["auditor_end_to_end_s"] = round(t_audit, 2)
    figures["auditor_status"] = str(result.status)

    ex = prepare(net.as_model(), test, net.feature_names, net.task)
    base, _ = baseline_row(ex, net.train_frame(), "train_mean")
    settings = MethodSettings(n_steps=50)
    ig, t_ig = _timed(lambda: attribute(ex, "integrated_gradients", ex.inputs, base, settings), cpu,
                       "integrated_gradients_50_steps")
    _, t_fa = _timed(lambda: attribute(ex, "feature_ablation", ex.inputs, base, settings), cpu, "feature_ablation")
    figures["integrated_gradients_50_steps_s"] = round(t_ig, 2)
    figures["feature_ablation_s"] = round(t_fa, 2)
    ours_per_row = cpu["auditor_end_to_end"] / n
    figures["auditor_cpu_ms_per_row"] = round(1000 * ours_per_row, 4)

    comp = completeness_summary(ig.delta, ig.output, ig.reference)
    figures["ig_50_median_completeness_error"] = round(comp["median_relative"], 5)
    sample = ex.inputs[: min(2000, n)]
    by_steps = {}
    for steps in (5, 10, 20, 50, 100, 200):
        a = attribute(ex, "integrated_gradients", sample, base, MethodSettings(n_steps=steps))
        by_steps[steps] = round(completeness_summary(a.delta, a.output, a.reference)["median_relative"], 5)
    figures["ig_median_completeness_error_by_steps"] = by_steps
    figures["ig_steps_to_1_percent"] = min((s for s, e in by_steps.items() if e <= 0.01), default=None)

    try:
        import shap
    except ImportError:
        figures["shap"] = "not installed: pip install shap (the bench extra) for the comparison"
    else:
        rng = np.random.default_rng(0)
        background = net.encode(net.train_frame().iloc[np.sort(rng.choice(len(net.train_frame()), 100,
                                                                            replace=False))]).numpy()

        def predict(x: np.ndarray) -> np.ndarray:
            with torch.no_grad():
                return ex.module(torch.from_numpy(x.astype(np.float32))).reshape(-1).numpy()

        explainer = shap.KernelExplainer(predict, background)
        rows = ex.inputs[: args.shap_rows].numpy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, t_shap = _timed(lambda: explainer.shap_values(rows, nsamples="auto", silent=True), cpu,
                               "shap_kernel")
        shap_per_row = cpu["shap_kernel"] / len(rows)
        figures["shap"] = shap.__version__
        figures["shap_kernel_rows"] = len(rows)
        figures["shap_kernel_wall_s"] = round(t_shap, 2)
        figures["shap_kernel_cpu_s_per_row"] = round(shap_per_row, 3)
        figures["shap_kernel_full_test_set_extrapolated_s"] = round(shap_per_row * n, 0)
        figures["ratio_shap_per_row_over_auditor_per_row"] = round(shap_per_row / ours_per_row, 0)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
