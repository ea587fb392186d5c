"""Reading TOML files with errors that name the file and the line."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ._exceptions import SpecError, UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["read_toml"]


def read_toml(path: Path, *, what: str) -> dict[str, Any]:
    """Parse ``path`` as TOML; unreadable or invalid files raise UsageError/SpecError naming it."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise UsageError(f"cannot read {what} {path!s}: no such file.") from None
    except IsADirectoryError:
        raise UsageError(f"cannot read {what} {path!s}: it is a directory.") from None
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path!s}: {exc.strerror or exc}.") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise SpecError(f"{what} {path!s} is not UTF-8 text; save it as UTF-8 TOML.") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{what} {path!s} is not valid TOML: {exc}.") from None
