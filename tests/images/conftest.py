"""Image fixtures: the committed image reference networks and a small slice of their test images."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def fashion_nets():
    """name -> loaded image reference network (committed weights; nothing is trained)."""
    from audit.models import IMAGE_NETWORKS, load_image_reference

    return {name: load_image_reference(name) for name in IMAGE_NETWORKS}


@pytest.fixture(scope="session")
def small_fashion(fashion_nets):
    """(images, metadata) of the first 300 test images, as the clean network sees them."""
    net = fashion_nets["fashion-cnn"]
    return net.test_images()[:300], net.test_metadata().iloc[:300].reset_index(drop=True)
