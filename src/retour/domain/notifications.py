"""Which events send which e-mails, to whom. Pure data, read by the outbox fan-out."""

from __future__ import annotations

from enum import StrEnum


class Audience(StrEnum):
    SHOPPER = "shopper"
    STAFF = "staff"


#: Shopper e-mails, one per stage of a return: event name → e-mail kind.
SHOPPER_EMAILS: dict[str, str] = {
    "return.requested": "return_requested",
    "return.approved": "return_approved",
    "return.rejected": "return_rejected",
    "return.info_requested": "return_info_requested",
    "return.quantities_changed": "return_quantities_changed",
    "return.location_changed": "return_location_changed",
    "shipment.created": "return_label_ready",
    "return.in_transit": "return_in_transit",
    "return.received": "return_received",
    "refund.succeeded": "return_refunded",
    "exchange.released": "return_exchanged",
    "return.cancelled": "return_cancelled",
    "return.expired": "return_expired",
}

#: Staff e-mails: event name → e-mail kind (sent to the store's owners, admins and agents).
STAFF_EMAILS: dict[str, str] = {
    "return.requested": "staff_review_needed",
    "refund.failed": "staff_refund_failed",
    "return.unexpected_parcel": "staff_unexpected_parcel",
    "webhook.disabled": "staff_webhook_disabled",
}

#: Roles that get staff e-mails.
STAFF_RECIPIENT_ROLES = ("owner", "admin", "agent")

#: Every e-mail kind a store can switch off, with who receives it.
EMAIL_KINDS: dict[str, Audience] = {
    **{kind: Audience.SHOPPER for kind in SHOPPER_EMAILS.values()},
    **{kind: Audience.STAFF for kind in STAFF_EMAILS.values()},
    "staff_daily_digest": Audience.STAFF,
}
