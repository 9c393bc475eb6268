"""The workers' periodic chores (services/outbox/chores.py): each runs when first asked and then
once per interval, a failing one is logged and the others still run, one worker at a time
runs a chore (PostgreSQL), and the store's chores do what their cron commands do — overdue
returns expire, refunds left pending are settled (young ones are left to their request),
lapsed credit is written off, photos of forms never sent are deleted."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from retour.db.locking import held_process_lock
from retour.db.models import ReturnPhoto, Store, StoreCreditEntry
from retour.db.unit_of_work import UnitOfWork
from retour.domain.inputs import Receipt
from retour.domain.statuses import ReturnStatus
from retour.payments.base import ProviderRefundRequest, ProviderResult, ProviderStatus
from retour.payments.registry import NO_PROVIDERS, PaymentProviders
from retour.services import queries
from retour.services import returns as use_cases
from retour.services.outbox.chores import (
    REFUND_SETTLE_AGE,
    RETURNS_EXPIRE_LOCK,
    Chore,
    ChoreRun,
    ChoreRunner,
    store_chores,
)
from retour.services.outbox.setup import chores_from_settings
from retour.services.outbox.worker import Worker, WorkerSettings
from retour.services.portal.lookup import PortalAccess
from retour.services.portal.photos import keep_photos
from retour.services.store_credit.issuing import issue_credit
from tests.factories import STAFF, import_sample_order, make_store
from tests.factories import request_return as request
from tests.integration.test_portal_photo_cleanup import png


class Tally:
    """A chore body that counts its runs (and fails when told to)."""

    def __init__(self, fails: bool = False) -> None:
        self.runs = 0
        self.fails = fails

    def __call__(self) -> str:
        self.runs += 1
        if self.fails:
            raise RuntimeError("disk full")
        return f"run {self.runs}"


class PaysBack:
    """A card provider that refunds at once and records what it was asked (service tests)."""

    name = "paysback"

    def __init__(self) -> None:
        self.requests: list[ProviderRefundRequest] = []

    def refund(self, request: ProviderRefundRequest) -> ProviderResult:
        self.requests.append(request)
        return ProviderResult(ProviderStatus.SUCCEEDED, reference=f"re_{len(self.requests)}")

    def fetch_refund(self, reference: str) -> ProviderResult:
        return ProviderResult(ProviderStatus.SUCCEEDED, reference=reference)


@pytest.fixture
def store_id(uow, clock):
    return make_store(uow, clock)


@pytest.fixture
def new_uow(session_factory):
    return lambda: UnitOfWork(session_factory)


def runner_of(engine, clock, *chores: Chore) -> ChoreRunner:
    return ChoreRunner(chores, clock, lambda: engine)


def test_each_chore_runs_when_first_asked_then_once_per_interval(engine, clock):
    hourly, quarterly = Tally(), Tally()
    runner = runner_of(
        engine, clock,
        Chore("hourly", timedelta(hours=1), 101, hourly),
        Chore("quarterly", timedelta(minutes=15), 102, quarterly),
    )  # fmt: skip

    assert runner.run_due() == [
        ChoreRun("hourly", "done", "run 1"),
        ChoreRun("quarterly", "done", "run 1"),
    ]
    assert runner.run_due() == []
    clock.current += timedelta(minutes=15)
    assert runner.run_due() == [ChoreRun("quarterly", "done", "run 2")]
    clock.current += timedelta(minutes=14)
    assert runner.run_due() == []
    clock.current += timedelta(minutes=31)
    assert runner.run_due() == [
        ChoreRun("hourly", "done", "run 2"),
        ChoreRun("quarterly", "done", "run 3"),
    ]
    assert (hourly.runs, quarterly.runs) == (2, 3)


def test_a_failing_chore_is_logged_the_others_still_run_and_it_is_due_again_later(
    engine, clock, caplog
):
    broken, healthy = Tally(fails=True), Tally()
    runner = runner_of(
        engine, clock,
        Chore("broken", timedelta(hours=1), 103, broken),
        Chore("healthy", timedelta(hours=1), 104, healthy),
    )  # fmt: skip

    with caplog.at_level(logging.ERROR, logger="retour.chores"):
        assert runner.run_due() == [
            ChoreRun("broken", "failed", "RuntimeError: disk full"),
            ChoreRun("healthy", "done", "run 1"),
        ]
    assert [record.getMessage() for record in caplog.records] == [
        "broken failed; next run in 1:00:00"
    ]
    assert runner.run_due() == []
    clock.current += timedelta(hours=1)
    assert [run.outcome for run in runner.run_due()] == ["failed", "done"]
    assert (broken.runs, healthy.runs) == (2, 2)


def test_a_stop_asked_for_ends_the_round_before_the_next_chore(engine, clock):
    stop = threading.Event()
    second = Tally()

    def first() -> str:
        stop.set()
        return "stopping"

    runner = runner_of(
        engine, clock,
        Chore("first", timedelta(hours=1), 105, first),
        Chore("second", timedelta(hours=1), 106, second),
    )  # fmt: skip
    assert runner.run_due(stop) == [ChoreRun("first", "done", "stopping")]
    assert second.runs == 0


@pytest.mark.postgres_only
def test_a_chore_another_worker_is_running_is_skipped_until_it_is_due_again(engine, clock):
    expire = Tally()
    runner = runner_of(engine, clock, Chore("returns expire", timedelta(hours=1), 107, expire))

    with held_process_lock(engine, 107) as other_worker_runs_it:
        assert other_worker_runs_it
        assert runner.run_due() == [
            ChoreRun("returns expire", "skipped", "another worker is running it")
        ]
    assert runner.run_due() == []  # skipped counts as this interval's run
    clock.current += timedelta(hours=1)
    assert runner.run_due() == [ChoreRun("returns expire", "done", "run 1")]


def chore_named(chores: tuple[Chore, ...], name: str) -> Chore:
    return next(chore for chore in chores if chore.name == name)


def test_the_store_chores_are_the_four_cron_commands_with_their_intervals(new_uow, clock, tmp_path):
    chores = store_chores(new_uow, clock, NO_PROVIDERS, tmp_path)
    assert [(chore.name, chore.every) for chore in chores] == [
        ("returns expire", timedelta(hours=1)),
        ("refunds settle", timedelta(minutes=15)),
        ("credit expire", timedelta(hours=1)),
        ("portal prune-photos", timedelta(hours=1)),
    ]
    assert len({chore.lock_key for chore in chores}) == 4
    assert chore_named(chores, "returns expire").lock_key == RETURNS_EXPIRE_LOCK


def test_the_expire_chore_expires_overdue_returns_only(uow, new_uow, store_id, clock, tmp_path):
    order = import_sample_order(uow, store_id, clock).order
    ret = request(uow, store_id, order, clock, quantities=(1, 0))
    use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now())
    expire = chore_named(store_chores(new_uow, clock, NO_PROVIDERS, tmp_path), "returns expire")

    clock.current += timedelta(days=29)
    assert expire.run() == "0 return(s) expired"
    clock.current += timedelta(days=1)
    assert expire.run() == "1 return(s) expired"
    assert queries.get_return(uow, store_id, ret.id).status is ReturnStatus.EXPIRED


def test_the_settle_chore_settles_refunds_left_pending_but_not_young_ones(
    uow, new_uow, store_id, clock, tmp_path
):
    with uow:
        uow.session.get_one(Store, store_id).auto_refund = "on_receipt"
        uow.commit()
    order = import_sample_order(uow, store_id, clock).order
    ret = request(uow, store_id, order, clock, quantities=(1, 0))
    use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now())
    use_cases.receive_return(
        uow, store_id, ret.id, STAFF, clock.now(), [Receipt(ret.lines[0].id, 1)]
    )
    card = PaysBack()
    settle = chore_named(
        store_chores(new_uow, clock, PaymentProviders({"card": card}), tmp_path), "refunds settle"
    )

    clock.current += REFUND_SETTLE_AGE - timedelta(seconds=1)
    assert settle.run() == "0 pending refund(s) settled, 0 succeeded"
    assert card.requests == []
    clock.current += timedelta(seconds=2)
    assert settle.run() == "1 pending refund(s) settled, 1 succeeded"
    assert len(card.requests) == 1
    with uow:
        assert uow.returns.get(store_id, ret.id).refund_status == "refunded"
    assert settle.run() == "0 pending refund(s) settled, 0 succeeded"


def test_the_credit_chore_writes_off_lapsed_credit(uow, new_uow, store_id, clock, tmp_path):
    with uow:
        issue_credit(
            uow, store_id=store_id, customer_email="sam@example.com", currency="EUR",
            amount=2_500, actor=STAFF, now=clock.now(), reason="refund of R-100001",
            expiry_days=10,
        )  # fmt: skip
        uow.commit()
    expire = chore_named(store_chores(new_uow, clock, NO_PROVIDERS, tmp_path), "credit expire")

    assert expire.run() == "0 account(s) had credit expired (0 checked)"
    clock.current += timedelta(days=10)
    assert expire.run() == "1 account(s) had credit expired (1 checked)"
    with uow:
        amounts = uow.session.scalars(select(StoreCreditEntry.amount).order_by(StoreCreditEntry.id))
        assert list(amounts) == [2_500, -2_500]


def test_the_photo_chore_deletes_photos_of_forms_never_sent(
    uow, new_uow, store_id, clock, tmp_path
):
    order = import_sample_order(uow, store_id, clock).order
    access = PortalAccess(store_id, order.id)
    keep_photos(uow, access, order.lines[0].id, [png()], tmp_path, clock.now())
    prune = chore_named(store_chores(new_uow, clock, NO_PROVIDERS, tmp_path), "portal prune-photos")

    clock.current += timedelta(hours=23)
    assert prune.run() == "0 unattached photo(s) deleted, 0 bytes freed"
    clock.current += timedelta(hours=2)
    size = sum(path.stat().st_size for path in (tmp_path / "photos").rglob("*.*"))
    assert prune.run() == f"1 unattached photo(s) deleted, {size} bytes freed"
    assert list((tmp_path / "photos").rglob("*.*")) == []
    with uow:
        assert uow.session.scalars(select(ReturnPhoto)).all() == []


class NoSender:
    def send(self, job):  # pragma: no cover - nothing is queued in this test
        raise AssertionError("nothing to send")


def test_a_running_worker_runs_its_chores_on_a_thread_of_their_own(new_uow, clock):
    ran = threading.Event()

    def chore() -> str:
        ran.set()
        return "done"

    worker = Worker(
        new_uow,
        {"email": NoSender()},
        clock,
        WorkerSettings(queues_digests=False, tracking_poll_seconds=0, idle_sleep_seconds=0.05),
        chores=[Chore("probe", timedelta(hours=1), 108, chore)],
    )
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    try:
        assert ran.wait(timeout=10)
        assert "retour-chores" in [t.name for t in threading.enumerate()]
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert "retour-chores" not in [t.name for t in threading.enumerate()]


def test_the_settings_turn_the_chores_on_and_off(new_uow, clock, settings):
    assert settings.worker_chores is True  # the default
    names = [chore.name for chore in chores_from_settings(new_uow, clock, settings)]
    assert names == [
        "returns expire", "refunds settle", "credit expire", "portal prune-photos",
        "labels void-expired",
    ]  # fmt: skip
    cron_does_them = settings.model_copy(update={"worker_chores": False})
    assert chores_from_settings(new_uow, clock, cron_does_them) == ()
