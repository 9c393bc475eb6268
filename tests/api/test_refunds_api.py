"""The refunds API over HTTP: quote, pay back, replay, refuse clearly."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import START
from tests.factories import order_payload


def approved_return(client, platform_id="5001", quantities=(2, 1)) -> dict:
    payload = order_payload(platform_id, placed_at=START - timedelta(days=4), quantities=quantities)
    order = client.post("/orders", json=payload).json()
    body = {
        "order_id": order["id"],
        "lines": [
            {"order_line_id": line["id"], "quantity": line["quantity"], "reason_code": "style"}
            for line in order["lines"]
        ],
    }
    ret = client.post("/returns", json=body).json()
    return client.post(f"/returns/{ret['id']}/approve").json()


def test_the_quote_itemises_the_return_and_totals_each_method(client):
    ret = approved_return(client)

    quote = client.get(f"/returns/{ret['id']}/refund-quote").json()

    assert [
        (line["units"], line["items_amount"], line["tax_amount"]) for line in quote["lines"]
    ] == [
        (2, 9800, 1960),
        (1, 4900, 980),
    ]
    assert (quote["currency"], quote["refundable"], quote["shipping_amount"]) == ("EUR", 17640, 0)
    assert {m["method"]: m["total"] for m in quote["methods"]} == {
        "original_payment": 17640,
        "store_credit": 17640,
        "exchange": 17640,
    }


def test_a_manual_refund_is_recorded_and_shown_on_the_return(client):
    ret = approved_return(client)

    response = client.post(
        f"/returns/{ret['id']}/refunds", json={"method": "manual", "reference": "till 7"}
    )

    assert response.status_code == 201
    refund = response.json()
    assert (refund["status"], refund["amount"], refund["provider"]) == (
        "succeeded",
        17640,
        "manual",
    )
    assert [(a["amount"], a["provider_reference"]) for a in refund["allocations"]] == [
        (17640, "till 7")
    ]
    assert client.get(f"/refunds/{refund['id']}").json()["id"] == refund["id"]
    assert [r["id"] for r in client.get(f"/returns/{ret['id']}/refunds").json()["items"]] == [
        refund["id"]
    ]
    assert client.get(f"/returns/{ret['id']}").json()["refund_status"] == "refunded"
    events = client.get(f"/returns/{ret['id']}/events").json()["items"]
    assert events[-1]["name"] == "refund.succeeded"


def test_the_same_idempotency_key_replays_the_same_refund(client):
    ret = approved_return(client)
    body = {"method": "manual", "reference": "till 7", "amount": 1000, "reason": "partial"}
    headers = {"Idempotency-Key": "refund-abc"}

    first = client.post(f"/returns/{ret['id']}/refunds", json=body, headers=headers)
    again = client.post(f"/returns/{ret['id']}/refunds", json=body, headers=headers)
    other = client.post(
        f"/returns/{ret['id']}/refunds", json={**body, "amount": 999}, headers=headers
    )

    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


def test_an_amount_over_the_limit_is_refused_with_the_limit(client):
    ret = approved_return(client)

    response = client.post(
        f"/returns/{ret['id']}/refunds",
        json={"method": "manual", "reference": "x", "amount": 17641, "reason": "goodwill"},
    )

    assert response.status_code == 422
    problem = response.json()
    assert (problem["code"], problem["field"], problem["maximum"]) == (
        "quantity_exceeded",
        "amount",
        17640,
    )
    assert client.get(f"/returns/{ret['id']}/refunds").json()["items"] == []


def test_unknown_methods_and_unconfigured_providers_are_refused(client):
    ret = approved_return(client)

    unknown = client.post(f"/returns/{ret['id']}/refunds", json={"method": "cheque"})
    no_provider = client.post(f"/returns/{ret['id']}/refunds", json={"method": "original_payment"})

    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (422, "method")
    assert (no_provider.status_code, no_provider.json()["field"]) == (422, "method")
    assert "no payment provider is configured for gateway 'card'" in no_provider.json()["detail"]


def test_a_return_not_yet_approved_cannot_be_refunded(client):
    payload = order_payload("5002", placed_at=START - timedelta(days=4))
    order = client.post("/orders", json=payload).json()
    line = order["lines"][0]
    ret = client.post(
        "/returns",
        json={
            "order_id": order["id"],
            "lines": [{"order_line_id": line["id"], "quantity": 1, "reason_code": "style"}],
        },
    ).json()

    response = client.post(f"/returns/{ret['id']}/refunds", json={"method": "store_credit"})

    assert response.status_code == 409
    assert (response.json()["code"], response.json()["current_status"]) == (
        "illegal_transition",
        "requested",
    )


@pytest.mark.postgres_only
def test_twenty_concurrent_refunds_never_pay_back_more_than_refundable(client):
    ret = approved_return(client)
    barrier = threading.Barrier(20)
    statuses: list[int] = []

    def send(index: int) -> None:
        barrier.wait()
        response = client.post(
            f"/returns/{ret['id']}/refunds",
            json={"method": "manual", "reference": f"r{index}"},
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=send, args=(index,)) for index in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    refunds = client.get(f"/returns/{ret['id']}/refunds").json()["items"]
    assert sorted(statuses) == [201] + [409] * 19
    assert sum(refund["paid_amount"] for refund in refunds) == 17640


def test_the_refunds_report_totals_per_day_and_streams_csv(client, server):
    ret = approved_return(client)
    server.clock.current = START + timedelta(hours=30)
    client.post(f"/returns/{ret['id']}/refunds", json={"method": "store_credit"})
    day = (START + timedelta(hours=30)).date()
    period = {"from": str(START.date()), "to": str(day)}

    report = client.get("/reports/refunds", params=period).json()
    csv_text = client.get("/reports/refunds", params={**period, "format": "csv"}).text

    assert report["days"] == [
        {
            "day": str(day),
            "method": "store_credit",
            "currency": "EUR",
            "count": 1,
            "amount": 17640,
            "paid_amount": 17640,
            "bonus_amount": 0,
        }
    ]
    assert report["time_from_request"] == {"count": 1, "median_hours": 30.0, "p90_hours": 30.0}
    assert report["time_from_receipt"] == {"count": 0, "median_hours": None, "p90_hours": None}
    assert csv_text.splitlines() == [
        "day,method,currency,count,amount,paid_amount,bonus_amount",
        f"{day},store_credit,EUR,1,17640,17640,0",
    ]


def documented_csv_header() -> str:
    """The header line of the CSV block in docs/refunds.md."""
    docs = (Path(__file__).parents[2] / "docs" / "refunds.md").read_text(encoding="utf-8")
    return docs.split("```csv\n", 1)[1].split("\n", 1)[0]


def test_the_refunds_csv_has_the_documented_columns_and_only_the_day_rows(client, server):
    first, second = approved_return(client, "5101"), approved_return(client, "5102")
    client.post(f"/returns/{first['id']}/refunds", json={"method": "store_credit"})
    server.clock.current = START + timedelta(days=1)
    client.post(f"/returns/{second['id']}/refunds", json={"method": "manual", "reference": "t"})
    period = {"from": str(START.date()), "to": str(START.date() + timedelta(days=1))}

    response = client.get("/reports/refunds", params={**period, "format": "csv"})

    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.text.splitlines() == [
        documented_csv_header(),
        f"{START.date()},store_credit,EUR,1,17640,17640,0",
        f"{START.date() + timedelta(days=1)},manual,EUR,1,17640,17640,0",
    ]
    assert documented_csv_header() == "day,method,currency,count,amount,paid_amount,bonus_amount"


def test_a_report_period_must_run_forwards(client):
    response = client.get("/reports/refunds", params={"from": "2026-11-02", "to": "2026-11-01"})

    assert (response.status_code, response.json()["field"]) == (422, "to")
