"""The privacy auditor on an image subject: images of people said, loss-based membership inference."""
from __future__ import annotations

import pytest

import audit
from audit.privacy import PrivacyAuditor
from audit.privacy import _auditor as pa


def _run(net, n=300, with_train=True, **kw):
    images, meta = net.test_images()[:n], net.test_metadata().iloc[:n]
    train = (
        {"train_data": net.train_images()[:n], "train_metadata": net.train_metadata().iloc[:n]} if with_train else {}
    )
    return audit.run(images, model=net.as_model(), metadata=meta, target="label", sensitive_features=["group"],
                     auditors=[PrivacyAuditor(**kw)], **train)


def test_contains_people_is_said_or_asked(fashion_nets):
    net = fashion_nets["fashion-cnn"]
    yes = _run(net, contains_people=True, with_train=False)["privacy"]
    assert any(f.code == "privacy.images_of_people" and f.message == pa.PEOPLE_YES and f.severity == "high"
               for f in yes.findings)
    unknown = _run(net, with_train=False)["privacy"]
    assert any(f.code == "privacy.images_of_people_unknown" and f.message == pa.PEOPLE_UNKNOWN
               for f in unknown.findings)
    no = _run(net, contains_people=False, with_train=False)["privacy"]
    assert not any(f.code.startswith("privacy.images_of_people") for f in no.findings)
    assert no.details["membership"] == {"skipped": pa.SKIP_NO_TRAIN_IMAGES}
    with pytest.raises(audit.UsageError):
        PrivacyAuditor(contains_people="yes")


def test_membership_with_training_images(fashion_nets):
    import numpy as np
    from sklearn.metrics import roc_auc_score

    net = fashion_nets["fashion-cnn"]
    report = _run(net, contains_people=False)
    m = report["privacy"].metrics
    auc = float(m[(m["metric"] == "membership_auc") & m["group"].isna()]["value"].iloc[0])
    assert report.to_dict()["subject"]["n_train_rows"] == 300
    # the attack scores a row by its loss: members (training images) have lower loss
    import torch

    def loss(images, labels):
        from scipy.special import softmax

        with torch.no_grad():
            p = softmax(net.module(torch.from_numpy(images)).numpy().astype(np.float64), axis=1)
        return -np.log(np.clip(p[np.arange(len(labels)), labels], 1e-12, 1))

    member = loss(net.train_images()[:300], net.train_metadata()["label"].to_numpy()[:300])
    other = loss(net.test_images()[:300], net.test_metadata()["label"].to_numpy()[:300])
    expected = roc_auc_score(np.r_[np.ones(300), np.zeros(300)], -np.r_[member, other])
    assert auc == pytest.approx(expected, abs=1e-6)
