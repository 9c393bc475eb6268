"""Editing approved quantities against a real database: the event, the quote afterwards, the
refusals (nothing written), and an exchange's reserved stock following the new units."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from retour.db.models import Event, InventoryMovement, ReplacementOrderRow
from retour.domain.errors import IllegalTransition, InvalidRequest, QuantityExceeded
from retour.domain.exchanges import ExchangeKind
from retour.domain.inputs import LineRequest, Receipt
from retour.domain.lines import Resolution
from retour.domain.refund_quote import QuoteMethod, RefundMethod
from retour.domain.statuses import ReturnStatus
from retour.services import returns as use_cases
from retour.services.exchanges.choosing import ItemChoice, choose_exchange
from retour.services.refunds.opening import RefundInstruction, open_refund
from retour.services.refunds.quoting import quote_return_refund
from tests.factories import STAFF, import_sample_order, make_store, request_return
from tests.support.exchange_steps import exchange_return, names, stock, stocked, variant_id

WHY = "the shopper keeps one shirt"


@pytest.fixture
def store_id(uow, clock):
    return make_store(uow, clock)


@pytest.fixture
def order(uow, store_id, clock):
    """Two linen shirts size M (line 1) and one size L (line 2), 49.00 + 9.80 tax each."""
    return import_sample_order(uow, store_id, clock).order


@pytest.fixture
def approved_return(uow, store_id, order, clock):
    """Both M shirts and the L shirt, approved."""
    ret = request_return(uow, store_id, order, clock, quantities=(2, 1))
    return use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now())


def edit(uow, store_id, ret, clock, quantities, reason=WHY):
    return use_cases.edit_return_quantities(
        uow, store_id, ret.id, STAFF, clock.now(), quantities, reason
    )


def approved_units(uow, store_id, ret):
    with uow:
        return [line.approved_quantity for line in uow.returns.view(store_id, ret.id).lines]


def test_lowering_a_line_keeps_the_event_with_old_and_new_units_and_lowers_the_quote(
    uow, store_id, approved_return, clock
):
    ret = approved_return
    before = quote_return_refund(uow, store_id, ret.id)
    assert before.methods[QuoteMethod.ORIGINAL_PAYMENT].paid_amount == 3 * 5880

    edited = edit(uow, store_id, ret, clock, {ret.lines[0].id: 1})

    assert edited.status is ReturnStatus.APPROVED
    assert approved_units(uow, store_id, ret) == [1, 1]
    with uow:
        event = uow.session.scalars(select(Event).order_by(Event.id.desc()).limit(1)).one()
        assert (event.name, event.actor, event.return_id) == (
            "return.quantities_changed",
            "staff:ann@acme.test",
            ret.id,
        )
        assert event.payload == {
            "number": ret.number,
            "status": "approved",
            "lines": [{"line_id": ret.lines[0].id, "sku": "LINEN-M", "from": 2, "to": 1}],
            "reason": WHY,
        }
    after = quote_return_refund(uow, store_id, ret.id)
    assert [(line.return_line_id, line.units) for line in after.lines] == [
        (ret.lines[0].id, 1),
        (ret.lines[1].id, 1),
    ]
    assert (after.items_amount, after.tax_amount) == (2 * 4900, 2 * 980)
    assert after.methods[QuoteMethod.ORIGINAL_PAYMENT].paid_amount == 2 * 5880


def test_a_line_with_a_refund_is_refused_and_nothing_is_written(
    uow, store_id, approved_return, clock
):
    ret = approved_return
    open_refund(
        uow, store_id, ret.id, RefundInstruction(RefundMethod.MANUAL, reference="till 4"),
        STAFF, clock.now(), None,
    )  # fmt: skip
    events_before = names(uow, ret)

    with pytest.raises(InvalidRequest) as refused:
        edit(uow, store_id, ret, clock, {ret.lines[0].id: 1})

    assert refused.value.field == "lines[0].quantity"
    assert str(refused.value).startswith(
        f"line {ret.lines[0].id} (LINEN-M): 2 unit(s) are refunded or being refunded"
    )
    assert approved_units(uow, store_id, ret) == [2, 1]
    assert names(uow, ret) == events_before


def test_below_what_was_received_is_refused(uow, store_id, approved_return, clock):
    ret = approved_return
    use_cases.receive_return(
        uow, store_id, ret.id, STAFF, clock.now(), [Receipt(ret.lines[0].id, 1)]
    )

    with pytest.raises(InvalidRequest) as refused:
        edit(uow, store_id, ret, clock, {ret.lines[0].id: 0})

    assert refused.value.field == "lines[0].quantity"
    assert refused.value.extra["minimum"] == 1
    assert approved_units(uow, store_id, ret) == [2, 1]


def test_every_line_at_zero_is_refused(uow, store_id, approved_return, clock):
    ret = approved_return

    with pytest.raises(InvalidRequest, match="reject or cancel it instead") as refused:
        edit(uow, store_id, ret, clock, {ret.lines[0].id: 0, ret.lines[1].id: 0})

    assert refused.value.field == "lines"
    assert approved_units(uow, store_id, ret) == [2, 1]


def test_a_requested_return_is_refused_naming_its_status(uow, store_id, order, clock):
    ret = request_return(uow, store_id, order, clock)

    with pytest.raises(IllegalTransition) as refused:
        edit(uow, store_id, ret, clock, {ret.lines[0].id: 1})

    assert refused.value.current_status == "requested"


def test_lowering_the_last_awaited_line_receives_the_return(uow, store_id, approved_return, clock):
    ret = approved_return
    use_cases.receive_return(
        uow, store_id, ret.id, STAFF, clock.now(), [Receipt(ret.lines[0].id, 2)]
    )

    edited = edit(uow, store_id, ret, clock, {ret.lines[1].id: 0}, "the L shirt stays home")

    assert edited.status is ReturnStatus.RECEIVED
    assert approved_units(uow, store_id, ret) == [2, 0]
    assert names(uow, ret)[-1] == "return.quantities_changed"


def test_raising_back_up_takes_only_units_no_other_return_holds(uow, store_id, order, clock):
    first = request_return(uow, store_id, order, clock, quantities=(2, 0))
    line_id = first.lines[0].id
    use_cases.approve_return(uow, store_id, first.id, STAFF, clock.now(), {line_id: 1})
    second = request_return(uow, store_id, order, clock, quantities=(1, 0))

    with pytest.raises(QuantityExceeded) as refused:
        edit(uow, store_id, first, clock, {line_id: 2}, "approved one too few")
    assert refused.value.maximum == 1

    use_cases.cancel_return(uow, store_id, second.id, STAFF, clock.now())
    edit(uow, store_id, first, clock, {line_id: 2}, "approved one too few")
    assert approved_units(uow, store_id, first) == [2]


def test_an_exchange_gives_back_exactly_the_units_it_no_longer_sends(uow, store_id, order, clock):
    stocked(uow, store_id, clock, quantity=3)
    ret = exchange_return(uow, store_id, order, clock, units=2)
    size_l = variant_id(uow, store_id, "LINEN-L")
    chosen = choose_exchange(
        uow, store_id, ret.id, ExchangeKind.SAME_PRODUCT, [ItemChoice(size_l, 2)],
        STAFF, clock.now(),
    )  # fmt: skip
    use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now())
    assert stock(uow, store_id) == {("LINEN-L", "reserved"): 2, ("LINEN-L", "sellable"): 1}

    edit(uow, store_id, ret, clock, {ret.lines[0].id: 1})

    assert stock(uow, store_id) == {("LINEN-L", "reserved"): 1, ("LINEN-L", "sellable"): 2}
    with uow:
        replacement = uow.session.get(ReplacementOrderRow, chosen.id)
        assert [(line.sku, line.quantity) for line in replacement.lines] == [("LINEN-L", 1)]
        assert (replacement.status, replacement.items_amount, replacement.credit_amount) == (
            "pending",
            5880,
            5880,
        )
        assert replacement.balance_due == 0
        moves = uow.session.scalars(
            select(InventoryMovement)
            .where(InventoryMovement.cause == "exchange.reduced")
            .order_by(InventoryMovement.id)
        ).all()
        assert [(m.bucket, m.quantity) for m in moves] == [("reserved", -1), ("sellable", 1)]
        reduced = uow.session.scalars(select(Event).where(Event.name == "exchange.reduced")).one()
        assert reduced.payload["released"] == [{"sku": "LINEN-L", "quantity": 1}]
        assert reduced.payload["items"] == [{"sku": "LINEN-L", "quantity": 1, "unit_price": 4900}]
    assert names(uow, ret)[-2:] == ["return.quantities_changed", "exchange.reduced"]


def test_an_exchange_holding_stock_cannot_be_raised(uow, store_id, order, clock):
    stocked(uow, store_id, clock, quantity=3)
    request = use_cases.ReturnRequest(
        order.id, [LineRequest(order.lines[0].id, 2, "too_small")], Resolution.EXCHANGE
    )
    ret = use_cases.request_return(uow, store_id, request, STAFF, clock.now())
    line_id = ret.lines[0].id
    use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now(), {line_id: 1})
    size_l = variant_id(uow, store_id, "LINEN-L")
    choose_exchange(
        uow, store_id, ret.id, ExchangeKind.SAME_PRODUCT, [ItemChoice(size_l, 1)],
        STAFF, clock.now(),
    )  # fmt: skip

    with pytest.raises(InvalidRequest, match="quantities can only go down"):
        edit(uow, store_id, ret, clock, {line_id: 2})

    assert stock(uow, store_id) == {("LINEN-L", "reserved"): 1, ("LINEN-L", "sellable"): 2}


def test_a_replacement_sends_each_variants_new_units(uow, store_id, order, clock):
    stocked(uow, store_id, clock, sku="LINEN-M", quantity=2)
    request = use_cases.ReturnRequest(
        order.id, [LineRequest(order.lines[0].id, 2, "damaged")], Resolution.REPLACEMENT
    )
    ret = use_cases.request_return(uow, store_id, request, STAFF, clock.now())
    choose_exchange(uow, store_id, ret.id, ExchangeKind.REPLACEMENT, [], STAFF, clock.now())
    use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now())
    assert stock(uow, store_id) == {("LINEN-M", "reserved"): 2}

    edit(uow, store_id, ret, clock, {ret.lines[0].id: 1})

    assert stock(uow, store_id) == {("LINEN-M", "reserved"): 1, ("LINEN-M", "sellable"): 1}
    with uow:
        replacement = uow.session.scalars(select(ReplacementOrderRow)).one()
        assert [(line.sku, line.quantity) for line in replacement.lines] == [("LINEN-M", 1)]
        assert (replacement.items_amount, replacement.credit_amount) == (5880, 5880)


def test_an_any_product_exchange_refuses_the_edit_until_chosen_again(uow, store_id, order, clock):
    stocked(uow, store_id, clock, quantity=3)
    ret = exchange_return(uow, store_id, order, clock, units=2)
    size_l = variant_id(uow, store_id, "LINEN-L")
    choose_exchange(
        uow, store_id, ret.id, ExchangeKind.ANY_PRODUCT, [ItemChoice(size_l, 2)],
        STAFF, clock.now(),
    )  # fmt: skip
    use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now())

    with pytest.raises(InvalidRequest, match="against its value") as refused:
        edit(uow, store_id, ret, clock, {ret.lines[0].id: 1})

    assert refused.value.field == "lines"
    assert approved_units(uow, store_id, ret) == [2]
    assert stock(uow, store_id) == {("LINEN-L", "reserved"): 2, ("LINEN-L", "sellable"): 1}
