"""One load run's outcome: throughput, latency percentiles and errors."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class LoadResult:
    name: str
    tool: str
    connections: int
    seconds: float
    requests: int
    errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    p999_ms: float
    max_ms: float
    error_sample: str = ""
    #: From cpu.usage: machine busy %, others' share, CPU ms per request by process group.
    cpu: dict[str, float] = field(default_factory=dict)
    #: From waits.WaitSampler: average number of the server's backends in each state.
    backends: dict[str, float] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "per_second": round(self.per_second, 1)}


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending sequence (0 when empty)."""
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def from_latencies(
    name: str,
    tool: str,
    connections: int,
    seconds: float,
    latencies_s: Sequence[float],
    errors: int,
    error_sample: str = "",
) -> LoadResult:
    ordered = sorted(value * 1000 for value in latencies_s)
    return LoadResult(
        name=name,
        tool=tool,
        connections=connections,
        seconds=seconds,
        requests=len(ordered),
        errors=errors,
        p50_ms=percentile(ordered, 0.50),
        p90_ms=percentile(ordered, 0.90),
        p99_ms=percentile(ordered, 0.99),
        p999_ms=percentile(ordered, 0.999),
        max_ms=ordered[-1] if ordered else 0.0,
        error_sample=error_sample,
    )
