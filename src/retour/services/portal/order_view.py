"""What the shopper sees of their order: each item, how many can go back, and if none, why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from retour.db.repositories.orders import PortalLine, PortalOrderRead
from retour.db.repositories.returns import ReturnFilter
from retour.db.unit_of_work import UnitOfWork
from retour.domain.lines import Resolution, ReturnMethod
from retour.domain.policy import Evaluation, Finding
from retour.domain.returns import Return
from retour.services.errors import NotFound
from retour.services.exchanges.queries import VariantOption
from retour.services.policy.evaluation import judge_request
from retour.services.policy.inputs import CurrencyMismatch, LineAsk
from retour.services.policy.live import policy_in_force
from retour.services.portal.exchange_choice import options_by_line
from retour.services.portal.lookup import PortalAccess

#: What the portal offers when the policy allows it (an exchange: when an item has a variant
#: to swap for).
RESOLUTIONS = (Resolution.REFUND, Resolution.STORE_CREDIT, Resolution.EXCHANGE)
#: What it offers when the policy cannot judge the order.
WITHOUT_POLICY = (Resolution.REFUND, Resolution.STORE_CREDIT)
METHODS = (ReturnMethod.PREPAID_LABEL, ReturnMethod.QR_DROP_OFF, ReturnMethod.SHIP_YOURSELF)


@dataclass(frozen=True)
class ItemView:
    order_line_id: int
    title: str
    sku: str
    ordered: int
    returnable: int
    #: Paid per unit, tax included, after discounts (minor units of the order's currency).
    unit_paid: int
    #: Why nothing of it can be returned, in plain words (English); None: it can.
    refusal: str | None
    #: The other variants of its product it can be exchanged for, in stock or not; empty when
    #: the policy does not let it be exchanged.
    exchange_options: tuple[VariantOption, ...] = ()
    #: The policy's finding behind `refusal` (its code and parameters, for the shopper's
    #: language); None when the refusal is the portal's own ("Not shipped yet") or none.
    finding: Finding | None = None


@dataclass(frozen=True)
class ReasonView:
    code: str
    label: str
    requires_comment: bool
    requires_photo: bool
    is_merchant_fault: bool = False


@dataclass(frozen=True)
class PortalOrder:
    number: str
    currency: str
    placed_at: datetime
    items: tuple[ItemView, ...]
    reasons: tuple[ReasonView, ...]
    resolutions: tuple[Resolution, ...]
    methods: tuple[ReturnMethod, ...]
    returns: tuple[Return, ...]
    is_gift: bool = False

    @property
    def has_returnable_items(self) -> bool:
        return any(item.refusal is None for item in self.items)


def portal_order(
    uow: UnitOfWork,
    access: PortalAccess,
    now: datetime,
    *,
    listing: bool = True,
    exchange_options: bool = True,
) -> PortalOrder:
    """The order as the items page shows it. `listing=False` leaves out the order's returns
    and `exchange_options=False` the variants to swap for (no exchange is then offered): what
    the confirm step, which only checks the choices, does not need."""
    with uow:
        row = uow.orders.get_for_portal(access.store_id, access.order_id)
        if row is None:
            raise NotFound("order", access.order_id)
        held = uow.returns.held_on_order(access.store_id, row.id)
        shipped = _shipped(row)
        returnable = _returnable(row, shipped, held)
        reasons = tuple(
            ReasonView(
                reason.code,
                reason.label,
                reason.requires_comment,
                reason.requires_photo,
                reason.is_merchant_fault,
            )
            for reason in uow.stores.reasons(access.store_id)
            if reason.is_active
        )
        evaluation = _evaluation(uow, access, row, returnable, reasons, held, now)
        returns = (
            uow.returns.search(access.store_id, ReturnFilter(order_id=row.id), None, 50)
            if listing
            else []
        )
        resolutions, methods = _offered(evaluation)
        if access.is_gift:  # the recipient did not pay: no money back to the buyer's card
            resolutions = (Resolution.STORE_CREDIT,)
        offered = exchange_options and Resolution.EXCHANGE in resolutions
        exchangeable = _exchangeable(evaluation) if offered else []
        options = options_by_line(uow, access.store_id, row.id, exchangeable)
        items = tuple(
            _item(line, shipped, returnable, evaluation, options.get(line.id, ()))
            for line in row.lines
        )
    if not options:  # nothing to swap for: no exchange to offer
        resolutions = tuple(r for r in resolutions if r is not Resolution.EXCHANGE)
    return PortalOrder(
        row.number, row.currency, row.placed_at, items, reasons, resolutions, methods,
        tuple(returns), access.is_gift,
    )  # fmt: skip


def _shipped(row: PortalOrderRead) -> dict[int, int]:
    return {line.id: line.shipped for line in row.lines if line.shipped}


def _returnable(
    row: PortalOrderRead, shipped: dict[int, int], held: list[tuple[int, int]]
) -> dict[int, int]:
    left = {line.id: min(shipped.get(line.id, 0), line.quantity) for line in row.lines}
    for line_id, units in held:
        if line_id in left:
            left[line_id] -= units
    return {line_id: max(units, 0) for line_id, units in left.items()}


def _evaluation(
    uow: UnitOfWork,
    access: PortalAccess,
    row: PortalOrderRead,
    returnable: dict[int, int],
    reasons: tuple[ReasonView, ...],
    held: list[tuple[int, int]],
    now: datetime,
) -> Evaluation | None:
    """The policy's word on every returnable unit, asked with the first reason that is not
    the store's fault (the strictest case); None when there is nothing to ask or the policy
    cannot judge this order (another currency)."""
    if not reasons:
        return None
    strictest = next((r for r in reasons if not r.is_merchant_fault), reasons[0])
    asks = [
        LineAsk(line_id, units, strictest.code) for line_id, units in returnable.items() if units
    ]
    if not asks:
        return None
    policy = policy_in_force(uow, access.store_id).policy
    # The reasons read above are handed over: one statement fewer.
    merchant_fault = {reason.code: reason.is_merchant_fault for reason in reasons}
    try:
        judged = judge_request(
            uow, access.store_id, policy, row.id, asks, now, held=held,
            merchant_fault=merchant_fault,
        )  # fmt: skip
    except CurrencyMismatch:
        return None
    return judged.evaluation


def _item(
    line: PortalLine,
    shipped: dict[int, int],
    returnable: dict[int, int],
    evaluation: Evaluation | None,
    exchange_options: tuple[VariantOption, ...],
) -> ItemView:
    units = returnable.get(line.id, 0)
    paid = line.unit_price * line.quantity - line.line_discount - line.order_discount_allocated
    unit_paid = (paid + line.tax) // line.quantity if line.quantity else 0
    refusal: str | None = None
    finding: Finding | None = None
    if units == 0:
        refusal = "Not shipped yet" if not shipped.get(line.id) else "Already in a return"
    elif evaluation is not None:
        judged = next((e for e in evaluation.lines if e.order_line_id == line.id), None)
        if judged is not None and not judged.is_eligible and judged.refusals:
            finding = judged.refusals[0]
            refusal = finding.message
    return ItemView(
        line.id, line.title, line.sku, line.quantity, units, unit_paid, refusal,
        exchange_options if refusal is None else (), finding,
    )  # fmt: skip


def _exchangeable(evaluation: Evaluation | None) -> list[int]:
    """The order lines the policy lets be exchanged."""
    if evaluation is None:
        return []
    return [
        line.order_line_id
        for line in evaluation.eligible_lines
        if Resolution.EXCHANGE in line.resolutions
    ]


def _offered(
    evaluation: Evaluation | None,
) -> tuple[tuple[Resolution, ...], tuple[ReturnMethod, ...]]:
    """What the first eligible item may get and go back by (the policy's lists)."""
    if evaluation is None or not evaluation.eligible_lines:
        return WITHOUT_POLICY, METHODS
    first = evaluation.eligible_lines[0]
    resolutions = tuple(r for r in RESOLUTIONS if r in first.resolutions) or WITHOUT_POLICY
    methods = tuple(m for m in first.return_methods if m != ReturnMethod.KEEP_ITEM) or METHODS
    return resolutions, methods
