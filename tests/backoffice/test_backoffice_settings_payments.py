"""Settings → payment providers (owners and admins): manual always, Stripe as the operator's
environment set it (never its key), the recent gateways no provider refunds, and the money
settings saved whole or not at all; other roles and forms without CSRF refused."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from retour.services.store_settings import MoneySettings, money_settings
from retour.web.app import create_app
from tests.backoffice.steps import BASE, csrf_of, sign_in

PAYMENTS = f"{BASE}/settings/payments"
STRIPE_KEY = "sk_test_operator_only_0123456789"
MONEY = {
    "restocking_fee_bp": "12.5", "restocking_fee_fixed": "1.00", "return_shipping_fee": "4.95",
    "waive_fees_for_exchange": "yes", "store_credit_bonus_bp": "5",
    "store_credit_bonus_fixed": "0", "store_credit_bonus_cap": "20",
    "store_credit_expiry_days": "365", "exchange_fallback": "refund",
}  # fmt: skip
SAVED = MoneySettings(
    restocking_fee_bp=1250, restocking_fee_fixed=100, return_shipping_fee=495, label_cost=0,
    store_credit_bonus_bp=500, store_credit_bonus_fixed=0, store_credit_bonus_cap=2000,
    waive_fees_for_store_credit=False, waive_fees_for_exchange=True,
    refund_original_shipping=False, auto_refund="off", exchange_fallback="refund",
    store_credit_expiry_days=365,
)  # fmt: skip


@pytest.fixture
def stripe_owner(shop, settings) -> Iterator[TestClient]:
    """acme's owner on an installation whose operator set a Stripe key for two gateways."""
    operated = settings.model_copy(
        update={"stripe_api_key": SecretStr(STRIPE_KEY), "stripe_gateways": ["card", "stripe"]}
    )
    app = create_app(operated, clock=shop.clock)
    with TestClient(app, follow_redirects=False) as client:
        yield sign_in(client, "owner@acme.test")
    app.state.engine.dispose()


def post(client, **fields: str):
    return client.post(f"{PAYMENTS}/money", data={"csrf": csrf_of(client, PAYMENTS), **fields})


def test_without_a_stripe_key_only_manual_refunds_and_the_card_gateway_has_no_provider(shop):
    page = shop.staff("owner").get(PAYMENTS)

    assert page.status_code == 200
    assert "<td>Always available</td>" in page.text
    stripe = "<td>Stripe <code>stripe</code></td><td>Not configured</td><td>none</td></tr>"
    assert stripe in page.text
    assert "The Stripe key is an operator setting, not a store setting" in page.text
    assert "<code>RETOUR_STRIPE_API_KEY</code>" in page.text
    assert "these gateways have no provider" in page.text
    assert "<ul><li><code>card</code></li></ul>" in page.text
    assert f'href="{PAYMENTS}"' in shop.staff("admin").get(f"{BASE}/settings").text


def test_with_a_stripe_key_its_gateways_are_listed_and_the_key_never_shown(shop, stripe_owner):
    page = stripe_owner.get(PAYMENTS)

    assert page.status_code == 200
    gateways = "<td>Configured by the operator</td><td><code>card</code>, <code>stripe</code></td>"
    assert gateways in page.text
    assert "Every gateway among the store's last 1000 payments has a provider." in page.text
    assert "these gateways have no provider" not in page.text
    assert STRIPE_KEY not in page.text
    assert STRIPE_KEY[:12] not in page.text


def test_the_money_settings_are_saved_and_shown_as_typed(shop, uow):
    client = shop.staff("admin")

    saved = post(client, **MONEY)

    assert saved.status_code == 303
    assert saved.headers["location"] == f"{PAYMENTS}?done=money#money"
    assert money_settings(uow, shop.store_id) == SAVED
    assert money_settings(uow, shop.other_store_id).restocking_fee_bp == 0
    page = client.get(saved.headers["location"])
    assert "The money settings are saved. Returns quoted from now on use them." in page.text
    assert 'id="restocking_fee_bp" name="restocking_fee_bp" inputmode="decimal" value="12.5"' in (
        page.text
    )
    assert 'name="store_credit_bonus_cap" inputmode="decimal" value="20.00"' in page.text
    assert ('id="waive_fees_for_exchange" name="waive_fees_for_exchange" value="yes" checked>'
            in page.text)  # fmt: skip
    assert '<option value="refund" selected>' in page.text
    assert 'id="auto_refund"' not in page.text and 'id="label_cost"' not in page.text


def test_blank_cap_and_expiry_mean_none(shop, uow):
    post(shop.staff("owner"), **MONEY)

    post(
        shop.staff("owner"),
        **{**MONEY, "store_credit_bonus_cap": "", "store_credit_expiry_days": ""},
    )

    assert money_settings(uow, shop.store_id) == replace(
        SAVED, store_credit_bonus_cap=None, store_credit_expiry_days=None
    )


@pytest.mark.parametrize(
    ("name", "typed", "message"),
    [
        ("restocking_fee_bp", "101", "basis points run from 0 to 10000 (100 %)"),
        ("restocking_fee_bp", "ten", "Type a percentage like 10 or 12.5 (0 for none)."),
        ("return_shipping_fee", "4.955", "Type the amount as a number like 12.00, in EUR."),
        ("restocking_fee_fixed", "", "Type an amount in EUR (0 for none)."),
        ("store_credit_expiry_days", "0", "at least 1 day, or null for credit that never lapses"),
    ],
)
def test_a_bad_field_is_named_and_nothing_is_saved(shop, uow, name, typed, message):
    post(shop.staff("owner"), **MONEY)

    refused = post(shop.staff("owner"), **{**MONEY, "waive_fees_for_exchange": "", name: typed})

    assert refused.status_code == 400
    assert f'<p class="error" role="alert" id="money-error">{message}</p>' in refused.text
    assert (f'id="{name}" name="{name}" inputmode="' in refused.text
            and f'value="{typed}" aria-describedby="money-error" aria-invalid="true">'
            in refused.text)  # fmt: skip
    assert money_settings(uow, shop.store_id) == SAVED


@pytest.mark.parametrize("role", ["agent", "warehouse", "analyst"])
def test_other_roles_may_neither_open_nor_change_payments(shop, uow, role):
    client = shop.staff(role)
    before = money_settings(uow, shop.store_id)

    opened = client.get(PAYMENTS)
    changed = client.post(f"{PAYMENTS}/money", data={"csrf": csrf_of(client, BASE), **MONEY})

    assert (opened.status_code, changed.status_code) == (403, 403)
    assert money_settings(uow, shop.store_id) == before


def test_a_form_without_its_csrf_token_is_refused_and_nothing_changes(shop, uow):
    client = shop.staff("owner")
    before = money_settings(uow, shop.store_id)
    client.get(PAYMENTS)

    refused = client.post(f"{PAYMENTS}/money", data=MONEY)

    assert refused.status_code == 400
    assert "This form has expired. Please try again." in refused.text
    assert money_settings(uow, shop.store_id) == before
