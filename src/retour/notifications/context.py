"""What a template sees: one plain mapping per e-mail, built from facts about the store, the
return and the event (`mail_facts.py`). No database here (`facts.py` loads the facts,
`samples.py` invents them for previews): `build_context` assembles every e-mail kind's
variables, with the builders of each family of kinds (`return_context.py`,
`money_context.py`, `digest_context.py`).

Dates are aware datetimes already in the store's timezone; money comes formatted in the
e-mail's language (`refund.amount`) and raw in minor units (`refund.amount_minor`).
"""

from __future__ import annotations

from typing import Any

from retour.domain.notifications import EMAIL_KINDS, Audience
from retour.notifications.digest_context import digest_context
from retour.notifications.formatting import zone
from retour.notifications.labels import LOCALES, language_of, supported_locale
from retour.notifications.mail_facts import LineFacts, Links, MailFacts, ReturnFacts, StoreFacts
from retour.notifications.money_context import Money, exchange_context, refund_context
from retour.notifications.return_context import quantity_changes, return_context, shipment_context

__all__ = [
    "LineFacts",
    "Links",
    "MailFacts",
    "ReturnFacts",
    "StoreFacts",
    "build_context",
    "email_locale",
    "mail_locale",
]


def email_locale(store: StoreFacts) -> str:
    """The language of a store's e-mails: staff's, and shoppers' whose own is not offered."""
    return supported_locale(store.locale)


def mail_locale(mail: MailFacts) -> str:
    """The language of one e-mail: the shopper's own when e-mails exist in it, else the
    store's (always the store's for staff)."""
    if EMAIL_KINDS[mail.kind] is Audience.SHOPPER and mail.ret is not None:
        language = language_of(mail.ret.customer_locale)
        if language in LOCALES:
            return language
    return email_locale(mail.store)


def build_context(facts: MailFacts, links: Links) -> dict[str, Any]:
    """The template variables for one e-mail; docs/notifications.md lists them per kind."""
    store = facts.store
    locale = mail_locale(facts)
    audience = EMAIL_KINDS[facts.kind]
    tz = zone(store.timezone)
    context: dict[str, Any] = {
        "kind": facts.kind,
        "audience": audience.value,
        "locale": locale,
        "timezone": store.timezone,
        # What `|money` formats in: the return's currency (the order's) when there is one.
        "currency": facts.ret.currency if facts.ret else store.currency,
        "store": {
            "name": store.name,
            "slug": store.slug,
            "locale": store.locale,
            "currency": store.currency,
            "timezone": store.timezone,
            "logo_url": store.logo_url,
            "primary_color": store.primary_color,
            "button_text_color": store.button_text_color,
            "reply_to": store.reply_to,
        },
        "recipient": {"email": facts.recipient, "name": facts.recipient_name},
        "event": {
            "name": facts.event_name,
            "occurred_at": facts.occurred_at.astimezone(tz),
            "payload": dict(facts.payload),
        },
        "backoffice_url": links.backoffice_returns(),
    }
    if facts.ret is not None:
        context.update(return_context(facts, facts.ret, links, locale))
    payload = facts.payload
    money = Money(locale, facts.ret.currency if facts.ret else store.currency)
    if facts.kind in ("return_rejected", "return_cancelled"):
        context["reason"] = str(payload.get("reason") or "")
    elif facts.kind == "return_info_requested":
        context["question"] = str(payload.get("message") or "")
    elif facts.kind == "return_quantities_changed":
        # The staff's reason stays out: it is kept in the timeline for staff, not written to
        # the shopper (approving and rejecting have their own message to the shopper).
        context["changes"] = quantity_changes(payload, facts.ret)
    elif facts.kind in ("return_location_changed", "return_approved"):
        # Where the parcel goes (or the items are brought). For a moved return, as for
        # quantities, the staff's reason is internal: the shopper gets the new address.
        context["location"] = {"address": list(facts.return_address)}
    elif facts.kind == "return_label_ready":
        context["shipment"] = shipment_context(payload, locale, tz, facts.attached)
    elif facts.kind == "return_received":
        context["received"] = {
            "is_complete": bool(payload.get("fully_received", True)),
            "quantity": sum(int(item.get("quantity", 0)) for item in payload.get("receipts", [])),
        }
    elif facts.kind in ("return_refunded", "staff_refund_failed"):
        context["refund"] = refund_context(payload, money, locale)
    elif facts.kind == "return_exchanged":
        context["exchange"] = exchange_context(payload, money, facts.exchange_titles)
    elif facts.kind == "staff_webhook_disabled":
        context["webhook"] = {
            "id": payload.get("webhook_id"),
            "url": str(payload.get("url") or ""),
            "description": str(payload.get("description") or ""),
            "reason": str(payload.get("reason") or payload.get("disabled_reason") or ""),
        }
    elif facts.kind == "staff_daily_digest":
        context["digest"] = digest_context(payload, money, links, tz)
    return context
