"""EnergyAuditor: what a model costs to train and to serve, and what a cheaper variant costs in fairness.

Determinism. report.json must be byte-identical for identical inputs, but measured times
and energies change from run to run. So by default every metric row comes from the
deterministic cost model (:mod:`audit.energy._cost`): FLOPs per prediction from
``FlopCounterMode`` and the parameter count (both fixed for a given model and input),
turned into seconds and joules by stated constants (effective FLOP/s per core, rated W per
core, W per GB, PUE, grid intensity). These rows are labelled ``estimated`` in the details,
and every constant is listed with its source. Training energy is read from the reference
network's model card (recorded when it was trained; the card is an input, so the report
stays reproducible for a given card), else estimated from FLOPs and the recipe's epochs,
else taken from the ``training_energy_kwh`` option.

``measure=True`` opts in to wall-clock measurement: each variant's inference is looped on
seeded rows of the audited data for at least ``measure_seconds`` inside
:func:`audit.energy.track`, and ``measured_*`` rows are added (with ``details["measured"]``).
Those figures differ between runs and machines, so a report made with ``measure=True`` is
NOT byte-reproducible; keep it out of determinism checks and baselines.

Compression. For a torch model, int8 dynamic-quantised and magnitude-pruned copies are built
(the subject's model is never changed), their predictions on the audited rows scored for
accuracy and the fairness engine's group gaps (by-group accuracy, demographic parity and
equalized odds differences; the accuracy difference for multiclass, as the image networks;
MAE difference for regression), next to the original's. Each gap's change from the original
comes with a paired bootstrap interval (both models resampled on the same rows:
:mod:`audit.energy._gap_change`). A variant that saves energy and whose gap growth is
established above ``gap_tolerance`` (the interval's lower bound exceeds it) is flagged:
Hooker et al. (2020, arXiv:2010.03058) found compression hurts under-represented groups first.
The variants predict in one pass over the table, in batches of the subject's ``batch_rows``
rows cut at the same rows for pandas and every engine (a lazy table is streamed and only the
predictions are kept). Dynamic int8 quantisation scales activations per batch, so the int8
variant's predictions depend on that batch size, never on the engine.

Projection: serving = predictions per day x 365 x energy per prediction; training = retrains
per year x training energy. Not "the rate times the seconds of a year".
"""
from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .._base import BaseAuditor, Interval, Requirement
from .._exceptions import UsageError
from .._results import AuditResult, Finding, Severity
from ._compress import Variant, build_variants
from ._cost import (
    EFFECTIVE_FLOPS_PER_CORE_SECOND,
    INT8_COST_RATIO,
    INT8_SOURCE,
    THROUGHPUT_SOURCE,
    TRAINING_FLOPS_FACTOR,
    TRAINING_SOURCE,
    count_flops,
    energy_joules,
    parameter_bytes,
    parameter_count,
)
from ._gap_change import GapChange, gap_changes
from ._hardware import MEMORY_SOURCE, MEMORY_WATTS_PER_GB, cpu_power, detect_cpu_model
from ._tracker import DEFAULT_COUNTRY, DEFAULT_PUE, PUE_SOURCE, carbon_intensity, check_pue, constant, track

__all__ = ["EnergyAuditor", "MSG_BAD_WORKLOAD", "MSG_BAD_PRUNE"]

MSG_BAD_WORKLOAD = "{name} must be a finite number >= 0; got {value!r}."
MSG_BAD_PRUNE = "prune_amounts must be fractions strictly between 0 and 1, e.g. (0.5, 0.8); got {value!r}."
_J_PER_KWH = 3.6e6
#: The group gaps a compressed variant is compared on. Multiclass (the image networks) has no one
#: demographic parity or equalized odds gap, only per-class ones, so its gap is the accuracy gap.
_GAPS = {"regression": ("mean_absolute_error_difference",), "multiclass": ("accuracy_score_difference",),
         "default": ("demographic_parity_difference", "equalized_odds_difference")}


def _r(x: float | None, digits: int = 6) -> float | None:
    """Figures for people: 6 significant digits (also keeps float noise out of report.json)."""
    return None if x is None or not math.isfinite(x) else float(f"{float(x):.{digits}g}")


