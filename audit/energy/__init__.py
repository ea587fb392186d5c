"""Energy and CO2e: a tracker for any code, and an auditor for a model's training and serving.

``track`` works on its own (no subject, no report)::

    from audit.energy import track
    with track(country="DEU", pue=1.2) as t:
        train()
    t.energy_kwh, t.co2e_kg, t.method, t.constants

The :class:`EnergyAuditor` (registry name ``energy``) reports a model's inference energy
per 1,000 predictions, FLOPs, parameters, training energy, a yearly projection from a
stated workload, and what quantised and pruned variants cost in accuracy and fairness.
"""
from __future__ import annotations

from ._auditor import EnergyAuditor
from ._carbon import CARBON_INTENSITY, CARBON_SOURCE, WORLD_AVERAGE
from ._hardware import CPU_TABLE, FALLBACK_WATTS_PER_CORE, MEMORY_WATTS_PER_GB, cpu_power, detect_cpu_model
from ._rapl import RaplReader, counter_delta, open_rapl
from ._tracker import DEFAULT_COUNTRY, DEFAULT_PUE, Tracker, carbon_intensity, track

__all__ = ["CARBON_INTENSITY", "CARBON_SOURCE", "CPU_TABLE", "DEFAULT_COUNTRY", "DEFAULT_PUE", "EnergyAuditor",
           "FALLBACK_WATTS_PER_CORE", "MEMORY_WATTS_PER_GB", "RaplReader", "Tracker", "WORLD_AVERAGE",
           "carbon_intensity", "counter_delta", "cpu_power", "detect_cpu_model", "open_rapl", "track"]
