"""POST /returns under a live policy over HTTP: decided at once, refused naming each line and
rule, overridden by staff with a reason; the return shows its policy version, decision, risk."""

from __future__ import annotations

from datetime import timedelta

import pytest

from retour.services.policy.inputs import forget_store_return_rates
from tests.conftest import START
from tests.factories import order_payload

POLICY = {
    "timezone": "UTC",
    "currency": "EUR",
    "default": {"window_days": 30},
    "automation": {
        "default": "review",
        "rules": [
            {"id": "small", "decision": "approve", "when": {"return_value": {"below": 10000}}}
        ],
    },
}


@pytest.fixture(autouse=True)
def _fresh_store_rates():
    forget_store_return_rates()


@pytest.fixture
def order(client):
    """Linen shirts, 2 × M and 1 × L, delivered on 25 February (5 days before START)."""
    response = client.post("/orders", json=order_payload(placed_at=START - timedelta(days=8)))
    assert response.status_code == 201
    return response.json()


def body(order, quantities=(1, 0), **more):
    return {
        "order_id": order["id"],
        "lines": [
            {"order_line_id": line["id"], "quantity": quantity, "reason_code": "too_small"}
            for line, quantity in zip(order["lines"], quantities, strict=True)
            if quantity
        ],
        **more,
    }


def test_without_a_policy_the_return_carries_no_decision(client, order):
    created = client.post("/returns", json=body(order))

    assert created.status_code == 201
    ret = created.json()
    assert (ret["status"], ret["policy_version"], ret["decision"], ret["risk"]) == (
        "requested",
        None,
        None,
        None,
    )


def test_under_a_policy_the_return_is_decided_at_once_and_shows_why(client, order):
    client.put("/policy", json=POLICY)

    created = client.post("/returns", json=body(order), headers={"Idempotency-Key": "r-1"})
    replayed = client.post("/returns", json=body(order), headers={"Idempotency-Key": "r-1"})

    assert created.status_code == 201
    ret = created.json()
    assert (ret["status"], ret["policy_version"]) == ("approved", 1)
    assert ret["decision"] == {
        "outcome": "approve",
        "rule_id": "small",
        "message": "Approved automatically: the return's value is below 100.00 EUR",
    }
    assert ret["risk"] == {"score": 0, "signals": []}
    assert client.get(f"/returns/{ret['id']}").json() == ret
    assert replayed.json() == ret
    timeline = client.get(f"/returns/{ret['id']}/events").json()["items"]
    assert [(event["name"], event["actor"]) for event in timeline] == [
        ("return.requested", "api_key:tests"),
        ("return.approved", "policy:small"),
    ]
    assert timeline[0]["payload"]["policy"] == {
        "version": 1,
        "decision": "approve",
        "rule_id": "small",
        "risk_score": 0,
    }


def test_refused_lines_are_422_naming_each_line_and_rule_and_nothing_is_created(client, order):
    client.put("/policy", json={**POLICY, "default": {"window_days": 3}})

    response = client.post("/returns", json=body(order, (1, 1)))

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert (problem["code"], problem["field"]) == ("not_eligible", "lines[0]")
    assert problem["detail"] == (
        "line 0: Return window ended on 28 February [default]; "
        "line 1: Return window ended on 28 February [default]"
    )
    assert [(r["line"], r["code"], r["rule_id"]) for r in problem["refusals"]] == [
        (0, "window_ended", "default"),
        (1, "window_ended", "default"),
    ]
    assert client.get("/returns").json()["items"] == []


def test_staff_override_creates_it_for_review_and_the_timeline_keeps_the_reason(client, order):
    client.put("/policy", json={**POLICY, "default": {"window_days": 3}})

    created = client.post(
        "/returns", json=body(order, policy_override={"reason": "courier lost a week"})
    )

    assert created.status_code == 201
    ret = created.json()
    assert (ret["status"], ret["policy_version"], ret["decision"]["rule_id"]) == (
        "requested",
        1,
        "retour.staff_override",
    )
    timeline = client.get(f"/returns/{ret['id']}/events").json()["items"]
    override = timeline[0]["payload"]["policy"]["override"]
    assert override["reason"] == "courier lost a week"
    assert [r["code"] for r in override["refusals"]] == ["window_ended"]


def test_an_empty_override_reason_is_a_validation_error(client, order):
    client.put("/policy", json=POLICY)

    response = client.post("/returns", json=body(order, policy_override={"reason": " "}))

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["policy_override.reason"]
    assert client.get("/returns").json()["items"] == []
