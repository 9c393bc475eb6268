"""Drive the server with wrk and a Lua script; read the script's `JSON` summary line."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from stats import LoadResult

LUA_DIR = Path(__file__).resolve().parent / "lua"


def ensure_installed() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk (Debian package `wrk`)")
    return path


def run(
    name: str,
    url: str,
    script: str,
    args: list[str],
    *,
    connections: int,
    seconds: float,
    threads: int = 1,
) -> LoadResult:
    """One closed-loop run: `connections` keep-alive connections for `seconds`."""
    command = [
        ensure_installed(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA_DIR / script),
        url,
        "--",
        *args,
    ]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr.strip()}")
    summary, sample = _parse(completed.stdout)
    transport = sum(summary[key] for key in ("connect", "read", "write", "timeout"))
    return LoadResult(
        name=name,
        tool="wrk",
        connections=connections,
        seconds=summary["duration_us"] / 1e6,
        requests=int(summary["requests"]),
        errors=int(summary["bad_status"] + transport),
        p50_ms=summary["p50"] / 1000,
        p90_ms=summary["p90"] / 1000,
        p99_ms=summary["p99"] / 1000,
        p999_ms=summary["p999"] / 1000,
        max_ms=summary["max"] / 1000,
        error_sample=sample,
    )


def _parse(stdout: str) -> tuple[dict[str, float], str]:
    summary: dict[str, float] | None = None
    sample = ""
    for line in stdout.splitlines():
        if line.startswith("JSON "):
            summary = json.loads(line[5:])
        elif line.startswith("SAMPLE "):
            sample = line[7:]
    if summary is None:
        raise RuntimeError(f"no summary line in wrk output:\n{stdout}")
    return summary, sample
