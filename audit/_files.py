"""Files in and out: what a data path may be, reading tables and TOML, writing reports atomically.

What a data path may be before anything reads it: a regular file, or a folder whose scan is bounded.

A FIFO, a device or a socket as the data path would block or stream forever; a folder
with a symbolic link to itself (or to a folder above it) makes a dataset scan loop; a
link out of the folder reads data the caller did not name. Each is one usage error here,
before pandas, polars, DuckDB or pyarrow open anything.
"""
from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ._exceptions import SpecError, UsageError
from ._messages import (
    MSG_CANNOT_READ,
    MSG_DUPLICATE_HEADER,
    MSG_FOLDER_ENTRY,
    MSG_FOLDER_LINK,
    MSG_FOLDER_SIZE,
    MSG_IS_DIRECTORY,
    MSG_NO_SUCH_FILE,
    MSG_NOT_REGULAR,
    MSG_TOML_INVALID,
    MSG_TOML_NOT_UTF8,
    MSG_TOO_DEEP,
    MSG_TOO_LARGE,
    MSG_UNREADABLE,
    MSG_UNSUPPORTED_FORMAT,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["read_table", "read_toml", "write_files_atomically", "is_glob", "glob_files", "MSG_UNREADABLE",
           "MSG_UNSUPPORTED_FORMAT", "check_data_path", "check_csv_header", "check_file_size", "check_depth",
           "MAX_FOLDER_ENTRIES",
           "MAX_TOML_BYTES", "MAX_REPORT_BYTES", "MAX_DEPTH", "MSG_NOT_REGULAR", "MSG_FOLDER_LINK", "MSG_FOLDER_SIZE",
           "MSG_FOLDER_ENTRY", "MSG_DUPLICATE_HEADER", "MSG_TOO_LARGE", "MSG_TOO_DEEP"]

#: The most entries a data folder may hold (files and folders, at any depth).
MAX_FOLDER_ENTRIES = 100_000


def _kind(mode: int) -> str | None:
    """What a non-regular, non-folder file is, in words; None for a regular file or a folder."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_data_path(path: str | os.PathLike[str]) -> None:
    """Raise a UsageError unless ``path`` is a regular file or a well-formed folder.

    A folder is well formed when its every entry is a regular file or folder inside it (links only to
    files inside the folder), with at most :data:`MAX_FOLDER_ENTRIES` entries. A missing
    path is left to the reader's own message.
    """
    p = Path(path)
    try:
        mode = os.stat(p).st_mode
    except OSError:
        return
    kind = _kind(mode)
    if kind:
        raise UsageError(MSG_NOT_REGULAR.format(path=p, kind=kind))
    if not stat.S_ISDIR(mode):
        return
    root = p.resolve()
    seen = 0
    for folder, dirs, files in os.walk(p, followlinks=False):
        for name in list(dirs) + files:
            seen += 1
            if seen > MAX_FOLDER_ENTRIES:
                raise UsageError(MSG_FOLDER_SIZE.format(path=p, limit=MAX_FOLDER_ENTRIES))
            entry = Path(folder) / name
            if entry.is_symlink():
                target = entry.resolve()
                if target.is_dir():
                    why = "a folder (a dataset scan would follow it, and may loop)"
                    raise UsageError(MSG_FOLDER_LINK.format(path=p, entry=entry, target=target, why=why))
                if root != target and root not in target.parents:
                    raise UsageError(MSG_FOLDER_LINK.format(path=p, entry=entry, target=target,
                                                            why="outside the folder"))
            try:
                entry_kind = _kind(os.stat(entry).st_mode)
            except OSError:
                continue  # a dangling link: the reader says what it cannot open
            if entry_kind:
                raise UsageError(MSG_FOLDER_ENTRY.format(path=p, entry=entry, kind=entry_kind))


def check_csv_header(path: str | os.PathLike[str], sep: str = ",") -> None:
    """Raise a UsageError when a CSV file's header row names a column twice (read from the first line only)."""
    import pandas as pd

    try:
        head = pd.read_csv(path, sep=sep, header=None, nrows=1, dtype=str, keep_default_na=False)
    except Exception:
        return  # empty or unparsable: the reader gives its own message
    names = [str(v) for v in head.iloc[0].tolist()] if len(head) else []
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise UsageError(MSG_DUPLICATE_HEADER.format(path=path, names=dupes, renamed=[f"{d}.1" for d in dupes]))


#: The largest spec or policy file read (bytes), and the deepest nesting of its tables and arrays.
MAX_TOML_BYTES = 1024 * 1024
#: The largest report.json read (bytes), and the deepest nesting of its objects and arrays.
MAX_REPORT_BYTES = 512 * 1024 * 1024
MAX_DEPTH = 64


def check_file_size(path: str | os.PathLike[str], limit: int, what: str) -> None:
    """Raise a UsageError unless ``path`` is a regular file within ``limit`` bytes.

    A FIFO would block the reader; a missing path is left to the reader's own message.
    """
    try:
        st = os.stat(path)
    except OSError:
        return
    kind = _kind(st.st_mode)
    if kind:  # a folder is left to the reader's own message
        raise UsageError(MSG_NOT_REGULAR.format(path=path, kind=kind).replace(
            "a regular file or a folder of Parquet files", f"a regular {what} file"))
    if st.st_size > limit:
        raise UsageError(MSG_TOO_LARGE.format(what=what, path=path, size=st.st_size, limit=limit))


def check_depth(doc: object, limit: int, what: str, path: str | os.PathLike[str]) -> None:
    """Raise a UsageError when ``doc`` (parsed TOML or JSON) nests dicts and lists more than ``limit`` deep."""
    stack = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            raise UsageError(MSG_TOO_DEEP.format(what=what, path=path, limit=limit))
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


def is_glob(path: str | os.PathLike[str]) -> bool:
    """Whether a path's last part is a pattern (``*``, ``?`` or ``[...]``) rather than a name."""
    return any(ch in Path(path).name for ch in "*?[")


def glob_files(path: str | os.PathLike[str]) -> list[Path]:
    """The files a pattern path matches, in name order."""
    p = Path(path)
    return sorted(p.parent.glob(p.name))


def read_table(path: str | os.PathLike[str]) -> Any:
    """Read a CSV or Parquet file into pandas, turning every failure into a UsageError naming the path."""
    import pandas as pd

    p = Path(path)
    name = p.name.lower()
    if is_glob(p):  # every matching file, in name order, as one table
        matches = glob_files(p)
        if not matches:
            raise UsageError(MSG_UNREADABLE.format(path=p, reason="no file matches this pattern"))
        return pd.concat([read_table(m) for m in matches], ignore_index=True)
    check_data_path(p)  # a FIFO, a device, a looping or escaping folder: a usage error before reading
    try:
        if name.endswith((".parquet", ".pq")) or p.is_dir():
            return pd.read_parquet(p)  # a folder: a Parquet dataset (its files, hive partitions included)
        if name.endswith((".csv", ".csv.gz", ".txt")):
            check_csv_header(p)
            return pd.read_csv(p)
        if name.endswith((".tsv", ".tsv.gz")):
            check_csv_header(p, sep="\t")
            return pd.read_csv(p, sep="\t")
    except UsageError:
        raise
    except FileNotFoundError:
        raise UsageError(MSG_UNREADABLE.format(path=p, reason="no such file")) from None
    except IsADirectoryError:
        raise UsageError(MSG_UNREADABLE.format(path=p, reason="it is a directory")) from None
    except PermissionError:
        raise UsageError(MSG_UNREADABLE.format(path=p, reason="permission denied")) from None
    except Exception as exc:  # parser errors of pandas/pyarrow: report them as the user's file problem
        reason = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'unreadable'}"
        raise UsageError(MSG_UNREADABLE.format(path=p, reason=reason[:300])) from None
    raise UsageError(MSG_UNSUPPORTED_FORMAT.format(path=p, suffix="".join(p.suffixes) or p.name))


