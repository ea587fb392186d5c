"""Fixtures of the reference-network tests: the committed ``models/`` folder."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def committed_models() -> Path:
    """The repository's committed ``models/`` folder (not the env override)."""
    path = REPO / "models"
    assert path.is_dir(), f"expected committed reference networks in {path}"
    return path
