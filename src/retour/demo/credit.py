"""Store credit after the returns: spent at the shop's checkout, written off once it lapses."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from random import Random

from sqlalchemy import select

from retour.db.models import StoreCreditAccount
from retour.db.unit_of_work import UnitOfWork
from retour.services.context import Actor
from retour.services.order_import import OrderImport
from retour.services.store_credit.accounts import account_by_code, ledger_rows
from retour.services.store_credit.expiry import expire_lapsed, written_at
from retour.services.store_credit.queries import credit_balance
from retour.services.store_credit.spending import redeem_credit

#: Shoppers who spend their credit on their next order (the others forget it or save it).
SPENDING_SHARE = 0.5
#: When the nightly `retour credit expire` runs (UTC: 03:00 or 04:00 in Paris).
NIGHTLY_RUN = time(2, 0)
#: The shop's checkout spends credit through Retour's API.
CHECKOUT = Actor("api_key", "shop")


def spend_credit_at_checkout(
    uow: UnitOfWork, store_id: int, rng: Random, orders: Sequence[OrderImport]
) -> int:
    """Some shoppers spend their credit on their first order after their latest credit, up
    to that order's total; returns the number of redemptions."""
    orders_by_email: dict[str, list[OrderImport]] = defaultdict(list)
    for placed in sorted(orders, key=lambda order: order.placed_at):
        orders_by_email[placed.customer.email.strip().lower()].append(placed)
    redemptions = 0
    for account in _accounts(uow, store_id):
        with uow:
            latest = ledger_rows(uow, account.id)[-1].created_at
        order = next(
            (o for o in orders_by_email[account.customer_email] if o.placed_at > latest),
            None,
        )
        if order is None or rng.random() >= SPENDING_SHARE:
            continue
        at = order.placed_at
        spendable = credit_balance(uow, store_id, account.code, at).spendable
        amount = min(spendable, sum(payment.amount for payment in order.payments))
        if amount <= 0:
            continue
        redeem_credit(
            uow,
            store_id,
            account.code,
            amount,
            reference=f"order {order.number}",
            idempotency_key=f"checkout-{order.id}",
            actor=CHECKOUT,
            now=at,
        )
        redemptions += 1
    return redemptions


def write_off_lapsed_credit(uow: UnitOfWork, store_id: int, reference: datetime) -> None:
    """What the nightly expiry job did for this store: the night after each lot lapsed, the
    lapsed credit is written off (the job does the same, one account per transaction)."""
    for account in _accounts(uow, store_id):
        with uow:
            rows = ledger_rows(uow, account.id)
        lapses = sorted({row.expires_at for row in rows if row.amount > 0 and row.expires_at})
        for lapse in lapses:
            night = _night_after(lapse)
            if night >= reference:
                break
            with uow:
                locked = account_by_code(uow, store_id, account.code, for_update=True)
                rows = ledger_rows(uow, locked.id)
                expire_lapsed(uow, locked, rows, written_at(rows, night))
                uow.commit()


def _accounts(uow: UnitOfWork, store_id: int) -> list[StoreCreditAccount]:
    with uow:
        statement = (
            select(StoreCreditAccount)
            .where(StoreCreditAccount.store_id == store_id)
            .order_by(StoreCreditAccount.id)
        )
        return list(uow.session.scalars(statement))


def _night_after(moment: datetime) -> datetime:
    night = datetime.combine(moment.date(), NIGHTLY_RUN, tzinfo=UTC)
    return night if night > moment else night + timedelta(days=1)
