"""Facts about the machine the numbers were measured on."""

from __future__ import annotations

import os
import platform
import subprocess
import time


def facts() -> dict[str, str]:
    return {
        "nproc": str(os.cpu_count()),
        "cpu_model": _lscpu().get("Model name", "?"),
        "memory": _memory(),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def busy_pct(seconds: float = 2.0) -> float:
    """How busy the whole machine is right now (before we add any load)."""
    before = _cpu_times()
    time.sleep(seconds)
    after = _cpu_times()
    total = sum(after) - sum(before)
    idle = (after[3] + after[4]) - (before[3] + before[4])
    return round(100 * (total - idle) / total, 1) if total else 0.0


def _cpu_times() -> list[int]:
    with open("/proc/stat") as stat:
        return [int(value) for value in stat.readline().split()[1:9]]


def _lscpu() -> dict[str, str]:
    try:
        output = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    fields = (line.split(":", 1) for line in output.splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in fields}


def _memory() -> str:
    try:
        with open("/proc/meminfo") as meminfo:
            kib = int(meminfo.readline().split()[1])
    except (OSError, ValueError, IndexError):
        return "?"
    return f"{kib / 1024 / 1024:.1f} GiB"
