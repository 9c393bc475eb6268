"""How e-mails leave: SMTP answers (5xx dead, 4xx retried), no SMTP (`.eml` files), invalid
addresses, switched-off kinds, and the store's own templates at send time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from retour.db.models import Delivery, DeliveryAttempt, EmailTemplate, ReturnRow
from retour.db.repositories.outbox import Job
from retour.db.unit_of_work import UnitOfWork
from retour.domain.inputs import LineRequest
from retour.notifications.context import StoreFacts
from retour.notifications.editing import set_switch
from retour.notifications.message import Envelope, build_message
from retour.notifications.sender import email_sender_from_settings
from retour.notifications.templates import RenderedEmail
from retour.notifications.transport import EmlWriter, SmtpTransport
from retour.services import returns as use_cases
from retour.services.outbox.worker import Worker, WorkerSettings
from retour.services.stores import create_store
from tests.factories import STAFF, import_sample_order
from tests.support.smtp_server import (
    free_port,
    password_checker,
    running_smtp_server,
)

SHOPPER = "shopper@example.com"


def worker_for(settings, session_factory, clock, **mail_settings) -> Worker:
    sender = email_sender_from_settings(
        settings.model_copy(update=mail_settings), session_factory, clock
    )
    return Worker(
        lambda: UnitOfWork(session_factory), {"email": sender}, clock, WorkerSettings(threads=4)
    )


@pytest.fixture
def smtp_worker(settings, session_factory, clock, smtp) -> Worker:
    return worker_for(
        settings, session_factory, clock,
        smtp_host=smtp.host, smtp_port=smtp.port, smtp_security="none",
    )  # fmt: skip


@pytest.fixture
def store_id(uow, clock) -> int:
    return create_store(uow, slug="acme", name="Acme", currency="EUR", now=clock.now())


def request(uow, store_id, clock, email: str = SHOPPER):
    order = import_sample_order(uow, store_id, clock, email=email).order
    lines = [LineRequest(order.lines[0].id, 1, "too_small")]
    return use_cases.request_return(
        uow, store_id, use_cases.ReturnRequest(order.id, lines), STAFF, clock.now()
    )


def deliveries(uow) -> list[Delivery]:
    with uow:
        return list(uow.session.scalars(select(Delivery).order_by(Delivery.id)))


def attempts(uow, delivery_id: int) -> list[DeliveryAttempt]:
    with uow:
        statement = select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == delivery_id)
        return list(uow.session.scalars(statement.order_by(DeliveryAttempt.id)))


def test_without_smtp_each_mail_is_written_as_an_eml_file(
    uow, settings, session_factory, clock, store_id, tmp_path
):
    ret = request(uow, store_id, clock)
    worker = worker_for(settings, session_factory, clock, smtp_host="", data_dir=tmp_path)

    assert worker.run_once() == 1

    [delivery] = deliveries(uow)
    expected = tmp_path / "mail" / "acme" / f"{delivery.id}-return_requested.eml"
    assert (delivery.status, delivery.artifact) == ("delivered", str(expected.resolve()))
    message = message_from_bytes(expected.read_bytes(), policy=policy.default)
    assert message["Subject"] == f"We received your return request {ret.number}"
    assert message["To"] == f"Sam Shopper <{SHOPPER}>"
    assert message["Message-ID"] == delivery.message_id
    assert [p.name for p in expected.parent.iterdir()] == [expected.name]  # no partial files
    [attempt] = attempts(uow, delivery.id)
    assert attempt.is_success and attempt.response_excerpt == f"written to {expected}"


def test_a_permanent_smtp_refusal_kills_the_delivery_at_once(
    uow, clock, store_id, smtp, smtp_worker
):
    smtp.refuse(SHOPPER, "550 5.1.1 <shopper@example.com>: no such user")
    request(uow, store_id, clock)

    smtp_worker.run_once()

    [delivery] = deliveries(uow)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("dead", 1, 550)
    assert delivery.last_error == "SMTP 550: 5.1.1 <shopper@example.com>: no such user"
    assert smtp.messages == []
    clock.current += timedelta(days=3)
    assert smtp_worker.run_once() == 0  # never tried again


def test_a_temporary_smtp_refusal_is_retried_later_and_then_delivered(
    uow, clock, store_id, smtp, smtp_worker
):
    smtp.refuse(SHOPPER, "451 4.3.0 Mailbox temporarily unavailable")
    ret = request(uow, store_id, clock)

    smtp_worker.run_once()

    [delivery] = deliveries(uow)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 451)
    assert timedelta(seconds=48) <= delivery.next_attempt_at - clock.now() <= timedelta(seconds=72)
    assert smtp_worker.run_once() == 0  # not due yet
    smtp.reset()
    clock.current += timedelta(minutes=2)

    assert smtp_worker.run_once() == 1

    [delivery] = deliveries(uow)
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    [mail] = smtp.messages
    assert mail.subject == f"We received your return request {ret.number}"
    assert [a.status_code for a in attempts(uow, delivery.id)] == [451, 250]


def test_an_unreachable_smtp_server_is_retried(uow, settings, session_factory, clock, store_id):
    worker = worker_for(
        settings, session_factory, clock,
        smtp_host="127.0.0.1", smtp_port=free_port(), smtp_security="none",
    )  # fmt: skip
    request(uow, store_id, clock)

    worker.run_once()

    [delivery] = deliveries(uow)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert "ConnectionRefusedError" in delivery.last_error


def test_an_invalid_address_that_got_past_the_import_fails_clearly_and_for_good(
    uow, clock, store_id, smtp, smtp_worker
):
    ret = request(uow, store_id, clock)
    with uow:  # written before imports checked addresses as strictly as sending does
        uow.session.execute(
            update(ReturnRow)
            .where(ReturnRow.id == ret.id)
            .values(customer_email="shopper@localhost")
        )
        uow.session.execute(delete(Delivery))
        uow.commit()
    use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now())

    smtp_worker.run_once()

    [delivery] = deliveries(uow)
    assert (delivery.status, delivery.attempts) == ("dead", 1)
    assert delivery.last_error == (
        "invalid e-mail address 'shopper@localhost': the domain needs a dot (e.g. example.com)"
    )
    assert smtp.messages == []


def test_a_switched_off_kind_sends_nothing_and_the_others_still_go(
    uow, clock, store_id, smtp, smtp_worker
):
    set_switch(uow, store_id, "return_approved", False, clock.now())
    ret = request(uow, store_id, clock)
    use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now())

    smtp_worker.run_once()

    assert [d.kind for d in deliveries(uow)] == ["return_requested"]
    assert [mail.subject for mail in smtp.messages] == [
        f"We received your return request {ret.number}"
    ]


def test_switching_a_kind_off_cancels_its_mails_still_waiting(
    uow, clock, store_id, smtp, smtp_worker
):
    request(uow, store_id, clock)

    switch = set_switch(uow, store_id, "return_requested", False, clock.now())

    assert switch.cancelled_pending == 1
    assert [(d.status, d.last_error) for d in deliveries(uow)] == [
        ("cancelled", "switched off by the store")
    ]
    assert smtp_worker.run_once() == 0
    assert smtp.messages == []


def test_the_stores_own_template_is_sent(uow, clock, store_id, smtp, smtp_worker):
    with uow:
        uow.session.add(
            EmailTemplate(
                store_id=store_id, kind="return_requested", locale="en",
                subject="Got it: {{ rma.number }}",
                html="<p>Thanks {{ recipient.name }}, {{ rma.number }}</p>",
                text="Thanks {{ recipient.name }}, {{ rma.number }}",
                updated_at=clock.now(),
            )
        )  # fmt: skip
        uow.commit()
    ret = request(uow, store_id, clock)

    smtp_worker.run_once()

    [mail] = smtp.messages
    assert mail.subject == f"Got it: {ret.number}"
    assert mail.text.strip() == f"Thanks Sam Shopper, {ret.number}"
    assert mail.html.strip() == f"<p>Thanks Sam Shopper, {ret.number}</p>"


def test_a_stored_template_that_fails_at_send_time_falls_back_to_the_built_in_one(
    uow, clock, store_id, smtp, smtp_worker
):
    with uow:  # bypasses the check on save, as a template older than a context change would
        uow.session.add(
            EmailTemplate(
                store_id=store_id, kind="return_requested", locale="en",
                subject="{{ rma.number + 1 }}", html="x", text="x", updated_at=clock.now(),
            )
        )  # fmt: skip
        uow.commit()
    ret = request(uow, store_id, clock)

    smtp_worker.run_once()

    [mail] = smtp.messages
    assert mail.subject == f"We received your return request {ret.number}"
    [delivery] = deliveries(uow)
    [attempt] = attempts(uow, delivery.id)
    assert attempt.response_excerpt.startswith("the store's template failed (TypeError: ")
    assert attempt.response_excerpt.endswith("; sent the built-in one; accepted by "
                                             f"{smtp.host}:{smtp.port}")  # fmt: skip


def test_an_exchange_settlement_refund_sends_no_refund_mail(settings, tmp_path):
    def no_database():
        raise AssertionError("nothing to look up")

    sender = email_sender_from_settings(settings, session_factory=no_database)
    sender.transport = EmlWriter(tmp_path)
    job = Job(
        delivery_id=1, store_id=1, channel="email", kind="return_refunded",
        recipient=SHOPPER, subscription_id=None, attempts=0, event_id=1,
        event_name="refund.succeeded", event_payload={"method": "exchange", "amount": 4900},
        occurred_at=datetime(2026, 3, 2, tzinfo=UTC), return_id=1, order_id=1,
        webhook_secret=None,
    )  # fmt: skip

    result = sender.send(job)

    assert result.is_success and result.response_excerpt.startswith("not sent: ")
    assert list(Path(tmp_path).iterdir()) == []


def envelope(number: int, recipient: str = SHOPPER) -> Envelope:
    rendered = RenderedEmail(f"Message {number}", f"<p>{number}</p>", f"{number}\n")
    return build_message(
        rendered=rendered, store=StoreFacts(1, "acme", "Acme", "en", "EUR", "UTC"),
        recipient=recipient, recipient_name="", mail_from="returns@acme.example",
        base_url="", delivery_id=number, kind="return_requested",
        now=datetime(2026, 3, 2, tzinfo=UTC),
    )  # fmt: skip


def test_one_smtp_connection_carries_many_messages(smtp):
    transport = SmtpTransport(smtp.host, smtp.port, "none")

    results = [transport.deliver(envelope(number)) for number in range(5)]
    transport.close()

    assert [r.is_success for r in results] == [True] * 5
    assert [mail.subject for mail in smtp.messages] == [f"Message {n}" for n in range(5)]
    assert smtp.handler.sessions == 1


def test_a_refused_recipient_does_not_spoil_the_connection(smtp):
    smtp.refuse("gone@example.com", "550 5.1.1 No such user")
    transport = SmtpTransport(smtp.host, smtp.port, "none")

    refused = transport.deliver(envelope(1, "gone@example.com"))
    accepted = transport.deliver(envelope(2))
    transport.close()

    assert (refused.is_success, refused.is_permanent, refused.status_code) == (False, True, 550)
    assert accepted.is_success
    assert [mail.subject for mail in smtp.messages] == ["Message 2"]
    assert smtp.handler.sessions == 1


def test_a_connection_the_server_closed_meanwhile_is_replaced():
    port = free_port()
    transport = SmtpTransport("127.0.0.1", port, "none", probe_after_seconds=0)
    with running_smtp_server(port) as first:
        assert transport.deliver(envelope(1)).is_success
    with running_smtp_server(port) as restarted:  # the kept connection is dead now
        result = transport.deliver(envelope(2))
        transport.close()

        assert result.is_success
        assert [mail.subject for mail in restarted.messages] == ["Message 2"]
    assert [mail.subject for mail in first.messages] == ["Message 1"]


def test_smtp_login_and_a_refused_one():
    with running_smtp_server(authenticator=password_checker("retour", "s3cret")) as server:
        good = SmtpTransport(server.host, server.port, "none", "retour", "s3cret")
        bad = SmtpTransport(server.host, server.port, "none", "retour", "wrong")

        sent = good.deliver(envelope(1))
        refused = bad.deliver(envelope(2))
        good.close()

        assert sent.is_success
        assert (refused.is_success, refused.is_permanent, refused.status_code) == (
            False, False, 535,
        )  # fmt: skip
        assert refused.error.startswith("SMTP login refused (535): ")
        assert refused.error.endswith("check RETOUR_SMTP_USERNAME and RETOUR_SMTP_PASSWORD")
        assert [mail.subject for mail in server.messages] == ["Message 1"]
