"""One e-mail as a MIME message: text and HTML alternatives with the headers mail servers and
clients expect (Message-ID, Date, From, To, Reply-To, Subject)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from urllib.parse import urlsplit

from retour.domain.email_addresses import is_valid_address, sendable_address
from retour.notifications.context import StoreFacts
from retour.notifications.templates import RenderedEmail


@dataclass(frozen=True)
class Envelope:
    """A message ready to go, with what SMTP needs besides it and where a copy would be filed."""

    message: EmailMessage
    sender: str
    recipient: str
    store_slug: str
    delivery_id: int
    kind: str

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


def sender_address(mail_from: str) -> str:
    """The address part of `RETOUR_MAIL_FROM` (`Shop <returns@shop.example>` → the address)."""
    return parseaddr(mail_from)[1] or mail_from.strip()


def message_id_domain(mail_from: str, base_url: str) -> str:
    """The right-hand side of Message-IDs: the sender's domain, else the site's host."""
    domain = sender_address(mail_from).rpartition("@")[2]
    return domain or urlsplit(base_url).hostname or "retour.invalid"


def build_message(
    *,
    rendered: RenderedEmail,
    store: StoreFacts,
    recipient: str,
    recipient_name: str,
    mail_from: str,
    base_url: str,
    delivery_id: int,
    kind: str,
    now: datetime,
) -> Envelope:
    """`recipient` must have been checked (`address_problem`) before."""
    from_address = Address(
        display_name=_one_line(store.name), addr_spec=sendable_address(sender_address(mail_from))
    )
    message = EmailMessage()
    message["Message-ID"] = make_msgid(
        idstring=f"retour-{delivery_id}", domain=message_id_domain(mail_from, base_url)
    )
    message["Date"] = format_datetime(now)
    message["From"] = from_address
    message["To"] = Address(
        display_name=_one_line(recipient_name), addr_spec=sendable_address(recipient)
    )
    if store.reply_to and is_valid_address(store.reply_to):
        message["Reply-To"] = Address(
            display_name=_one_line(store.name), addr_spec=sendable_address(store.reply_to)
        )
    else:
        message["Reply-To"] = from_address
    message["Subject"] = rendered.subject
    # RFC 3834: an automatic message, so auto-responders do not answer it.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Retour-Delivery"] = str(delivery_id)
    message["X-Retour-Kind"] = kind
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return Envelope(
        message=message,
        sender=from_address.addr_spec,
        recipient=sendable_address(recipient),
        store_slug=store.slug,
        delivery_id=delivery_id,
        kind=kind,
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())
