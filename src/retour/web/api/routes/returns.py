"""Returns: request, read, and one POST per lifecycle action."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query
from fastapi.responses import JSONResponse, Response

from retour.db.repositories.returns import ReturnFilter
from retour.domain.errors import InvalidRequest
from retour.domain.inputs import InspectionInput, LineRequest, Receipt, UnexpectedItem
from retour.domain.statuses import ReturnStatus
from retour.services import queries
from retour.services import returns as use_cases
from retour.web.api.deps import Api
from retour.web.api.override_schemas import ReturnCreateWithOverride, TermsOverrideBody
from retour.web.api.routes.refunds import Providers, settle_after
from retour.web.api.schemas import (
    ApproveBody,
    CancelBody,
    EventList,
    EventPublic,
    InspectBody,
    InTransitBody,
    LocationChangeBody,
    MessageBody,
    QuantitiesBody,
    ReceiveBody,
    RejectBody,
    ReturnPage,
    ReturnPublic,
)

router = APIRouter(prefix="/returns", tags=["returns"])
_ACTION_RESPONSES: dict[int | str, dict[str, str]] = {
    404: {"description": "No such return in this store"},
    409: {"description": "The current status does not allow this action"},
    422: {"description": "Invalid input, e.g. a quantity above the maximum allowed"},
}
_CREATE_RESPONSES: dict[int | str, dict[str, str]] = {
    **_ACTION_RESPONSES,
    422: {
        "description": "Invalid input; `not_eligible`: the return policy refuses lines "
        "(`refusals` names each line and rule); `currency_mismatch`"
    },
}


@router.post("", response_model=ReturnPublic, status_code=201, responses=_CREATE_RESPONSES)
def request_return_route(
    body: ReturnCreateWithOverride, api: Api, background: BackgroundTasks
) -> JSONResponse:
    """Open a return against one order; under a live policy it must pass the policy (or staff
    override it), and the policy may approve or reject it at once."""
    request = use_cases.ReturnRequest(
        order_id=body.order_id,
        lines=[
            LineRequest(
                order_line_id=line.order_line_id,
                quantity=line.quantity,
                reason_code=line.reason_code,
                reason_note=line.reason_note,
                resolution=line.resolution,
            )
            for line in body.lines
        ],
        resolution=body.resolution,
        return_method=body.return_method,
        customer_note=body.customer_note,
        policy_override=body.policy_override.reason if body.policy_override else None,
    )
    return api.mutate(
        body,
        lambda uow: settle_after(
            use_cases.request_return(uow, api.store_id, request, api.actor, api.clock.now()),
            api,
            background,
            # Read here, not as a dependency: a sync dependency costs a thread-pool hop, and
            # only a policy's automatic approval can leave a refund to settle.
            api.request.app.state.payment_providers,
        ),
        ReturnPublic.from_domain,
        status_code=201,
    )


@router.get("", response_model=ReturnPage)
def list_returns_route(
    api: Api,
    status: ReturnStatus | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    customer_email: str | None = None,
    order_id: int | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ReturnPage:
    """Newest first; follow `next_cursor` for the next page."""
    where = ReturnFilter(
        status=status.value if status else None,
        created_from=created_from,
        created_to=created_to,
        customer_email=customer_email,
        order_id=order_id,
    )
    page = queries.list_returns(api.uow(), api.store_id, where, cursor, limit)
    return ReturnPage(
        items=[ReturnPublic.from_domain(ret) for ret in page.items], next_cursor=page.next_cursor
    )


@router.get("/{return_id}", response_model=ReturnPublic, responses=_ACTION_RESPONSES)
async def get_return_route(return_id: int, api: Api) -> Response:
    """The return with its lines, quantities, inspections and allowed actions."""
    # The hottest read: one autocommit statement (~1 ms) that never waits on a lock, so it
    # runs on the event loop; a hop to the thread pool would cost more than the query.
    ret = queries.get_return(api.uow(), api.store_id, return_id)
    return Response(ReturnPublic.from_domain(ret).model_dump_json(), media_type="application/json")


@router.get("/{return_id}/events", response_model=EventList)
def return_events_route(return_id: int, api: Api) -> EventList:
    """The return's timeline, oldest first."""
    events = queries.return_events(api.uow(), api.store_id, return_id)
    return EventList(items=[EventPublic.model_validate(event) for event in events])


