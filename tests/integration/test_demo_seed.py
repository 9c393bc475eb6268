"""The demo seeder on a real database: every status, real stock and money, idempotent and
deterministic."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import asdict, astuple
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from retour.db.engine import create_session_factory
from retour.db.models import (
    ApiKey,
    Delivery,
    Event,
    InventoryMovement,
    OrderRow,
    RefundAllocationRow,
    RefundRow,
    ReplacementLineRow,
    ReplacementOrderRow,
    ReturnLineRow,
    ReturnRow,
    StockLevel,
    StoreCreditAccount,
    StoreCreditEntry,
    Variant,
)
from retour.db.unit_of_work import UnitOfWork
from retour.demo.money import MONEY_SETTINGS
from retour.demo.money_steps import GOODWILL_REASON
from retour.demo.seed import (
    DEMO_OWNER_EMAIL,
    OPENED_AT,
    REFERENCE_TIME,
    demo_api_key,
    demo_shopper,
    seed_demo_store,
)
from retour.domain.reasons import DEFAULT_RETURN_REASONS
from retour.domain.statuses import ReturnStatus
from retour.services import queries
from retour.services.portal.lookup import LookupRequest, find_order
from retour.services.portal.order_view import portal_order
from retour.services.store_credit.queries import credit_balance, customer_statement
from retour.services.store_settings import money_settings
from retour.services.stores import authenticate_api_key
from tests.conftest import empty_all_tables

#: Small enough for the suite, large enough that every return status still appears and the
#: money story has each of its turns (a sold-out swap, a trade-up, goodwill, redemptions).
TEST_ORDERS = 300
PSP_REFERENCE = re.compile(r"PSP-20\d\d-\d{6}")


@pytest.fixture(scope="module")
def demo(engine) -> UnitOfWork:
    """One seeded demo store shared by this module's tests (they only read it)."""
    empty_all_tables(engine)
    uow = UnitOfWork(create_session_factory(engine))
    assert seed_demo_store(uow, orders=TEST_ORDERS) is True
    return uow


def demo_store_id(uow: UnitOfWork) -> int:
    with uow:
        store = uow.stores.by_slug("demo")
        assert store is not None
        return store.id


def row_counts(uow: UnitOfWork) -> dict[str, int]:
    models = (
        OrderRow,
        ReturnRow,
        ReturnLineRow,
        Event,
        InventoryMovement,
        StockLevel,
        Variant,
        RefundRow,
        ReplacementOrderRow,
        StoreCreditAccount,
        StoreCreditEntry,
    )
    with uow:
        return {
            model.__tablename__: uow.session.scalars(select(func.count()).select_from(model)).one()
            for model in models
        }


def snapshot(uow: UnitOfWork) -> dict[str, Any]:
    """Everything that should come out the same on every run, ids left out, and store-credit
    codes too: those are drawn at random (`new_credit_code`)."""
    statements = {
        "orders": select(OrderRow.number, OrderRow.placed_at, OrderRow.customer_email).order_by(
            OrderRow.number
        ),
        "returns": select(
            ReturnRow.number, ReturnRow.status, ReturnRow.refund_status, ReturnRow.updated_at
        ).order_by(ReturnRow.number),
        "events": select(Event.name, Event.actor, Event.occurred_at).order_by(Event.id),
        "refunds": select(
            RefundRow.idempotency_key,
            RefundRow.method,
            RefundRow.amount,
            RefundRow.bonus_amount,
            RefundRow.adjustment_reason,
            RefundRow.created_at,
        ).order_by(RefundRow.id),
        "exchanges": select(
            ReplacementOrderRow.kind,
            ReplacementOrderRow.status,
            ReplacementOrderRow.items_amount,
            ReplacementOrderRow.balance_due,
            ReplacementOrderRow.balance_paid_reference,
            ReplacementOrderRow.tracking_number,
        ).order_by(ReplacementOrderRow.id),
        "credit": select(
            StoreCreditAccount.customer_email,
            StoreCreditEntry.kind,
            StoreCreditEntry.amount,
            StoreCreditEntry.reference,
            StoreCreditEntry.created_at,
        )
        .join(StoreCreditAccount, StoreCreditAccount.id == StoreCreditEntry.account_id)
        .order_by(StoreCreditEntry.id),
    }
    with uow:
        found = {name: uow.session.execute(query).all() for name, query in statements.items()}
    found["stock"] = [astuple(row) for row in queries.stock_levels(uow, demo_store_id(uow))]
    return found


def test_the_demo_store_is_maison_demo_with_its_owner(demo):
    with demo:
        store = demo.stores.by_slug("demo")
        assert store is not None
        assert (store.name, store.currency, store.timezone) == (
            "Maison Demo",
            "EUR",
            "Europe/Paris",
        )
        owner = demo.stores.staff_user(store.id, DEMO_OWNER_EMAIL)
    assert owner is not None
    assert owner.role == "owner"


