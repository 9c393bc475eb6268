"""Shipments of returns: labels and drop-off codes, their files, voiding; packing slips; the
store's shipping settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from retour.services import shipments
from retour.services.idempotency import fingerprint
from retour.shipping.base import MEDIA_TYPES, DocumentKind
from retour.shipping.registry import Carriers
from retour.web.api.deps import Api
from retour.web.api.shipment_schemas import (
    ShipmentCreate,
    ShipmentList,
    ShipmentPublic,
    ShipmentVoid,
    ShippingSettingsPublic,
    ShippingSettingsUpdate,
)

router = APIRouter(tags=["shipments"])
_RESPONSES: dict[int | str, dict[str, str]] = {
    404: {"description": "No such return or shipment in this store"},
    409: {"description": "The return's or the shipment's status does not allow it"},
    422: {"description": "Invalid input, e.g. an address field (`field` names it)"},
}
_FILE_RESPONSES: dict[int | str, dict[str, str]] = {
    404: {"description": "No such shipment, or no file of this kind for it"},
    409: {"description": "`label_unavailable`: pending, failed, voided or expired"},
}
#: Labels carry names and addresses: no shared cache may keep them.
_PRIVATE = {"Cache-Control": "private, no-store"}


async def _carriers(request: Request) -> Carriers:
    carriers: Carriers = request.app.state.carriers
    return carriers


CarriersDep = Annotated[Carriers, Depends(_carriers)]


def _key(api: Api, body: bytes) -> shipments.IdempotencyKey | None:
    if api.idempotency_key is None:
        return None
    request = api.request
    return shipments.IdempotencyKey(
        api.idempotency_key, fingerprint(request.method, request.url.path, body)
    )


def _answer(outcome: shipments.ShipmentOutcome, status_code: int) -> JSONResponse:
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else None
    body = ShipmentPublic.from_view(outcome.view).model_dump(mode="json")
    return JSONResponse(body, status_code=status_code, headers=headers)


@router.post(
    "/returns/{return_id}/shipments",
    response_model=ShipmentPublic,
    status_code=201,
    responses={
        **_RESPONSES,
        409: {"description": "The return is not approved, or has a live label already"},
        503: {"description": "The carrier does not answer; send the same request again"},
    },
)
def create_shipment_route(
    return_id: int, body: ShipmentCreate, api: Api, carriers: CarriersDep
) -> JSONResponse:
    """A label (`prepaid_label`) or drop-off code (`qr_drop_off`) for an approved return.

    One shipment per `Idempotency-Key`: the same request again answers the same shipment.
    The return stays `approved` until the parcel is scanned or marked in transit.
    """
    request = shipments.ShipmentRequest(
        method=body.method,
        parcels=body.parcels,
        from_address=body.from_address.to_domain() if body.from_address else None,
    )
    outcome = shipments.create_shipment(
        api.uow(),
        carriers,
        api.store_id,
        return_id,
        request,
        api.actor,
        api.clock,
        _key(api, body.model_dump_json().encode()),
    )
    return _answer(outcome, 201)


@router.get("/returns/{return_id}/shipments", response_model=ShipmentList, responses=_RESPONSES)
def list_return_shipments_route(return_id: int, api: Api) -> ShipmentList:
    """Oldest first, voided and failed ones included."""
    views = shipments.list_return_shipments(api.uow(), api.store_id, return_id, api.clock.now())
    return ShipmentList(items=[ShipmentPublic.from_view(view) for view in views])


@router.get(
    "/returns/{return_id}/packing-slip.pdf",
    response_class=Response,
    responses={**_RESPONSES, 200: {"content": {"application/pdf": {}}}},
)
def packing_slip_route(return_id: int, api: Api) -> Response:
    """The slip for the parcel: the RMA number as Code 128, the addresses, the approved lines."""
    content = shipments.packing_slip(api.uow(), api.store_id, return_id, api.clock.now())
    return _file(content, "application/pdf", f"packing-slip-{return_id}.pdf")


@router.get("/shipments/{shipment_id}", response_model=ShipmentPublic, responses=_RESPONSES)
def get_shipment_route(shipment_id: int, api: Api) -> ShipmentPublic:
    view = shipments.get_shipment(api.uow(), api.store_id, shipment_id, api.clock.now())
    return ShipmentPublic.from_view(view)


def _document_route(kind: DocumentKind, filename: str) -> None:
    def route(shipment_id: int, api: Api) -> Response:
        content = shipments.shipment_document(
            api.uow(), api.store_id, shipment_id, kind, api.clock.now()
        )
        return _file(content, MEDIA_TYPES[kind], f"shipment-{shipment_id}-{filename}")

    route.__name__ = f"shipment_{kind.value}_route"
    router.add_api_route(
        f"/shipments/{{shipment_id}}/{filename}",
        route,
        methods=["GET"],
        response_class=Response,
        responses={**_FILE_RESPONSES, 200: {"content": {MEDIA_TYPES[kind]: {}}}},
        summary=f"The shipment's {filename}",
    )


_document_route(DocumentKind.LABEL_PDF, "label.pdf")
_document_route(DocumentKind.LABEL_ZPL, "label.zpl")
_document_route(DocumentKind.QR_PNG, "qr.png")


@router.post(
    "/shipments/{shipment_id}/void",
    response_model=ShipmentPublic,
    responses={**_RESPONSES, 409: {"description": "`already_done`: voided or scanned"}},
)
def void_shipment_route(
    shipment_id: int, api: Api, carriers: CarriersDep, body: ShipmentVoid | None = None
) -> JSONResponse:
    """Void an unused label; make a new one with `POST /returns/{id}/shipments`."""
    reason = body.reason if body is not None else ""
    raw = body.model_dump_json().encode() if body is not None else b""
    outcome = shipments.void_shipment(
        api.uow(), carriers, api.store_id, shipment_id, api.actor, api.clock, reason,
        _key(api, raw),
    )  # fmt: skip
    return _answer(outcome, 200)


@router.get("/settings/shipping", response_model=ShippingSettingsPublic, tags=["settings"])
def get_shipping_settings_route(api: Api) -> ShippingSettingsPublic:
    return ShippingSettingsPublic.from_service(shipments.shipping_settings(api.uow(), api.store_id))


@router.patch(
    "/settings/shipping",
    response_model=ShippingSettingsPublic,
    tags=["settings"],
    responses={422: {"description": "An address field (`return_address.postal_code`…)"}},
)
def update_shipping_settings_route(
    body: ShippingSettingsUpdate, api: Api
) -> ShippingSettingsPublic:
    """The return address labels go to (the default return location's) and how many days a
    label can be used. Labels made before keep theirs."""
    settings = shipments.update_shipping_settings(
        api.uow(),
        api.store_id,
        body.return_address.to_domain() if body.return_address else None,
        body.label_expiry_days,
    )
    return ShippingSettingsPublic.from_service(settings)


def _file(content: bytes, media_type: str, filename: str) -> Response:
    headers = {**_PRIVATE, "Content-Disposition": f'inline; filename="{filename}"'}
    return Response(content, media_type=media_type, headers=headers)
