"""Exchanges against a real database: choose, reserve, release, ship, cancel, fall back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from retour.db.models import RefundRow, ReplacementOrderRow, Store, StoreCreditEntry, Variant
from retour.domain.errors import IllegalTransition, InvalidRequest, QuantityExceeded
from retour.domain.exchanges import ExchangeKind
from retour.domain.inputs import LineRequest, Receipt
from retour.domain.lines import Resolution, ReturnMethod
from retour.domain.refund_quote import RefundMethod
from retour.payments.registry import NO_PROVIDERS
from retour.services import returns as use_cases
from retour.services.exchanges.choosing import ItemChoice, choose_exchange
from retour.services.exchanges.lifecycle import cancel_exchange, release_exchange, ship_exchange
from retour.services.exchanges.queries import exchange_options
from retour.services.refunds.opening import RefundInstruction, open_refund
from retour.services.stock_adjustments import adjust_stock
from tests.factories import STAFF, import_sample_order, make_store
from tests.support.exchange_steps import exchange_return, names, stock, stocked, variant_id


@pytest.fixture
def store_id(uow, clock):
    return make_store(uow, clock)


@pytest.fixture
def order(uow, store_id, clock):
    """Two linen shirts size M (line 1) and one size L (line 2), 49.00 + 9.80 tax each."""
    return import_sample_order(uow, store_id, clock).order


def test_a_size_swap_is_reserved_on_approval_released_on_receipt_and_shipped(
    uow, store_id, order, clock
):
    stocked(uow, store_id, clock)
    ret = exchange_return(uow, store_id, order, clock)
    size_l = variant_id(uow, store_id, "LINEN-L")

    chosen = choose_exchange(
        uow,
        store_id,
        ret.id,
        ExchangeKind.SAME_PRODUCT,
        [ItemChoice(size_l, 1)],
        STAFF,
        clock.now(),
    )
    assert (chosen.status, chosen.items_amount, chosen.credit_amount, chosen.balance_due) == (
        "draft",
        5880,
        5880,
        0,
    )
    use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now())
    assert stock(uow, store_id) == {("LINEN-L", "reserved"): 1, ("LINEN-L", "sellable"): 2}

    use_cases.receive_return(
        uow, store_id, ret.id, STAFF, clock.now(), [Receipt(ret.lines[0].id, 1)]
    )
    with uow:
        refund = uow.session.scalars(select(RefundRow)).one()
        assert uow.session.scalars(select(StoreCreditEntry)).all() == []  # an even swap
    assert (refund.method, refund.status, refund.paid_amount) == ("exchange", "succeeded", 5880)

    shipped = ship_exchange(uow, store_id, chosen.id, STAFF, clock.now(), "1Z999")
    assert (shipped.status, shipped.tracking_number) == ("shipped", "1Z999")
    assert stock(uow, store_id) == {("LINEN-L", "sellable"): 2}
    # An even swap leaves nothing over: no store credit is issued.
    assert names(uow, ret) == [
        "return.requested",
        "exchange.created",
        "return.approved",
        "exchange.reserved",
        "return.received",
        "exchange.released",
        "refund.succeeded",
        "exchange.shipped",
    ]


def test_the_returned_units_cannot_also_be_refunded_while_exchanged(uow, store_id, order, clock):
    stocked(uow, store_id, clock)
    ret = exchange_return(uow, store_id, order, clock)
    size_l = variant_id(uow, store_id, "LINEN-L")
    choose_exchange(
        uow,
        store_id,
        ret.id,
        ExchangeKind.SAME_PRODUCT,
        [ItemChoice(size_l, 1)],
        STAFF,
        clock.now(),
    )
    use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now())

    with pytest.raises(IllegalTransition) as refused:
        open_refund(
            uow,
            store_id,
            ret.id,
            RefundInstruction(RefundMethod.MANUAL, reference="x"),
            STAFF,
            clock.now(),
            NO_PROVIDERS,
        )

    assert "being exchanged" in refused.value.current_status


def test_more_units_than_in_stock_are_refused_with_what_is_left(uow, store_id, order, clock):
    stocked(uow, store_id, clock, quantity=1)
    ret = exchange_return(uow, store_id, order, clock)
    size_l = variant_id(uow, store_id, "LINEN-L")

    with pytest.raises(QuantityExceeded) as refused:
        choose_exchange(
            uow,
            store_id,
            ret.id,
            ExchangeKind.SAME_PRODUCT,
            [ItemChoice(size_l, 2)],
            STAFF,
            clock.now(),
        )

    assert (refused.value.field, refused.value.maximum) == ("items[0].quantity", 1)


def test_out_of_stock_at_approval_falls_back_to_the_stores_choice(uow, store_id, order, clock):
    stocked(uow, store_id, clock, quantity=1)
    ret = exchange_return(uow, store_id, order, clock)
    size_l = variant_id(uow, store_id, "LINEN-L")
    chosen = choose_exchange(
        uow,
        store_id,
        ret.id,
        ExchangeKind.SAME_PRODUCT,
        [ItemChoice(size_l, 1)],
        STAFF,
        clock.now(),
    )
    adjust_stock(uow, store_id, sku="LINEN-L", quantity=-1, actor=STAFF, now=clock.now())

    approved = use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now())

    assert approved.resolution is Resolution.STORE_CREDIT
    assert [line.resolution for line in approved.lines] == [Resolution.STORE_CREDIT]
    with uow:
        assert uow.session.get(type(chosen), chosen.id).status == "cancelled"
    assert names(uow, ret)[-3:] == [
        "return.approved",
        "exchange.cancelled",
        "return.resolution_changed",
    ]


def test_a_dearer_item_waits_for_the_balance_before_release(uow, store_id, order, clock):
    stocked(uow, store_id, clock, sku="LINEN-L")
    ret = exchange_return(uow, store_id, order, clock)
    with uow:
        uow.session.get(Variant, variant_id(uow, store_id, "LINEN-L")).price = 7000
        uow.commit()
    chosen = choose_exchange(
        uow,
        store_id,
        ret.id,
        ExchangeKind.ANY_PRODUCT,
        [ItemChoice(variant_id(uow, store_id, "LINEN-L"), 1)],
        STAFF,
        clock.now(),
    )
    use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now())
    use_cases.receive_return(
        uow, store_id, ret.id, STAFF, clock.now(), [Receipt(ret.lines[0].id, 1)]
    )

    with pytest.raises(InvalidRequest) as refused:
        release_exchange(uow, store_id, chosen.id, STAFF, clock.now())
    released = release_exchange(uow, store_id, chosen.id, STAFF, clock.now(), "shop order #88")

    assert (chosen.items_amount, chosen.balance_due) == (8400, 8400 - 5880)  # 70.00 + 20 % tax
    assert refused.value.field == "balance_paid_reference"
    assert (released.status, released.balance_paid_reference) == ("released", "shop order #88")


def test_rejecting_the_return_cancels_the_exchange_and_frees_the_stock(uow, store_id, order, clock):
    stocked(uow, store_id, clock)
    ret = exchange_return(uow, store_id, order, clock)
    size_l = variant_id(uow, store_id, "LINEN-L")
    chosen = choose_exchange(
        uow,
        store_id,
        ret.id,
        ExchangeKind.SAME_PRODUCT,
        [ItemChoice(size_l, 2)],
        STAFF,
        clock.now(),
    )
    use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now())
    use_cases.cancel_return(uow, store_id, ret.id, STAFF, clock.now(), "changed my mind")

    assert stock(uow, store_id) == {("LINEN-L", "sellable"): 3}
    with uow:
        assert uow.session.get(type(chosen), chosen.id).status == "cancelled"
    with pytest.raises(IllegalTransition):
        cancel_exchange(uow, store_id, chosen.id, STAFF, clock.now(), "again")


def test_a_damaged_item_claim_sends_a_replacement_without_a_parcel_back(
    uow, store_id, order, clock
):
    stocked(uow, store_id, clock, sku="LINEN-M")
    line = order.lines[0]
    request = use_cases.ReturnRequest(
        order.id,
        [LineRequest(line.id, 1, "damaged")],
        resolution=Resolution.REPLACEMENT,
        return_method=ReturnMethod.KEEP_ITEM,
    )
    ret = use_cases.request_return(uow, store_id, request, STAFF, clock.now())
    chosen = choose_exchange(
        uow, store_id, ret.id, ExchangeKind.REPLACEMENT, [], STAFF, clock.now()
    )

    use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now())

    with uow:
        replacement = uow.session.get(type(chosen), chosen.id)
        assert (replacement.status, replacement.balance_due) == ("released", 0)
        assert [(line.sku, line.quantity) for line in replacement.lines] == [("LINEN-M", 1)]
        refund = uow.session.scalars(select(RefundRow)).one()
    assert (refund.method, refund.paid_amount) == ("exchange", 5880)
    assert stock(uow, store_id) == {("LINEN-M", "reserved"): 1, ("LINEN-M", "sellable"): 2}


def test_the_variant_picker_lists_sizes_with_price_and_stock(uow, store_id, order, clock):
    stocked(uow, store_id, clock, sku="LINEN-L", quantity=4)
    ret = exchange_return(uow, store_id, order, clock)

    options = exchange_options(uow, store_id, ret.id)

    assert [(o.sku, o.unit_price, o.in_stock) for o in options] == [
        ("LINEN-M", 4900, 0),
        ("LINEN-L", 4900, 4),
    ]


def test_exchanges_need_an_exchange_resolution(uow, store_id, order, clock):
    line = order.lines[0]
    ret = use_cases.request_return(
        uow,
        store_id,
        use_cases.ReturnRequest(order.id, [LineRequest(line.id, 1, "too_small")]),
        STAFF,
        clock.now(),
    )

    with pytest.raises(InvalidRequest) as refused:
        choose_exchange(uow, store_id, ret.id, ExchangeKind.SAME_PRODUCT, [], STAFF, clock.now())

    assert refused.value.field == "resolution"


def test_store_settings_can_send_the_leftover_as_a_refund(uow, store_id, order, clock):
    with uow:
        uow.session.get(Store, store_id).exchange_fallback = "refund"
        uow.commit()
    stocked(uow, store_id, clock)
    ret = exchange_return(uow, store_id, order, clock)
    size_l = variant_id(uow, store_id, "LINEN-L")
    with uow:
        uow.session.get(Variant, size_l).price = 4000  # 48.00 with tax: 10.80 cheaper
        uow.commit()
    choose_exchange(
        uow,
        store_id,
        ret.id,
        ExchangeKind.SAME_PRODUCT,
        [ItemChoice(size_l, 1)],
        STAFF,
        clock.now(),
    )
    use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now() + timedelta(hours=1))
    use_cases.receive_return(
        uow, store_id, ret.id, STAFF, clock.now(), [Receipt(ret.lines[0].id, 1)]
    )

    with uow:
        refund = uow.session.scalars(select(RefundRow)).one()
        assert [(a.amount, a.status) for a in refund.allocations] == [(1080, "pending")]
    assert refund.status == "pending"


@pytest.mark.parametrize("case", ["partial_approval", "wrong_item"])
def test_a_parcel_is_received_even_when_the_exchange_now_costs_the_shopper_more(
    uow, store_id, order, clock, case
):
    stocked(uow, store_id, clock)
    units = 2 if case == "partial_approval" else 1
    ret = exchange_return(uow, store_id, order, clock, units=units)
    size_l = variant_id(uow, store_id, "LINEN-L")
    chosen = choose_exchange(
        uow,
        store_id,
        ret.id,
        ExchangeKind.SAME_PRODUCT,
        [ItemChoice(size_l, units)],
        STAFF,
        clock.now(),
    )
    use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now(), {ret.lines[0].id: 1})
    receipt = Receipt(ret.lines[0].id, 1, is_wrong_item=case == "wrong_item")

    received = use_cases.receive_return(uow, store_id, ret.id, STAFF, clock.now(), [receipt])

    with uow:
        waiting = uow.session.get(type(chosen), chosen.id)
        assert (waiting.status, waiting.balance_due) == (
            "pending",
            units * 5880 - (0 if case == "wrong_item" else 5880),
        )
    assert received.status.value == "received"
    assert names(uow, ret)[-1] == "exchange.balance_due"


def test_a_replacement_is_only_for_the_stores_mistakes(uow, store_id, order, clock):
    stocked(uow, store_id, clock, sku="LINEN-M")
    line = order.lines[0]
    request = use_cases.ReturnRequest(
        order.id,
        [LineRequest(line.id, 1, "too_small")],
        resolution=Resolution.REPLACEMENT,
        return_method=ReturnMethod.KEEP_ITEM,
    )
    ret = use_cases.request_return(uow, store_id, request, STAFF, clock.now())

    with pytest.raises(InvalidRequest) as refused:
        choose_exchange(uow, store_id, ret.id, ExchangeKind.REPLACEMENT, [], STAFF, clock.now())

    assert refused.value.extra == {"field": "kind", "line_index": 0}
    assert "reason 'too_small' is not one" in str(refused.value)
    with uow:
        assert uow.session.scalars(select(ReplacementOrderRow)).all() == []