def test_every_return_status_appears(demo):
    with demo:
        statuses = set(demo.session.scalars(select(ReturnRow.status).distinct()))
    assert statuses == {status.value for status in ReturnStatus}


def test_return_reasons_are_the_store_defaults(demo):
    with demo:
        reasons = set(demo.session.scalars(select(ReturnLineRow.reason_code).distinct()))
    assert reasons <= {reason.code for reason in DEFAULT_RETURN_REASONS}


def test_nothing_happens_after_the_reference_time(demo):
    with demo:
        latest_event = demo.session.scalars(select(func.max(Event.occurred_at))).one()
        latest_order = demo.session.scalars(select(func.max(OrderRow.placed_at))).one()
    assert latest_event < REFERENCE_TIME
    assert latest_order < REFERENCE_TIME


def test_payments_add_up_to_what_each_order_cost(demo):
    store_id = demo_store_id(demo)
    page = queries.list_orders(demo, store_id, cursor=None, limit=200)
    assert page.items
    for order in page.items:
        lines = sum(
            line.unit_price * line.quantity
            - line.line_discount
            - line.order_discount_allocated
            + line.tax
            for line in order.lines
        )
        total = lines + order.shipping_amount + order.shipping_tax
        assert sum(payment.amount for payment in order.payments) == total, order.number


def test_stock_levels_equal_the_sum_of_movements(demo):
    key = (InventoryMovement.variant_id, InventoryMovement.location_id, InventoryMovement.bucket)
    with demo:
        movements = demo.session.execute(
            select(*key, func.sum(InventoryMovement.quantity)).group_by(*key)
        ).all()
        levels = demo.session.execute(
            select(StockLevel.variant_id, StockLevel.location_id, StockLevel.bucket,
                   StockLevel.quantity)
        ).all()  # fmt: skip
    assert movements
    assert sorted(map(tuple, movements)) == sorted(map(tuple, levels))


def test_seeding_again_changes_nothing(demo):
    before = row_counts(demo)
    assert seed_demo_store(demo, orders=TEST_ORDERS) is False
    assert row_counts(demo) == before


def test_the_demo_api_key_authenticates_and_is_created_once(demo):
    key = demo_api_key(demo)
    assert demo_api_key(demo) == key
    principal = authenticate_api_key(demo, key)
    assert principal.store_id == demo_store_id(demo)
    with demo:
        assert demo.session.scalars(select(func.count()).select_from(ApiKey)).one() == 1


def test_two_seeds_produce_the_same_data(demo, engine):
    first = snapshot(demo)
    empty_all_tables(engine)
    assert seed_demo_store(demo, orders=TEST_ORDERS) is True
    assert snapshot(demo) == first


# -- the money story ------------------------------------------------------------------------


def money_rows(uow: UnitOfWork, *columns: Any) -> list[Any]:
    with uow:
        return list(uow.session.execute(select(*columns)).all())


def events_by_return(uow: UnitOfWork, name: str) -> dict[int, Any]:
    with uow:
        rows = uow.session.execute(
            select(Event.return_id, Event.occurred_at).where(Event.name == name)
        ).all()
    return dict(rows)


def test_the_store_has_the_demo_money_terms(demo):
    settings = asdict(money_settings(demo, demo_store_id(demo)))
    assert {name: settings[name] for name in MONEY_SETTINGS} == MONEY_SETTINGS


def test_refunds_per_method_and_status(demo):
    rows = money_rows(demo, RefundRow.method, RefundRow.status)
    assert Counter(map(tuple, rows)) == {
        ("manual", "succeeded"): 13,
        ("store_credit", "succeeded"): 8,
        ("exchange", "succeeded"): 3,
    }


def test_each_return_shows_the_status_of_its_refunds(demo):
    refunded = {return_id for (return_id,) in money_rows(demo, RefundRow.return_id)}
    rows = money_rows(demo, ReturnRow.id, ReturnRow.status, ReturnRow.refund_status)
    for return_id, _status, refund_status in rows:
        assert refund_status == ("refunded" if return_id in refunded else "none"), return_id
    assert Counter(status for return_id, status, _ in rows if return_id in refunded) == {
        "completed": 22,
        # Exchanges are settled in goods when the parcel is in.
        "received": 1,
        "inspected": 1,
    }


def test_staff_refund_after_inspection_or_approval_and_before_completion(demo):
    inspected = events_by_return(demo, "return.inspected")
    approved = events_by_return(demo, "return.approved")
    completed = events_by_return(demo, "return.completed")
    refunds = money_rows(demo, RefundRow.return_id, RefundRow.method, RefundRow.created_at)
    paid_in_money = [row for row in refunds if row.method != "exchange"]
    assert paid_in_money
    for return_id, _method, created_at in paid_in_money:
        assert inspected.get(return_id, approved[return_id]) < created_at < completed[return_id]


