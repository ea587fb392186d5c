"""The deterministic cost model: FLOPs, parameters, and energy per prediction derived from them.

Report figures must be byte-identical for identical inputs, and wall-clock measurements are
not. So the auditor's metric rows come from quantities that do not vary between runs:

    seconds per prediction = FLOPs per prediction / EFFECTIVE_FLOPS_PER_CORE_SECOND   (one core)
    joules per prediction  = seconds x W per core  +  model GB x W/GB x seconds
    kWh                    = joules x PUE / 3.6e6

FLOPs come from ``torch.utils.flop_counter.FlopCounterMode`` (2 FLOPs per multiply-add;
it counts matrix products and convolutions, not element-wise ops, norms or embeddings).
Training is estimated at 3 x the forward FLOPs per example per epoch (one forward pass,
two for the backward), the usual rule of thumb (Kaplan et al. 2020, "6N per token").
"""
from __future__ import annotations

import copy
import warnings
from typing import Any

__all__ = ["EFFECTIVE_FLOPS_PER_CORE_SECOND", "THROUGHPUT_SOURCE", "TRAINING_FLOPS_FACTOR",
           "TRAINING_SOURCE", "INT8_COST_RATIO", "INT8_SOURCE", "count_flops", "parameter_count",
           "parameter_bytes", "energy_joules"]

#: Sustained fp32 throughput of one CPU core on batched small-MLP inference (FLOP/s).
EFFECTIVE_FLOPS_PER_CORE_SECOND = 5e10
THROUGHPUT_SOURCE = ("50 GFLOP/s per core: rai-audit's measurement of the reference MLPs' batched inference on one "
                     "thread (torch 2.13, AVX-512 server core: 20 to 74 GFLOP/s by network and batch size; "
                     "benchmarks/README.md), rounded; real throughput varies several-fold with hardware, batch "
                     "size and layer shapes, so treat this as an order of magnitude")
TRAINING_FLOPS_FACTOR = 3.0
TRAINING_SOURCE = ("training FLOPs = 3 x forward FLOPs per example x examples x epochs (forward + backward "
                   "at twice the forward; Kaplan et al. 2020)")
#: Relative cost of an int8 dynamic-quantised Linear against fp32 (theoretical).
INT8_COST_RATIO = 0.25
INT8_SOURCE = ("0.25: an int8 SIMD register holds 4 x as many values as fp32 (e.g. AVX-512 VNNI), the "
               "theoretical best case; activations are quantised on the fly, so real savings are smaller "
               "(about 1.4 x on a small MLP here). Opt in to measure=True for the measured figure")


def count_flops(module: Any, inputs: Any) -> int:
    """Total FLOPs of one forward pass of ``module`` on ``inputs`` (no grad, a copy, eval mode)."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    probe = copy.deepcopy(module).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with FlopCounterMode(display=False) as counter, torch.no_grad():
            probe(inputs)
    return int(counter.get_total_flops())


def parameter_count(module: Any) -> int:
    return int(sum(p.numel() for p in module.parameters()))


def parameter_bytes(module: Any) -> int:
    return int(sum(p.numel() * p.element_size() for p in module.parameters()))


def energy_joules(flops: float, watts_per_core: float, memory_gb: float,
                  memory_watts_per_gb: float) -> tuple[float, float]:
    """(seconds, joules before PUE) of ``flops`` on one core, holding ``memory_gb``."""
    seconds = flops / EFFECTIVE_FLOPS_PER_CORE_SECOND
    return seconds, seconds * watts_per_core + memory_gb * memory_watts_per_gb * seconds
