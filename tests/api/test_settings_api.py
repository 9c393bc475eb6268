"""The store's money settings over HTTP: read, change some, refuse bad values naming them."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import START
from tests.factories import order_payload


def test_money_settings_change_only_what_is_sent_and_feed_the_quote(client):
    before = client.get("/settings/money").json()

    changed = client.patch(
        "/settings/money",
        json={
            "restocking_fee_bp": 1000,
            "auto_refund": "on_receipt",
            "store_credit_bonus_cap": 500,
        },
    )
    cleared = client.patch("/settings/money", json={"store_credit_bonus_cap": None})

    assert before == {
        "restocking_fee_bp": 0,
        "restocking_fee_fixed": 0,
        "return_shipping_fee": 0,
        "label_cost": 0,
        "store_credit_bonus_bp": 0,
        "store_credit_bonus_fixed": 0,
        "store_credit_bonus_cap": None,
        "waive_fees_for_store_credit": False,
        "waive_fees_for_exchange": True,
        "refund_original_shipping": False,
        "auto_refund": "off",
        "exchange_fallback": "store_credit",
        "store_credit_expiry_days": None,
    }
    assert changed.status_code == 200
    assert {k: changed.json()[k] for k in ("restocking_fee_bp", "auto_refund")} == {
        "restocking_fee_bp": 1000,
        "auto_refund": "on_receipt",
    }
    assert changed.json()["store_credit_bonus_cap"] == 500
    assert cleared.json()["store_credit_bonus_cap"] is None
    assert cleared.json()["restocking_fee_bp"] == 1000


def test_bad_settings_are_refused_naming_the_field_and_nothing_changes(client):
    response = client.patch(
        "/settings/money", json={"restocking_fee_bp": 20000, "auto_refund": "sometimes"}
    )

    assert response.status_code == 422
    assert {error["field"] for error in response.json()["errors"]} == {
        "restocking_fee_bp",
        "auto_refund",
    }
    assert client.get("/settings/money").json()["restocking_fee_bp"] == 0


def test_the_label_cost_is_set_like_the_other_fees_and_charged_by_the_quote(client):
    order = client.post(
        "/orders", json=order_payload("6001", placed_at=START - timedelta(days=4), quantities=(1,))
    ).json()
    ret = client.post(
        "/returns",
        json={
            "order_id": order["id"],
            "return_method": "prepaid_label",
            "lines": [
                {"order_line_id": order["lines"][0]["id"], "quantity": 1, "reason_code": "style"}
            ],
        },
    ).json()
    client.post(f"/returns/{ret['id']}/approve")

    changed = client.patch("/settings/money", json={"label_cost": 695})
    quote = client.get(f"/returns/{ret['id']}/refund-quote").json()

    assert changed.status_code == 200
    assert changed.json()["label_cost"] == 695
    assert client.get("/settings/money").json()["label_cost"] == 695
    methods = {method["method"]: method for method in quote["methods"]}
    assert methods["original_payment"]["fees"] == [
        {"code": "label_cost", "amount": 695, "waived": False, "note": ""}
    ]
    assert (methods["original_payment"]["paid_amount"], quote["refundable"]) == (
        5880 - 695,
        5880,
    )
    assert methods["exchange"]["fees"] == [
        {"code": "label_cost", "amount": 695, "waived": True, "note": "waived for exchange"}
    ]


def test_a_negative_label_cost_is_refused_and_nothing_changes(client):
    response = client.patch("/settings/money", json={"label_cost": -1})

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["label_cost"]
    assert client.get("/settings/money").json()["label_cost"] == 0
