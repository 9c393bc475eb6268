"""Play each planned return through the return use cases, at the moments its story says."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from random import Random

from retour.db.unit_of_work import UnitOfWork
from retour.demo.return_plans import ReturnPlan
from retour.domain.inputs import InspectionInput, LineRequest, Receipt
from retour.domain.lines import Disposition, Grade, ReturnMethod
from retour.domain.returns import Return
from retour.domain.statuses import ReturnStatus
from retour.services import returns as use_cases
from retour.services.context import SYSTEM, Actor
from retour.services.returns.common import act_on_return

S = ReturnStatus
D = Disposition
CUSTOMER = Actor("customer")

#: Hours between one step and the one before it (expiry counts from the deadline instead).
_GAP_HOURS = {
    "ask": (2, 24), "answer": (3, 48), "approve": (1, 20), "reject": (4, 30), "cancel": (2, 72),
    "ship": (12, 72), "receive_part": (40, 120), "receive": (40, 120), "receive_rest": (24, 96),
    "inspect": (3, 40), "complete": (1, 20), "expire": (0, 0),
}  # fmt: skip
#: The status each step leaves the return in.
_RESULT = {
    "ask": S.NEEDS_INFO, "answer": S.REQUESTED, "approve": S.APPROVED, "reject": S.REJECTED,
    "cancel": S.CANCELLED, "ship": S.IN_TRANSIT, "receive_part": S.PARTIALLY_RECEIVED,
    "receive": S.RECEIVED, "receive_rest": S.RECEIVED, "inspect": S.INSPECTED,
    "complete": S.COMPLETED, "expire": S.EXPIRED,
}  # fmt: skip
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


@dataclass(frozen=True)
class Stage:
    """Where the returns are played: the store, who acts for the shop, and the dice."""

    uow: UnitOfWork
    store_id: int
    staff: Actor
    rng: Random
    reference: datetime


def play_return(stage: Stage, plan: ReturnPlan) -> Return:
    """Request the return, then take each step of its story until it reaches its status."""
    steps = story(plan, stage.rng)
    moments = _timeline(stage, plan, steps)
    ret = _request(stage, plan)
    for step, moment in zip(steps, moments, strict=True):
        ret = _STEPS[step](stage, plan, ret, moment)
    return ret


def story(plan: ReturnPlan, rng: Random) -> list[str]:
    """The steps from `requested` to the plan's status."""
    if plan.status is S.REQUESTED:
        return []
    path = _path(plan, rng)
    last = next(index for index, step in enumerate(path) if _RESULT[step] is plan.status)
    return path[: last + 1]


def _path(plan: ReturnPlan, rng: Random) -> list[str]:
    preface = ["ask", "answer"] if rng.random() < 0.08 else []
    if plan.status is S.NEEDS_INFO:
        return ["ask"]
    if plan.status is S.REJECTED:
        return [*preface, "reject"]
    if plan.status is S.CANCELLED:
        return [*preface, *rng.choice((["cancel"], ["approve", "cancel"]))]
    if plan.status is S.EXPIRED:
        return ["approve", "expire"]
    if plan.method is ReturnMethod.KEEP_ITEM:
        return [*preface, "approve", "complete"]
    shipping = [] if plan.method is ReturnMethod.IN_STORE else ["ship"]
    split = plan.status is S.PARTIALLY_RECEIVED or (
        _approved_units(plan) > 1 and rng.random() < 0.05
    )
    receiving = ["receive_part", "receive_rest"] if split else ["receive"]
    return [*preface, "approve", *shipping, *receiving, "inspect", "complete"]


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


def _id(ret: Return) -> int:
    if ret.id is None:
        raise ValueError(f"return {ret.number} was never saved")
    return ret.id


def _ask(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    message = stage.rng.choice(_INFO_REQUESTS)
    return use_cases.request_return_info(
        stage.uow, stage.store_id, _id(ret), stage.staff, at, message
    )


def _answer(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    message = stage.rng.choice(_INFO_ANSWERS)
    return use_cases.answer_return_info(stage.uow, stage.store_id, _id(ret), CUSTOMER, at, message)


def _approve(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    quantities = None
    if plan.partial_approval:
        quantities = {_line_id(line.id): line.requested_quantity for line in ret.lines}
        quantities[_line_id(ret.lines[-1].id)] = 0
    return use_cases.approve_return(
        stage.uow, stage.store_id, _id(ret), stage.staff, at, quantities
    )


def _line_id(line_id: int | None) -> int:
    if line_id is None:
        raise ValueError("return line was never saved")
    return line_id


def _reject(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    reason = stage.rng.choice(_REJECTIONS)
    return use_cases.reject_return(stage.uow, stage.store_id, _id(ret), stage.staff, at, reason)


def _cancel(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    reason = stage.rng.choice(_CANCELLATIONS)
    return use_cases.cancel_return(stage.uow, stage.store_id, _id(ret), CUSTOMER, at, reason)


def _ship(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    carrier, prefix = _CARRIERS[plan.method]
    tracking = f"{prefix}{stage.rng.randrange(10**9, 10**10)}FR"
    return use_cases.mark_return_in_transit(
        stage.uow, stage.store_id, _id(ret), SYSTEM, at, tracking, carrier
    )


def _receive_part(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    first = next(line for line in ret.lines if line.awaiting_receipt_quantity)
    receipts = [Receipt(_line_id(first.id), 1)]
    return use_cases.receive_return(stage.uow, stage.store_id, _id(ret), stage.staff, at, receipts)


def _receive(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    receipts = [
        Receipt(_line_id(line.id), line.awaiting_receipt_quantity)
        for line in ret.lines
        if line.awaiting_receipt_quantity
    ]
    return use_cases.receive_return(stage.uow, stage.store_id, _id(ret), stage.staff, at, receipts)


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
    return use_cases.inspect_return(stage.uow, stage.store_id, _id(ret), stage.staff, at, verdicts)


def _complete(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    return use_cases.complete_return(stage.uow, stage.store_id, _id(ret), stage.staff, at)


def _expire(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    """The scheduler's expiry, a few hours after the deadline, for this return alone."""
    if ret.expires_at is None:
        raise ValueError(f"return {ret.number} has no deadline")
    moment = ret.expires_at + timedelta(hours=stage.rng.uniform(1, 6))
    return act_on_return(
        stage.uow, stage.store_id, _id(ret), SYSTEM, moment, lambda r: r.expire(moment)
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
}
