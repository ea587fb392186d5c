"""Reference networks: small torch MLPs trained deterministically on vendored public data.

They are the subjects of the demo, the fixtures of the tests and the calibration standard
of the auditors. Four are defined (:data:`REFERENCE_NETWORKS`): ``adult-mlp``,
``compas-mlp``, ``german-mlp`` (binary) and ``diabetes-mlp`` (regression). Each trained
network lives in ``<models_dir>/<name>/`` (recipe, preprocessor, weights, model card);
see :func:`resolve_models_dir` for where that folder is found. Three image networks
(:data:`IMAGE_NETWORKS`: ``fashion-cnn``, ``fashion-cnn-underrepresented``,
``fashion-cnn-spurious``) are small CNNs on Fashion-MNIST with a synthetic group attribute
(:func:`load_image_reference`).

    >>> from audit.models import load_reference
    >>> net = load_reference("german-mlp")          # doctest: +SKIP
    >>> net.predict(net.test_frame())[:5]            # doctest: +SKIP
"""
from __future__ import annotations

from ._datasets import AGE_BANDS, DATASETS, Dataset, load_dataset
from ._image_nets import IMAGE_NETWORKS, ImageReferenceNetwork, load_image_reference, train_image
from ._network import build_mlp, parameter_count
from ._preprocess import TabularPreprocessor
from ._mitigated import MITIGATED_NETWORKS, MitigatedNetwork, load_mitigated
from ._planted import PLANTED_KINDS, plant
from ._recipes import ALL_NETWORKS, REFERENCE_NETWORKS, VARIANT_NETWORKS
from ._reference import (MODELS_DIR_ENV, REQUIRED_FILES, ReferenceNetwork, load_reference,
                         resolve_models_dir)
from ._train import train, train_all

__all__ = [
    "IMAGE_NETWORKS", "ImageReferenceNetwork", "load_image_reference", "train_image",
    "ALL_NETWORKS", "MITIGATED_NETWORKS", "MitigatedNetwork", "load_mitigated", "PLANTED_KINDS", "VARIANT_NETWORKS", "plant", "AGE_BANDS", "DATASETS", "Dataset", "MODELS_DIR_ENV", "REFERENCE_NETWORKS",
    "REQUIRED_FILES", "ReferenceNetwork", "TabularPreprocessor", "build_mlp",
    "load_dataset", "load_reference", "parameter_count", "resolve_models_dir", "train",
    "train_all",
]
