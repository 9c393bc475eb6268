"""The return window: from which day it counts, its last day, and the instant it closes.

Days are calendar days in the store's timezone; a window is open until the end of its last
day there (midnight, local time), whatever the UTC offset does in between (DST-safe: the
arithmetic is on dates, and only the closing instant is turned back into UTC).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from retour.domain.policy.document import Extension, Policy
from retour.domain.policy.inputs import OrderContext, OrderedItem
from retour.domain.policy.results import ReturnWindow, WindowBasis

if TYPE_CHECKING:
    from retour.domain.policy.request import LocalDays


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """The first instant after `day` in `zone`, in UTC.

    A local midnight that a DST gap skips resolves (fold=0) to the first instant of the next
    day, so the result is always the true end of `day`.
    """
    next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return next_midnight.astimezone(UTC)


def return_window(
    policy: Policy,
    order: OrderContext,
    item: OrderedItem,
    days: LocalDays,
    extensions: Sequence[Extension],
    window_days: int,
    rule_id: str,
) -> ReturnWindow:
    """The item's window: `window_days` after it was delivered (else shipped + transit days,
    else ordered); a matching extension moves the last day later, never earlier.

    `extensions` are the policy's extensions for the day the order was placed
    (`extensions_for`).
    """
    delivered_at = item.delivered_at or order.delivered_at
    if delivered_at is not None:
        basis, starts_on = WindowBasis.DELIVERED, days.day_of(delivered_at)
    else:
        shipped_at = item.shipped_at or order.shipped_at
        if shipped_at is not None:
            basis = WindowBasis.SHIPPED
            starts_on = days.day_of(shipped_at) + timedelta(days=policy.defaults.transit_days)
        else:
            basis, starts_on = WindowBasis.ORDERED, days.ordered_on
    last_day = starts_on + timedelta(days=window_days)
    for extension in extensions:
        extended = extension.returns_until or starts_on + timedelta(days=extension.window_days or 0)
        if extended > last_day:
            last_day, rule_id = extended, extension.id
    return ReturnWindow(rule_id, basis, starts_on, last_day, policy.rules.end_of_day(last_day))


def extensions_for(policy: Policy, ordered_on: date) -> tuple[Extension, ...]:
    """The extensions of orders placed on `ordered_on` (store time), in the policy's order."""
    return tuple(
        extension
        for extension in policy.extensions
        if extension.ordered_from <= ordered_on <= extension.ordered_until
    )
