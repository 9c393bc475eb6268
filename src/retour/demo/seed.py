"""`retour seed demo`: Maison Demo, two years of orders and returns, the same on every run."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from random import Random
from typing import TypeVar

from rich.console import Console
from sqlalchemy import func, select

from retour.db.models import (
    ApiKey,
    Customer,
    OrderRow,
    Product,
    ReturnRow,
    StockLevel,
    Store,
    Variant,
)
from retour.db.unit_of_work import UnitOfWork
from retour.demo.catalog import demo_customers
from retour.demo.credit import spend_credit_at_checkout, write_off_lapsed_credit
from retour.demo.money import MONEY_SETTINGS, load_opening_stock
from retour.demo.orders import DemoOrder, build_order, order_times
from retour.demo.return_plans import PlacedOrder, ReturnPlan, placed_order, plan_returns
from retour.demo.return_stories import play_return
from retour.demo.stage import Stage
from retour.demo.summary import money_lines
from retour.domain.addresses import Address
from retour.domain.statuses import ReturnStatus
from retour.services.context import Actor
from retour.services.errors import NotFound
from retour.services.order_import import import_order
from retour.services.shipments.settings import update_shipping_settings
from retour.services.store_branding import update_store_branding
from retour.services.store_settings import update_money_settings
from retour.services.stores import api_key_digest, create_staff_user, create_store

DEMO_STORE_SLUG = "demo"
DEMO_OWNER_EMAIL = "owner@retour.test"
DEMO_OWNER_PASSWORD = "retour-demo"
#: Development only: printed by `retour demo`, so never use the demo store in production.
DEMO_API_KEY = "rtr_00000000demo_retour-demo-key-development-only"
#: The moment the demo story ends; nothing in it reads the wall clock.
REFERENCE_TIME = datetime(2026, 11, 27, 12, tzinfo=UTC)
#: A terracotta button, white on it at 7.3:1; no logo (the demo runs offline).
DEMO_BRANDING = {"primary_color": "#9a3412", "reply_to": "care@maison-demo.test"}
#: Where the demo's return labels send parcels.
DEMO_RETURN_ADDRESS = Address(
    name="Maison Demo — Retours", line1="12 rue des Entrepôts", city="Saint-Ouen-sur-Seine",
    postal_code="93400", country="FR",
)  # fmt: skip
OPENED_AT = REFERENCE_TIME - timedelta(days=740)
RANDOM_SEED = 20261127
CUSTOMER_COUNT = 150
BATCH_SIZE = 100
PROGRESS_EVERY = 500

OWNER = Actor("staff", DEMO_OWNER_EMAIL)
SHOP_SYNC = Actor("system", "shop-sync")
T = TypeVar("T")


def seed_demo_store(
    uow: UnitOfWork, progress: Console | None = None, *, orders: int = 1500
) -> bool:
    """Create the demo store with `orders` orders and their returns; False if it exists."""
    with uow:
        if uow.stores.by_slug(DEMO_STORE_SLUG) is not None:
            return False
    started = time.perf_counter()
    _say(progress, f"seeding store {DEMO_STORE_SLUG!r}: {orders} orders, then their returns")
    rng = Random(RANDOM_SEED)
    store_id = _create_store_and_owner(uow)
    update_money_settings(uow, store_id, MONEY_SETTINGS)
    update_store_branding(uow, store_id, DEMO_BRANDING)
    update_shipping_settings(uow, store_id, return_address=DEMO_RETURN_ADDRESS)
    demo_orders = _demo_orders(rng, orders)
    placed = _import_orders(uow, store_id, demo_orders, progress)
    _say(progress, _catalogue_line(uow, store_id))
    _say(progress, f"orders: {len(placed)}, customers: {_count(uow, store_id, Customer)}")
    plans = plan_returns(rng, placed, REFERENCE_TIME)
    units = load_opening_stock(uow, store_id, rng, OWNER, OPENED_AT)
    _say(progress, f"opening stock: {units} units")
    _play_returns(uow, Stage(uow, store_id, OWNER, rng, REFERENCE_TIME), plans)
    payloads = [order.payload for order in demo_orders]
    spend_credit_at_checkout(uow, store_id, rng, payloads)
    write_off_lapsed_credit(uow, store_id, REFERENCE_TIME)
    _withdraw_seeded_mail(uow, store_id, progress)
    _say(progress, _returns_line(uow, store_id))
    for line in money_lines(uow, store_id):
        _say(progress, line)
    _say(progress, _stock_line(uow, store_id))
    _say(progress, f"seeded in {time.perf_counter() - started:.1f} s")
    return True


def _withdraw_seeded_mail(uow: UnitOfWork, store_id: int, progress: Console | None) -> None:
    """Two years of history would otherwise mail and call webhooks as the demo starts; only
    what happens from now on is sent."""
    with uow:
        count = uow.outbox.cancel_pending(store_id, "demo history: seeded, not sent")
        uow.commit()
    _say(progress, f"outbox: {count} seeded e-mails withdrawn (only new ones are sent)")


def demo_api_key(uow: UnitOfWork) -> str:
    """The demo store's fixed development API key; its row is created when missing."""
    prefix = DEMO_API_KEY.split("_", 2)[1]
    with uow:
        store = uow.stores.by_slug(DEMO_STORE_SLUG)
        if store is None:
            raise NotFound("store", DEMO_STORE_SLUG)
        if uow.stores.api_key_by_prefix(prefix) is None:
            uow.session.add(
                ApiKey(
                    store_id=store.id,
                    name="demo (development only)",
                    prefix=prefix,
                    key_hash=api_key_digest(DEMO_API_KEY),
                    created_at=REFERENCE_TIME,
                )
            )
            uow.commit()
    return DEMO_API_KEY


