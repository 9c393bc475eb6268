"""A store's EasyPost credentials sealed at rest: the row holds no plain key, the sealed one
still buys labels at EasyPost (on loopback, which checks the key), a plain one stored before
sealing still works and is sealed on the next save, and another RETOUR_SECRET_KEY gives an
error naming the account, never a crash or the key."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from retour.db.models import ShipmentRow
from retour.domain.shipments import ShipmentMethod
from retour.security.sealed import Sealer
from retour.services import shipments
from retour.services.shipments.errors import AccountCredentialsUnreadable
from retour.services.shipments.webhooks import WebhookOutcome, WebhookSignatureRefused
from retour.shipping.easypost import NAME as EASYPOST
from retour.shipping.easypost import easypost_factory, signature_of
from retour.shipping.registry import Carriers
from tests.factories import STAFF, make_store
from tests.support.fake_easypost import FakeEasyPost, tracker_event
from tests.support.shipping_steps import approved_return, set_return_address
from tests.support.stored_credentials import store_plain, stored_credentials

API_KEY = "EZTK_sealed_0123456789"
WEBHOOK_SECRET = "whsec_sealed_abcdef"
OLD_SECRET_KEY = "o" * 40
NEW_SECRET_KEY = "n" * 40
UNREADABLE_KEY = (
    "the store's easypost account's API key cannot be read: RETOUR_SECRET_KEY has changed "
    "since it was set; set it again (Settings → Carriers, or "
    "`retour shipments account-set easypost`)"
)


@pytest.fixture
def easypost() -> Iterator[FakeEasyPost]:
    with FakeEasyPost(API_KEY) as fake:
        yield fake


@pytest.fixture
def installation(easypost):
    """The installation's carriers as a given RETOUR_SECRET_KEY builds them."""

    def build(secret_key: str = OLD_SECRET_KEY) -> Carriers:
        factories = {EASYPOST: easypost_factory(easypost.url)}
        return Carriers(factories=factories, sealer=Sealer(secret_key))

    return build


def set_account(uow, carriers, store_id, clock, **changes: str):
    change = shipments.AccountChanges(**changes)
    return shipments.set_carrier_account(uow, carriers, store_id, EASYPOST, change, clock.now())


def make_label(uow, carriers, store_id, return_id, clock):
    mine = shipments.store_carriers(uow, carriers, store_id)
    request = shipments.ShipmentRequest(ShipmentMethod.PREPAID_LABEL)
    return shipments.create_shipment(uow, mine, store_id, return_id, request, STAFF, clock)


@pytest.fixture
def store_id(uow, clock) -> int:
    store_id = make_store(uow, clock)
    set_return_address(uow, store_id)
    return store_id


def test_the_row_holds_no_plain_credential_and_the_sealed_key_buys_the_label(
    uow, clock, installation, store_id, easypost
):
    carriers = installation()
    set_account(uow, carriers, store_id, clock, api_key=API_KEY, webhook_secret=WEBHOOK_SECRET)

    [(_, api_key, webhook_secret)] = stored_credentials(uow)
    assert (api_key[:10], webhook_secret[:10]) == ("sealed:v1:", "sealed:v1:")
    assert API_KEY not in api_key + webhook_secret
    assert WEBHOOK_SECRET not in api_key + webhook_secret
    assert (carriers.sealer.open(api_key), carriers.sealer.open(webhook_secret)) == (
        API_KEY, WEBHOOK_SECRET)  # fmt: skip
    ret = approved_return(uow, store_id, clock)
    shipment = make_label(uow, carriers, store_id, ret.id, clock).view.shipment
    assert (shipment.carrier, shipment.tracking_number) == (EASYPOST, "EZ0000000001")
    assert list(easypost.shipments) == [shipment.carrier_reference]


