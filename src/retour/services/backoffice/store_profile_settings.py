"""Settings → store profile and branding: name, time zone, language, deadlines, automatic
refunds, logo, colours and reply-to address. Owners and admins (CONFIGURE_STORE).

The branding, money and shipping parts are saved by the services the JSON API's settings
routes use, joined in one transaction: a refused field anywhere saves nothing.
The currency cannot change: orders, refunds and store credit are kept in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.staff import Permission, StaffMember, ensure_permitted
from retour.notifications.labels import LOCALES
from retour.services.backoffice.audit import audit_entry
from retour.services.errors import NotFound
from retour.services.shipments.settings import MAX_LABEL_EXPIRY_DAYS, update_shipping_settings
from retour.services.store_branding import update_store_branding
from retour.services.store_settings import update_money_settings

MAX_RETURN_DEADLINE_DAYS = 365


@dataclass(frozen=True)
class StoreProfile:
    name: str
    currency: str
    timezone: str
    locale: str
    return_deadline_days: int
    label_expiry_days: int
    auto_refund: str
    logo_url: str
    primary_color: str
    button_text_color: str
    reply_to: str


@dataclass(frozen=True)
class ProfileForm:
    """The page's fields as typed (the currency is not among them)."""

    name: str
    timezone: str
    locale: str
    return_deadline_days: str
    label_expiry_days: str
    auto_refund: str
    logo_url: str
    primary_color: str
    button_text_color: str
    reply_to: str


def store_profile(uow: UnitOfWork, staff: StaffMember) -> StoreProfile:
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    with uow:
        store = uow.stores.get(staff.store_id)
        if store is None:
            raise NotFound("store", staff.store_id)
        names = StoreProfile.__dataclass_fields__
        return StoreProfile(**{name: getattr(store, name) for name in names})


def update_store_profile(uow: UnitOfWork, staff: StaffMember, form: ProfileForm) -> StoreProfile:
    """Save every field, or none: the first bad one is refused with its name."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    timezone = form.timezone.strip()
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidRequest(
            f"unknown time zone {timezone!r}: use a name like Europe/Paris", field="timezone"
        ) from None
    locale = form.locale.strip()
    if locale not in LOCALES:
        raise InvalidRequest(f"choose one of {', '.join(LOCALES)}", field="locale")
    deadline = _days(form.return_deadline_days, "return_deadline_days", MAX_RETURN_DEADLINE_DAYS)
    expiry = _days(form.label_expiry_days, "label_expiry_days", MAX_LABEL_EXPIRY_DAYS)
    branding = {
        "name": form.name, "logo_url": form.logo_url, "primary_color": form.primary_color.strip(),
        "button_text_color": form.button_text_color.strip(), "reply_to": form.reply_to,
    }  # fmt: skip
    changed = {
        **branding, "timezone": timezone, "locale": locale, "return_deadline_days": deadline,
        "label_expiry_days": expiry, "auto_refund": form.auto_refund.strip(),
    }  # fmt: skip
    # The services below join this transaction; their commits wait for this one.
    with audit_entry(uow, staff, "store", "profile_saved", staff.store_slug) as entry:
        entry.details = changed
        update_store_branding(uow, staff.store_id, branding)
        update_money_settings(uow, staff.store_id, {"auto_refund": form.auto_refund.strip()})
        update_shipping_settings(uow, staff.store_id, label_expiry_days=expiry)
        store = uow.stores.get(staff.store_id)
        if store is None:
            raise NotFound("store", staff.store_id)
        store.timezone = timezone
        store.locale = locale
        store.return_deadline_days = deadline
        uow.commit()
        names = StoreProfile.__dataclass_fields__
        return StoreProfile(**{name: getattr(store, name) for name in names})


def _days(text: str, field: str, maximum: int) -> int:
    text = text.strip()
    if not text.isdigit() or not 1 <= int(text) <= maximum:
        raise InvalidRequest(f"a whole number of days from 1 to {maximum}", field=field)
    return int(text)
