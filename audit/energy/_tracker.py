"""``track``: energy and CO2e of a block of code, measured where the machine allows, else estimated.

    >>> from audit.energy import track
    >>> with track(country="DEU") as t:          # doctest: +SKIP
    ...     train()
    >>> t.energy_kwh, t.co2e_kg, t.method       # doctest: +SKIP

    >>> @track(country="FRA", pue=1.2)          # doctest: +SKIP
    ... def serve(batch): ...
    >>> serve(x); serve.tracker.energy_kwh       # doctest: +SKIP  (the last call's figures)

How a figure is obtained (``t.method``):

* ``"measured"``: the CPU packages' RAPL counters were readable. They are read at start and
  end (and, on a long run, every few minutes by a sleeping thread so that a counter cannot
  wrap twice unseen). RAPL counts the whole package, every process on it; DRAM comes from
  RAPL's ``dram`` domains where present, else from the memory model below. GPUs are read
  through NVML when ``pynvml`` works.
* ``"estimated"``: no readable counter. CPU energy = CPU-seconds of *this process* (user +
  system, plus finished child processes; not the machine's load, so other tenants of a
  shared machine are not billed) x rated power per core (TDP / physical cores from a small
  table, else 12 W per core); memory energy = resident memory (GB, the larger of start and
  end) x 0.3725 W/GB x wall-clock seconds. A CPU-second on one hardware thread is charged a
  whole core's share, an upper bound when SMT siblings run together.

Either way the energy is multiplied by the PUE (data-centre overhead; default 1.56, the
Uptime Institute 2024 average, set ``pue=1.0`` for a machine without facility overhead),
and CO2e = kWh x the country's grid intensity (default ``"WORLD"``, 475 g/kWh). The estimate
is always computed too (``t.estimated_kwh``), so the two can be compared. Every constant is
in ``t.constants`` with its source.

Overhead: a few file reads at start and stop; no thread unless RAPL is readable (then one
that wakes every couple of minutes) or a GPU lacks an energy counter (power sampled every
0.5 s).
"""
from __future__ import annotations

import functools
import math
import os
import resource
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from .._exceptions import UsageError
from ._carbon import CARBON_INTENSITY, CARBON_SOURCE, WORLD_AVERAGE, WORLD_SOURCE
from ._hardware import MEMORY_SOURCE, MEMORY_WATTS_PER_GB, CpuPower, cpu_power, detect_cpu_model
from ._nvml import open_nvml
from ._rapl import RaplReader, open_rapl

__all__ = ["Tracker", "track", "carbon_intensity", "check_pue", "constant", "DEFAULT_COUNTRY", "DEFAULT_PUE",
           "PUE_SOURCE", "MSG_UNKNOWN_COUNTRY", "MSG_BAD_PUE", "MSG_BAD_POWER", "MSG_TRACKER_RUNNING",
           "MSG_NOT_STOPPED"]

DEFAULT_COUNTRY = "WORLD"
DEFAULT_PUE = 1.56
PUE_SOURCE = ("1.56: Uptime Institute Global Data Center Survey 2024 average annual PUE (Green Algorithms "
              "defaults_PUE.csv 'Unknown'); use 1.0 for a machine outside a data centre, or your provider's figure")
MSG_UNKNOWN_COUNTRY = ("country {country!r} is not in the bundled carbon-intensity table; expected an ISO 3166-1 "
                       "alpha-3 code such as 'DEU', 'USA', 'FRA' or 'IND', or 'WORLD' for the world average. "
                       "The codes are the keys of audit.energy.CARBON_INTENSITY (e.g. "
                       "sorted(audit.energy.CARBON_INTENSITY)); or pass carbon_intensity=<g CO2e per kWh>.")
MSG_BAD_PUE = "pue must be a number >= 1.0 (1.0 = no facility overhead); got {pue!r}."
MSG_BAD_POWER = "{name} must be a positive, finite number of watts; got {value!r}."
MSG_TRACKER_RUNNING = "this tracker is already running; use one tracker per block (or decorate the function)."
MSG_NOT_STOPPED = "no figures yet: the tracked block has not finished."

_F = TypeVar("_F", bound=Callable[..., Any])
_J_PER_KWH = 3.6e6


def constant(value: Any, unit: str, source: str) -> dict[str, Any]:
    """One row of a result's ``constants``: value, unit and where it came from."""
    return {"value": value, "unit": unit, "source": source}


