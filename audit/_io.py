"""Atomic file writing: a reader sees the old file or the new one, never half of one."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

__all__ = ["write_files_atomically"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_files_atomically(folder: str | os.PathLike[str], files: Mapping[str, str | bytes]) -> list[Path]:
    """Write every ``name -> content`` into ``folder``; all temp files first, then one rename each.

    If anything fails before the renames, no target file has changed. Names must be
    plain file names: nothing can be written outside ``folder``.
    """
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for name, content in files.items():
            if Path(name).name != name or name in ("", ".", ".."):
                raise ValueError(f"refusing to write {name!r}: only plain file names inside {root} are allowed")
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=root)
            staged.append((Path(tmp), root / name))
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a report is an ordinary file
            with os.fdopen(fd, "wb") as fh:
                fh.write(content.encode("utf-8") if isinstance(content, str) else content)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        for tmp, _ in staged:
            if tmp.exists():
                tmp.unlink()
    return [target for _, target in staged]