def _non_negative(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise UsageError(MSG_BAD_WORKLOAD.format(name=name, value=value))
    return float(value)


class EnergyAuditor(BaseAuditor):
    """Energy, CO2e, FLOPs and parameters of a model; compression against fairness.

    Parameters
    ----------
    country : ISO 3166-1 alpha-3 code of the grid (default ``"WORLD"``, 475 g/kWh).
    pue : data-centre overhead factor (default 1.56, Uptime Institute 2024 average).
    carbon_intensity : g CO2e/kWh, overrides the country's.
    cpu_model, watts_per_core : CPU used for the per-core power (default: this machine's,
        looked up in the rated-power table; ``watts_per_core`` overrides the table).
    memory_watts_per_gb : memory power model (default 0.3725 W/GB).
    predictions_per_day, retrains_per_year : the workload of the yearly projection
        (defaults 100,000 and 12).
    training_energy_kwh : training energy before PUE when no model card records it.
    training_epochs : epochs for a FLOP-based training estimate from ``train_data``.
    batch_size : rows drawn (seeded) from the audited data for FLOP counting and timing.
    compression, prune_amounts : build int8 and pruned variants (default 50% and 80%).
    gap_tolerance : a variant is flagged when its gap growth is above this with confidence (the lower bound
        of the growth's paired interval; the point growth when there is no interval).
    min_saving : a variant must save at least this share of inference energy to count as cheaper.
    min_group_size : groups smaller than this are left out of the gaps (as the fairness auditor).
    n_boot, ci : replicates and level of the paired bootstrap interval of each gap's change
        (0: no interval, the point change is compared with ``gap_tolerance``).
    measure, measure_seconds : opt in to wall-clock measurement (not byte-reproducible).
    random_state : seed of the row sample; None takes the subject's.
    """

    name = "energy"
    version = "1.0"
    requires = frozenset({Requirement.MODEL})
    #: FLOPs, timing and the compressed variants' group metrics need the model's inputs only.
    modalities = frozenset({"table", "image"})

    constraints = {
        "country": [str], "pue": [Interval(float, 1, None)], "carbon_intensity": [Interval(float, 0, None), None],
        "cpu_model": [str, None], "watts_per_core": [Interval(float, 0, None, "neither"), None],
        "memory_watts_per_gb": [Interval(float, 0, None)], "predictions_per_day": [Interval(float, 0, None)],
        "retrains_per_year": [Interval(float, 0, None)], "training_energy_kwh": [Interval(float, 0, None), None],
        "training_epochs": [Interval(int, 1, None), None], "batch_size": [Interval(int, 1, None)],
        "compression": [bool], "prune_amounts": [Sequence], "gap_tolerance": [Interval(float, 0, 1)],
        "min_saving": [Interval(float, 0, 1)], "min_group_size": [Interval(int, 0, None)], "measure": [bool],
        "n_boot": [Interval(int, 0, None)], "ci": [Interval(float, 0, 1, "neither")],
        "measure_seconds": [Interval(float, 0, None, "neither")], "random_state": [Interval(int, 0, None), None],
    }

    def __init__(self, *, country: str = DEFAULT_COUNTRY, pue: float = DEFAULT_PUE,
                 carbon_intensity: float | None = None, cpu_model: str | None = None,
                 watts_per_core: float | None = None, memory_watts_per_gb: float = MEMORY_WATTS_PER_GB,
                 predictions_per_day: float = 100_000, retrains_per_year: float = 12,
                 training_energy_kwh: float | None = None, training_epochs: int | None = None,
                 batch_size: int = 256, compression: bool = True,
                 prune_amounts: Sequence[float] = (0.5, 0.8), gap_tolerance: float = 0.01,
                 min_saving: float = 0.05, min_group_size: int = 30, n_boot: int = 200, ci: float = 0.95,
                 measure: bool = False, measure_seconds: float = 1.0, random_state: int | None = None) -> None:
        self.country = country
        self.pue = pue
        self.carbon_intensity = carbon_intensity
        self.cpu_model = cpu_model
        self.watts_per_core = watts_per_core
        self.memory_watts_per_gb = memory_watts_per_gb
        self.predictions_per_day = predictions_per_day
        self.retrains_per_year = retrains_per_year
        self.training_energy_kwh = training_energy_kwh
        self.training_epochs = training_epochs
        self.batch_size = batch_size
        self.compression = compression
        self.prune_amounts = prune_amounts
        self.gap_tolerance = gap_tolerance
        self.min_saving = min_saving
        self.min_group_size = min_group_size
        self.n_boot = n_boot
        self.ci = ci
        self.measure = measure
        self.measure_seconds = measure_seconds
        self.random_state = random_state

    # -- configuration, validated at the boundary ------------------------------------------
    def _constants(self) -> dict[str, dict[str, Any]]:
        model = self.cpu_model if self.cpu_model is not None else detect_cpu_model()
        power = cpu_power(model)
        if self.watts_per_core is not None:
            watts = _non_negative(self.watts_per_core, "watts_per_core")
            cpu_row = constant(watts, "W per core", "given by the user (watts_per_core=...)")
        else:
            cpu_row = constant(_r(power.watts_per_core), "W per core", power.source)
        cpu_row["cpu_model"] = model
        cpu_row["in_table"] = power.known or self.watts_per_core is not None
        pue = check_pue(self.pue)
        return {
            "effective_flops_per_core_second": constant(EFFECTIVE_FLOPS_PER_CORE_SECOND, "FLOP/s",
                                                        THROUGHPUT_SOURCE),
            "cpu_watts_per_core": cpu_row,
            "memory_watts_per_gb": constant(_non_negative(self.memory_watts_per_gb, "memory_watts_per_gb"),
                                            "W/GB", MEMORY_SOURCE),
            "pue": constant(pue, "ratio", PUE_SOURCE if pue == DEFAULT_PUE else "given by the user"),
            "carbon_intensity": carbon_intensity(self.country, self.carbon_intensity),
            "training_flops_factor": constant(TRAINING_FLOPS_FACTOR, "x forward FLOPs", TRAINING_SOURCE),
            "int8_cost_ratio": constant(INT8_COST_RATIO, "x fp32 cost", INT8_SOURCE),
        }

    def _amounts(self) -> tuple[float, ...]:
        amounts = tuple(self.prune_amounts or ())
        if any(isinstance(a, bool) or not isinstance(a, (int, float)) or not 0 < a < 1 for a in amounts):
            raise UsageError(MSG_BAD_PRUNE.format(value=self.prune_amounts))
        return tuple(float(a) for a in amounts)

    # -- the audit ---------------------------------------------------------------------------
    def run(self, subject: Any) -> AuditResult:
        consts = self._constants()
        amounts = self._amounts()
        per_day = _non_negative(self.predictions_per_day, "predictions_per_day")
        per_year = _non_negative(self.retrains_per_year, "retrains_per_year")
        rng = np.random.default_rng(self._seed(subject))
        n = subject.n_rows
        positions = np.sort(rng.choice(n, size=min(int(self.batch_size), n), replace=False))
        image = getattr(subject, "modality", "table") == "image"
        sample = subject.image_rows(positions) if image else subject.rows(positions, list(subject.features))
        adapter = subject.model
        module = adapter.torch_module()
        wpc = float(consts["cpu_watts_per_core"]["value"])
        mem_w = float(consts["memory_watts_per_gb"]["value"])
        pue = float(consts["pue"]["value"])
        g_per_kwh = float(consts["carbon_intensity"]["value"])
        rows: list[dict[str, Any]] = []
        findings: list[Finding] = []
        notes: list[str] = []
        details: dict[str, Any] = {"method": "estimated", "constants": consts, "notes": notes,
                                   "workload": {"predictions_per_day": per_day, "retrains_per_year": per_year}}
        if not consts["cpu_watts_per_core"]["in_table"]:
            notes.append(f"CPU model {consts['cpu_watts_per_core']['cpu_model']!r} is not in the rated-power "
                         f"table: {wpc:g} W per core assumed (set cpu_model= or watts_per_core=).")

        def add(metric: str, value: Any, **extra: Any) -> None:
            rows.append({"metric": metric, "group": extra.get("group"), "value": value,
                         "ci_low": extra.get("ci_low"), "ci_high": extra.get("ci_high"),
                         "n": extra.get("n"), "over": extra.get("over")})

        encode, decode = _io(subject)
        kwh_1000 = flops_pred = None
        measured: dict[str, Any] = {}
        if module is not None:
            x = encode(sample)
            flops_pred = count_flops(module, x) / len(x)
            params = parameter_count(module)
            seconds, joules = energy_joules(flops_pred * 1000, wpc, parameter_bytes(module) / 1e9, mem_w)
            kwh_1000 = joules * pue / _J_PER_KWH
            add("parameter_count", params)
            add("flops_per_prediction", _r(flops_pred))
            add("inference_seconds_per_1000", _r(seconds))
            add("inference_energy_kwh_per_1000", _r(kwh_1000))
            add("inference_co2e_kg_per_1000", _r(kwh_1000 * g_per_kwh / 1000))
            if flops_pred == 0:
                notes.append("FlopCounterMode counted no FLOPs (it counts matrix products and convolutions "
                             "only): the inference estimate is zero; use measure=True.")
        else:  # no FLOPs to count: time predict() on the sample and estimate energy from that time
            features = list(subject.features)
            timed = self._measure((lambda: subject.forward(sample)) if image else
                                  (lambda: adapter.predict(sample, features, subject.task)), len(sample), consts)
            kwh_1000 = timed["energy_kwh_per_1000"]
            details["method"] = "timed"
            measured["original"] = timed
            add("inference_seconds_per_1000", _r(timed["seconds_per_1000"]))
            add("inference_energy_kwh_per_1000", _r(kwh_1000))
            add("inference_co2e_kg_per_1000", _r(kwh_1000 * g_per_kwh / 1000))
            notes.append(f"a {adapter.kind} model has no FLOPs to count: its predict() was timed on "
                         f"{len(sample)} rows for {self.measure_seconds:g} s and the energy estimated from that "
                         "time with the constants below; parameters and compression variants need a torch "
                         "module.")

        training = self._training(adapter, subject, flops_pred, notes)
        if training is not None:
            details["training"] = training
            add("training_energy_kwh", _r(training["energy_kwh"] * pue))
            add("training_co2e_kg", _r(training["energy_kwh"] * pue * g_per_kwh / 1000))

        if self.measure and module is not None:
            measured["original"] = self._measure(lambda: decode(adapter_forward(module, x)) if module is not None
                                                 else adapter.predict(sample, subject.features, subject.task),
                                                 len(sample), consts)
            if kwh_1000 is None:
                kwh_1000 = measured["original"]["energy_kwh_per_1000"]
            add("measured_inference_energy_kwh_per_1000", measured["original"]["energy_kwh_per_1000"])
            add("measured_inference_seconds_per_1000", measured["original"]["seconds_per_1000"])

        serve = None if kwh_1000 is None else per_day * 365 / 1000 * kwh_1000
        train_year = None if training is None else per_year * training["energy_kwh"] * pue
        if serve is not None or train_year is not None:
            total = (serve or 0.0) + (train_year or 0.0)
            details["projection"] = {"serving_kwh_per_year": _r(serve), "training_kwh_per_year": _r(train_year),
                                     "total_kwh_per_year": _r(total),
                                     "co2e_kg_per_year": _r(total * g_per_kwh / 1000)}
            if serve is not None:
                add("annual_serving_energy_kwh", _r(serve))
            if train_year is not None:
                add("annual_training_energy_kwh", _r(train_year))
            add("annual_energy_kwh", _r(total))
            add("annual_co2e_kg", _r(total * g_per_kwh / 1000))
            findings.append(Finding(Severity.INFO, "energy.projection",
                                    f"At {per_day:,.0f} predictions a day and {per_year:g} retrains a year: "
                                    f"{total:.3g} kWh and {total * g_per_kwh / 1000:.3g} kg CO2e a year "
                                    f"({'measured' if self.measure and module is None else 'estimated'}; "
                                    f"grid {consts['carbon_intensity']['country']}, PUE {pue:g}).",
                                    {"serving_kwh_per_year": _r(serve, 4), "training_kwh_per_year": _r(train_year, 4)}))

        if module is not None and self.compression and _has_conv(module):
            notes.append("int8 dynamic quantisation converts Linear layers only: this model's convolutions stay "
                         "float32, so the int8 variant's theoretical cost ratio overstates its saving.")
        if module is not None and self.compression:
            table = self._compression(subject, module, encode, decode, sample, amounts, kwh_1000, consts,
                                      measured, notes, add, findings)
            details["compression"] = table
        if measured:
            details["measured"] = {"note": "wall-clock measurements: they differ between runs and machines, so "
                                           "this report is not byte-reproducible", "runs": measured}
        for note in notes:
            findings.append(Finding(Severity.INFO, "energy.note", note))
        return AuditResult.build(self, rows, findings, details=details)

    # -- pieces ------------------------------------------------------------------------------
    def _training(self, adapter: Any, subject: Any, flops_pred: float | None,
                  notes: list[str]) -> dict[str, Any] | None:
        """Training energy before PUE, from the model card, the recipe, or the options."""
        card = adapter.metadata.get("card")
        recorded = card.get("training_energy") if isinstance(card, dict) else None
        if isinstance(recorded, dict) and isinstance(recorded.get("energy_joules"), (int, float)):
            return {"energy_kwh": float(recorded["energy_joules"]) / _J_PER_KWH,
                    "method": str(recorded.get("method", "estimated")),
                    "source": "model card (recorded at training time with audit.energy.track, PUE 1)",
                    "cpu_seconds": recorded.get("cpu_seconds"), "cpu_model": recorded.get("cpu_model")}
        if self.training_energy_kwh is not None:
            return {"energy_kwh": _non_negative(self.training_energy_kwh, "training_energy_kwh"),
                    "method": "given", "source": "training_energy_kwh option"}
        recipe = adapter.metadata.get("recipe")
        rows: int | None = None
        epochs = 0
        if isinstance(recipe, dict) and flops_pred and adapter.metadata.get("n_train_rows") and "epochs" in recipe:
            rows, epochs = int(adapter.metadata["n_train_rows"]), int(recipe["epochs"])
        elif self.training_epochs is not None and subject.train_data is not None and flops_pred:
            rows, epochs = len(subject.train_data), int(self.training_epochs)
        if rows is None or flops_pred is None:
            notes.append("training energy unknown: no model card records it; pass training_energy_kwh= (or "
                         "training_epochs= with train_data) to include training in the projection.")
            return None
        flops = TRAINING_FLOPS_FACTOR * flops_pred * rows * epochs
        constants = self._constants()
        _, joules = energy_joules(flops, float(constants["cpu_watts_per_core"]["value"]), 0.0, 0.0)
        return {"energy_kwh": joules / _J_PER_KWH, "method": "estimated", "flops": _r(flops),
                "source": f"FLOP estimate: {TRAINING_FLOPS_FACTOR:g} x {_r(flops_pred)} FLOPs x {rows} rows x "
                          f"{epochs} epochs"}

    def _measure(self, predict: Callable[[], Any], rows: int, consts: dict[str, Any]) -> dict[str, Any]:
        """Loop ``predict`` for at least ``measure_seconds`` inside a tracker; per-1,000 figures."""
        predict()  # warm-up
        with track(country=consts["carbon_intensity"]["country"] or DEFAULT_COUNTRY,
                   carbon_intensity=self.carbon_intensity, pue=float(consts["pue"]["value"]),
                   cpu_model=consts["cpu_watts_per_core"]["cpu_model"], watts_per_core=self.watts_per_core,
                   memory_watts_per_gb=float(consts["memory_watts_per_gb"]["value"]), nvml=False) as t:
            done = 0
            start = time.perf_counter()
            while done == 0 or time.perf_counter() - start < self.measure_seconds:
                predict()
                done += rows
        return {"method": t.method, "predictions": done, "seconds_per_1000": t.seconds / done * 1000,
                "cpu_seconds_per_1000": t.cpu_seconds / done * 1000,
                "energy_kwh_per_1000": t.energy_kwh / done * 1000}

    def _compression(self, subject: Any, module: Any, encode: Callable, decode: Callable, sample: Any,
                     amounts: tuple[float, ...], kwh_1000: float | None, consts: dict[str, Any],
                     measured: dict[str, Any], notes: list[str], add: Callable, findings: list[Finding]
                     ) -> list[dict[str, Any]]:
        from ..fairness import group_metrics

        variants = build_variants(module, amounts, True, float(consts["int8_cost_ratio"]["value"]), INT8_SOURCE)
        predictions = _predict_all(subject, [v for v in variants if v.module is not None], encode, decode)
        x_sample = encode(sample)
        task = subject.task or "binary"
        gap_names = _GAPS.get(task, _GAPS["default"])
        table: list[dict[str, Any]] = []
        changes: dict[str, Any] = {}
        if subject.y_true is not None and subject.sensitive_features and "original" in predictions:
            changes = gap_changes(subject.y_true, predictions["original"],
                                  {name: p for name, p in predictions.items() if name != "original"},
                                  subject.sensitive_frame, task=task, metrics=gap_names,
                                  min_group_size=int(self.min_group_size), n_boot=int(self.n_boot),
                                  ci=float(self.ci), random_state=int(self._seed(subject)))
        for v in variants:
            if v.module is None:
                notes.append(v.note or f"{v.name}: skipped.")
                continue
            y_pred = predictions[v.name]
            entry: dict[str, Any] = {"variant": v.name, "density": _r(v.density), "cost_ratio": _r(v.cost_ratio),
                                     "basis": v.basis,
                                     "energy_kwh_per_1000": None if kwh_1000 is None else _r(kwh_1000 * v.cost_ratio)}
            group = {"variant": v.name}
            if entry["energy_kwh_per_1000"] is not None:
                add("variant_inference_energy_kwh_per_1000", entry["energy_kwh_per_1000"], group=group)
            if self.measure:
                m = self._measure(functools.partial(_forward_decoded, v.module, x_sample, decode), len(sample), consts)
                measured[v.name] = m
                entry["measured_energy_kwh_per_1000"] = _r(m["energy_kwh_per_1000"])
                entry["measured_seconds_per_1000"] = _r(m["seconds_per_1000"])
                add("variant_measured_inference_energy_kwh_per_1000", entry["measured_energy_kwh_per_1000"],
                    group=group)
            if subject.y_true is not None:
                quality = _quality(subject.y_true, y_pred, task)
                entry["quality_metric"], entry["quality"] = quality
                add(f"variant_{quality[0]}", _r(quality[1]), group=group, n=len(y_pred))
            if subject.y_true is not None and subject.sensitive_features:
                frame = group_metrics(subject.y_true, y_pred, sensitive_features=subject.sensitive_frame, task=task,
                                      intersections=False, n_boot=0, min_group_size=int(self.min_group_size))
                entry["gaps"] = {}
                for name in gap_names:
                    for r in frame[(frame["metric"] == name) & frame["label"].isna()].itertuples(index=False):
                        if r.value is None or not math.isfinite(r.value):
                            continue
                        feature = " x ".join(r.over)
                        entry["gaps"][f"{name}|{feature}"] = _r(r.value)
                        add(f"variant_{name}", _r(r.value), group=group, over=list(r.over))
                by = "mean_absolute_error" if task == "regression" else "accuracy_score"
                entry["by_group"] = [{"group": r.group, "value": _r(r.value), "n": None if r.n is None else int(r.n)}
                                     for r in frame[(frame["metric"] == by) & frame["group"].notna()
                                                    & frame["label"].isna()].itertuples(index=False)]
                if v.name in changes:
                    entry["gap_changes"] = _changes_entry(changes[v.name], group, len(y_pred), add)
            table.append(entry)
        _flag(table, self.gap_tolerance, self.min_saving, self.measure, task == "regression", self.ci, findings)
        return table

    def _seed(self, subject: Any) -> Any:
        """The row sample's and the bootstrap's seed: the option, else the subject's."""
        return subject.random_state if self.random_state is None else self.random_state


def _changes_entry(changes: Sequence[GapChange], group: dict[str, Any], n: int, add: Callable
                   ) -> dict[str, dict[str, float | None]]:
    """A variant's gap changes as ``details`` holds them (``metric|feature`` -> change and interval), and their rows."""
    out: dict[str, dict[str, float | None]] = {}
    for c in changes:
        if not math.isfinite(c.change):
            continue
        out[f"{c.metric}|{c.over}"] = {"change": _r(c.change), "ci_low": _r(c.ci_low), "ci_high": _r(c.ci_high)}
        add(f"variant_{c.metric}_change", _r(c.change), group=group, over=[c.over],
            ci_low=_r(c.ci_low), ci_high=_r(c.ci_high), n=n)
    return out


def _flag(table: list[dict[str, Any]], tolerance: float, min_saving: float, measured: bool,
          regression: bool, level: float, findings: list[Finding]) -> None:
    """Warn about each variant that is cheaper than the original but widens a group gap.

    A gap widens when its growth is established above ``tolerance`` (a rate difference; for
    regression ``tolerance`` x the original's overall MAE, as gaps are in target units): the
    lower bound of the growth's paired interval exceeds it. Without an interval
    (``n_boot=0``) the point growth is compared, and the message says so.
    """
    if not table or table[0]["variant"] != "original":
        return
    base = table[0]
    scale = float(base.get("quality") or 0.0) if regression else 1.0
    key = "measured_energy_kwh_per_1000" if measured else "energy_kwh_per_1000"
    for entry in table[1:]:
        cost, base_cost = entry.get(key), base.get(key)
        if cost is None or not base_cost or cost > base_cost * (1 - min_saving):
            continue
        widened = []
        for gap, value in (entry.get("gaps") or {}).items():
            before = (base.get("gaps") or {}).get(gap)
            change = (entry.get("gap_changes") or {}).get(gap) or {}
            low = change.get("ci_low")
            growth = low if low is not None else (None if before is None else value - before)
            if before is not None and growth is not None and growth > tolerance * scale:
                metric, feature = gap.split("|", 1)
                widened.append({"metric": metric, "over": feature, "original": before, "variant": value,
                                "change": change.get("change", _r(value - before)), "ci_low": low,
                                "ci_high": change.get("ci_high")})
        if not widened:
            continue
        saving = 1 - cost / base_cost
        how = "measured" if measured else entry["basis"].split(":")[0]

        def shown(w: dict[str, Any]) -> str:
            bounds = (f"{level:.0%} interval {w['ci_low']:+.3f} to {w['ci_high']:+.3f}" if w["ci_low"] is not None
                      else "point only, no interval")
            return (f"{w['metric']} across {w['over']} {w['original']:.3g} -> {w['variant']:.3g} "
                    f"({w['change']:+.3f}, {bounds})")

        listed = "; ".join(shown(w) for w in widened)
        findings.append(Finding(
            Severity.WARNING, "energy.compression_widens_gap",
            f"{entry['variant']} saves {saving:.0%} of inference energy ({how}) but widens {len(widened)} group "
            f"gap(s): {listed}. The cheaper model is less fair (compression tends to hurt under-represented "
            "groups first, Hooker et al. 2020).",
            {"variant": entry["variant"], "energy_saving": _r(saving, 4), "widened": widened}))


def _quality(y_true: Any, y_pred: Any, task: str) -> tuple[str, float]:
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if task == "regression":
        return "mean_absolute_error", float(np.mean(np.abs(y_true.astype(float) - y_pred.astype(float))))
    return "accuracy_score", float(np.mean(y_true == y_pred))


def _predict_all(subject: Any, variants: Sequence[Variant], encode: Callable, decode: Callable
                 ) -> dict[str, np.ndarray]:
    """Every variant's predictions on every row, from one pass over the table in fixed batches.

    Only the batch being encoded and the prediction arrays are held, never the whole
    feature table; the batches are cut at the same rows for a lazy table as for pandas.
    """
    parts: dict[str, list[np.ndarray]] = {v.name: [] for v in variants}
    if getattr(subject, "modality", "table") == "image":
        batches: Any = (x for _, x in subject.images.batches(subject.batch_rows))
    else:
        batches = subject.batches(list(subject.features))
    for batch in batches:
        x = encode(batch)
        for v in variants:
            parts[v.name].append(_forward_decoded(v.module, x, decode))
    return {name: np.concatenate(chunks) if chunks else np.zeros(0) for name, chunks in parts.items()}


def _forward_decoded(module: Any, x: Any, decode: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """A variant's predictions on ``x``: the forward pass, decoded to the model's labels."""
    return decode(adapter_forward(module, x))


def adapter_forward(module: Any, x: Any) -> np.ndarray:
    """Forward pass without gradients, as float64 numpy."""
    import torch

    with torch.no_grad():
        return module(x).detach().numpy().astype(np.float64)


def _io(subject: Any) -> tuple[Callable[[Any], Any], Callable[[np.ndarray], np.ndarray]]:
    """How rows become the module's input tensor, and its output (the variants' too) becomes predictions."""
    model = subject.model
    task = subject.task or "binary"
    features = list(subject.features)

    def encode(frame: Any) -> Any:
        if getattr(subject, "modality", "table") == "image":
            return frame  # a batch of images is already what the module takes
        return model.encode(frame, features)

    def decode(out: np.ndarray) -> np.ndarray:
        return model.decode(out, task)

    return encode, decode


def _has_conv(module: Any) -> bool:
    import torch

    return any(isinstance(m, (torch.nn.Conv1d, torch.nn.Conv2d, torch.nn.Conv3d)) for m in module.modules())

