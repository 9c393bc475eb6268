"""A label asked for over HTTP while the store's EasyPost key was sealed with another
RETOUR_SECRET_KEY: `409 credentials_unreadable` naming the account, no key, nothing made."""

from __future__ import annotations

from retour.security.sealed import Sealer
from retour.services import shipments
from retour.shipping.easypost import easypost_factory
from retour.shipping.registry import Carriers
from tests.api.test_shipments_api import place_return
from tests.support.shipping_steps import WAREHOUSE

API_KEY = "EZTK_api_sealed_0123456789"


def test_a_label_with_an_unreadable_key_is_409_naming_the_account_and_makes_nothing(
    client, uow, server
):
    with uow:
        store_id = uow.stores.by_slug("acme").id
    before = Carriers(factories={"easypost": easypost_factory("http://127.0.0.1:9")},
                      sealer=Sealer("o" * 40))  # fmt: skip
    changes = shipments.AccountChanges(api_key=API_KEY)
    shipments.set_carrier_account(uow, before, store_id, "easypost", changes, server.clock.now())
    assert client.patch("/settings/shipping", json={"return_address": WAREHOUSE}).is_success
    ret = place_return(client)

    answer = client.post(f"/returns/{ret['id']}/shipments", json={"method": "prepaid_label"})

    assert answer.status_code == 409
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json() == {
        "type": "urn:retour:problem:credentials_unreadable",
        "title": "Credentials unreadable",
        "status": 409,
        "detail": "the store's easypost account's API key cannot be read: RETOUR_SECRET_KEY "
        "has changed since it was set; set it again (Settings → Carriers, or "
        "`retour shipments account-set easypost`)",
        "code": "credentials_unreadable",
        "carrier": "easypost",
        "credential": "API key",
    }
    assert API_KEY not in answer.text
    assert client.get(f"/returns/{ret['id']}/shipments").json()["items"] == []
