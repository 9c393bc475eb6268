"""Reading store credit: what a code is worth now, and a customer's statement. No writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from retour.db.models import StoreCreditAccount, StoreCreditEntry
from retour.db.unit_of_work import UnitOfWork
from retour.domain.store_credit import balance, open_lots, spendable
from retour.services.store_credit.accounts import account_by_code, ledger, ledger_rows


@dataclass(frozen=True)
class LotView:
    """What is left of one issue or positive adjustment."""

    entry_id: int
    issued: int
    remaining: int
    expires_at: datetime | None
    #: Lapsed but not written off yet: counted in the balance, not spendable.
    is_lapsed: bool


@dataclass(frozen=True)
class CreditBalance:
    code: str
    customer_email: str
    currency: str
    #: The sum of the ledger.
    balance: int
    #: What a redemption may take now: the balance less lapsed credit.
    spendable: int
    #: Lots with something left, oldest first.
    lots: list[LotView]


@dataclass(frozen=True)
class StatementLine:
    id: int
    kind: str
    amount: int
    balance_after: int
    expires_at: datetime | None
    reason: str
    reference: str
    actor: str
    created_at: datetime


@dataclass(frozen=True)
class AccountStatement:
    code: str
    currency: str
    balance: int
    spendable: int
    #: In ledger order (by time), each with the running balance.
    entries: list[StatementLine]


@dataclass(frozen=True)
class CustomerStatement:
    customer_email: str
    #: One per currency the customer holds credit in, oldest account first.
    accounts: list[AccountStatement]


def credit_balance(uow: UnitOfWork, store_id: int, code: str, now: datetime) -> CreditBalance:
    """The code's balance, what is spendable at `now`, and the lots it is made of."""
    with uow:
        account = account_by_code(uow, store_id, code)
        entries = ledger(ledger_rows(uow, account.id))
    lots = [
        LotView(
            entry_id=lot.entry_id,
            issued=lot.issued,
            remaining=lot.remaining,
            expires_at=lot.expires_at,
            is_lapsed=lot.expires_at is not None and lot.expires_at <= now,
        )
        for lot in open_lots(entries)
        if lot.remaining > 0
    ]
    return CreditBalance(
        code=account.code,
        customer_email=account.customer_email,
        currency=account.currency,
        balance=balance(entries),
        spendable=spendable(entries, now),
        lots=lots,
    )


def customer_statement(
    uow: UnitOfWork, store_id: int, customer_email: str, now: datetime
) -> CustomerStatement:
    """Every account of the customer with its entries and running balance (none: no accounts)."""
    email = customer_email.strip().lower()
    with uow:
        accounts = list(
            uow.session.scalars(
                select(StoreCreditAccount)
                .where(
                    StoreCreditAccount.store_id == store_id,
                    StoreCreditAccount.customer_email == email,
                )
                .order_by(StoreCreditAccount.id)
            )
        )
        statements = [
            _statement(account, ledger_rows(uow, account.id), now) for account in accounts
        ]
    return CustomerStatement(customer_email=email, accounts=statements)


def _statement(
    account: StoreCreditAccount, rows: list[StoreCreditEntry], now: datetime
) -> AccountStatement:
    running = 0
    lines = []
    for row in rows:
        running += row.amount
        lines.append(
            StatementLine(
                id=row.id,
                kind=row.kind,
                amount=row.amount,
                balance_after=running,
                expires_at=row.expires_at,
                reason=row.reason,
                reference=row.reference,
                actor=row.actor,
                created_at=row.created_at,
            )
        )
    entries = ledger(rows)
    return AccountStatement(
        code=account.code,
        currency=account.currency,
        balance=balance(entries),
        spendable=spendable(entries, now),
        entries=lines,
    )
