"""Making, replaying, refusing and voiding labels, against the database (both engines)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from retour.db.models import Event, ShipmentRow
from retour.domain.addresses import Address
from retour.domain.errors import IllegalTransition, InvalidRequest
from retour.domain.inputs import LineRequest
from retour.domain.lines import Resolution, ReturnMethod
from retour.domain.shipments import ShipmentMethod
from retour.domain.statuses import ReturnStatus
from retour.services import queries, returns, shipments
from retour.services.errors import AlreadyDone, IdempotencyMismatch, NotFound
from retour.services.shipments.errors import LabelUnavailable, ShipmentExists
from retour.services.store_settings import update_money_settings
from retour.shipping.base import DocumentKind
from retour.shipping.registry import Carriers
from tests.factories import STAFF, import_sample_order, make_store
from tests.support.barcodes import pdf_barcodes
from tests.support.shipping_steps import (
    SHIPPED_TO,
    WAREHOUSE,
    approved_return,
    set_return_address,
    shipping_rows,
)

LABEL = shipments.ShipmentRequest(ShipmentMethod.PREPAID_LABEL)
NOTHING = {"shipments": 0, "documents": 0, "events": 0, "keys": 0}


@pytest.fixture
def store_id(uow, clock):
    store_id = make_store(uow, clock)
    set_return_address(uow, store_id)
    return store_id


@pytest.fixture
def approved(uow, store_id, clock):
    return approved_return(uow, store_id, clock)


def create(uow, store_id, return_id, clock, request=LABEL, key=None, carriers=None):
    idempotency = shipments.IdempotencyKey(key, f"body-of-{key}") if key else None
    return shipments.create_shipment(
        uow, carriers or Carriers(), store_id, return_id, request, STAFF, clock, idempotency
    )


def test_a_label_for_an_approved_return_goes_from_the_order_address_to_the_warehouse(
    uow, store_id, approved, clock
):
    update_money_settings(uow, store_id, {"label_cost": 450})

    outcome = create(uow, store_id, approved.id, clock)

    shipment = outcome.view.shipment
    assert outcome.replayed is False
    assert (shipment.carrier, shipment.service, shipment.method, shipment.parcels) == (
        "builtin", "standard", "prepaid_label", 1,
    )  # fmt: skip
    assert (shipment.status, shipment.label_status, outcome.view.label_unavailable) == (
        "pre_transit", "issued", None,
    )  # fmt: skip
    assert shipment.tracking_number == f"RT{shipment.id:010d}" + shipment.tracking_number[-1]
    assert (shipment.label_cost, shipment.currency) == (450, "EUR")
    assert shipment.label_formats == ["label_pdf", "label_zpl"]
    assert shipment.qr_payload == f"RETOUR:{shipment.tracking_number}:{approved.number}"
    assert shipment.from_address == SHIPPED_TO
    assert shipment.to_address == WAREHOUSE
    assert shipment.created_at == clock.now()
    assert shipment.expires_at == clock.now() + timedelta(days=30)
    assert queries.get_return(uow, store_id, approved.id).status is ReturnStatus.APPROVED
    events = queries.return_events(uow, store_id, approved.id)
    assert [event.name for event in events][-1] == "shipment.created"
    assert events[-1].payload == {
        "number": approved.number, "shipment_id": shipment.id, "carrier": "builtin",
        "service": "standard", "method": "prepaid_label",
        "tracking_number": shipment.tracking_number,
        "tracking_numbers": [shipment.tracking_number], "parcels": 1, "label_cost": 450,
        "currency": "EUR", "expires_at": (clock.now() + timedelta(days=30)).isoformat(),
    }  # fmt: skip
    assert (events[-1].actor, events[-1].order_id) == (str(STAFF), approved.order_id)


def test_the_stored_label_scans_as_its_tracking_number(uow, store_id, approved, clock):
    shipment = create(uow, store_id, approved.id, clock).view.shipment

    pdf = shipments.shipment_document(
        uow, store_id, shipment.id, DocumentKind.LABEL_PDF, clock.now()
    )

    assert pdf_barcodes(pdf) == [
        {("Code128", shipment.tracking_number), ("QRCode", shipment.qr_payload)}
    ]


def test_the_same_key_twice_makes_one_shipment(uow, store_id, approved, clock):
    first = create(uow, store_id, approved.id, clock, key="label-1")
    again = create(uow, store_id, approved.id, clock, key="label-1")

    assert again.replayed is True
    assert again.view.shipment.id == first.view.shipment.id
    assert again.view.shipment.tracking_number == first.view.shipment.tracking_number
    assert shipping_rows(uow) == {"shipments": 1, "documents": 2, "events": 1, "keys": 1}


def test_the_same_key_with_another_request_is_refused_and_changes_nothing(
    uow, store_id, approved, clock
):
    create(uow, store_id, approved.id, clock, key="label-1")
    before = shipping_rows(uow)

    with pytest.raises(IdempotencyMismatch):
        shipments.create_shipment(
            uow, Carriers(), store_id, approved.id, LABEL, STAFF, clock,
            shipments.IdempotencyKey("label-1", "another body"),
        )  # fmt: skip

    assert shipping_rows(uow) == before


@pytest.mark.parametrize("status", ["requested", "rejected"])
def test_a_return_that_is_not_approved_is_refused_naming_its_status(uow, store_id, clock, status):
    order = import_sample_order(uow, store_id, clock).order
    request = returns.ReturnRequest(order.id, [returns_line(order)])
    ret = returns.request_return(uow, store_id, request, STAFF, clock.now())
    if status == "rejected":
        returns.reject_return(uow, store_id, ret.id, STAFF, clock.now(), "worn")

    with pytest.raises(IllegalTransition) as refused:
        create(uow, store_id, ret.id, clock, key="k")

    assert (refused.value.action, refused.value.current_status) == ("ship", status)
    assert refused.value.detail == f"cannot ship a return that is {status}"
    assert shipping_rows(uow) == NOTHING


def returns_line(order):
    return LineRequest(order.lines[0].id, 1, "too_small")


def test_a_keep_item_return_ships_nothing(uow, store_id, clock):
    order = import_sample_order(uow, store_id, clock).order
    request = returns.ReturnRequest(
        order.id, [returns_line(order)], Resolution.KEEP_ITEM, ReturnMethod.KEEP_ITEM
    )
    ret = returns.request_return(uow, store_id, request, STAFF, clock.now())
    returns.approve_return(uow, store_id, ret.id, STAFF, clock.now())

    with pytest.raises(IllegalTransition) as refused:
        create(uow, store_id, ret.id, clock)

    assert refused.value.current_status == "a keep-item return"
    assert shipping_rows(uow) == NOTHING


def test_a_bad_ship_from_address_is_refused_naming_the_field(uow, store_id, approved, clock):
    given = Address(**{**SHIPPED_TO, "postal_code": "7501"})

    with pytest.raises(InvalidRequest) as refused:
        create(uow, store_id, approved.id, clock, shipments.ShipmentRequest(
            ShipmentMethod.PREPAID_LABEL, from_address=given), key="k")  # fmt: skip

    assert (refused.value.field, refused.value.detail) == (
        "from_address.postal_code",
        "'7501' is not a FR postal code (e.g. 75011)",
    )
    assert shipping_rows(uow) == NOTHING


def test_an_order_without_a_usable_address_asks_for_one(uow, store_id, clock):
    no_street = approved_return(uow, store_id, clock, line1="")
    with pytest.raises(InvalidRequest) as missing:
        create(uow, store_id, no_street.id, clock)

    assert (missing.value.field, missing.value.detail) == (
        "from_address",
        "the order's shipping address has no street: send from_address",
    )
    assert shipping_rows(uow) == NOTHING


def test_an_order_address_that_fails_its_country_rules_names_the_field(uow, store_id, clock):
    wrong = approved_return(uow, store_id, clock, country="us", postal_code="75011")

    with pytest.raises(InvalidRequest) as refused:
        create(uow, store_id, wrong.id, clock)

    assert (refused.value.field, refused.value.detail) == (
        "from_address.region",
        "the order's shipping address: a state or province is required in US; send from_address",
    )


def test_a_given_ship_from_address_replaces_the_orders(uow, store_id, approved, clock):
    given = Address(name="Sam at work", line1="1 Main St", city="New York", region="ny",
                    postal_code="10001", country="us")  # fmt: skip

    shipment = create(uow, store_id, approved.id, clock, shipments.ShipmentRequest(
        ShipmentMethod.QR_DROP_OFF, parcels=2, from_address=given)).view.shipment  # fmt: skip

    assert shipment.from_address == {
        "name": "Sam at work", "company": "", "line1": "1 Main St", "line2": "",
        "city": "New York", "region": "NY", "postal_code": "10001", "country": "US",
        "phone": "",
    }  # fmt: skip
    assert (shipment.method, shipment.parcels) == ("qr_drop_off", 2)
    assert shipment.label_formats == ["label_pdf", "label_zpl", "qr_png"]


def test_a_store_without_a_return_address_is_told_to_set_one(uow, clock):
    store_id = make_store(uow, clock, slug="bare")
    ret = approved_return(uow, store_id, clock)

    with pytest.raises(InvalidRequest) as refused:
        create(uow, store_id, ret.id, clock)

    assert (refused.value.field, refused.value.detail) == (
        "return_address",
        "the store has no return address yet: set it with PATCH /api/v1/settings/shipping",
    )
    assert shipping_rows(uow) == NOTHING


def test_one_live_label_per_return_void_it_to_reissue(uow, store_id, approved, clock):
    first = create(uow, store_id, approved.id, clock).view.shipment

    with pytest.raises(ShipmentExists) as refused:
        create(uow, store_id, approved.id, clock)
    assert refused.value.extra == {"shipment_id": first.id}

    voided = shipments.void_shipment(uow, Carriers(), store_id, first.id, STAFF, clock, "lost")
    second = create(uow, store_id, approved.id, clock).view.shipment

    assert (voided.view.shipment.status, voided.view.shipment.voided_at) == (
        "voided", clock.now(),
    )  # fmt: skip
    assert voided.view.label_unavailable == "voided"
    assert second.id != first.id
    assert second.tracking_number != first.tracking_number
    names = [event.name for event in queries.return_events(uow, store_id, approved.id)]
    assert names[-3:] == ["shipment.created", "shipment.voided", "shipment.created"]
    void_event = queries.return_events(uow, store_id, approved.id)[-2]
    assert void_event.payload == {
        "number": approved.number, "shipment_id": first.id, "carrier": "builtin",
        "tracking_number": first.tracking_number, "label_status": "issued", "label_cost": 0,
        "currency": "EUR", "reason": "lost",
    }  # fmt: skip


def test_a_voided_label_is_not_handed_out_and_cannot_be_voided_again(
    uow, store_id, approved, clock
):
    shipment = create(uow, store_id, approved.id, clock).view.shipment
    shipments.void_shipment(uow, Carriers(), store_id, shipment.id, STAFF, clock)
    before = shipping_rows(uow)

    with pytest.raises(LabelUnavailable) as unavailable:
        shipments.shipment_document(uow, store_id, shipment.id, DocumentKind.LABEL_PDF,
                                    clock.now())  # fmt: skip
    with pytest.raises(AlreadyDone) as again:
        shipments.void_shipment(uow, Carriers(), store_id, shipment.id, STAFF, clock)

    assert unavailable.value.extra == {"current_status": "voided"}
    assert (again.value.detail, again.value.extra) == (
        f"shipment {shipment.id} is voided already", {"current_status": "voided"},
    )  # fmt: skip
    assert shipping_rows(uow) == before


def test_voiding_with_the_same_key_twice_voids_once(uow, store_id, approved, clock):
    shipment = create(uow, store_id, approved.id, clock).view.shipment
    key = shipments.IdempotencyKey("void-1", "void body")

    first = shipments.void_shipment(uow, Carriers(), store_id, shipment.id, STAFF, clock, "", key)
    again = shipments.void_shipment(uow, Carriers(), store_id, shipment.id, STAFF, clock, "", key)

    assert (first.replayed, again.replayed) == (False, True)
    assert again.view.shipment.status == "voided"
    with uow:
        voids = uow.session.scalars(select(Event).where(Event.name == "shipment.voided")).all()
    assert len(voids) == 1


def test_labels_expire_after_the_stores_days_and_another_can_then_be_made(
    uow, store_id, approved, clock
):
    shipments.update_shipping_settings(uow, store_id, label_expiry_days=7)
    shipment = create(uow, store_id, approved.id, clock).view.shipment
    clock.current += timedelta(days=7)

    with pytest.raises(LabelUnavailable) as expired:
        shipments.shipment_document(uow, store_id, shipment.id, DocumentKind.LABEL_ZPL,
                                    clock.now())  # fmt: skip
    view = shipments.get_shipment(uow, store_id, shipment.id, clock.now())
    reissued = create(uow, store_id, approved.id, clock).view.shipment

    assert shipment.expires_at == shipment.created_at + timedelta(days=7)
    assert expired.value.extra == {"current_status": "expired"}
    assert view.label_unavailable == "expired"
    assert reissued.id != shipment.id


def test_a_prepaid_label_has_no_drop_off_code(uow, store_id, approved, clock):
    shipment = create(uow, store_id, approved.id, clock).view.shipment

    with pytest.raises(NotFound) as missing:
        shipments.shipment_document(uow, store_id, shipment.id, DocumentKind.QR_PNG, clock.now())

    assert missing.value.extra == {"resource": "QR drop-off code"}


def test_a_return_lists_its_shipments_oldest_first_and_other_stores_see_none(
    uow, store_id, approved, clock
):
    first = create(uow, store_id, approved.id, clock).view.shipment
    shipments.void_shipment(uow, Carriers(), store_id, first.id, STAFF, clock)
    second = create(uow, store_id, approved.id, clock).view.shipment
    other = make_store(uow, clock, slug="other")

    listed = shipments.list_return_shipments(uow, store_id, approved.id, clock.now())

    assert [(view.shipment.id, view.shipment.status) for view in listed] == [
        (first.id, "voided"), (second.id, "pre_transit"),
    ]  # fmt: skip
    assert [view.rma_number for view in listed] == [approved.number] * 2
    with pytest.raises(NotFound):
        shipments.list_return_shipments(uow, other, approved.id, clock.now())
    with pytest.raises(NotFound):
        shipments.get_shipment(uow, other, first.id, clock.now())


def test_the_label_keeps_the_addresses_it_was_made_with(uow, store_id, approved, clock):
    shipment = create(uow, store_id, approved.id, clock).view.shipment

    set_return_address(uow, store_id, city="Hamburg", postal_code="20095")

    again = shipments.get_shipment(uow, store_id, shipment.id, clock.now()).shipment
    assert (again.to_address["city"], again.to_address["postal_code"]) == ("Berlin", "10115")
    with uow:
        assert uow.session.get(ShipmentRow, shipment.id).to_address == WAREHOUSE
