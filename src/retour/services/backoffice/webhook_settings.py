"""Settings → webhooks: the store's subscriptions listed, created (the signing secret is shown
once), switched off and on, and deleted. Owners and admins (CONFIGURE_STORE).

Each use case checks the permission and hands over to `webhooks/subscriptions.py`, the same
rules as `/api/v1/webhooks`: the URL's target, the event types, what switching off cancels.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from retour.db.unit_of_work import UnitOfWork
from retour.domain.staff import Permission, StaffMember, ensure_permitted
from retour.services.backoffice.audit import audit_entry, audited
from retour.webhooks import subscriptions
from retour.webhooks.subscriptions import (
    Subscription,
    SubscriptionChanges,
    SubscriptionWithSecret,
    UrlPolicy,
)


def list_webhooks(uow: UnitOfWork, staff: StaffMember) -> list[Subscription]:
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    return subscriptions.list_subscriptions(uow, staff.store_id)


def create_webhook(
    uow: UnitOfWork,
    staff: StaffMember,
    url: str,
    event_types: Sequence[str],
    description: str,
    policy: UrlPolicy,
    now: datetime,
) -> SubscriptionWithSecret:
    """A new active subscription; its secret is in the answer this once."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    return audited(
        uow, staff, "webhooks", "added", url.strip(),
        lambda: subscriptions.create_subscription(
            uow, staff.store_id, url, event_types, description, policy, now
        ),
        {"event_types": list(event_types), "description": description}, now,
    )  # fmt: skip


def disable_webhook(
    uow: UnitOfWork, staff: StaffMember, subscription_id: int, now: datetime
) -> Subscription:
    """Stop sending to it; its pending deliveries are cancelled (replay them after enabling)."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    with audit_entry(uow, staff, "webhooks", "switched_off", now=now) as entry:
        row = subscriptions.load_subscription(uow, staff.store_id, subscription_id, True)
        entry.subject = row.url
        if row.is_active:
            subscriptions.deactivate(uow, row, f"disabled in the back office by {staff.email}", now)
        uow.commit()
        return Subscription.from_row(row)


def enable_webhook(
    uow: UnitOfWork, staff: StaffMember, subscription_id: int, policy: UrlPolicy, now: datetime
) -> Subscription:
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    changes = SubscriptionChanges(is_active=True)
    with audit_entry(uow, staff, "webhooks", "switched_on", now=now) as entry:
        updated = subscriptions.update_subscription(
            uow, staff.store_id, subscription_id, changes, policy, now
        )
        entry.subject = updated.url
        return updated


def delete_webhook(uow: UnitOfWork, staff: StaffMember, subscription_id: int) -> None:
    """The subscription goes with its deliveries and their attempts."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    with audit_entry(uow, staff, "webhooks", "deleted") as entry:
        entry.subject = subscriptions.load_subscription(uow, staff.store_id, subscription_id).url
        subscriptions.delete_subscription(uow, staff.store_id, subscription_id)
