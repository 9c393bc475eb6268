"""Where labels go from and to: the order's shipping address on import, the store's return
address in its shipping settings (both engines)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from retour.db.models import InventoryLocation, OrderRow
from retour.domain.addresses import Address
from retour.domain.errors import InvalidRequest
from retour.services import shipments
from retour.services.order_import import OrderImport, import_order
from tests.conftest import START
from tests.factories import STAFF, make_store, order_payload
from tests.support.shipping_steps import SHIPPED_TO, WAREHOUSE, shipped_order_payload

#: What Retour stored as the source hash of `order_payload("1001")` before the address
#: fields existed: re-importing an order imported then must change nothing.
HASH_BEFORE_ADDRESSES = "5da60ba77b9763a42da18febcddbad8ab90106fe3d853229b2afdcc238e7dc37"


@pytest.fixture
def store_id(uow, clock):
    return make_store(uow, clock)


def test_an_order_keeps_every_field_of_its_shipping_address(uow, store_id, clock):
    payload = OrderImport.model_validate(shipped_order_payload(line2="Bâtiment B"))

    order = import_order(uow, store_id, payload, STAFF, clock.now()).order

    stored = {name: getattr(order, f"shipping_{name}") for name in SHIPPED_TO}
    assert stored == {**SHIPPED_TO, "line2": "Bâtiment B"}


def test_an_order_in_the_old_format_imports_as_before_and_again_changes_nothing(
    uow, store_id, clock
):
    payload = OrderImport.model_validate(order_payload("1001", placed_at=START - timedelta(10)))

    first = import_order(uow, store_id, payload, STAFF, clock.now())
    again = import_order(uow, store_id, payload, STAFF, clock.now())

    assert first.order.source_hash == HASH_BEFORE_ADDRESSES
    assert (again.created, again.changed) == (False, False)
    assert (first.order.shipping_postal_code, first.order.shipping_country) == ("75011", "FR")
    assert (first.order.shipping_line1, first.order.shipping_city) == ("", "")


def test_a_country_that_does_not_exist_is_refused_on_import(uow, store_id, clock):
    with pytest.raises(ValidationError) as refused:
        OrderImport.model_validate(shipped_order_payload(country="XX"))

    assert [error["loc"] for error in refused.value.errors()] == [("shipping", "country")]
    assert "'XX' is not an ISO 3166-1 alpha-2 country code" in str(refused.value)
    with uow:
        assert uow.session.scalars(select(OrderRow)).all() == []


def test_an_address_that_fails_its_country_rules_still_imports(uow, store_id, clock):
    payload = OrderImport.model_validate(shipped_order_payload(postal_code="7501"))

    order = import_order(uow, store_id, payload, STAFF, clock.now()).order

    assert order.shipping_postal_code == "7501"  # checked when a label is made


def test_a_store_starts_with_no_return_address_and_30_days_labels(uow, store_id):
    settings = shipments.shipping_settings(uow, store_id)

    assert settings == shipments.ShippingSettings(Address(), 30)


def test_the_return_address_is_checked_and_normalised_then_kept(uow, store_id):
    given = Address(**{**WAREHOUSE, "country": "de", "city": " Berlin  "})

    settings = shipments.update_shipping_settings(uow, store_id, given, label_expiry_days=14)

    assert settings == shipments.ShippingSettings(Address(**WAREHOUSE), 14)
    assert shipments.shipping_settings(uow, store_id) == settings
    with uow:
        location = uow.session.scalars(select(InventoryLocation)).one()
    assert (location.code, location.address_city, location.address_country) == (
        "returns", "Berlin", "DE",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("address", "days", "field"),
    [
        (Address(**{**WAREHOUSE, "postal_code": "1011"}), None, "return_address.postal_code"),
        (Address(**{**WAREHOUSE, "line1": ""}), None, "return_address.line1"),
        (None, 0, "label_expiry_days"),
        (Address(**WAREHOUSE), 366, "label_expiry_days"),
    ],
)
def test_a_refused_change_names_the_field_and_changes_nothing(uow, store_id, address, days, field):
    with pytest.raises(InvalidRequest) as refused:
        shipments.update_shipping_settings(uow, store_id, address, label_expiry_days=days)

    assert refused.value.field == field
    assert shipments.shipping_settings(uow, store_id) == shipments.ShippingSettings(Address(), 30)


def test_each_store_has_its_own_return_address(uow, store_id, clock):
    other = make_store(uow, clock, slug="other")

    shipments.update_shipping_settings(uow, store_id, Address(**WAREHOUSE))

    assert shipments.shipping_settings(uow, other).return_address == Address()
