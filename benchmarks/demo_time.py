"""Where `rai-audit demo` spends its time: seconds per report and per auditor, with coarse timers.

Runs the demo in this process (`rai-audit -q demo --out OUT`: four tabular reference networks and
three image networks, weights committed, nothing trained) with ``audit._api.run`` and
``audit._api._run_one`` wrapped by wall-clock timers. torch runs on one thread (the box is shared).
The load average is printed before and after.

    PYTHONPATH=$PWD python benchmarks/demo_time.py --out /tmp/demo-out
"""
from __future__ import annotations

import argparse
import collections
import os
import shutil
import time
from typing import Any


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="/tmp/demo-out", help="report folder (emptied first)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    import audit._api as api
    from audit import cli

    per_auditor: dict[tuple[str, str], float] = collections.defaultdict(float)
    per_report: list[tuple[str, float]] = []
    run_one, run = api._run_one, api.run

    def timed_one(auditor: Any, subject: Any, tainted: str | None = None) -> Any:
        start = time.perf_counter()
        try:
            return run_one(auditor, subject, tainted)
        finally:
            key = (getattr(subject, "modality", "table"), getattr(auditor, "name", type(auditor).__name__))
            per_auditor[key] += time.perf_counter() - start

    def timed_run(*a: Any, **k: Any) -> Any:
        start = time.perf_counter()
        try:
            return run(*a, **k)
        finally:
            per_report.append((str(k.get("name")), time.perf_counter() - start))

    api._run_one, api.run = timed_one, timed_run  # type: ignore[assignment]
    shutil.rmtree(args.out, ignore_errors=True)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    start, cpu = time.perf_counter(), time.process_time()
    rc = cli.main(["-q", "demo", "--out", args.out])
    total, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, seconds in per_report:
        print(f"report {name}: {seconds:.1f} s (audit.run)")
    for (modality, name), seconds in sorted(per_auditor.items()):
        print(f"{modality} {name}: {seconds:.1f} s")
    print(f"demo total: {total:.1f} s wall, {cpu:.1f} s CPU (this process), exit {rc}")
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
