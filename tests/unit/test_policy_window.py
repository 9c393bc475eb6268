"""The return window: its start, its last day, and the instant it closes in the store's time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from retour.domain.policy.results import WindowBasis
from retour.domain.policy.window import end_of_day
from tests.unit.policy_builders import (
    NOW,
    PARIS,
    ask,
    at_paris,
    codes,
    item,
    messages,
    order,
    policy,
    run,
)

THIRTY_DAYS = policy()


def delivered(moment: datetime, **order_fields):
    return order(item(delivered_at=moment), placed_at=moment - timedelta(days=3), **order_fields)


@pytest.mark.parametrize(
    ("delivered_at", "now", "is_open"),
    [
        # Delivered late on 1 March (Paris): day 1 is 1 March, the last day 31 March.
        pytest.param(
            at_paris(2026, 3, 1, 23, 30),
            at_paris(2026, 3, 31, 23, 59, second=59, microsecond=999_999),
            True,
            id="last-instant-of-the-last-day",
        ),
        pytest.param(
            at_paris(2026, 3, 1, 23, 30),
            at_paris(2026, 4, 1),
            False,
            id="midnight-after-the-last-day",
        ),
        # Midnight in Paris is still 28 February in UTC: the store's day counts.
        pytest.param(
            at_paris(2026, 3, 1, 0, 0),
            at_paris(2026, 3, 31, 23, 0),
            True,
            id="delivered-at-local-midnight",
        ),
        pytest.param(
            datetime(2026, 2, 28, 23, 30, tzinfo=UTC),
            at_paris(2026, 4, 1, 0, 0),
            False,
            id="utc-evening-is-next-day-in-paris",
        ),
    ],
)
def test_the_window_ends_at_midnight_store_time_after_its_last_day(delivered_at, now, is_open):
    evaluation = run(THIRTY_DAYS, delivered(delivered_at), now=now)

    assert evaluation.lines[0].is_eligible is is_open
    window = evaluation.lines[0].window
    assert window is not None
    assert (window.starts_on, window.last_day) == (date(2026, 3, 1), date(2026, 3, 31))
    assert window.ends_at == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("last_day", "closes_at_utc"),
    [
        pytest.param(
            date(2026, 3, 28),
            datetime(2026, 3, 28, 23, 0, tzinfo=UTC),
            id="day-before-spring-change",
        ),
        # 29 March has 23 hours in Paris: the window still runs to its local midnight.
        pytest.param(
            date(2026, 3, 29), datetime(2026, 3, 29, 22, 0, tzinfo=UTC), id="spring-change-day"
        ),
        pytest.param(
            date(2026, 10, 24),
            datetime(2026, 10, 24, 22, 0, tzinfo=UTC),
            id="day-before-autumn-change",
        ),
        # 25 October has 25 hours.
        pytest.param(
            date(2026, 10, 25), datetime(2026, 10, 25, 23, 0, tzinfo=UTC), id="autumn-change-day"
        ),
    ],
)
def test_across_daylight_saving_changes_the_window_closes_at_local_midnight(
    last_day, closes_at_utc
):
    delivered_at = at_paris(last_day.year, last_day.month, last_day.day, 12) - timedelta(days=14)
    the_policy = policy(default={"window_days": 14})
    just_before = closes_at_utc - timedelta(microseconds=1)

    open_evaluation = run(the_policy, delivered(delivered_at), now=just_before)
    closed_evaluation = run(the_policy, delivered(delivered_at), now=closes_at_utc)

    assert open_evaluation.lines[0].window.last_day == last_day
    assert open_evaluation.lines[0].window.ends_at == closes_at_utc
    assert open_evaluation.lines[0].is_eligible
    assert codes(closed_evaluation) == [("window_ended", "default")]


def test_a_window_spanning_the_spring_change_still_counts_calendar_days():
    # 20 March (winter time) + 14 days = 3 April (summer time), open until its end.
    evaluation = run(
        policy(default={"window_days": 14}),
        delivered(at_paris(2026, 3, 20, 10)),
        now=at_paris(2026, 4, 3, 23, 59),
    )

    assert evaluation.lines[0].window.last_day == date(2026, 4, 3)
    assert evaluation.lines[0].window.ends_at == datetime(2026, 4, 3, 22, 0, tzinfo=UTC)
    assert evaluation.lines[0].is_eligible


def test_the_clock_of_the_caller_does_not_matter_only_the_instant():
    in_new_york = at_paris(2026, 4, 1).astimezone(ZoneInfo("America/New_York"))

    evaluation = run(THIRTY_DAYS, delivered(at_paris(2026, 3, 1, 23, 30)), now=in_new_york)

    assert codes(evaluation) == [("window_ended", "default")]


def test_where_midnight_is_skipped_the_day_ends_at_the_first_instant_of_the_next():
    # Santiago moves its clocks from 00:00 to 01:00 on 6 September 2026.
    santiago = ZoneInfo("America/Santiago")

    assert end_of_day(date(2026, 9, 5), santiago) == datetime(2026, 9, 6, 4, 0, tzinfo=UTC)
    assert end_of_day(date(2026, 9, 5), santiago).astimezone(santiago).hour == 1


@pytest.mark.parametrize(
    ("item_fields", "order_fields", "basis", "starts_on"),
    [
        pytest.param(
            {"delivered_at": at_paris(2026, 3, 2, 9), "shipped_at": at_paris(2026, 2, 27, 9)},
            {},
            WindowBasis.DELIVERED,
            date(2026, 3, 2),
            id="delivered",
        ),
        pytest.param(
            {"delivered_at": None, "shipped_at": at_paris(2026, 2, 27, 9)},
            {},
            WindowBasis.SHIPPED,
            date(2026, 3, 2),
            id="shipped-plus-transit",
        ),
        pytest.param(
            {"delivered_at": None},
            {},
            WindowBasis.ORDERED,
            date(2026, 2, 25),
            id="ordered",
        ),
        pytest.param(
            {"delivered_at": None},
            {"delivered_at": at_paris(2026, 3, 4, 9), "shipped_at": at_paris(2026, 3, 1, 9)},
            WindowBasis.DELIVERED,
            date(2026, 3, 4),
            id="order-delivered-date",
        ),
        pytest.param(
            {"delivered_at": at_paris(2026, 3, 6, 9)},
            {"delivered_at": at_paris(2026, 3, 4, 9)},
            WindowBasis.DELIVERED,
            date(2026, 3, 6),
            id="item-date-wins",
        ),
    ],
)
def test_the_window_counts_from_delivery_else_shipping_plus_transit_else_the_order(
    item_fields, order_fields, basis, starts_on
):
    the_order = order(item(**item_fields), placed_at=at_paris(2026, 2, 25, 18), **order_fields)

    window = run(policy(default={"transit_days": 3}), the_order).lines[0].window

    assert (window.basis, window.starts_on) == (basis, starts_on)
    assert window.last_day == starts_on + timedelta(days=30)


def test_a_zero_day_window_ends_with_the_delivery_day():
    the_policy = policy(default={"window_days": 0})
    the_order = delivered(at_paris(2026, 3, 10, 8))

    assert run(the_policy, the_order, now=at_paris(2026, 3, 10, 23, 59)).lines[0].is_eligible
    assert not run(the_policy, the_order, now=at_paris(2026, 3, 11)).lines[0].is_eligible


HOLIDAYS = [
    {
        "id": "holidays",
        "ordered_from": "2026-11-15",
        "ordered_until": "2026-12-24",
        "returns_until": "2027-01-31",
    },
    {
        "id": "black-friday",
        "ordered_from": "2026-11-27",
        "ordered_until": "2026-11-30",
        "window_days": 90,
    },
    {"id": "short", "ordered_from": "2026-11-01", "ordered_until": "2026-12-31", "window_days": 5},
]


@pytest.mark.parametrize(
    ("placed_at", "last_day", "rule_id"),
    [
        pytest.param(
            at_paris(2026, 11, 14, 23, 59), date(2026, 12, 16), "default", id="day-before"
        ),
        # 23:30 UTC on the 14th is already the 15th in Paris.
        pytest.param(
            datetime(2026, 11, 14, 23, 30, tzinfo=UTC),
            date(2027, 1, 31),
            "holidays",
            id="first-day-store-time",
        ),
        pytest.param(at_paris(2026, 12, 24, 23, 59), date(2027, 1, 31), "holidays", id="last-day"),
        pytest.param(at_paris(2026, 12, 25, 0, 0), date(2027, 1, 26), "default", id="day-after"),
        pytest.param(
            at_paris(2026, 11, 28, 10), date(2027, 2, 28), "black-friday", id="later-end-wins"
        ),
    ],
)
def test_extensions_move_the_last_day_for_orders_placed_between_two_dates(
    placed_at, last_day, rule_id
):
    delivered_at = placed_at + timedelta(days=2)
    the_order = order(item(delivered_at=delivered_at), placed_at=placed_at)

    evaluation = run(policy(extensions=HOLIDAYS), the_order, now=placed_at + timedelta(days=3))

    window = evaluation.lines[0].window
    assert (window.last_day, window.rule_id) == (last_day, rule_id)
    assert evaluation.lines[0].notes[0].rule_id == rule_id


def test_an_ended_window_says_when_it_ended_with_the_year_only_when_it_is_not_this_year():
    ended_this_year = run(THIRTY_DAYS, delivered(at_paris(2026, 2, 1, 12)), now=NOW)
    ended_last_year = run(THIRTY_DAYS, delivered(at_paris(2025, 11, 20, 12)), now=NOW)

    assert messages(ended_this_year) == ["Return window ended on 3 March"]
    assert ended_this_year.lines[0].refusals[0].params == {"last_day": "2026-03-03"}
    assert messages(ended_last_year) == ["Return window ended on 20 December 2025"]


def test_an_open_window_is_a_note_naming_its_last_day():
    evaluation = run(THIRTY_DAYS, delivered(at_paris(2026, 3, 5, 12)))

    assert messages(evaluation) == ["Return by 4 April"]
    assert evaluation.lines[0].notes[0].code == "window_open"


def test_the_store_timezone_decides_the_day_not_utc():
    tokyo = policy(timezone="Asia/Tokyo")
    # 20:00 UTC on 1 March is 05:00 on 2 March in Tokyo.
    the_order = order(item(delivered_at=datetime(2026, 3, 1, 20, tzinfo=UTC)))

    window = run(tokyo, the_order).lines[0].window

    assert window.starts_on == date(2026, 3, 2)
    assert window.ends_at == datetime(2026, 4, 1, 15, 0, tzinfo=UTC)


def test_the_paris_fixture_is_central_european_time():
    assert at_paris(2026, 1, 1).utcoffset() == timedelta(hours=1)
    assert PARIS.key == "Europe/Paris"
    assert ask().quantity == 1