# -- reading TOML ----------------------------------------------------------------------------------
def read_toml(path: Path, *, what: str) -> dict[str, Any]:
    """Parse ``path`` as TOML; unreadable or invalid files raise UsageError/SpecError naming it."""
    check_file_size(path, MAX_TOML_BYTES, what)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise UsageError(MSG_NO_SUCH_FILE.format(what=what, path=path)) from None
    except IsADirectoryError:
        raise UsageError(MSG_IS_DIRECTORY.format(what=what, path=path)) from None
    except OSError as exc:
        raise UsageError(MSG_CANNOT_READ.format(what=what, path=path, error=exc.strerror or exc)) from None
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except RecursionError:
        doc = None
    except UnicodeDecodeError:
        raise SpecError(MSG_TOML_NOT_UTF8.format(what=what, path=path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(MSG_TOML_INVALID.format(what=what, path=path, error=exc)) from None
    if doc is None:  # the parser ran out of stack: nested far deeper than any spec
        raise UsageError(MSG_TOO_DEEP.format(what=what, path=path, limit=MAX_DEPTH))
    check_depth(doc, MAX_DEPTH, what, path)
    return doc


# -- writing atomically: a reader sees the old file or the new one, never half of one -------------
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
            fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=root)
            staged.append((Path(tmp_name), root / name))
            os.chmod(tmp_name, 0o666 & ~_umask())  # mkstemp makes 0600; a report is an ordinary file
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
