"""The event types a store's events carry, which webhook subscriptions may ask for."""

from __future__ import annotations

#: Every event subscribers can receive, with what it means (docs/webhooks.md lists the same;
#: a test checks that the e-mail fan-out's event names are all here).
EVENT_TYPES: dict[str, str] = {
    "order.imported": "an order was imported from the shop",
    "order.updated": "an imported order changed in the shop",
    "return.requested": "a shopper or staff member opened a return",
    "return.approved": "the return was approved (some or all of its lines)",
    "return.rejected": "the return was rejected, with a reason",
    "return.info_requested": "staff asked the shopper a question",
    "return.info_provided": "the shopper answered",
    "return.resolution_changed": "the refund, credit or exchange asked for changed",
    "return.cancelled": "the return was cancelled before anything arrived",
    "return.quantities_changed": "staff changed approved units of lines, with a reason",
    "return.location_changed": "staff sent the return to another location, with a reason",
    "return.policy_overridden": "staff changed the refund terms (fees, shipping), with a reason",
    "return.in_transit": "the parcel was handed to the carrier",
    "return.arrived": "the carrier delivered the parcel at the warehouse",
    "return.received": "units arrived at the warehouse",
    "return.unexpected_parcel": "a parcel arrived that no return expects",
    "parcel.closed": "an unmatched parcel was matched to a return or dealt with",
    "shipment.created": "a return label or drop-off code was made for a return",
    "shipment.voided": "a return's label was voided (a new one may follow)",
    "shipment.tracking_updated": "the carrier reported new scans of a return's parcel",
    "return.inspected": "received units were graded and routed",
    "return.completed": "every line has an outcome",
    "return.expired": "the approved return was not sent back in time",
    "refund.pending": "a refund was sent to the payment provider",
    "refund.succeeded": "a refund was paid",
    "refund.failed": "a refund failed at the payment provider",
    "refund.retried": "a failed refund was sent again",
    "refund.voided": "a failed refund was given up",
    "exchange.created": "replacement items were chosen",
    "exchange.reserved": "stock was reserved for the replacement",
    "exchange.balance_due": "the replacement costs more than the return; the shopper owes",
    "exchange.released": "the replacement order was released to the shop",
    "exchange.shipped": "the replacement was shipped",
    "exchange.cancelled": "the replacement was cancelled",
    "exchange.reduced": "the replacement sends fewer units, as the return's quantities went down",
    "store_credit.issued": "store credit was issued",
    "store_credit.redeemed": "store credit was spent at checkout",
    "store_credit.adjusted": "staff adjusted a store-credit balance",
    "store_credit.expired": "store credit lapsed",
    "webhook.disabled": "a webhook subscription was disabled after persistent failure",
}
#: Subscribes to every event type, including ones added later.
ALL_EVENTS = "*"
#: Sent to one subscription on request (`POST /webhooks/{id}/test`), never fanned out.
TEST_EVENT = "webhook.test"
DISABLED_EVENT = "webhook.disabled"


def is_known_event_type(name: str) -> bool:
    return name == ALL_EVENTS or name in EVENT_TYPES
