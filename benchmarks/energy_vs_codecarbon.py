"""The same CPU workload tracked by audit.energy.track and by CodeCarbon's OfflineEmissionsTracker.

Workload: training a reference network (default adult-mlp, deterministic, one torch thread):
the training loop ``audit.models.train`` runs (``fit_network``), without data loading and
file writing, so the figure is the computation's. Configurations, interleaved ``--repeats`` times:
untracked, tracked by ours, tracked by CodeCarbon (``tracking_mode="process"``, same
country, PUE 1 for both, ``save_to_file=False``). Reports both energy figures with the
constants each used, and each tracker's overhead: the wall time its start and stop calls
take, as a share of the workload, and the median tracked/untracked wall ratio.

Needs codecarbon (``pip install codecarbon``, in a separate venv: see benchmarks/README.md).

    PYTHONPATH=$PWD python benchmarks/energy_vs_codecarbon.py [--network adult-mlp] [--country DEU] [--repeats 3]
"""
from __future__ import annotations

import argparse
import logging
import statistics
import time
import warnings

import torch


def workload(network: str):
    """The training loop of ``network`` on its encoded training split, as audit.models.train runs it."""
    from audit.models._recipes import recipe_for
    from audit.models._train import fit_network, training_tensors

    recipe = recipe_for(network)
    _, _, x, y = training_tensors(recipe)
    return lambda: fit_network(recipe, x, y)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", default="adult-mlp")
    parser.add_argument("--country", default="DEU")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    logging.getLogger("codecarbon").setLevel(logging.ERROR)
    warnings.simplefilter("ignore")

    import codecarbon
    from codecarbon import OfflineEmissionsTracker

    from audit.energy import track

    run = workload(args.network)
    run()  # warm-up: imports, allocator
    base, ours, theirs = [], [], []
    ours_overhead, cc_overhead = [], []
    ours_t = cc = None
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        run()
        base.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        ours_t = track(country=args.country, pue=1.0)
        ours_t.start()
        t1 = time.perf_counter()
        run()
        t2 = time.perf_counter()
        ours_t.stop()
        t3 = time.perf_counter()
        ours.append(t3 - t0)
        ours_overhead.append((t1 - t0) + (t3 - t2))

        t0 = time.perf_counter()
        cc = OfflineEmissionsTracker(country_iso_code=args.country, tracking_mode="process", pue=1.0,
                                     save_to_file=False, log_level="error")
        cc.start()
        t1 = time.perf_counter()
        run()
        t2 = time.perf_counter()
        cc.stop()
        t3 = time.perf_counter()
        theirs.append(t3 - t0)
        cc_overhead.append((t1 - t0) + (t3 - t2))

    work = statistics.median(base)
    data = cc.final_emissions_data
    ours_d = ours_t.to_dict()
    print(f"workload: fit_network({args.network}), median untracked {work:.3f} s over {args.repeats} runs; "
          f"codecarbon {codecarbon.__version__}, torch {torch.__version__}")
    print("\n| tracker | energy (last run) | CO2e | method | constants |")
    print("|---|---|---|---|---|")
    c = ours_d["constants"]
    print(
        f"| audit.energy.track | {ours_d['energy_kwh'] * 1000:.4g} Wh "
        f"(CPU {ours_d['components']['cpu']['joules']:.3g} J, "
        f"RAM {ours_d['components']['memory']['joules']:.3g} J) | {ours_d['co2e_kg'] * 1000:.4g} g | "
        f"{ours_d['method']} | {ours_d['cpu_seconds']:.2f} CPU-s x {c['cpu_watts_per_core']['value']:g} W/core "
        f"({c['cpu_watts_per_core']['cpu_model']}); {ours_d['memory_gb']:.2f} GB RSS x "
        f"{c['memory_watts_per_gb']['value']} W/GB x {ours_d['seconds']:.2f} s; PUE 1; "
        f"{c['carbon_intensity']['value']} g/kWh |"
    )
    print(
        f"| CodeCarbon OfflineEmissionsTracker (process) | {data.energy_consumed * 1000:.4g} Wh "
        f"(CPU {data.cpu_energy * 3.6e6:.3g} J, RAM {data.ram_energy * 3.6e6:.3g} J) | {data.emissions * 1000:.4g} g | "
        f"estimated | CPU power {data.cpu_power:.3g} W ({data.cpu_model}, {data.cpu_count} CPUs), "
        f"RAM power {data.ram_power:.3g} W over {data.duration:.2f} s; PUE {data.pue}; "
        f"{data.emissions / data.energy_consumed * 1000 if data.energy_consumed else float('nan'):.1f} g/kWh |"
    )
    print("\n| tracker | start+stop s (median) | share of workload | tracked/untracked wall (median) |")
    print("|---|---|---|---|")
    for name, over, walls in (("audit.energy.track", ours_overhead, ours), ("CodeCarbon", cc_overhead, theirs)):
        o = statistics.median(over)
        print(f"| {name} | {o:.4f} | {o / work:.2%} | {statistics.median(walls) / work:.3f} |")


if __name__ == "__main__":
    main()
