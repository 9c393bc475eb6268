"""Refunds: the quote of a return, paying it back, and retrying or voiding failed refunds."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import JSONResponse

from retour.db.models import RefundRow
from retour.domain.returns import Return
from retour.payments.registry import PaymentProviders
from retour.services.errors import NotFound
from retour.services.refunds.opening import RefundInstruction, open_refund
from retour.services.refunds.quoting import quote_return_refund
from retour.services.refunds.settling import (
    retry_refund,
    settle_pending_refunds,
    settle_refund,
    void_refund,
)
from retour.web.api.deps import Api
from retour.web.api.refund_schemas import (
    RefundCreate,
    RefundList,
    RefundPublic,
    RefundQuotePublic,
    VoidBody,
)

router = APIRouter(tags=["refunds"])
_RESPONSES: dict[int | str, dict[str, str]] = {
    404: {"description": "No such return or refund in this store"},
    409: {"description": "The return or refund is in a state that does not allow this"},
    422: {"description": "Invalid input, e.g. an amount above the refundable limit"},
}


def payment_providers(request: Request) -> PaymentProviders:
    providers: PaymentProviders = request.app.state.payment_providers
    return providers


Providers = Annotated[PaymentProviders, Depends(payment_providers)]


@router.get("/returns/{return_id}/refund-quote", response_model=RefundQuotePublic)
def refund_quote_route(return_id: int, api: Api) -> RefundQuotePublic:
    """What the return is worth now, itemised, with the total per method."""
    quote = quote_return_refund(api.uow(), api.store_id, return_id)
    return RefundQuotePublic.from_domain(return_id, quote)


@router.post(
    "/returns/{return_id}/refunds",
    response_model=RefundPublic,
    status_code=201,
    responses=_RESPONSES,
)
def create_refund_route(
    return_id: int, body: RefundCreate, api: Api, providers: Providers
) -> JSONResponse:
    """Pay the return back; the amount defaults to the quote. One Idempotency-Key, one refund."""
    instruction = RefundInstruction(
        method=body.method,
        amount=body.amount,
        reason=body.reason,
        reference=body.reference,
        idempotency_key=api.idempotency_key,
    )
    refund, replayed = open_refund(
        api.uow(), api.store_id, return_id, instruction, api.actor, api.clock.now(), providers
    )
    refund = _settled(refund, api, providers)
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return JSONResponse(_public(refund), status_code=201, headers=headers)


@router.get("/returns/{return_id}/refunds", response_model=RefundList)
def list_refunds_route(return_id: int, api: Api) -> RefundList:
    with api.uow() as uow:
        if uow.returns.get(api.store_id, return_id) is None:
            raise NotFound("return", return_id)
        refunds = uow.refunds.for_return(return_id)
        return RefundList(items=[RefundPublic.model_validate(refund) for refund in refunds])


@router.get("/refunds/{refund_id}", response_model=RefundPublic)
def get_refund_route(refund_id: int, api: Api) -> RefundPublic:
    with api.uow() as uow:
        refund = uow.refunds.get(api.store_id, refund_id)
        if refund is None:
            raise NotFound("refund", refund_id)
        return RefundPublic.model_validate(refund)


@router.post("/refunds/{refund_id}/retry", response_model=RefundPublic, responses=_RESPONSES)
def retry_refund_route(refund_id: int, api: Api, providers: Providers) -> JSONResponse:
    """Try a failed refund again (only its failed parts)."""
    refund = retry_refund(api.uow(), api.store_id, refund_id, api.actor, api.clock.now())
    return JSONResponse(_public(_settled(refund, api, providers)))


@router.post("/refunds/{refund_id}/void", response_model=RefundPublic, responses=_RESPONSES)
def void_refund_route(refund_id: int, body: VoidBody, api: Api) -> JSONResponse:
    """Give up on a failed refund that paid nothing back, to refund another way."""
    refund = void_refund(
        api.uow(), api.store_id, refund_id, api.actor, api.clock.now(), body.reason
    )
    return JSONResponse(_public(refund))


def settle_after(
    ret: Return, api: Api, background: BackgroundTasks, providers: PaymentProviders
) -> Return:
    """After an automatic refund (or an exchange's leftover paid back as a refund) left money
    pending, settle it once the response is sent."""
    if ret.refund_status == "pending" and ret.id is not None:
        settle_return_later(ret.id, api, background, providers)
    return ret


def settle_return_later(
    return_id: int, api: Api, background: BackgroundTasks, providers: PaymentProviders
) -> None:
    """Settle the return's pending refunds after the response, outside its transaction."""
    background.add_task(
        settle_pending_refunds,
        api.new_uow,
        providers,
        api.clock.now,
        api.actor,
        store_id=api.store_id,
        return_id=return_id,
    )


def _settled(refund: RefundRow, api: Api, providers: PaymentProviders) -> RefundRow:
    if refund.status != "pending":
        return refund
    return settle_refund(api.new_uow, api.store_id, refund.id, providers, api.clock.now, api.actor)


def _public(refund: RefundRow) -> dict[str, object]:
    return RefundPublic.model_validate(refund).model_dump(mode="json")
