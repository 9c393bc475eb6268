"""POST /policy/evaluate over HTTP: per line eligibility and why, fees, decision, risk; drafts;
refusals of bad input (unknown order or reason, another currency, a broken draft)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from retour.services.policy.inputs import forget_store_return_rates
from tests.conftest import START

POLICY: dict[str, Any] = {
    "timezone": "UTC",
    "currency": "EUR",
    "default": {"window_days": 30, "restocking": {"percent": 10}},
    "overrides": [{"id": "bags", "match": {"collections": ["Bags"]}, "window_days": 14}],
    "final_sale": [{"id": "hygiene", "tags": ["underwear"]}],
    "automation": {
        "default": "review",
        "rules": [
            {"id": "small", "decision": "approve", "when": {"return_value": {"below": 20000}}}
        ],
    },
}


@pytest.fixture(autouse=True)
def _fresh_store_rates():
    forget_store_return_rates()


def line(platform_id: str, sku: str, price: int, quantity: int = 1, **product: Any):
    return {
        "id": platform_id,
        "sku": sku,
        "title": sku.title(),
        "quantity": quantity,
        "unit_price": price,
        "tax": price * quantity // 5,
        "product": {"handle": sku.lower(), "title": sku.title(), **product},
    }


def mixed_order(client, currency: str = "EUR", platform_id: str = "7001") -> dict[str, Any]:
    """A tee (×2, Shirts), briefs tagged underwear, and a bag; delivered 17 days ago."""
    placed = START - timedelta(days=20)
    lines = [
        line("a", "TEE-1", 4000, 2, collection="Shirts"),
        line("b", "BRIEF-1", 1500, tags=["underwear"]),
        line("c", "BAG-1", 10000, collection="Bags"),
    ]
    payload = {
        "id": platform_id,
        "number": f"#{platform_id}",
        "placed_at": placed.isoformat(),
        "currency": currency,
        "customer": {"email": "sam@example.com"},
        "shipping": {"amount": 500, "tax": 100, "postal_code": "75011", "country": "FR"},
        "lines": lines,
        "fulfilments": [
            {
                "id": f"{platform_id}-f",
                "shipped_at": (placed + timedelta(days=1)).isoformat(),
                "delivered_at": (placed + timedelta(days=3)).isoformat(),
                "lines": [{"line_id": item["id"], "quantity": item["quantity"]} for item in lines],
            }
        ],
    }
    response = client.post("/orders", json=payload)
    assert response.status_code == 201, response.text
    return response.json()


def ask_all(order: dict[str, Any], **body: Any) -> dict[str, Any]:
    tee, brief, bag = (item["id"] for item in order["lines"])
    return {
        "order_id": order["id"],
        "lines": [
            {"order_line_id": tee, "quantity": 1, "reason_code": "too_small"},
            {"order_line_id": brief, "quantity": 1, "reason_code": "too_small"},
            {"order_line_id": bag, "quantity": 1, "reason_code": "changed_mind"},
        ],
        **body,
    }


def test_each_line_is_judged_with_its_reasons_fees_and_the_requests_decision(client):
    client.put("/policy", json=POLICY)
    order = mixed_order(client)
    tee, brief, bag = (item["id"] for item in order["lines"])

    response = client.post("/policy/evaluate", json=ask_all(order))

    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["policy_version"], result["currency"], result["evaluated_at"]) == (
        1,
        "EUR",
        "2026-03-02T09:30:00Z",
    )
    first, second, third = result["lines"]
    # Delivered 13 February: 30 days → the last day is 15 March, closing at midnight UTC.
    assert first == {
        "order_line_id": tee,
        "quantity": 1,
        "reason_code": "too_small",
        "is_eligible": True,
        "refusals": [],
        "notes": [
            {"code": "window_open", "rule_id": "default", "params": {"last_day": "2026-03-15"},
             "message": "Return by 15 March"},
        ],
        "resolutions": ["refund", "store_credit", "exchange"],
        "return_methods": ["prepaid_label", "qr_drop_off", "ship_yourself"],
        "value": 4800,
        "window": {"rule_id": "default", "basis": "delivered", "starts_on": "2026-02-13",
                   "last_day": "2026-03-15", "ends_at": "2026-03-16T00:00:00Z"},
        "fees": {"restocking": 400, "rule_id": "default", "percent_bp": 1000,
                 "fixed_per_unit": 0, "is_waived_for_merchant_fault": False},
        "keep_item": None,
        "is_merchant_fault": False,
    }  # fmt: skip
    assert (second["order_line_id"], second["is_eligible"]) == (brief, False)
    assert [(f["code"], f["rule_id"], f["message"]) for f in second["refusals"]] == [
        ("final_sale", "hygiene", "Final sale"),
    ]
    assert (second["resolutions"], second["fees"]) == ([], None)
    # The bag's 14 days from 13 February ended on 27 February.
    assert (third["order_line_id"], third["is_eligible"]) == (bag, False)
    assert [(f["code"], f["rule_id"], f["params"]) for f in third["refusals"]] == [
        ("window_ended", "bags", {"last_day": "2026-02-27"}),
    ]
    assert result["decision"] == {
        "outcome": "approve",
        "rule_id": "small",
        "message": "Approved automatically: the return's value is below 200.00 EUR",
    }
    assert result["risk"] == {"score": 0, "signals": []}
    assert {key: result["fees"][key] for key in ("restocking", "return_shipping")} == {
        "restocking": 400,
        "return_shipping": 0,
    }
    assert result["fees"]["settings"]["restocking_fee_bp"] == 1000
    assert result["keep_item"] is None


def test_a_draft_is_evaluated_instead_of_the_live_policy_and_not_saved(client):
    client.put("/policy", json=POLICY)
    order = mixed_order(client)
    draft = {**POLICY, "final_sale": [{"id": "engraved", "skus": ["RING-1"]}]}

    result = client.post("/policy/evaluate", json=ask_all(order, policy=draft)).json()

    assert result["policy_version"] is None
    assert [line["is_eligible"] for line in result["lines"]] == [True, True, False]
    assert client.get("/policy").json()["version"] == 1


def test_without_a_policy_the_built_in_one_judges_everything_returnable(client):
    order = mixed_order(client)

    result = client.post("/policy/evaluate", json=ask_all(order)).json()

    assert result["policy_version"] == 0
    assert [line["is_eligible"] for line in result["lines"]] == [True, True, True]
    assert result["lines"][0]["window"]["last_day"] == "2036-02-11"
    assert result["decision"] == {
        "outcome": "review",
        "rule_id": "automation_default",
        "message": "Sent to a person for review: no automatic rule applied",
    }


def test_an_order_in_another_currency_than_the_policy_is_422_saying_so(client):
    client.put("/policy", json=POLICY)
    order = mixed_order(client, currency="USD")

    response = client.post("/policy/evaluate", json=ask_all(order))

    assert response.status_code == 422
    problem = response.json()
    assert (problem["code"], problem["field"], problem["detail"]) == (
        "currency_mismatch",
        "order_id",
        f"order {order['id']} is in USD but the policy's amounts are in EUR; it can only be "
        "judged by a policy in USD",
    )
    assert (problem["order_currency"], problem["policy_currency"]) == ("USD", "EUR")


def test_a_broken_draft_is_422_with_pointers_into_the_request(client):
    order = mixed_order(client)
    draft = {**POLICY, "default": {"window_days": -1}}

    response = client.post("/policy/evaluate", json=ask_all(order, policy=draft))

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_policy"
    assert response.json()["errors"] == [
        {"pointer": "/policy/default/window_days", "message": "must be between 0 and 3650"}
    ]


def test_an_unknown_order_or_reason_is_refused_naming_it(client, other_client):
    order = mixed_order(client)
    body = ask_all(order)
    body["lines"][2]["reason_code"] = "bored"

    unknown_reason = client.post("/policy/evaluate", json=body)
    unknown_order = client.post("/policy/evaluate", json={**ask_all(order), "order_id": 999})
    another_store = other_client.post("/policy/evaluate", json=ask_all(order))

    assert (unknown_reason.status_code, unknown_reason.json()["field"]) == (
        422,
        "lines[2].reason_code",
    )
    assert (unknown_order.status_code, unknown_order.json()["code"]) == (404, "not_found")
    assert another_store.status_code == 404


def test_simulate_re_decides_past_returns_under_the_draft_and_the_live_policy(client):
    order = mixed_order(client)
    tee = order["lines"][0]["id"]
    client.post("/returns", json={"order_id": order["id"], "lines": [
        {"order_line_id": tee, "quantity": 1, "reason_code": "too_small"}]})  # fmt: skip
    client.put("/policy", json=POLICY)
    # Asked back 17 days after delivery: the draft's 14 days refuse it.
    draft = {**POLICY, "default": {"window_days": 14}}

    response = client.post("/policy/simulate", json={"policy": draft})

    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["live_version"], report["returns_total"], report["returns_evaluated"]) == (
        1,
        1,
        1,
    )
    assert report["eligibility"]["lines_newly_refused"] == 1
    assert report["eligibility"]["refusals_draft"] == {"window_ended [default]": 1}
    assert report["fees"] == {
        "live": 400,
        "draft": 0,
        "delta": -400,
        "examples": [{"return_id": 1, "number": "R-100001", "live": 400, "draft": 0}],
    }
    assert report["refunds"]["live"] == 4800 - 400
    assert report["automatic_approval"]["live"]["approve"] == 1
    assert report["automatic_approval"]["draft"]["reject"] == 1


def test_simulate_refuses_a_broken_draft_with_pointers_under_policy(client):
    response = client.post("/policy/simulate", json={"policy": {"currency": "EUR"}})

    assert response.status_code == 422
    assert [error["pointer"] for error in response.json()["errors"]] == [
        "/policy/timezone",
        "/policy/default",
    ]
