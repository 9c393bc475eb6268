"""Refunds to Stripe payments end to end: the API, the provider, and Stripe on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
import stripe

from retour.payments.registry import PaymentProviders
from retour.payments.stripe import StripeProvider
from retour.services.context import FixedClock
from retour.services.stores import create_api_key
from retour.web.app import create_app
from tests.api.conftest import serving
from tests.conftest import START, empty_all_tables
from tests.factories import make_store, order_payload
from tests.support.fake_stripe import FakeStripe

SECRET = "sk_test_retour_refunds_api"


@pytest.fixture
def stripe_api(monkeypatch) -> Iterator[FakeStripe]:
    monkeypatch.setattr(stripe.HTTPClient, "INITIAL_DELAY", 0.01)
    monkeypatch.setattr(stripe.HTTPClient, "MAX_DELAY", 0.04)
    with FakeStripe(api_key=SECRET) as fake:
        yield fake


@pytest.fixture
def client(settings, engine, uow, stripe_api) -> Iterator[httpx.Client]:
    empty_all_tables(engine)
    clock = FixedClock(START)
    provider = StripeProvider(SECRET, api_base=stripe_api.url, timeout_seconds=2.0)
    app = create_app(settings, clock=clock, providers=PaymentProviders({"stripe": provider}))
    make_store(uow, clock, slug="acme")
    key = create_api_key(uow, "acme", "tests", clock.now())
    with (
        serving(app) as base_url,
        httpx.Client(
            base_url=f"{base_url}/api/v1", headers={"Authorization": f"Bearer {key}"}, timeout=30
        ) as http,
    ):
        yield http


def approved_return(client, payments) -> dict:
    payload = order_payload("7001", placed_at=START - timedelta(days=4), quantities=(1,))
    payload["payments"] = payments
    order = client.post("/orders", json=payload).json()
    line = order["lines"][0]
    ret = client.post(
        "/returns",
        json={
            "order_id": order["id"],
            "lines": [{"order_line_id": line["id"], "quantity": 1, "reason_code": "style"}],
        },
    ).json()
    return client.post(f"/returns/{ret['id']}/approve").json()


def test_a_refund_to_a_stripe_payment_succeeds_with_one_stripe_refund(client, stripe_api):
    stripe_api.add_payment("pi_card1", 5880)
    ret = approved_return(client, [{"id": "pi_card1", "gateway": "stripe", "amount": 5880}])

    response = client.post(
        f"/returns/{ret['id']}/refunds",
        json={"method": "original_payment"},
        headers={"Idempotency-Key": "checkout-77"},
    )
    again = client.post(
        f"/returns/{ret['id']}/refunds",
        json={"method": "original_payment"},
        headers={"Idempotency-Key": "checkout-77"},
    )

    refund = response.json()
    assert (response.status_code, refund["status"], refund["paid_amount"]) == (
        201,
        "succeeded",
        5880,
    )
    assert refund["provider_reference"].startswith("re_")
    assert again.json()["id"] == refund["id"]
    creates = [r for r in stripe_api.requests if r.method == "POST"]
    assert [(r.form["payment_intent"], r.form["amount"], r.form["currency"]) for r in creates] == [
        ("pi_card1", "5880", "eur")
    ]


def test_a_stripe_refusal_fails_the_refund_with_stripes_words_and_a_retry_succeeds(
    client, stripe_api
):
    stripe_api.add_payment("pi_card2", 5880)
    ret = approved_return(client, [{"id": "pi_card2", "gateway": "stripe", "amount": 5880}])
    stripe_api.fail_next(402, error_type="card_error", code="card_declined", message="Declined.")

    failed = client.post(f"/returns/{ret['id']}/refunds", json={"method": "original_payment"})
    retried = client.post(f"/refunds/{failed.json()['id']}/retry")

    assert failed.status_code == 201
    assert (failed.json()["status"], failed.json()["failure_message"]) == (
        "failed",
        "Declined. (card_declined)",
    )
    assert client.get(f"/returns/{ret['id']}").json()["refund_status"] == "refunded"
    assert (retried.status_code, retried.json()["status"]) == (200, "succeeded")
    assert SECRET not in failed.text


def test_split_tender_needs_a_provider_for_every_part_and_manual_records_each_part(
    client, stripe_api
):
    stripe_api.add_payment("pi_card3", 4000)
    payments = [
        {"id": "pi_card3", "gateway": "stripe", "amount": 4000},
        {"id": "gc-1", "gateway": "gift_card", "amount": 1880},
    ]
    ret = approved_return(client, payments)

    response = client.post(f"/returns/{ret['id']}/refunds", json={"method": "original_payment"})

    assert response.status_code == 422
    assert "'gift_card'" in response.json()["detail"]
    manual = client.post(
        f"/returns/{ret['id']}/refunds",
        json={"method": "manual", "reference": "gift card re-issued"},
    ).json()
    assert [a["amount"] for a in manual["allocations"]] == [4000, 1880]