def test_inspected_returns_wait_for_staff_to_refund_them(demo):
    with demo:
        rows = demo.session.execute(
            select(ReturnRow.resolution, ReturnRow.refund_status).where(
                ReturnRow.status == "inspected"
            )
        ).all()
    assert Counter(map(tuple, rows)) == {("refund", "none"): 2, ("exchange", "refunded"): 1}


def test_manual_refunds_name_the_psp_reference_and_goodwill_waives_the_fees(demo):
    with demo:
        manual = demo.session.scalars(
            select(RefundRow).where(RefundRow.method == "manual").order_by(RefundRow.id)
        ).all()
        references = demo.session.scalars(
            select(RefundAllocationRow.provider_reference)
            .join(RefundRow, RefundRow.id == RefundAllocationRow.refund_id)
            .where(RefundRow.method == "manual")
        ).all()
    assert references
    assert all(PSP_REFERENCE.fullmatch(reference) for reference in references)
    adjusted = [
        (refund.adjustment_reason, refund.paid_amount - refund.breakdown["quoted_amount"])
        for refund in manual
        if refund.paid_amount != refund.breakdown["quoted_amount"]
    ]
    # Exactly the fees: 10 % of the items, and 3.95 for the label on the first.
    assert adjusted == [(GOODWILL_REASON, 1053), (GOODWILL_REASON, 461)]
    # Paying back the whole refundable amount waives the fees: none were charged.
    assert [refund.fees_amount for refund in manual if refund.adjustment_reason] == [0, 0]


def test_store_credit_refunds_pay_the_bonus_into_the_shoppers_account(demo):
    with demo:
        rows = demo.session.execute(
            select(RefundRow, StoreCreditEntry, StoreCreditAccount)
            .join(StoreCreditEntry, StoreCreditEntry.refund_id == RefundRow.id)
            .join(StoreCreditAccount, StoreCreditAccount.id == StoreCreditEntry.account_id)
            .where(RefundRow.method == "store_credit")
        ).all()
    assert len(rows) == 8
    for refund, entry, account in rows:
        assert (entry.kind, entry.amount) == ("issue", refund.amount)
        assert refund.provider_reference == account.code
        assert 0 < refund.bonus_amount <= MONEY_SETTINGS["store_credit_bonus_cap"]
        assert entry.expires_at == refund.created_at + timedelta(days=365)


def test_exchanges_per_kind_and_status(demo):
    rows = money_rows(demo, ReplacementOrderRow.kind, ReplacementOrderRow.status)
    assert Counter(map(tuple, rows)) == {
        ("same_product", "draft"): 1,
        ("same_product", "pending"): 2,
        ("same_product", "released"): 1,
        # One cancelled with its return, one whose size sold out.
        ("same_product", "cancelled"): 2,
        ("any_product", "draft"): 1,
        ("any_product", "released"): 1,
        ("any_product", "shipped"): 1,
        ("replacement", "cancelled"): 1,
    }


def test_reserved_stock_is_what_pending_and_released_exchanges_hold(demo):
    with demo:
        held = demo.session.execute(
            select(ReplacementLineRow.variant_id, ReplacementLineRow.quantity)
            .join(ReplacementOrderRow)
            .where(ReplacementOrderRow.status.in_(("pending", "released")))
        ).all()
        reserved = demo.session.execute(
            select(StockLevel.variant_id, StockLevel.quantity).where(
                StockLevel.bucket == "reserved", StockLevel.quantity != 0
            )
        ).all()
    units: dict[int, int] = defaultdict(int)
    for variant_id, quantity in held:
        units[variant_id] += quantity
    assert held
    assert dict(units) == dict(map(tuple, reserved))


def test_the_exchange_whose_size_sold_out_became_store_credit(demo):
    changed = events_by_return(demo, "return.resolution_changed")
    assert len(changed) == 1
    (return_id,) = changed
    with demo:
        ret = demo.session.get_one(ReturnRow, return_id)
        exchange = demo.session.scalars(
            select(ReplacementOrderRow).where(ReplacementOrderRow.return_id == return_id)
        ).one()
        (line,) = exchange.lines
        refund = demo.session.scalars(
            select(RefundRow).where(RefundRow.return_id == return_id)
        ).one()
        sold_out = demo.session.scalars(
            select(InventoryMovement).where(InventoryMovement.note == "stock count: sold out")
        ).one()
    assert (ret.resolution, ret.refund_status) == ("store_credit", "refunded")
    assert (exchange.status, exchange.note) == ("cancelled", f"out of stock: {line.sku} (0 left)")
    assert (refund.method, refund.status) == ("store_credit", "succeeded")
    assert (sold_out.variant_id, sold_out.quantity < 0) == (line.variant_id, True)
    assert sold_out.occurred_at < changed[return_id]


