"""The application factory: everything is built here, nothing at import time."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager

from fastapi import APIRouter, FastAPI

from retour import __version__
from retour.db.engine import create_db_engine, create_session_factory
from retour.db.unit_of_work import UnitOfWork
from retour.payments.registry import PaymentProviders, providers_from_settings
from retour.services.context import Clock, SystemClock
from retour.settings import Settings
from retour.shipping.registry import Carriers, carriers_from_settings
from retour.web import pages
from retour.web.api.key_cache import ApiKeyCache
from retour.web.api.problems import install_problem_handlers
from retour.web.api.routes import (
    analytics,
    carrier_accounts,
    carrier_webhooks,
    events,
    exchanges,
    health,
    inventory,
    locations,
    notifications,
    orders,
    parcels,
    refunds,
    reports,
    returns,
    shipments,
    store_credit,
    webhooks,
)
from retour.web.api.routes import policy as policy_routes
from retour.web.api.routes import settings as settings_routes
from retour.web.backoffice import auth_routes as backoffice_auth
from retour.web.backoffice import queue_routes as backoffice_queue
from retour.web.backoffice import report_routes as backoffice_reports
from retour.web.backoffice import return_routes as backoffice_returns
from retour.web.backoffice import settings_audit_routes as backoffice_audit
from retour.web.backoffice import settings_carrier_routes as backoffice_carriers
from retour.web.backoffice import settings_email_routes as backoffice_emails
from retour.web.backoffice import settings_location_routes as backoffice_locations
from retour.web.backoffice import settings_payment_routes as backoffice_payments
from retour.web.backoffice import settings_policy_routes as backoffice_policy
from retour.web.backoffice import settings_reason_routes as backoffice_reasons
from retour.web.backoffice import settings_routes as backoffice_settings
from retour.web.backoffice import settings_store_routes as backoffice_store
from retour.web.backoffice import settings_webhook_delivery_routes as backoffice_webhook_deliveries
from retour.web.backoffice import settings_webhook_routes as backoffice_webhooks
from retour.web.backoffice import station_routes as backoffice_station
from retour.web.portal import return_routes as portal_returns
from retour.web.portal import routes as portal

API_DESCRIPTION = """
The Retour JSON API. Authenticate with `Authorization: Bearer <API key>`
(`retour apikey create --store SLUG`). Errors are RFC 9457 `application/problem+json`
with a stable `code`. POSTs accept an `Idempotency-Key` header. Lists use cursor pagination.
"""


def create_app(
    settings: Settings,
    clock: Clock | None = None,
    providers: PaymentProviders | None = None,
    run_worker: bool = False,
    carriers: Carriers | None = None,
) -> FastAPI:
    """The app; `run_worker` also runs an outbox worker thread while it serves."""
    engine = create_db_engine(settings)
    session_factory = create_session_factory(engine)
    new_uow = lambda: UnitOfWork(session_factory)  # noqa: E731
    app_clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if not run_worker:
            yield
            return
        with in_process_worker(new_uow, app_clock, settings):
            yield

    app = FastAPI(
        lifespan=lifespan,
        title="Retour API",
        version=__version__,
        description=API_DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.clock = app_clock
    app.state.new_uow = new_uow
    app.state.api_keys = ApiKeyCache()
    app.state.payment_providers = providers or providers_from_settings(settings)
    app.state.carriers = carriers or carriers_from_settings(settings)
    install_problem_handlers(app)
    api = APIRouter(prefix="/api/v1")
    for module in (orders, returns, inventory, locations, store_credit):
        api.include_router(module.router)
    api.include_router(refunds.router)
    api.include_router(exchanges.router)
    api.include_router(settings_routes.router)
    api.include_router(reports.router)
    api.include_router(analytics.router)
    api.include_router(notifications.router)
    api.include_router(webhooks.router)
    api.include_router(events.router)
    api.include_router(policy_routes.router)
    api.include_router(parcels.router)
    api.include_router(shipments.router)
    api.include_router(carrier_webhooks.router)
    api.include_router(carrier_accounts.router)
    app.include_router(api)
    app.include_router(health.router)
    app.include_router(pages.router)
    app.include_router(portal.router)
    app.include_router(portal_returns.router)  # after: `/{number}` comes last
    app.include_router(backoffice_auth.router)
    app.include_router(backoffice_station.router)
    app.include_router(backoffice_queue.router)
    app.include_router(backoffice_returns.router)
    app.include_router(backoffice_reports.router)
    app.include_router(backoffice_settings.router)
    app.include_router(backoffice_reasons.router)
    app.include_router(backoffice_locations.router)
    app.include_router(backoffice_policy.router)
    app.include_router(backoffice_emails.router)
    app.include_router(backoffice_carriers.router)
    app.include_router(backoffice_audit.router)
    app.include_router(backoffice_payments.router)
    app.include_router(backoffice_store.router)
    app.include_router(backoffice_webhooks.router)
    app.include_router(backoffice_webhook_deliveries.router)
    return app


def app_from_environment() -> FastAPI:
    """The app configured from `RETOUR_*` variables: what each `retour serve` worker runs."""
    from retour.settings import get_settings

    settings = get_settings()
    return create_app(settings, run_worker=settings.runs_worker_in_process)


@contextmanager
def in_process_worker(
    new_uow: Callable[[], UnitOfWork], clock: Clock, settings: Settings
) -> Iterator[None]:
    """An outbox worker thread for as long as the block runs (`retour serve` on SQLite)."""
    from retour.services.outbox.setup import chores_from_settings, senders_from_settings
    from retour.services.outbox.worker import Worker, WorkerSettings

    stop = threading.Event()
    worker = Worker(
        new_uow,
        senders_from_settings(settings),
        clock,
        WorkerSettings(threads=4),
        chores=chores_from_settings(new_uow, clock, settings),
    )
    thread = threading.Thread(target=worker.run, args=(stop,), name="retour-outbox", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)
