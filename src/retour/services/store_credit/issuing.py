"""Issuing store credit: from a refund, or by staff as a goodwill adjustment."""

from __future__ import annotations

from datetime import datetime, timedelta

from retour.db.models import RefundRow, StoreCreditEntry
from retour.db.unit_of_work import UnitOfWork
from retour.domain.events import DomainEvent
from retour.domain.returns import Return
from retour.domain.store_credit import EntryKind, ensure_positive
from retour.services.context import Actor
from retour.services.store_credit.accounts import account_for


def issue_credit(
    uow: UnitOfWork,
    *,
    store_id: int,
    customer_email: str,
    currency: str,
    amount: int,
    actor: Actor,
    now: datetime,
    reason: str,
    expiry_days: int | None,
    refund_id: int | None = None,
    return_id: int | None = None,
    order_id: int | None = None,
) -> StoreCreditEntry:
    """Add credit to the customer's account, inside the caller's transaction (no commit)."""
    ensure_positive(amount)
    account = account_for(uow, store_id, customer_email, currency, now)
    entry = StoreCreditEntry(
        account_id=account.id,
        store_id=store_id,
        kind=EntryKind.ISSUE.value,
        amount=amount,
        expires_at=now + timedelta(days=expiry_days) if expiry_days else None,
        reason=reason,
        refund_id=refund_id,
        return_id=return_id,
        actor=str(actor),
        created_at=now,
    )
    uow.session.add(entry)
    uow.session.flush()
    uow.events.append(
        [
            DomainEvent(
                "store_credit.issued",
                {
                    "code": account.code,
                    "customer_email": account.customer_email,
                    "amount": amount,
                    "currency": currency,
                    "expires_at": entry.expires_at.isoformat() if entry.expires_at else None,
                    "reason": reason,
                },
            )
        ],
        store_id=store_id,
        actor=str(actor),
        occurred_at=now,
        return_id=return_id,
        order_id=order_id,
    )
    return entry


def credit_for_return(
    uow: UnitOfWork,
    ret: Return,
    refund: RefundRow,
    amount: int,
    reason: str,
    actor: Actor,
    now: datetime,
) -> StoreCreditEntry:
    """Credit the return's shopper, lapsing after the store's expiry days (if it sets any)."""
    store = uow.stores.get(ret.store_id)
    assert store is not None
    return issue_credit(
        uow,
        store_id=ret.store_id,
        customer_email=ret.customer_email,
        currency=refund.currency,
        amount=amount,
        actor=actor,
        now=now,
        reason=reason,
        expiry_days=store.store_credit_expiry_days,
        refund_id=refund.id,
        return_id=ret.id,
        order_id=ret.order_id,
    )
