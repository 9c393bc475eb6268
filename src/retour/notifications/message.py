"""One e-mail as a MIME message: text and HTML alternatives with the headers mail servers and
clients expect (Message-ID, Date, From, To, Reply-To, Subject); with files attached, a
`multipart/mixed` of those alternatives and the files.

Built with the standard library's classic MIME classes (quoted-printable UTF-8 parts, RFC 2047
headers): the same message as `EmailMessage` builds, in a third of the time, which matters
at a hundred e-mails a second on one interpreter lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.charset import QP, Charset
from email.encoders import encode_base64
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from typing import Any
from urllib.parse import urlsplit

from retour.domain.email_addresses import is_valid_address, sendable_address
from retour.notifications.attachments import Attachment
from retour.notifications.context import StoreFacts
from retour.notifications.templates import RenderedEmail


@dataclass(frozen=True)
class Envelope:
    """A message ready to go, with what SMTP needs besides it and where a copy would be filed."""

    message: Message
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
    attachments: Sequence[Attachment] = (),
) -> Envelope:
    """`recipient` must have been checked (`address_problem`) before."""
    sender = sendable_address(sender_address(mail_from))
    from_header = _address(store.name, sender)
    body = MIMEMultipart("alternative")
    body.attach(_text_part(rendered.text, "plain"))
    body.attach(_text_part(rendered.html, "html"))
    message = body
    if attachments:
        message = MIMEMultipart("mixed")
        message.attach(body)
        for attachment in attachments:
            message.attach(_file_part(attachment))
    message["Message-ID"] = make_msgid(
        idstring=f"retour-{delivery_id}", domain=message_id_domain(mail_from, base_url)
    )
    message["Date"] = format_datetime(now)
    message["From"] = from_header
    message["To"] = _address(recipient_name, sendable_address(recipient))
    if store.reply_to and is_valid_address(store.reply_to):
        message["Reply-To"] = _address(store.name, sendable_address(store.reply_to))
    else:
        message["Reply-To"] = from_header
    message["Subject"] = _header_text(_one_line(rendered.subject))
    # RFC 3834: an automatic message, so auto-responders do not answer it.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Retour-Delivery"] = str(delivery_id)
    message["X-Retour-Kind"] = kind
    return Envelope(
        message=message,
        sender=sender,
        recipient=sendable_address(recipient),
        store_slug=store.slug,
        delivery_id=delivery_id,
        kind=kind,
    )


_UTF8 = Charset("utf-8")
_UTF8.header_encoding = QP
_UTF8.body_encoding = QP


def _address(display_name: str, address: str) -> str:
    return formataddr((_one_line(display_name), address), charset="utf-8")


def _header_text(text: str) -> Any:
    """Plain ASCII, or a `Header` that encodes and folds itself (the stubs only admit str)."""
    return text if text.isascii() else Header(text, _UTF8, header_name="Subject")


def _text_part(text: str, subtype: str) -> MIMENonMultipart:
    part = MIMENonMultipart("text", subtype)
    part.set_payload(text if text.endswith("\n") else text + "\n", _UTF8)
    return part


def _file_part(attachment: Attachment) -> MIMENonMultipart:
    maintype, _, subtype = attachment.media_type.partition("/")
    part = MIMENonMultipart(maintype, subtype, name=attachment.filename)
    part.set_payload(attachment.content)
    encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename=attachment.filename)
    return part


def _one_line(text: str) -> str:
    return " ".join(text.split())
