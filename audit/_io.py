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
    """Write every ``name -> content`` into ``folder``, all or nothing.

    All temp files are written first; then each existing target is kept as a hard-linked
    backup and the new file renamed over it. If anything fails or is interrupted (even a
    KeyboardInterrupt between two renames), every target already replaced is restored from
    its backup (or removed, if it did not exist before), so ``report.json`` and
    ``report.html`` are replaced together or not at all. Names must be plain file names:
    nothing can be written outside ``folder``.
    """
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    backups: dict[Path, Path | None] = {}  # target -> its backup (None: there was no target)
    done: list[Path] = []
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
        for _, target in staged:
            backups[target] = _backup(target)
        for tmp, target in staged:
            os.replace(tmp, target)
            done.append(target)
    except BaseException:
        for target in reversed(done):
            backup = backups.get(target)
            if backup is not None:
                os.replace(backup, target)
            else:
                target.unlink(missing_ok=True)
        raise
    finally:
        for tmp, _ in staged:
            if tmp.exists():
                tmp.unlink()
        for backup in backups.values():
            if backup is not None and backup.exists():
                backup.unlink()
    return [target for _, target in staged]


def _backup(target: Path) -> Path | None:
    """A hard link (or copy) of ``target`` beside it, or None when there is no target."""
    if not os.path.lexists(target):
        return None
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".bak", dir=target.parent)
    os.close(fd)
    backup = Path(name)
    backup.unlink()
    try:
        os.link(target, backup)
    except OSError:  # no hard links here (some network and FAT file systems): copy
        import shutil

        shutil.copy2(target, backup)
    return backup
