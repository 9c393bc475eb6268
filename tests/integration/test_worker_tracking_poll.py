"""The outbox worker polls the carriers for tracking (what `retour shipments refresh` does):
when due by its clock and not before, one poll at a time across workers (PostgreSQL), a
failing carrier or a bug in the poll logged without stopping the worker (both engines,
EasyPost on loopback: tests/support/fake_easypost.py)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from retour.db.locking import held_process_lock
from retour.db.models import TrackingEventRow
from retour.db.repositories.outbox import Job
from retour.db.unit_of_work import UnitOfWork
from retour.domain.shipments import Scan, ShipmentMethod
from retour.services import queries, shipments
from retour.services.outbox.senders import SendResult
from retour.services.outbox.worker import (
    TRACKING_POLL_LOCK,
    TrackingPoll,
    Worker,
    WorkerSettings,
)
from retour.settings import Settings, get_settings
from retour.shipping.base import CarrierAccount
from retour.shipping.easypost import EasyPostCarrier
from retour.shipping.easypost_http import EasyPostClient
from retour.shipping.registry import Carriers
from tests.factories import STAFF, make_store
from tests.support.fake_easypost import FakeEasyPost
from tests.support.shipping_steps import approved_return, set_return_address

API_KEY = "EZTK_poll_0123456789abcdef"
TRACKING = "EZ0000000001"
LABEL = shipments.ShipmentRequest(ShipmentMethod.PREPAID_LABEL)


class BrokenCarrier(EasyPostCarrier):
    """EasyPost's adapter with a bug: asking for tracking raises what no carrier error is."""

    def __init__(self, client: EasyPostClient, asked: threading.Event) -> None:
        super().__init__(CarrierAccount("easypost", API_KEY, "whsec"), client)
        self.asked = asked

    def fetch_tracking(self, tracking_number: str, carrier_reference: str) -> list[Scan]:
        self.asked.set()
        raise RuntimeError("tracker answer not understood")


class RecordingSender:
    def __init__(self) -> None:
        self.kinds: list[str] = []

    def send(self, job: Job) -> SendResult:
        self.kinds.append(job.kind)
        return SendResult(True)


@pytest.fixture
def easypost() -> Iterator[FakeEasyPost]:
    with FakeEasyPost(API_KEY) as fake:
        yield fake


@pytest.fixture
def client(easypost) -> EasyPostClient:
    return EasyPostClient(API_KEY, easypost.url, attempts=2, sleep=lambda seconds: None)


@pytest.fixture
def carriers(client) -> Carriers:
    carrier = EasyPostCarrier(CarrierAccount("easypost", API_KEY, "whsec"), client)
    return Carriers([carrier], default="easypost")


@pytest.fixture
def labelled(uow, clock, carriers):
    """A store, and an approved return with an EasyPost label (tracking EZ0000000001)."""
    store_id = make_store(uow, clock)
    set_return_address(uow, store_id)
    ret = approved_return(uow, store_id, clock)
    outcome = shipments.create_shipment(uow, carriers, store_id, ret.id, LABEL, STAFF, clock)
    assert outcome.view.shipment.tracking_number == TRACKING
    return store_id, ret


def poller(session_factory, clock, carriers, seconds: float = 900, **senders) -> Worker:
    settings = WorkerSettings(threads=1, idle_sleep_seconds=0.01, tracking_poll_seconds=seconds)
    return Worker(lambda: UnitOfWork(session_factory), senders, clock, settings, carriers=carriers)


def tracker_reads(easypost: FakeEasyPost) -> int:
    """How many times the shipment (with its tracker) was read: what a poll asks."""
    return sum(
        1
        for method, path, _, _ in easypost.requests
        if method == "GET" and path.count("/") == 3 and path.startswith("/v2/shipments/")
    )


def scans_stored(uow) -> int:
    with uow:
        return int(uow.session.scalar(select(func.count()).select_from(TrackingEventRow)) or 0)


