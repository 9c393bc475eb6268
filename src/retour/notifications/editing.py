"""A store's say over its e-mails: its own templates per kind and language, and switches.

A template is checked before it is stored: it must compile, and render with a sample context
without error (an unsafe attribute, a missing layout), so that sending never meets a broken
one. A switched-off kind creates no delivery (the outbox fan-out reads the switch).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import or_, select, update

from retour.db.models import Delivery, EmailTemplate, NotificationSetting
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import DomainError
from retour.domain.notifications import EMAIL_KINDS, Audience
from retour.notifications.context import Links, StoreFacts, build_context
from retour.notifications.facts import load_store
from retour.notifications.labels import LOCALES
from retour.notifications.samples import sample_mail
from retour.notifications.templates import EmailTemplates, TemplateSource
from retour.services.errors import NotFound


@dataclass(frozen=True)
class TemplateSummary:
    kind: str
    locale: str
    audience: Audience
    is_custom: bool
    updated_at: datetime | None


@dataclass(frozen=True)
class TemplateView:
    kind: str
    locale: str
    audience: Audience
    is_custom: bool
    updated_at: datetime | None
    source: TemplateSource


@dataclass(frozen=True)
class Switch:
    kind: str
    audience: Audience
    is_enabled: bool
    #: E-mails of this kind still waiting to be sent, cancelled by switching it off.
    cancelled_pending: int = 0


class UnknownName(NotFound):
    """An e-mail kind or language Retour does not have (a 404 that lists those it has)."""

    def __init__(self, what: str, name: str, known: Iterable[str]) -> None:
        DomainError.__init__(self, f"no {what} {name!r}; one of: {', '.join(known)}", resource=what)


def ensure_kind(kind: str) -> Audience:
    if kind not in EMAIL_KINDS:
        raise UnknownName("e-mail kind", kind, EMAIL_KINDS)
    return EMAIL_KINDS[kind]


def ensure_locale(locale: str) -> str:
    if locale not in LOCALES:
        raise UnknownName("e-mail language", locale, LOCALES)
    return locale


def store_for(uow: UnitOfWork, store_id: int) -> StoreFacts:
    store = load_store(uow.session, store_id)
    if store is None:
        raise NotFound("store", store_id)
    return store


def list_templates(uow: UnitOfWork, store_id: int) -> list[TemplateSummary]:
    """Every kind in every language, saying which the store has made its own."""
    with uow:
        custom = {
            (row.kind, row.locale): row.updated_at
            for row in uow.session.execute(
                select(EmailTemplate.kind, EmailTemplate.locale, EmailTemplate.updated_at).where(
                    EmailTemplate.store_id == store_id
                )
            )
        }
    return [
        TemplateSummary(
            kind, locale, audience, (kind, locale) in custom, custom.get((kind, locale))
        )
        for kind, audience in EMAIL_KINDS.items()
        for locale in LOCALES
    ]


def get_template(
    uow: UnitOfWork, store_id: int, kind: str, locale: str, templates: EmailTemplates
) -> TemplateView:
    """The store's template, or the built-in one it would start from."""
    audience = ensure_kind(kind)
    ensure_locale(locale)
    with uow:
        row = _custom_row(uow, store_id, kind, locale)
    if row is None:
        return TemplateView(
            kind, locale, audience, False, None, templates.default_source(kind, locale)
        )
    source = TemplateSource(subject=row.subject, html=row.html, text=row.text)
    return TemplateView(kind, locale, audience, True, row.updated_at, source)


def save_template(
    uow: UnitOfWork,
    store_id: int,
    kind: str,
    locale: str,
    source: TemplateSource,
    templates: EmailTemplates,
    base_url: str,
    now: datetime,
) -> TemplateView:
    """Check `source` (syntax, then a render with a sample), then store it."""
    audience = ensure_kind(kind)
    ensure_locale(locale)
    with uow:
        store = replace(store_for(uow, store_id), locale=locale)
        context = build_context(sample_mail(kind, store, now), Links(base_url))
        templates.render_checked(kind, locale, context, source)
        row = _custom_row(uow, store_id, kind, locale)
        if row is None:
            row = EmailTemplate(store_id=store_id, kind=kind, locale=locale)
            uow.session.add(row)
        row.subject = source.subject
        row.html = source.html
        row.text = source.text
        row.updated_at = now
        uow.commit()
    return TemplateView(kind, locale, audience, True, now, source)


def delete_template(uow: UnitOfWork, store_id: int, kind: str, locale: str) -> None:
    """Go back to the built-in template."""
    ensure_kind(kind)
    ensure_locale(locale)
    with uow:
        row = _custom_row(uow, store_id, kind, locale)
        if row is None:
            raise NotFound("custom template", f"{kind}/{locale}")
        uow.session.delete(row)
        uow.commit()


def list_switches(uow: UnitOfWork, store_id: int) -> list[Switch]:
    with uow:
        stored = dict(
            uow.session.execute(
                select(NotificationSetting.kind, NotificationSetting.is_enabled).where(
                    NotificationSetting.store_id == store_id
                )
            ).all()
        )
    return [
        Switch(kind, audience, stored.get(kind, True)) for kind, audience in EMAIL_KINDS.items()
    ]


def set_switch(
    uow: UnitOfWork, store_id: int, kind: str, is_enabled: bool, now: datetime
) -> Switch:
    """Switch an e-mail kind on or off for the store. Off also cancels the e-mails of that
    kind still waiting (not those a worker is sending right now)."""
    audience = ensure_kind(kind)
    cancelled = 0
    with uow:
        row = uow.session.scalars(
            select(NotificationSetting).where(
                NotificationSetting.store_id == store_id, NotificationSetting.kind == kind
            )
        ).one_or_none()
        if row is None:
            row = NotificationSetting(store_id=store_id, kind=kind)
            uow.session.add(row)
        row.is_enabled = is_enabled
        if not is_enabled:
            cancelled = _cancel_pending(uow, store_id, kind, now)
        uow.commit()
    return Switch(kind, audience, is_enabled, cancelled)


def _cancel_pending(uow: UnitOfWork, store_id: int, kind: str, now: datetime) -> int:
    result = uow.session.execute(
        update(Delivery)
        .where(
            Delivery.store_id == store_id,
            Delivery.channel == "email",
            Delivery.kind == kind,
            Delivery.status == "pending",
            or_(Delivery.locked_until.is_(None), Delivery.locked_until < now),
        )
        .values(status="cancelled", last_error="switched off by the store")
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _custom_row(uow: UnitOfWork, store_id: int, kind: str, locale: str) -> EmailTemplate | None:
    return uow.session.scalars(
        select(EmailTemplate).where(
            EmailTemplate.store_id == store_id,
            EmailTemplate.kind == kind,
            EmailTemplate.locale == locale,
        )
    ).one_or_none()
