"""Use cases against a real database: the whole lifecycle, stock and timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from retour.db.models import Event, InventoryMovement, ReturnRow, StockLevel
from retour.domain.errors import IllegalTransition, InvalidRequest, QuantityExceeded
from retour.domain.inputs import InspectionInput, LineRequest, Receipt, UnexpectedItem
from retour.domain.lines import Disposition, Grade
from retour.domain.statuses import ReturnStatus
from retour.services import queries
from retour.services import returns as use_cases
from retour.services.errors import NotFound
from tests.factories import STAFF, import_sample_order, make_store
from tests.factories import request_return as request


@pytest.fixture
def store_id(uow, clock):
    return make_store(uow, clock)


@pytest.fixture
def order(uow, store_id, clock):
    return import_sample_order(uow, store_id, clock).order


@pytest.fixture
def requested_return(uow, store_id, order, clock):
    return request(uow, store_id, order, clock)


@pytest.fixture
def approved_return(uow, store_id, requested_return, clock):
    return use_cases.approve_return(uow, store_id, requested_return.id, STAFF, clock.now())


@pytest.fixture
def received_return(uow, store_id, approved_return, clock):
    receipts = [Receipt(line.id, line.approved_quantity) for line in approved_return.lines]
    return use_cases.receive_return(uow, store_id, approved_return.id, STAFF, clock.now(), receipts)


def stock(uow, store_id):
    return {(row.sku, row.bucket): row.quantity for row in queries.stock_levels(uow, store_id)}


def test_full_lifecycle_moves_stock_and_writes_the_timeline(uow, store_id, received_return, clock):
    first, second = received_return.lines
    inspected = use_cases.inspect_return(
        uow, store_id, received_return.id, STAFF, clock.now(),
        [
            InspectionInput(first.id, 2, True, Grade.A, Disposition.RESTOCK),
            InspectionInput(second.id, 1, False, Grade.D, Disposition.DISPOSE, "torn"),
        ],
    )  # fmt: skip
    assert inspected.status is ReturnStatus.INSPECTED
    completed = use_cases.complete_return(uow, store_id, received_return.id, STAFF, clock.now())
    assert completed.status is ReturnStatus.COMPLETED

    assert stock(uow, store_id) == {("LINEN-M", "sellable"): 2, ("LINEN-L", "written_off"): 1}
    events = queries.return_events(uow, store_id, received_return.id)
    assert [e.name for e in events] == [
        "return.requested", "return.approved", "return.received", "return.inspected",
        "return.completed",
    ]  # fmt: skip
    assert {e.actor for e in events} == {"staff:ann@acme.test"}
    requested_lines = events[0].payload["lines"]
    assert [line["line_id"] for line in requested_lines] == [first.id, second.id]
    reread = queries.get_return(uow, store_id, received_return.id)
    assert [(line.accepted_quantity, line.rejected_quantity) for line in reread.lines] == [
        (2, 0),
        (0, 1),
    ]


def test_stock_levels_equal_the_sum_of_movements(uow, store_id, received_return, clock):
    first, second = received_return.lines
    for line, quantity, disposition in [
        (first, 1, Disposition.RESTOCK),
        (first, 1, Disposition.REFURBISH),
        (second, 1, Disposition.RESTOCK),
    ]:
        use_cases.inspect_return(
            uow, store_id, received_return.id, STAFF, clock.now(),
            [InspectionInput(line.id, quantity, True, Grade.B, disposition)],
        )  # fmt: skip
    with uow:
        movements = uow.session.execute(
            select(InventoryMovement.variant_id, InventoryMovement.bucket,
                   func.sum(InventoryMovement.quantity))
            .group_by(InventoryMovement.variant_id, InventoryMovement.bucket)
        ).all()  # fmt: skip
        levels = uow.session.execute(
            select(StockLevel.variant_id, StockLevel.bucket, StockLevel.quantity)
        ).all()
    assert sorted(movements) == sorted(levels)
    assert stock(uow, store_id) == {
        ("LINEN-L", "sellable"): 1, ("LINEN-M", "refurb"): 1, ("LINEN-M", "sellable"): 1,
    }  # fmt: skip


def test_a_second_return_only_gets_what_the_first_does_not_hold(
    uow, store_id, order, requested_return, clock
):
    with pytest.raises(QuantityExceeded) as refused:
        request(uow, store_id, order, clock, quantities=(1, 0))
    assert refused.value.maximum == 0
    assert refused.value.field == "lines[0].quantity"
    use_cases.cancel_return(uow, store_id, requested_return.id, STAFF, clock.now())
    again = request(uow, store_id, order, clock, quantities=(2, 1))
    assert again.status is ReturnStatus.REQUESTED
    # Numbers follow the row id: increasing, unique, with a gap where a request was refused.
    assert again.number == f"R-{100000 + again.id}"
    assert again.number > requested_return.number


def test_only_fulfilled_units_can_be_returned(uow, store_id, clock):
    order = import_sample_order(
        uow, store_id, clock, platform_id="2002", quantities=(3,), fulfilled=(1,)
    ).order
    with pytest.raises(QuantityExceeded) as refused:
        request(uow, store_id, order, clock, quantities=(2,))
    assert refused.value.maximum == 1
    with uow:
        assert uow.session.scalar(select(func.count()).select_from(ReturnRow)) == 0
        assert uow.session.scalar(select(func.count()).where(Event.return_id.is_not(None))) == 0


def test_unknown_reason_is_refused_naming_the_field(uow, store_id, order, clock):
    with pytest.raises(InvalidRequest) as refused:
        use_cases.request_return(
            uow, store_id,
            use_cases.ReturnRequest(order.id, [LineRequest(order.lines[0].id, 1, "boredom")]),
            STAFF, clock.now(),
        )  # fmt: skip
    assert refused.value.field == "lines[0].reason_code"


def test_partial_approval_then_over_receipt_names_the_maximum(
    uow, store_id, requested_return, clock
):
    first, _second = requested_return.lines
    approved = use_cases.approve_return(
        uow, store_id, requested_return.id, STAFF, clock.now(), {first.id: 1}
    )
    assert [line.approved_quantity for line in approved.lines] == [1, 0]
    assert approved.expires_at == clock.now() + timedelta(days=30)
    with pytest.raises(QuantityExceeded) as refused:
        use_cases.receive_return(
            uow, store_id, approved.id, STAFF, clock.now(), [Receipt(first.id, 2)]
        )
    assert refused.value.maximum == 1
    assert queries.get_return(uow, store_id, approved.id).lines[0].received_quantity == 0


def test_wrong_items_and_unexpected_extras_are_recorded(uow, store_id, approved_return, clock):
    first, second = approved_return.lines
    received = use_cases.receive_return(
        uow, store_id, approved_return.id, STAFF, clock.now(),
        [Receipt(first.id, 2, is_wrong_item=True), Receipt(second.id, 1)],
        [UnexpectedItem(sku="LINEN-S", title="", quantity=1, note="extra in the box")],
    )  # fmt: skip
    assert received.status is ReturnStatus.RECEIVED
    extra = received.lines[2]
    assert (extra.sku, extra.is_unexpected, extra.received_quantity) == ("LINEN-S", True, 1)
    assert extra.variant_id is None
    assert received.lines[0].wrong_item_quantity == 2


def test_illegal_transition_changes_nothing(uow, store_id, requested_return, clock):
    with pytest.raises(IllegalTransition, match="that is requested"):
        use_cases.receive_return(
            uow, store_id, requested_return.id, STAFF, clock.now(),
            [Receipt(requested_return.lines[0].id, 1)],
        )  # fmt: skip
    assert [e.name for e in queries.return_events(uow, store_id, requested_return.id)] == [
        "return.requested"
    ]


def test_another_stores_return_is_not_found(uow, store_id, requested_return, clock):
    other_store = make_store(uow, clock, slug="other")
    with pytest.raises(NotFound):
        use_cases.approve_return(uow, other_store, requested_return.id, STAFF, clock.now())
    assert queries.get_return(uow, store_id, requested_return.id).status is ReturnStatus.REQUESTED


def test_expiry_closes_only_overdue_returns(uow, store_id, approved_return, order, clock):
    assert use_cases.expire_overdue_returns(uow, clock.now() + timedelta(days=29)) == 0
    assert use_cases.expire_overdue_returns(uow, clock.now() + timedelta(days=30)) == 1
    assert use_cases.expire_overdue_returns(uow, clock.now() + timedelta(days=31)) == 0
    expired = queries.get_return(uow, store_id, approved_return.id)
    assert expired.status is ReturnStatus.EXPIRED
    # Expired returns release their hold on the order.
    assert request(uow, store_id, order, clock).status is ReturnStatus.REQUESTED
