"""Public names that load on first use (PEP 562), so importing a package costs nothing it does not use.

A package lists ``name -> "module:attribute"`` (relative module, ``":"`` alone for the module
itself) and binds the two functions :func:`lazy_exports` returns as its ``__getattr__`` and
``__dir__``. A leaf: imports nothing of ours.
"""
from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(package: str, exports: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package`` that import each of ``exports`` when first read."""

    def __getattr__(name: str) -> Any:
        try:
            target = exports[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        module, _, attr = target.partition(":")
        value: Any = importlib.import_module(module, package) if module else sys.modules[package]
        if attr:
            value = getattr(value, attr)
        setattr(sys.modules[package], name, value)  # later reads are plain attribute reads
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(exports))

    return __getattr__, __dir__
