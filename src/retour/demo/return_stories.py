"""Play each planned return through the return use cases, at the moments its story says.

A story is the status steps from `requested` to the plan's status, with the steps that move
money or exchanges (which leave the status as it is) where they fall between them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from random import Random

from retour.demo import exchange_choices, money_steps
from retour.demo.return_plans import ReturnPlan
from retour.demo.stage import CUSTOMER, Stage, saved_id
from retour.domain.exchanges import ExchangeKind
from retour.domain.inputs import InspectionInput, LineRequest, Receipt
from retour.domain.lines import Disposition, Grade, Resolution, ReturnMethod
from retour.domain.returns import Return
from retour.domain.statuses import ReturnStatus
from retour.services import returns as use_cases
from retour.services.context import SYSTEM
from retour.services.returns.common import act_on_return

S = ReturnStatus
D = Disposition

#: Hours between one step and the one before it (expiry counts from the deadline instead).
_GAP_HOURS = {
    "ask": (2, 24), "answer": (3, 48), "approve": (1, 20), "reject": (4, 30), "cancel": (2, 72),
    "ship": (12, 72), "receive_part": (40, 120), "receive": (40, 120), "receive_rest": (24, 96),
    "inspect": (3, 40), "complete": (1, 20), "expire": (0, 0),
    "choose": (0.05, 0.5), "sell_out": (1, 12), "release": (2, 36), "dispatch": (12, 60),
    "refund": (2, 30),
}  # fmt: skip
#: The status each step leaves the return in (None: the status stays as it was).
_RESULT: dict[str, ReturnStatus | None] = {
    "ask": S.NEEDS_INFO, "answer": S.REQUESTED, "approve": S.APPROVED, "reject": S.REJECTED,
    "cancel": S.CANCELLED, "ship": S.IN_TRANSIT, "receive_part": S.PARTIALLY_RECEIVED,
    "receive": S.RECEIVED, "receive_rest": S.RECEIVED, "inspect": S.INSPECTED,
    "complete": S.COMPLETED, "expire": S.EXPIRED,
    "choose": None, "sell_out": None, "release": None, "dispatch": None, "refund": None,
}  # fmt: skip
_PAID_IN_MONEY = frozenset({Resolution.REFUND, Resolution.STORE_CREDIT})
_INFO_REQUESTS = (
    "Could you send a photo of the item and its label?",
    "Which size would you like instead?",
    "Could you tell us more about the fault?",
)
_INFO_ANSWERS = ("Photo attached, thanks.", "A size M please.", "It happened on first wear.")
_REJECTIONS = (
    "The item shows clear signs of wear.",
    "Requested after the 30-day return window.",
    "Swimwear and underwear cannot be returned for hygiene reasons.",
)
_CANCELLATIONS = ("Decided to keep it after all.", "Ordered by mistake.", "")
_CARRIERS = {
    ReturnMethod.PREPAID_LABEL: ("Colissimo", "8R"),
    ReturnMethod.QR_DROP_OFF: ("Mondial Relay", "MR"),
    ReturnMethod.SHIP_YOURSELF: ("La Poste", "LP"),
}

Verdict = tuple[bool, Grade, Disposition, str]
_RESALEABLE: tuple[tuple[Verdict, int], ...] = (
    ((True, Grade.A, D.RESTOCK, ""), 68),
    ((True, Grade.B, D.RESTOCK, "Light creasing, steamed."), 14),
    ((True, Grade.B, D.REFURBISH, "Needs pressing and new tags."), 9),
    ((True, Grade.C, D.LIQUIDATE, "Faded after washing."), 5),
    ((False, Grade.D, D.DISPOSE, "Worn, tags removed."), 4),
)
_VERDICTS: dict[str, tuple[tuple[Verdict, int], ...]] = {
    "quality": (
        ((True, Grade.A, D.RESTOCK, ""), 35),
        ((True, Grade.B, D.REFURBISH, "Loose threads to fix."), 30),
        ((True, Grade.C, D.RETURN_TO_VENDOR, "Fabric flaw, back to the mill."), 35),
    ),
    "damaged": (
        ((True, Grade.C, D.REFURBISH, "Tear can be mended."), 40),
        ((True, Grade.D, D.DISPOSE, "Beyond repair."), 40),
        ((True, Grade.D, D.DONATE, "Stained; donated."), 20),
    ),
    "defective": (
        ((True, Grade.C, D.RETURN_TO_VENDOR, "Faulty part, claimed from the supplier."), 60),
        ((True, Grade.D, D.DISPOSE, "Not repairable."), 40),
    ),
    "wrong_item": (((True, Grade.A, D.RESTOCK, "Unworn, back to stock."), 100),),
}


def play_return(stage: Stage, plan: ReturnPlan) -> Return:
    """Request the return, then take each step of its story until it reaches its status."""
    steps = story(plan, stage.rng)
    moments = _timeline(stage, plan, steps)
    ret = _request(stage, plan)
    for step, moment in zip(steps, moments, strict=True):
        ret = _STEPS[step](stage, plan, ret, moment)
    return ret


def story(plan: ReturnPlan, rng: Random) -> list[str]:
    """The steps up to the plan's status, and the money steps that follow before the next."""
    path = _path(plan, rng)
    end = 0
    if plan.status is not S.REQUESTED:
        end = 1 + next(index for index, step in enumerate(path) if _RESULT[step] is plan.status)
    while end < len(path) and _RESULT[path[end]] is None:
        end += 1
    return path[:end]


