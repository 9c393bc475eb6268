"""The approval e-mail says where the items go, sent by the outbox worker to a real SMTP server
on loopback: for a return the shopper ships themselves, its location's address as the post
reads it (the location staff chose if they moved it) and the return number to write on the
parcel; for one brought to a store, the address to bring it to; nothing of the kind for a label
or drop-off code, whose own e-mail follows."""

from __future__ import annotations

import pytest

from retour.domain.lines import ReturnMethod
from retour.notifications.preview import preview_email
from retour.notifications.templates import default_templates
from retour.services import returns as use_cases
from retour.services.return_locations import add_return_location
from tests.factories import STAFF
from tests.integration import test_emails
from tests.integration.test_emails import BASE_URL, send_everything
from tests.integration.test_emails_location import UK_HUB_LINES, requested_return, store_in

#: The e-mail tests' worker, sending to the loopback SMTP server (a fixture).
email_worker = test_emails.worker

SHOPPER = "shopper@example.com"
KIND = "return_approved"
#: The store's default location `returns` (tests/support/shipping_steps.py WAREHOUSE) as the
#: post reads it.
WAREHOUSE_LINES = ["Acme Returns", "Acme GmbH", "Lagerstraße 5", "10115 Berlin", "GERMANY"]

SHIP_YOURSELF = {
    "en": {
        "subject": "Your return {n} is approved",
        "intro": "How to send it back: pack the items and send the parcel with the carrier of "
        "your choice to this address:",
        "number": "Write the return number {n} on the parcel (or put a note saying it inside) "
        "so that we can find your return. Then add the tracking number on your return page so "
        "that we can follow it.",
        "by": "Please send or bring the items by April 1, 2026.",
        "html_intro": "<p><strong>How to send it back:</strong> pack the items and send the "
        "parcel with the carrier of your choice to this address:</p>",
        "html_number": "<p>Write the return number <strong>{n}</strong> on the parcel",
    },
    "fr": {
        "subject": "Votre retour {n} est accepté",
        "intro": "Comment nous le renvoyer\u00a0: emballez les articles et envoyez le colis avec "
        "le transporteur de votre choix à cette adresse\u00a0:",
        "number": "Inscrivez le numéro de retour {n} sur le colis (ou glissez à l'intérieur une "
        "note qui l'indique) afin que nous puissions retrouver votre retour. Ajoutez ensuite le "
        "numéro de suivi sur la page de votre retour pour que nous puissions le suivre.",
        "by": "Merci d'envoyer ou d'apporter les articles avant le 1 avril 2026.",
        "html_intro": "<p><strong>Comment nous le renvoyer\u00a0:</strong> emballez les articles "
        "et envoyez le colis avec le transporteur de votre choix à cette adresse\u00a0:</p>",
        "html_number": "<p>Inscrivez le numéro de retour <strong>{n}</strong> sur le colis",
    },
    "de": {
        "subject": "Ihre Rücksendung {n} wurde genehmigt",
        "intro": "So senden Sie zurück: Verpacken Sie die Artikel und senden Sie das Paket mit "
        "einem Versanddienst Ihrer Wahl an diese Adresse:",
        "number": "Schreiben Sie die Rücksendenummer {n} auf das Paket (oder legen Sie einen "
        "Zettel mit der Nummer bei), damit wir Ihre Rücksendung zuordnen können. Tragen Sie "
        "anschließend die Sendungsnummer auf der Seite Ihrer Rücksendung ein, damit wir das "
        "Paket verfolgen können.",
        "by": "Bitte senden oder bringen Sie die Artikel bis zum 1. April 2026 zurück.",
        "html_intro": "<p><strong>So senden Sie zurück:</strong> Verpacken Sie die Artikel und "
        "senden Sie das Paket mit einem Versanddienst Ihrer Wahl an diese Adresse:</p>",
        "html_number": "<p>Schreiben Sie die Rücksendenummer <strong>{n}</strong> auf das Paket",
    },
}


def approve(uow, store_id, ret, clock):
    return use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now())


def approval_mail(smtp):
    [mail] = [mail for mail in smtp.messages if mail.message["X-Retour-Kind"] == KIND]
    return mail


def html_address(lines: list[str]) -> str:
    return "<p><strong>" + "<br>".join(lines) + "</strong></p>"


