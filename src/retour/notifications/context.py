"""What a template sees: one plain mapping per e-mail, built from facts about the store, the
return and the event. No database here (`facts.py` loads the facts, `samples.py` invents them
for previews), so every e-mail kind's variables are assembled in this one place.

Dates are aware datetimes already in the store's timezone; money comes formatted in the
e-mail's language (`refund.amount`) and raw in minor units (`refund.amount_minor`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlencode

from retour.domain.branding import DEFAULT_BUTTON_TEXT_COLOR, DEFAULT_PRIMARY_COLOR
from retour.domain.notifications import EMAIL_KINDS, Audience
from retour.notifications.formatting import format_money, format_ratio, zone
from retour.notifications.labels import LOCALES, label, language_of, supported_locale

#: Which quantity of a return line an e-mail talks about, by kind (default: approved).
_QUANTITY_BY_KIND = {
    "return_requested": "requested",
    "return_rejected": "requested",
    "return_info_requested": "requested",
    "staff_review_needed": "requested",
    "return_received": "received",
}


@dataclass(frozen=True)
class StoreFacts:
    id: int
    slug: str
    name: str
    locale: str
    currency: str
    timezone: str
    #: Branding (domain/branding.py): a logo URL, the main colour, a reply-to address.
    logo_url: str = ""
    primary_color: str = DEFAULT_PRIMARY_COLOR
    button_text_color: str = DEFAULT_BUTTON_TEXT_COLOR
    reply_to: str = ""


@dataclass(frozen=True)
class LineFacts:
    title: str
    sku: str
    reason_code: str
    reason_label: str
    note: str
    requested: int
    approved: int
    received: int
    #: The return line's id (events name lines by it); 0 in made-up facts that need none.
    id: int = 0


@dataclass(frozen=True)
class ReturnFacts:
    id: int
    number: str
    status: str
    method: str
    resolution: str
    currency: str
    created_at: datetime
    approved_at: datetime | None
    expires_at: datetime | None
    tracking_number: str
    carrier: str
    customer_note: str
    staff_message: str
    customer_email: str
    customer_name: str
    order_number: str
    order_placed_at: datetime | None
    lines: Sequence[LineFacts] = ()
    #: The shopper's language as the shop sent it with the order (empty: unknown).
    customer_locale: str = ""


@dataclass(frozen=True)
class MailFacts:
    """Everything one e-mail is about."""

    kind: str
    store: StoreFacts
    recipient: str
    recipient_name: str
    event_name: str
    occurred_at: datetime
    payload: Mapping[str, Any]
    ret: ReturnFacts | None = None
    #: Titles of an exchange's replacement items, by SKU (the event payload has SKUs only).
    exchange_titles: Mapping[str, str] = field(default_factory=dict)
    #: The address the return goes to now, line by line as the post reads it
    #: (`return_location_changed`, and `return_approved` for a return shipped by the shopper
    #: or brought to a store; the event payload has location codes only).
    return_address: Sequence[str] = ()
    #: The names of the files the e-mail carries (the label of `return_label_ready`).
    attached: Sequence[str] = ()


@dataclass(frozen=True)
class Links:
    base_url: str

    def portal_return(self, store_slug: str, number: str) -> str:
        """The shopper's page for the return (the shopper portal serves it)."""
        return f"{self._base}/s/{quote(store_slug)}/returns/{quote(number)}"

    def backoffice_return(self, number: str) -> str:
        """The return in the back office, for staff."""
        return f"{self._base}/backoffice/returns/{quote(number)}"

    def backoffice_returns(self, **filters: str) -> str:
        """The back office's returns queue, filtered as its query parameters say (`q`,
        `reason`, `from`, `to`…), as the dashboard links its figures."""
        query = f"?{urlencode(filters)}" if filters else ""
        return f"{self._base}/backoffice/returns{query}"

    @property
    def _base(self) -> str:
        return self.base_url.rstrip("/")


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
        context.update(_return_context(facts, facts.ret, links, locale))
    payload = facts.payload
    money = _Money(locale, facts.ret.currency if facts.ret else store.currency)
    if facts.kind in ("return_rejected", "return_cancelled"):
        context["reason"] = str(payload.get("reason") or "")
    elif facts.kind == "return_info_requested":
        context["question"] = str(payload.get("message") or "")
    elif facts.kind == "return_quantities_changed":
        # The staff's reason stays out: it is kept in the timeline for staff, not written to
        # the shopper (approving and rejecting have their own message to the shopper).
        context["changes"] = _quantity_changes(payload, facts.ret)
    elif facts.kind in ("return_location_changed", "return_approved"):
        # Where the parcel goes (or the items are brought). For a moved return, as for
        # quantities, the staff's reason is internal: the shopper gets the new address.
        context["location"] = {"address": list(facts.return_address)}
    elif facts.kind == "return_label_ready":
        context["shipment"] = _shipment_context(payload, locale, tz, facts.attached)
    elif facts.kind == "return_received":
        context["received"] = {
            "is_complete": bool(payload.get("fully_received", True)),
            "quantity": sum(int(item.get("quantity", 0)) for item in payload.get("receipts", [])),
        }
    elif facts.kind in ("return_refunded", "staff_refund_failed"):
        context["refund"] = _refund_context(payload, money, locale)
    elif facts.kind == "return_exchanged":
        context["exchange"] = _exchange_context(payload, money, facts.exchange_titles)
    elif facts.kind == "staff_webhook_disabled":
        context["webhook"] = {
            "id": payload.get("webhook_id"),
            "url": str(payload.get("url") or ""),
            "description": str(payload.get("description") or ""),
            "reason": str(payload.get("reason") or payload.get("disabled_reason") or ""),
        }
    elif facts.kind == "staff_daily_digest":
        context["digest"] = _digest_context(payload, money, links, tz)
    return context


