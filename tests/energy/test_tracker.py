"""The tracker: estimate arithmetic by hand, measured path on fake RAPL/NVML, context manager and decorator."""
from __future__ import annotations

import pytest

import audit
from audit.energy import _tracker, track
from audit.energy._hardware import FALLBACK_WATTS_PER_CORE, cpu_power, normalise_cpu_name
from audit.energy._tracker import MSG_BAD_PUE, MSG_NOT_STOPPED, MSG_UNKNOWN_COUNTRY
from tests.energy.helpers import FakeNvml, fake_rapl, set_energy


@pytest.fixture
def frozen(monkeypatch):
    """Deterministic clocks: 10 wall seconds, 4 CPU-seconds, 2 GB resident."""
    wall = iter([100.0, 110.0])
    cpu = iter([1.0, 5.0])
    monkeypatch.setattr(_tracker.time, "perf_counter", lambda: next(wall))
    monkeypatch.setattr(_tracker, "_cpu_seconds", lambda: next(cpu))
    monkeypatch.setattr(_tracker, "_rss_bytes", lambda: 2_000_000_000)


def test_estimate_arithmetic_by_hand(frozen, tmp_path):
    with track(country="DEU", pue=1.5, cpu_model="Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz",
               powercap_root=tmp_path, nvml=False) as t:
        pass
    # Xeon Gold 6148: 150 W / 20 cores = 7.5 W per core; 4 CPU-s -> 30 J
    # memory: 2 GB x 0.3725 W/GB x 10 s = 7.45 J; (30 + 7.45) x 1.5 = 56.175 J
    assert t.method == "estimated"
    assert t.energy_kwh == pytest.approx(56.175 / 3.6e6)
    assert t.estimated_kwh == t.energy_kwh
    assert t.co2e_kg == pytest.approx(56.175 / 3.6e6 * 380.95 / 1000)
    assert (t.seconds, t.cpu_seconds) == (10.0, 4.0)
    c = t.constants
    assert c["cpu_watts_per_core"]["value"] == 7.5 and "Xeon Gold 6148" in c["cpu_watts_per_core"]["source"]
    assert c["memory_watts_per_gb"]["value"] == 0.3725
    assert c["pue"]["value"] == 1.5
    assert c["carbon_intensity"]["value"] == 380.95 and "Germany, 2023" in c["carbon_intensity"]["source"]
    assert all(row["source"] for row in c.values())


def test_unknown_cpu_falls_back_with_note(frozen, tmp_path):
    with track(cpu_model="Imaginary CPU 9000", powercap_root=tmp_path, nvml=False) as t:
        pass
    assert t.constants["cpu_watts_per_core"]["value"] == FALLBACK_WATTS_PER_CORE == 12.0
    assert "Any" in t.constants["cpu_watts_per_core"]["source"]
    assert any("Imaginary CPU 9000" in n and "not in the rated-power table" in n for n in t.to_dict()["notes"])
    # defaults: world average intensity and PUE 1.56
    assert t.constants["carbon_intensity"]["value"] == 475.0 and t.constants["pue"]["value"] == 1.56
    assert t.energy_kwh == pytest.approx((4 * 12.0 + 2 * 0.3725 * 10) * 1.56 / 3.6e6)


def test_cpu_name_normalisation():
    assert normalise_cpu_name("Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz") == "core i7-8650u"
    assert cpu_power("AMD EPYC 7763 64-Core Processor").watts_per_core == 280 / 64
    assert not cpu_power("AMD EPYC").known


def test_unknown_country_is_a_usage_error():
    with pytest.raises(audit.UsageError) as err:
        track(country="XXA")
    assert str(err.value) == MSG_UNKNOWN_COUNTRY.format(country="XXA")
    assert "sorted(audit.energy.CARBON_INTENSITY)" in str(err.value)
    with pytest.raises(audit.UsageError, match="pue must be"):
        track(pue=0.9)
    assert MSG_BAD_PUE.format(pue=0.9) in str(pytest.raises(audit.UsageError, track, pue=0.9).value)


def test_figures_before_stop_raise():
    t = track(nvml=False)
    with pytest.raises(audit.UsageError) as err:
        t.energy_kwh
    assert str(err.value) == MSG_NOT_STOPPED


def test_measured_with_fake_rapl_and_gpu(frozen, tmp_path):
    root = fake_rapl(tmp_path, {"intel-rapl:0": ("package-0", 100, 10**12),
                                "intel-rapl:0:0": ("dram", 0, 10**12)})
    gpu = FakeNvml()
    t = track(country="FRA", pue=1.0, powercap_root=root, nvml=gpu, cpu_model="x")
    with t:
        set_energy(root, "intel-rapl:0", 100 + 20_000_000)   # 20 J package
        set_energy(root, "intel-rapl:0:0", 3_000_000)         # 3 J dram
        gpu.energy_mj += 50_000                                # 50 J GPU
    assert t.method == "measured"
    assert t.components["cpu"] == {"joules": 20.0, "method": "measured"}
    assert t.components["memory"] == {"joules": 3.0, "method": "measured"}
    assert t.components["gpu"]["joules"] == 50.0 and t.components["gpu"]["how"] == "energy counter"
    assert t.energy_kwh == pytest.approx(73.0 / 3.6e6)
    assert t.estimated_kwh == pytest.approx((4 * 12.0 + 2 * 0.3725 * 10) / 3.6e6)


def test_gpu_without_counter_is_sampled(tmp_path):
    import time

    gpu = FakeNvml(counter=False, watts=100.0)
    t = track(powercap_root=tmp_path, nvml=gpu, pue=1.0)
    before = time.perf_counter()
    with t:
        time.sleep(0.05)
    outer = time.perf_counter() - before
    assert t.components["gpu"]["how"] == "sampled power"
    # constant 100 W integrated over the sampler's window, which encloses the timed block
    assert 100.0 * t.seconds <= t.components["gpu"]["joules"] <= 100.0 * outer


def test_decorator_tracks_each_outermost_call(tmp_path):
    calls = []

    @track(powercap_root=tmp_path, nvml=False)
    def fact(n):
        calls.append(n)
        return 1 if n <= 1 else n * fact(n - 1)

    assert fact(5) == 120 and calls == [5, 4, 3, 2, 1]
    assert fact.__name__ == "fact"
    t = fact.tracker
    assert t.method == "estimated" and t.energy_kwh >= 0 and t.seconds >= 0


def test_context_manager_is_not_reentrant(tmp_path):
    t = track(powercap_root=tmp_path, nvml=False)
    with t:
        with pytest.raises(audit.UsageError, match="already running"):
            t.start()