@pytest.mark.parametrize("locale", ["en", "fr", "de"])
def test_a_ship_it_yourself_approval_gives_the_address_and_the_number_for_the_parcel(
    uow, clock, smtp, email_worker, locale
):
    words = SHIP_YOURSELF[locale]
    store_id = store_in(uow, clock, locale)
    ret = requested_return(uow, store_id, clock)

    approve(uow, store_id, ret, clock)
    send_everything(email_worker)

    mail = approval_mail(smtp)
    assert mail.rcpt_tos == [SHOPPER]
    assert mail.subject == words["subject"].format(n=ret.number)
    text = mail.text.splitlines()
    start = text.index(words["intro"])
    assert text[start : start + 11] == [
        words["intro"],
        "",
        *WAREHOUSE_LINES,
        "",
        words["number"].format(n=ret.number),
        "",
        words["by"],
    ]
    assert words["html_intro"] in mail.html
    assert html_address(WAREHOUSE_LINES) in mail.html
    assert words["html_number"].format(n=ret.number) in mail.html
    assert f'href="{BASE_URL}/s/maison/returns/{ret.number}"' in mail.html


def test_a_return_moved_before_its_approval_e_mail_went_gives_the_new_location(
    uow, clock, smtp, email_worker
):
    store_id = store_in(uow, clock, "en")
    ret = requested_return(uow, store_id, clock)
    approve(uow, store_id, ret, clock)

    use_cases.change_return_location(
        uow, store_id, ret.id, STAFF, clock.now(), "uk-hub", "Berlin is full"
    )
    send_everything(email_worker)

    mail = approval_mail(smtp)
    text = mail.text.splitlines()
    start = text.index(SHIP_YOURSELF["en"]["intro"])
    assert text[start + 2 : start + 7] == UK_HUB_LINES
    assert html_address(UK_HUB_LINES) in mail.html
    assert "Lagerstraße" not in mail.text + mail.html


def test_an_in_store_approval_gives_the_address_to_bring_the_items_to(
    uow, clock, smtp, email_worker
):
    store_id = store_in(uow, clock, "en")
    ret = requested_return(uow, store_id, clock, ReturnMethod.IN_STORE)

    approve(uow, store_id, ret, clock)
    send_everything(email_worker)

    mail = approval_mail(smtp)
    text = mail.text.splitlines()
    start = text.index("How to return it: bring the items to this address:")
    assert text[start : start + 9] == [
        "How to return it: bring the items to this address:",
        "",
        *WAREHOUSE_LINES,
        "",
        f"Give the return number {ret.number} when you hand them over.",
    ]
    assert html_address(WAREHOUSE_LINES) in mail.html


@pytest.mark.parametrize("method", [ReturnMethod.PREPAID_LABEL, ReturnMethod.QR_DROP_OFF])
def test_a_label_or_code_approval_gives_no_address(uow, clock, smtp, email_worker, method):
    store_id = store_in(uow, clock, "en")
    ret = requested_return(uow, store_id, clock, method)

    approve(uow, store_id, ret, clock)
    send_everything(email_worker)

    mail = approval_mail(smtp)
    assert "Lagerstraße" not in mail.text + mail.html
    assert "this address" not in mail.text + mail.html
    assert f"Write the return number {ret.number} on the parcel" not in mail.text
    assert ("download your prepaid return label" in mail.text) is (
        method is ReturnMethod.PREPAID_LABEL
    )
    assert ("show the QR code at a drop-off point" in mail.text) is (
        method is ReturnMethod.QR_DROP_OFF
    )


def test_a_ship_it_yourself_approval_to_a_location_without_an_address_still_goes_without_one(
    uow, clock, smtp, email_worker
):
    store_id = store_in(uow, clock, "en")
    add_return_location(uow, store_id, "refurb", "Refurbisher")
    ret = requested_return(uow, store_id, clock)
    use_cases.change_return_location(
        uow, store_id, ret.id, STAFF, clock.now(), "refurb", "straight to the refurbisher"
    )

    approve(uow, store_id, ret, clock)
    send_everything(email_worker)

    mail = approval_mail(smtp)
    assert (
        f"How to send it back: pack the items with a note saying {ret.number} and send the "
        "parcel with the carrier of your choice. Then add the tracking number on your return "
        "page so that we can follow it."
    ) in mail.text.splitlines()
    assert "this address" not in mail.text + mail.html


def test_previews_of_a_real_return_give_the_address_its_e_mails_would(uow, clock):
    store_id = store_in(uow, clock, "en")
    ret = approve(uow, store_id, requested_return(uow, store_id, clock), clock)

    def preview_text(kind: str) -> list[str]:
        preview = preview_email(
            uow, store_id, kind, "en", default_templates(), BASE_URL, clock.now(),
            return_id=ret.id,
        )  # fmt: skip
        return preview.text.splitlines()

    approval = preview_text(KIND)
    start = approval.index(SHIP_YOURSELF["en"]["intro"])
    assert approval[start + 2 : start + 7] == WAREHOUSE_LINES
    use_cases.change_return_location(uow, store_id, ret.id, STAFF, clock.now(), "uk-hub", "full")
    moved = preview_text("return_location_changed")
    start = moved.index(f"Please send your return {ret.number} for order #1001 to this address:")
    assert moved[start + 2 : start + 7] == UK_HUB_LINES
