"""E-mails to staff members (not shoppers): the password-reset link, sent at once, in English
like the back office, through the same transport as every other e-mail."""

from __future__ import annotations

import logging
from datetime import datetime
from html import escape

from retour.domain.email_addresses import address_problem
from retour.notifications.context import StoreFacts
from retour.notifications.message import build_message
from retour.notifications.sender import transport_from_settings
from retour.notifications.templates import RenderedEmail
from retour.notifications.transport import Transport
from retour.services.outbox.senders import SendResult
from retour.services.staff.password_reset import ResetLetter
from retour.settings import Settings

log = logging.getLogger("retour.notifications")
RESET_KIND = "staff_password_reset"


def reset_link(settings: Settings, token: str) -> str:
    return f"{str(settings.base_url).rstrip('/')}/backoffice/password-reset/{token}"


def reset_email(letter: ResetLetter, link: str) -> RenderedEmail:
    greeting = f"Hello {letter.name}," if letter.name else "Hello,"
    until = f"{letter.expires_at:%H:%M} UTC"
    lines = [
        greeting,
        "",
        f"Someone asked to reset the password of your {letter.store_name} back-office account"
        f" ({letter.recipient}). To choose a new password, open this link before {until}:",
        "",
        link,
        "",
        "The link works once. If you did not ask for it, ignore this e-mail: your password"
        " stays as it is.",
    ]
    html = "".join(
        f"<p><a href=\"{escape(link)}\">{escape(link)}</a></p>" if line == link else
        (f"<p>{escape(line)}</p>" if line else "")
        for line in lines
    )  # fmt: skip
    return RenderedEmail(
        subject=f"Reset your {letter.store_name} back-office password",
        html=f"<!doctype html><html><body>{html}</body></html>",
        text="\n".join(lines) + "\n",
    )


def send_reset_letters(settings: Settings, letters: list[ResetLetter], now: datetime) -> None:
    """Sends each letter; a failure is logged (the page already answered the same for all)."""
    if not letters:
        return
    transport = transport_from_settings(settings)
    try:
        for number, letter in enumerate(letters, start=1):
            result = _send(settings, transport, letter, now, number)
            if not result.is_success:
                log.warning(
                    "password-reset e-mail to %s not sent: %s", letter.recipient, result.error
                )
    finally:
        close = getattr(transport, "close", None)
        if close is not None:
            close()


def _send(
    settings: Settings, transport: Transport, letter: ResetLetter, now: datetime, number: int
) -> SendResult:
    problem = address_problem(letter.recipient)
    if problem is not None:
        return SendResult(False, error=f"not a usable address: {problem}")
    store = StoreFacts(
        id=0, slug=letter.store_slug, name=letter.store_name, locale="en", currency="",
        timezone="UTC",
    )  # fmt: skip
    envelope = build_message(
        rendered=reset_email(letter, reset_link(settings, letter.token)),
        store=store,
        recipient=letter.recipient,
        recipient_name=letter.name,
        mail_from=settings.mail_from,
        base_url=str(settings.base_url),
        delivery_id=int(now.timestamp() * 1000) * 10 + number,
        kind=RESET_KIND,
        now=now,
    )
    return transport.deliver(envelope)
