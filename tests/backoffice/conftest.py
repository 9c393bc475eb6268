"""The back office served in-process: store `acme` with one staff member per role, a second
store `other` with its own return, and a fresh client per staff member."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from retour.domain.staff import Role
from retour.services.context import FixedClock
from retour.services.stores import create_staff_user
from retour.web.app import create_app
from tests.backoffice.steps import PASSWORD, sign_in
from tests.conftest import START, empty_all_tables
from tests.factories import import_sample_order, make_store, request_return


@dataclass
class Shop:
    new_client: Callable[[], TestClient]
    clock: FixedClock
    store_id: int
    other_store_id: int
    order_id: int
    #: RMA numbers: a requested return in acme (order #1001) and one in the other store.
    requested: str
    other_stores: str

    def staff(self, role: str = "owner") -> TestClient:
        """A client signed in as acme's staff member with this role."""
        return sign_in(self.new_client(), f"{role}@acme.test")


@pytest.fixture(scope="session")
def backoffice_app(settings, engine):
    clock = FixedClock(START)
    return create_app(settings, clock=clock), clock


@pytest.fixture
def shop(backoffice_app, engine, uow) -> Iterator[Shop]:
    empty_all_tables(engine)
    app, clock = backoffice_app
    clock.current = START
    store_id = make_store(uow, clock)
    other = make_store(uow, clock, slug="other")
    for role in Role:
        create_staff_user(
            uow, store_slug="acme", email=f"{role.value}@acme.test", password=PASSWORD,
            role=role.value, now=clock.now(),
        )  # fmt: skip
    create_staff_user(
        uow, store_slug="other", email="owner@other.test", password=PASSWORD, role="owner",
        now=clock.now(),
    )  # fmt: skip
    order = import_sample_order(uow, store_id, clock).order
    mine = request_return(uow, store_id, order, clock)
    theirs = request_return(uow, other, import_sample_order(uow, other, clock).order, clock)
    clients: list[TestClient] = []

    def new_client() -> TestClient:
        client = TestClient(app, follow_redirects=False)
        clients.append(client)
        return client

    yield Shop(new_client, clock, store_id, other, order.id, mine.number, theirs.number)
    for client in clients:
        client.close()
