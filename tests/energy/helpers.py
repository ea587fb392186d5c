"""Fake sysfs powercap trees and a fake pynvml for the energy tests."""
from __future__ import annotations

from pathlib import Path


def fake_rapl(root: Path, zones: dict[str, tuple[str, int, int]]) -> Path:
    """Write ``root/intel-rapl:*`` zones: name -> (zone name, energy_uj, max_energy_range_uj)."""
    for folder, (name, energy, max_range) in zones.items():
        zone = root / folder
        zone.mkdir(parents=True, exist_ok=True)
        (zone / "name").write_text(name + "\n")
        (zone / "energy_uj").write_text(f"{energy}\n")
        (zone / "max_energy_range_uj").write_text(f"{max_range}\n")
    return root


def set_energy(root: Path, folder: str, energy: int) -> None:
    (root / folder / "energy_uj").write_text(f"{energy}\n")


class FakeNvml:
    """A pynvml stand-in: one GPU whose energy counter (mJ) the test moves by hand."""

    def __init__(self, counter: bool = True, watts: float = 100.0) -> None:
        self.energy_mj = 1_000_000
        self.counter = counter
        self.watts = watts

    def nvmlInit(self) -> None:
        pass

    def nvmlDeviceGetCount(self) -> int:
        return 1

    def nvmlDeviceGetHandleByIndex(self, i: int) -> str:
        return f"gpu{i}"

    def nvmlDeviceGetTotalEnergyConsumption(self, handle: str) -> int:
        if not self.counter:
            raise RuntimeError("NVMLError_NotSupported")
        return self.energy_mj

    def nvmlDeviceGetPowerUsage(self, handle: str) -> int:
        return int(self.watts * 1000)
