"""CPU accounting for one run: who used the two cores, from /proc (Linux only).

The per-request figures (server and PostgreSQL CPU milliseconds per request) hold up better
than throughput when other work shares the machine; `other_busy_pct` says how much did.
"""

from __future__ import annotations

import os
import resource
from collections.abc import Iterable
from dataclasses import dataclass

TICKS = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1


@dataclass(frozen=True)
class Snapshot:
    machine_busy: float
    machine_total: float
    groups: dict[str, float]


def process_seconds(pids: Iterable[int]) -> float:
    """utime + stime of the processes (all their threads); vanished ones count 0."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def own_seconds() -> float:
    """This process (every thread) and its waited-for children, such as wrk."""
    usages = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return sum(usage.ru_utime + usage.ru_stime for usage in usages)


def snapshot(groups: dict[str, list[int]]) -> Snapshot:
    with open("/proc/stat") as stat:
        values = [int(value) for value in stat.readline().split()[1:9]]
    idle = values[3] + values[4]
    seconds = {name: process_seconds(pids) for name, pids in groups.items()}
    seconds["bench"] = own_seconds()
    return Snapshot((sum(values) - idle) / TICKS, sum(values) / TICKS, seconds)


def usage(before: Snapshot, after: Snapshot, requests: int) -> dict[str, float]:
    """Machine busy %, the share of it nobody in this benchmark used, and CPU ms/request."""
    wall = (after.machine_total - before.machine_total) or 1.0
    busy = after.machine_busy - before.machine_busy
    spent = {name: after.groups[name] - before.groups[name] for name in after.groups}
    found = {
        "machine_busy_pct": round(100 * busy / wall, 1),
        "other_busy_pct": round(100 * max(busy - sum(spent.values()), 0) / wall, 1),
    }
    for name, seconds in spent.items():
        found[f"{name}_cpu_ms_per_request"] = round(1000 * seconds / max(requests, 1), 3)
    return found
