"""NVIDIA GPUs through NVML (``pynvml``, from the ``nvidia-ml-py`` package): optional, never required.

Each GPU's total-energy counter (``nvmlDeviceGetTotalEnergyConsumption``, millijoules since
the driver loaded; Volta and newer) is read at start and end. A GPU without the counter is
sampled instead: a daemon thread reads its power (milliwatts) every ``sample_seconds`` and
integrates with the trapezoid rule. Sampling misses short bursts (Yang et al., SC24, found
nvidia-smi power covers a fraction of runtime on A100/H100), so the counter is preferred.

NVML energy is the whole device's, whichever process used it.
"""
from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["NvmlMeter", "open_nvml", "MSG_NVML_ABSENT", "MSG_NVML_NO_DEVICE"]

MSG_NVML_ABSENT = "pynvml is not installed or NVML did not start ({error}): no GPU energy is measured."
MSG_NVML_NO_DEVICE = "NVML reports no GPU: no GPU energy is measured."


class _PowerSampler:
    """Integrates one device's power readings in a sleeping daemon thread."""

    def __init__(self, read_watts: Callable[[], float], every: float) -> None:
        self._read = read_watts
        self._every = every
        self._stop = threading.Event()
        self.joules = 0.0
        self._last = (time.perf_counter(), read_watts())
        self._thread = threading.Thread(target=self._loop, name="rai-audit-nvml-sampler", daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        now, watts = time.perf_counter(), self._read()
        then, before = self._last
        self.joules += (watts + before) / 2 * (now - then)
        self._last = (now, watts)

    def _loop(self) -> None:
        while not self._stop.wait(self._every):
            self._sample()

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        self._sample()
        return self.joules


class NvmlMeter:
    """GPU energy over one window: counters where the GPU has them, sampled power elsewhere."""

    def __init__(self, nvml: Any, handles: list[Any], sample_seconds: float) -> None:
        self._nvml = nvml
        self._handles = handles
        self._every = sample_seconds
        self.methods: list[str] = []
        self._start: list[int | None] = []
        self._samplers: list[_PowerSampler | None] = []

    def _watts(self, handle: Any) -> float:
        """One GPU's power draw now, in watts (NVML reports milliwatts)."""
        return float(self._nvml.nvmlDeviceGetPowerUsage(handle)) / 1000.0

    def start(self) -> None:
        self.methods, self._start, self._samplers = [], [], []
        for h in self._handles:
            try:
                self._start.append(int(self._nvml.nvmlDeviceGetTotalEnergyConsumption(h)))
                self._samplers.append(None)
                self.methods.append("energy counter")
            except Exception:  # NVMLError_NotSupported on pre-Volta GPUs
                self._start.append(None)
                self._samplers.append(_PowerSampler(functools.partial(self._watts, h), self._every))
                self.methods.append("sampled power")

    def stop(self) -> float:
        """Joules used by all GPUs since :meth:`start`."""
        total = 0.0
        for h, first, sampler in zip(self._handles, self._start, self._samplers, strict=True):
            if sampler is not None:
                total += sampler.stop()
            else:
                total += (int(self._nvml.nvmlDeviceGetTotalEnergyConsumption(h)) - int(first or 0)) / 1000.0
        return total


def open_nvml(nvml: Any = None, sample_seconds: float = 0.5) -> tuple[NvmlMeter | None, str | None]:
    """A meter over every GPU NVML sees, or None and a note. ``nvml`` defaults to ``import pynvml``."""
    try:
        if nvml is None:
            import pynvml as nvml  # type: ignore[import-not-found,no-redef]
        nvml.nvmlInit()
        count = int(nvml.nvmlDeviceGetCount())
    except Exception as exc:  # ImportError, NVMLError_LibraryNotFound, driver errors
        return None, MSG_NVML_ABSENT.format(error=type(exc).__name__)
    if count == 0:
        return None, MSG_NVML_NO_DEVICE
    handles = [nvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)]
    return NvmlMeter(nvml, handles, sample_seconds), None
