"""The store's money settings over HTTP: read, change some, refuse bad values naming them."""

from __future__ import annotations


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
