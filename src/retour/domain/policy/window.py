"""The return window: from which day it counts, its last day, and the instant it closes.

Days are calendar days in the store's timezone; a window is open until the end of its last
day there (midnight, local time), whatever the UTC offset does in between (DST-safe: the
arithmetic is on dates, and only the closing instant is turned back into UTC).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from retour.domain.policy.document import Policy
from retour.domain.policy.inputs import OrderContext, OrderedItem
from retour.domain.policy.results import ReturnWindow, WindowBasis


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """The first instant after `day` in `zone`, in UTC.

    A local midnight that a DST gap skips resolves (fold=0) to the first instant of the next
    day, so the result is always the true end of `day`.
    """
    next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return next_midnight.astimezone(UTC)


def return_window(
    policy: Policy, order: OrderContext, item: OrderedItem, window_days: int, rule_id: str
) -> ReturnWindow:
    """The item's window: `window_days` after it was delivered (else shipped + transit days,
    else ordered); a matching extension moves the last day later, never earlier."""
    zone = policy.timezone
    delivered_at = item.delivered_at or order.delivered_at
    shipped_at = item.shipped_at or order.shipped_at
    if delivered_at is not None:
        basis, starts_on = WindowBasis.DELIVERED, local_day(delivered_at, zone)
    elif shipped_at is not None:
        basis = WindowBasis.SHIPPED
        starts_on = local_day(shipped_at, zone) + timedelta(days=policy.defaults.transit_days)
    else:
        basis, starts_on = WindowBasis.ORDERED, local_day(order.placed_at, zone)
    last_day = starts_on + timedelta(days=window_days)
    ordered_on = local_day(order.placed_at, zone)
    for extension in policy.extensions:
        if not extension.ordered_from <= ordered_on <= extension.ordered_until:
            continue
        extended = extension.returns_until or starts_on + timedelta(days=extension.window_days or 0)
        if extended > last_day:
            last_day, rule_id = extended, extension.id
    return ReturnWindow(rule_id, basis, starts_on, last_day, end_of_day(last_day, zone))
