"""Which demo orders come back, why, and how far each return has got by the reference time."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from random import Random

from retour.db.models import OrderRow
from retour.demo.catalog import PRODUCTS
from retour.demo.orders import DemoOrder
from retour.domain.exchanges import ExchangeKind
from retour.domain.lines import Resolution, ReturnMethod
from retour.domain.reasons import DEFAULT_RETURN_REASONS
from retour.domain.statuses import ReturnStatus

S = ReturnStatus

#: Reason codes (the store's defaults) and how often shoppers pick them.
REASON_WEIGHTS = {
    "too_small": 28, "too_large": 24, "style": 12, "changed_mind": 10, "quality": 8,
    "not_as_described": 5, "damaged": 4, "defective": 4, "wrong_item": 2, "arrived_late": 1,
    "other": 2,
}  # fmt: skip
MERCHANT_FAULT = frozenset({"not_as_described", "damaged", "defective", "wrong_item"})
_SIZE_REASONS = ("too_small", "too_large")
_NOTES = {
    "too_small": ("Tight across the shoulders.", "Runs a size small.", "Sleeves too short."),
    "too_large": ("Too loose at the waist.", "Runs large, I need a size down.", "Too long."),
    "style": ("The colour looks different in person.", "Not my style after all."),
    "changed_mind": ("Found something similar I prefer.", "Bought too much this month."),
    "quality": ("Fabric feels thinner than expected.", "Pilling after one wash."),
    "not_as_described": ("Not the shade shown in the photos.", "Label says 55 % linen."),
    "damaged": ("Small tear near the hem when unpacked.", "Stain on the front."),
    "defective": ("The zip broke the first time I used it.", "A seam opened at the shoulder."),
    "wrong_item": ("I received a different colour.", "Wrong size in the parcel."),
    "arrived_late": ("Arrived after the event I bought it for.",),
    "other": ("Ordered twice by mistake.", "A gift; they already have one."),
}
#: The store's merchant-fault reasons: no fees to waive.
_FREE_OF_FEES = frozenset(r.code for r in DEFAULT_RETURN_REASONS if r.is_merchant_fault)
_NOTE_ALWAYS = frozenset({"damaged", "defective", "wrong_item", "other"})
_SHIPPED_METHODS = (
    ReturnMethod.PREPAID_LABEL,
    ReturnMethod.QR_DROP_OFF,
    ReturnMethod.SHIP_YOURSELF,
    ReturnMethod.IN_STORE,
)

#: Open returns, newest first: each status is given to the newest return it fits.
ACTIVE_SEQUENCE = (
    S.REQUESTED, S.REQUESTED, S.NEEDS_INFO, S.APPROVED, S.REQUESTED, S.APPROVED, S.IN_TRANSIT,
    S.NEEDS_INFO, S.IN_TRANSIT, S.APPROVED, S.PARTIALLY_RECEIVED, S.IN_TRANSIT, S.RECEIVED,
    S.INSPECTED, S.RECEIVED, S.PARTIALLY_RECEIVED, S.INSPECTED, S.IN_TRANSIT, S.RECEIVED,
    S.INSPECTED,
)  # fmt: skip
_CLOSED_WEIGHTS = {S.COMPLETED: 84, S.REJECTED: 6, S.CANCELLED: 5, S.EXPIRED: 5}
#: Merchant-fault returns of items up to this unit price (before VAT) are not sent back.
KEEP_ITEM_UP_TO = 6_000
#: An expired return was approved and then waited out its 30-day deadline.
EXPIRY_AGE = timedelta(days=33)
#: Exchanges of one item where the shopper trades up to a dearer piece and pays the difference.
TRADE_UP_SHARE = 0.1
#: Refunds where staff waive the fees.
GOODWILL_REFUNDS = 2
_DEAREST = max(product.net_price for product in PRODUCTS if not product.is_final_sale)


@dataclass(frozen=True)
class PlacedLine:
    id: int
    fulfilled: int
    unit_price: int
    is_final_sale: bool
    is_bracketed: bool


@dataclass(frozen=True)
class PlacedOrder:
    """What return planning needs to know of an imported order."""

    id: int
    is_gift: bool
    placed_at: datetime
    delivered_at: datetime | None
    lines: tuple[PlacedLine, ...]


@dataclass(frozen=True)
class PlannedLine:
    order_line_id: int
    quantity: int
    reason_code: str
    reason_note: str
    unit_price: int


@dataclass
class ReturnPlan:
    """One return to play: what the shopper asks for, and the status it should end in."""

    order: PlacedOrder
    requested_at: datetime
    lines: list[PlannedLine]
    resolution: Resolution
    method: ReturnMethod
    status: ReturnStatus = S.REQUESTED
    partial_approval: bool = False
    #: What an exchange or replacement return is swapped for (None: it is paid in money).
    exchange: ExchangeKind | None = None
    #: The exchanged size sells out before approval, so the return falls back to store credit.
    sells_out: bool = False
    #: Staff waive the fees on its refund (the parcel reached the shopper late).
    goodwill: bool = False

    @property
    def order_id(self) -> int:
        return self.order.id

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)

    def returnable_lines(self) -> list[PlacedLine]:
        return _returnable(self.order)

    def widen(self) -> None:
        """Ask for every returnable unit of the order, keeping the reason of the first line."""
        first = self.lines[0]
        self.lines = [
            PlannedLine(
                line.id, line.fulfilled, first.reason_code, first.reason_note, line.unit_price
            )
            for line in self.returnable_lines()
        ]


def placed_order(demo: DemoOrder, row: OrderRow) -> PlacedOrder:
    """The imported row's ids joined with the payload's prices, flags and delivery."""
    payload = demo.payload
    ids = {line.platform_line_id: line.id for line in row.lines}
    fulfilled: dict[str, int] = defaultdict(int)
    for fulfilment in payload.fulfilments:
        for item in fulfilment.lines:
            fulfilled[item.line_id] += item.quantity
    return PlacedOrder(
        id=row.id,
        is_gift=payload.is_gift,
        placed_at=payload.placed_at,
        delivered_at=_delivered_at(demo),
        lines=tuple(
            PlacedLine(
                id=ids[line.id],
                fulfilled=fulfilled[line.id],
                unit_price=line.unit_price,
                is_final_sale=line.product is not None and line.product.is_final_sale,
                is_bracketed=line.id == demo.bracketed_line_id,
            )
            for line in payload.lines
        ),
    )


def _delivered_at(demo: DemoOrder) -> datetime | None:
    """When the last parcel arrived; None while any parcel is unsent or on its way."""
    moments = [fulfilment.delivered_at for fulfilment in demo.payload.fulfilments]
    arrived = [moment for moment in moments if moment is not None]
    return max(arrived) if arrived and len(arrived) == len(moments) else None


def plan_returns(rng: Random, orders: list[PlacedOrder], reference: datetime) -> list[ReturnPlan]:
    """Returns on about a fifth of delivered orders, oldest first, each with its final status."""
    plans = [plan for order in orders if (plan := _maybe_plan(rng, order, reference))]
    plans.sort(key=lambda plan: plan.requested_at)
    closed = _assign_open_statuses(plans, reference)
    _assign_closed_statuses(rng, closed, reference)
    for plan in plans:
        _settle_details(rng, plan)
    _plan_money(rng, plans)
    return plans


def _maybe_plan(rng: Random, order: PlacedOrder, reference: datetime) -> ReturnPlan | None:
    if order.delivered_at is None or order.delivered_at > reference - timedelta(days=1):
        return None
    candidates = _returnable(order)
    bracketed = [line for line in candidates if line.is_bracketed]
    if not candidates or rng.random() >= (0.75 if bracketed else 0.16):
        return None
    if bracketed:
        lines = [_planned_line(rng, bracketed[0], 1, rng.choice(_SIZE_REASONS))]
    else:
        lines = _chosen_lines(rng, candidates)
    return ReturnPlan(
        order=order,
        requested_at=_request_time(rng, order.delivered_at, reference),
        lines=lines,
        resolution=_resolution(rng, order.is_gift, lines[0].reason_code),
        method=rng.choices(_SHIPPED_METHODS, (50, 30, 14, 6))[0],
    )


def _returnable(order: PlacedOrder) -> list[PlacedLine]:
    return [line for line in order.lines if line.fulfilled and not line.is_final_sale]


def _chosen_lines(rng: Random, candidates: list[PlacedLine]) -> list[PlannedLine]:
    count = min(rng.choices((1, 2, 3), (75, 20, 5))[0], len(candidates))
    reason = _reason(rng)
    lines = []
    for line in rng.sample(candidates, count):
        quantity = line.fulfilled if rng.random() < 0.25 else 1
        line_reason = reason if rng.random() < 0.7 else _reason(rng)
        lines.append(_planned_line(rng, line, quantity, line_reason))
    return lines


def _planned_line(rng: Random, line: PlacedLine, quantity: int, reason: str) -> PlannedLine:
    with_note = reason in _NOTE_ALWAYS or rng.random() < 0.35
    note = rng.choice(_NOTES[reason]) if with_note else ""
    return PlannedLine(line.id, quantity, reason, note, line.unit_price)


def _reason(rng: Random) -> str:
    return rng.choices(list(REASON_WEIGHTS), list(REASON_WEIGHTS.values()))[0]


def _request_time(rng: Random, delivered_at: datetime, reference: datetime) -> datetime:
    """A few days after delivery, and never later than a few hours before `reference`."""
    wanted = delivered_at + timedelta(hours=rng.uniform(6, 24 * rng.choice((3, 7, 14))))
    return min(wanted, reference - timedelta(hours=rng.uniform(2, 20)))


def _resolution(rng: Random, is_gift: bool, reason: str) -> Resolution:
    if is_gift:
        return Resolution.STORE_CREDIT
    if reason in MERCHANT_FAULT and rng.random() < 0.25:
        return Resolution.REPLACEMENT
    if reason in _SIZE_REASONS and rng.random() < 0.35:
        return Resolution.EXCHANGE
    return rng.choices((Resolution.REFUND, Resolution.STORE_CREDIT), (78, 22))[0]


def _fits(status: ReturnStatus, plan: ReturnPlan, reference: datetime) -> bool:
    if status is S.PARTIALLY_RECEIVED:
        returnable_units = sum(line.fulfilled for line in plan.returnable_lines())
        return returnable_units >= 2 and plan.method is not ReturnMethod.IN_STORE
    if status is S.IN_TRANSIT:
        return plan.method is not ReturnMethod.IN_STORE
    if status is S.EXPIRED:
        return plan.requested_at <= reference - EXPIRY_AGE
    return True


def _assign_open_statuses(plans: list[ReturnPlan], reference: datetime) -> list[ReturnPlan]:
    """The newest returns are still open, each open status given to the newest it fits.

    Returns the plans left over, oldest first: those are closed.
    """
    waiting = list(ACTIVE_SEQUENCE)
    left = list(plans)
    for plan in reversed(plans):
        if not waiting:
            break
        status = next((s for s in waiting if _fits(s, plan, reference)), None)
        if status is not None:
            waiting.remove(status)
            plan.status = status
            if status is S.PARTIALLY_RECEIVED and plan.units < 2:
                plan.widen()
            left.remove(plan)
    return left


def _assign_closed_statuses(rng: Random, closed: list[ReturnPlan], reference: datetime) -> None:
    """Mostly completed; every closed status appears at least once when some plan fits it."""
    for plan in closed:
        status = rng.choices(list(_CLOSED_WEIGHTS), list(_CLOSED_WEIGHTS.values()))[0]
        plan.status = status if _fits(status, plan, reference) else S.COMPLETED
    for status in _CLOSED_WEIGHTS:
        if any(plan.status is status for plan in closed):
            continue
        spare = [p for p in closed if p.status is S.COMPLETED and _fits(status, p, reference)]
        if spare:
            spare[len(spare) // 2].status = status


def _settle_details(rng: Random, plan: ReturnPlan) -> None:
    """Cheap merchant-fault items are kept by the shopper; some approvals leave a line out."""
    cheap_fault = all(
        line.reason_code in MERCHANT_FAULT and line.unit_price <= KEEP_ITEM_UP_TO
        for line in plan.lines
    )
    if plan.status is S.COMPLETED and cheap_fault and rng.random() < 0.6:
        plan.method = ReturnMethod.KEEP_ITEM
        plan.resolution = Resolution.REFUND
    partial_ok = plan.status in (S.APPROVED, S.IN_TRANSIT, S.RECEIVED, S.INSPECTED, S.COMPLETED)
    if partial_ok and len(plan.lines) >= 2 and rng.random() < 0.3:
        plan.partial_approval = True


def _plan_money(rng: Random, plans: list[ReturnPlan]) -> None:
    """How exchanges are chosen, and the few returns whose money takes a turn.

    One completed size swap sells out before approval and one completed exchange trades up
    (the shopper owes a balance), whenever such returns exist. The refunds (with fees) of the
    orders that took longest to arrive get the fees waived for goodwill.
    """
    for plan in plans:
        if plan.resolution is Resolution.REPLACEMENT:
            plan.exchange = ExchangeKind.REPLACEMENT
        elif plan.resolution is Resolution.EXCHANGE:
            trade_up = _can_trade_up(plan) and rng.random() < TRADE_UP_SHARE
            plan.exchange = ExchangeKind.ANY_PRODUCT if trade_up else ExchangeKind.SAME_PRODUCT
    completed = [plan for plan in plans if plan.status is S.COMPLETED]
    swaps = [plan for plan in completed if plan.exchange is ExchangeKind.SAME_PRODUCT]
    if swaps:
        swaps[len(swaps) // 3].sells_out = True
    if not any(plan.exchange is ExchangeKind.ANY_PRODUCT for plan in completed):
        upgrades = [plan for plan in swaps if _can_trade_up(plan) and not plan.sells_out]
        if upgrades:
            upgrades[len(upgrades) * 2 // 3].exchange = ExchangeKind.ANY_PRODUCT
    charged = [
        plan
        for plan in completed
        if plan.resolution is Resolution.REFUND
        and plan.method is not ReturnMethod.KEEP_ITEM
        and not any(line.reason_code in _FREE_OF_FEES for line in plan.lines)
    ]
    charged.sort(key=_delivery_time, reverse=True)
    for plan in charged[:GOODWILL_REFUNDS]:
        plan.goodwill = True


def _delivery_time(plan: ReturnPlan) -> timedelta:
    delivered_at = plan.order.delivered_at
    return timedelta(0) if delivered_at is None else delivered_at - plan.order.placed_at


def _can_trade_up(plan: ReturnPlan) -> bool:
    """One line, and the shop sells a dearer piece."""
    return len(plan.lines) == 1 and plan.lines[0].unit_price < _DEAREST
