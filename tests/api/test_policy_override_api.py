"""Staff override a return's refund terms over HTTP: the quote and the refund follow, the
return and its timeline say so, bad input is named, a return refunded in full keeps its terms."""

from __future__ import annotations

from tests.api.test_refunds_api import approved_return

WAIVE_RESTOCKING = {
    "waive_fees": ["restocking_fee", "restocking_fee_fixed"],
    "refund_original_shipping": True,
    "reason": "the parcel came back damaged by our courier",
}


def totals(client, return_id: int) -> dict[str, int]:
    quote = client.get(f"/returns/{return_id}/refund-quote").json()
    return {method["method"]: method["total"] for method in quote["methods"]}


def test_waived_fees_and_refunded_shipping_change_the_quote_and_the_refund(client):
    client.patch("/settings/money", json={"restocking_fee_bp": 1000, "restocking_fee_fixed": 300})
    ret = approved_return(client)
    rid = ret["id"]
    # 17640 paid for the items; 10 % of the 14700 before tax, and 300, are kept.
    assert totals(client, rid)["original_payment"] == 17640 - 1470 - 300

    response = client.post(f"/returns/{rid}/policy-override", json=WAIVE_RESTOCKING)

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "approved"
    assert response.json()["terms_override"] == {
        "waived_fees": ["restocking_fee", "restocking_fee_fixed"],
        "refund_original_shipping": True,
        "reason": "the parcel came back damaged by our courier",
    }
    quote = client.get(f"/returns/{rid}/refund-quote").json()
    refund_fees = next(m for m in quote["methods"] if m["method"] == "original_payment")["fees"]
    assert [(fee["code"], fee["amount"], fee["waived"], fee["note"]) for fee in refund_fees] == [
        ("restocking_fee", 1470, True, "waived by staff"),
        ("restocking_fee_fixed", 300, True, "waived by staff"),
    ]
    assert quote["shipping_amount"] == 495
    assert totals(client, rid)["original_payment"] == 17640 + 495
    events = client.get(f"/returns/{rid}/events").json()["items"]
    assert [(e["name"], e["payload"]["reason"]) for e in events[-1:]] == [
        ("return.policy_overridden", "the parcel came back damaged by our courier")
    ]

    refund = client.post(f"/returns/{rid}/refunds", json={"method": "manual", "reference": "t1"})
    assert (refund.status_code, refund.json()["amount"]) == (201, 17640 + 495)
    again = client.post(
        f"/returns/{rid}/policy-override", json={**WAIVE_RESTOCKING, "waive_fees": []}
    )
    assert again.status_code == 409
    assert (again.json()["code"], again.json()["current_status"]) == (
        "illegal_transition",
        "refunded in full",
    )


def test_bad_overrides_are_refused_naming_the_field_and_change_nothing(client):
    ret = approved_return(client)
    rid = ret["id"]
    before = client.get(f"/returns/{rid}").json()

    unknown = client.post(
        f"/returns/{rid}/policy-override", json={"waive_fees": ["postage"], "reason": "x"}
    )
    no_reason = client.post(f"/returns/{rid}/policy-override", json={"waive_fees": ["label_cost"]})
    nothing = client.post(f"/returns/{rid}/policy-override", json={"reason": "just because"})

    assert unknown.status_code == 422
    assert "waive_fees" in unknown.text
    assert no_reason.status_code == 422
    assert "reason" in no_reason.text
    assert (nothing.status_code, nothing.json()["field"]) == (422, "waive_fees")
    assert client.get(f"/returns/{rid}").json() == before


def test_a_closed_return_keeps_its_terms_and_names_its_status(client):
    ret = approved_return(client)
    rid = ret["id"]
    assert (
        client.post(f"/returns/{rid}/cancel", json={"reason": "changed my mind"}).status_code == 200
    )

    refused = client.post(f"/returns/{rid}/policy-override", json=WAIVE_RESTOCKING)

    assert refused.status_code == 409
    assert refused.json()["current_status"] == "cancelled"
    assert "cannot override the refund terms of a return that is cancelled" in refused.text
