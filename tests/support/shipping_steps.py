"""A store with a return address, an order with a full shipping address, an approved return:
what a label is made from."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from retour.db.models import Event, IdempotencyRecord, ShipmentDocumentRow, ShipmentRow
from retour.db.unit_of_work import UnitOfWork
from retour.domain.addresses import Address
from retour.domain.inputs import LineRequest
from retour.services import returns, shipments
from retour.services.context import FixedClock
from retour.services.order_import import OrderImport, import_order
from retour.shipping.base import CarrierAccount
from retour.shipping.easypost import EasyPostCarrier
from retour.shipping.easypost_http import EasyPostClient
from retour.shipping.registry import Carriers
from tests.conftest import START
from tests.factories import STAFF, order_payload

WAREHOUSE = {
    "name": "Acme Returns", "company": "Acme GmbH", "line1": "Lagerstraße 5", "line2": "",
    "city": "Berlin", "region": "", "postal_code": "10115", "country": "DE", "phone": "",
}  # fmt: skip
SHIPPED_TO = {
    "name": "Sam Shopper", "company": "", "line1": "12 rue de la Roquette", "line2": "",
    "city": "Paris", "region": "", "postal_code": "75011", "country": "FR",
    "phone": "+33 6 12 34 56 78",
}  # fmt: skip


def set_return_address(uow: UnitOfWork, store_id: int, **changes: str) -> None:
    shipments.update_shipping_settings(uow, store_id, Address(**{**WAREHOUSE, **changes}))


def shipped_order_payload(platform_id: str = "1001", **address: str) -> dict[str, Any]:
    payload = order_payload(platform_id, placed_at=START - timedelta(days=10))
    payload["shipping"] = {"amount": 495, **SHIPPED_TO, "country": "fr", **address}
    return payload


def approved_return(uow: UnitOfWork, store_id: int, clock: FixedClock, **address: str) -> Any:
    """An approved return of one unit of an order shipped to SHIPPED_TO (changed by `address`)."""
    payload = OrderImport.model_validate(shipped_order_payload(**address))
    order = import_order(uow, store_id, payload, STAFF, clock.now()).order
    request = returns.ReturnRequest(order.id, [LineRequest(order.lines[0].id, 1, "too_small")])
    ret = returns.request_return(uow, store_id, request, STAFF, clock.now())
    return returns.approve_return(uow, store_id, ret.id, STAFF, clock.now())


def shipping_rows(uow: UnitOfWork) -> dict[str, int]:
    """How many shipments, documents, shipment events and idempotency keys there are."""
    with uow:
        counts = [
            select(func.count()).select_from(ShipmentRow),
            select(func.count()).select_from(ShipmentDocumentRow),
            select(func.count()).where(Event.name.like("shipment.%")),
            select(func.count()).select_from(IdempotencyRecord),
        ]
        values = [uow.session.scalar(statement) for statement in counts]
    return dict(zip(("shipments", "documents", "events", "keys"), values, strict=True))


def easypost_carriers(
    url: str, api_key: str, secret: str, sleeps: list[float], service: str = ""
) -> Carriers:
    """EasyPost (at `url`, e.g. the fake's) as the default carrier, three tries a request,
    its backoff sleeps recorded in `sleeps` instead of slept."""
    client = EasyPostClient(api_key, url, attempts=3, sleep=sleeps.append)
    account = CarrierAccount("easypost", api_key, secret, service=service)
    return Carriers([EasyPostCarrier(account, client)], default="easypost")
