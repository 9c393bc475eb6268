"""Finding and opening store-credit accounts, and reading their ledger."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select

from retour.db.locking import lock_row
from retour.db.models import StoreCreditAccount, StoreCreditEntry
from retour.db.unit_of_work import UnitOfWork
from retour.domain.store_credit import CreditEntry, EntryKind
from retour.services.errors import NotFound

#: Unambiguous characters for codes a shopper types at checkout (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


def new_credit_code() -> str:
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"SC-{body[:4]}-{body[4:8]}-{body[8:]}"


def normalise_code(code: str) -> str:
    return code.strip().upper()


def account_for(
    uow: UnitOfWork, store_id: int, customer_email: str, currency: str, now: datetime
) -> StoreCreditAccount:
    """The customer's account in `currency`, opened on first use."""
    email = customer_email.strip().lower()
    statement = select(StoreCreditAccount).where(
        StoreCreditAccount.store_id == store_id,
        StoreCreditAccount.customer_email == email,
        StoreCreditAccount.currency == currency,
    )
    account = uow.session.scalars(statement).one_or_none()
    if account is None:
        account = StoreCreditAccount(
            store_id=store_id,
            customer_email=email,
            currency=currency,
            code=new_credit_code(),
            created_at=now,
        )
        uow.session.add(account)
        uow.session.flush()
    return account


def account_by_code(
    uow: UnitOfWork, store_id: int, code: str, for_update: bool = False
) -> StoreCreditAccount:
    """The account a code spends from; `for_update` makes spenders of it take turns."""
    statement = select(StoreCreditAccount).where(
        StoreCreditAccount.store_id == store_id, StoreCreditAccount.code == normalise_code(code)
    )
    account = uow.session.scalars(statement).one_or_none()
    if account is None:
        raise NotFound("store credit code", code)
    if for_update:
        locked = lock_row(
            uow.session,
            select(StoreCreditAccount.id).where(StoreCreditAccount.id == account.id),
            StoreCreditAccount,
            account.id,
            store_id,
        )
        uow.session.execute(locked).one()
    return account


def ledger_rows(uow: UnitOfWork, account_id: int) -> list[StoreCreditEntry]:
    statement = (
        select(StoreCreditEntry)
        .where(StoreCreditEntry.account_id == account_id)
        .order_by(StoreCreditEntry.created_at, StoreCreditEntry.id)
    )
    return list(uow.session.scalars(statement))


def ledger(rows: list[StoreCreditEntry]) -> list[CreditEntry]:
    return [
        CreditEntry(
            kind=EntryKind(row.kind),
            amount=row.amount,
            created_at=row.created_at,
            expires_at=row.expires_at,
            id=row.id,
        )
        for row in rows
    ]
