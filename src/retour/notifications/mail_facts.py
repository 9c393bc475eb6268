"""The facts one e-mail is built from, and where its links point. No database here:
`facts.py` loads the facts, `samples.py` invents them for previews."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from retour.domain.branding import DEFAULT_BUTTON_TEXT_COLOR, DEFAULT_PRIMARY_COLOR


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
