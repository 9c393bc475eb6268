"""Store credit over real HTTP: goodwill, balance, redemptions, adjustments, statements."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from tests.conftest import START

GOODWILL = {
    "customer_email": "Sam@Example.com",
    "currency": "EUR",
    "amount": 10_000,
    "reason": "parcel arrived late",
}


def grant(client, **changes):
    response = client.post("/store-credit", json={**GOODWILL, **changes})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def code(client):
    """10,000 cents of goodwill credit that never lapses."""
    return grant(client)["code"]


def redeem(client, code, amount, key=None, reference="checkout 81"):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        f"/store-credit/{code}/redemptions",
        json={"amount": amount, "reference": reference},
        headers=headers,
    )


def balance(client, code):
    return client.get(f"/store-credit/{code}").json()["balance"]


def test_goodwill_credit_opens_an_account_with_a_code_and_a_balance(client):
    granted = client.post("/store-credit", json={**GOODWILL, "expires_in_days": 30})
    assert granted.status_code == 201
    entry = granted.json()
    code = entry["code"]
    assert entry == {
        "id": entry["id"],
        "code": code,
        "customer_email": "sam@example.com",
        "currency": "EUR",
        "kind": "issue",
        "amount": 10_000,
        "balance_after": 10_000,
        "expires_at": "2026-04-01T09:30:00Z",
        "reason": "parcel arrived late",
        "reference": "",
        "actor": "api_key:tests",
        "created_at": "2026-03-02T09:30:00Z",
    }
    shown = client.get(f"/store-credit/{code.lower()}")
    assert shown.status_code == 200
    assert shown.json() == {
        "code": code,
        "customer_email": "sam@example.com",
        "currency": "EUR",
        "balance": 10_000,
        "spendable": 10_000,
        "lots": [
            {
                "entry_id": entry["id"],
                "issued": 10_000,
                "remaining": 10_000,
                "expires_at": "2026-04-01T09:30:00Z",
                "is_lapsed": False,
            }
        ],
    }


def test_a_redemption_is_201_and_a_retry_with_its_key_spends_nothing_more(client, code):
    first = redeem(client, code, 2_500, key="checkout-81")
    assert first.status_code == 201
    entry = first.json()
    assert (entry["kind"], entry["amount"], entry["balance_after"], entry["reference"]) == (
        "redeem",
        -2_500,
        7_500,
        "checkout 81",
    )
    retried = redeem(client, code, 2_500, key="checkout-81")
    assert retried.status_code == 201
    assert retried.json() == entry
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert balance(client, code) == 7_500

    other_amount = redeem(client, code, 2_000, key="checkout-81")
    assert other_amount.status_code == 422
    assert (other_amount.json()["code"], other_amount.json()["field"]) == (
        "idempotency_key_reused",
        "Idempotency-Key",
    )
    assert balance(client, code) == 7_500


def test_redeeming_above_the_balance_is_422_with_the_maximum(client, code):
    redeem(client, code, 4_000)
    response = redeem(client, code, 6_001)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert (problem["code"], problem["field"], problem["maximum"]) == (
        "quantity_exceeded",
        "amount",
        6_000,
    )
    assert problem["detail"] == "the balance is 6000; 6001 cannot be spent"
    assert balance(client, code) == 6_000


def test_lapsed_credit_is_not_spendable(server, client):
    code = grant(client, amount=5_000, expires_in_days=30)["code"]
    grant(client, amount=2_000)
    server.clock.current = START + timedelta(days=30)
    shown = client.get(f"/store-credit/{code}").json()
    assert (shown["balance"], shown["spendable"]) == (7_000, 2_000)
    assert [lot["is_lapsed"] for lot in shown["lots"]] == [True, False]
    assert redeem(client, code, 2_001).json()["maximum"] == 2_000
    assert redeem(client, code, 2_000).json()["balance_after"] == 0


def test_unknown_codes_and_other_stores_codes_are_404(client, other_client, code):
    for http, target in [(client, "SC-AAAA-BBBB-CCCC"), (other_client, code)]:
        shown = http.get(f"/store-credit/{target}")
        spent = redeem(http, target, 100)
        adjusted = http.post(
            f"/store-credit/{target}/adjustments", json={"amount": 1, "reason": "x"}
        )
        for response in (shown, spent, adjusted):
            assert response.status_code == 404
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["code"] == "not_found"
    assert shown.json()["detail"] == f"store credit code {code} not found"
    assert balance(client, code) == 10_000


def test_adjustments_require_a_reason(client, code):
    for body in ({"amount": -100}, {"amount": -100, "reason": "   "}):
        response = client.post(f"/store-credit/{code}/adjustments", json=body)
        assert response.status_code == 422
        assert [error["field"] for error in response.json()["errors"]] == ["reason"]
    assert balance(client, code) == 10_000

    adjusted = client.post(
        f"/store-credit/{code}/adjustments", json={"amount": -100, "reason": "price match"}
    )
    assert adjusted.status_code == 201
    assert (adjusted.json()["kind"], adjusted.json()["amount"]) == ("adjust", -100)
    assert adjusted.json()["balance_after"] == 9_900


def test_a_negative_adjustment_above_the_balance_is_422(client, code):
    response = client.post(
        f"/store-credit/{code}/adjustments", json={"amount": -10_001, "reason": "fraud"}
    )
    assert (response.status_code, response.json()["maximum"]) == (422, 10_000)
    zero = client.post(f"/store-credit/{code}/adjustments", json={"amount": 0, "reason": "oops"})
    assert (zero.status_code, zero.json()["code"], zero.json()["field"]) == (
        422,
        "invalid_request",
        "amount",
    )


@pytest.mark.parametrize("amount", [10.5, 10.0, "10", 0, -5, True, None])
def test_amounts_must_be_positive_integers(client, code, amount):
    response = client.post(f"/store-credit/{code}/redemptions", json={"amount": amount})
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["amount"]
    assert balance(client, code) == 10_000


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"customer_email": "sam.example.com"}, "invalid_request", "customer_email"),
        ({"currency": "EUX"}, "invalid_request", "currency"),
        ({"currency": "EURO"}, "invalid_request", "currency"),
        ({"amount": 0}, "validation_error", "amount"),
        ({"expires_in_days": 0}, "validation_error", "expires_in_days"),
        ({"reason": ""}, "validation_error", "reason"),
    ],
)
def test_goodwill_credit_names_the_invalid_field(client, changes, code, field):
    response = client.post("/store-credit", json={**GOODWILL, **changes})
    assert response.status_code == 422
    problem = response.json()
    if code == "validation_error":
        assert [error["field"] for error in problem["errors"]] == [field]
    else:
        assert problem["field"] == field
    assert problem["code"] == code
    assert client.get("/customers/sam@example.com/store-credit").json()["accounts"] == []


def test_a_customer_statement_has_a_running_balance(server, client, code):
    redeem(client, code, 2_500, reference="order #5001")
    server.clock.current = START + timedelta(days=1)
    client.post(f"/store-credit/{code}/adjustments", json={"amount": 300, "reason": "goodwill"})
    response = client.get("/customers/SAM@example.com/store-credit")
    assert response.status_code == 200
    statement = response.json()
    assert statement["customer_email"] == "sam@example.com"
    [account] = statement["accounts"]
    assert (account["code"], account["currency"], account["balance"], account["spendable"]) == (
        code,
        "EUR",
        7_800,
        7_800,
    )
    assert [
        (e["kind"], e["amount"], e["balance_after"], e["reference"], e["created_at"])
        for e in account["entries"]
    ] == [
        ("issue", 10_000, 10_000, "", "2026-03-02T09:30:00Z"),
        ("redeem", -2_500, 7_500, "order #5001", "2026-03-02T09:30:00Z"),
        ("adjust", 300, 7_800, "", "2026-03-03T09:30:00Z"),
    ]
    nobody = client.get("/customers/nobody@example.com/store-credit")
    assert nobody.json() == {"customer_email": "nobody@example.com", "accounts": []}


@pytest.mark.postgres_only
def test_concurrent_redemptions_never_spend_more_than_the_balance(client):
    code = grant(client, amount=100)["code"]
    barrier = threading.Barrier(20)
    responses = []

    def spend(number: int) -> None:
        barrier.wait()
        responses.append(redeem(client, code, 10, key=f"checkout-{number}"))

    threads = [threading.Thread(target=spend, args=(number,)) for number in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] * 10 + [422] * 10, [r.text for r in responses]
    refused = [r.json() for r in responses if r.status_code == 422]
    assert {(p["code"], p["maximum"]) for p in refused} == {("quantity_exceeded", 0)}
    assert sorted(r.json()["balance_after"] for r in responses if r.status_code == 201) == list(
        range(0, 100, 10)
    )
    shown = client.get(f"/store-credit/{code}").json()
    assert (shown["balance"], shown["spendable"]) == (0, 0)
    entries = client.get("/customers/sam@example.com/store-credit").json()["accounts"][0]["entries"]
    assert [e["amount"] for e in entries] == [100] + [-10] * 10


@pytest.mark.postgres_only
def test_retries_racing_with_one_idempotency_key_spend_once(client, code):
    for attempt in range(4):
        barrier = threading.Barrier(2)
        responses = []

        def spend(key=f"checkout-{attempt}", barrier=barrier, responses=responses) -> None:
            barrier.wait()
            responses.append(redeem(client, code, 1_000, key=key))

        threads = [threading.Thread(target=spend) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [r.status_code for r in responses] == [201, 201], [r.text for r in responses]
        assert responses[0].json() == responses[1].json()
    assert balance(client, code) == 6_000