def test_trade_ups_are_released_once_the_shopper_paid_the_balance(demo):
    with demo:
        trade_ups = demo.session.scalars(
            select(ReplacementOrderRow)
            .where(ReplacementOrderRow.kind == "any_product")
            .order_by(ReplacementOrderRow.id)
        ).all()
    settled = [t for t in trade_ups if t.status in ("released", "shipped")]
    assert settled
    for trade_up in settled:
        assert trade_up.balance_due > 0
        assert PSP_REFERENCE.fullmatch(trade_up.balance_paid_reference)
    statuses = [(t.status, t.balance_due > 0, bool(t.tracking_number)) for t in trade_ups]
    assert statuses == [("shipped", True, True), ("released", True, False), ("draft", True, False)]


def test_opening_stock_is_counted_for_every_variant(demo):
    with demo:
        counted = demo.session.execute(
            select(InventoryMovement.variant_id, InventoryMovement.quantity).where(
                InventoryMovement.note == "opening stock",
                InventoryMovement.occurred_at == OPENED_AT,
            )
        ).all()
        variants = demo.session.scalars(select(func.count()).select_from(Variant)).one()
    assert len({variant_id for variant_id, _ in counted}) == len(counted) == variants
    assert sum(quantity for _, quantity in counted) == 1491
    assert min(quantity for _, quantity in counted) >= 1


def test_every_credit_balance_is_the_sum_of_its_entries(demo):
    store_id = demo_store_id(demo)
    with demo:
        accounts = demo.session.scalars(select(StoreCreditAccount)).all()
        entries = demo.session.execute(
            select(StoreCreditEntry.account_id, StoreCreditEntry.kind, StoreCreditEntry.amount)
        ).all()
    sums: dict[int, int] = defaultdict(int)
    issued: dict[int, int] = defaultdict(int)
    for account_id, kind, amount in entries:
        sums[account_id] += amount
        issued[account_id] += amount if kind == "issue" else 0
    for account in accounts:
        balance = credit_balance(demo, store_id, account.code, REFERENCE_TIME)
        statement = customer_statement(demo, store_id, account.customer_email, REFERENCE_TIME)
        assert balance.balance == sums[account.id] == statement.accounts[0].balance
        assert 0 <= balance.spendable <= balance.balance
    assert Counter(kind for _, kind, _ in entries) == {"issue": 8, "redeem": 5, "expire": 2}
    spent = [account.id for account in accounts if sums[account.id] != issued[account.id]]
    assert (len(accounts), len(spent)) == (8, 6)


def test_the_seeded_history_sends_no_mail_or_webhooks(demo):
    with demo:
        statuses = Counter(demo.session.scalars(select(Delivery.status)).all())

    assert statuses["pending"] == 0
    assert statuses["cancelled"] > 0


def test_an_approved_demo_return_gets_a_label_to_the_stores_return_address(demo, settings):
    # Last in this module: it adds a shipment to the shared demo store.
    from retour.domain.shipments import ShipmentMethod
    from retour.services.context import Actor, FixedClock
    from retour.services.shipments.creating import ShipmentRequest, create_shipment
    from retour.shipping.registry import carriers_from_settings

    store_id = demo_store_id(demo)
    with demo:
        approved = demo.session.scalars(
            select(ReturnRow.id)
            .where(ReturnRow.store_id == store_id, ReturnRow.status == "approved")
            .order_by(ReturnRow.id)
            .limit(1)
        ).one()

    outcome = create_shipment(
        demo, carriers_from_settings(settings), store_id, approved,
        ShipmentRequest(ShipmentMethod.PREPAID_LABEL), Actor("staff", "owner@retour.test"),
        FixedClock(REFERENCE_TIME),
    )  # fmt: skip

    shipment = outcome.view.shipment
    assert (shipment.status, shipment.label_status) == ("pre_transit", "issued")
    assert shipment.to_address["postal_code"] == "93400"
    assert shipment.from_address["line1"] and shipment.from_address["city"]


def test_the_demo_shopper_finds_the_newest_order_in_the_portal(demo):
    number, email = demo_shopper(demo)
    access = find_order(
        demo, demo_store_id(demo), LookupRequest(number, email), "127.0.0.1", REFERENCE_TIME
    )
    order = portal_order(demo, access, REFERENCE_TIME)

    with demo:
        newest = demo.session.scalars(
            select(OrderRow).order_by(OrderRow.placed_at.desc()).limit(1)
        ).one()
    assert (order.number, access.order_id) == (newest.number, newest.id)
    assert order.has_returnable_items is True
