"""Moving credit on a ledger: redeemed at the shop's checkout, corrected or granted by staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from retour.db.models import StoreCreditAccount, StoreCreditEntry
from retour.db.unit_of_work import UnitOfWork
from retour.domain.email_addresses import address_problem
from retour.domain.errors import InvalidRequest
from retour.domain.events import DomainEvent
from retour.domain.money import validate_currency
from retour.domain.store_credit import EntryKind, ensure_can_spend, ensure_positive
from retour.services.context import Actor
from retour.services.errors import IdempotencyMismatch, NotFound
from retour.services.store_credit.accounts import account_by_code, ledger, ledger_rows
from retour.services.store_credit.expiry import expire_lapsed, written_at
from retour.services.store_credit.issuing import issue_credit


@dataclass(frozen=True)
class RecordedEntry:
    """An entry on an account's ledger, and the balance right after it."""

    account: StoreCreditAccount
    entry: StoreCreditEntry
    balance_after: int


def redeem_credit(
    uow: UnitOfWork,
    store_id: int,
    code: str,
    amount: int,
    reference: str,
    idempotency_key: str | None,
    actor: Actor,
    now: datetime,
) -> RecordedEntry:
    """Spend `amount` of the code's credit, the soonest-lapsing first; lapsed credit never counts.

    The same `idempotency_key` again gives back the first redemption and spends nothing more.
    """
    ensure_positive(amount)
    with uow:
        account = account_by_code(uow, store_id, code, for_update=True)
        rows = ledger_rows(uow, account.id)
        earlier = _replayed(rows, idempotency_key, EntryKind.REDEEM, -amount, reference=reference)
        if earlier is not None:
            return _with_balance(account, rows, earlier)
        at = written_at(rows, now)
        expire_lapsed(uow, account, rows, at)
        ensure_can_spend(ledger(rows), amount, at)
        recorded = _append(
            uow,
            account,
            rows,
            EntryKind.REDEEM,
            -amount,
            actor,
            at,
            reference=reference,
            idempotency_key=idempotency_key,
        )
        _record_event(
            uow, "store_credit.redeemed", recorded, actor, at, amount=amount, reference=reference
        )
        uow.commit()
    return recorded


def adjust_credit(
    uow: UnitOfWork,
    store_id: int,
    code: str,
    amount: int,
    reason: str,
    idempotency_key: str | None,
    actor: Actor,
    now: datetime,
    expires_in_days: int | None = None,
) -> RecordedEntry:
    """A staff correction, up (a lot that lapses like issued credit) or down (at most what is
    spendable). Credit added lapses after `expires_in_days`, or the store's default."""
    reason = _required_reason(reason)
    if amount == 0:
        raise InvalidRequest("an adjustment must not be zero", field="amount")
    if amount < 0 and expires_in_days is not None:
        raise InvalidRequest("only credit that is added can lapse", field="expires_in_days")
    with uow:
        account = account_by_code(uow, store_id, code, for_update=True)
        rows = ledger_rows(uow, account.id)
        earlier = _replayed(rows, idempotency_key, EntryKind.ADJUST, amount, reason=reason)
        if earlier is not None:
            return _with_balance(account, rows, earlier)
        at = written_at(rows, now)
        expire_lapsed(uow, account, rows, at)
        days = None
        if amount < 0:
            ensure_can_spend(ledger(rows), -amount, at)
        else:
            days = _expiry_days(uow, store_id, expires_in_days)
        recorded = _append(
            uow,
            account,
            rows,
            EntryKind.ADJUST,
            amount,
            actor,
            at,
            reason=reason,
            idempotency_key=idempotency_key,
            expires_in_days=days,
        )
        _record_event(
            uow, "store_credit.adjusted", recorded, actor, at, amount=amount, reason=reason
        )
        uow.commit()
    return recorded


