"""The staff's daily digest (once per store and day, in the store's timezone), the failed-refund
alert, and the `retour notifications` commands."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from retour.cli import app
from retour.db.models import Delivery, Event
from retour.db.unit_of_work import UnitOfWork
from retour.domain.inputs import LineRequest
from retour.domain.refund_quote import RefundMethod
from retour.notifications.digest import DigestOutcome, queue_daily_digests, queue_due_digests
from retour.notifications.editing import set_switch
from retour.notifications.sender import email_sender_from_settings
from retour.payments.base import ProviderRefundRequest, ProviderResult, ProviderStatus
from retour.payments.registry import PaymentProviders
from retour.services import returns as use_cases
from retour.services.outbox.worker import Worker, WorkerSettings
from retour.services.refunds.opening import RefundInstruction, open_refund
from retour.services.refunds.settling import settle_refund
from retour.services.stores import create_staff_user, create_store
from retour.settings import get_settings
from tests.factories import STAFF, import_sample_order

OWNER = "owner@maison.example"
runner = CliRunner()


class DecliningProvider:
    name = "declining"

    def refund(self, request: ProviderRefundRequest) -> ProviderResult:
        return ProviderResult(ProviderStatus.FAILED, message="Your card was declined.")

    def fetch_refund(self, reference: str) -> ProviderResult:
        return ProviderResult(ProviderStatus.FAILED, reference=reference)


@pytest.fixture
def worker(settings, session_factory, smtp, clock) -> Worker:
    mail_settings = settings.model_copy(
        update={"smtp_host": smtp.host, "smtp_port": smtp.port, "smtp_security": "none"}
    )
    sender = email_sender_from_settings(mail_settings, session_factory, clock)
    return Worker(lambda: UnitOfWork(session_factory), {"email": sender}, clock, WorkerSettings())


@pytest.fixture
def store_id(uow, clock) -> int:
    store_id = create_store(
        uow, slug="maison", name="Maison", currency="EUR", now=clock.now(),
        timezone="Pacific/Auckland",
    )  # fmt: skip
    create_staff_user(
        uow, store_slug="maison", email=OWNER, password="correct horse battery",
        role="owner", now=clock.now(),
    )  # fmt: skip
    return store_id


def request(uow, store_id, clock, order_id: str):
    order = import_sample_order(uow, store_id, clock, platform_id=order_id).order
    lines = [LineRequest(order.lines[0].id, 1, "too_small")]
    return use_cases.request_return(
        uow, store_id, use_cases.ReturnRequest(order.id, lines), STAFF, clock.now()
    )


def digests(uow) -> list[Delivery]:
    with uow:
        statement = select(Delivery).where(Delivery.kind == "staff_daily_digest")
        return list(uow.session.scalars(statement.order_by(Delivery.id)))


def test_the_digest_lists_what_waits_and_goes_once_a_day(
    uow, session_factory, store_id, clock, smtp, worker
):
    overdue = request(uow, store_id, clock, "1001")
    use_cases.approve_return(uow, store_id, overdue.id, STAFF, clock.now())
    clock.current += timedelta(days=31, hours=3)  # 2026-04-02 12:30 UTC, 3 April in Auckland
    failing = request(uow, store_id, clock, "1002")
    use_cases.approve_return(uow, store_id, failing.id, STAFF, clock.now())
    waiting = request(uow, store_id, clock, "1003")
    refund, _ = open_refund(
        uow, store_id, failing.id, RefundInstruction(RefundMethod.ORIGINAL_PAYMENT), STAFF,
        clock.now(), PaymentProviders({"card": DecliningProvider()}),
    )  # fmt: skip
    settle_refund(
        lambda: UnitOfWork(session_factory), store_id, refund.id,
        PaymentProviders({"card": DecliningProvider()}), clock.now, STAFF,
    )  # fmt: skip

    outcome = queue_daily_digests(uow, clock.now())
    again = queue_daily_digests(uow, clock.now() + timedelta(hours=10))  # still 3 April there
    worker.run_once()

    assert outcome == [DigestOutcome("maison", "queued", 1)]
    assert again == [DigestOutcome("maison", "already_queued")]
    assert len(digests(uow)) == 1
    by_subject = {mail.subject: mail for mail in smtp.to(OWNER)}
    digest = by_subject["Returns digest for April 3, 2026: 1 to review"]
    assert "Waiting for review: 1" in digest.text
    assert f"- {waiting.number}, shopper@example.com, requested April 3, 2026" in digest.text
    assert "Failed refunds: 1" in digest.text
    assert f"- {failing.number}, €58.80 (Your card was declined.)" in digest.text
    assert "Overdue parcels: 1" in digest.text
    assert f"- {overdue.number}, approved, due April 1, 2026" in digest.text  # 22:30 there
    failed = by_subject[f"Refund failed for return {failing.number}"]
    assert (
        f"The refund of €58.80 (original payment method) for return {failing.number} failed."
        in failed.text
    )
    assert "Provider's answer: Your card was declined." in failed.text

    clock.current += timedelta(days=1)
    assert queue_daily_digests(uow, clock.now()) == [DigestOutcome("maison", "queued", 1)]


def test_workers_queue_the_digest_in_the_stores_morning_once(uow, store_id, clock):
    request(uow, store_id, clock, "1001")  # 2 March 09:30 UTC: 22:30 in Auckland
    evening = queue_due_digests(uow, clock.now())
    clock.current += timedelta(hours=10)  # 08:30 on 3 March in Auckland
    morning = queue_due_digests(uow, clock.now())
    later = queue_due_digests(uow, clock.now() + timedelta(hours=3))

    assert (evening, later) == ([], [DigestOutcome("maison", "already_queued")])
    assert morning == [DigestOutcome("maison", "queued", 1)]
    assert len(digests(uow)) == 1


def test_an_empty_digest_is_not_sent_unless_asked(uow, store_id, clock):
    assert queue_daily_digests(uow, clock.now()) == [DigestOutcome("maison", "nothing_to_report")]
    assert queue_daily_digests(uow, clock.now(), "maison", send_empty=True) == [
        DigestOutcome("maison", "queued", 1)
    ]
    assert queue_daily_digests(uow, clock.now(), send_empty=True) == [
        DigestOutcome("maison", "already_queued")
    ]


def test_a_switched_off_digest_is_not_queued(uow, store_id, clock):
    set_switch(uow, store_id, "staff_daily_digest", False, clock.now())

    assert queue_daily_digests(uow, clock.now(), send_empty=True) == [
        DigestOutcome("maison", "switched_off")
    ]
    assert digests(uow) == []


@pytest.fixture
def cli_env(settings, session_factory, monkeypatch):
    monkeypatch.setenv("RETOUR_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("RETOUR_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_digest_command_is_safe_to_run_twice_a_day(uow, store_id, clock, cli_env):
    request(uow, store_id, clock, "1001")

    first = runner.invoke(app, ["notifications", "digest"])
    second = runner.invoke(app, ["notifications", "digest", "--store", "maison"])

    assert (first.exit_code, first.stdout) == (0, "maison: queued (1 recipient(s))\n")
    assert (second.exit_code, second.stdout) == (0, "maison: already queued\n")
    assert len(digests(uow)) == 1


def test_the_preview_command_prints_subject_and_text(uow, store_id, cli_env):
    result = runner.invoke(
        app, ["notifications", "preview", "return_approved", "--store", "maison", "--locale", "fr"]
    )

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Subject: Votre retour R-100231 est accepté"
    assert lines[2] == "Bonjour Sam Shopper,"


def test_the_preview_command_refuses_an_unknown_kind(uow, store_id, cli_env):
    result = runner.invoke(app, ["notifications", "preview", "return_lost", "--store", "maison"])

    assert result.exit_code == 1
    assert "e-mail kind 'return_lost'" in result.stderr


def test_a_store_without_staff_to_tell_queues_nothing(uow, clock):
    create_store(uow, slug="solo", name="Solo", currency="EUR", now=clock.now())

    assert queue_daily_digests(uow, clock.now(), send_empty=True) == [
        DigestOutcome("solo", "no_recipients")
    ]
    with uow:
        assert uow.session.scalars(select(Event.name)).all() == []
