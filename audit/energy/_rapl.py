"""Linux RAPL energy counters (``/sys/class/powercap``): package and DRAM domains.

RAPL (Running Average Power Limit) exposes cumulative energy counters in microjoules per
CPU package (``intel-rapl:N``, name ``package-N``) and, on many servers, per DRAM domain
(a sub-zone ``intel-rapl:N:M`` named ``dram``). Sub-zones ``core`` and ``uncore`` are parts
of their package and are never added to it (adding them double-counts, a known CodeCarbon
bug). ``intel-rapl-mmio`` zones duplicate the package counters and are skipped.

Counters wrap at ``max_energy_range_uj``; :func:`counter_delta` undoes one wrap. A run long
enough to wrap twice needs intermediate reads: :class:`RaplReader.interval_to_read` says
how often (half the time the counter takes to wrap at the domain's maximum plausible
power), and the tracker reads that seldom, never in a busy loop.

Since Linux 5.10 (CVE-2020-8694, "PLATYPUS") ``energy_uj`` is readable by root only;
:func:`open_rapl` then returns no reader and a note saying how to allow access.

The sysfs root is a parameter, so tests run on fake trees.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

__all__ = ["DEFAULT_POWERCAP_ROOT", "RaplDomain", "RaplReader", "counter_delta", "open_rapl",
           "MSG_RAPL_PERMISSION", "MSG_RAPL_ABSENT", "MSG_RAPL_UNREADABLE"]

DEFAULT_POWERCAP_ROOT = "/sys/class/powercap"

MSG_RAPL_ABSENT = ("no RAPL energy counters under {root} (a virtual machine, a container without "
                   "/sys/class/powercap, or a CPU without RAPL): energy is estimated, not measured.")
MSG_RAPL_PERMISSION = ("RAPL counters exist but {path} is not readable by this user: since Linux 5.10 "
                       "(CVE-2020-8694) energy_uj is root-only. Energy is estimated instead. To measure, run "
                       "as root or allow reading once per boot, e.g. `sudo chmod o+r "
                       "/sys/class/powercap/intel-rapl:*/energy_uj` (or a sysfs.conf rule).")
MSG_RAPL_UNREADABLE = "RAPL counter {path} could not be read ({error}); energy is estimated instead."

#: Assumed ceiling on a domain's power when deciding how often to read a counter so that it
#: cannot wrap twice between reads: well above any single package's rated power.
MAX_PLAUSIBLE_WATTS = 1000.0


@dataclasses.dataclass(frozen=True)
class RaplDomain:
    """One counter: its zone folder, kind (``package`` or ``dram``) and wrap range in µJ."""

    path: Path
    name: str
    kind: str
    max_range_uj: int


def counter_delta(start_uj: int, end_uj: int, max_range_uj: int) -> int:
    """Energy between two reads of a wrapping counter, in µJ (at most one wrap in between)."""
    if end_uj >= start_uj:
        return end_uj - start_uj
    return end_uj + max_range_uj - start_uj


def _read_int(path: Path) -> int:
    return int(path.read_text(encoding="ascii").strip())


class RaplReader:
    """Reads every package and DRAM counter; ``read()`` gives a snapshot, ``delta`` the energy."""

    def __init__(self, domains: list[RaplDomain]) -> None:
        self.domains = domains

    def read(self) -> tuple[int, ...]:
        """Raw counter values (µJ), one per domain, in ``domains`` order."""
        return tuple(_read_int(d.path / "energy_uj") for d in self.domains)

    def delta_joules(self, start: tuple[int, ...], end: tuple[int, ...]) -> dict[str, float]:
        """Joules per kind (``package``, ``dram``) between two snapshots, one wrap per counter allowed."""
        out = {"package": 0.0, "dram": 0.0}
        for d, a, b in zip(self.domains, start, end, strict=True):
            out[d.kind] += counter_delta(a, b, d.max_range_uj) / 1e6
        return out

    def interval_to_read(self) -> float:
        """Seconds between reads so that no counter can wrap twice (at MAX_PLAUSIBLE_WATTS)."""
        smallest = min(d.max_range_uj for d in self.domains)
        return max(1.0, smallest / 1e6 / MAX_PLAUSIBLE_WATTS / 2)


def _zone_name(zone: Path) -> str:
    try:
        return (zone / "name").read_text(encoding="ascii").strip()
    except OSError:
        return ""


def open_rapl(root: str | os.PathLike[str] | None = None) -> tuple[RaplReader | None, str | None]:
    """A reader over the package and DRAM domains under ``root``, or None and a note saying why not."""
    base = Path(DEFAULT_POWERCAP_ROOT if root is None else root)
    zones = sorted(p for p in base.glob("intel-rapl:*") if (p / "energy_uj").exists()) if base.is_dir() else []
    domains = []
    for zone in zones:
        name = _zone_name(zone)
        depth = zone.name.count(":")
        if depth == 1 and name.startswith("package"):
            kind = "package"
        elif depth == 2 and name == "dram":
            kind = "dram"
        else:  # core/uncore are parts of a package; psys covers the platform
            continue
        try:
            max_range = _read_int(zone / "max_energy_range_uj")
            _read_int(zone / "energy_uj")
        except PermissionError:
            return None, MSG_RAPL_PERMISSION.format(path=zone / "energy_uj")
        except (OSError, ValueError) as exc:
            return None, MSG_RAPL_UNREADABLE.format(path=zone / "energy_uj", error=type(exc).__name__)
        domains.append(RaplDomain(zone, name, kind, max_range))
    if not any(d.kind == "package" for d in domains):
        return None, MSG_RAPL_ABSENT.format(root=base)
    return RaplReader(domains), None
