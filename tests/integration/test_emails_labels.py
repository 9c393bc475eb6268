"""The shopper's e-mail when a return's label or QR drop-off code is made, sent by the outbox
worker to a real SMTP server on loopback: label or code, what to do next, the use-by date and
the return's page, in the shopper's language; none for a label that failed or was voided, a
new one for a reissued label, and nothing once the store switched it off."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from retour.db.models import Delivery, DeliveryAttempt, Event
from retour.domain.shipments import ShipmentMethod
from retour.notifications.editing import set_switch
from retour.services import shipments
from retour.services.shipments.errors import CarrierRefusedShipment
from retour.shipping.base import CarrierRefused, Label, LabelRequest
from retour.shipping.builtin import BuiltinCarrier
from retour.shipping.registry import Carriers
from tests.factories import STAFF
from tests.integration import test_emails
from tests.integration.test_emails import BASE_URL, make_store, send_everything
from tests.support.shipping_steps import approved_return, set_return_address

#: The e-mail tests' worker, sending to the loopback SMTP server (a fixture).
email_worker = test_emails.worker

#: The sample order's customer (tests/factories.py), as addresses are stored.
SHOPPER = "shopper@example.com"
LABEL = shipments.ShipmentRequest(ShipmentMethod.PREPAID_LABEL)
QR_CODE = shipments.ShipmentRequest(ShipmentMethod.QR_DROP_OFF)

EXPECTED = {
    ("en", "prepaid_label"): {
        "subject": "Your return label for {n} is ready",
        "intro": "The prepaid return label for your return {n} is ready.",
        "steps": [
            "What to do next:",
            "1. Print the label attached to this e-mail (return-{n}-label.pdf), or download it "
            "from your return page.",
            "2. Pack the items and stick the label on the parcel.",
            "3. Drop the parcel off with the carrier and keep the receipt until your return "
            "is complete.",
        ],
        "use_by": "Please use it by April 1, 2026: after that date it can no longer be used.",
        "tracking": "Tracking number: {t}",
        "page": "Your return page: {url}",
        "sign_in": "You may be asked for your order number and e-mail address.",
        "heading": "<h1>Your return label is ready</h1>",
        "button": ">Download my label</a>",
    },
    ("en", "qr_drop_off"): {
        "subject": "Your drop-off code for return {n} is ready",
        "intro": "The QR code for your return {n} is ready. You don't need to print anything.",
        "steps": [
            "What to do next:",
            "1. Pack the items.",
            "2. Show the QR code attached to this e-mail, or the one on your return page, at a "
            "drop-off point.",
            "3. Keep the drop-off receipt until your return is complete.",
        ],
        "use_by": "Please use it by April 1, 2026: after that date it can no longer be used.",
        "tracking": "Tracking number: {t}",
        "page": "Your return page: {url}",
        "sign_in": "You may be asked for your order number and e-mail address.",
        "heading": "<h1>Your drop-off code is ready</h1>",
        "button": ">Show my QR code</a>",
    },
    ("fr", "prepaid_label"): {
        "subject": "Votre étiquette pour le retour {n} est prête",
        "intro": "L'étiquette de retour prépayée de votre retour {n} est prête.",
        "steps": [
            "Et maintenant\u00a0:",
            "1. Imprimez l'étiquette jointe à cet e-mail (return-{n}-label.pdf), ou "
            "téléchargez-la depuis la page de votre retour.",
            "2. Emballez les articles et collez l'étiquette sur le colis.",
            "3. Déposez le colis chez le transporteur et gardez le reçu jusqu'à la fin de votre "
            "retour.",
        ],
        "use_by": "Valable jusqu'au 1 avril 2026\u00a0: merci de déposer le colis d'ici là.",
        "tracking": "Numéro de suivi\u00a0: {t}",
        "page": "La page de votre retour\u00a0: {url}",
        "sign_in": "Il se peut que l'on vous demande votre numéro de commande et votre adresse "
        "e-mail.",
        "heading": "<h1>Votre étiquette de retour est prête</h1>",
        "button": ">Télécharger mon étiquette</a>",
    },
    ("de", "qr_drop_off"): {
        "subject": "Ihr Abgabecode für die Rücksendung {n} ist bereit",
        "intro": "der QR-Code für Ihre Rücksendung {n} ist bereit. Sie müssen nichts ausdrucken.",
        "steps": [
            "So geht es weiter:",
            "1. Verpacken Sie die Artikel.",
            "2. Zeigen Sie den QR-Code im Anhang dieser E-Mail oder den auf der Seite Ihrer "
            "Rücksendung an einer Annahmestelle vor.",
            "3. Bewahren Sie den Einlieferungsbeleg auf, bis Ihre Rücksendung abgeschlossen ist.",
        ],
        "use_by": "Gültig bis zum 1. April 2026: Bitte geben Sie das Paket bis dahin ab.",
        "tracking": "Sendungsnummer: {t}",
        "page": "Ihre Rücksendung: {url}",
        "sign_in": "Möglicherweise werden Sie nach Ihrer Bestellnummer und E-Mail-Adresse gefragt.",
        "heading": "<h1>Ihr Abgabecode ist bereit</h1>",
        "button": ">Meinen QR-Code anzeigen</a>",
    },
}


class RefusingCarrier(BuiltinCarrier):
    """The built-in carrier, refusing every label as a real carrier refuses an address."""

    def create_label(self, request: LabelRequest) -> Label:
        raise CarrierRefused("the address could not be verified")


def approved_in(uow, clock, locale: str):
    """Store `maison` in `locale` with a return address, and an approved return of it whose
    e-mails so far are sent."""
    store_id = make_store(uow, clock, locale)
    set_return_address(uow, store_id)
    return store_id, approved_return(uow, store_id, clock)


def make_label(uow, store_id, ret, clock, request=LABEL, carriers=None):
    outcome = shipments.create_shipment(
        uow, carriers or Carriers(), store_id, ret.id, request, STAFF, clock
    )
    return outcome.view.shipment


def last_event_and_its_deliveries(uow) -> tuple[str, list[str]]:
    """The latest event's name and the kinds of the deliveries it made."""
    with uow:
        event = uow.session.scalars(select(Event).order_by(Event.id.desc()).limit(1)).one()
        statement = select(Delivery.kind).where(Delivery.event_id == event.id)
        return event.name, list(uow.session.scalars(statement))


