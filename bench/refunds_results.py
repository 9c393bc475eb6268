"""`results/refunds.json`: one section per refunds benchmark, with the machine and the code.

The two refunds benchmarks run separately, so each one rewrites only its own section.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import machine

RESULTS = Path(__file__).resolve().parent / "results"
PATH = RESULTS / "refunds.json"
ROOT = RESULTS.parent.parent


def load_average() -> list[float]:
    """`uptime`'s 1, 5 and 15 minute load averages."""
    return [round(value, 2) for value in os.getloadavg()]


def context() -> dict[str, Any]:
    """When, on what machine, and on which code (the commit, and files changed since)."""
    return {
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine.facts(),
        "code": _code(),
    }


def save(section: str, document: dict[str, Any]) -> Path:
    existing: dict[str, Any] = json.loads(PATH.read_text()) if PATH.exists() else {}
    existing[section] = document
    PATH.parent.mkdir(parents=True, exist_ok=True)
    PATH.write_text(json.dumps(existing, indent=2) + "\n")
    return PATH


def _code() -> dict[str, Any]:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.rstrip() if done.returncode == 0 else "?"

    # Porcelain lines are "XY path": the status letters may start with a space.
    changed = [line[3:] for line in git("status", "--porcelain", "--", "src").splitlines()]
    return {"commit": git("rev-parse", "--short", "HEAD"), "uncommitted_in_src": changed}
