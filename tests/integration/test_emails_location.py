"""The shopper's e-mail when staff send a return to another location, sent by the outbox worker
to a real SMTP server on loopback: the new address, that the old one no longer applies and the
return number to write on the parcel, in the shopper's language; only for an approved return
the shopper ships themselves, never with the staff's reason, and nothing once switched off."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from retour.db.models import Delivery, DeliveryAttempt, Event
from retour.domain.addresses import Address
from retour.domain.inputs import LineRequest
from retour.domain.lines import ReturnMethod
from retour.notifications.editing import set_switch
from retour.services import returns as use_cases
from retour.services.order_import import OrderImport, import_order
from retour.services.return_locations import add_return_location
from tests.factories import STAFF
from tests.integration import test_emails
from tests.integration.test_emails import BASE_URL, make_store, send_everything
from tests.support.shipping_steps import approved_return, set_return_address, shipped_order_payload

#: The e-mail tests' worker, sending to the loopback SMTP server (a fixture).
email_worker = test_emails.worker

#: The sample order's customer (tests/factories.py), as addresses are stored.
SHOPPER = "shopper@example.com"
KIND = "return_location_changed"
#: What staff typed: kept in the timeline, never written to the shopper.
WHY = "Berlin is full this week, internal ticket 4471"
UK_HUB = Address(
    name="Acme UK Returns", line1="1 Dock Road", city="London", postal_code="E16 2QD",
    country="GB",
)  # fmt: skip
#: UK_HUB as the post reads it (domain/addresses.py `address_lines`).
UK_HUB_LINES = ["Acme UK Returns", "1 Dock Road", "LONDON", "E16 2QD", "UNITED KINGDOM"]

EXPECTED = {
    "en": {
        "subject": "New return address for your return {n}",
        "intro": "Please send your return {n} for order #1001 to this address:",
        "old": "The previous return address no longer applies to this return: please do not "
        "send the parcel there.",
        "number": "Write the return number {n} on the parcel (or put a note saying it inside) "
        "so that we can find your return.",
        "by": "Please send the items by April 1, 2026.",
        "page": "Your return: {url}",
        "heading": "<h1>Your return has a new address</h1>",
        "button": ">View your return</a>",
    },
    "fr": {
        "subject": "Nouvelle adresse pour votre retour {n}",
        "intro": "Merci d'envoyer votre retour {n} pour la commande #1001 à cette adresse\u00a0:",
        "old": "L'adresse de retour précédente ne s'applique plus à ce retour\u00a0: merci de "
        "ne pas y envoyer le colis.",
        "number": "Inscrivez le numéro de retour {n} sur le colis (ou glissez à l'intérieur une "
        "note qui l'indique) afin que nous puissions retrouver votre retour.",
        "by": "Merci d'envoyer les articles avant le 1 avril 2026.",
        "page": "Votre retour\u00a0: {url}",
        "heading": "<h1>Votre retour a une nouvelle adresse</h1>",
        "button": ">Voir votre retour</a>",
    },
    "de": {
        "subject": "Neue Adresse für Ihre Rücksendung {n}",
        "intro": "bitte senden Sie Ihre Rücksendung {n} zur Bestellung #1001 an diese Adresse:",
        "old": "Die bisherige Rücksendeadresse gilt für diese Rücksendung nicht mehr: Bitte "
        "senden Sie das Paket nicht dorthin.",
        "number": "Schreiben Sie die Rücksendenummer {n} auf das Paket (oder legen Sie einen "
        "Zettel mit der Nummer bei), damit wir Ihre Rücksendung zuordnen können.",
        "by": "Bitte senden Sie die Artikel bis zum 1. April 2026 zurück.",
        "page": "Ihre Rücksendung: {url}",
        "heading": "<h1>Ihre Rücksendung hat eine neue Adresse</h1>",
        "button": ">Rücksendung ansehen</a>",
    },
}


def store_in(uow, clock, locale: str) -> int:
    """Store `maison` in `locale`: its default location `returns` (Berlin) and `uk-hub`."""
    store_id = make_store(uow, clock, locale)
    set_return_address(uow, store_id)
    add_return_location(uow, store_id, "uk-hub", "UK hub", UK_HUB)
    return store_id


def mailed_return(uow, clock, smtp, email_worker, locale: str):
    """An approved ship-it-yourself return of `store_in(locale)`, going to `returns`, whose
    e-mails so far are sent and cleared from the SMTP server."""
    store_id = store_in(uow, clock, locale)
    ret = approved_return(uow, store_id, clock)
    send_everything(email_worker)
    smtp.reset()
    return store_id, ret


def requested_return(uow, store_id, clock, method=ReturnMethod.SHIP_YOURSELF):
    payload = OrderImport.model_validate(shipped_order_payload())
    order = import_order(uow, store_id, payload, STAFF, clock.now()).order
    lines = [LineRequest(order.lines[0].id, 1, "too_small")]
    request = use_cases.ReturnRequest(order.id, lines, return_method=method)
    return use_cases.request_return(uow, store_id, request, STAFF, clock.now())


def move(uow, store_id, ret, clock, code="uk-hub"):
    return use_cases.change_return_location(uow, store_id, ret.id, STAFF, clock.now(), code, WHY)


def location_mails(smtp):
    return [mail for mail in smtp.messages if mail.message["X-Retour-Kind"] == KIND]


def attempts_of_the_kind(uow) -> list[tuple[str, str]]:
    with uow:
        rows = uow.session.execute(
            select(Delivery.status, DeliveryAttempt.response_excerpt)
            .join(DeliveryAttempt, DeliveryAttempt.delivery_id == Delivery.id)
            .where(Delivery.kind == KIND)
            .order_by(Delivery.id)
        ).all()
    return [tuple(row) for row in rows]


@pytest.mark.parametrize("locale", ["en", "fr", "de"])
def test_an_approved_ship_it_yourself_return_sent_elsewhere_gives_the_shopper_the_new_address(
    uow, clock, smtp, email_worker, locale
):
    words = EXPECTED[locale]
    store_id, ret = mailed_return(uow, clock, smtp, email_worker, locale)

    move(uow, store_id, ret, clock)

    assert send_everything(email_worker) == 1
    [mail] = smtp.messages
    assert mail.rcpt_tos == [SHOPPER]
    assert mail.subject == words["subject"].format(n=ret.number)
    assert mail.message["X-Retour-Kind"] == KIND
    url = f"{BASE_URL}/s/maison/returns/{ret.number}"
    text = mail.text.splitlines()
    start = text.index(words["intro"].format(n=ret.number))
    assert text[start : start + 13] == [
        words["intro"].format(n=ret.number),
        "",
        *UK_HUB_LINES,
        "",
        words["old"],
        words["number"].format(n=ret.number),
        words["by"],
        "",
        words["page"].format(url=url),
    ]
    assert "Lagerstraße" not in mail.text
    assert words["heading"] in mail.html
    assert "Acme UK Returns<br>1 Dock Road<br>LONDON<br>E16 2QD<br>UNITED KINGDOM" in mail.html
    assert f'href="{url}"' in mail.html
    assert words["button"] in mail.html
    assert "4471" not in mail.subject + mail.text + mail.html


def test_a_requested_return_sent_elsewhere_is_not_mailed(uow, clock, smtp, email_worker):
    store_id = store_in(uow, clock, "en")
    ret = requested_return(uow, store_id, clock)
    send_everything(email_worker)
    smtp.reset()

    move(uow, store_id, ret, clock)
    send_everything(email_worker)

    assert location_mails(smtp) == []
    assert attempts_of_the_kind(uow) == [
        ("delivered", "not sent: only an approved ship-it-yourself return needs the address"),
    ]


def test_a_prepaid_label_return_sent_elsewhere_is_not_mailed(uow, clock, smtp, email_worker):
    store_id = store_in(uow, clock, "en")
    requested = requested_return(uow, store_id, clock, ReturnMethod.PREPAID_LABEL)
    ret = use_cases.approve_return(uow, store_id, requested.id, STAFF, clock.now())
    send_everything(email_worker)
    smtp.reset()

    move(uow, store_id, ret, clock)
    send_everything(email_worker)

    assert location_mails(smtp) == []
    assert attempts_of_the_kind(uow) == [
        ("delivered", "not sent: only an approved ship-it-yourself return needs the address"),
    ]


def test_a_return_moved_twice_before_the_e_mails_went_gives_only_the_last_address(
    uow, clock, smtp, email_worker
):
    store_id, ret = mailed_return(uow, clock, smtp, email_worker, "en")

    move(uow, store_id, ret, clock)
    move(uow, store_id, ret, clock, code="returns")
    send_everything(email_worker)

    [mail] = location_mails(smtp)
    assert "Lagerstraße 5" in mail.text.splitlines()
    assert "1 Dock Road" not in mail.text
    assert attempts_of_the_kind(uow)[0] == (
        "delivered",
        "not sent: the return was sent to another location before the e-mail went",
    )


def test_a_location_without_an_address_kills_the_delivery_and_mails_nothing(
    uow, clock, smtp, email_worker
):
    store_id, ret = mailed_return(uow, clock, smtp, email_worker, "en")
    add_return_location(uow, store_id, "refurb", "Refurbisher")

    move(uow, store_id, ret, clock, code="refurb")
    send_everything(email_worker)

    assert location_mails(smtp) == []
    with uow:
        delivery = uow.session.scalars(select(Delivery).where(Delivery.kind == KIND)).one()
    assert (delivery.status, delivery.last_error) == (
        "dead",
        "return location refurb has no address to give",
    )


def test_a_store_that_switched_it_off_sends_nothing_and_keeps_the_event(
    uow, clock, smtp, email_worker
):
    store_id, ret = mailed_return(uow, clock, smtp, email_worker, "en")
    switch = set_switch(uow, store_id, KIND, False, clock.now())
    assert (switch.kind, switch.audience, switch.is_enabled) == (KIND, "shopper", False)

    move(uow, store_id, ret, clock)

    assert send_everything(email_worker) == 0
    assert smtp.messages == []
    with uow:
        event = uow.session.scalars(select(Event).order_by(Event.id.desc()).limit(1)).one()
        kinds = list(
            uow.session.scalars(select(Delivery.kind).where(Delivery.event_id == event.id))
        )
    assert (event.name, event.payload["reason"], kinds) == ("return.location_changed", WHY, [])
