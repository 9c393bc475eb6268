"""The database keeps one fact row per return (triggers of migration 0014): its order's moment,
status, currency, the shopper's e-mail and the first moment of each milestone event. Every way
the rows are written keeps them equal to what the returns, orders and events say."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select, update

from retour.db.models import (
    Delivery,
    DeliveryAttempt,
    Event,
    OrderLineRow,
    OrderRow,
    ReturnFact,
    ReturnLineRow,
    ReturnRow,
)
from retour.demo.scale import seed_scale_store
from retour.domain.inputs import InspectionInput, Receipt
from retour.domain.lines import Disposition, Grade
from retour.services import returns as use_cases
from tests.factories import STAFF, import_sample_order, make_store
from tests.factories import request_return as request

MILESTONES = {
    "return.approved": "approved_at",
    "return.received": "received_at",
    "return.inspected": "inspected_at",
    "return.completed": "completed_at",
}
COLUMNS = (
    "return_id", "store_id", "order_id", "requested_at", "order_placed_at", "status",
    "currency", "customer_email", "returned_value", "valued_lines", "approved_at",
    "received_at", "inspected_at", "completed_at",
)  # fmt: skip


def facts(uow) -> list[dict]:
    with uow:
        rows = uow.session.scalars(select(ReturnFact).order_by(ReturnFact.return_id))
        return [{name: getattr(row, name) for name in COLUMNS} for row in rows]


def facts_by_hand(uow) -> list[dict]:
    """The same from the returns, their orders and their events, in Python."""
    found = []
    with uow:
        for ret in uow.session.scalars(select(ReturnRow).order_by(ReturnRow.id)):
            order = uow.session.get(OrderRow, ret.order_id)
            value, valued = 0, 0
            for line in ret.lines:
                sold = uow.session.get(OrderLineRow, line.order_line_id)
                if line.order_line_id is None:
                    continue
                valued += 1
                if sold is not None and sold.quantity:
                    net = sold.unit_price * sold.quantity - sold.line_discount
                    value += (
                        line.requested_quantity
                        * (net - sold.order_discount_allocated)
                        // sold.quantity
                    )
            firsts: dict[str, datetime] = {}
            events = uow.session.scalars(select(Event).where(Event.return_id == ret.id))
            for event in events:
                column = MILESTONES.get(event.name)
                if column and (column not in firsts or event.occurred_at < firsts[column]):
                    firsts[column] = event.occurred_at
            found.append({
                "return_id": ret.id, "store_id": ret.store_id, "order_id": ret.order_id,
                "requested_at": ret.created_at, "order_placed_at": order.placed_at,
                "status": ret.status, "currency": ret.currency,
                "customer_email": ret.customer_email, "returned_value": value,
                "valued_lines": valued,
                **{column: firsts.get(column) for column in MILESTONES.values()},
            })  # fmt: skip
    return found


def test_each_milestone_is_the_first_time_the_return_reached_it(uow, clock):
    store_id = make_store(uow, clock)
    order = import_sample_order(uow, store_id, clock).order
    made = request(uow, store_id, order, clock)
    requested_at = clock.now()
    assert facts(uow) == facts_by_hand(uow)
    assert [(f["status"], f["approved_at"]) for f in facts(uow)] == [("requested", None)]

    clock.current += timedelta(hours=5)
    approved = use_cases.approve_return(uow, store_id, made.id, STAFF, clock.now())
    clock.current += timedelta(days=2)
    receipts = [Receipt(line.id, line.approved_quantity) for line in approved.lines]
    use_cases.receive_return(uow, store_id, made.id, STAFF, clock.now(), receipts)
    clock.current += timedelta(hours=3)
    first, second = approved.lines
    use_cases.inspect_return(uow, store_id, made.id, STAFF, clock.now(), [
        InspectionInput(first.id, 2, True, Grade.A, Disposition.RESTOCK),
        InspectionInput(second.id, 1, False, Grade.D, Disposition.DISPOSE, "torn"),
    ])  # fmt: skip
    clock.current += timedelta(hours=1)
    use_cases.complete_return(uow, store_id, made.id, STAFF, clock.now())

    assert facts(uow) == facts_by_hand(uow)
    fact = facts(uow)[0]
    assert (fact["status"], fact["customer_email"]) == ("completed", "shopper@example.com")
    assert (fact["returned_value"], fact["valued_lines"]) == (14700, 2)  # 2 × 49.00 + 49.00
    assert [fact[column] - requested_at for column in MILESTONES.values()] == [
        timedelta(hours=5), timedelta(days=2, hours=5), timedelta(days=2, hours=8),
        timedelta(days=2, hours=9),
    ]  # fmt: skip


def test_writes_outside_the_services_keep_the_facts(uow, clock):
    """Raw events, updates and deletes, as a migration, an import or an operator writes them."""
    store_id = make_store(uow, clock)
    other = make_store(uow, clock, slug="other")
    first = request(uow, store_id, import_sample_order(uow, store_id, clock).order, clock)
    order = import_sample_order(uow, store_id, clock, platform_id="1002").order
    second = request(uow, store_id, order, clock)
    earlier, later = clock.now() - timedelta(hours=1), clock.now() + timedelta(days=1)
    with uow:
        session = uow.session
        session.execute(insert(Event), [  # an approval, then an earlier one; a note is no milestone
            {"store_id": store_id, "name": "return.approved", "actor": "test", "occurred_at": later,
             "return_id": first.id, "payload": {}},
            {"store_id": store_id, "name": "return.approved", "actor": "test",
             "occurred_at": earlier, "return_id": first.id, "payload": {}},
            {"store_id": store_id, "name": "return.note_added", "actor": "test",
             "occurred_at": earlier, "return_id": second.id, "payload": {}},
            {"store_id": store_id, "name": "return.received", "actor": "test",
             "occurred_at": later, "return_id": None, "payload": {}},
        ])  # fmt: skip
        session.execute(  # one unit fewer asked back; the other line's price corrected
            update(ReturnLineRow)
            .where(ReturnLineRow.id == first.lines[0].id)
            .values(requested_quantity=1)
        )
        session.execute(
            update(OrderLineRow).where(OrderLineRow.id == order.lines[1].id).values(unit_price=3900)
        )
        session.execute(
            update(ReturnRow)
            .where(ReturnRow.id == second.id)
            .values(status="cancelled", customer_email="new@example.com", store_id=other)
        )
        session.execute(
            update(OrderRow)
            .where(OrderRow.id == order.id)
            .values(placed_at=datetime(2026, 1, 5, tzinfo=UTC))
        )
        uow.commit()
    assert facts(uow) == facts_by_hand(uow)
    assert [(f["approved_at"], f["status"], f["store_id"]) for f in facts(uow)] == [
        (earlier, "requested", store_id), (None, "cancelled", other),
    ]  # fmt: skip
    assert facts(uow)[1]["order_placed_at"] == datetime(2026, 1, 5, tzinfo=UTC)
    assert [(f["returned_value"], f["valued_lines"]) for f in facts(uow)] == [
        (9800, 2), (2 * 4900 + 3900, 2),
    ]  # fmt: skip

    with uow:
        events = select(Event.id).where(Event.return_id == second.id)
        deliveries = select(Delivery.id).where(Delivery.event_id.in_(events))
        uow.session.execute(
            delete(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(deliveries))
        )
        uow.session.execute(delete(Delivery).where(Delivery.event_id.in_(events)))
        uow.session.execute(delete(Event).where(Event.return_id == second.id))
        uow.session.execute(delete(ReturnLineRow).where(ReturnLineRow.return_id == second.id))
        uow.session.execute(delete(ReturnRow).where(ReturnRow.id == second.id))
        uow.commit()
    assert [fact["return_id"] for fact in facts(uow)] == [first.id]


def test_the_scale_seed_leaves_facts_equal_to_its_returns_and_events(engine, uow):
    """PostgreSQL defers the triggers while it loads and rebuilds at the end; SQLite's write
    the facts row by row."""
    loaded = seed_scale_store(engine, 300, None, slug="bench", name="Bench")
    found = facts(uow)
    assert found == facts_by_hand(uow)
    assert len(found) > 50
    assert {fact["store_id"] for fact in found} == {loaded.store_id}
    assert sum(fact["completed_at"] is not None for fact in found) > 10
