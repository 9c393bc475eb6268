"""Webhooks and the events feed over real HTTP: subscriptions, deliveries with their
attempts, replay, the test-send, refusals as problem+json naming the field, and tenancy."""

from __future__ import annotations

from datetime import timedelta

import pytest

from retour.db.unit_of_work import UnitOfWork
from retour.domain.events import DomainEvent
from retour.services.context import FixedClock
from retour.services.outbox.senders import SendResult
from retour.services.outbox.worker import Worker, WorkerSettings
from retour.web.app import create_app
from retour.webhooks.sender import WebhookSender
from tests.api.conftest import LiveServer, api_client, serving
from tests.conftest import START, empty_all_tables
from tests.factories import order_payload
from tests.support.webhook_receiver import WebhookReceiver, verified


@pytest.fixture(scope="module")
def loopback_server(settings, engine):
    """The app with private targets allowed (the receiver is on loopback)."""
    allowing = settings.model_copy(
        update={"webhooks_allow_private": True, "webhook_timeout_seconds": 2.0}
    )
    clock = FixedClock(START)
    with serving(create_app(allowing, clock=clock)) as base_url:
        yield LiveServer(base_url, clock)


@pytest.fixture
def server(loopback_server, engine):
    """Overrides the suite's server: the `client` fixture talks to this one."""
    empty_all_tables(engine)
    loopback_server.clock.current = START
    return loopback_server


@pytest.fixture
def strict_client(live_server, server, uow):
    """A client of the suite's own server, where private targets are refused (the default)."""
    with api_client(live_server, uow, "strict") as http:
        yield http


@pytest.fixture
def receiver():
    with WebhookReceiver() as running:
        yield running


class Mailbox:
    def send(self, job):
        return SendResult(True)


@pytest.fixture
def deliver(session_factory, server):
    """Run the outbox worker until nothing is due (one thread: sends in claim order, oldest
    first, so a scripted answer goes to a known delivery)."""
    sender = WebhookSender(timeout_seconds=2, allow_private=True)
    worker = Worker(
        lambda: UnitOfWork(session_factory),
        {"webhook": sender, "email": Mailbox()},
        server.clock,
        WorkerSettings(threads=1),
        name="api-test",
        uniform=lambda low, high: 1.0,
    )

    def run():
        while worker.run_once():
            pass

    yield run
    sender.close()


def subscribe(client, url, event_types=("*",), **extra):
    response = client.post(
        "/webhooks", json={"url": url, "event_types": list(event_types), **extra}
    )
    assert response.status_code == 201, response.text
    return response.json()


