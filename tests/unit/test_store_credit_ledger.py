"""The store-credit ledger, pure: random histories keep its invariants; lots are spent FIFO by
expiry.

The random histories write entries the way the services do: a redemption or a negative
adjustment first writes off lapsed credit and is refused (writing nothing) above what is
spendable; the expiry job writes off lapsed credit. Time only moves forward.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retour.domain.errors import InvalidRequest, QuantityExceeded
from retour.domain.store_credit import (
    CreditEntry,
    EntryKind,
    balance,
    ensure_can_spend,
    lapsed_amount,
    open_lots,
    spendable,
)

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@dataclass
class History:
    """A ledger written through the same steps as the services, with independent tallies."""

    now: datetime = T0
    entries: list[CreditEntry] = field(default_factory=list)
    lots: list[tuple[int, datetime | None]] = field(default_factory=list)
    spent: int = 0
    refusals: int = 0

    def write(self, kind: EntryKind, amount: int, expires_at: datetime | None = None) -> None:
        entry = CreditEntry(kind, amount, self.now, expires_at, id=len(self.entries) + 1)
        self.entries.append(entry)
        if amount > 0:
            self.lots.append((amount, expires_at))

    def add(self, kind: EntryKind, amount: int, expiry_days: int | None) -> None:
        expires_at = self.now + timedelta(days=expiry_days) if expiry_days else None
        self.write(kind, amount, expires_at)

    def write_off_lapsed(self) -> None:
        lapsed = lapsed_amount(self.entries, self.now)
        if lapsed:
            self.write(EntryKind.EXPIRE, -lapsed)

    def spend(self, kind: EntryKind, amount: int) -> None:
        before = list(self.entries)
        available = spendable(self.entries, self.now)
        self.write_off_lapsed()
        try:
            ensure_can_spend(self.entries, amount, self.now)
        except QuantityExceeded as refused:
            assert (refused.field, refused.maximum) == ("amount", available)
            assert amount > available
            self.entries = before  # the transaction rolls back: nothing is written
            self.refusals += 1
            return
        self.write(kind, -amount)
        self.spent += amount

    def live_credit(self) -> int:
        """Credit issued in lots that have not lapsed, whatever was spent from them."""
        return sum(amount for amount, expires in self.lots if expires is None or expires > self.now)

    def has_lapsed_lots(self) -> bool:
        return any(expires is not None and expires <= self.now for _, expires in self.lots)


amounts = st.integers(min_value=1, max_value=10_000)
expiry_days = st.none() | st.integers(min_value=1, max_value=90)
hours_later = st.integers(min_value=0, max_value=24 * 40)
operations = st.one_of(
    st.tuples(st.just("issue"), amounts, expiry_days),
    st.tuples(st.just("redeem"), amounts | st.just("all"), st.none()),
    st.tuples(
        st.just("adjust"),
        st.integers(min_value=-10_000, max_value=10_000).filter(bool),
        expiry_days,
    ),
    st.tuples(st.just("expire"), st.none(), st.none()),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(hours_later, operations), min_size=1, max_size=40))
def test_random_histories_keep_the_ledger_invariants(steps):
    history = History()
    for hours, (operation, amount, days) in steps:
        history.now += timedelta(hours=hours)
        if operation == "issue":
            history.add(EntryKind.ISSUE, amount, days)
        elif operation == "redeem":
            everything = spendable(history.entries, history.now)
            if amount == "all" and everything == 0:
                continue
            history.spend(EntryKind.REDEEM, everything if amount == "all" else amount)
        elif operation == "adjust" and amount > 0:
            history.add(EntryKind.ADJUST, amount, days)
        elif operation == "adjust":
            history.spend(EntryKind.ADJUST, -amount)
        else:
            history.write_off_lapsed()
        check_invariants(history)


def check_invariants(history: History) -> None:
    entries, now = history.entries, history.now
    total = balance(entries)
    available = spendable(entries, now)
    lots = open_lots(entries)

    assert total == sum(entry.amount for entry in entries)
    assert total >= 0
    assert 0 <= available <= total
    # Lapsed credit is never spendable: at most the live lots, less at most all that was spent.
    live = history.live_credit()
    assert max(0, live - history.spent) <= available <= live
    # Every unit of the balance sits in exactly one lot.
    assert sum(lot.remaining for lot in lots) == total
    assert all(0 <= lot.remaining <= lot.issued for lot in lots)
    assert available == sum(
        lot.remaining for lot in lots if lot.expires_at is None or lot.expires_at > now
    )
    if not history.has_lapsed_lots():
        assert available == total == live - history.spent
    # Spending one unit more than spendable is refused, naming the most that is allowed.
    with pytest.raises(QuantityExceeded) as refused:
        ensure_can_spend(entries, available + 1, now)
    assert refused.value.maximum == available


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(hours_later, amounts, expiry_days), min_size=1, max_size=15), hours_later)
def test_after_a_write_off_nothing_lapsed_is_left(issues, wait):
    history = History()
    for hours, amount, days in issues:
        history.now += timedelta(hours=hours)
        history.add(EntryKind.ISSUE, amount, days)
    history.now += timedelta(hours=wait)
    lapsed = lapsed_amount(history.entries, history.now)
    history.write_off_lapsed()
    assert lapsed_amount(history.entries, history.now) == 0
    assert balance(history.entries) == history.live_credit()
    assert spendable(history.entries, history.now) == history.live_credit()
    assert sum(amount for amount, _ in history.lots) - lapsed == history.live_credit()


# -- FIFO by expiry ----------------------------------------------------------------------------


def lot(entry_id: int, amount: int, expires_in_days: int | None, day: int = 0) -> CreditEntry:
    created = T0 + timedelta(days=day)
    expires = created + timedelta(days=expires_in_days) if expires_in_days else None
    return CreditEntry(EntryKind.ISSUE, amount, created, expires, id=entry_id)


def spent(entry_id: int, amount: int, day: int, kind: EntryKind = EntryKind.REDEEM) -> CreditEntry:
    return CreditEntry(kind, -amount, T0 + timedelta(days=day), id=entry_id)


@pytest.mark.parametrize(
    ("entries", "remaining"),
    [
        pytest.param(
            [lot(1, 100, 30), lot(2, 100, 10), spent(3, 150, day=1)],
            [50, 0],
            id="the soonest-lapsing lot first, whatever the order of issue",
        ),
        pytest.param(
            [lot(1, 100, None), lot(2, 100, 60), spent(3, 120, day=1)],
            [80, 0],
            id="credit that never lapses is spent last",
        ),
        pytest.param(
            [lot(1, 100, None), lot(2, 100, None), spent(3, 120, day=1)],
            [0, 80],
            id="among lots that never lapse, the oldest first",
        ),
        pytest.param(
            [lot(1, 100, 20, day=0), lot(2, 100, 10, day=10), spent(3, 120, day=11)],
            [0, 80],
            id="equal expiry dates: the first issued first",
        ),
        pytest.param(
            [lot(1, 100, 30), spent(2, 40, day=1), lot(3, 100, 5, day=2)],
            [60, 100],
            id="a spending takes only from lots that existed when it was written",
        ),
        pytest.param(
            [
                lot(1, 100, 30),
                lot(2, 50, 10),
                spent(3, 50, day=11, kind=EntryKind.EXPIRE),
                spent(4, 30, day=12),
            ],
            [70, 0],
            id="a write-off takes the lapsed lot, the next spending the live one",
        ),
        pytest.param(
            [lot(1, 100, 30), lot(2, 100, 10), spent(3, 30, day=1, kind=EntryKind.ADJUST)],
            [100, 70],
            id="a negative adjustment spends like a redemption",
        ),
    ],
)
def test_lots_are_spent_soonest_expiry_first(entries, remaining):
    assert [lot.remaining for lot in open_lots(entries)] == remaining
    assert sum(remaining) == balance(entries)


def test_lapsed_credit_is_counted_in_the_balance_but_not_spendable():
    entries = [lot(1, 100, 10), lot(2, 50, 30), spent(3, 30, day=2)]
    day_11 = T0 + timedelta(days=11)
    assert (balance(entries), lapsed_amount(entries, day_11), spendable(entries, day_11)) == (
        120,
        70,
        50,
    )
    with pytest.raises(QuantityExceeded) as refused:
        ensure_can_spend(entries, 51, day_11)
    assert (refused.value.field, refused.value.maximum) == ("amount", 50)
    ensure_can_spend(entries, 50, day_11)


def test_credit_lapses_at_its_expiry_instant():
    entries = [lot(1, 100, 10)]
    expiry = T0 + timedelta(days=10)
    assert spendable(entries, expiry - timedelta(microseconds=1)) == 100
    assert spendable(entries, expiry) == 0


@pytest.mark.parametrize("amount", [0, -5])
def test_spending_nothing_or_less_is_refused(amount):
    with pytest.raises(InvalidRequest) as refused:
        ensure_can_spend([lot(1, 100, None)], amount, T0)
    assert refused.value.field == "amount"
    assert not isinstance(refused.value, QuantityExceeded)
