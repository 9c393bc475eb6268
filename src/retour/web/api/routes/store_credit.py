"""Store credit: a code's balance, redemptions at checkout, staff adjustments and goodwill."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from retour.services.store_credit import queries
from retour.services.store_credit.spending import adjust_credit, grant_credit, redeem_credit
from retour.web.api.credit_schemas import (
    AdjustmentCreate,
    CreditBalancePublic,
    CreditEntryPublic,
    CreditGrantCreate,
    CustomerStatementPublic,
    RedemptionCreate,
)
from retour.web.api.deps import Api

router = APIRouter(tags=["store credit"])
_RESPONSES: dict[int | str, dict[str, str]] = {
    404: {"description": "No such store-credit code in this store"},
    409: {"description": "Another request moved the same credit at the same moment; retry"},
    422: {"description": "Invalid input, e.g. an amount above the spendable balance"},
}


@router.get(
    "/store-credit/{code}", response_model=CreditBalancePublic, responses={404: _RESPONSES[404]}
)
def balance_route(code: str, api: Api) -> CreditBalancePublic:
    """The code's balance, what is spendable now, and its lots with when they lapse."""
    view = queries.credit_balance(api.uow(), api.store_id, code, api.clock.now())
    return CreditBalancePublic.from_view(view)


@router.post(
    "/store-credit/{code}/redemptions",
    response_model=CreditEntryPublic,
    status_code=201,
    responses=_RESPONSES,
)
def redeem_route(code: str, body: RedemptionCreate, api: Api) -> JSONResponse:
    """Spend credit at checkout. Send an `Idempotency-Key` so a retry never spends twice."""
    return api.mutate(
        body,
        lambda uow: redeem_credit(
            uow,
            api.store_id,
            code,
            body.amount,
            body.reference,
            api.idempotency_key,
            api.actor,
            api.clock.now(),
        ),
        CreditEntryPublic.from_recorded,
        status_code=201,
    )


@router.post(
    "/store-credit/{code}/adjustments",
    response_model=CreditEntryPublic,
    status_code=201,
    responses=_RESPONSES,
)
def adjust_route(code: str, body: AdjustmentCreate, api: Api) -> JSONResponse:
    """A staff correction with a reason: positive adds credit, negative takes it away."""
    return api.mutate(
        body,
        lambda uow: adjust_credit(
            uow,
            api.store_id,
            code,
            body.amount,
            body.reason,
            api.idempotency_key,
            api.actor,
            api.clock.now(),
            body.expires_in_days,
        ),
        CreditEntryPublic.from_recorded,
        status_code=201,
    )


@router.post(
    "/store-credit",
    response_model=CreditEntryPublic,
    status_code=201,
    responses={422: _RESPONSES[422]},
)
def grant_route(body: CreditGrantCreate, api: Api) -> JSONResponse:
    """Goodwill credit to a customer's e-mail; the account (and its code) is opened if need be."""
    return api.mutate(
        body,
        lambda uow: grant_credit(
            uow,
            api.store_id,
            body.customer_email,
            body.currency,
            body.amount,
            body.reason,
            api.actor,
            api.clock.now(),
            body.expires_in_days,
        ),
        CreditEntryPublic.from_recorded,
        status_code=201,
    )


@router.get("/customers/{email}/store-credit", response_model=CustomerStatementPublic)
def statement_route(email: str, api: Api) -> CustomerStatementPublic:
    """Every account of the customer with its entries, oldest first, and a running balance."""
    view = queries.customer_statement(api.uow(), api.store_id, email, api.clock.now())
    return CustomerStatementPublic.from_view(view)
