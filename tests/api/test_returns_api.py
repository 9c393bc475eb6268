"""The JSON API over real HTTP: lifecycle, errors, idempotency, tenancy, pagination."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import START
from tests.factories import order_payload


def import_order(client, platform_id="1001", **options):
    response = client.post(
        "/orders", json=order_payload(platform_id, placed_at=START - timedelta(days=5), **options)
    )
    assert response.status_code == 201, response.text
    return response.json()


def open_return(client, order, quantities=(2, 1), **headers):
    body = {
        "order_id": order["id"],
        "lines": [
            {"order_line_id": line["id"], "quantity": quantity, "reason_code": "too_small"}
            for line, quantity in zip(order["lines"], quantities, strict=True)
            if quantity
        ],
        "resolution": "refund",
        "return_method": "ship_yourself",
    }
    return client.post("/returns", json=body, headers=headers)


def test_full_lifecycle_over_http(client):
    order = import_order(client)
    created = open_return(client, order)
    assert created.status_code == 201
    ret = created.json()
    assert (ret["number"], ret["status"]) == ("R-100001", "requested")
    assert ret["allowed_actions"] == [
        "approve",
        "reject",
        "request_info",
        "cancel",
        "change_location",
        "override_policy",
    ]
    rid = ret["id"]
    first, second = (line["id"] for line in ret["lines"])

    assert client.post(f"/returns/{rid}/approve").json()["status"] == "approved"
    moved = client.post(f"/returns/{rid}/mark-in-transit", json={"tracking_number": "1Z999"})
    assert moved.json()["tracking_number"] == "1Z999"
    received = client.post(
        f"/returns/{rid}/receive",
        json={"lines": [{"line_id": first, "quantity": 2}, {"line_id": second, "quantity": 1}]},
    )
    assert received.json()["status"] == "received"
    inspected = client.post(
        f"/returns/{rid}/inspect",
        json={"lines": [
            {"line_id": first, "quantity": 2, "accepted": True, "grade": "A",
             "disposition": "restock"},
            {"line_id": second, "quantity": 1, "accepted": False, "grade": "D",
             "disposition": "dispose", "note": "stained"},
        ]},
    )  # fmt: skip
    assert inspected.json()["status"] == "inspected"
    completed = client.post(f"/returns/{rid}/complete")
    assert completed.json()["status"] == "completed"
    assert completed.json()["allowed_actions"] == []

    stock = client.get("/inventory/stock").json()["items"]
    assert stock == [
        {"sku": "LINEN-L", "location": "returns", "bucket": "written_off", "quantity": 1},
        {"sku": "LINEN-M", "location": "returns", "bucket": "sellable", "quantity": 2},
    ]
    movements = client.get("/inventory/movements", params={"return_id": rid}).json()["items"]
    assert [(m["sku"], m["quantity"], m["cause"]) for m in movements] == [
        ("LINEN-L", 1, "return.inspected"),
        ("LINEN-M", 2, "return.inspected"),
    ]
    timeline = client.get(f"/returns/{rid}/events").json()["items"]
    assert [event["name"] for event in timeline] == [
        "return.requested", "return.approved", "return.in_transit", "return.received",
        "return.inspected", "return.completed",
    ]  # fmt: skip
    assert timeline[0]["actor"] == "api_key:tests"


def test_illegal_transition_is_409_naming_the_current_status(client):
    rid = open_return(client, import_order(client)).json()["id"]
    response = client.post(f"/returns/{rid}/complete")
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "illegal_transition"
    assert problem["current_status"] == "requested"
    assert problem["detail"] == "cannot complete a return that is requested"


def test_over_quantity_is_422_with_the_maximum(client):
    response = open_return(client, import_order(client), quantities=(3, 1))
    assert response.status_code == 422
    problem = response.json()
    assert (problem["code"], problem["field"], problem["maximum"]) == (
        "quantity_exceeded",
        "lines[0].quantity",
        2,
    )
    assert client.get("/returns").json()["items"] == []


def test_malformed_json_and_wrong_types_name_the_fields(client):
    broken = client.post(
        "/returns", content=b'{"order_id": ', headers={"content-type": "application/json"}
    )
    assert broken.status_code == 422
    assert broken.json()["code"] == "validation_error"
    wrong = client.post("/returns", json={"order_id": "seven", "lines": [{"quantity": 0}]})
    assert wrong.status_code == 422
    fields = {error["field"] for error in wrong.json()["errors"]}
    assert fields == {
        "order_id", "lines[0].order_line_id", "lines[0].quantity", "lines[0].reason_code",
    }  # fmt: skip


def test_idempotency_key_replays_and_refuses_another_body(client):
    order = import_order(client)
    first = open_return(client, order, (1, 0), **{"Idempotency-Key": "k-1"})
    second = open_return(client, order, (1, 0), **{"Idempotency-Key": "k-1"})
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert len(client.get("/returns").json()["items"]) == 1
    other = open_return(client, order, (2, 0), **{"Idempotency-Key": "k-1"})
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


def test_another_stores_objects_are_404(client, other_client):
    order = import_order(client)
    rid = open_return(client, order).json()["id"]
    assert other_client.get(f"/returns/{rid}").status_code == 404
    assert other_client.get(f"/orders/{order['id']}").status_code == 404
    assert other_client.post(f"/returns/{rid}/approve").status_code == 404
    assert other_client.get("/returns").json()["items"] == []
    assert client.get(f"/returns/{rid}").json()["status"] == "requested"


def test_missing_or_wrong_api_key_is_401(server):
    import httpx

    anonymous = httpx.get(f"{server.base_url}/api/v1/returns")
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "unauthorized"
    forged = httpx.get(
        f"{server.base_url}/api/v1/returns", headers={"Authorization": "Bearer rtr_abc_def"}
    )
    assert forged.status_code == 401


def test_reimporting_an_order_is_idempotent(client):
    payload = order_payload("1001", placed_at=START - timedelta(days=5))
    created = client.post("/orders", json=payload)
    again = client.post("/orders", json=payload)
    assert (created.status_code, again.status_code) == (201, 200)
    assert again.json() == created.json()
    payload["shipping"]["postal_code"] = "75012"
    updated = client.post("/orders", json=payload)
    assert updated.status_code == 200
    assert updated.json()["shipping_postal_code"] == "75012"
    assert [line["id"] for line in updated.json()["lines"]] == [
        line["id"] for line in created.json()["lines"]
    ]
    assert len(client.get("/orders").json()["items"]) == 1


def test_cursor_pagination_walks_every_return_once(client):
    for number in range(5):
        order = import_order(client, platform_id=f"{2000 + number}")
        assert open_return(client, order).status_code == 201
    seen, cursor = [], None
    while True:
        page = client.get("/returns", params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        body = page.json()
        seen += [item["number"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"R-10000{n}" for n in (5, 4, 3, 2, 1)]
    assert client.get("/returns", params={"cursor": "garbage!"}).status_code == 422


def test_filters_by_status_and_email(client):
    order = import_order(client)
    rid = open_return(client, order, (1, 0)).json()["id"]
    open_return(client, order, (1, 1))
    client.post(f"/returns/{rid}/approve")
    approved = client.get("/returns", params={"status": "approved"}).json()["items"]
    assert [item["id"] for item in approved] == [rid]
    by_email = client.get("/returns", params={"customer_email": "shopper@example.com"})
    assert len(by_email.json()["items"]) == 2
    assert client.get("/returns", params={"status": "nonsense"}).status_code == 422


def test_health_and_openapi(server):
    import httpx

    assert httpx.get(f"{server.base_url}/health").json() == {"status": "ok"}
    assert httpx.get(f"{server.base_url}/health/ready").json() == {
        "status": "ok",
        "database": "ok",
    }
    spec = httpx.get(f"{server.base_url}/api/v1/openapi.json").json()
    assert "/api/v1/returns/{return_id}/inspect" in spec["paths"]
    assert httpx.get(f"{server.base_url}/api/docs").status_code == 200


def test_front_page_points_to_the_api(server):
    import httpx

    page = httpx.get(f"{server.base_url}/")
    assert page.status_code == 200
    assert 'href="/api/docs"' in page.text


@pytest.mark.parametrize(
    ("email", "problem"),
    [
        ("shopper@localhost", "the domain needs a dot (e.g. example.com)"),
        (
            "sam..lee@example.com",
            "the part before the @ has characters or dots that are not allowed",
        ),
        ("no-at-sign.example.com", "no local part before an @"),
    ],
)
def test_an_order_with_an_unusable_email_is_refused_naming_the_field(client, email, problem):
    payload = order_payload("1001", placed_at=START - timedelta(days=5), email=email)

    response = client.post("/orders", json=payload)

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "customer.email"
    assert error["message"] == f"Value error, not a usable e-mail address: {problem}"
    assert client.get("/orders").json()["items"] == []


def test_a_wrong_item_is_inspected_as_what_arrived_and_the_right_units_are_paid_back(client):
    order = import_order(client)
    ret = open_return(client, order, quantities=(2, 0)).json()
    rid, line = ret["id"], ret["lines"][0]["id"]
    assert client.post(f"/returns/{rid}/approve").status_code == 200
    client.post(f"/returns/{rid}/receive", json={"lines": [
        {"line_id": line, "quantity": 1}, {"line_id": line, "quantity": 1, "wrong_item": True},
    ]})  # fmt: skip

    inspected = client.post(f"/returns/{rid}/inspect", json={"lines": [
        {"line_id": line, "quantity": 1, "accepted": True, "grade": "A", "disposition": "restock"},
        {"line_id": line, "quantity": 1, "accepted": False, "grade": "B",
         "disposition": "restock", "wrong_item": True, "arrived_sku": "LINEN-L"},
    ]})  # fmt: skip

    assert inspected.status_code == 200, inspected.text
    verdicts = inspected.json()["lines"][0]["inspections"]
    assert [
        (v["quantity"], v["accepted"], v["wrong_item"], v["arrived_sku"]) for v in verdicts
    ] == [
        (1, True, False, ""),
        (1, False, True, "LINEN-L"),
    ]
    stock = client.get("/inventory/stock").json()["items"]
    assert [(s["sku"], s["bucket"], s["quantity"]) for s in stock] == [
        ("LINEN-L", "sellable", 1),
        ("LINEN-M", "sellable", 1),
    ]
    quote = client.get(f"/returns/{rid}/refund-quote").json()
    assert [(q["units"], q["items_amount"]) for q in quote["lines"]] == [(1, 4900)]