def _return_context(
    facts: MailFacts, ret: ReturnFacts, links: Links, locale: str
) -> dict[str, Any]:
    tz = zone(facts.store.timezone)
    quantity_of = _QUANTITY_BY_KIND.get(facts.kind, "approved")
    lines = [
        {
            "title": line.title,
            "sku": line.sku,
            "quantity": getattr(line, quantity_of),
            "requested_quantity": line.requested,
            "approved_quantity": line.approved,
            "received_quantity": line.received,
            "reason": line.reason_label,
            "reason_code": line.reason_code,
            "note": line.note,
        }
        for line in ret.lines
    ]
    lines = [line for line in lines if line["quantity"]] or lines
    portal_url = links.portal_return(facts.store.slug, ret.number)
    return {
        "rma": {
            "id": ret.id,
            "number": ret.number,
            "status": ret.status,
            "status_label": label(locale, "status", ret.status),
            "method": ret.method,
            "method_label": label(locale, "method", ret.method),
            "resolution": ret.resolution,
            "resolution_label": label(locale, "resolution", ret.resolution),
            "created_at": ret.created_at.astimezone(tz),
            "approved_at": _local(ret.approved_at, tz),
            "expires_at": _local(ret.expires_at, tz),
            "tracking_number": ret.tracking_number,
            "carrier": ret.carrier,
            "customer_note": ret.customer_note,
            "staff_message": ret.staff_message,
            "lines": lines,
            "total_quantity": sum(line["quantity"] for line in lines),
            "url": portal_url,
            "backoffice_url": links.backoffice_return(ret.number),
        },
        "rma_number": ret.number,
        "portal_url": portal_url,
        "order": {"number": ret.order_number, "placed_at": _local(ret.order_placed_at, tz)},
        "customer": {"email": ret.customer_email, "name": ret.customer_name},
    }


def _quantity_changes(payload: Mapping[str, Any], ret: ReturnFacts | None) -> list[dict[str, Any]]:
    """Each changed line of a `return.quantities_changed` payload, with the item's title."""
    titles = {line.id: line.title for line in ret.lines} if ret is not None else {}
    changes = []
    for item in payload.get("lines", []):
        sku = str(item.get("sku") or "")
        changes.append(
            {
                "title": titles.get(int(item.get("line_id") or 0)) or sku,
                "sku": sku,
                "before": int(item.get("from") or 0),
                "after": int(item.get("to") or 0),
            }
        )
    return changes


def _shipment_context(
    payload: Mapping[str, Any], locale: str, tz: Any, attached: Sequence[str]
) -> dict[str, Any]:
    """The label or drop-off code of a `shipment.created` payload, and the name of its file
    when the e-mail carries it."""
    method = str(payload.get("method") or "prepaid_label")
    return {
        "id": payload.get("shipment_id"),
        "method": method,
        "method_label": label(locale, "method", method),
        "is_qr_code": method == "qr_drop_off",
        "carrier": str(payload.get("carrier") or ""),
        "tracking_number": str(payload.get("tracking_number") or ""),
        "parcels": int(payload.get("parcels") or 1),
        "expires_at": _parse_moment(payload.get("expires_at"), tz),
        "attachment": attached[0] if attached else "",
    }


@dataclass(frozen=True)
class _Money:
    locale: str
    currency: str

    def format(self, amount: Any, currency: str | None = None) -> str:
        return format_money(int(amount or 0), currency or self.currency, self.locale)