@router.post("/{return_id}/approve", response_model=ReturnPublic, responses=_ACTION_RESPONSES)
def approve_route(
    return_id: int,
    api: Api,
    background: BackgroundTasks,
    providers: Providers,
    body: ApproveBody | None = None,
) -> JSONResponse:
    """Approve everything requested, or only the listed lines and quantities."""
    quantities = (
        {line.line_id: line.quantity for line in body.lines}
        if body is not None and body.lines is not None
        else None
    )
    return api.mutate(
        body,
        lambda uow: settle_after(
            use_cases.approve_return(
                uow, api.store_id, return_id, api.actor, api.clock.now(), quantities
            ),
            api,
            background,
            providers,
        ),
        ReturnPublic.from_domain,
    )


_QUANTITIES_RESPONSES: dict[int | str, dict[str, str]] = {
    **_ACTION_RESPONSES,
    409: {
        "description": "The current status does not allow it (`illegal_transition`), or the "
        "return changed since `expected_updated_at` (`concurrent_modification`)"
    },
}


@router.post(
    "/{return_id}/quantities", response_model=ReturnPublic, responses=_QUANTITIES_RESPONSES
)
def edit_quantities_route(
    return_id: int,
    body: QuantitiesBody,
    api: Api,
    background: BackgroundTasks,
    providers: Providers,
) -> JSONResponse:
    """Change approved units after approval (approved, in transit, partially received), for
    lines none of whose units arrived and no refund holds; never every line at 0. With
    `expected_updated_at`, only if the return is still as the caller read it."""
    quantities: dict[int, int] = {}
    for index, line in enumerate(body.lines):
        if line.line_id in quantities:
            raise InvalidRequest(
                f"line {line.line_id} appears twice", field=f"lines[{index}].line_id"
            )
        quantities[line.line_id] = line.quantity
    return api.mutate(
        body,
        lambda uow: settle_after(
            use_cases.edit_return_quantities(
                uow,
                api.store_id,
                return_id,
                api.actor,
                api.clock.now(),
                quantities,
                body.reason,
                body.expected_updated_at,
            ),
            api,
            background,
            providers,
        ),
        ReturnPublic.from_domain,
    )


@router.post("/{return_id}/reject", response_model=ReturnPublic, responses=_ACTION_RESPONSES)
def reject_route(return_id: int, body: RejectBody, api: Api) -> JSONResponse:
    return api.mutate(
        body,
        lambda uow: use_cases.reject_return(
            uow, api.store_id, return_id, api.actor, api.clock.now(), body.reason
        ),
        ReturnPublic.from_domain,
    )


@router.post("/{return_id}/request-info", response_model=ReturnPublic, responses=_ACTION_RESPONSES)
def request_info_route(return_id: int, body: MessageBody, api: Api) -> JSONResponse:
    """Ask the shopper a question; the return waits in `needs_info`."""
    return api.mutate(
        body,
        lambda uow: use_cases.request_return_info(
            uow, api.store_id, return_id, api.actor, api.clock.now(), body.message
        ),
        ReturnPublic.from_domain,
    )


@router.post("/{return_id}/answer-info", response_model=ReturnPublic, responses=_ACTION_RESPONSES)
def answer_info_route(return_id: int, body: MessageBody, api: Api) -> JSONResponse:
    """The shopper's answer; the return goes back to `requested`."""
    return api.mutate(
        body,
        lambda uow: use_cases.answer_return_info(
            uow, api.store_id, return_id, api.actor, api.clock.now(), body.message
        ),
        ReturnPublic.from_domain,
    )


@router.post("/{return_id}/cancel", response_model=ReturnPublic, responses=_ACTION_RESPONSES)
def cancel_route(return_id: int, api: Api, body: CancelBody | None = None) -> JSONResponse:
    """Cancel, only before anything has been received."""
    reason = body.reason if body is not None else ""
    return api.mutate(
        body,
        lambda uow: use_cases.cancel_return(
            uow, api.store_id, return_id, api.actor, api.clock.now(), reason
        ),
        ReturnPublic.from_domain,
    )


