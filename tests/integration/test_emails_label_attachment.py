"""The label e-mail carries the label, sent by the outbox worker to a real SMTP server on
loopback: the stored PDF for a prepaid label, the QR code image for a drop-off, as files of a
`multipart/mixed` message beside its text and HTML; a label file that is missing or too large
leaves the e-mail without it, still linking to the return's page."""

from __future__ import annotations

from sqlalchemy import delete, select

from retour.db.models import Delivery, DeliveryAttempt, ShipmentDocumentRow
from retour.notifications import attachments
from retour.services import shipments
from retour.shipping.base import DocumentKind
from tests.integration import test_emails
from tests.integration.test_emails import BASE_URL, send_everything
from tests.integration.test_emails_labels import (
    LABEL,
    QR_CODE,
    approved_in,
    label_mails,
    make_label,
)

#: The e-mail tests' worker, sending to the loopback SMTP server (a fixture).
email_worker = test_emails.worker


def labelled_return(uow, clock, smtp, email_worker, request=LABEL):
    """An approved return of store `maison` (en) with a label (or code) just made, the
    e-mails before it sent and cleared from the SMTP server."""
    store_id, ret = approved_in(uow, clock, "en")
    send_everything(email_worker)
    smtp.reset()
    return store_id, ret, make_label(uow, store_id, ret, clock, request)


def stored_file(uow, clock, store_id, shipment_id, kind: DocumentKind) -> bytes:
    """The file as the API hands it out (`GET /shipments/{id}/label.pdf`, `…/qr.png`)."""
    return shipments.shipment_document(uow, store_id, shipment_id, kind, clock.now())


def files_of(mail) -> list[tuple[str, str, bytes]]:
    return [
        (part.get_content_type(), part.get_filename(), part.get_content())
        for part in mail.message.iter_attachments()
    ]


def label_attempt(uow) -> tuple[str, str]:
    with uow:
        row = uow.session.execute(
            select(Delivery.status, DeliveryAttempt.response_excerpt)
            .join(DeliveryAttempt, DeliveryAttempt.delivery_id == Delivery.id)
            .where(Delivery.kind == "return_label_ready")
        ).one()
    return tuple(row)


def remove_stored_file(uow, shipment_id, kind: DocumentKind) -> None:
    with uow:
        uow.session.execute(
            delete(ShipmentDocumentRow).where(
                ShipmentDocumentRow.shipment_id == shipment_id,
                ShipmentDocumentRow.kind == kind.value,
            )
        )
        uow.session.commit()


def test_a_prepaid_label_e_mail_carries_the_stored_label_pdf(uow, clock, smtp, email_worker):
    store_id, ret, shipment = labelled_return(uow, clock, smtp, email_worker)
    stored = stored_file(uow, clock, store_id, shipment.id, DocumentKind.LABEL_PDF)

    assert send_everything(email_worker) == 1

    [mail] = label_mails(smtp)
    assert mail.message.get_content_type() == "multipart/mixed"
    body, _ = mail.message.get_payload()
    assert body.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in body.get_payload()] == ["text/plain", "text/html"]
    [(media_type, filename, content)] = files_of(mail)
    assert (media_type, filename) == ("application/pdf", f"return-{ret.number}-label.pdf")
    assert content.startswith(b"%PDF-")
    assert content == stored
    assert (
        f"1. Print the label attached to this e-mail (return-{ret.number}-label.pdf), or "
        "download it from your return page."
    ) in mail.text.splitlines()
    assert f"Print the label attached to this e-mail (return-{ret.number}-label.pdf)" in mail.html
    assert f"Tracking number: {shipment.tracking_number}" in mail.text.splitlines()
    assert f'href="{BASE_URL}/s/maison/returns/{ret.number}"' in mail.html


def test_a_qr_drop_off_e_mail_carries_the_qr_code_image(uow, clock, smtp, email_worker):
    store_id, ret, shipment = labelled_return(uow, clock, smtp, email_worker, QR_CODE)
    stored = stored_file(uow, clock, store_id, shipment.id, DocumentKind.QR_PNG)

    assert send_everything(email_worker) == 1

    [mail] = label_mails(smtp)
    assert mail.message.get_content_type() == "multipart/mixed"
    [(media_type, filename, content)] = files_of(mail)
    assert (media_type, filename) == ("image/png", f"return-{ret.number}-qr-code.png")
    assert content.startswith(b"\x89PNG\r\n\x1a\n")
    assert content == stored
    assert (
        "2. Show the QR code attached to this e-mail, or the one on your return page, at a "
        "drop-off point."
    ) in mail.text.splitlines()
    assert "QR code attached to this e-mail" in mail.html


def test_a_missing_label_file_still_sends_the_e_mail_without_it(uow, clock, smtp, email_worker):
    _, ret, shipment = labelled_return(uow, clock, smtp, email_worker)
    remove_stored_file(uow, shipment.id, DocumentKind.LABEL_PDF)

    assert send_everything(email_worker) == 1

    [mail] = label_mails(smtp)
    assert mail.message.get_content_type() == "multipart/alternative"
    assert files_of(mail) == []
    text = mail.text.splitlines()
    assert "1. Download the label (PDF) from your return page and print it." in text
    assert "attached" not in mail.text + mail.html
    assert f"Your return page: {BASE_URL}/s/maison/returns/{ret.number}" in text
    status, excerpt = label_attempt(uow)
    assert status == "delivered"
    assert excerpt.startswith(f"label_pdf not attached: label {shipment.id} not found; accepted")


def test_a_label_over_the_size_bound_is_left_to_the_return_page(
    uow, clock, smtp, email_worker, monkeypatch
):
    store_id, _, shipment = labelled_return(uow, clock, smtp, email_worker)
    size = len(stored_file(uow, clock, store_id, shipment.id, DocumentKind.LABEL_PDF))
    monkeypatch.setattr(attachments, "MAX_ATTACHMENT_BYTES", size - 1)

    assert send_everything(email_worker) == 1

    [mail] = label_mails(smtp)
    assert files_of(mail) == []
    assert "attached" not in mail.text + mail.html
    _, excerpt = label_attempt(uow)
    assert excerpt.startswith(
        f"label_pdf not attached: {size} bytes, over the {size - 1} bytes an attachment may have"
    )
