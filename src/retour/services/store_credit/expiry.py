"""Writing off credit that has lapsed: by the nightly job, and before anything is spent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select

from retour.db.models import StoreCreditAccount, StoreCreditEntry
from retour.db.unit_of_work import UnitOfWork
from retour.domain.events import DomainEvent
from retour.domain.store_credit import EntryKind, lapsed_amount
from retour.services.context import SYSTEM
from retour.services.errors import ConcurrentModification
from retour.services.store_credit.accounts import account_by_code, ledger, ledger_rows

BATCH_SIZE = 200


@dataclass
class ExpiryRun:
    """What one run of the expiry job did so far."""

    checked: int = 0
    #: Accounts that had credit written off.
    accounts: int = 0
    #: Minor units written off, per currency.
    amounts: dict[str, int] = field(default_factory=dict)


def written_at(rows: list[StoreCreditEntry], now: datetime) -> datetime:
    """When a new entry is written: never before the latest one, so that the ledger, which is
    replayed by time, replays in the order it was written (a writer may have waited for the lock
    with an earlier clock reading than the one it waited for)."""
    return max(now, rows[-1].created_at) if rows else now


def expire_lapsed(
    uow: UnitOfWork, account: StoreCreditAccount, rows: list[StoreCreditEntry], now: datetime
) -> StoreCreditEntry | None:
    """Write off what has lapsed by `now` (the caller holds the account's lock); no commit.

    Appends the `expire` entry to `rows`, so the caller goes on with the ledger as it now is.
    """
    lapsed = lapsed_amount(ledger(rows), now)
    if lapsed == 0:
        return None
    entry = StoreCreditEntry(
        account_id=account.id,
        store_id=account.store_id,
        kind=EntryKind.EXPIRE.value,
        amount=-lapsed,
        expires_at=None,
        reason="lapsed",
        reference="",
        idempotency_key=None,
        actor=str(SYSTEM),
        created_at=now,
    )
    uow.session.add(entry)
    uow.session.flush()
    rows.append(entry)
    uow.events.append(
        [
            DomainEvent(
                "store_credit.expired",
                {
                    "code": account.code,
                    "customer_email": account.customer_email,
                    "amount": lapsed,
                    "currency": account.currency,
                    "balance_after": sum(row.amount for row in rows),
                },
            )
        ],
        store_id=account.store_id,
        actor=str(SYSTEM),
        occurred_at=now,
    )
    return entry


def expire_lapsed_credit(
    uow: UnitOfWork, now: datetime, progress: Callable[[ExpiryRun], None] | None = None
) -> ExpiryRun:
    """Write off lapsed credit in every store, one account per transaction (cron-safe).

    Accounts are read in batches by id, so memory stays flat however many there are; an
    account being written at the same moment is skipped (its writer expires it first anyway).
    """
    run = ExpiryRun()
    after = 0
    while True:
        with uow:
            batch = _accounts_to_check(uow, now, after, BATCH_SIZE)
        if not batch:
            return run
        after = batch[-1][0]
        for _account_id, store_id, code in batch:
            run.checked += 1
            try:
                with uow:
                    account = account_by_code(uow, store_id, code, for_update=True)
                    rows = ledger_rows(uow, account.id)
                    entry = expire_lapsed(uow, account, rows, written_at(rows, now))
                    uow.commit()
            except ConcurrentModification:
                entry = None
            if entry is not None:
                run.accounts += 1
                run.amounts[account.currency] = run.amounts.get(account.currency, 0) - entry.amount
            if progress is not None:
                progress(run)


def _accounts_to_check(
    uow: UnitOfWork, now: datetime, after: int, limit: int
) -> list[tuple[int, int, str]]:
    """Accounts with a positive balance and a lot that lapsed after their last write-off.

    A cheap filter; the ledger itself decides (the lot may have been spent before it lapsed).
    """
    entry = StoreCreditEntry
    latest_lapse = func.max(
        case((and_(entry.amount > 0, entry.expires_at <= now), entry.expires_at))
    )
    latest_write_off = func.max(case((entry.kind == EntryKind.EXPIRE.value, entry.created_at)))
    statement = (
        select(StoreCreditAccount.id, StoreCreditAccount.store_id, StoreCreditAccount.code)
        .join(entry, entry.account_id == StoreCreditAccount.id)
        .where(StoreCreditAccount.id > after)
        .group_by(StoreCreditAccount.id, StoreCreditAccount.store_id, StoreCreditAccount.code)
        .having(
            func.sum(entry.amount) > 0,
            latest_lapse.is_not(None),
            or_(latest_write_off.is_(None), latest_lapse > latest_write_off),
        )
        .order_by(StoreCreditAccount.id)
        .limit(limit)
    )
    return [(row[0], row[1], row[2]) for row in uow.session.execute(statement)]
