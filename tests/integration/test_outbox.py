"""The outbox against a real database: fan-out in the event's transaction, leases, retries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from retour.db.models import (
    Delivery,
    DeliveryAttempt,
    NotificationSetting,
    WebhookSubscription,
    WebhookSubscriptionEvent,
)
from retour.db.repositories.outbox import Outcome
from retour.db.unit_of_work import UnitOfWork
from retour.domain.events import DomainEvent
from retour.domain.inputs import LineRequest
from retour.domain.retries import EMAIL_SCHEDULE, WEBHOOK_SCHEDULE, next_attempt_at
from retour.services import returns as use_cases
from retour.services.outbox.senders import SendResult
from retour.services.outbox.worker import Worker, WorkerSettings
from retour.services.stores import create_staff_user
from tests.factories import STAFF, import_sample_order, make_store

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class ScriptedSender:
    """Answers from a script, one result per send (service tests only)."""

    def __init__(self, *results: SendResult) -> None:
        self.results = list(results)
        self.jobs = []

    def send(self, job):
        self.jobs.append(job)
        return self.results.pop(0) if self.results else SendResult(True)


@pytest.fixture
def store_id(uow, clock):
    return make_store(uow, clock)


@pytest.fixture
def new_uow(session_factory):
    return lambda: UnitOfWork(session_factory)


def subscribe(uow, store_id, clock, *event_types, url="https://hooks.example/x", active=True):
    with uow:
        subscription = WebhookSubscription(
            store_id=store_id,
            url=url,
            secret="whsec_dGVzdA==",
            is_active=active,
            created_at=clock.now(),
            updated_at=clock.now(),
            event_types=[WebhookSubscriptionEvent(event_type=name) for name in event_types],
        )
        uow.session.add(subscription)
        uow.commit()
        return subscription.id


def staff(uow, clock, email, role):
    create_staff_user(
        uow, store_slug="acme", email=email, password="a-long-password", role=role, now=clock.now()
    )


def request_a_return(uow, store_id, clock):
    order = import_sample_order(uow, store_id, clock).order
    request = use_cases.ReturnRequest(order.id, [LineRequest(order.lines[0].id, 1, "too_small")])
    return use_cases.request_return(uow, store_id, request, STAFF, clock.now())


def deliveries(uow):
    with uow:
        rows = uow.session.scalars(select(Delivery).order_by(Delivery.id)).all()
        return [(row.channel, row.kind, row.recipient, row.status) for row in rows]


def test_an_event_fans_out_to_its_shopper_staff_and_subscribed_webhooks(uow, store_id, clock):
    staff(uow, clock, "ann@acme.test", "owner")
    staff(uow, clock, "wes@acme.test", "warehouse")
    subscribe(uow, store_id, clock, "return.requested", url="https://a.example/hook")
    subscribe(uow, store_id, clock, "*", url="https://b.example/hook")
    subscribe(uow, store_id, clock, "return.approved", url="https://c.example/hook")
    subscribe(uow, store_id, clock, "*", url="https://off.example/hook", active=False)

    request_a_return(uow, store_id, clock)

    assert deliveries(uow) == [
        ("webhook", "order.imported", "https://b.example/hook", "pending"),
        ("webhook", "return.requested", "https://a.example/hook", "pending"),
        ("webhook", "return.requested", "https://b.example/hook", "pending"),
        ("email", "return_requested", "shopper@example.com", "pending"),
        ("email", "staff_review_needed", "ann@acme.test", "pending"),
    ]


def test_a_switched_off_email_creates_no_delivery(uow, store_id, clock):
    with uow:
        uow.session.add(
            NotificationSetting(store_id=store_id, kind="return_requested", is_enabled=False)
        )
        uow.commit()

    request_a_return(uow, store_id, clock)

    assert deliveries(uow) == []


def test_a_lease_keeps_a_delivery_from_other_workers_until_it_lapses(uow, store_id, clock):
    request_a_return(uow, store_id, clock)
    lease = clock.now() + timedelta(seconds=60)

    with uow:
        first = uow.outbox.claim(clock.now(), lease, "worker-1", 10)
        uow.commit()
    with uow:
        second = uow.outbox.claim(clock.now() + timedelta(seconds=59), lease, "worker-2", 10)
        uow.commit()
    with uow:
        after_lapse = uow.outbox.claim(
            clock.now() + timedelta(seconds=61), lease + timedelta(seconds=61), "worker-2", 10
        )
        uow.commit()

    assert [(job.kind, job.recipient) for job in first] == [
        ("return_requested", "shopper@example.com")
    ]
    assert first[0].event_name == "return.requested"
    assert second == []
    assert [job.delivery_id for job in after_lapse] == [first[0].delivery_id]


def test_a_worker_records_success_retries_failures_and_gives_up_on_permanent_ones(
    uow, new_uow, store_id, clock
):
    staff(uow, clock, "ann@acme.test", "owner")
    request_a_return(uow, store_id, clock)
    sender = ScriptedSender(
        SendResult(True, message_id="<1@retour>"),
        SendResult(False, status_code=451, error="try later"),
    )
    worker = Worker(
        new_uow, {"email": sender}, clock, WorkerSettings(threads=1), "w1", lambda a, b: 1.0
    )

    attempted = worker.run_once()

    with uow:
        rows = uow.session.scalars(select(Delivery).order_by(Delivery.id)).all()
        attempts = uow.session.scalars(select(DeliveryAttempt)).all()
        outcomes = [(r.kind, r.status, r.attempts, r.next_attempt_at, r.locked_by) for r in rows]
        assert outcomes == [
            ("return_requested", "delivered", 1, clock.now(), ""),
            ("staff_review_needed", "pending", 1, clock.now() + timedelta(minutes=1), ""),
        ]
        assert (rows[0].message_id, rows[1].last_error, rows[1].last_status_code) == (
            "<1@retour>",
            "try later",
            451,
        )
        assert sorted((a.is_success, a.worker) for a in attempts) == [(False, "w1"), (True, "w1")]
    assert attempted == 2
    assert worker.run_once() == 0  # the retry is not due yet


def test_a_delivery_is_dead_after_its_schedule_and_replay_queues_it_again(
    uow, new_uow, store_id, clock
):
    request_a_return(uow, store_id, clock)
    failing = ScriptedSender(*[SendResult(False, error="down")] * (len(EMAIL_SCHEDULE) + 1))
    worker = Worker(new_uow, {"email": failing}, clock, WorkerSettings(threads=1), "w1")

    for _ in range(len(EMAIL_SCHEDULE) + 1):
        assert worker.run_once() == 1
        clock.current += timedelta(days=1)

    assert deliveries(uow) == [("email", "return_requested", "shopper@example.com", "dead")]
    with uow:
        assert uow.outbox.replay(clock.now()) == 1
        uow.commit()
    assert deliveries(uow)[0][3] == "pending"


def test_a_permanent_failure_is_dead_at_once(uow, new_uow, store_id, clock):
    request_a_return(uow, store_id, clock)
    sender = ScriptedSender(SendResult(False, error="550 no such user", is_permanent=True))

    Worker(new_uow, {"email": sender}, clock, WorkerSettings(threads=1)).run_once()

    assert deliveries(uow)[0][3] == "dead"


def test_a_worker_that_lost_its_lease_records_nothing(uow, store_id, clock):
    request_a_return(uow, store_id, clock)
    with uow:
        (job,) = uow.outbox.claim(clock.now(), clock.now() + timedelta(seconds=1), "slow", 10)
        uow.commit()
    with uow:
        uow.outbox.claim(
            clock.now() + timedelta(seconds=2), clock.now() + timedelta(seconds=60), "fast", 10
        )
        uow.commit()

    with uow:
        recorded = uow.outbox.finish(
            [Outcome(job.delivery_id, store_id, True, 5, "delivered")], "slow", clock.now()
        )
        uow.commit()

    assert recorded == 0
    assert deliveries(uow)[0][3] == "pending"


def test_retry_schedules_spread_webhooks_over_about_three_days():
    hours = sum(WEBHOOK_SCHEDULE) / 3600

    assert 70 <= hours <= 74
    assert next_attempt_at(EMAIL_SCHEDULE, len(EMAIL_SCHEDULE) + 1, T0, lambda a, b: 1) is None
    assert next_attempt_at(WEBHOOK_SCHEDULE, 1, T0, lambda a, b: b) == T0 + timedelta(seconds=6)


class FullLanes:
    """A worker's lane room, fixed: `full` lanes take nothing, the others up to `room`."""

    def __init__(self, full, room):
        self._full, self._room = list(full), room

    def room(self, lane):
        return 0 if lane in self._full else self._room

    def full(self):
        return self._full


def test_a_claim_reaches_past_a_full_lanes_backlog_and_takes_each_lane_up_to_its_room(
    uow, store_id, clock
):
    hanging = subscribe(uow, store_id, clock, "order.updated", url="https://hang.example/x")
    slow = subscribe(uow, store_id, clock, "order.updated", url="https://slow.example/x")
    healthy = subscribe(uow, store_id, clock, "order.updated", url="https://ok.example/x")
    with uow:
        uow.events.append(
            [DomainEvent("order.updated", {}) for _ in range(10)],
            store_id=store_id,
            actor="system",
            occurred_at=clock.now(),
        )
        uow.commit()
    lanes = FullLanes([("webhook", hanging)], room=2)

    with uow:
        jobs = uow.outbox.claim(clock.now(), clock.now() + timedelta(seconds=60), "w", 8, lanes)
        uow.commit()

    assert sorted(job.subscription_id for job in jobs) == [slow, slow, healthy, healthy]
    with uow:
        leased = uow.session.scalars(
            select(Delivery.subscription_id).where(Delivery.locked_by == "w")
        ).all()
    assert sorted(leased) == [slow, slow, healthy, healthy]