def carbon_intensity(country: str | None = None, override: float | None = None) -> dict[str, Any]:
    """Grid intensity for ``country`` (ISO alpha-3 or ``WORLD``) as a constant row; bad codes raise UsageError."""
    if override is not None:
        value = _positive(override, "carbon_intensity")
        return constant(value, "g CO2e/kWh", "given by the user (carbon_intensity=...)") | {"country": country}
    code = DEFAULT_COUNTRY if country is None else country
    if not isinstance(code, str):
        raise UsageError(MSG_UNKNOWN_COUNTRY.format(country=code))
    code = code.strip().upper()
    if code == "WORLD":
        return constant(WORLD_AVERAGE, "g CO2e/kWh", WORLD_SOURCE) | {"country": "WORLD"}
    if code not in CARBON_INTENSITY:
        raise UsageError(MSG_UNKNOWN_COUNTRY.format(country=country))
    name, value, year = CARBON_INTENSITY[code]
    return constant(value, "g CO2e/kWh", f"{CARBON_SOURCE}; {name}, {year}") | {"country": code}


_lookup_intensity = carbon_intensity


def check_pue(pue: Any) -> float:
    """The PUE as a float >= 1, or UsageError."""
    if isinstance(pue, bool) or not isinstance(pue, (int, float)) or not math.isfinite(pue) or pue < 1.0:
        raise UsageError(MSG_BAD_PUE.format(pue=pue))
    return float(pue)


