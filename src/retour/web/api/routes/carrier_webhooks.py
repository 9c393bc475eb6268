"""Carriers' tracking webhooks: one URL per carrier for the installation, no API key (the
carrier signs each delivery; the store is the one whose webhook secret verifies it)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from retour.services import shipments
from retour.web.api.problems import problem

router = APIRouter(prefix="/carriers", tags=["carrier webhooks"])
#: Carriers' tracking deliveries are a few kB; anything far larger is not read to the end.
MAX_BODY_BYTES = 1024 * 1024
_RESPONSES: dict[int | str, dict[str, str]] = {
    401: {"description": "The signature does not verify with any store's webhook secret"},
    404: {"description": "No carrier of that name takes webhooks here"},
    413: {"description": "A body over 1 MiB (no carrier sends one): not read further"},
    422: {"description": "Signed, but not a delivery the carrier's adapter can read"},
}


class CarrierWebhookAnswer(BaseModel):
    replayed: bool = Field(description="taken in before: nothing was done this time")
    shipment_ids: list[int]
    new_scans: int
    unknown_tracking_numbers: list[str] = Field(description="no shipment of the store; ignored")


@router.post("/{carrier}/webhooks", response_model=CarrierWebhookAnswer, responses=_RESPONSES)
async def carrier_webhook_route(
    carrier: str, request: Request
) -> CarrierWebhookAnswer | JSONResponse:
    """Verify the delivery's signature, then record its scans once (a replay answers 200)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return problem(
                413, "payload_too_large", "Payload too large",
                f"a carrier webhook's body is at most {MAX_BODY_BYTES} bytes",
            )  # fmt: skip
    state = request.app.state
    outcome = await run_in_threadpool(
        shipments.receive_tracking_webhook,
        state.new_uow(),
        state.carriers,
        carrier,
        dict(request.headers),
        bytes(body),
        state.clock.now(),
    )
    return CarrierWebhookAnswer(
        replayed=outcome.replayed,
        shipment_ids=list(outcome.shipment_ids),
        new_scans=outcome.new_scans,
        unknown_tracking_numbers=list(outcome.unknown_tracking_numbers),
    )