def test_the_worker_polls_at_once_then_each_interval_by_its_clock_and_not_before(
    uow, session_factory, clock, carriers, easypost, labelled
):
    store_id, ret = labelled
    worker = poller(session_factory, clock, carriers, seconds=900)
    easypost.add_scan(TRACKING, "in_transit", "2026-03-02T10:00:00Z", "Accepted")
    reads_before = tracker_reads(easypost)

    first = worker.poll_tracking_if_due()
    easypost.add_scan(TRACKING, "delivered", "2026-03-03T12:00:00Z", "Delivered")
    clock.current += timedelta(seconds=899)
    early = worker.poll_tracking_if_due()
    reads_when_early = tracker_reads(easypost)
    status_when_early = queries.get_return(uow, store_id, ret.id).arrived_at
    clock.current += timedelta(seconds=1)
    due = worker.poll_tracking_if_due()

    assert (first, early, due) == (True, False, True)
    assert reads_when_early == reads_before + 1
    assert tracker_reads(easypost) == reads_before + 2
    assert status_when_early is None
    polled = queries.get_return(uow, store_id, ret.id)
    assert (polled.status.value, polled.arrived_at) == (
        "in_transit", datetime(2026, 3, 3, 12, 0, tzinfo=UTC),
    )  # fmt: skip
    assert scans_stored(uow) == 2
    names = [event.name for event in queries.return_events(uow, store_id, ret.id)]
    assert names[-4:] == ["shipment.tracking_updated", "return.in_transit",
                          "shipment.tracking_updated", "return.arrived"]  # fmt: skip


def test_a_poll_logs_what_it_found(session_factory, clock, carriers, easypost, labelled, caplog):
    _, ret = labelled
    easypost.add_scan(TRACKING, "in_transit", "2026-03-02T10:00:00Z", "Accepted")
    worker = poller(session_factory, clock, carriers)

    with caplog.at_level(logging.INFO, logger="retour.worker"):
        summary = worker.poll_tracking()

    assert summary == TrackingPoll(asked=1, new_scans=1, failed=0)
    assert [record.getMessage() for record in caplog.records] == [
        f"tracking poll: {ret.number} {TRACKING}: in_transit (+1)",
        "tracking poll: 1 shipment(s) asked, 1 new scan(s), 0 failed",
    ]


def test_a_carrier_that_is_down_is_logged_for_its_shipment_and_the_poll_ends_normally(
    uow, session_factory, clock, carriers, easypost, labelled, caplog
):
    _, ret = labelled
    easypost.fail_next(503, times=2)
    worker = poller(session_factory, clock, carriers)

    with caplog.at_level(logging.INFO, logger="retour.worker"):
        summary = worker.poll_tracking()

    assert summary == TrackingPoll(asked=1, new_scans=0, failed=1)
    warning, total = caplog.records
    assert warning.levelno == logging.WARNING
    assert warning.getMessage().startswith(f"tracking poll: {ret.number} easypost {TRACKING}: ")
    assert total.getMessage() == "tracking poll: 1 shipment(s) asked, 0 new scan(s), 1 failed"
    assert API_KEY not in caplog.text
    assert scans_stored(uow) == 0


def test_a_poll_that_raises_is_logged_and_due_again_after_the_interval(
    session_factory, clock, client, labelled, caplog
):
    broken = Carriers([BrokenCarrier(client, threading.Event())], default="easypost")
    worker = poller(session_factory, clock, broken, seconds=60)

    with caplog.at_level(logging.INFO, logger="retour.worker"):
        failed = worker.poll_tracking_if_due()
    clock.current += timedelta(seconds=59)
    early = worker.poll_tracking_if_due()
    clock.current += timedelta(seconds=1)
    again = worker.poll_tracking_if_due()

    assert (failed, early, again) == (True, False, True)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in errors] == ["tracking poll failed; the next one in 60 s"] * 2
    assert [str(r.exc_info[1]) if r.exc_info else "" for r in errors] == [
        "tracker answer not understood"
    ] * 2