@router.post(
    "/{return_id}/location",
    response_model=ReturnPublic,
    responses={
        **_ACTION_RESPONSES,
        409: {
            "description": "`illegal_transition` naming the status (only requested, needs_info "
            "or approved returns move); `label_addressed_elsewhere`: void the label first"
        },
    },
)
def change_location_route(return_id: int, body: LocationChangeBody, api: Api) -> JSONResponse:
    """Send the return to another of the store's locations (`GET /locations`), with a reason;
    a label already made must be voided first."""
    return api.mutate(
        body,
        lambda uow: use_cases.change_return_location(
            uow, api.store_id, return_id, api.actor, api.clock.now(), body.location, body.reason
        ),
        ReturnPublic.from_domain,
    )


@router.post(
    "/{return_id}/policy-override",
    response_model=ReturnPublic,
    responses={
        **_ACTION_RESPONSES,
        409: {
            "description": "`illegal_transition` naming the status (closed returns and "
            "returns refunded in full keep their terms)"
        },
    },
)
def override_policy_route(return_id: int, body: TermsOverrideBody, api: Api) -> JSONResponse:
    """Override the return's refund terms, with a reason: waive fees, refund the order's
    original shipping. Quotes and refunds use them from then on; refunds already made are not
    recalculated. The latest override replaces the one before."""
    return api.mutate(
        body,
        lambda uow: use_cases.override_return_policy(
            uow, api.store_id, return_id, api.actor, api.clock.now(), body.override()
        ),
        ReturnPublic.from_domain,
    )


@router.post(
    "/{return_id}/mark-in-transit", response_model=ReturnPublic, responses=_ACTION_RESPONSES
)
def mark_in_transit_route(return_id: int, body: InTransitBody, api: Api) -> JSONResponse:
    return api.mutate(
        body,
        lambda uow: use_cases.mark_return_in_transit(
            uow,
            api.store_id,
            return_id,
            api.actor,
            api.clock.now(),
            body.tracking_number,
            body.carrier,
        ),
        ReturnPublic.from_domain,
    )


@router.post("/{return_id}/receive", response_model=ReturnPublic, responses=_ACTION_RESPONSES)
def receive_route(
    return_id: int,
    body: ReceiveBody,
    api: Api,
    background: BackgroundTasks,
    providers: Providers,
) -> JSONResponse:
    """Record units that arrived, wrong items, and extras nobody asked for."""
    receipts = [Receipt(line.line_id, line.quantity, line.wrong_item) for line in body.lines]
    unexpected = [
        UnexpectedItem(sku=item.sku, title=item.title, quantity=item.quantity, note=item.note)
        for item in body.unexpected_items
    ]
    return api.mutate(
        body,
        lambda uow: settle_after(
            use_cases.receive_return(
                uow, api.store_id, return_id, api.actor, api.clock.now(), receipts, unexpected
            ),
            api,
            background,
            providers,
        ),
        ReturnPublic.from_domain,
    )


@router.post("/{return_id}/inspect", response_model=ReturnPublic, responses=_ACTION_RESPONSES)
def inspect_route(
    return_id: int,
    body: InspectBody,
    api: Api,
    background: BackgroundTasks,
    providers: Providers,
) -> JSONResponse:
    """Grade and route received units; restocked units become sellable stock."""
    verdicts = [
        InspectionInput(
            line_id=line.line_id,
            quantity=line.quantity,
            is_accepted=line.accepted,
            grade=line.grade,
            disposition=line.disposition,
            note=line.note,
            is_wrong_item=line.wrong_item,
            arrived_sku=line.arrived_sku,
        )
        for line in body.lines
    ]
    return api.mutate(
        body,
        lambda uow: settle_after(
            use_cases.inspect_return(
                uow, api.store_id, return_id, api.actor, api.clock.now(), verdicts
            ),
            api,
            background,
            providers,
        ),
        ReturnPublic.from_domain,
    )


@router.post("/{return_id}/complete", response_model=ReturnPublic, responses=_ACTION_RESPONSES)
def complete_route(return_id: int, api: Api) -> JSONResponse:
    """Close the return once every line has an outcome."""
    return api.mutate(
        None,
        lambda uow: use_cases.complete_return(
            uow, api.store_id, return_id, api.actor, api.clock.now()
        ),
        ReturnPublic.from_domain,
    )
