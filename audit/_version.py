"""The package version, in a leaf module so anything inside the package can read it."""
from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
