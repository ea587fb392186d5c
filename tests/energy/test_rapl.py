"""RAPL reader on fake sysfs trees: domains, wrap-around, permission denied, absent."""
from __future__ import annotations

import pytest

from audit.energy import _rapl
from audit.energy._rapl import MSG_RAPL_ABSENT, counter_delta, open_rapl
from tests.energy.helpers import fake_rapl, set_energy

MAX = 262_143_328_850  # a real package's max_energy_range_uj


def _tree(tmp_path):
    return fake_rapl(tmp_path, {
        "intel-rapl:0": ("package-0", 1_000_000, MAX),
        "intel-rapl:0:0": ("core", 500_000, MAX),
        "intel-rapl:0:1": ("dram", 2_000_000, 65_712_999_613),
        "intel-rapl:1": ("package-1", 7_000_000, MAX),
        "intel-rapl-mmio:0": ("package-0", 9_000_000, MAX),
    })


def test_counter_delta_plain_and_wrapped():
    assert counter_delta(100, 350, 1000) == 250
    assert counter_delta(900, 100, 1000) == 200  # wrapped once: 100 to the top, then 100
    assert counter_delta(5, 5, 1000) == 0


def test_domains_package_and_dram_only(tmp_path):
    reader, note = open_rapl(_tree(tmp_path))
    assert note is None
    assert [(d.path.name, d.kind) for d in reader.domains] == [
        ("intel-rapl:0", "package"), ("intel-rapl:0:1", "dram"), ("intel-rapl:1", "package")]


def test_delta_sums_packages_and_handles_wrap(tmp_path):
    root = _tree(tmp_path)
    reader, _ = open_rapl(root)
    start = reader.read()
    set_energy(root, "intel-rapl:0", 4_000_000)          # +3 J
    set_energy(root, "intel-rapl:1", 1_000_000)          # wrapped: MAX - 7e6 + 1e6 µJ
    set_energy(root, "intel-rapl:0:0", 9_999_999)        # core: part of the package, ignored
    set_energy(root, "intel-rapl:0:1", 2_500_000)        # dram +0.5 J
    got = reader.delta_joules(start, reader.read())
    assert got["package"] == pytest.approx(3.0 + (MAX - 6_000_000) / 1e6)
    assert got["dram"] == pytest.approx(0.5)


def test_read_interval_prevents_double_wrap(tmp_path):
    reader, _ = open_rapl(_tree(tmp_path))
    # smallest range 65,712.999613 J at 1000 W wraps in 65.7 s; read every half of that
    assert reader.interval_to_read() == pytest.approx(65_712.999613 / 1000 / 2)


def test_no_rapl(tmp_path):
    reader, note = open_rapl(tmp_path / "absent")
    assert reader is None and note == MSG_RAPL_ABSENT.format(root=tmp_path / "absent")
    reader, note = open_rapl(fake_rapl(tmp_path / "psys", {"intel-rapl:0": ("psys", 1, MAX)}))
    assert reader is None and "no RAPL energy counters" in note


def test_permission_denied(tmp_path, monkeypatch):
    root = _tree(tmp_path)
    (root / "intel-rapl:0" / "energy_uj").chmod(0o000)
    real = _rapl._read_int

    def deny(path):  # root can read mode-000 files, so deny explicitly as the kernel does
        if path.name == "energy_uj":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(_rapl, "_read_int", deny)
    reader, note = open_rapl(root)
    assert reader is None
    assert note == _rapl.MSG_RAPL_PERMISSION.format(path=root / "intel-rapl:0" / "energy_uj")
    assert "Linux 5.10" in note and "chmod" in note