def _path(plan: ReturnPlan, rng: Random) -> list[str]:
    preface = ["ask", "answer"] if rng.random() < 0.08 else []
    # After a partial approval the shopper picks for what was approved: the swap is priced
    # against the approved units (chosen before, its price would not follow the approval).
    choosing = [] if plan.exchange is None else ["choose"]
    opening, approving = (
        ([], ["approve", *choosing]) if plan.partial_approval else (choosing, ["approve"])
    )
    if plan.status is S.NEEDS_INFO:
        return [*opening, "ask"]
    if plan.status is S.REJECTED:
        return [*opening, *preface, "reject"]
    if plan.status is S.CANCELLED:
        return [*opening, *preface, *rng.choice((["cancel"], ["approve", "cancel"]))]
    if plan.status is S.EXPIRED:
        return [*opening, "approve", "expire"]
    # Inspected returns stay unpaid: staff have not got to them yet.
    settling = ["refund"] if _is_paid_in_money(plan) and plan.status is S.COMPLETED else []
    if plan.method is ReturnMethod.KEEP_ITEM:
        return [*preface, "approve", *settling, "complete"]
    selling_out = ["sell_out"] if plan.sells_out else []
    shipping = [] if plan.method is ReturnMethod.IN_STORE else ["ship"]
    split = plan.status is S.PARTIALLY_RECEIVED or (
        _approved_units(plan) > 1 and rng.random() < 0.05
    )
    receiving = ["receive_part", "receive_rest"] if split else ["receive"]
    handing_over = _handing_over(plan)
    return [
        *opening,
        *preface,
        *selling_out,
        *approving,
        *shipping,
        *receiving,
        *handing_over,
        "inspect",
        *settling,
        "complete",
    ]


def _is_paid_in_money(plan: ReturnPlan) -> bool:
    """Refunds and store credit, and the exchange that falls back to store credit."""
    return plan.resolution in _PAID_IN_MONEY or plan.sells_out


def _handing_over(plan: ReturnPlan) -> list[str]:
    """Once the parcel is in: a trade-up waits for the shopper's payment, then the warehouse
    ships the exchange (for completed returns; newer ones are still in its queue)."""
    if plan.exchange is None or plan.sells_out:
        return []
    paying = ["release"] if plan.exchange is ExchangeKind.ANY_PRODUCT else []
    shipping = ["dispatch"] if plan.status is S.COMPLETED else []
    return [*paying, *shipping]


def _approved_units(plan: ReturnPlan) -> int:
    left_out = plan.lines[-1].quantity if plan.partial_approval else 0
    return plan.units - left_out


def _timeline(stage: Stage, plan: ReturnPlan, steps: list[str]) -> list[datetime]:
    """A moment per step, squeezed when needed so that the story ends before the reference."""
    gaps = [timedelta(hours=stage.rng.uniform(*_GAP_HOURS[step])) for step in steps]
    room = stage.reference - timedelta(minutes=30) - plan.requested_at
    total = sum(gaps, timedelta())
    if total > room:
        gaps = [gap * (room / total) for gap in gaps]
    return [plan.requested_at + elapsed for elapsed in itertools.accumulate(gaps)]