def label_mails(smtp):
    return [mail for mail in smtp.messages if mail.message["X-Retour-Kind"] == "return_label_ready"]


@pytest.mark.parametrize(("locale", "method"), list(EXPECTED))
def test_a_label_or_code_made_tells_the_shopper_what_to_do_by_when_and_where(
    uow, clock, smtp, email_worker, locale, method
):
    words = EXPECTED[(locale, method)]
    store_id, ret = approved_in(uow, clock, locale)
    send_everything(email_worker)
    smtp.reset()
    request = QR_CODE if method == "qr_drop_off" else LABEL

    shipment = make_label(uow, store_id, ret, clock, request)

    assert send_everything(email_worker) == 1
    [mail] = smtp.messages
    assert mail.rcpt_tos == [SHOPPER]
    assert mail.subject == words["subject"].format(n=ret.number)
    assert mail.message["X-Retour-Kind"] == "return_label_ready"
    assert mail.message.get_content_type() == "multipart/mixed"
    url = f"{BASE_URL}/s/maison/returns/{ret.number}"
    text = mail.text.splitlines()
    start = text.index(words["intro"].format(n=ret.number))
    assert text[start : start + 12] == [
        words["intro"].format(n=ret.number),
        "",
        *[step.format(n=ret.number) for step in words["steps"]],
        "",
        words["use_by"],
        words["tracking"].format(t=shipment.tracking_number),
        "",
        words["page"].format(url=url),
        words["sign_in"],
    ]
    assert words["heading"] in mail.html
    assert f'href="{url}"' in mail.html
    assert words["button"] in mail.html


def test_a_label_voided_before_its_e_mail_went_is_not_mailed_and_the_reissue_is(
    uow, clock, smtp, email_worker
):
    store_id, ret = approved_in(uow, clock, "en")
    send_everything(email_worker)
    smtp.reset()
    first = make_label(uow, store_id, ret, clock)
    shipments.void_shipment(uow, Carriers(), store_id, first.id, STAFF, clock, "torn")

    second = make_label(uow, store_id, ret, clock)
    send_everything(email_worker)

    [mail] = label_mails(smtp)
    assert f"Tracking number: {second.tracking_number}" in mail.text.splitlines()
    assert first.tracking_number not in mail.text
    with uow:
        attempts = uow.session.execute(
            select(Delivery.status, DeliveryAttempt.response_excerpt)
            .join(DeliveryAttempt, DeliveryAttempt.delivery_id == Delivery.id)
            .where(Delivery.kind == "return_label_ready")
            .order_by(Delivery.id)
        ).all()
    voided, reissued = attempts
    assert tuple(voided) == ("delivered", "not sent: the label was voided before the e-mail went")
    assert reissued.status == "delivered"
    assert not reissued.response_excerpt.startswith("not sent")


def test_a_label_mailed_then_reissued_sends_a_new_e_mail(uow, clock, smtp, email_worker):
    store_id, ret = approved_in(uow, clock, "en")
    first = make_label(uow, store_id, ret, clock)
    send_everything(email_worker)
    smtp.reset()
    shipments.void_shipment(uow, Carriers(), store_id, first.id, STAFF, clock, "torn")

    second = make_label(uow, store_id, ret, clock)
    send_everything(email_worker)

    [mail] = label_mails(smtp)
    assert mail.subject == f"Your return label for {ret.number} is ready"
    assert f"Tracking number: {second.tracking_number}" in mail.text.splitlines()
    assert second.tracking_number != first.tracking_number


def test_a_label_the_carrier_refused_sends_nothing(uow, clock, smtp, email_worker):
    store_id, ret = approved_in(uow, clock, "en")
    send_everything(email_worker)
    smtp.reset()

    with pytest.raises(CarrierRefusedShipment):
        make_label(uow, store_id, ret, clock, carriers=Carriers([RefusingCarrier()]))

    assert send_everything(email_worker) == 0
    assert smtp.messages == []
    with uow:
        kinds = uow.session.scalars(
            select(Delivery.kind).where(Delivery.kind == "return_label_ready")
        ).all()
    assert kinds == []


def test_a_store_that_switched_it_off_sends_nothing_and_keeps_the_event(
    uow, clock, smtp, email_worker
):
    store_id, ret = approved_in(uow, clock, "en")
    send_everything(email_worker)
    smtp.reset()
    switch = set_switch(uow, store_id, "return_label_ready", False, clock.now())
    assert (switch.kind, switch.audience, switch.is_enabled) == (
        "return_label_ready",
        "shopper",
        False,
    )

    make_label(uow, store_id, ret, clock)

    assert send_everything(email_worker) == 0
    assert smtp.messages == []
    assert last_event_and_its_deliveries(uow) == ("shipment.created", [])
