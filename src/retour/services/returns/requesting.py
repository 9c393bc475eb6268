"""A shopper (or staff on their behalf) asks to return items of one order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from retour.db.repositories.returns import rma_number
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.inputs import LineRequest
from retour.domain.lines import Resolution, ReturnMethod
from retour.domain.orders import returnable_quantities
from retour.domain.returns import Return
from retour.services.context import Actor
from retour.services.errors import NotFound
from retour.services.policy.admission import admit_return, apply_decision, record_admission
from retour.services.policy.live import live_policy
from retour.services.return_routing import location_for_return


@dataclass(frozen=True)
class ReturnRequest:
    order_id: int
    lines: Sequence[LineRequest]
    resolution: Resolution = Resolution.REFUND
    return_method: ReturnMethod = ReturnMethod.SHIP_YOURSELF
    customer_note: str = ""
    #: Staff overriding the return policy's refusals give their reason here (docs/policy.md).
    policy_override: str | None = None


def request_return(
    uow: UnitOfWork, store_id: int, request: ReturnRequest, actor: Actor, now: datetime
) -> Return:
    """Open a return; quantities must fit in what was fulfilled less what other returns hold.

    Under a live policy the request must also pass it (or staff override it), the policy's
    word is kept with the return, and its automatic decision is carried out at once.
    """
    with uow:
        order = uow.orders.get_for_returns(store_id, request.order_id)
        if order is None:
            raise NotFound("order", request.order_id)
        _reason_codes_exist(uow, store_id, request.lines)
        held = uow.returns.held_on_order(store_id, order.id)
        # A store without a policy pays this one indexed look-up and nothing else.
        live = live_policy(uow, store_id)
        admission = None
        if live is not None:
            admission = admit_return(
                uow, store_id, live, order.id, request.lines, request.resolution,
                request.return_method, held, request.policy_override, now,
            )  # fmt: skip
        return_id, line_ids = uow.returns.reserve_ids(len(request.lines))
        ret = Return.request(
            order=order,
            return_id=return_id,
            line_ids=line_ids,
            number=rma_number(return_id),
            requests=request.lines,
            returnable=returnable_quantities(order, held),
            resolution=request.resolution,
            return_method=request.return_method,
            customer_note=request.customer_note,
            now=now,
        )
        if admission is not None:
            record_admission(ret, admission)
        location_id = location_for_return(uow, store_id, order, request.lines)
        uow.returns.add(ret, location_id=location_id)
        uow.events.append(
            ret.events,
            store_id=store_id,
            actor=str(actor),
            occurred_at=now,
            return_id=ret.id,
            order_id=order.id,
        )
        ret.events.clear()
        if admission is not None:
            ret = apply_decision(uow, ret, admission, now)
        uow.commit()
    return ret


def _reason_codes_exist(uow: UnitOfWork, store_id: int, lines: Sequence[LineRequest]) -> None:
    known = uow.stores.active_reason_codes(store_id)
    for index, line in enumerate(lines):
        if line.reason_code not in known:
            raise InvalidRequest(
                f"unknown return reason {line.reason_code!r}; one of: {', '.join(sorted(known))}",
                field=f"lines[{index}].reason_code",
            )
