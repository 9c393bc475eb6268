"""A real HTTP server (uvicorn on loopback) per test run, and clients with API keys."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from retour.services.context import FixedClock
from retour.services.stores import create_api_key
from retour.web.app import create_app
from tests.conftest import START, empty_all_tables
from tests.factories import make_store


@dataclass
class LiveServer:
    base_url: str
    clock: FixedClock


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Run `app` with uvicorn on a free loopback port; yields its base URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(settings, engine) -> Iterator[LiveServer]:
    clock = FixedClock(START)
    with serving(create_app(settings, clock=clock)) as base_url:
        yield LiveServer(base_url, clock)


@pytest.fixture
def server(live_server, engine) -> LiveServer:
    empty_all_tables(engine)
    live_server.clock.current = START
    return live_server


def api_client(server: LiveServer, uow, slug: str) -> httpx.Client:
    make_store(uow, server.clock, slug=slug)
    key = create_api_key(uow, slug, "tests", server.clock.now())
    return httpx.Client(
        base_url=f"{server.base_url}/api/v1",
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )


@pytest.fixture
def client(server, uow) -> Iterator[httpx.Client]:
    with api_client(server, uow, "acme") as http:
        yield http


@pytest.fixture
def other_client(server, uow) -> Iterator[httpx.Client]:
    with api_client(server, uow, "other") as http:
        yield http
