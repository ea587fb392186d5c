"""Rated CPU power per core, and the memory power model: the constants of the estimate.

The CPU table is a small selection of common server, workstation and laptop CPUs with
their rated TDP (thermal design power, watts) and physical core count. Rows come from
the Green Algorithms project's ``TDP_cpu.csv`` (Lannelongue, Grealey & Inouye, *Adv. Sci.*
2021, doi:10.1002/advs.202100707; github.com/GreenAlgorithms/green-algorithms-tool,
``data/latest/TDP_cpu.csv``), which cites Intel ARK, AMD datasheets and TechPowerUp per
row, plus a few current server parts from their makers' specification pages. TDP is a
cooling rating, not a measurement: a busy core can draw more or less.

A model not in the table falls back to :data:`FALLBACK_WATTS_PER_CORE`, Green Algorithms'
"Any" value (12 W per core). Matching is exact after normalisation (trademarks, "CPU",
"Processor", the clock suffix and case removed), never fuzzy: a wrong match is worse than a
stated fallback.
"""
from __future__ import annotations

import dataclasses
import os
import platform
import re
from pathlib import Path

__all__ = ["CPU_TABLE", "CPU_TABLE_SOURCE", "FALLBACK_WATTS_PER_CORE", "FALLBACK_SOURCE",
           "MEMORY_WATTS_PER_GB", "MEMORY_SOURCE", "CpuPower", "cpu_power", "detect_cpu_model",
           "normalise_cpu_name"]

CPU_TABLE_SOURCE = ("Green Algorithms TDP_cpu.csv (Lannelongue et al., Adv. Sci. 2021, doi:10.1002/advs.202100707), "
                    "which cites Intel ARK / AMD datasheets / TechPowerUp per row; recent server parts from "
                    "Intel ARK and AMD product pages")
FALLBACK_WATTS_PER_CORE = 12.0
FALLBACK_SOURCE = ("fallback for a CPU model not in the table: 12 W per core, Green Algorithms' 'Any' value "
                   "(TDP_cpu.csv)")
#: Memory power per GB of resident memory, for as long as it is held.
MEMORY_WATTS_PER_GB = 0.3725
MEMORY_SOURCE = ("0.3725 W per GB, Green Algorithms (fixed_parameters.yaml, after Karyakin & Salem 2017). "
                 "Contested: a 16 GB DIMM measured 1.28 W (0.08 W/GB, Green Algorithms calculator PR #38); "
                 "this default is the higher, conservative one")

_INTEL_ARK = "Intel ARK (ark.intel.com)"
_AMD = "AMD product page (amd.com)"
_TPU = "TechPowerUp CPU database, via Green Algorithms"
_ARK_GA = "Intel ARK, via Green Algorithms"

#: name -> (TDP watts, physical cores, source)
CPU_TABLE: dict[str, tuple[float, int, str]] = {
    # servers
    "Xeon E5-2660 v3": (105, 10, _ARK_GA),
    "Xeon E5-2670 v2": (115, 10, _ARK_GA),
    "Xeon E5-2680 v3": (120, 12, _ARK_GA),
    "Xeon E5-2683 v4": (120, 16, _ARK_GA),
    "Xeon E5-2690 v3": (135, 12, _ARK_GA),
    "Xeon E5-2695 v4": (120, 18, _ARK_GA),
    "Xeon E5-2697 v4": (145, 18, _ARK_GA),
    "Xeon E5-2699 v4": (145, 22, _ARK_GA),
    "Xeon Gold 6142": (150, 16, _ARK_GA),
    "Xeon Gold 6148": (150, 20, _ARK_GA),
    "Xeon Gold 6248": (150, 20, _ARK_GA),
    "Xeon Gold 6252": (150, 24, _ARK_GA),
    "Xeon Platinum 8280": (205, 28, _INTEL_ARK),
    "Xeon Platinum 8380": (270, 40, _INTEL_ARK),
    "Xeon Platinum 9282": (400, 56, _TPU),
    "EPYC 7251": (120, 8, "AMD product page, via Green Algorithms"),
    "EPYC 7552": (200, 48, "AMD EPYC 7002 datasheet, via Green Algorithms"),
    "EPYC 7742": (225, 64, _AMD),
    "EPYC 7763": (280, 64, _AMD),
    "EPYC 9654": (360, 96, _AMD),
    # workstations and desktops
    "Core i5-10400": (65, 6, _TPU),
    "Core i7-8700K": (95, 6, _TPU),
    "Core i7-10700": (65, 8, _TPU),
    "Core i9-9900K": (95, 8, _TPU),
    "Core i9-10900K": (125, 10, _TPU),
    "Core i9-12900K": (125, 16, _ARK_GA),
    "Ryzen 5 3600": (65, 6, _TPU),
    "Ryzen 7 3700X": (65, 8, _TPU),
    "Ryzen 9 3900X": (125, 12, _TPU),
    "Ryzen 9 3950X": (105, 16, _TPU),
    "Ryzen Threadripper 3990X": (280, 64, _TPU),
    # laptops
    "Core i5-8250U": (15, 4, _INTEL_ARK),
    "Core i7-8650U": (15, 4, _INTEL_ARK),
    "Core i7-10750H": (45, 6, _INTEL_ARK),
    "Ryzen 3 3200U": (15, 2, _TPU),
    "Ryzen 5 3500U": (15, 4, _TPU),
}

_NOISE = re.compile(r"\((?:r|tm)\)|\b(?:intel|amd|cpu|processor|with radeon.*|\d+-core)\b|@.*$", re.I)


def normalise_cpu_name(name: str) -> str:
    """Lower-case model name without trademarks, vendor, 'CPU', 'Processor' or clock suffix."""
    return " ".join(_NOISE.sub(" ", name).lower().split())


_INDEX = {normalise_cpu_name(k): k for k in CPU_TABLE}


@dataclasses.dataclass(frozen=True)
class CpuPower:
    """Per-core power assumed for a CPU model, and where it came from."""

    model: str
    watts_per_core: float
    tdp_watts: float | None
    cores: int | None
    source: str
    matched: str | None

    @property
    def known(self) -> bool:
        return self.matched is not None


def cpu_power(model: str | None) -> CpuPower:
    """Per-core rated power of ``model`` from :data:`CPU_TABLE`, or the stated fallback."""
    key = _INDEX.get(normalise_cpu_name(model or ""))
    if key is None:
        return CpuPower(model or "unknown", FALLBACK_WATTS_PER_CORE, None, None, FALLBACK_SOURCE, None)
    tdp, cores, source = CPU_TABLE[key]
    return CpuPower(model or key, tdp / cores, float(tdp), cores, f"{CPU_TABLE_SOURCE}; row {key!r}: {source}", key)


def detect_cpu_model(cpuinfo: str | os.PathLike[str] = "/proc/cpuinfo") -> str:
    """The CPU's model name from ``/proc/cpuinfo`` (Linux), else ``platform.processor()``."""
    try:
        for line in Path(cpuinfo).read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and value.strip():
                return value.strip()
    except OSError:
        pass
    return platform.processor() or "unknown"
