"""Settings → e-mails: every kind with its switch and its template in each language; a
template edited, previewed, saved or put back to the built-in one. Owners and admins
(CONFIGURE_STORE).

Each use case checks the permission and hands over to `notifications/editing.py` and
`notifications/preview.py`, the same rules as `/api/v1/notifications`: a template is saved only
if it compiles and renders with a sample, and switching a kind off cancels its waiting e-mails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.notifications import Audience
from retour.domain.staff import Permission, StaffMember, ensure_permitted
from retour.notifications import editing
from retour.notifications.preview import Preview, preview_email
from retour.notifications.templates import PARTS, TemplateSource, default_templates
from retour.services.backoffice.audit import audited
from retour.services.backoffice.detail import return_id_of
from retour.services.errors import NotFound


@dataclass(frozen=True)
class KindRow:
    """One e-mail kind: who gets it, whether the store sends it, its template per language."""

    kind: str
    audience: Audience
    is_enabled: bool
    templates: list[editing.TemplateSummary]


def email_kinds(uow: UnitOfWork, staff: StaffMember) -> list[KindRow]:
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    templates = editing.list_templates(uow, staff.store_id)
    return [
        KindRow(switch.kind, switch.audience, switch.is_enabled, _of_kind(templates, switch.kind))
        for switch in editing.list_switches(uow, staff.store_id)
    ]


def email_template(
    uow: UnitOfWork, staff: StaffMember, kind: str, locale: str
) -> editing.TemplateView:
    """The store's template, or the built-in one to start from (an unknown kind: NotFound)."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    return editing.get_template(uow, staff.store_id, kind, locale, default_templates())


def save_email_template(
    uow: UnitOfWork,
    staff: StaffMember,
    kind: str,
    locale: str,
    source: TemplateSource,
    base_url: str,
    now: datetime,
) -> editing.TemplateView:
    """Store the template once it compiles and renders; a refusal names the part and line."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    _ensure_filled(source)
    return audited(
        uow, staff, "emails", "template_saved", f"{kind}/{locale}",
        lambda: editing.save_template(
            uow, staff.store_id, kind, locale, source, default_templates(), base_url, now
        ),
        {"subject": source.subject}, now,
    )  # fmt: skip


def preview_email_template(
    uow: UnitOfWork,
    staff: StaffMember,
    kind: str,
    locale: str,
    draft: TemplateSource,
    rma_number: str,
    base_url: str,
    now: datetime,
) -> Preview:
    """The draft rendered as it would go out, with the sample return or the store's return
    numbered `rma_number`; nothing is saved."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    _ensure_filled(draft)
    return_id = None
    if rma_number.strip():
        with uow:
            try:
                return_id = return_id_of(uow, staff.store_id, rma_number)
            except NotFound as missing:
                message = f"This store has no return {rma_number.strip()}."
                raise InvalidRequest(message, field="rma") from missing
    parts = {part: draft.part(part) for part in PARTS}
    return preview_email(
        uow, staff.store_id, kind, locale, default_templates(), base_url, now,
        draft=parts, return_id=return_id,
    )  # fmt: skip


def revert_email_template(uow: UnitOfWork, staff: StaffMember, kind: str, locale: str) -> None:
    """Delete the store's own template: the built-in one is sent again."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    audited(
        uow, staff, "emails", "template_reverted", f"{kind}/{locale}",
        lambda: editing.delete_template(uow, staff.store_id, kind, locale),
    )  # fmt: skip


def switch_email(
    uow: UnitOfWork, staff: StaffMember, kind: str, is_enabled: bool, now: datetime
) -> editing.Switch:
    """On or off; off also cancels the e-mails of that kind still waiting to be sent."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    return audited(
        uow, staff, "emails", "switched_on" if is_enabled else "switched_off", kind,
        lambda: editing.set_switch(uow, staff.store_id, kind, is_enabled, now), now=now,
    )  # fmt: skip


def _ensure_filled(source: TemplateSource) -> None:
    """As the API's schema: no empty part (it would send an empty subject or body)."""
    for part in PARTS:
        if not source.part(part).strip():
            raise InvalidRequest(f"{part}: the template cannot be empty", field=part)


def _of_kind(templates: list[editing.TemplateSummary], kind: str) -> list[editing.TemplateSummary]:
    return [summary for summary in templates if summary.kind == kind]
