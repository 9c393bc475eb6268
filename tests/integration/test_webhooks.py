"""Webhooks through the worker to a real receiver on loopback: signed per Standard Webhooks
(checked with the official `standardwebhooks` package), retried, given up on, kept apart."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from retour.db.models import Delivery, DeliveryAttempt
from retour.db.unit_of_work import UnitOfWork
from retour.domain.events import DomainEvent
from retour.domain.inputs import InspectionInput, LineRequest, Receipt
from retour.domain.lines import Disposition, Grade
from retour.services import returns as use_cases
from retour.services.outbox.senders import SendResult
from retour.services.outbox.worker import Worker, WorkerSettings
from retour.webhooks.resources import database_resources
from retour.webhooks.sender import WebhookSender
from retour.webhooks.subscriptions import UrlPolicy, create_subscription
from tests.factories import STAFF, import_sample_order, make_store
from tests.support.webhook_receiver import WebhookReceiver, verified

ALLOW_LOOPBACK = UrlPolicy(allow_private=True)


class Mailbox:
    """Stands in for the e-mail sender: these tests are about webhooks."""

    def send(self, job):
        return SendResult(True)


@pytest.fixture
def store_id(uow, clock):
    return make_store(uow, clock)


@pytest.fixture
def receiver():
    with WebhookReceiver() as running:
        yield running


@pytest.fixture
def run_worker(session_factory, clock):
    """Run one worker batch (or until nothing is due) with a real webhook sender."""
    senders = []

    def run(timeout=5.0, threads=4, allow_private=True, until_idle=True, resolve=None):
        options = {"resolve": resolve} if resolve else {}
        sender = WebhookSender(
            timeout_seconds=timeout,
            allow_private=allow_private,
            resources=database_resources(session_factory),
            **options,
        )
        senders.append(sender)
        worker = Worker(
            lambda: UnitOfWork(session_factory),
            {"webhook": sender, "email": Mailbox()},
            clock,
            WorkerSettings(threads=threads),
            name="test-worker",
            uniform=lambda low, high: 1.0,
        )
        attempted = worker.run_once()
        while until_idle and attempted and worker.run_once():
            pass
        return attempted

    yield run
    for sender in senders:
        sender.close()


def subscribe(uow, store_id, clock, url, *event_types):
    created = create_subscription(
        uow, store_id, url, list(event_types) or ["*"], "", ALLOW_LOOPBACK, clock.now()
    )
    return created.subscription.id, created.secret


def emit(uow, store_id, clock, *names):
    with uow:
        uow.events.append(
            [DomainEvent(name, {"n": index}) for index, name in enumerate(names)],
            store_id=store_id,
            actor="system",
            occurred_at=clock.now(),
        )
        uow.commit()


def webhook_deliveries(uow):
    with uow:
        rows = uow.session.scalars(
            select(Delivery).where(Delivery.channel == "webhook").order_by(Delivery.id)
        ).all()
        return [(row.kind, row.status, row.attempts, row.last_status_code) for row in rows]


def attempts(uow):
    with uow:
        rows = uow.session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id)).all()
        return [(row.status_code, row.is_success, row.error) for row in rows]


def live_a_whole_return(uow, store_id, clock):
    order = import_sample_order(uow, store_id, clock).order
    steps = [
        lambda: use_cases.request_return(
            uow,
            store_id,
            use_cases.ReturnRequest(order.id, [LineRequest(order.lines[0].id, 2, "too_small")]),
            STAFF,
            clock.now(),
        ),
        lambda: use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now()),
        lambda: use_cases.mark_return_in_transit(
            uow, store_id, ret.id, STAFF, clock.now(), "1Z999", "UPS"
        ),
        lambda: use_cases.receive_return(
            uow, store_id, ret.id, STAFF, clock.now(), [Receipt(ret.lines[0].id, 2)]
        ),
        lambda: use_cases.inspect_return(
            uow,
            store_id,
            ret.id,
            STAFF,
            clock.now(),
            [InspectionInput(ret.lines[0].id, 2, True, Grade.A, Disposition.RESTOCK)],
        ),
        lambda: use_cases.complete_return(uow, store_id, ret.id, STAFF, clock.now()),
    ]
    ret = None
    for step in steps:
        clock.current += timedelta(minutes=1)
        ret = step()
    return order, ret


def test_a_whole_return_arrives_signed_in_event_order_with_its_data(
    uow, store_id, clock, receiver, run_worker
):
    _, secret = subscribe(uow, store_id, clock, receiver.url("/all"), "*")
    _, returns_secret = subscribe(
        uow, store_id, clock, receiver.url("/approved"), "return.approved"
    )
    order, ret = live_a_whole_return(uow, store_id, clock)

    run_worker(threads=1)

    everything = [r for r in receiver.received if r.path == "/all"]
    bodies = [verified(request, secret) for request in everything]
    assert [body["type"] for body in bodies] == [
        "order.imported", "return.requested", "return.approved", "return.in_transit",
        "return.received", "return.inspected", "return.completed",
    ]  # fmt: skip
    event_ids = [body["data"]["event_id"] for body in bodies]
    assert event_ids == sorted(event_ids)
    approved = bodies[2]
    assert approved["data"]["return_id"] == ret.id
    assert approved["data"]["order_id"] == order.id
    assert approved["data"]["number"] == ret.number
    assert approved["data"]["status"] == "approved"
    assert approved["timestamp"] == "2026-03-02T09:32:00Z"
    # The return's public form as the API shows it when the delivery is sent (here, after
    # the whole lifecycle ran), beside the event's own facts (as of the event).
    assert approved["data"]["return"]["id"] == ret.id
    assert approved["data"]["return"]["number"] == ret.number
    assert approved["data"]["return"]["status"] == "completed"
    assert approved["data"]["return"]["lines"][0]["quantities"]["accepted"] == 2
    assert "order" not in approved["data"]
    imported = bodies[0]["data"]
    assert (imported["order"]["id"], imported["order"]["number"]) == (order.id, order.number)
    assert "return" not in imported
    (only_approved,) = [r for r in receiver.received if r.path == "/approved"]
    assert verified(only_approved, returns_secret)["type"] == "return.approved"
    assert {r.headers["content-type"] for r in receiver.received} == {"application/json"}
    assert {r.webhook_id for r in everything} == {
        f"msg_{delivery_id}" for delivery_id in delivery_ids(uow, receiver.url("/all"))
    }


def delivery_ids(uow, url):
    with uow:
        return list(uow.session.scalars(select(Delivery.id).where(Delivery.recipient == url)))


def test_a_failed_delivery_is_retried_with_the_same_webhook_id_and_a_fresh_signature(
    uow, store_id, clock, receiver, run_worker
):
    _, secret = subscribe(uow, store_id, clock, receiver.url("/hook"))
    receiver.answer("/hook", 500, 503)
    receiver.respond_with("/hook", b"x" * 5000)
    emit(uow, store_id, clock, "order.updated")

    run_worker()
    clock.current += timedelta(seconds=4)
    assert run_worker() == 0  # not due yet: the first retry waits 5 s
    clock.current += timedelta(seconds=1)
    run_worker()
    clock.current += timedelta(minutes=5)
    time.sleep(1)  # a new webhook-timestamp, so a new signature
    run_worker()

    first, second, third = receiver.received
    assert first.webhook_id == second.webhook_id == third.webhook_id
    assert first.headers["webhook-signature"] != third.headers["webhook-signature"]
    assert [verified(request, secret)["type"] for request in (first, second, third)] == [
        "order.updated"
    ] * 3
    assert [r.status for r in receiver.received] == [500, 503, 200]
    assert webhook_deliveries(uow) == [("order.updated", "delivered", 3, 200)]
    with uow:
        excerpts = uow.session.scalars(select(DeliveryAttempt.response_excerpt)).all()
    assert [len(excerpt) for excerpt in excerpts] == [1000, 1000, 1000]
    assert attempts(uow) == [(500, False, "HTTP 500"), (503, False, "HTTP 503"), (200, True, "")]


def test_410_gone_is_dead_at_once(uow, store_id, clock, receiver, run_worker):
    subscribe(uow, store_id, clock, receiver.url("/gone"))
    receiver.answer("/gone", 410)
    emit(uow, store_id, clock, "order.updated")

    run_worker()
    clock.current += timedelta(days=1)
    run_worker()

    assert len(receiver.received) == 1
    assert webhook_deliveries(uow) == [("order.updated", "dead", 1, 410)]
    assert attempts(uow) == [(410, False, "HTTP 410 Gone: the receiver wants no more")]


def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    uow, store_id, clock, receiver, run_worker
):
    subscribe(uow, store_id, clock, receiver.url("/moved"))
    receiver.answer("/moved", 307)
    emit(uow, store_id, clock, "order.updated")

    run_worker()

    assert [r.path for r in receiver.received] == ["/moved"]
    assert webhook_deliveries(uow) == [("order.updated", "pending", 1, 307)]


def test_a_slow_endpoint_times_out_is_retried_and_holds_up_no_other_delivery(
    uow, store_id, clock, receiver, run_worker
):
    subscribe(uow, store_id, clock, receiver.url("/slow"), "order.imported")
    subscribe(uow, store_id, clock, receiver.url("/fast"), "*")
    receiver.delay("/slow", 3.0)
    emit(uow, store_id, clock, "order.imported", "order.imported", *["order.updated"] * 8)
    started = time.time()

    run_worker(timeout=1.0, threads=4, until_idle=False)

    fast = [r for r in receiver.received if r.path == "/fast"]
    assert len(fast) == 10
    assert max(r.finished_at for r in fast) - started < 0.9  # all before the slow ones gave up
    with uow:
        rows = uow.session.scalars(select(Delivery).order_by(Delivery.id)).all()
        outcome = {(row.recipient.rsplit("/", 1)[1], row.status, row.last_error) for row in rows}
    assert outcome == {
        ("slow", "pending", "timed out after 1 s"),
        ("fast", "delivered", ""),
    }


def test_an_unreachable_endpoint_is_a_retryable_failure(uow, store_id, clock, run_worker):
    with WebhookReceiver() as gone_away:
        url = gone_away.url("/hook")
    subscribe(uow, store_id, clock, url)
    emit(uow, store_id, clock, "order.updated")

    run_worker()

    with uow:
        (row,) = uow.session.scalars(select(Delivery)).all()
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error.startswith("ConnectError")


def test_a_private_address_is_refused_at_send_time_and_the_delivery_dies(
    uow, store_id, clock, receiver, run_worker
):
    # Created while the operator allowed private targets; then they no longer are.
    subscribe(uow, store_id, clock, receiver.url("/hook"))
    subscribe(uow, store_id, clock, receiver.url("/hook").replace("127.0.0.1", "localhost"))
    emit(uow, store_id, clock, "order.updated")

    run_worker(allow_private=False)

    assert receiver.received == []
    assert webhook_deliveries(uow) == [("order.updated", "dead", 1, None)] * 2
    errors = sorted(error for _, _, error in attempts(uow))
    assert errors[0].startswith("refused: 127.0.0.1 is a private or reserved address;")
    assert errors[1].startswith(
        "refused: host localhost resolves to a private or reserved address (127.0.0.1"
    )


def test_a_name_checked_when_subscribed_is_checked_again_when_sending(
    uow, store_id, clock, receiver, run_worker
):
    public_then = UrlPolicy(allow_private=False, resolve=lambda host, port: ["93.184.216.34"])
    url = receiver.url("/hook").replace("127.0.0.1", "rebinding.example")
    create_subscription(uow, store_id, url, ["*"], "", public_then, clock.now())
    emit(uow, store_id, clock, "order.updated")

    run_worker(allow_private=False, resolve=lambda host, port: ["127.0.0.1"])

    assert receiver.received == []
    assert webhook_deliveries(uow) == [("order.updated", "dead", 1, None)]
    ((_, _, error),) = attempts(uow)
    assert error.startswith(
        "refused: host rebinding.example resolves to a private or reserved address (127.0.0.1)"
    )


def run_for(worker, seconds):
    """`worker.run` in a thread for `seconds`, then stop it (it finishes what is in flight)."""
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    time.sleep(seconds)
    stop.set()
    thread.join(timeout=30)
    assert not thread.is_alive()


def test_a_hanging_endpoint_does_not_slow_other_subscriptions_batch_after_batch(
    uow, store_id, clock, receiver, session_factory
):
    subscribe(uow, store_id, clock, receiver.url("/hang"))
    subscribe(uow, store_id, clock, receiver.url("/ok"))
    receiver.delay("/hang", 3.0)
    emit(uow, store_id, clock, *["order.updated"] * 300)
    sender = WebhookSender(timeout_seconds=1, allow_private=True)
    worker = Worker(
        lambda: UnitOfWork(session_factory),
        {"webhook": sender},
        clock,
        WorkerSettings(batch_size=50, threads=8),
    )

    run_for(worker, 2.5)

    sender.close()
    # With batches, 2.5 s gave the healthy endpoint about 15 of them: each batch waited for
    # its slowest send. The hanging one holds at most half the threads, one timeout each.
    assert sum(1 for r in receiver.received if r.path == "/ok") == 300
    with uow:
        hang = uow.session.scalars(
            select(Delivery.attempts).where(Delivery.recipient == receiver.url("/hang"))
        ).all()
    assert sum(hang) <= 4 * 3  # 4 threads, three 1-second timeouts each in 2.5 s (+ drain)


def test_an_endpoint_that_times_out_is_tried_one_send_at_a_time_until_it_answers(
    uow, store_id, clock, receiver, session_factory
):
    subscribe(uow, store_id, clock, receiver.url("/dead"))
    subscribe(uow, store_id, clock, receiver.url("/ok"))
    receiver.delay("/dead", 5.0)
    emit(uow, store_id, clock, *["order.updated"] * 40)
    sender = WebhookSender(timeout_seconds=2.1, allow_private=True)
    worker = Worker(
        lambda: UnitOfWork(session_factory), {"webhook": sender}, clock,
        WorkerSettings(batch_size=50, threads=8),
    )  # fmt: skip

    run_for(worker, 4.0)

    sender.close()
    with uow:
        dead = uow.session.scalars(
            select(Delivery.attempts).where(Delivery.recipient == receiver.url("/dead"))
        ).all()
    # First 4 at once (half the threads) time out after 2.1 s; from then on one at a time:
    # one more by 4.2 s (the drain lets it finish).
    assert sum(dead) == 5
    assert sum(1 for r in receiver.received if r.path == "/ok") == 40