def _positive(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise UsageError(MSG_BAD_POWER.format(name=name, value=value))
    return float(value)


def _cpu_seconds() -> float:
    """User + system CPU time of this process and of its finished, waited-for children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _rss_bytes() -> int:
    """Resident memory of this process now (Linux ``/proc/self/statm``), else its peak."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return int(peak if os.uname().sysname == "Darwin" else peak * 1024)


class _RaplWindow:
    """Accumulates RAPL energy from start to stop, reading often enough that no counter wraps twice."""

    def __init__(self, reader: RaplReader) -> None:
        self._reader = reader
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.joules = {"package": 0.0, "dram": 0.0}
        self._last = reader.read()
        interval = reader.interval_to_read()
        self._thread = threading.Thread(target=self._loop, args=(interval,), name="rai-audit-rapl", daemon=True)
        self._thread.start()

    def _accumulate(self) -> None:
        with self._lock:
            now = self._reader.read()
            for kind, j in self._reader.delta_joules(self._last, now).items():
                self.joules[kind] += j
            self._last = now

    def _loop(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self._accumulate()

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        self._accumulate()
        return self.joules


class Tracker:
    """Energy and CO2e of one block; see the module docstring. Create it with :func:`track`."""

    def __init__(self, *, country: str | None = DEFAULT_COUNTRY, pue: float = DEFAULT_PUE,
                 carbon_intensity: float | None = None, cpu_model: str | None = None,
                 watts_per_core: float | None = None, memory_watts_per_gb: float = MEMORY_WATTS_PER_GB,
                 measure: bool = True, powercap_root: str | os.PathLike[str] | None = None,
                 nvml: Any = None, cpuinfo: str | os.PathLike[str] = "/proc/cpuinfo") -> None:
        self.country = country
        self.pue = check_pue(pue)
        self._intensity_row = _lookup_intensity(country, carbon_intensity)
        self.memory_watts_per_gb = _positive(memory_watts_per_gb, "memory_watts_per_gb")
        model = cpu_model if cpu_model is not None else detect_cpu_model(cpuinfo)
        power = cpu_power(model)
        if watts_per_core is not None:
            power = CpuPower(model, _positive(watts_per_core, "watts_per_core"), None, None,
                             "given by the user (watts_per_core=...)", None)
        self.cpu = power
        self.notes: list[str] = []
        if power.matched is None and watts_per_core is None:
            self.notes.append(f"CPU model {model!r} is not in the rated-power table: assumed "
                              f"{power.watts_per_core:g} W per core (pass watts_per_core=... to set it).")
        self._rapl: RaplReader | None = None
        self._nvml = None
        if measure:
            self._rapl, note = open_rapl(powercap_root)
            if note:
                self.notes.append(note)
            self._nvml, gpu_note = open_nvml(nvml) if nvml is not False else (None, None)
            if gpu_note and nvml is not None:
                self.notes.append(gpu_note)
        self._depth = 0
        self._result: dict[str, Any] | None = None

    # -- the window ------------------------------------------------------------------------
    def start(self) -> Tracker:
        if self._depth:
            raise UsageError(MSG_TRACKER_RUNNING)
        self._depth = 1
        self._result = None
        self._rss0 = _rss_bytes()
        self._window = _RaplWindow(self._rapl) if self._rapl is not None else None
        if self._nvml is not None:
            self._nvml.start()
        self._cpu0 = _cpu_seconds()
        self._wall0 = time.perf_counter()
        return self

    def stop(self) -> Tracker:
        wall = time.perf_counter() - self._wall0
        cpu = _cpu_seconds() - self._cpu0
        rapl = self._window.stop() if self._window is not None else None
        gpu_j = self._nvml.stop() if self._nvml is not None else None
        rss = max(self._rss0, _rss_bytes())
        self._depth = 0
        self._result = self._figures(wall, cpu, rss, rapl, gpu_j)
        return self

    def __enter__(self) -> Tracker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __call__(self, func: _F) -> _F:
        """Decorate ``func``: each outermost call is tracked; ``func.tracker`` holds the last call's figures."""
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if self._depth:  # recursion: the outer call is already tracked
                return func(*args, **kwargs)
            with self:
                return func(*args, **kwargs)

        wrapper.tracker = self  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    # -- the figures -----------------------------------------------------------------------
    def _figures(self, wall: float, cpu: float, rss: int, rapl: dict[str, float] | None,
                 gpu_j: float | None) -> dict[str, Any]:
        memory_gb = rss / 1e9
        est_cpu_j = cpu * self.cpu.watts_per_core
        est_mem_j = memory_gb * self.memory_watts_per_gb * wall
        components: dict[str, dict[str, Any]] = {
            "cpu": {"joules": est_cpu_j, "method": "estimated"},
            "memory": {"joules": est_mem_j, "method": "estimated"},
        }
        if rapl is not None:
            components["cpu"] = {"joules": rapl["package"], "method": "measured"}
            if any(d.kind == "dram" for d in self._rapl.domains):  # type: ignore[union-attr]
                components["memory"] = {"joules": rapl["dram"], "method": "measured"}
        if gpu_j is not None:
            components["gpu"] = {"joules": gpu_j, "method": "measured",
                                 "how": ", ".join(self._nvml.methods)}  # type: ignore[union-attr]
        device_j = sum(c["joules"] for c in components.values())
        estimated_kwh = (est_cpu_j + est_mem_j) * self.pue / _J_PER_KWH
        energy_kwh = device_j * self.pue / _J_PER_KWH
        cpu_row = constant(self.cpu.watts_per_core, "W per core", self.cpu.source)
        cpu_row["cpu_model"] = self.cpu.model
        constants = {
            "cpu_watts_per_core": cpu_row,
            "memory_watts_per_gb": constant(self.memory_watts_per_gb, "W/GB", MEMORY_SOURCE),
            "pue": constant(self.pue, "ratio", PUE_SOURCE if self.pue == DEFAULT_PUE else "given by the user"),
            "carbon_intensity": self._intensity_row,
        }
        return {
            "method": "measured" if rapl is not None else "estimated",
            "energy_kwh": energy_kwh,
            "estimated_kwh": estimated_kwh,
            "co2e_kg": energy_kwh * self._intensity_row["value"] / 1000.0,
            "seconds": wall,
            "cpu_seconds": cpu,
            "memory_gb": memory_gb,
            "components": components,
            "constants": constants,
            "notes": list(self.notes),
        }

    def _get(self, key: str) -> Any:
        if self._result is None:
            raise UsageError(MSG_NOT_STOPPED)
        return self._result[key]

    @property
    def energy_kwh(self) -> float:
        """Energy of the block, kWh, PUE included (measured when ``method == 'measured'``)."""
        return float(self._get("energy_kwh"))

    @property
    def estimated_kwh(self) -> float:
        """The estimate (CPU time x W/core + memory), kWh, PUE included, whatever ``method`` is."""
        return float(self._get("estimated_kwh"))

    @property
    def co2e_kg(self) -> float:
        return float(self._get("co2e_kg"))

    @property
    def seconds(self) -> float:
        """Wall-clock seconds of the block."""
        return float(self._get("seconds"))

    @property
    def cpu_seconds(self) -> float:
        return float(self._get("cpu_seconds"))

    @property
    def method(self) -> str:
        """``"measured"`` (RAPL counters) or ``"estimated"``."""
        return str(self._get("method"))

    @property
    def constants(self) -> dict[str, dict[str, Any]]:
        """Every constant used: value, unit and source."""
        return self._get("constants")

    @property
    def components(self) -> dict[str, dict[str, Any]]:
        """Joules per component (cpu, memory, gpu) before PUE, each measured or estimated."""
        return self._get("components")

    def to_dict(self) -> dict[str, Any]:
        """All figures, JSON-ready."""
        if self._result is None:
            raise UsageError(MSG_NOT_STOPPED)
        return dict(self._result)

    def __repr__(self) -> str:
        if self._result is None:
            return f"Tracker(country={self.country!r}, pue={self.pue})"
        return (f"Tracker({self.method}: {self.energy_kwh:.3g} kWh, {self.co2e_kg:.3g} kg CO2e, "
                f"{self.seconds:.3g} s)")


def track(**settings: Any) -> Tracker:
    """A :class:`Tracker` usable as ``with track(...) as t:`` or as ``@track(...)``.

    Settings (keyword-only): ``country`` (ISO alpha-3, default ``"WORLD"``), ``pue`` (default
    1.56), ``carbon_intensity`` (g/kWh, overrides the country's), ``cpu_model`` (default:
    detected), ``watts_per_core`` (overrides the table), ``memory_watts_per_gb`` (default
    0.3725), ``measure`` (read RAPL/NVML when available; default True), ``powercap_root``,
    ``nvml`` (a pynvml-like module, or False to skip GPUs), ``cpuinfo``.
    """
    return Tracker(**settings)
