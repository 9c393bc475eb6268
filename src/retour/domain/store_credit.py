"""The store-credit ledger: entries in, balance out; the balance is never stored.

Issues (and positive adjustments) are lots that can lapse; redemptions, expiries and negative
adjustments spend lots, the soonest-lapsing first (lots that never lapse last), so that a
shopper never loses credit that could have been spent first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from retour.domain.errors import InvalidRequest, QuantityExceeded


class EntryKind(StrEnum):
    ISSUE = "issue"
    REDEEM = "redeem"
    EXPIRE = "expire"
    ADJUST = "adjust"


@dataclass(frozen=True)
class CreditEntry:
    kind: EntryKind
    amount: int
    created_at: datetime
    expires_at: datetime | None = None
    id: int = 0


@dataclass(frozen=True)
class CreditLot:
    """What is left of one issue (or positive adjustment)."""

    entry_id: int
    issued: int
    remaining: int
    expires_at: datetime | None


def balance(entries: Sequence[CreditEntry]) -> int:
    return sum(entry.amount for entry in entries)


def open_lots(entries: Sequence[CreditEntry]) -> list[CreditLot]:
    """Every lot with what is left of it, replaying the ledger in the order it was written.

    Each spending entry takes from the lots that existed when it was written, the
    soonest-lapsing first (lots that never lapse last, oldest first).
    """
    issued: list[CreditEntry] = []
    remaining: list[int] = []
    for entry in sorted(entries, key=lambda e: (e.created_at, e.id)):
        if entry.amount > 0:
            issued.append(entry)
            remaining.append(entry.amount)
            continue
        spending = -entry.amount
        for index in sorted(range(len(issued)), key=lambda i: _spend_order(issued[i], i)):
            take = min(remaining[index], spending)
            remaining[index] -= take
            spending -= take
    return [
        CreditLot(lot.id, lot.amount, left, lot.expires_at)
        for lot, left in zip(issued, remaining, strict=True)
    ]


def _spend_order(lot: CreditEntry, position: int) -> tuple[bool, datetime, int]:
    return (lot.expires_at is None, lot.expires_at or lot.created_at, position)


def lapsed_amount(entries: Sequence[CreditEntry], now: datetime) -> int:
    """Unspent credit whose lots have lapsed by `now`: what an expiry entry must take away."""
    return sum(
        lot.remaining
        for lot in open_lots(entries)
        if lot.expires_at is not None and lot.expires_at <= now
    )


def spendable(entries: Sequence[CreditEntry], now: datetime) -> int:
    """What can be spent at `now`: the balance less lapsed credit not yet written off."""
    return balance(entries) - lapsed_amount(entries, now)


def ensure_positive(amount: int, field: str = "amount") -> None:
    if amount <= 0:
        raise InvalidRequest("amount must be greater than zero", field=field)


def ensure_can_spend(entries: Sequence[CreditEntry], amount: int, now: datetime) -> None:
    """Refuse spending more than the spendable balance (lapsed credit does not count)."""
    ensure_positive(amount)
    available = spendable(entries, now)
    if amount > available:
        raise QuantityExceeded(
            f"the balance is {available}; {amount} cannot be spent",
            field="amount",
            maximum=available,
        )
