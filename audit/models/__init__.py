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

from typing import TYPE_CHECKING

from .._exports import lazy_exports

__all__ = [
    "IMAGE_NETWORKS", "ImageReferenceNetwork", "load_image_reference", "train_image",
    "ALL_NETWORKS", "MITIGATED_NETWORKS", "MitigatedNetwork", "load_mitigated", "PLANTED_KINDS", "VARIANT_NETWORKS",
    "plant", "AGE_BANDS", "DATASETS", "Dataset", "MODELS_DIR_ENV", "REFERENCE_NETWORKS",
    "REQUIRED_FILES", "ReferenceNetwork", "TabularPreprocessor", "build_mlp",
    "load_dataset", "load_reference", "parameter_count", "resolve_models_dir", "train",
    "train_all",
]

# Names load on first use: `rai-audit list` reads the recipes without importing torch.
__getattr__, __dir__ = lazy_exports(__name__, {
    "AGE_BANDS": "._datasets:AGE_BANDS", "DATASETS": "._datasets:DATASETS", "Dataset": "._datasets:Dataset",
    "load_dataset": "._datasets:load_dataset",
    "build_mlp": "._network:build_mlp", "parameter_count": "._network:parameter_count",
    "TabularPreprocessor": "._preprocess:TabularPreprocessor",
    "MITIGATED_NETWORKS": "._mitigated:MITIGATED_NETWORKS", "MitigatedNetwork": "._mitigated:MitigatedNetwork",
    "load_mitigated": "._mitigated:load_mitigated",
    "PLANTED_KINDS": "._planted:PLANTED_KINDS", "plant": "._planted:plant",
    "ALL_NETWORKS": "._recipes:ALL_NETWORKS", "REFERENCE_NETWORKS": "._recipes:REFERENCE_NETWORKS",
    "VARIANT_NETWORKS": "._recipes:VARIANT_NETWORKS",
    "MODELS_DIR_ENV": "._reference:MODELS_DIR_ENV", "REQUIRED_FILES": "._reference:REQUIRED_FILES",
    "ReferenceNetwork": "._reference:ReferenceNetwork", "load_reference": "._reference:load_reference",
    "resolve_models_dir": "._reference:resolve_models_dir",
    "train": "._train:train", "train_all": "._train:train_all",
    "IMAGE_NETWORKS": "._image_recipes:IMAGE_NETWORKS", "ImageReferenceNetwork": "._image_nets:ImageReferenceNetwork",
    "load_image_reference": "._image_nets:load_image_reference", "train_image": "._image_nets:train_image",
})

if TYPE_CHECKING:
    from ._datasets import AGE_BANDS, DATASETS, Dataset, load_dataset
    from ._image_nets import ImageReferenceNetwork, load_image_reference, train_image
    from ._image_recipes import IMAGE_NETWORKS
    from ._mitigated import MITIGATED_NETWORKS, MitigatedNetwork, load_mitigated
    from ._network import build_mlp, parameter_count
    from ._planted import PLANTED_KINDS, plant
    from ._preprocess import TabularPreprocessor
    from ._recipes import ALL_NETWORKS, REFERENCE_NETWORKS, VARIANT_NETWORKS
    from ._reference import MODELS_DIR_ENV, REQUIRED_FILES, ReferenceNetwork, load_reference, resolve_models_dir
    from ._train import train, train_all
