"""The portal and the back office in Debian's Chromium (headless, through Playwright) against
the real app served by uvicorn on loopback. `make browser-deps` installs Chromium and axe-core;
without them these tests skip locally and fail with CI=true."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from retour.domain.staff import Role
from retour.services.context import FixedClock
from retour.services.stores import create_staff_user
from retour.web.app import create_app
from tests.api.conftest import serving
from tests.backoffice.conftest import request_return
from tests.backoffice.steps import BASE, PASSWORD
from tests.browser.shopper import ARTIFACTS, AXE_SCRIPT, Shopper
from tests.browser.staff import ARTIFACTS as STAFF_ARTIFACTS
from tests.browser.staff import DESKTOP, Staff
from tests.conftest import START
from tests.factories import import_sample_order, make_store

CHROMIUM = Path(os.environ.get("RETOUR_TEST_CHROMIUM", "/usr/bin/chromium"))
#: No sandbox (root in containers), and nothing that would reach the network on its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: A phone: the portal is mobile first, and the screenshots show what most shoppers see.
VIEWPORT = {"width": 390, "height": 844}


@dataclass
class LivePortal:
    url: str
    clock: FixedClock


def missing_browser_parts() -> list[str]:
    missing = []
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"Chromium at {CHROMIUM}")
    if not AXE_SCRIPT.is_file():
        missing.append(f"axe-core at {AXE_SCRIPT.relative_to(AXE_SCRIPT.parents[2])}")
    return missing


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    missing = missing_browser_parts()
    if missing:
        reason = f"browser tests need {' and '.join(missing)}: run `make browser-deps`"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true: a failure, not a skip)", pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def portal_server(settings, engine) -> Iterator[LivePortal]:
    clock = FixedClock(START)
    with serving(create_app(settings, clock=clock)) as base_url:
        yield LivePortal(f"{base_url}/s/acme/returns", clock)


@pytest.fixture
def live_portal(portal_server, uow) -> LivePortal:
    """Store `acme` with order #1001 (2 × Linen shirt M, 1 × L, shipped) of shopper@example.com;
    the tables were emptied by `uow`."""
    portal_server.clock.current = START
    store_id = make_store(uow, portal_server.clock)
    import_sample_order(uow, store_id, portal_server.clock)
    return portal_server


@pytest.fixture
def shopper(browser, live_portal, request) -> Iterator[Shopper]:
    artifacts = ARTIFACTS / request.node.name.removeprefix("test_")
    shutil.rmtree(artifacts, ignore_errors=True)
    artifacts.mkdir(parents=True)
    # bypass_csp: see Shopper.landed (axe-core is injected into pages whose CSP forbids it).
    context = browser.new_context(bypass_csp=True, viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(10_000)
    visitor = Shopper(context.new_page(), live_portal.url, artifacts)
    yield visitor
    context.close()
    if getattr(request.node, "call_passed", False):
        assert visitor.loaded == visitor.audited, "a page was not checked by axe"


@dataclass
class LiveBackOffice:
    url: str
    clock: FixedClock


@dataclass
class BackOfficeShop:
    """Store `acme` as the back office's browser tests find it (see `live_backoffice`)."""

    url: str
    clock: FixedClock
    store_id: int
    #: The RMA number of order #1001's requested return.
    requested: str


@pytest.fixture(scope="session")
def backoffice_server(settings, engine) -> Iterator[LiveBackOffice]:
    clock = FixedClock(START)
    with serving(create_app(settings, clock=clock)) as base_url:
        yield LiveBackOffice(base_url + BASE, clock)


@pytest.fixture
def live_backoffice(backoffice_server, uow) -> BackOfficeShop:
    """Store `acme` with an agent, a warehouse worker and an analyst (`agent@acme.test`…,
    password PASSWORD) and a requested return of order #1001 (2 × Linen shirt M, 1 × L); the
    tables were emptied by `uow`."""
    clock = backoffice_server.clock
    clock.current = START
    store_id = make_store(uow, clock)
    # Only the roles the tests sign in as: each password takes a third of a second to hash.
    for role in (Role.AGENT, Role.WAREHOUSE, Role.ANALYST):
        create_staff_user(
            uow, store_slug="acme", email=f"{role.value}@acme.test", password=PASSWORD,
            role=role.value, now=clock.now(),
        )  # fmt: skip
    order = import_sample_order(uow, store_id, clock).order
    requested = request_return(uow, store_id, order, clock)
    return BackOfficeShop(backoffice_server.url, clock, store_id, requested.number)


@pytest.fixture
def staff_browser(browser, live_backoffice, request) -> Iterator[Callable[..., Staff]]:
    """Opens a browser for a staff member (`staff_browser("agent")`), or a second tab beside
    one (`staff_browser("agent-tab-2", beside=agent)`); every page they load must be audited."""
    artifacts = STAFF_ARTIFACTS / request.node.name.removeprefix("test_")
    shutil.rmtree(artifacts, ignore_errors=True)
    artifacts.mkdir(parents=True)
    contexts = []
    drivers: list[Staff] = []

    def open_browser(
        name: str, viewport: dict[str, int] = DESKTOP, beside: Staff | None = None
    ) -> Staff:
        if beside is None:
            # bypass_csp: see Staff.landed (axe-core is injected into pages whose CSP forbids it).
            context = browser.new_context(bypass_csp=True, viewport=viewport)
            context.set_default_timeout(10_000)
            contexts.append(context)
        else:
            context = beside.page.context
        driver = Staff(context.new_page(), live_backoffice.url, artifacts, name)
        drivers.append(driver)
        return driver

    yield open_browser
    for context in contexts:
        context.close()
    if getattr(request.node, "call_passed", False):
        for driver in drivers:
            assert driver.loaded == driver.audited, f"a page of {driver.name} was not checked"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    if report.when == "call":
        item.call_passed = report.passed  # type: ignore[attr-defined]
    return report
