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
    from ._files import MAX_DEPTH, MAX_TOML_BYTES, check_depth, check_file_size

    check_file_size(path, MAX_TOML_BYTES, what)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise UsageError(f"cannot read {what} {path!s}: no such file.") from None
    except IsADirectoryError:
        raise UsageError(f"cannot read {what} {path!s}: it is a directory.") from None
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path!s}: {exc.strerror or exc}.") from None
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except RecursionError:
        doc = None
    except UnicodeDecodeError:
        raise SpecError(f"{what} {path!s} is not UTF-8 text; save it as UTF-8 TOML.") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{what} {path!s} is not valid TOML: {exc}.") from None
    if doc is None:  # the parser ran out of stack: nested far deeper than any spec
        from ._files import MSG_TOO_DEEP

        raise UsageError(MSG_TOO_DEEP.format(what=what, path=path, limit=MAX_DEPTH))
    check_depth(doc, MAX_DEPTH, what, path)
    return doc