def test_a_plain_key_stored_before_sealing_still_works_and_the_next_save_seals_it(
    uow, clock, installation, store_id, easypost
):
    carriers = installation()
    set_account(uow, carriers, store_id, clock, api_key=API_KEY)
    store_plain(uow, store_id, API_KEY, WEBHOOK_SECRET)
    ret = approved_return(uow, store_id, clock)
    bought = make_label(uow, carriers, store_id, ret.id, clock).view.shipment
    assert bought.carrier == EASYPOST

    set_account(uow, carriers, store_id, clock, service="Priority")

    [(_, api_key, webhook_secret)] = stored_credentials(uow)
    assert (api_key[:10], webhook_secret[:10]) == ("sealed:v1:", "sealed:v1:")
    assert (carriers.sealer.open(api_key), carriers.sealer.open(webhook_secret)) == (
        API_KEY, WEBHOOK_SECRET)  # fmt: skip
    mine = shipments.store_carriers(uow, carriers, store_id)
    voided = shipments.void_shipment(uow, mine, store_id, bought.id, STAFF, clock)
    assert voided.view.shipment.status == "voided"
    assert easypost.shipments[bought.carrier_reference]["refund_status"] == "submitted"


def test_another_secret_key_names_the_account_buys_nothing_and_setting_it_again_mends_it(
    uow, clock, installation, store_id, easypost
):
    set_account(uow, installation(OLD_SECRET_KEY), store_id, clock, api_key=API_KEY,
                webhook_secret=WEBHOOK_SECRET)  # fmt: skip
    ret = approved_return(uow, store_id, clock)
    changed = installation(NEW_SECRET_KEY)

    with pytest.raises(AccountCredentialsUnreadable) as raised:
        make_label(uow, changed, store_id, ret.id, clock)

    assert raised.value.detail == UNREADABLE_KEY
    assert raised.value.extra == {"carrier": EASYPOST, "credential": "API key"}
    with uow:
        assert uow.session.scalar(select(func.count()).select_from(ShipmentRow)) == 0
    assert easypost.shipments == {}
    # The settings page reads the accounts without opening them, to set them again.
    assert shipments.store_default_carrier(uow, changed, store_id) == EASYPOST
    set_account(uow, changed, store_id, clock, api_key=API_KEY)
    with pytest.raises(AccountCredentialsUnreadable) as secret_left:
        make_label(uow, changed, store_id, ret.id, clock)
    assert secret_left.value.extra == {"carrier": EASYPOST, "credential": "webhook secret"}
    set_account(uow, changed, store_id, clock, webhook_secret=WEBHOOK_SECRET)
    assert make_label(uow, changed, store_id, ret.id, clock).view.shipment.carrier == EASYPOST


def test_a_webhook_passes_over_an_account_it_cannot_open_and_verifies_with_the_next(
    uow, clock, installation, store_id, caplog
):
    other_id = make_store(uow, clock, slug="other")
    set_account(uow, installation(OLD_SECRET_KEY), store_id, clock, api_key=API_KEY,
                webhook_secret="whsec_old_store")  # fmt: skip
    changed = installation(NEW_SECRET_KEY)
    set_account(uow, changed, other_id, clock, api_key=API_KEY, webhook_secret=WEBHOOK_SECRET)
    body = tracker_event("evt_1", {"id": "trk_1", "object": "Tracker",
                                   "tracking_code": "EZ404", "tracking_details": []})  # fmt: skip
    caplog.set_level(logging.WARNING, logger="retour.shipments")

    def receive(secret: str) -> WebhookOutcome:
        headers = {"X-Hmac-Signature": signature_of(secret, body)}
        return shipments.receive_tracking_webhook(
            uow, changed, EASYPOST, headers, body, clock.now()
        )

    taken = receive(WEBHOOK_SECRET)
    with pytest.raises(WebhookSignatureRefused):
        receive("whsec_old_store")

    assert taken == WebhookOutcome(False, (), 0, ("EZ404",))
    assert [record.getMessage() for record in caplog.records] == [
        f"store {store_id}: {UNREADABLE_KEY}",
        f"store {store_id}: {UNREADABLE_KEY}",
    ]
    assert "whsec_old_store" not in caplog.text and API_KEY not in caplog.text
