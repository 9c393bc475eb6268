"""Sample the server with py-spy while a load runs (`run.py --profile`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def py_spy() -> str | None:
    beside_python = Path(sys.executable).parent / "py-spy"
    return str(beside_python) if beside_python.exists() else shutil.which("py-spy")


def record(pid: int, seconds: float, output: Path, load: Callable[[], T], rate: int = 100) -> T:
    """Run `load` (which should last about `seconds`) while py-spy samples `pid`.

    Raw collapsed stacks, one line per distinct stack, only samples of the thread holding the
    GIL (`--gil`): where the process's Python CPU goes, without threads waiting on sockets.
    py-spy takes CPU of its own, so numbers from a profiled run are not benchmark results.
    """
    binary = py_spy()
    if binary is None:
        raise SystemExit("py-spy is missing: .venv/bin/pip install py-spy")
    command = [binary, "record", "--pid", str(pid), "--duration", str(round(seconds))]
    command += ["--rate", str(rate), "--format", "raw", "--function", "--gil"]
    command += ["--nonblocking", "--output", str(output)]
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        time.sleep(0.5)
        result = load()
        _, errors = spy.communicate(timeout=seconds + 30)
    finally:
        if spy.poll() is None:
            spy.kill()
            spy.wait()
    if spy.returncode != 0:
        raise RuntimeError(f"py-spy failed: {errors.decode(errors='replace').strip()}")
    return result
