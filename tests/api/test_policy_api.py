"""The return policy over HTTP: the built-in one, saving versions, refusals, history, schema."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.conftest import START
from tests.factories import order_payload

POLICY = {
    "timezone": "UTC",
    "currency": "EUR",
    "default": {"window_days": 30, "restocking": {"percent": 10}},
    "overrides": [
        {"id": "shirts", "match": {"collections": ["Shirts"]}, "window_days": 60},
        {"id": "bags", "match": {"collections": ["Bags"]}, "window_days": 14},
    ],
    "final_sale": [{"id": "hygiene", "tags": ["underwear"]}],
    "reasons": [{"id": "proof", "codes": ["damaged", "scratched"], "photo_required": True}],
    "automation": {"default": "approve"},
}


def test_a_store_without_a_policy_reads_the_built_in_one_from_its_money_settings(client):
    client.patch(
        "/settings/money",
        json={
            "restocking_fee_bp": 1250,
            "restocking_fee_fixed": 300,
            "return_shipping_fee": 495,
            "label_cost": 200,
            "store_credit_bonus_bp": 500,
            "store_credit_bonus_cap": 2000,
            "waive_fees_for_store_credit": True,
        },
    )

    response = client.get("/policy")

    assert response.status_code == 200
    assert response.json() == {
        "version": 0,
        "is_builtin": True,
        "note": "",
        "created_by": None,
        "created_at": None,
        "document": {
            "$schema": "urn:retour:schema:return-policy",
            "description": "Built in: no policy saved yet. Fees from the store's money "
            "settings; staff approve every return.",
            "timezone": "UTC",
            "currency": "EUR",
            "default": {
                "window_days": 3650,
                "resolutions": ["refund", "store_credit", "exchange", "replacement", "keep_item"],
                "return_methods": ["prepaid_label", "qr_drop_off", "ship_yourself", "in_store"],
                "restocking": {"percent": 12.5},
            },
            "fees": {
                "waived_for": ["store_credit", "exchange"],
                "refund_original_shipping": False,
                "restocking_per_return": 300,
                "return_shipping": {"fixed": 695},
                "store_credit_bonus": {"percent": 5, "cap": 2000},
            },
            "automation": {"default": "review"},
        },
    }
    assert client.get("/policy/versions").json() == {"items": [], "next_cursor": None}


def test_saving_a_policy_makes_it_live_as_version_1_with_warnings_for_unknown_names(client):
    client.post("/orders", json=order_payload(placed_at=START - timedelta(days=3)))

    saved = client.put("/policy", json=POLICY, params={"note": "spring rules"})

    assert saved.status_code == 200
    body = saved.json()
    assert (body["version"], body["is_builtin"], body["note"]) == (1, False, "spring rules")
    assert (body["created_by"], body["created_at"]) == ("api_key:tests", "2026-03-02T09:30:00Z")
    assert body["document"] == POLICY
    assert body["warnings"] == [
        {"pointer": "/overrides/1/match/collections/0",
         "message": "no product or reason uses the collection 'Bags'"},
        {"pointer": "/final_sale/0/tags/0",
         "message": "no product or reason uses the tag 'underwear'"},
        {"pointer": "/reasons/0/codes/1",
         "message": "no product or reason uses the reason 'scratched'"},
    ]  # fmt: skip
    live = client.get("/policy").json()
    assert {key: live[key] for key in ("version", "is_builtin", "document")} == {
        "version": 1,
        "is_builtin": False,
        "document": POLICY,
    }


def test_a_policy_in_another_currency_or_time_zone_than_the_store_is_saved_with_a_warning(
    client,
):
    saved = client.put(
        "/policy", json={**POLICY, "currency": "USD", "timezone": "Europe/Paris", "reasons": [
            {"id": "proof", "codes": ["damaged"], "photo_required": True}]}
    )  # fmt: skip

    assert saved.status_code == 200
    assert [warning["pointer"] for warning in saved.json()["warnings"]] == [
        "/overrides/0/match/collections/0",
        "/overrides/1/match/collections/0",
        "/final_sale/0/tags/0",
        "/currency",
        "/timezone",
    ]
    assert saved.json()["warnings"][-1]["message"] == "the store's time zone is UTC"


def test_a_policy_that_breaks_the_schema_is_422_with_every_pointer_and_nothing_is_saved(client):
    client.put("/policy", json=POLICY)
    broken = {
        **POLICY,
        "default": {"window_days": 5000, "resolutions": ["cash"]},
        "overrides": [{"id": "shirts", "match": {"skus": ["A"], "tags": ["b"]}, "window_days": 3}],
        "colour": "red",
    }

    response = client.put("/policy", json=broken)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert (problem["code"], problem["title"], problem["detail"]) == (
        "invalid_policy",
        "Invalid policy",
        "the policy has 4 error(s)",
    )
    assert problem["errors"] == [
        {"pointer": "/colour", "message": "is not a known property"},
        {"pointer": "/default/window_days", "message": "must be between 0 and 3650"},
        {"pointer": "/default/resolutions/0",
         "message": "must be one of refund, store_credit, exchange, replacement, keep_item"},
        {"pointer": "/overrides/0/match",
         "message": "must name exactly one of skus, tags or collections"},
    ]  # fmt: skip
    assert client.get("/policy").json()["version"] == 1
    assert [item["version"] for item in client.get("/policy/versions").json()["items"]] == [1]


def test_a_body_that_is_not_a_json_object_is_a_validation_error(client):
    response = client.put("/policy", json=[POLICY])

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert client.get("/policy").json()["version"] == 0


def test_every_put_is_a_new_version_listed_newest_first_with_a_cursor(client):
    for window in (30, 45, 60):
        client.put("/policy", json={**POLICY, "default": {"window_days": window}})

    first = client.get("/policy/versions", params={"limit": 2}).json()
    second = client.get(
        "/policy/versions", params={"limit": 2, "cursor": first["next_cursor"]}
    ).json()

    assert [item["version"] for item in first["items"]] == [3, 2]
    assert [item["document"]["default"]["window_days"] for item in first["items"]] == [60, 45]
    assert [item["version"] for item in second["items"]] == [1]
    assert second["next_cursor"] is None
    assert client.get("/policy").json()["version"] == 3
    one = client.get("/policy/versions/1").json()
    assert (one["version"], one["document"]["default"]) == (1, {"window_days": 30})
    missing = client.get("/policy/versions/9")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    bad_cursor = client.get("/policy/versions", params={"cursor": "nope"})
    assert (bad_cursor.status_code, bad_cursor.json()["field"]) == (422, "cursor")


def test_another_stores_policy_is_not_seen(client, other_client):
    client.put("/policy", json=POLICY)

    assert other_client.get("/policy").json()["version"] == 0
    assert other_client.get("/policy/versions").json()["items"] == []
    assert other_client.get("/policy/versions/1").status_code == 404


def test_the_schema_is_served_without_an_api_key(server):
    response = httpx.get(f"{server.base_url}/api/v1/policy/schema")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/schema+json"
    schema = response.json()
    assert (schema["$id"], schema["required"]) == (
        "urn:retour:schema:return-policy",
        ["timezone", "currency", "default"],
    )


def test_the_policy_needs_an_api_key(server):
    response = httpx.get(f"{server.base_url}/api/v1/policy")

    assert response.status_code == 401


def test_simulate_reports_the_lines_nobody_returned_asked_back_on_their_last_day(client):
    order = client.post("/orders", json=order_payload(placed_at=START - timedelta(days=3))).json()
    client.put("/policy", json=POLICY)
    # Delivered 2 March: the shirts' 60 days end on 1 May under both policies.
    large = {"id": "no-large", "skus": ["LINEN-L"]}
    draft = {**POLICY, "final_sale": [*POLICY["final_sale"], large]}

    response = client.post("/policy/simulate", json={"policy": draft})

    assert response.status_code == 200, response.text
    report = response.json()
    assert report["returns_total"] == 0
    window_open = [{"code": "window_open", "rule_id": "shirts"}]
    assert report["unreturned_lines"] == {
        "lines_total": 2,
        "lines_evaluated": 2,
        "lines_skipped": 0,
        "eligible": {"live": 2, "draft": 1, "delta": -1},
        "becoming_eligible": {"count": 0, "examples": []},
        "no_longer_eligible": {"count": 1, "examples": [{
            "order_id": order["id"], "order_number": "#1001",
            "order_line_id": order["lines"][1]["id"], "sku": "LINEN-L",
            "asked_at": "2026-05-01T23:59:59.999999Z",
            "live": {"is_eligible": True, "last_day": "2026-05-01", "decided_by": window_open},
            "draft": {"is_eligible": False, "last_day": "2026-05-01",
                      "decided_by": [{"code": "final_sale", "rule_id": "no-large"}]},
        }]},
        "refusals_live": {},
        "refusals_draft": {"final_sale [no-large]": 1},
    }  # fmt: skip