def grant_credit(
    uow: UnitOfWork,
    store_id: int,
    customer_email: str,
    currency: str,
    amount: int,
    reason: str,
    actor: Actor,
    now: datetime,
    expires_in_days: int | None = None,
) -> RecordedEntry:
    """Goodwill credit from staff to an e-mail address, opening its account if need be.

    It is issued like refund credit (an `issue` entry and `store_credit.issued`, which tells
    the shopper), lapsing after `expires_in_days` or the store's default.
    """
    email = customer_email.strip().lower()
    problem = address_problem(email)
    if problem is not None:
        raise InvalidRequest(
            f"{customer_email!r} is not a usable e-mail address: {problem}", field="customer_email"
        )
    currency = validate_currency(currency)
    reason = _required_reason(reason)
    ensure_positive(amount)
    with uow:
        days = _expiry_days(uow, store_id, expires_in_days)
        entry = issue_credit(
            uow,
            store_id=store_id,
            customer_email=email,
            currency=currency,
            amount=amount,
            actor=actor,
            now=now,
            reason=reason,
            expiry_days=days,
        )
        account = uow.session.get_one(StoreCreditAccount, entry.account_id)
        rows = ledger_rows(uow, account.id)
        recorded = _with_balance(account, rows, entry)
        uow.commit()
    return recorded


def _with_balance(
    account: StoreCreditAccount, rows: list[StoreCreditEntry], entry: StoreCreditEntry
) -> RecordedEntry:
    """`entry` with the running balance of the ledger up to and including it."""
    position = next(index for index, row in enumerate(rows) if row.id == entry.id)
    return RecordedEntry(account, entry, sum(row.amount for row in rows[: position + 1]))


def _replayed(
    rows: list[StoreCreditEntry],
    idempotency_key: str | None,
    kind: EntryKind,
    amount: int,
    reason: str = "",
    reference: str = "",
) -> StoreCreditEntry | None:
    """The entry written earlier with this key; the same key for another request is refused."""
    if idempotency_key is None:
        return None
    earlier = next((row for row in rows if row.idempotency_key == idempotency_key), None)
    if earlier is None:
        return None
    if (earlier.kind, earlier.amount, earlier.reason, earlier.reference) != (
        kind.value,
        amount,
        reason,
        reference,
    ):
        raise IdempotencyMismatch()
    return earlier


def _append(
    uow: UnitOfWork,
    account: StoreCreditAccount,
    rows: list[StoreCreditEntry],
    kind: EntryKind,
    amount: int,
    actor: Actor,
    now: datetime,
    *,
    reason: str = "",
    reference: str = "",
    idempotency_key: str | None = None,
    expires_in_days: int | None = None,
) -> RecordedEntry:
    entry = StoreCreditEntry(
        account_id=account.id,
        store_id=account.store_id,
        kind=kind.value,
        amount=amount,
        expires_at=_lapses_at(now, expires_in_days),
        reason=reason,
        reference=reference,
        idempotency_key=idempotency_key,
        actor=str(actor),
        created_at=now,
    )
    uow.session.add(entry)
    uow.session.flush()
    rows.append(entry)
    return RecordedEntry(account, entry, sum(row.amount for row in rows))


def _lapses_at(now: datetime, days: int | None) -> datetime | None:
    return now + timedelta(days=days) if days else None


def _record_event(
    uow: UnitOfWork,
    name: str,
    recorded: RecordedEntry,
    actor: Actor,
    now: datetime,
    **payload: object,
) -> None:
    account = recorded.account
    uow.events.append(
        [
            DomainEvent(
                name,
                {
                    "code": account.code,
                    "customer_email": account.customer_email,
                    "currency": account.currency,
                    **payload,
                    "balance_after": recorded.balance_after,
                },
            )
        ],
        store_id=account.store_id,
        actor=str(actor),
        occurred_at=now,
    )


def _required_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidRequest("say why: a reason is required", field="reason")
    return reason


def _expiry_days(uow: UnitOfWork, store_id: int, expires_in_days: int | None) -> int | None:
    if expires_in_days is not None:
        if expires_in_days <= 0:
            raise InvalidRequest("must be at least one day", field="expires_in_days")
        return expires_in_days
    store = uow.stores.get(store_id)
    if store is None:
        raise NotFound("store", store_id)
    return store.store_credit_expiry_days
