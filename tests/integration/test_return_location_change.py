"""Staff send a return to another of the store's locations before its parcel leaves
(services/returns/location.py): the next label, the receipt and the restock use the new one;
a label already made must be voided first; wrong states, unknown locations and a missing
reason are refused and change nothing (both engines)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from retour.db.models import Event, InventoryLocation, ReturnRow, StockLevel
from retour.domain.addresses import Address
from retour.domain.errors import IllegalTransition, InvalidRequest
from retour.domain.inputs import InspectionInput, Receipt
from retour.domain.lines import Disposition, Grade
from retour.domain.shipments import ShipmentMethod
from retour.services import queries, shipments
from retour.services import returns as use_cases
from retour.services.return_locations import add_return_location
from retour.services.shipments.errors import LabelAddressedElsewhere
from retour.shipping.registry import Carriers
from tests.factories import STAFF, make_store
from tests.support.shipping_steps import approved_return, set_return_address

UK_HUB = Address(
    name="Acme UK Returns", line1="1 Dock Road", city="London", postal_code="E16 2QD",
    country="GB",
)  # fmt: skip
LABEL = shipments.ShipmentRequest(ShipmentMethod.PREPAID_LABEL)


@pytest.fixture
def store_id(uow, clock):
    store_id = make_store(uow, clock)
    set_return_address(uow, store_id)
    add_return_location(uow, store_id, "uk-hub", "UK hub", UK_HUB)
    return store_id


@pytest.fixture
def approved(uow, store_id, clock):
    return approved_return(uow, store_id, clock)


def location_of(uow, return_id: int) -> str:
    with uow:
        return uow.session.scalar(
            select(InventoryLocation.code)
            .join(ReturnRow, ReturnRow.location_id == InventoryLocation.id)
            .where(ReturnRow.id == return_id)
        )


def events(uow, return_id: int) -> list[tuple[str, dict]]:
    with uow:
        rows = uow.session.execute(
            select(Event.name, Event.payload).where(Event.return_id == return_id).order_by(Event.id)
        )
        return [(name, payload) for name, payload in rows]


def move(uow, store_id, ret, clock, code="uk-hub", reason="the Berlin hub is full"):
    return use_cases.change_return_location(uow, store_id, ret.id, STAFF, clock.now(), code, reason)


def test_a_moved_return_is_labelled_received_and_restocked_at_its_new_location(
    uow, store_id, approved, clock
):
    assert location_of(uow, approved.id) == "returns"

    moved = move(uow, store_id, approved, clock)

    assert moved.status.value == "approved"
    assert location_of(uow, approved.id) == "uk-hub"
    name, payload = events(uow, approved.id)[-1]
    assert (name, payload["from"], payload["to"], payload["reason"]) == (
        "return.location_changed", "returns", "uk-hub", "the Berlin hub is full",
    )  # fmt: skip
    label = shipments.create_shipment(
        uow, Carriers(), store_id, approved.id, LABEL, STAFF, clock,
        shipments.IdempotencyKey("label-1", "body"),
    ).view.shipment  # fmt: skip
    assert (label.to_address["line1"], label.to_address["country"]) == ("1 Dock Road", "GB")
    line = approved.lines[0]
    use_cases.receive_return(uow, store_id, approved.id, STAFF, clock.now(), [Receipt(line.id, 1)])
    use_cases.inspect_return(
        uow, store_id, approved.id, STAFF, clock.now(),
        [InspectionInput(line.id, 1, True, Grade.A, Disposition.RESTOCK)],
    )  # fmt: skip
    with uow:
        stock = uow.session.execute(
            select(InventoryLocation.code, StockLevel.bucket, StockLevel.quantity)
            .join(StockLevel, StockLevel.location_id == InventoryLocation.id)
            .where(StockLevel.variant_id == line.variant_id)
        ).all()
    assert [tuple(row) for row in stock] == [("uk-hub", "sellable", 1)]


def test_a_label_addressed_to_the_old_location_must_be_voided_first(uow, store_id, approved, clock):
    label = shipments.create_shipment(
        uow, Carriers(), store_id, approved.id, LABEL, STAFF, clock,
        shipments.IdempotencyKey("label-1", "body"),
    ).view.shipment  # fmt: skip
    before = events(uow, approved.id)

    with pytest.raises(LabelAddressedElsewhere) as refused:
        move(uow, store_id, approved, clock)

    assert str(refused.value) == (
        f"return {approved.number} has shipment {label.id} addressed to returns; "
        "void it first, then make a new one for the new location"
    )
    assert (location_of(uow, approved.id), events(uow, approved.id)) == ("returns", before)
    shipments.void_shipment(uow, Carriers(), store_id, label.id, STAFF, clock)
    move(uow, store_id, approved, clock)
    assert location_of(uow, approved.id) == "uk-hub"


def test_a_return_on_its_way_or_received_stays_where_it_goes(uow, store_id, approved, clock):
    use_cases.mark_return_in_transit(uow, store_id, approved.id, STAFF, clock.now(), "1Z999")

    with pytest.raises(IllegalTransition) as refused:
        move(uow, store_id, approved, clock)

    assert str(refused.value) == (
        "cannot change the return location of a return that is in_transit"
    )
    assert location_of(uow, approved.id) == "returns"


@pytest.mark.parametrize(
    ("code", "reason", "field", "message"),
    [
        ("nowhere", "full", "location", "no return location 'nowhere'; one of: returns, uk-hub"),
        ("returns", "full", "location", "the return already goes to returns"),
        ("uk-hub", "  ", "reason", "reason must not be empty"),
    ],
)
def test_bad_input_names_its_field_and_changes_nothing(
    uow, store_id, approved, clock, code, reason, field, message
):
    before = events(uow, approved.id)

    with pytest.raises(InvalidRequest) as refused:
        move(uow, store_id, approved, clock, code=code, reason=reason)

    assert (refused.value.field, str(refused.value)) == (field, message)
    assert (location_of(uow, approved.id), events(uow, approved.id)) == ("returns", before)
    assert queries.get_return(uow, store_id, approved.id).updated_at == approved.updated_at