def _request(stage: Stage, plan: ReturnPlan) -> Return:
    lines = [
        LineRequest(line.order_line_id, line.quantity, line.reason_code, line.reason_note)
        for line in plan.lines
    ]
    request = use_cases.ReturnRequest(plan.order_id, lines, plan.resolution, plan.method)
    return use_cases.request_return(stage.uow, stage.store_id, request, CUSTOMER, plan.requested_at)


def _ask(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    message = stage.rng.choice(_INFO_REQUESTS)
    return use_cases.request_return_info(
        stage.uow, stage.store_id, saved_id(ret), stage.staff, at, message
    )


def _answer(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    message = stage.rng.choice(_INFO_ANSWERS)
    return use_cases.answer_return_info(
        stage.uow, stage.store_id, saved_id(ret), CUSTOMER, at, message
    )


def _approve(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    quantities = None
    if plan.partial_approval:
        quantities = {_line_id(line.id): line.requested_quantity for line in ret.lines}
        quantities[_line_id(ret.lines[-1].id)] = 0
    return use_cases.approve_return(
        stage.uow, stage.store_id, saved_id(ret), stage.staff, at, quantities
    )


def _line_id(line_id: int | None) -> int:
    if line_id is None:
        raise ValueError("return line was never saved")
    return line_id


def _reject(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    reason = stage.rng.choice(_REJECTIONS)
    return use_cases.reject_return(
        stage.uow, stage.store_id, saved_id(ret), stage.staff, at, reason
    )


def _cancel(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    reason = stage.rng.choice(_CANCELLATIONS)
    return use_cases.cancel_return(stage.uow, stage.store_id, saved_id(ret), CUSTOMER, at, reason)


def _ship(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    carrier, prefix = _CARRIERS[plan.method]
    tracking = f"{prefix}{stage.rng.randrange(10**9, 10**10)}FR"
    return use_cases.mark_return_in_transit(
        stage.uow, stage.store_id, saved_id(ret), SYSTEM, at, tracking, carrier
    )


def _receive_part(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    first = next(line for line in ret.lines if line.awaiting_receipt_quantity)
    receipts = [Receipt(_line_id(first.id), 1)]
    return use_cases.receive_return(
        stage.uow, stage.store_id, saved_id(ret), stage.staff, at, receipts
    )


def _receive(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    receipts = [
        Receipt(_line_id(line.id), line.awaiting_receipt_quantity)
        for line in ret.lines
        if line.awaiting_receipt_quantity
    ]
    return use_cases.receive_return(
        stage.uow, stage.store_id, saved_id(ret), stage.staff, at, receipts
    )


def _inspect(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    """One verdict per unit, drawn from what the line's return reason makes likely."""
    verdicts = []
    for line in ret.lines:
        table = _VERDICTS.get(line.reason_code, _RESALEABLE)
        for _ in range(line.awaiting_inspection_quantity):
            accepted, grade, disposition, note = stage.rng.choices(
                [verdict for verdict, _ in table], [weight for _, weight in table]
            )[0]
            verdicts.append(
                InspectionInput(_line_id(line.id), 1, accepted, grade, disposition, note)
            )
    return use_cases.inspect_return(
        stage.uow, stage.store_id, saved_id(ret), stage.staff, at, verdicts
    )


def _complete(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    return use_cases.complete_return(stage.uow, stage.store_id, saved_id(ret), stage.staff, at)


def _expire(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    """The scheduler's expiry, a few hours after the deadline, for this return alone; like
    the scheduler, it closes the return's exchange too."""
    if ret.expires_at is None:
        raise ValueError(f"return {ret.number} has no deadline")
    moment = ret.expires_at + timedelta(hours=stage.rng.uniform(1, 6))
    return act_on_return(
        stage.uow,
        stage.store_id,
        saved_id(ret),
        SYSTEM,
        moment,
        lambda r: r.expire(moment),
        "closing",
    )


_STEPS: dict[str, Callable[[Stage, ReturnPlan, Return, datetime], Return]] = {
    "ask": _ask,
    "answer": _answer,
    "approve": _approve,
    "reject": _reject,
    "cancel": _cancel,
    "ship": _ship,
    "receive_part": _receive_part,
    "receive": _receive,
    "receive_rest": _receive,
    "inspect": _inspect,
    "complete": _complete,
    "expire": _expire,
    "choose": exchange_choices.choose,
    "sell_out": money_steps.sell_out,
    "release": money_steps.release,
    "dispatch": money_steps.dispatch,
    "refund": money_steps.refund,
}