def _create_store_and_owner(uow: UnitOfWork) -> int:
    store_id = create_store(
        uow,
        slug=DEMO_STORE_SLUG,
        name="Maison Demo",
        currency="EUR",
        now=OPENED_AT,
        timezone="Europe/Paris",
    )
    create_staff_user(
        uow,
        store_slug=DEMO_STORE_SLUG,
        email=DEMO_OWNER_EMAIL,
        password=DEMO_OWNER_PASSWORD,
        role="owner",
        name="Demo Owner",
        now=OPENED_AT,
    )
    return store_id


def _demo_orders(rng: Random, count: int) -> list[DemoOrder]:
    customers = demo_customers(rng, CUSTOMER_COUNT)
    loyalty = [customer.loyalty for customer in customers]
    return [
        build_order(rng, sequence, placed_at, rng.choices(customers, loyalty)[0], REFERENCE_TIME)
        for sequence, placed_at in enumerate(order_times(rng, count, REFERENCE_TIME))
    ]


def _batches(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), BATCH_SIZE):
        yield items[start : start + BATCH_SIZE]


def _import_orders(
    uow: UnitOfWork, store_id: int, orders: list[DemoOrder], progress: Console | None
) -> list[PlacedOrder]:
    """Import through the order-import use case, a batch of orders per transaction."""
    placed = []
    for batch in _batches(orders):
        with uow:
            for order in batch:
                imported_at = order.payload.placed_at + timedelta(minutes=2)
                result = import_order(uow, store_id, order.payload, SHOP_SYNC, imported_at)
                placed.append(placed_order(order, result.order))
            uow.commit()
        if len(placed) % PROGRESS_EVERY == 0 and len(placed) < len(orders):
            _say(progress, f"orders: {len(placed)}/{len(orders)} imported")
    return placed


def _play_returns(uow: UnitOfWork, stage: Stage, plans: list[ReturnPlan]) -> None:
    """Play every return's story, a batch of returns per transaction."""
    for batch in _batches(plans):
        with uow:
            for plan in batch:
                play_return(stage, plan)
            uow.commit()


def _say(progress: Console | None, message: str) -> None:
    if progress is not None:
        progress.print(message, markup=False, highlight=False, soft_wrap=True)


def _count(
    uow: UnitOfWork, store_id: int, model: type[Customer] | type[Product] | type[Variant]
) -> int:
    with uow:
        statement = select(func.count()).select_from(model).where(model.store_id == store_id)
        return uow.session.scalars(statement).one()


def _catalogue_line(uow: UnitOfWork, store_id: int) -> str:
    products, variants = _count(uow, store_id, Product), _count(uow, store_id, Variant)
    return f"catalogue: {products} products, {variants} variants"


def _returns_line(uow: UnitOfWork, store_id: int) -> str:
    with uow:
        rows = uow.session.execute(
            select(ReturnRow.status, func.count())
            .where(ReturnRow.store_id == store_id)
            .group_by(ReturnRow.status)
        ).all()
    counts: Counter[str] = Counter({status: count for status, count in rows})
    by_status = ", ".join(f"{status.value} {counts[status.value]}" for status in ReturnStatus)
    return f"returns: {counts.total()} ({by_status})"


def _stock_line(uow: UnitOfWork, store_id: int) -> str:
    with uow:
        rows = uow.session.execute(
            select(StockLevel.bucket, func.sum(StockLevel.quantity))
            .where(StockLevel.store_id == store_id)
            .group_by(StockLevel.bucket)
            .order_by(StockLevel.bucket)
        ).all()
    return "stock: " + ", ".join(f"{bucket} {units}" for bucket, units in rows)


def demo_shopper(uow: UnitOfWork) -> tuple[str, str]:
    """The newest demo order's number and e-mail address: what to type in the portal."""
    with uow:
        newest = uow.session.execute(
            select(OrderRow.number, OrderRow.customer_email)
            .join(Store, Store.id == OrderRow.store_id)
            .where(Store.slug == DEMO_STORE_SLUG)
            .order_by(OrderRow.placed_at.desc())
            .limit(1)
        ).one()
    return newest.number, newest.customer_email
