"""The portal's look-up rules: what proves an order, and how long a locked-out client waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from retour.domain.portal import (
    LookupLimits,
    order_key,
    proves_the_gift,
    proves_the_order,
    seconds_to_wait,
)

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
LIMITS = LookupLimits(tries=3, window=timedelta(minutes=15))


def test_order_numbers_are_compared_without_spaces_hash_or_case():
    assert [order_key(typed) for typed in (" #SO 1001 ", "so1001", "#so1001")] == ["so1001"] * 3


def test_the_email_proves_the_order_whatever_its_case_and_spaces():
    assert proves_the_order("ann@example.com", "75011", " Ann@Example.COM ", "") is True
    assert proves_the_order("ann@example.com", "75011", "bob@example.com", "75011") is False


def test_without_an_email_the_postal_code_proves_it():
    assert proves_the_order("ann@example.com", "SW1A 1AA", "", "sw1a1aa") is True
    assert proves_the_order("ann@example.com", "SW1A 1AA", "", "SW1A 1AB") is False


def test_an_order_without_a_postal_code_is_never_proved_by_an_empty_one():
    assert proves_the_order("ann@example.com", "", "", "") is False


def test_fewer_failures_than_allowed_within_the_window_do_not_lock():
    old = NOW - timedelta(minutes=20)
    assert seconds_to_wait([old, old, NOW - timedelta(minutes=1)], NOW, LIMITS) is None


def test_the_wait_ends_when_the_oldest_counted_failure_leaves_the_window():
    failures = [NOW - timedelta(minutes=10), NOW - timedelta(minutes=5), NOW]

    assert seconds_to_wait(failures, NOW, LIMITS) == 5 * 60


def test_the_wait_is_at_least_one_second():
    failures = [NOW - timedelta(minutes=15) + timedelta(milliseconds=1)] * 3

    assert seconds_to_wait(failures, NOW, LIMITS) == 1


def test_a_gift_receipt_code_proves_only_a_gift_order_that_has_one():
    assert proves_the_gift(True, "GIFT-7Q2K", " gift-7q2k ") is True
    assert proves_the_gift(False, "GIFT-7Q2K", "GIFT-7Q2K") is False
    assert proves_the_gift(True, "", "") is False
    assert proves_the_gift(True, "GIFT-7Q2K", "GIFT-7Q2L") is False
