"""The store's return policy: read, save a version, history, schema, evaluate, simulate."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from retour.services.policy import versions
from retour.services.policy.evaluation import EvaluationRequest, evaluate_request
from retour.services.policy.inputs import LineAsk
from retour.services.policy.simulation import simulate_policy
from retour.web.api.deps import Api
from retour.web.api.policy_schemas import (
    EvaluateBody,
    EvaluationPublic,
    PolicyDocumentIn,
    PolicyPublic,
    PolicySaved,
    PolicyVersionPage,
)
from retour.web.api.simulation_schemas import SimulateBody, SimulationPublic

router = APIRouter(prefix="/policy", tags=["policy"])
_SAVE_RESPONSES: dict[int | str, dict[str, str]] = {
    422: {"description": "`invalid_policy`: every error with its JSON pointer; nothing saved"},
}
_SIMULATE_RESPONSES: dict[int | str, dict[str, str]] = {
    422: {"description": "`invalid_policy`: the draft's errors, pointers under /policy"},
}
_EVALUATE_RESPONSES: dict[int | str, dict[str, str]] = {
    404: {"description": "No such order in this store"},
    422: {
        "description": "`currency_mismatch` (the order's currency is not the policy's), "
        "`invalid_policy` (the draft; pointers under /policy), `invalid_request`"
    },
}


@router.get("", response_model=PolicyPublic)
def get_policy_route(api: Api) -> PolicyPublic:
    """The live policy; version 0 (`is_builtin`) when the store has saved none."""
    return PolicyPublic.from_service(versions.live_policy_record(api.uow(), api.store_id))


@router.put("", response_model=PolicySaved, responses=_SAVE_RESPONSES)
def put_policy_route(
    body: PolicyDocumentIn,
    api: Api,
    note: Annotated[str, Query(max_length=2000, description="why it changed")] = "",
) -> JSONResponse:
    """Save the document as the next version; it is live at once."""
    return api.mutate(
        body,
        lambda uow: versions.save_policy(
            uow, api.store_id, body.root, note, api.actor, api.clock.now()
        ),
        PolicySaved.from_saved,
    )


@router.get("/versions", response_model=PolicyVersionPage)
def list_policy_versions_route(
    api: Api,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> PolicyVersionPage:
    """Every saved version, newest (live) first; follow `next_cursor` for the next page."""
    page = versions.list_policy_versions(api.uow(), api.store_id, cursor, limit)
    return PolicyVersionPage(
        items=[PolicyPublic.from_service(record) for record in page.items],
        next_cursor=page.next_cursor,
    )


@router.get("/versions/{version}", response_model=PolicyPublic)
def get_policy_version_route(version: int, api: Api) -> PolicyPublic:
    return PolicyPublic.from_service(versions.get_policy_version(api.uow(), api.store_id, version))


@router.get("/schema", response_class=JSONResponse)
async def policy_schema_route() -> JSONResponse:
    """The JSON Schema (draft 2020-12) of the policy document; no API key needed."""
    return JSONResponse(versions.policy_schema(), media_type="application/schema+json")


@router.post("/evaluate", response_model=EvaluationPublic, responses=_EVALUATE_RESPONSES)
def evaluate_route(body: EvaluateBody, api: Api) -> EvaluationPublic:
    """Judge candidate lines of an order under the live policy (or the draft in `policy`),
    exactly as creating the return would; nothing is saved."""
    request = EvaluationRequest(
        order_id=body.order_id,
        lines=[
            LineAsk(line.order_line_id, line.quantity, line.reason_code, line.comment,
                    line.photo_count)
            for line in body.lines
        ],
        draft=body.policy,
        return_country=body.return_country,
        label_cost=body.label_cost,
    )  # fmt: skip
    result = evaluate_request(api.uow(), api.store_id, request, api.clock.now())
    return EvaluationPublic.from_service(result)


@router.post("/simulate", response_model=SimulationPublic, responses=_SIMULATE_RESPONSES)
def simulate_route(body: SimulateBody, api: Api) -> SimulationPublic:
    """Re-decide the store's past returns, and the lines of its orders nobody returned, under
    the draft and under the live policy, and report what would change; nothing is saved
    (docs/policy.md, "What if")."""
    since = datetime.combine(body.since, time(), UTC) if body.since else None
    result = simulate_policy(api.uow(), api.store_id, body.policy, since, pointer_prefix="/policy")
    return SimulationPublic.model_validate(result.as_json())
