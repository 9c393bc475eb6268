"""`retour worker` processes delivering to a receiver on loopback: one killed with SIGKILL in
the middle of 5,000 deliveries loses none, and two at once never send the same delivery at
the same time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from retour.db.models import Delivery, DeliveryAttempt
from retour.domain.events import DomainEvent
from retour.webhooks.subscriptions import UrlPolicy, create_subscription
from tests.factories import make_store
from tests.support.webhook_receiver import Received, WebhookReceiver, verified

EVENTS = 5_000
LEASE_SECONDS = 3


@pytest.fixture
def store_id(uow, clock):
    return make_store(uow, clock)


@pytest.fixture
def receiver():
    with WebhookReceiver() as running:
        yield running


@pytest.fixture
def worker_env(settings, session_factory):
    return {
        **os.environ,
        "RETOUR_DATABASE_URL": settings.effective_database_url,
        "RETOUR_DATA_DIR": str(settings.data_dir),
        "RETOUR_WEBHOOKS_ALLOW_PRIVATE": "true",
        "RETOUR_WEBHOOK_TIMEOUT_SECONDS": "2",
        # A killed worker's claims come back quickly (the default is a minute).
        "RETOUR_OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
        "RETOUR_OUTBOX_IN_PROCESS": "false",
    }


@contextmanager
def worker_process(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    retour = Path(sys.executable).parent / "retour"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(retour), "worker", "--threads", "16", "--batch", "100"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def subscribe(uow, store_id, clock, url):
    created = create_subscription(
        uow, store_id, url, ["*"], "", UrlPolicy(allow_private=True), clock.now()
    )
    return created.secret


def emit(uow, store_id, clock, count):
    """`count` events, 500 per transaction (each fans out to the subscriptions in it)."""
    for start in range(0, count, 500):
        with uow:
            uow.events.append(
                [DomainEvent("order.updated", {"n": n}) for n in range(start, start + 500)],
                store_id=store_id,
                actor="system",
                occurred_at=clock.now(),
            )
            uow.commit()


def distinct_ids(received: list[Received]) -> int:
    return len({request.webhook_id for request in received})


def test_a_worker_killed_mid_delivery_loses_nothing_and_repeats_under_the_same_id(
    uow, store_id, clock, receiver, worker_env, tmp_path
):
    secret = subscribe(uow, store_id, clock, receiver.url("/hook"))
    t0 = time.monotonic()
    emit(uow, store_id, clock, EVENTS)
    print("emit", time.monotonic() - t0)

    with worker_process(worker_env, tmp_path / "first.log") as first:
        receiver.wait_for(lambda got: len(got) >= EVENTS * 0.3, timeout=60)
        os.kill(first.pid, signal.SIGKILL)
        assert first.wait(timeout=10) == -signal.SIGKILL
    arrived_before_kill = receiver.count()
    with worker_process(worker_env, tmp_path / "second.log"):
        t1 = time.monotonic()
        print("first", t1 - t0)
        received = receiver.wait_for(
            lambda got: distinct_ids(got) >= EVENTS, timeout=60, interval=0.1
        )
        print("second", time.monotonic() - t1)
        time.sleep(0.5)  # anything still in flight
        received = receiver.received

    ids_by_event: dict[int, set[str]] = defaultdict(set)
    for request in received:
        ids_by_event[verified(request, secret)["data"]["n"]].add(request.webhook_id)
    assert sorted(ids_by_event) == list(range(EVENTS))  # every event arrived
    assert all(len(ids) == 1 for ids in ids_by_event.values())  # repeats carry the same id
    assert distinct_ids(received) == EVENTS
    with uow:
        delivered = uow.session.scalar(select(func.count()).where(Delivery.status == "delivered"))
    assert delivered == EVENTS
    print(
        f"\n{arrived_before_kill} requests before SIGKILL; "
        f"{len(received) - EVENTS} delivered twice (sent, not recorded, when killed)"
    )


@pytest.mark.postgres_only
def test_two_workers_never_send_the_same_delivery_at_the_same_time(
    uow, store_id, clock, receiver, worker_env, tmp_path
):
    subscribe(uow, store_id, clock, receiver.url("/steady"))
    subscribe(uow, store_id, clock, receiver.url("/flaky"))
    receiver.answer("/flaky", *[500] * 300)  # retried about 5 s later, by either worker
    receiver.delay("/flaky", 0.005)
    emit(uow, store_id, clock, 2_000)

    with (
        worker_process(worker_env, tmp_path / "a.log"),
        worker_process(worker_env, tmp_path / "b.log"),
    ):
        received = receiver.wait_for(
            lambda got: sum(1 for r in got if r.status == 200) >= 4_000, timeout=60
        )
        time.sleep(0.5)
        received = receiver.received

    by_id: dict[str, list[Received]] = defaultdict(list)
    for request in received:
        by_id[request.webhook_id].append(request)
    overlapping = [
        webhook_id
        for webhook_id, requests in by_id.items()
        for earlier, later in zip(
            sorted(requests, key=lambda r: r.started_at),
            sorted(requests, key=lambda r: r.started_at)[1:],
            strict=False,
        )
        if later.started_at < earlier.finished_at
    ]
    assert overlapping == []
    assert len(by_id) == 4_000
    assert sorted(len(requests) for requests in by_id.values()).count(2) == 300
    assert all(
        [r.status for r in sorted(requests, key=lambda r: r.started_at)][-1] == 200
        for requests in by_id.values()
    )
    with uow:
        workers = uow.session.execute(
            select(DeliveryAttempt.worker, func.count()).group_by(DeliveryAttempt.worker)
        ).all()
        delivered = uow.session.scalar(select(func.count()).where(Delivery.status == "delivered"))
    assert len(workers) == 2  # both did their share
    assert sum(count for _, count in workers) == len(received) == 4_300
    assert delivered == 4_000
