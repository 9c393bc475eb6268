"""Previews: an e-mail rendered as it would go out, from a sample or a real return, with the
store's template, the built-in one, or a draft not saved yet."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from retour.db.models import Event
from retour.db.unit_of_work import UnitOfWork
from retour.domain.notifications import EMAIL_KINDS, SHOPPER_EMAILS, STAFF_EMAILS, Audience
from retour.notifications import facts as loading
from retour.notifications.context import (
    Links,
    MailFacts,
    ReturnFacts,
    StoreFacts,
    build_context,
)
from retour.notifications.editing import ensure_kind, ensure_locale, store_for
from retour.notifications.samples import SAMPLE_SHOPPER, SAMPLE_STAFF, sample_mail, sample_payload
from retour.notifications.templates import (
    PARTS,
    EmailTemplates,
    TemplateSource,
    recording_undefined,
)
from retour.services.errors import NotFound

#: Events behind each kind, to preview a real return with the payload it really had.
_EVENTS_BY_KIND: dict[str, list[str]] = {}
for _name, _kind in [*SHOPPER_EMAILS.items(), *STAFF_EMAILS.items()]:
    _EVENTS_BY_KIND.setdefault(_kind, []).append(_name)
_EVENTS_BY_KIND["staff_refund_failed"] = ["refund.failed"]


@dataclass(frozen=True)
class Preview:
    kind: str
    locale: str
    subject: str
    html: str
    text: str
    #: Names the template used that the context does not have (they render as nothing).
    undefined: list[str]
    is_custom: bool
    return_id: int | None


def preview_email(
    uow: UnitOfWork,
    store_id: int,
    kind: str,
    locale: str,
    templates: EmailTemplates,
    base_url: str,
    now: datetime,
    draft: dict[str, str] | None = None,
    return_id: int | None = None,
) -> Preview:
    """Render `kind` in `locale`: the parts of `draft` given, else the store's template, else
    the built-in one; with a sample context, or `return_id`'s real one."""
    ensure_kind(kind)
    ensure_locale(locale)
    with uow:
        store = replace(store_for(uow, store_id), locale=locale)
        stored = loading.load_custom_template(uow.session, store_id, kind, locale)
        if return_id is None:
            mail = sample_mail(kind, store, now)
        else:
            mail = _real_mail(uow.session, kind, store_id, return_id, now, store)
    base = stored or templates.default_source(kind, locale)
    parts = {part: (draft or {}).get(part) or base.part(part) for part in PARTS}
    source = TemplateSource(**parts)
    context = build_context(mail, Links(base_url))
    with recording_undefined() as undefined:
        rendered = templates.render_checked(kind, locale, context, source)
    return Preview(
        kind=kind,
        locale=locale,
        subject=rendered.subject,
        html=rendered.html,
        text=rendered.text,
        undefined=undefined,
        is_custom=stored is not None or bool(draft),
        return_id=return_id,
    )


def _real_mail(
    session: Session,
    kind: str,
    store_id: int,
    return_id: int,
    now: datetime,
    store: StoreFacts,
) -> MailFacts:
    ret = loading.load_return(session, store_id, return_id)
    if ret is None:
        raise NotFound("return", return_id)
    event = session.execute(
        select(Event.name, Event.payload, Event.occurred_at)
        .where(Event.return_id == return_id, Event.name.in_(_EVENTS_BY_KIND.get(kind, [])))
        .order_by(Event.id.desc())
        .limit(1)
    ).first()
    if event is not None:
        name, payload, occurred_at = event
    else:  # the return never had this event: show it with a made-up payload
        name, payload, occurred_at = kind, sample_payload(kind, now, ret.currency), now
    recipient, recipient_name = _recipient(kind, ret)
    return MailFacts(
        kind=kind,
        store=store,
        recipient=recipient,
        recipient_name=recipient_name,
        event_name=name,
        occurred_at=occurred_at,
        payload=payload,
        ret=ret,
        exchange_titles=loading.exchange_titles(session, store_id, payload.get("exchange_id")),
        return_address=_return_address(session, kind, store_id, ret),
    )


def _return_address(session: Session, kind: str, store_id: int, ret: ReturnFacts) -> list[str]:
    """The address the e-mail would give: the return's location's, as the sender reads it."""
    if kind == "return_location_changed":
        return loading.return_location(session, store_id, ret.id)[1]
    if kind == "return_approved":
        return loading.approval_return_address(session, store_id, ret)
    return []


def _recipient(kind: str, ret: ReturnFacts) -> tuple[str, str]:
    if EMAIL_KINDS[kind] is Audience.STAFF:
        return SAMPLE_STAFF
    return (ret.customer_email, ret.customer_name) if ret.customer_email else SAMPLE_SHOPPER
