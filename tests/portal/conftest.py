"""The portal served in-process: one app per test run, a fresh client (no cookies) per call."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from retour.services.context import FixedClock
from retour.web.app import create_app
from tests.conftest import START, empty_all_tables
from tests.factories import import_sample_order, make_store


@pytest.fixture(scope="session")
def portal_app(settings, engine):
    clock = FixedClock(START)
    return create_app(settings, clock=clock), clock


@pytest.fixture
def portal(portal_app, engine, uow) -> Iterator[tuple[Callable[[], TestClient], FixedClock]]:
    """A store `acme` with order #1001 (2 × M shipped, 1 × L shipped) of shopper@example.com."""
    empty_all_tables(engine)
    app, clock = portal_app
    clock.current = START
    store_id = make_store(uow, clock)
    import_sample_order(uow, store_id, clock)
    clients: list[TestClient] = []

    def new_shopper() -> TestClient:
        client = TestClient(app, follow_redirects=False)
        clients.append(client)
        return client

    yield new_shopper, clock
    for client in clients:
        client.close()
