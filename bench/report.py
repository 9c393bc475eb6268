"""The results table and `results/latest.json`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stats import LoadResult

CREATES_PER_SECOND_TARGET = 300.0
GET_P99_TARGET_MS = 15.0


def verdicts(create: LoadResult, get: LoadResult, ceiling: LoadResult | None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "creates_per_second": round(create.per_second, 1),
        "creates_target_met": create.per_second >= CREATES_PER_SECOND_TARGET and create.errors == 0,
        "get_p99_ms": round(get.p99_ms, 2),
        "get_target_met": get.p99_ms <= GET_P99_TARGET_MS and get.errors == 0,
    }
    if ceiling is not None and ceiling.per_second:
        found["api_to_ceiling_ratio"] = round(create.per_second / ceiling.per_second, 3)
    return found


def table(results: list[LoadResult]) -> str:
    header = (
        f"{'benchmark':<30} {'tool':<19} {'conns':>5} {'req/s':>8} {'p50 ms':>7} "
        f"{'p90 ms':>7} {'p99 ms':>7} {'max ms':>7} {'requests':>9} {'errors':>6} "
        f"{'app CPU':>7} {'PG CPU':>6} {'others':>6}"
    )
    rows = [header, "-" * len(header)]
    for result in results:
        rows.append(
            f"{result.name:<30} {result.tool:<19} {result.connections:>5} "
            f"{result.per_second:>8.1f} {result.p50_ms:>7.2f} {result.p90_ms:>7.2f} "
            f"{result.p99_ms:>7.2f} {result.max_ms:>7.1f} {result.requests:>9} "
            f"{result.errors:>6} {_cpu(result, 'app'):>7} {_cpu(result, 'postgres'):>6} "
            f"{_cpu(result, 'other'):>6}"
        )
    rows += [
        "",
        "app CPU / PG CPU: CPU ms per request of the server (the psycopg client for the ceiling)",
        "and of its PostgreSQL backends; others: % of the machine busy with work not ours.",
    ]
    samples = [f"  {r.name}: {r.error_sample}" for r in results if r.error_sample]
    if samples:
        rows += ["", "first error of each run:", *samples]
    return "\n".join(rows)


def backend_states(results: list[LoadResult]) -> str:
    """Average number of the server's PostgreSQL backends in each state, per API run."""
    rows = ["server's PostgreSQL backends during each run (average count per state):"]
    for result in results:
        if result.backends:
            states = ", ".join(f"{n:.1f} {state}" for state, n in result.backends.items())
            rows.append(f"  {result.name}: {states}")
    return "\n".join(rows)


def _cpu(result: LoadResult, what: str) -> str:
    """`app`: the server for API runs, the psycopg client process for the ceiling."""
    cpu = result.cpu
    if what == "other":
        return f"{cpu['other_busy_pct']:.0f}%" if "other_busy_pct" in cpu else ""
    if what == "app":
        value = cpu.get("server_cpu_ms_per_request", cpu.get("bench_cpu_ms_per_request"))
    else:
        value = cpu.get("postgres_cpu_ms_per_request")
    return "" if value is None else f"{value:.2f}"


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n")
