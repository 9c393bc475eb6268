"""The outbox's e-mail sender: one delivery → context from the database → template in the
store's language → MIME message → SMTP (or an `.eml` file when no SMTP server is set)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from retour.db.engine import create_db_engine, create_session_factory
from retour.db.repositories.outbox import Job
from retour.db.unit_of_work import UnitOfWork
from retour.domain.email_addresses import address_problem
from retour.domain.lines import ReturnMethod
from retour.domain.statuses import ReturnStatus
from retour.notifications import facts as loading
from retour.notifications.attachments import LabelFile, label_file
from retour.notifications.context import (
    Links,
    MailFacts,
    ReturnFacts,
    StoreFacts,
    build_context,
    mail_locale,
)
from retour.notifications.message import build_message
from retour.notifications.templates import (
    EmailTemplates,
    RenderedEmail,
    TemplateSource,
    default_templates,
)
from retour.notifications.transport import EmlWriter, SmtpTransport, Transport
from retour.services.context import Clock, SystemClock
from retour.services.outbox.senders import SendResult
from retour.settings import Settings

log = logging.getLogger("retour.notifications")
#: How long a sender trusts what it read of a store (name, language, reasons, its own
#: templates): a renamed store or a saved template shows in e-mails this many seconds later
#: at most.
STORE_CACHE_SECONDS = 10.0
_EXCHANGE_REFUND_SKIPPED = "not sent: the shopper hears of exchanges from return_exchanged"
_VOIDED_LABEL_SKIPPED = "not sent: the label was voided before the e-mail went"
_NO_ADDRESS_TO_TELL_SKIPPED = "not sent: only an approved ship-it-yourself return needs the address"
_MOVED_AGAIN_SKIPPED = "not sent: the return was sent to another location before the e-mail went"


@dataclass(frozen=True)
class _StoreMail:
    """What a sender keeps of a store for STORE_CACHE_SECONDS."""

    store: StoreFacts
    reasons: dict[str, str]
    templates: dict[tuple[str, str], TemplateSource]


class EmailSender:
    """Sends `email` deliveries; safe to call from several worker threads at once."""

    def __init__(
        self,
        new_session: Callable[[], Session],
        transport: Transport,
        mail_from: str,
        base_url: str,
        templates: EmailTemplates | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._new_session = new_session
        self.transport = transport
        self._mail_from = mail_from
        self._base_url = base_url
        self._links = Links(base_url)
        self._templates = templates or default_templates()
        self._clock = clock or SystemClock()
        self._stores: dict[int, tuple[float, _StoreMail]] = {}

    def send(self, job: Job) -> SendResult:
        problem = address_problem(job.recipient)
        if problem is not None:
            return SendResult(
                False,
                error=f"invalid e-mail address {job.recipient!r}: {problem}",
                is_permanent=True,
            )
        if job.kind == "return_refunded" and job.event_payload.get("method") == "exchange":
            # An exchange settles the return with a refund record too; the shopper hears about
            # it once, from `return_exchanged`.
            return SendResult(True, response_excerpt=_EXCHANGE_REFUND_SKIPPED)
        with self._new_session() as session:
            loaded = self._load(session, job)
        if isinstance(loaded, SendResult):
            return loaded
        mail, custom = loaded
        label = self._label_file(job, mail) if job.kind == "return_label_ready" else None
        attachments = [label.attachment] if label and label.attachment else []
        # The text tells the shopper of the file only when it is there.
        mail = replace(mail, attached=tuple(attachment.filename for attachment in attachments))
        rendered, note = self._render(job, mail, custom)
        if label is not None and label.not_attached:
            note = "; ".join(filter(None, (note, label.not_attached)))
        envelope = build_message(
            rendered=rendered,
            store=mail.store,
            recipient=job.recipient,
            recipient_name=mail.recipient_name,
            mail_from=self._mail_from,
            base_url=self._base_url,
            delivery_id=job.delivery_id,
            kind=job.kind,
            now=self._clock.now(),
            attachments=attachments,
        )
        result = self.transport.deliver(envelope)
        if note:
            result = replace(result, response_excerpt=f"{note}; {result.response_excerpt}")
        return replace(result, message_id=envelope.message_id)

    def _load(
        self, session: Session, job: Job
    ) -> tuple[MailFacts, TemplateSource | None] | SendResult:
        cached = self._store(session, job.store_id)
        if cached is None:
            return SendResult(False, error=f"store {job.store_id} not found", is_permanent=True)
        if job.kind == "return_label_ready" and not loading.label_is_issued(
            session, job.store_id, job.event_payload.get("shipment_id")
        ):
            # Voided since it was made: the shopper must not be sent to a label that no
            # longer works (a reissued label has its own `shipment.created` and e-mail).
            return SendResult(True, response_excerpt=_VOIDED_LABEL_SKIPPED)
        ret = None
        if job.return_id is not None:
            ret = loading.load_return(session, job.store_id, job.return_id, cached.reasons)
            if ret is None:
                return SendResult(
                    False, error=f"return {job.return_id} not found", is_permanent=True
                )
        return_address: list[str] = []
        if job.kind == "return_location_changed" and ret is not None:
            moved = _new_return_address(session, job, ret)
            if isinstance(moved, SendResult):
                return moved
            return_address = moved
        elif job.kind == "return_approved" and ret is not None:
            # A location without an address yet: the approval goes without it, as before.
            return_address = loading.approval_return_address(session, job.store_id, ret)
        mail = MailFacts(
            kind=job.kind,
            store=cached.store,
            recipient=job.recipient,
            recipient_name=loading.recipient_name(
                session, job.store_id, job.kind, job.recipient, ret
            ),
            event_name=job.event_name,
            occurred_at=job.occurred_at,
            payload=job.event_payload,
            ret=ret,
            exchange_titles=loading.exchange_titles(
                session, job.store_id, job.event_payload.get("exchange_id")
            ),
            return_address=return_address,
        )
        return mail, cached.templates.get((job.kind, mail_locale(mail)))

    def _label_file(self, job: Job, mail: MailFacts) -> LabelFile:
        number = mail.ret.number if mail.ret else str(job.event_payload.get("number") or "")
        uow = UnitOfWork(self._new_session)
        return label_file(uow, job.store_id, job.event_payload, number, self._clock.now())

    def _store(self, session: Session, store_id: int) -> _StoreMail | None:
        now = time.monotonic()
        cached = self._stores.get(store_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        store = loading.load_store(session, store_id)
        if store is None:
            return None
        found = _StoreMail(
            store,
            loading.load_reasons(session, store_id),
            loading.load_custom_templates(session, store_id),
        )
        self._stores[store_id] = (now + STORE_CACHE_SECONDS, found)
        return found

    def _render(
        self, job: Job, mail: MailFacts, custom: TemplateSource | None
    ) -> tuple[RenderedEmail, str]:
        context = build_context(mail, self._links)
        locale = mail_locale(mail)
        if custom is not None:
            try:
                return self._templates.render(job.kind, locale, context, custom), ""
            except Exception as error:  # a merchant's template: never lose the e-mail over it
                log.warning(
                    "delivery %s: the store's %s template failed (%s); sent the built-in one",
                    job.delivery_id, job.kind, error,
                )  # fmt: skip
                note = f"the store's template failed ({type(error).__name__}: {error})"
                rendered = self._templates.render(job.kind, locale, context)
                return rendered, f"{note[:300]}; sent the built-in one"
        return self._templates.render(job.kind, locale, context), ""


def email_sender_from_settings(
    settings: Settings,
    session_factory: Callable[[], Session] | None = None,
    clock: Clock | None = None,
) -> EmailSender:
    """SMTP when `RETOUR_SMTP_HOST` is set, else `.eml` files under the data dir."""
    transport = transport_from_settings(settings)
    new_session = session_factory or create_session_factory(create_db_engine(settings))
    return EmailSender(new_session, transport, settings.mail_from, settings.base_url, clock=clock)


def transport_from_settings(settings: Settings) -> Transport:
    """SMTP when `RETOUR_SMTP_HOST` is set, else `.eml` files under the data dir."""
    if settings.smtp_host:
        return SmtpTransport(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_security,
            settings.smtp_username,
            settings.smtp_password.get_secret_value(),
        )
    return EmlWriter(settings.data_dir)


def _new_return_address(session: Session, job: Job, ret: ReturnFacts) -> list[str] | SendResult:
    """The address a moved return goes to now, or why the shopper is not written to."""
    approved = ReturnStatus.APPROVED.value
    was_approved = job.event_payload.get("status") == approved
    if ret.method != ReturnMethod.SHIP_YOURSELF.value or not was_approved or ret.status != approved:
        # Requested returns have no address yet; a label or drop-off code carries its own
        # (a new one is made, and mailed, after the old one is voided); once the parcel is
        # on its way the change came too late to matter to the shopper.
        return SendResult(True, response_excerpt=_NO_ADDRESS_TO_TELL_SKIPPED)
    code, lines = loading.return_location(session, job.store_id, ret.id)
    if code != job.event_payload.get("to"):
        # Moved again since: that move's own e-mail gives the address that holds.
        return SendResult(True, response_excerpt=_MOVED_AGAIN_SKIPPED)
    if not lines:
        return SendResult(
            False, error=f"return location {code} has no address to give", is_permanent=True
        )
    return lines