def _refund_context(payload: Mapping[str, Any], money: _Money, locale: str) -> dict[str, Any]:
    currency = str(payload.get("currency") or money.currency)
    method = str(payload.get("method") or "")
    reference = str(payload.get("provider_reference") or "")
    is_store_credit = method == "store_credit"
    return {
        "id": payload.get("refund_id"),
        "method": method,
        "method_label": label(locale, "refund_method", method),
        "is_store_credit": is_store_credit,
        "amount": money.format(payload.get("amount"), currency),
        "amount_minor": int(payload.get("amount") or 0),
        "bonus_amount": money.format(payload.get("bonus_amount"), currency),
        "bonus_amount_minor": int(payload.get("bonus_amount") or 0),
        "currency": currency,
        "provider_reference": reference,
        "credit_code": reference if is_store_credit else "",
        "failure_message": str(payload.get("failure_message") or ""),
    }


def _exchange_context(
    payload: Mapping[str, Any], money: _Money, titles: Mapping[str, str]
) -> dict[str, Any]:
    currency = str(payload.get("currency") or money.currency)
    lines = [
        {
            "sku": str(item.get("sku", "")),
            "title": titles.get(str(item.get("sku", "")), str(item.get("sku", ""))),
            "quantity": int(item.get("quantity", 0)),
        }
        for item in payload.get("items", [])
    ]
    return {
        "kind": str(payload.get("kind") or "exchange"),
        "lines": lines,
        "items_amount": money.format(payload.get("items_amount"), currency),
        "balance_due": money.format(payload.get("balance_due"), currency),
        "balance_due_minor": int(payload.get("balance_due") or 0),
    }


def _digest_context(
    payload: Mapping[str, Any], money: _Money, links: Links, tz: Any
) -> dict[str, Any]:
    def returns(section: Mapping[str, Any]) -> list[dict[str, Any]]:
        return [
            {
                "number": str(item.get("number", "")),
                "status": str(item.get("status", "")),
                "status_label": label(money.locale, "status", str(item.get("status", ""))),
                "customer_email": str(item.get("customer_email", "")),
                "date": _parse_moment(item.get("date"), tz),
                "url": links.backoffice_return(str(item.get("number", ""))),
            }
            for item in section.get("returns", [])
        ]

    review = payload.get("review", {})
    overdue = payload.get("overdue", {})
    failed = payload.get("failed_refunds", {})
    refunds = [
        {
            "number": str(item.get("number", "")),
            "amount": money.format(item.get("amount"), item.get("currency")),
            "failure_message": str(item.get("failure_message", "")),
            "url": links.backoffice_return(str(item.get("number", ""))),
        }
        for item in failed.get("refunds", [])
    ]
    unusual = _unusual_returns_context(payload.get("unusual_returns", {}), money.locale, links)
    return {
        "date": _parse_day(payload.get("date")),
        "review": {"count": int(review.get("count", 0)), "returns": returns(review)},
        "overdue": {"count": int(overdue.get("count", 0)), "returns": returns(overdue)},
        "failed_refunds": {"count": int(failed.get("count", 0)), "refunds": refunds},
        "unusual_returns": unusual,
        "total": int(review.get("count", 0))
        + int(overdue.get("count", 0))
        + int(failed.get("count", 0))
        + unusual["count"],
    }


def _unusual_returns_context(
    section: Mapping[str, Any], locale: str, links: Links
) -> dict[str, Any]:
    """The digest's anomalies (digest_anomalies.py); a digest queued before it had them has
    none."""
    first, last = str(section.get("from") or ""), str(section.get("to") or "")
    anomalies = [
        {
            "sku": str(item.get("sku", "")),
            "title": str(item.get("title", "")),
            "reason_code": str(item.get("reason_code", "")),
            "reason": str(item.get("reason_label") or item.get("reason_code", "")),
            "returns": int(item.get("returns", 0)),
            "expected_returns": float(item.get("expected_returns", 0)),
            "ratio": format_ratio(float(item.get("ratio", 0)), locale),
            "ratio_value": float(item.get("ratio", 0)),
            "url": links.backoffice_returns(
                q=str(item.get("sku", "")),
                reason=str(item.get("reason_code", "")),
                **{"from": first, "to": last},
            ),
        }
        for item in section.get("anomalies", [])
    ]
    return {
        "count": int(section.get("count", 0)),
        "date_from": _parse_day(first),
        "date_to": _parse_day(last),
        "baseline_days": int(section.get("baseline_days", 0)),
        "anomalies": anomalies,
    }


def _local(value: datetime | None, tz: Any) -> datetime | None:
    return value.astimezone(tz) if value is not None else None


def _parse_moment(value: Any, tz: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value)).astimezone(tz)
    except ValueError:
        return None


def _parse_day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
