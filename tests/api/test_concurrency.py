"""Two requests racing on one return: exactly one wins, the other gets 409."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from tests.conftest import START
from tests.factories import order_payload

pytestmark = pytest.mark.postgres_only
ROUNDS = 8


def race(client, path: str, body: dict | None) -> list[int]:
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    texts: list[str] = []

    def send() -> None:
        barrier.wait()
        response = client.post(path, json=body)
        statuses.append(response.status_code)
        texts.append(response.text)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(texts)
    return sorted(statuses)


def open_returns(client, count: int) -> list[dict]:
    created = []
    for number in range(count):
        payload = order_payload(f"{3000 + number}", placed_at=START - timedelta(days=4))
        order = client.post("/orders", json=payload).json()
        body = {
            "order_id": order["id"],
            "lines": [
                {"order_line_id": line["id"], "quantity": line["quantity"], "reason_code": "style"}
                for line in order["lines"]
            ],
        }
        created.append(client.post("/returns", json=body).json())
    return created


def test_concurrent_approvals_one_wins(client):
    for ret in open_returns(client, ROUNDS):
        assert race(client, f"/returns/{ret['id']}/approve", None) == [200, 409]
        events = client.get(f"/returns/{ret['id']}/events").json()["items"]
        assert [event["name"] for event in events] == ["return.requested", "return.approved"]


def test_concurrent_receipts_one_wins(client):
    for ret in open_returns(client, ROUNDS):
        client.post(f"/returns/{ret['id']}/approve")
        # The whole parcel twice: the loser conflicts (409) whether it ran alongside the
        # winner (stale version) or just after it (the return is already received).
        body = {
            "lines": [
                {"line_id": line["id"], "quantity": line["quantities"]["requested"]}
                for line in ret["lines"]
            ]
        }
        assert race(client, f"/returns/{ret['id']}/receive", body) == [200, 409]
        after = client.get(f"/returns/{ret['id']}").json()
        assert [line["quantities"]["received"] for line in after["lines"]] == [2, 1]


def test_concurrent_requests_on_one_order_never_overbook(client):
    payload = order_payload("4000", placed_at=START - timedelta(days=4), quantities=(1,))
    order = client.post("/orders", json=payload).json()
    body = {
        "order_id": order["id"],
        "lines": [
            {"order_line_id": order["lines"][0]["id"], "quantity": 1, "reason_code": "style"}
        ],
    }
    assert race(client, "/returns", body) == [201, 422]
    assert len(client.get("/returns", params={"order_id": order["id"]}).json()["items"]) == 1


def test_racing_requests_with_one_idempotency_key_create_one_return(client):
    payload = order_payload("5000", placed_at=START - timedelta(days=4), quantities=(ROUNDS,))
    order = client.post("/orders", json=payload).json()
    body = {
        "order_id": order["id"],
        "lines": [
            {"order_line_id": order["lines"][0]["id"], "quantity": 1, "reason_code": "style"}
        ],
    }
    for attempt in range(ROUNDS // 2):
        headers = {"Idempotency-Key": f"race-{attempt}"}
        barrier = threading.Barrier(2)
        responses = []

        def send(headers=headers, barrier=barrier, responses=responses) -> None:
            barrier.wait()
            responses.append(client.post("/returns", json=body, headers=headers))

        threads = [threading.Thread(target=send) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [r.status_code for r in responses] == [201, 201], [r.text for r in responses]
        assert responses[0].json() == responses[1].json()
    listed = client.get("/returns", params={"order_id": order["id"]}).json()["items"]
    assert len(listed) == ROUNDS // 2
