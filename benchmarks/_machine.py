"""Machine and library description printed by every benchmark, and a median helper."""

from __future__ import annotations

import os
import platform
import statistics
from importlib import metadata


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        return float("nan")


def machine_info() -> str:
    """One paragraph: CPU, cores, RAM, load, Python and library versions."""
    versions = []
    for name in ("nebuladapt", "torch", "numpy", "pyarrow", "astropy", "dask", "distributed", "skada"):
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",) * 3
    return (
        f"machine: {_cpu_model()}; {os.cpu_count()} cores; {_ram_gib():.1f} GiB RAM; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n"
        f"software: Python {platform.python_version()} ({platform.system()} {platform.release()}); "
        + ", ".join(versions)
    )


def median(values) -> float:
    return statistics.median(values)


def spread(values) -> str:
    """``median (min-max, n runs)``."""
    values = list(values)
    return f"{median(values):.3g} (min {min(values):.3g}, max {max(values):.3g}, {len(values)} runs)"
