"""E-mails over a return's life, sent by the outbox worker to a real SMTP server on loopback:
the right mails, subjects, content, links and language (en, fr, de), on both engines."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from retour.db.models import Delivery, DeliveryAttempt
from retour.db.unit_of_work import UnitOfWork
from retour.domain.inputs import InspectionInput, LineRequest, Receipt
from retour.domain.lines import Disposition, Grade
from retour.domain.refund_quote import RefundMethod
from retour.notifications.sender import email_sender_from_settings
from retour.payments.registry import NO_PROVIDERS
from retour.services import returns as use_cases
from retour.services.outbox.worker import Worker, WorkerSettings
from retour.services.refunds.opening import RefundInstruction, open_refund
from retour.services.stores import create_staff_user, create_store
from tests.factories import STAFF, import_sample_order
from tests.support.smtp_server import ReceivedMail

SHOPPER = "shopper@example.com"
OWNER = "owner@maison.example"
BASE_URL = "https://returns.example"


@pytest.fixture
def worker(settings, session_factory, smtp, clock) -> Worker:
    mail_settings = settings.model_copy(
        update={
            "smtp_host": smtp.host,
            "smtp_port": smtp.port,
            "smtp_security": "none",
            "mail_from": "Retour <returns@retour.example>",
            "base_url": BASE_URL,
        }
    )
    sender = email_sender_from_settings(mail_settings, session_factory, clock)
    return Worker(
        lambda: UnitOfWork(session_factory), {"email": sender}, clock, WorkerSettings(threads=4)
    )


def send_everything(worker: Worker) -> int:
    sent = 0
    while (count := worker.run_once()) > 0:
        sent += count
    return sent


def make_store(uow, clock, locale: str) -> int:
    store_id = create_store(
        uow, slug="maison", name="Maison Demo", currency="EUR", now=clock.now(),
        timezone="Europe/Paris", locale=locale,
    )  # fmt: skip
    create_staff_user(
        uow, store_slug="maison", email=OWNER, password="correct horse battery",
        role="owner", now=clock.now(), name="Olivia",
    )  # fmt: skip
    return store_id


def request_whole_order(uow, store_id, clock, order_id: str = "1001"):
    order = import_sample_order(uow, store_id, clock, platform_id=order_id, email=SHOPPER).order
    lines = [LineRequest(line.id, line.quantity, "too_small") for line in order.lines]
    return use_cases.request_return(
        uow, store_id, use_cases.ReturnRequest(order.id, lines), STAFF, clock.now()
    )


def in_delivery_order(mails: list[ReceivedMail]) -> list[ReceivedMail]:
    """Mails as their events happened (the worker sends a batch concurrently)."""
    return sorted(mails, key=lambda mail: int(mail.message["X-Retour-Delivery"]))


def later(clock, hours: int = 1) -> None:
    clock.current += timedelta(hours=hours)


EXPECTED = {
    "en": {
        "return_requested": "We received your return request {n}",
        "return_approved": "Your return {n} is approved",
        "return_in_transit": "Your return {n} is on its way",
        "return_received": "We received your return {n}",
        "return_refunded": "Your store credit for return {n}",
        "staff_review_needed": "Return {n} needs a review",
        "greeting": "Hello Sam Shopper,",
        "amount": "€176.40",
        "deadline": "April 1, 2026",
        "code": "Your store credit code: {code}",
    },
    "fr": {
        "return_requested": "Nous avons bien reçu votre demande de retour {n}",
        "return_approved": "Votre retour {n} est accepté",
        "return_in_transit": "Votre retour {n} est en route",
        "return_received": "Nous avons reçu votre retour {n}",
        "return_refunded": "Votre avoir pour le retour {n}",
        "staff_review_needed": "Le retour {n} attend votre validation",
        "greeting": "Bonjour Sam Shopper,",
        "amount": "176,40\u00a0€",
        "deadline": "1 avril 2026",
        "code": "Votre code d'avoir\u00a0: {code}",
    },
    "de": {
        "return_requested": "Ihre Rücksendeanfrage {n} ist eingegangen",
        "return_approved": "Ihre Rücksendung {n} wurde genehmigt",
        "return_in_transit": "Ihre Rücksendung {n} ist unterwegs",
        "return_received": "Ihre Rücksendung {n} ist bei uns eingetroffen",
        "return_refunded": "Ihr Guthaben für die Rücksendung {n}",
        "staff_review_needed": "Rücksendung {n} wartet auf Prüfung",
        "greeting": "Guten Tag Sam Shopper,",
        "amount": "176,40\u00a0€",
        "deadline": "1. April 2026",
        "code": "Ihr Guthabencode: {code}",
    },
}


@pytest.mark.parametrize("locale", ["en", "fr", "de"])
def test_a_whole_return_sends_the_right_mails_in_the_stores_language(
    uow, session_factory, clock, smtp, worker, locale
):
    words = EXPECTED[locale]
    store_id = make_store(uow, clock, locale)
    ret = request_whole_order(uow, store_id, clock)
    later(clock)
    use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now())
    later(clock)
    use_cases.mark_return_in_transit(
        uow, store_id, ret.id, STAFF, clock.now(), "1Z999AA10123456784", "UPS"
    )
    later(clock, 24)
    received = use_cases.receive_return(
        uow, store_id, ret.id, STAFF, clock.now(),
        [Receipt(line.id, line.requested_quantity) for line in ret.lines],
    )  # fmt: skip
    later(clock)
    use_cases.inspect_return(
        uow, store_id, ret.id, STAFF, clock.now(),
        [InspectionInput(line.id, line.received_quantity, True, Grade.A, Disposition.RESTOCK)
         for line in received.lines],
    )  # fmt: skip
    later(clock)
    refund, _ = open_refund(
        uow, store_id, ret.id, RefundInstruction(RefundMethod.STORE_CREDIT), STAFF,
        clock.now(), NO_PROVIDERS,
    )  # fmt: skip

    assert send_everything(worker) == 6

    number, code = ret.number, refund.provider_reference
    portal = f"{BASE_URL}/s/maison/returns/{number}"
    shopper_mails = in_delivery_order(smtp.to(SHOPPER))
    assert [mail.subject for mail in shopper_mails] == [
        words[kind].format(n=number)
        for kind in (
            "return_requested", "return_approved", "return_in_transit", "return_received",
            "return_refunded",
        )
    ]  # fmt: skip
    for mail in shopper_mails:
        assert mail.mail_from == "returns@retour.example"
        assert str(mail.message["From"]) == "Maison Demo <returns@retour.example>"
        assert str(mail.message["Reply-To"]) == "Maison Demo <returns@retour.example>"
        assert number in mail.text and number in mail.html
        assert portal in mail.text and f'href="{portal}"' in mail.html
        assert mail.text.startswith(words["greeting"])
    approved_mail, refunded_mail = shopper_mails[1], shopper_mails[4]
    assert words["deadline"] in approved_mail.text  # 30 days on, the store's own day
    assert words["amount"] in refunded_mail.text
    assert f"<strong>{words['amount']}</strong>" in refunded_mail.html
    assert words["code"].format(code=code) in refunded_mail.text
    assert "1Z999AA10123456784" in shopper_mails[2].text

    [staff_mail] = smtp.to(OWNER)
    assert staff_mail.subject == words["staff_review_needed"].format(n=number)
    assert f"{BASE_URL}/backoffice/returns/{number}" in staff_mail.text
    assert staff_mail.message["To"] == f"Olivia <{OWNER}>"

    with uow:
        deliveries = uow.session.scalars(select(Delivery).order_by(Delivery.id)).all()
        attempts = uow.session.scalars(select(DeliveryAttempt)).all()
    assert {(d.status, d.attempts, d.artifact) for d in deliveries} == {("delivered", 1, "")}
    assert sorted(d.message_id for d in deliveries) == sorted(
        str(mail.message["Message-ID"]) for mail in smtp.messages
    )
    assert [(a.is_success, a.status_code) for a in attempts] == [(True, 250)] * 6


def test_every_other_stage_tells_the_shopper_what_happened(
    uow, session_factory, clock, smtp, worker
):
    store_id = make_store(uow, clock, "en")
    rejected = request_whole_order(uow, store_id, clock)
    use_cases.reject_return(
        uow, store_id, rejected.id, STAFF, clock.now(), "Bought more than 30 days ago."
    )
    questioned = request_whole_order(uow, store_id, clock, "1002")
    use_cases.request_return_info(
        uow, store_id, questioned.id, STAFF, clock.now(), "Could you send a photo?"
    )
    cancelled = request_whole_order(uow, store_id, clock, "1003")
    use_cases.cancel_return(uow, store_id, cancelled.id, STAFF, clock.now(), "Asked by phone.")
    expiring = request_whole_order(uow, store_id, clock, "1004")
    use_cases.approve_return(uow, store_id, expiring.id, STAFF, clock.now())
    later(clock, 31 * 24)
    assert use_cases.expire_overdue_returns(uow, clock.now()) == 1
    smtp.reset()
    send_everything(worker)

    by_subject = {mail.subject: mail for mail in smtp.to(SHOPPER)}
    rejected_mail = by_subject[f"Your return request {rejected.number} was not approved"]
    assert "Reason: Bought more than 30 days ago." in rejected_mail.text
    assert "Bought more than 30 days ago." in rejected_mail.html
    info_mail = by_subject[f"We need more information about your return {questioned.number}"]
    assert "  Could you send a photo?" in info_mail.text
    cancelled_mail = by_subject[f"Your return {cancelled.number} was cancelled"]
    assert "Reason: Asked by phone." in cancelled_mail.text
    expired_mail = by_subject[f"Your return {expiring.number} has expired"]
    assert f"We did not receive the items of your return {expiring.number} by April 1, 2026" in (
        expired_mail.text
    )


@pytest.mark.parametrize(
    ("shopper_locale", "shopper_subject"),
    [
        ("de-CH", "Ihre Rücksendeanfrage {n} ist eingegangen"),
        ("it", "Nous avons bien reçu votre demande de retour {n}"),  # not offered: the store's
        ("", "Nous avons bien reçu votre demande de retour {n}"),
    ],
)
def test_the_shopper_is_written_to_in_their_own_language_and_staff_in_the_stores(
    uow, clock, smtp, worker, shopper_locale, shopper_subject
):
    from retour.services.order_import import OrderImport, import_order
    from tests.factories import order_payload

    store_id = make_store(uow, clock, "fr")
    payload = order_payload(placed_at=clock.now() - timedelta(days=10), email=SHOPPER)
    payload["customer"]["locale"] = shopper_locale
    order = import_order(uow, store_id, OrderImport.model_validate(payload), STAFF, clock.now())
    lines = [LineRequest(line.id, line.quantity, "too_small") for line in order.order.lines]
    ret = use_cases.request_return(
        uow, store_id, use_cases.ReturnRequest(order.order.id, lines), STAFF, clock.now()
    )

    send_everything(worker)

    subjects = {mail.rcpt_tos[0]: mail.subject for mail in smtp.messages}
    assert subjects == {
        SHOPPER: shopper_subject.format(n=ret.number),
        OWNER: f"Le retour {ret.number} attend votre validation",
    }


def test_an_unmatched_parcel_tells_the_staff_what_is_known_of_it(uow, clock, smtp, worker):
    from retour.services.parcels import ParcelArrival, record_unmatched_parcel

    store_id = make_store(uow, clock, "de")
    arrival = ParcelArrival("JJD0001234567", "DHL", "M. Durand, Lyon", "zwei Hemden, kein Beleg")
    parcel = record_unmatched_parcel(uow, store_id, arrival, STAFF, clock.now())

    send_everything(worker)

    (mail,) = smtp.messages
    assert mail.rcpt_tos == [OWNER]
    assert mail.subject == "Paket ohne passende Rücksendung eingetroffen"
    assert f"nicht zugeordnetes Paket Nr. {parcel.id}" in mail.text
    assert "Sendungsnummer: JJD0001234567 (DHL)" in mail.text
    assert "Absender: M. Durand, Lyon" in mail.text
    assert "Notiz: zwei Hemden, kein Beleg" in mail.text
    assert "<li>Sendungsnummer: JJD0001234567 (DHL)</li>" in mail.html