def test_the_running_worker_keeps_sending_after_its_poll_failed(
    uow, session_factory, clock, client, carriers, labelled, caplog
):
    store_id, ret = labelled
    asked = threading.Event()
    broken = Carriers([BrokenCarrier(client, asked)], default="easypost")
    sender = RecordingSender()
    worker = poller(session_factory, clock, broken, seconds=900, email=sender)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))

    with caplog.at_level(logging.INFO, logger="retour.worker"):
        thread.start()
        try:
            assert asked.wait(10)
            wait_for(lambda: "tracking poll failed" in caplog.text)
            # What was queued before: the return's two e-mails and its first label's.
            wait_for(lambda: len(sender.kinds) == 3)
            # A new label after the failure: its e-mail is a new delivery for the loop.
            [first] = shipments.list_return_shipments(uow, store_id, ret.id, clock.now())
            shipments.void_shipment(uow, carriers, store_id, first.shipment.id, STAFF, clock)
            shipments.create_shipment(uow, carriers, store_id, ret.id, LABEL, STAFF, clock)
            wait_for(lambda: len(sender.kinds) == 4)
        finally:
            stop.set()
            thread.join(timeout=30)

    assert not thread.is_alive()
    assert sender.kinds == [
        "return_requested", "return_approved", "return_label_ready", "return_label_ready",
    ]  # fmt: skip
    assert "outbox worker" in caplog.text and "stopped" in caplog.records[-1].getMessage()


def test_a_poll_of_0_seconds_never_polls(session_factory, clock, carriers, easypost, labelled):
    worker = poller(session_factory, clock, carriers, seconds=0)
    reads = tracker_reads(easypost)

    assert worker.poll_tracking_if_due() is False
    assert tracker_reads(easypost) == reads


def test_the_interval_is_retour_tracking_poll_seconds_unless_given(
    session_factory, clock, carriers, monkeypatch
):
    monkeypatch.setenv("RETOUR_TRACKING_POLL_SECONDS", "0")
    get_settings.cache_clear()
    try:
        from_environment = Worker(lambda: UnitOfWork(session_factory), {}, clock)
        assert from_environment.tracking_poll_seconds() == 0
        assert from_environment.poll_tracking_if_due() is False
    finally:
        get_settings.cache_clear()
    assert WorkerSettings().tracking_poll_seconds is None
    assert Settings.model_fields["tracking_poll_seconds"].default == 900


def test_on_sqlite_the_poll_lock_is_always_had(engine):
    if engine.dialect.name == "postgresql":
        pytest.skip("PostgreSQL has a real lock: the next test")
    with (
        held_process_lock(engine, TRACKING_POLL_LOCK) as first,
        held_process_lock(engine, TRACKING_POLL_LOCK) as second,
    ):
        assert (first, second) == (True, True)


@pytest.mark.postgres_only
def test_two_workers_never_poll_at_once(
    engine, session_factory, clock, carriers, easypost, labelled, caplog
):
    worker = poller(session_factory, clock, carriers)
    reads = tracker_reads(easypost)

    with held_process_lock(engine, TRACKING_POLL_LOCK) as other_worker_polls:
        with caplog.at_level(logging.INFO, logger="retour.worker"):
            skipped = worker.poll_tracking()
        reads_while_held = tracker_reads(easypost)
    after = worker.poll_tracking()

    assert other_worker_polls is True
    assert skipped is None
    assert caplog.records[-1].getMessage() == "tracking poll skipped: another worker is polling"
    assert reads_while_held == reads
    assert after == TrackingPoll(asked=1, new_scans=0, failed=0)
    with held_process_lock(engine, TRACKING_POLL_LOCK) as free_again:
        assert free_again is True


def wait_for(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)
