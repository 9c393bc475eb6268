"""Settings → webhooks → deliveries: a subscription's deliveries listed and shown with their
attempts, sent again one by one or all the dead and cancelled ones, and a test event sent.
Owners and admins (CONFIGURE_STORE).

Each use case checks the permission and hands over to `webhooks/deliveries.py` and
`webhooks/probe.py`, the same rules as `/api/v1/webhooks/{id}/deliveries`.
"""

from __future__ import annotations

from datetime import datetime

from retour.db.unit_of_work import UnitOfWork
from retour.domain.staff import Permission, StaffMember, ensure_permitted
from retour.services.backoffice.actions import actor_of
from retour.services.context import Clock
from retour.services.queries import Page
from retour.webhooks import deliveries, subscriptions
from retour.webhooks.deliveries import DeliveryDetail, DeliveryView
from retour.webhooks.probe import ProbeResult, send_test_event
from retour.webhooks.sender import WebhookSender
from retour.webhooks.subscriptions import Subscription

#: The statuses a delivery can have, as the filter offers them.
STATUSES = ("pending", "delivered", "dead", "cancelled")


def get_webhook(uow: UnitOfWork, staff: StaffMember, subscription_id: int) -> Subscription:
    """The subscription the deliveries belong to (another store's: NotFound)."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    return subscriptions.get_subscription(uow, staff.store_id, subscription_id)


def list_webhook_deliveries(
    uow: UnitOfWork,
    staff: StaffMember,
    subscription_id: int,
    cursor: str | None,
    limit: int,
    status: str | None = None,
) -> Page[DeliveryView]:
    """Newest first; `next_cursor` leads to older ones."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    return deliveries.list_deliveries(uow, staff.store_id, subscription_id, cursor, limit, status)


def get_webhook_delivery(
    uow: UnitOfWork, staff: StaffMember, subscription_id: int, delivery_id: int
) -> DeliveryDetail:
    """The delivery with every attempt, oldest first."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    return deliveries.get_delivery(uow, staff.store_id, subscription_id, delivery_id)


def replay_webhook_delivery(
    uow: UnitOfWork, staff: StaffMember, subscription_id: int, delivery_id: int, now: datetime
) -> DeliveryView:
    """Queue the delivery to be sent again by the worker, with the same `webhook-id`."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    return deliveries.replay_delivery(uow, staff.store_id, subscription_id, delivery_id, now)


def replay_dead_webhook_deliveries(
    uow: UnitOfWork, staff: StaffMember, subscription_id: int, now: datetime
) -> int:
    """Queue every dead or cancelled delivery again; how many were queued."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    return deliveries.replay_deliveries(uow, staff.store_id, subscription_id, None, now)


def send_webhook_test(
    uow: UnitOfWork,
    staff: StaffMember,
    subscription_id: int,
    sender: WebhookSender,
    clock: Clock,
) -> ProbeResult:
    """Send `webhook.test` now, while the staff member waits, recorded as a delivery."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    return send_test_event(uow, staff.store_id, subscription_id, sender, actor_of(staff), clock)
