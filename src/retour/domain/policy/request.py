"""A return request made ready for judging: what `evaluate` works out of the order, the lines
asked for and the clock before it reads a policy. A simulation judges each historical request
under the draft and under the live policy, and so works this out once for both."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from retour.domain.errors import InvalidRequest
from retour.domain.policy.eligibility import discount_basis_points
from retour.domain.policy.fees import returned_units, units_value
from retour.domain.policy.inputs import CandidateLine, CustomerHistory, OrderContext, OrderedItem


class AskedLine:
    """A candidate line that names a line of the order (the first time), with what the units
    it asks back are worth."""

    __slots__ = (
        "available",
        "candidate",
        "discount_bp",
        "index",
        "item",
        "items_amount",
        "unit_value",
        "units",
        "value",
    )

    def __init__(self, index: int, item: OrderedItem, candidate: CandidateLine) -> None:
        self.index = index
        self.item = item
        self.candidate = candidate
        self.units = returned_units(item, candidate.quantity)
        self.items_amount, tax = units_value(item, self.units)
        #: Paid value of the requested units, tax included.
        self.value = self.items_amount + tax
        self.unit_value = self.value // self.units if self.units else 0
        self.discount_bp = discount_basis_points(item)
        #: Units of the line that are delivered and that no other return holds.
        self.available = max(item.fulfilled_quantity - item.returned_quantity, 0)


class LocalDays:
    """The request's instants as calendar days in one timezone."""

    def __init__(self, zone: ZoneInfo, now: datetime, placed_at: datetime) -> None:
        self.zone = zone
        self.today = now.astimezone(zone).date()
        self.ordered_on = placed_at.astimezone(zone).date()
        self._days: dict[datetime, date] = {}

    def day_of(self, moment: datetime) -> date:
        """The local day of `moment` (an order's lines mostly share their dates)."""
        found = self._days.get(moment)
        if found is None:
            found = self._days[moment] = moment.astimezone(self.zone).date()
        return found


class PreparedRequest:
    """The arguments of `evaluate`, checked, with what does not depend on the policy."""

    def __init__(
        self,
        order: OrderContext,
        candidates: Sequence[CandidateLine],
        history: CustomerHistory,
        now: datetime,
    ) -> None:
        _check_moments(order, now)
        self.order = order
        self.candidates = tuple(candidates)
        self.history = history
        self.now = now.astimezone(UTC)
        items = {item.order_line_id: item for item in order.items}
        #: The candidates that name an order line, the first time they do.
        self.lines: list[AskedLine] = []
        #: (index, candidate, is it unknown, else asked again) of the others.
        self.not_in_order: list[tuple[int, CandidateLine, bool]] = []
        seen: set[int] = set()
        for index, candidate in enumerate(self.candidates):
            item = items.get(candidate.order_line_id)
            if item is None or candidate.order_line_id in seen:
                self.not_in_order.append((index, candidate, item is None))
                continue
            seen.add(candidate.order_line_id)
            self.lines.append(AskedLine(index, item, candidate))
        self._local: dict[ZoneInfo, LocalDays] = {}
        self._recent: dict[int, int] = {}

    def returns_in_last(self, days: int) -> int:
        """The customer's returns in the `days` days before now (limits, risk and automation
        rules ask, often for the same period)."""
        found = self._recent.get(days)
        if found is None:
            since = self.now - timedelta(days=days)
            found = self._recent[days] = self.history.returns_since(since)
        return found

    def local(self, zone: ZoneInfo) -> LocalDays:
        found = self._local.get(zone)
        if found is None:
            found = self._local[zone] = LocalDays(zone, self.now, self.order.placed_at)
        return found


def prepare_request(
    order_context: OrderContext,
    candidate_lines: Sequence[CandidateLine],
    customer_history: CustomerHistory,
    now: datetime,
) -> PreparedRequest:
    """`evaluate`'s arguments made ready for `evaluate_prepared`, under any number of
    policies; an instant without a timezone is refused here (InvalidRequest)."""
    return PreparedRequest(order_context, candidate_lines, customer_history, now)


def _check_moments(order: OrderContext, now: datetime) -> None:
    """Bad input is the caller's bug or a bad request, not a policy refusal."""
    if now.utcoffset() is None:
        raise InvalidRequest("now must be an aware datetime", field="now")
    moments = [order.placed_at, order.shipped_at, order.delivered_at]
    for item in order.items:
        moments.append(item.shipped_at)
        moments.append(item.delivered_at)
    for moment in moments:
        if moment is not None and moment.utcoffset() is None:
            break
    else:
        return
    named = {"placed_at": order.placed_at, "shipped_at": order.shipped_at}
    named["delivered_at"] = order.delivered_at
    for item in order.items:
        named[f"items[{item.order_line_id}].shipped_at"] = item.shipped_at
        named[f"items[{item.order_line_id}].delivered_at"] = item.delivered_at
    for field, moment in named.items():
        if moment is not None and moment.utcoffset() is None:
            raise InvalidRequest(f"{field} must be an aware datetime", field=field)
