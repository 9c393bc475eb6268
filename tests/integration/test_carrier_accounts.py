"""A store's EasyPost account turned off and on: off, new labels are the built-in carrier's
and the EasyPost label bought before is still voided with EasyPost; on, EasyPost again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from retour.domain.shipments import ShipmentMethod
from retour.services import shipments
from retour.services.errors import NotFound
from retour.shipping.easypost import NAME as EASYPOST
from retour.shipping.easypost import easypost_factory
from retour.shipping.registry import Carriers
from tests.factories import STAFF, make_store
from tests.support.fake_easypost import FakeEasyPost
from tests.support.shipping_steps import approved_return, set_return_address

API_KEY = "EZTK_switch_0123456789"


@pytest.fixture
def easypost() -> Iterator[FakeEasyPost]:
    with FakeEasyPost(API_KEY) as fake:
        yield fake


@pytest.fixture
def carriers(easypost) -> Carriers:
    return Carriers(factories={EASYPOST: easypost_factory(easypost.url)})


@pytest.fixture
def store_with_account(uow, clock, carriers) -> int:
    store_id = make_store(uow, clock)
    set_return_address(uow, store_id)
    changes = shipments.AccountChanges(api_key=API_KEY, webhook_secret="whsec_switch")
    shipments.set_carrier_account(uow, carriers, store_id, EASYPOST, changes, clock.now())
    return store_id


def label(uow, carriers, store_id, return_id, clock):
    request = shipments.ShipmentRequest(ShipmentMethod.PREPAID_LABEL)
    mine = shipments.store_carriers(uow, carriers, store_id)
    return shipments.create_shipment(uow, mine, store_id, return_id, request, STAFF, clock)


def test_off_makes_new_labels_builtin_and_still_voids_what_easypost_bought(
    uow, clock, carriers, store_with_account, easypost
):
    store_id = store_with_account
    ret = approved_return(uow, store_id, clock)
    bought = label(uow, carriers, store_id, ret.id, clock).view.shipment
    assert bought.carrier == EASYPOST

    off = shipments.switch_carrier_account(uow, store_id, EASYPOST, False, clock.now())

    assert (off.carrier, off.is_active, off.has_webhook_secret) == (EASYPOST, False, True)
    mine = shipments.store_carriers(uow, carriers, store_id)
    assert (mine.default, mine.get(EASYPOST).name) == ("builtin", EASYPOST)
    voided = shipments.void_shipment(uow, mine, store_id, bought.id, STAFF, clock)
    assert (voided.view.shipment.carrier, voided.view.shipment.status) == (EASYPOST, "voided")
    assert easypost.shipments[bought.carrier_reference]["refund_status"] == "submitted"
    assert label(uow, carriers, store_id, ret.id, clock).view.shipment.carrier == "builtin"


def test_on_again_buys_with_easypost_and_switching_twice_changes_nothing(
    uow, clock, carriers, store_with_account
):
    store_id = store_with_account
    shipments.switch_carrier_account(uow, store_id, EASYPOST, False, clock.now())

    again = shipments.switch_carrier_account(uow, store_id, EASYPOST, True, clock.now())
    twice = shipments.switch_carrier_account(uow, store_id, EASYPOST, True, clock.now())

    assert again == twice
    assert again.is_active is True
    assert shipments.store_carriers(uow, carriers, store_id).default == EASYPOST
    assert [view.is_active for view in shipments.list_carrier_accounts(uow, store_id)] == [True]


def test_switching_an_account_the_store_does_not_have_is_not_found(uow, clock):
    store_id = make_store(uow, clock)

    with pytest.raises(NotFound):
        shipments.switch_carrier_account(uow, store_id, EASYPOST, False, clock.now())

    assert shipments.list_carrier_accounts(uow, store_id) == []
