import os

import pytest

from audit._files import write_files_atomically


def test_writes_all_files(tmp_path):
    write_files_atomically(tmp_path / "out", {"a.txt": "A", "b.bin": b"B"})
    assert (tmp_path / "out" / "a.txt").read_text() == "A"
    assert (tmp_path / "out" / "b.bin").read_bytes() == b"B"
    assert sorted(os.listdir(tmp_path / "out")) == ["a.txt", "b.bin"]


def test_failure_leaves_previous_files_intact(tmp_path):
    write_files_atomically(tmp_path, {"report.json": "old", "report.html": "old"})

    class Boom(str):
        def encode(self, *a, **k):
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_files_atomically(tmp_path, {"report.json": "new", "report.html": Boom("x")})
    assert (tmp_path / "report.json").read_text() == "old"
    assert (tmp_path / "report.html").read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["report.html", "report.json"]


@pytest.mark.parametrize("name", ["../escape.txt", "sub/x.txt", "..", ""])
def test_names_cannot_escape_the_folder(tmp_path, name):
    with pytest.raises(ValueError, match="only plain file names"):
        write_files_atomically(tmp_path / "out", {name: "x"})
    assert not (tmp_path / "escape.txt").exists()


def test_files_get_ordinary_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        write_files_atomically(tmp_path, {"a.txt": "A"})
    finally:
        os.umask(old)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644