def import_order(client, platform_id="1001"):
    response = client.post(
        "/orders", json=order_payload(platform_id, placed_at=START - timedelta(days=5))
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_a_subscription_is_created_read_changed_and_deleted(client):
    created = client.post(
        "/webhooks",
        json={
            "url": "http://127.0.0.1:9/in",
            "event_types": ["return.approved", "return.requested"],
            "description": "ERP",
        },
    )
    webhook_id = created.json()["id"]
    read = client.get(f"/webhooks/{webhook_id}")
    listed = client.get("/webhooks")
    changed = client.patch(f"/webhooks/{webhook_id}", json={"event_types": ["*"], "active": False})
    deleted = client.delete(f"/webhooks/{webhook_id}")
    gone = client.get(f"/webhooks/{webhook_id}")

    assert created.status_code == 201
    assert created.json()["secret"].startswith("whsec_")
    expected = {
        "id": webhook_id,
        "url": "http://127.0.0.1:9/in",
        "description": "ERP",
        "event_types": ["return.approved", "return.requested"],
        "active": True,
        "disabled_at": None,
        "disabled_reason": "",
        "created_at": "2026-03-02T09:30:00Z",
        "updated_at": "2026-03-02T09:30:00Z",
    }
    assert read.json() == expected
    assert "secret" not in read.json()
    assert listed.json() == {"items": [expected]}
    assert changed.json() | {"disabled_at": None} == expected | {
        "event_types": ["*"],
        "active": False,
        "disabled_reason": "disabled through the API",
    }
    assert changed.json()["disabled_at"] == "2026-03-02T09:30:00Z"
    assert deleted.status_code == 204
    assert (gone.status_code, gone.json()["code"]) == (404, "not_found")


def test_a_private_address_is_refused_naming_the_url_unless_the_operator_allows_it(
    strict_client, client
):
    refused = strict_client.post(
        "/webhooks", json={"url": "http://169.254.169.254/latest", "event_types": ["*"]}
    )
    allowed = client.post("/webhooks", json={"url": "http://127.0.0.1:9/", "event_types": ["*"]})

    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert {k: refused.json()[k] for k in ("code", "field")} == {
        "code": "invalid_request",
        "field": "url",
    }
    assert refused.json()["detail"].startswith("169.254.169.254 is a private or reserved address")
    assert strict_client.get("/webhooks").json() == {"items": []}
    assert allowed.status_code == 201


def test_bad_input_is_refused_naming_the_field(client):
    unknown = client.post(
        "/webhooks", json={"url": "http://127.0.0.1:9/", "event_types": ["return.lost"]}
    )
    missing = client.post("/webhooks", json={"event_types": ["*"]})
    extra = client.post(
        "/webhooks", json={"url": "http://127.0.0.1:9/", "event_types": ["*"], "secret": "x"}
    )

    assert (unknown.status_code, unknown.json()["field"]) == (422, "event_types[0]")
    assert (missing.json()["code"], [e["field"] for e in missing.json()["errors"]]) == (
        "validation_error",
        ["url"],
    )
    assert [e["field"] for e in extra.json()["errors"]] == ["secret"]
    assert client.get("/webhooks").json() == {"items": []}


def test_event_types_are_listed(client):
    names = [item["name"] for item in client.get("/webhooks/event-types").json()["items"]]

    assert {"return.approved", "refund.succeeded", "webhook.disabled"} <= set(names)


def test_the_test_send_answers_with_what_the_receiver_said(client, receiver):
    webhook = subscribe(client, receiver.url("/in"))
    receiver.respond_with("/in", b"received, thanks")

    ok = client.post(f"/webhooks/{webhook['id']}/test")
    receiver.answer("/in", 500)
    failed = client.post(f"/webhooks/{webhook['id']}/test")

    assert ok.status_code == 200
    assert {k: ok.json()[k] for k in ("success", "status_code", "response_excerpt", "error")} == {
        "success": True,
        "status_code": 200,
        "response_excerpt": "received, thanks",
        "error": "",
    }
    assert ok.json()["duration_ms"] >= 0
    assert (failed.json()["success"], failed.json()["error"]) == (False, "HTTP 500")
    first = receiver.received[0]
    assert verified(first, webhook["secret"])["type"] == "webhook.test"
    assert first.webhook_id == f"msg_{ok.json()['delivery_id']}"


def test_deliveries_are_listed_newest_first_with_their_attempts(
    client, uow, receiver, deliver, server
):
    webhook = subscribe(client, receiver.url("/in"), ["order.imported"])
    for platform_id in ("1", "2", "3"):
        import_order(client, platform_id)
    receiver.answer("/in", 503)
    deliver()
    server.clock.current += timedelta(seconds=6)
    deliver()

    first_page = client.get(f"/webhooks/{webhook['id']}/deliveries", params={"limit": 2})
    second_page = client.get(
        f"/webhooks/{webhook['id']}/deliveries",
        params={"limit": 2, "cursor": first_page.json()["next_cursor"]},
    )
    oldest = second_page.json()["items"][0]
    detail = client.get(f"/webhooks/{webhook['id']}/deliveries/{oldest['id']}")

    pages = first_page.json()["items"] + second_page.json()["items"]
    assert [d["id"] for d in pages] == sorted((d["id"] for d in pages), reverse=True)
    assert second_page.json()["next_cursor"] is None
    assert {k: oldest[k] for k in ("event_type", "status", "attempts", "last_status_code")} == {
        "event_type": "order.imported",
        "status": "delivered",
        "attempts": 2,
        "last_status_code": 200,
    }
    assert oldest["next_attempt_at"] is None
    history = detail.json()["attempt_history"]
    assert [(a["status_code"], a["success"], a["error"]) for a in history] == [
        (503, False, "HTTP 503"),
        (200, True, ""),
    ]
    assert history[0]["response_excerpt"] == "ok"
    assert history[0]["attempted_at"] == "2026-03-02T09:30:00Z"


def test_a_pending_delivery_shows_when_it_is_tried_next(client, receiver, deliver):
    webhook = subscribe(client, receiver.url("/in"))
    receiver.answer("/in", 500)
    import_order(client)
    deliver()

    (item,) = client.get(f"/webhooks/{webhook['id']}/deliveries").json()["items"]

    assert (item["status"], item["next_attempt_at"], item["last_error"]) == (
        "pending",
        "2026-03-02T09:30:05Z",
        "HTTP 500",
    )


def test_replay_over_http_one_delivery_or_all_dead_ones(client, receiver, deliver):
    webhook = subscribe(client, receiver.url("/in"))
    receiver.answer("/in", 410, 410)
    import_order(client, "1")
    import_order(client, "2")
    deliver()
    dead = client.get(f"/webhooks/{webhook['id']}/deliveries", params={"status": "dead"})
    newest, oldest = (item["id"] for item in dead.json()["items"])

    one = client.post(f"/webhooks/{webhook['id']}/deliveries/{oldest}/replay")
    deliver()
    rest = client.post(f"/webhooks/{webhook['id']}/replay")
    deliver()

    assert one.status_code == 202
    assert (one.json()["id"], one.json()["status"]) == (oldest, "pending")
    assert (rest.status_code, rest.json()) == (202, {"replayed": 1})
    statuses = [
        d["status"] for d in client.get(f"/webhooks/{webhook['id']}/deliveries").json()["items"]
    ]
    assert statuses == ["delivered", "delivered"]
    ids = [r.webhook_id for r in receiver.received]
    assert sorted(ids[:2]) == sorted([f"msg_{oldest}", f"msg_{newest}"])  # the two that died
    assert ids[2:] == [f"msg_{oldest}", f"msg_{newest}"]  # one replay, then the bulk one


def test_replay_to_a_disabled_webhook_is_refused(client):
    webhook = subscribe(client, "http://127.0.0.1:9/in")
    client.patch(f"/webhooks/{webhook['id']}", json={"active": False})

    refused = client.post(f"/webhooks/{webhook['id']}/replay")

    assert (refused.status_code, refused.json()["code"], refused.json()["field"]) == (
        422,
        "webhook_disabled",
        "active",
    )


def test_another_stores_webhooks_and_events_are_invisible(client, other_client, receiver):
    webhook = subscribe(client, receiver.url("/in"))
    import_order(client)

    assert other_client.get(f"/webhooks/{webhook['id']}").status_code == 404
    assert (
        other_client.patch(f"/webhooks/{webhook['id']}", json={"active": False}).status_code == 404
    )
    assert other_client.post(f"/webhooks/{webhook['id']}/test").status_code == 404
    assert other_client.get(f"/webhooks/{webhook['id']}/deliveries").status_code == 404
    assert other_client.get("/events").json() == {"items": [], "next_cursor": None}
    assert receiver.received == []
    assert client.get(f"/webhooks/{webhook['id']}").json()["active"] is True


def emit(uow, store_id, clock, *events, return_id=None):
    with uow:
        uow.events.append(
            [DomainEvent(name, payload) for name, payload in events],
            store_id=store_id,
            actor="system",
            occurred_at=clock.now(),
            return_id=return_id,
        )
        uow.commit()


def test_the_events_feed_pages_oldest_first_filters_and_holds_back_the_last_seconds(client, server):
    for platform_id in ("1", "2", "3"):
        import_order(client, platform_id)
    client.post("/orders", json=order_payload("1", placed_at=START))  # order.updated
    hidden = client.get("/events").json()
    server.clock.current += timedelta(seconds=5)

    page = client.get("/events", params={"limit": 2}).json()
    after_page = client.get("/events", params={"cursor": page["next_cursor"]}).json()
    updates = client.get("/events", params={"type": "order.updated"}).json()
    family = client.get("/events", params={"type": "order.*"}).json()
    after = client.get("/events", params={"after": page["items"][0]["id"]}).json()

    assert hidden == {"items": [], "next_cursor": None}
    ids = [e["id"] for e in page["items"] + after_page["items"]]
    assert ids == sorted(ids) and len(ids) == 4
    assert [e["name"] for e in page["items"] + after_page["items"]] == [
        "order.imported", "order.imported", "order.imported", "order.updated",
    ]  # fmt: skip
    assert after_page["next_cursor"] is None
    assert [e["name"] for e in updates["items"]] == ["order.updated"]
    assert len(family["items"]) == 4
    assert [e["id"] for e in after["items"]] == ids[1:]
    first = page["items"][0]
    assert set(first) == {"id", "name", "actor", "occurred_at", "return_id", "order_id", "payload"}
    assert first["payload"] == {"number": "#1", "platform_order_id": "1"}


def test_the_events_feed_filters_by_return(client, server):
    order = import_order(client)
    body = {
        "order_id": order["id"],
        "lines": [
            {"order_line_id": order["lines"][0]["id"], "quantity": 1, "reason_code": "too_small"}
        ],
    }
    ret = client.post("/returns", json=body).json()
    client.post(f"/returns/{ret['id']}/approve")
    server.clock.current += timedelta(minutes=1)

    events = client.get("/events", params={"return_id": ret["id"]}).json()["items"]
    bad_cursor = client.get("/events", params={"cursor": "nope"})

    assert [e["name"] for e in events] == ["return.requested", "return.approved"]
    assert {e["return_id"] for e in events} == {ret["id"]}
    assert (bad_cursor.status_code, bad_cursor.json()["field"]) == (422, "cursor")
