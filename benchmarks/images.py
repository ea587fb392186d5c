"""The whole image audit of one reference network, beside its peers' pieces, in one run.

Subject: ``fashion-cnn-underrepresented`` on 10,000 test images (Fashion-MNIST's t10k split from
Debian's ``dataset-fashion-mnist`` when installed, sha256-checked; else the vendored 2,000 tiled),
groups drawn balanced. Ours: ``audit.run`` with fairness (200 bootstrap draws), counterfactual,
attribution (GradCAM, IG-32, Occlusion on 200 images, randomisation check on 50), privacy and
energy, then ``report.save``. Peers, on the same predictions and images: fairlearn ``MetricFrame``
(accuracy by group, one-vs-rest TPR and FPR per class) and bare Captum calls (per-image throughput
of LayerGradCam, IntegratedGradients with 32 steps, Occlusion with 4x4 windows). torch runs on one
thread.

    PYTHONPATH=$PWD python benchmarks/images.py            # --images 10000
    PYTHONPATH=$PWD python benchmarks/images.py --quick    # smoke run (500 images)
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import struct
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DEBIAN = Path("/usr/share/datasets/fashion-mnist")
#: sha256 of the upstream t10k files (Zalando's release, as Debian ships them).
T10K_SHA256 = {"t10k-images-idx3-ubyte.gz": "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
               "t10k-labels-idx1-ubyte.gz": "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05"}


def _t10k() -> tuple[np.ndarray, np.ndarray] | None:
    files = {name: DEBIAN / name for name in T10K_SHA256}
    if not all(p.is_file() for p in files.values()):
        return None
    raw = {}
    for name, p in files.items():
        data = p.read_bytes()
        if hashlib.sha256(data).hexdigest() != T10K_SHA256[name]:
            return None
        raw[name] = gzip.decompress(data)
    img, lab = raw["t10k-images-idx3-ubyte.gz"], raw["t10k-labels-idx1-ubyte.gz"]
    n = struct.unpack(">I", img[4:8])[0]
    return (np.frombuffer(img, np.uint8, offset=16).reshape(n, 28, 28).copy(),
            np.frombuffer(lab, np.uint8, offset=8).astype(np.int64))


def images(n: int) -> tuple[np.ndarray, "object", str]:
    import pandas as pd

    from audit.models._fashion import CLASSES, draw_groups, load_fashion, render

    full = _t10k()
    if full is not None and n <= len(full[0]):
        gray, labels, source = full[0][:n], full[1][:n], "Debian dataset-fashion-mnist t10k"
    else:
        g, y = load_fashion("test")
        reps = -(-n // len(g))
        gray, labels, source = np.tile(g, (reps, 1, 1))[:n], np.tile(y, reps)[:n], "vendored test split, tiled"
    groups = draw_groups(labels, "balanced", 7)
    meta = pd.DataFrame({"image_id": [f"t-{i:05d}" for i in range(n)], "label": labels,
                         "label_name": [CLASSES[k] for k in labels], "group": groups})
    return render(gray, groups), meta, source


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    n = 500 if args.quick else args.images

    import torch

    torch.set_num_threads(1)
    import audit
    from audit.attribution import AttributionAuditor
    from audit.counterfactual import CounterfactualAuditor
    from audit.energy import EnergyAuditor
    from audit.fairness import FairnessAuditor
    from audit.models import load_image_reference
    from audit.privacy import PrivacyAuditor

    net = load_image_reference("fashion-cnn-underrepresented")
    x, meta, source = images(n)
    auditors = [FairnessAuditor(n_boot=200), CounterfactualAuditor(),
                AttributionAuditor(max_images=200, sanity_images=50, n_steps=32),
                PrivacyAuditor(contains_people=False), EnergyAuditor()]
    started = time.perf_counter()
    report = audit.run(x, model=net.as_model(), metadata=meta, target="label", sensitive_features=["group"],
                       auditors=auditors)
    with tempfile.TemporaryDirectory() as out:
        report.save(out)
        size = (Path(out) / "report.html").stat().st_size
    ours = time.perf_counter() - started

    from fairlearn.metrics import MetricFrame, false_positive_rate, true_positive_rate
    from sklearn.metrics import accuracy_score

    y_true = meta["label"].to_numpy()
    with torch.no_grad():
        y_pred = np.concatenate([net.module(torch.from_numpy(x[i:i + 512])).argmax(1).numpy()
                                 for i in range(0, n, 512)])
    t = time.perf_counter()
    frames = [MetricFrame(metrics=accuracy_score, y_true=y_true, y_pred=y_pred, sensitive_features=meta["group"])]
    for c in range(10):
        frames.append(MetricFrame(metrics={"tpr": true_positive_rate, "fpr": false_positive_rate},
                                  y_true=(y_true == c).astype(int), y_pred=(y_pred == c).astype(int),
                                  sensitive_features=meta["group"]))
    fairlearn_s = time.perf_counter() - t
    m = report["fairness"].metrics
    accuracy = m[(m["metric"] == "accuracy_score") & m["label"].isna()]
    diff = max(abs(float(accuracy[accuracy["group"].map(lambda d, g=g: d == {"group": g})]["value"].iloc[0])
                   - float(frames[0].by_group[g])) for g in frames[0].by_group.index)

    from captum.attr import IntegratedGradients, LayerGradCam, Occlusion

    def per_image(fn, k: int) -> float:
        batch = torch.from_numpy(x[:k])
        target = torch.from_numpy(y_pred[:k])
        t0 = time.perf_counter()
        fn(batch, target)
        return (time.perf_counter() - t0) / k * 1000

    conv = [mod for mod in net.module.modules() if isinstance(mod, torch.nn.Conv2d)][-1]
    gc_ms = per_image(lambda b, tg: LayerGradCam(net.module, conv).attribute(b, target=tg), min(400, n))
    ig_ms = per_image(lambda b, tg: IntegratedGradients(net.module).attribute(
        b, baselines=torch.zeros_like(b), target=tg, n_steps=32, internal_batch_size=400), min(100, n))
    oc_ms = per_image(lambda b, tg: Occlusion(net.module).attribute(
        b, sliding_window_shapes=(3, 4, 4), strides=(3, 4, 4), baselines=0.0, target=tg,
        perturbations_per_eval=16), min(100, n))

    cf = report["counterfactual"].metrics
    flip = float(cf[(cf["metric"] == "counterfactual_flip_rate") & cf["group"].isna()]["value"].iloc[0])
    print(f"images: {n:,} ({source}); torch threads: {torch.get_num_threads()}")
    print(f"whole audit (5 auditors + report.save): {ours:.1f} s; report.html {size / 1e6:.2f} MB; "
          f"statuses {[(r.auditor, str(r.status)) for r in report.results]}")
    print(f"fairlearn MetricFrame (accuracy by group + TPR/FPR per class, no intervals): {fairlearn_s:.3f} s; "
          f"max abs diff of group accuracy vs ours {diff:.1e}")
    print(f"Captum per image: LayerGradCam {gc_ms:.2f} ms, IntegratedGradients-32 {ig_ms:.2f} ms, "
          f"Occlusion 4x4 {oc_ms:.2f} ms")
    print(f"counterfactual flip rate {flip:.3f}")
    return 0 if diff <= 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
