"""One `retour serve` process on a free loopback port, stopped on the way out."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
RETOUR = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "retour"


@dataclass(frozen=True)
class Server:
    pid: int
    base_url: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(
    database_url: str, log_path: Path, start_timeout: float = 30.0, workers: int = 1
) -> Iterator[Server]:
    """Start the server, wait for `/health`, and always stop it (SIGINT, then SIGKILL)."""
    port = free_port()
    env = {
        **os.environ,
        "RETOUR_DATABASE_URL": database_url,
        "RETOUR_ENV": "production",
        "RETOUR_SECRET_KEY": secrets.token_urlsafe(48),
    }
    command = [str(RETOUR), "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base_url = f"http://{HOST}:{port}"
        _wait_healthy(process, base_url, log_path, start_timeout)
        yield Server(pid=process.pid, base_url=base_url)
    finally:
        _stop(process)


def _wait_healthy(
    process: subprocess.Popen[bytes], base_url: str, log_path: Path, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"retour serve exited with {process.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(f"{base_url}/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"retour serve not healthy after {timeout:.0f} s (log: {log_path})")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def process_tree(pid: int) -> list[int]:
    """`pid` and its worker processes (a multi-worker `retour serve`), for CPU accounting."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [pid, *(int(child) for child in children.read().split())]
    except OSError:
        return [pid]
